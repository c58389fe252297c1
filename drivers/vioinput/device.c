/*
 * vioinput: bringing the device up and down, and its interrupt.
 *
 * PrepareHardware finds the transport, reads and classifies the device's
 * configuration and builds the report descriptor (hidclass asks for it
 * right after START), and allocates the event and status buffers.
 * D0Entry negotiates, sets up both queues, posts every event buffer and
 * sets DRIVER_OK; D0Exit resets the device, which hands the buffers back.
 * The DPC takes events off the event queue, translates them (events.c),
 * reposts the buffers and reclaims finished status buffers.
 */
#include "vioinput.h"

#define VIOINPUT_FEATURES                                                                          \
    (VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM) |                       \
     VIRTIO_BIT(VIRTIO_F_RING_PACKED) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX))

#define VIRTIO_ID_INPUT 18

/* START: bind the virtio core, allocate the event and status buffers and the restart work item.
 * IRQL: PASSIVE_LEVEL. */
NTSTATUS VioinputPrepareHardware(PVW_DEVICE Device, PVW_RESOURCES Resources)
{
    PVIOINPUT_DEVICE input = VioinputFromDevice(Device);
    const struct virtio_os *os;
    NTSTATUS status;

    (void)Resources;
    status = VwVirtioStart(&input->Virtio, Device, VIOINPUT_POOL_TAG);
    if (!NT_SUCCESS(status))
        return status;
    if (input->Virtio.Dev.device_type != VIRTIO_ID_INPUT) {
        VwError(Device, "virtio device type %u is not an input device",
                input->Virtio.Dev.device_type);
        status = STATUS_DEVICE_CONFIGURATION_ERROR;
        goto fail;
    }
    status = VioinputReadCaps(Device, &input->Caps);
    if (!NT_SUCCESS(status))
        goto fail;
    input->DescriptorLength =
        VioinputBuildDescriptor(&input->Caps, input->Descriptor, sizeof(input->Descriptor));
    if (input->DescriptorLength == 0) {
        VwError(Device, "report descriptor does not fit");
        status = STATUS_INTERNAL_ERROR;
        goto fail;
    }
    input->Restarts = 0;
    input->RestartItem = IoAllocateWorkItem(Device->Self);
    if (input->RestartItem == NULL) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto fail;
    }
    os = &input->Virtio.Os;
    if (os->ops->dma_alloc(os->ctx, VIOINPUT_EVENT_BUFFERS * sizeof(VIRTIO_INPUT_EVENT), 0,
                           &input->Events) != 0 ||
        os->ops->dma_alloc(os->ctx, VIOINPUT_STATUS_SLOTS * sizeof(VIRTIO_INPUT_EVENT), 0,
                           &input->Status) != 0) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto fail;
    }
    return STATUS_SUCCESS;

fail:
    VioinputReleaseHardware(Device);
    return status;
}

/* STOP/REMOVE: wait for a restart in flight, free the buffers and the work item. IRQL:
 * PASSIVE_LEVEL. */
VOID VioinputReleaseHardware(PVW_DEVICE Device)
{
    PVIOINPUT_DEVICE input = VioinputFromDevice(Device);
    const struct virtio_os *os = &input->Virtio.Os;

    if (input->RestartItem != NULL) {
        VioinputWaitRestart(Device);
        IoFreeWorkItem(input->RestartItem);
        input->RestartItem = NULL;
    }
    if (input->Events.va != NULL)
        os->ops->dma_free(os->ctx, &input->Events);
    if (input->Status.va != NULL)
        os->ops->dma_free(os->ctx, &input->Status);
    RtlZeroMemory(&input->Events, sizeof(input->Events));
    RtlZeroMemory(&input->Status, sizeof(input->Status));
    VwVirtioStop(&input->Virtio);
}

/* Hand event buffer INDEX to the device (Lock held). IRQL: DISPATCH_LEVEL. */
static int VioinputPostEvent(PVIOINPUT_DEVICE Input, ULONG Index)
{
    struct virtqueue_sg sg = {
        .addr = Input->Events.pa + Index * sizeof(VIRTIO_INPUT_EVENT),
        .len = sizeof(VIRTIO_INPUT_EVENT),
    };
    return virtqueue_add(&Input->EventQ, &sg, 0, 1, (void *)(ULONG_PTR)(Index + 1));
}

/* D0: bring the device up under StateLock. IRQL: PASSIVE_LEVEL. */
NTSTATUS VioinputD0Entry(PVW_DEVICE Device, DEVICE_POWER_STATE Previous)
{
    PVIOINPUT_DEVICE input = VioinputFromDevice(Device);

    (void)Previous;
    KeWaitForSingleObject(&input->StateLock, Executive, KernelMode, FALSE, NULL);
    NTSTATUS status = VioinputD0EntryLocked(Device);
    KeSetEvent(&input->StateLock, IO_NO_INCREMENT, FALSE);
    return status;
}

/* Leaving D0: take the device down under StateLock. IRQL: PASSIVE_LEVEL. */
NTSTATUS VioinputD0Exit(PVW_DEVICE Device, DEVICE_POWER_STATE Target)
{
    PVIOINPUT_DEVICE input = VioinputFromDevice(Device);

    (void)Target;
    KeWaitForSingleObject(&input->StateLock, Executive, KernelMode, FALSE, NULL);
    VioinputD0ExitLocked(Device);
    KeSetEvent(&input->StateLock, IO_NO_INCREMENT, FALSE);
    return STATUS_SUCCESS;
}

/* Negotiate, set up both queues, DRIVER_OK, post the event buffers
 * (StateLock held). IRQL: PASSIVE_LEVEL. */
NTSTATUS VioinputD0EntryLocked(PVW_DEVICE Device)
{
    PVIOINPUT_DEVICE input = VioinputFromDevice(Device);
    struct virtio_device *dev = &input->Virtio.Dev;
    uint64_t features = 0;
    KIRQL irql;
    int rc;

    rc = virtio_negotiate(dev, VIOINPUT_FEATURES, &features);
    if (rc != 0)
        goto fail;
    /* With MSI-X everything shares message 0: the configuration change
     * (NEEDS_RESET) and both queues; the DPC looks at all of them. */
    if (dev->msix) {
        rc = virtio_set_config_vector(dev, 0);
        if (rc != 0)
            goto fail;
    }
    struct virtio_queue_config qcfg = {
        .index = VIOINPUT_QUEUE_EVENT,
        .msix_vector = dev->msix ? 0 : VIRTIO_MSI_NO_VECTOR,
    };
    rc = virtio_queue_setup(dev, &input->EventQ, &qcfg);
    if (rc != 0)
        goto fail;
    qcfg.index = VIOINPUT_QUEUE_STATUS;
    rc = virtio_queue_setup(dev, &input->StatusQ, &qcfg);
    if (rc != 0) {
        virtio_device_reset(dev);
        virtio_queue_teardown(dev, &input->EventQ);
        goto fail;
    }

    KeAcquireSpinLock(&input->Lock, &irql);
    input->QueuesReady = TRUE;
    input->Broken = FALSE;
    RtlZeroMemory(input->StatusBusy, sizeof(input->StatusBusy));
    VioinputResetState(input);
    KeReleaseSpinLock(&input->Lock, irql);
    rc = virtio_device_ready(dev);
    if (rc != 0)
        goto fail_queues;
    /* The event buffers go in once the device runs (as Linux does). */
    KeAcquireSpinLock(&input->Lock, &irql);
    for (ULONG i = 0; i < VIOINPUT_EVENT_BUFFERS && rc == 0; i++)
        rc = VioinputPostEvent(input, i);
    if (rc == VIRTIO_ENOSPC)
        rc = 0; /* a smaller ring holds fewer: what it took is enough */
    input->Ready = rc == 0;
    BOOLEAN notify = virtqueue_kick_prepare(&input->EventQ);
    KeReleaseSpinLock(&input->Lock, irql);
    if (rc != 0)
        goto fail_queues;
    if (notify)
        virtqueue_notify(&input->EventQ);
    VwInfo(Device, "ready: features 0x%llx, %s rings", (unsigned long long)features,
           input->EventQ.format == VIRTQUEUE_PACKED ? "packed" : "split");
    return STATUS_SUCCESS;

fail_queues:
    VioinputD0ExitLocked(Device);
    VwError(Device, "initialisation failed (%d)", rc);
    return VwVirtioStatus(rc);
fail:
    VwError(Device, "initialisation failed (%d)", rc);
    virtio_device_fail(dev);
    return VwVirtioStatus(rc);
}

/* The device stops; after the reset it no longer owns any buffer.  Reads
 * stay pending: input resumes after D0 (StateLock held). IRQL: PASSIVE_LEVEL. */
NTSTATUS VioinputD0ExitLocked(PVW_DEVICE Device)
{
    PVIOINPUT_DEVICE input = VioinputFromDevice(Device);
    KIRQL irql;

    KeAcquireSpinLock(&input->Lock, &irql);
    input->Ready = FALSE;
    BOOLEAN hadQueues = input->QueuesReady;
    input->QueuesReady = FALSE;
    KeReleaseSpinLock(&input->Lock, irql);

    VwVirtioReset(&input->Virtio);
    if (hadQueues) {
        while (virtqueue_detach_unused(&input->EventQ) != NULL)
            ;
        while (virtqueue_detach_unused(&input->StatusQ) != NULL)
            ;
        virtio_queue_teardown(&input->Virtio.Dev, &input->EventQ);
        virtio_queue_teardown(&input->Virtio.Dev, &input->StatusQ);
    }
    return STATUS_SUCCESS;
}

/* Claim the device's interrupts for the DPC.  virtio-input's configuration is a window the
 * driver selects itself (select/subsel), so a configuration change can only mean
 * DEVICE_NEEDS_RESET, which the DPC checks on every interrupt and restarts for. IRQL: DIRQL. */
BOOLEAN VioinputIsr(PVW_DEVICE Device, ULONG MessageId, PBOOLEAN QueueDpc)
{
    PVIOINPUT_DEVICE input = VioinputFromDevice(Device);

    uint8_t isr = virtio_isr_ack(&input->Virtio.Dev, (uint16_t)MessageId);
    if (isr == 0)
        return FALSE;
    *QueueDpc = TRUE;
    return TRUE;
}

/* Take finished event buffers, translate, repost (Lock held). IRQL: DISPATCH_LEVEL. */
static BOOLEAN VioinputDrainEvents(PVW_DEVICE Device, PVIOINPUT_DEVICE Input)
{
    BOOLEAN kick = FALSE;
    uint32_t len;
    void *cookie;

    virtqueue_disable_cb(&Input->EventQ);
    for (;;) {
        while ((cookie = virtqueue_get(&Input->EventQ, &len)) != NULL) {
            ULONG index = (ULONG)(ULONG_PTR)cookie - 1;
            if (index >= VIOINPUT_EVENT_BUFFERS) {
                /* Not one of our cookies: the core hands back only what we
                 * posted, so this cannot happen; keep it from indexing. */
                Input->Broken = TRUE;
                break;
            }
            const VIRTIO_INPUT_EVENT *ev = (const VIRTIO_INPUT_EVENT *)Input->Events.va + index;
            if (len == sizeof(VIRTIO_INPUT_EVENT)) {
                VIRTIO_INPUT_EVENT copy = *ev; /* the device may write again */
                VioinputHandleEvent(Input, &copy);
            } else {
                Input->Ignored++;
            }
            if (VioinputPostEvent(Input, index) == 0)
                kick = TRUE;
        }
        if (virtqueue_enable_cb(&Input->EventQ))
            break;
        virtqueue_disable_cb(&Input->EventQ);
    }
    if (virtqueue_broken(&Input->EventQ) && !Input->Broken) {
        VwError(Device, "event queue broken by the device (%d): restarting it",
                virtqueue_broken(&Input->EventQ));
        Input->Broken = TRUE;
    }
    return kick;
}

/* Completions: turn events into reports, reclaim status buffers, restart a broken device. IRQL:
 * DISPATCH_LEVEL. */
VOID VioinputDpc(PVW_DEVICE Device, ULONG MessageId)
{
    PVIOINPUT_DEVICE input = VioinputFromDevice(Device);
    BOOLEAN kick = FALSE;

    (void)MessageId;
    KeAcquireSpinLockAtDpcLevel(&input->Lock);
    if (input->QueuesReady && !input->Broken) {
        if (virtio_device_needs_reset(&input->Virtio.Dev)) {
            VwError(Device, "device needs a reset: restarting it");
            input->Broken = TRUE;
        } else {
            kick = VioinputDrainEvents(Device, input);
            VioinputReclaimStatus(input);
            if (kick)
                kick = virtqueue_kick_prepare(&input->EventQ);
        }
        if (input->Broken)
            VioinputQueueRestart(Device);
    }
    KeReleaseSpinLockFromDpcLevel(&input->Lock);
    if (kick)
        virtqueue_notify(&input->EventQ);
    VioinputDrainReports(Device);
}
