/*
 * viorng: bringing the device up and down, and its interrupt.
 *
 * PrepareHardware finds the transport and allocates the bounce buffer;
 * D0Entry runs the virtio initialisation (spec 3.1.1: negotiate, queue,
 * DRIVER_OK); D0Exit resets the device, which returns the ring to the
 * driver, and fails a read still waiting; ReleaseHardware frees the rest.
 */
#include "viorng.h"

/* What we can use; the device's offer is intersected with it. */
#define VIORNG_FEATURES                                                                            \
    (VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM) |                       \
     VIRTIO_BIT(VIRTIO_F_RING_PACKED) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX))

#define VIRTIO_ID_RNG 4

/* START: bind the virtio core and allocate the read buffer. IRQL: PASSIVE_LEVEL. */
NTSTATUS ViorngPrepareHardware(PVW_DEVICE Device, PVW_RESOURCES Resources)
{
    PVIORNG_DEVICE rng = ViorngFromDevice(Device);
    NTSTATUS status;

    (void)Resources;
    status = VwVirtioStart(&rng->Virtio, Device, VIORNG_POOL_TAG);
    if (!NT_SUCCESS(status))
        return status;
    if (rng->Virtio.Dev.device_type != VIRTIO_ID_RNG) {
        VwError(Device, "virtio device type %u is not an entropy source",
                rng->Virtio.Dev.device_type);
        status = STATUS_DEVICE_CONFIGURATION_ERROR;
        goto err_type;
    }
    const struct virtio_os *os = &rng->Virtio.Os;
    if (os->ops->dma_alloc(os->ctx, VIORNG_MAX_READ, 0, &rng->Buffer) != 0) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto err_buffer;
    }
    return STATUS_SUCCESS;

err_buffer:
err_type:
    VwVirtioStop(&rng->Virtio);
    return status;
}

/* STOP/REMOVE: free the read buffer and release the transport. IRQL: PASSIVE_LEVEL. */
VOID ViorngReleaseHardware(PVW_DEVICE Device)
{
    PVIORNG_DEVICE rng = ViorngFromDevice(Device);
    const struct virtio_os *os = &rng->Virtio.Os;

    ViorngLock(&rng->StateLock);
    if (rng->Buffer.va != NULL)
        os->ops->dma_free(os->ctx, &rng->Buffer);
    RtlZeroMemory(&rng->Buffer, sizeof(rng->Buffer));
    VwVirtioStop(&rng->Virtio);
    ViorngUnlock(&rng->StateLock);
}

static VOID ViorngDeviceDown(PVIORNG_DEVICE Rng);

/* Virtio initialisation (StateLock held). IRQL: PASSIVE_LEVEL. */
static NTSTATUS ViorngDeviceUp(PVW_DEVICE Device)
{
    PVIORNG_DEVICE rng = ViorngFromDevice(Device);
    struct virtio_device *dev = &rng->Virtio.Dev;
    uint64_t features = 0;
    KIRQL irql;
    int rc;

    rc = virtio_negotiate(dev, VIORNG_FEATURES, &features);
    if (rc != 0)
        goto fail;
    /* With MSI-X the queue and configuration changes share message 0: an
     * entropy device has no configuration, but it announces
     * DEVICE_NEEDS_RESET with a configuration change (spec 2.1.2). */
    if (dev->msix) {
        rc = virtio_set_config_vector(dev, 0);
        if (rc != 0)
            goto fail;
    }
    struct virtio_queue_config qcfg = {
        .index = VIORNG_QUEUE,
        .msix_vector = dev->msix ? 0 : VIRTIO_MSI_NO_VECTOR,
    };
    rc = virtio_queue_setup(dev, &rng->Queue, &qcfg);
    if (rc != 0)
        goto fail;
    KeAcquireSpinLock(&rng->Lock, &irql);
    rng->QueueReady = TRUE;
    rng->ResetNeeded = FALSE; /* a fresh device */
    KeReleaseSpinLock(&rng->Lock, irql);
    rc = virtio_device_ready(dev);
    if (rc != 0)
        goto fail_queue;
    KeAcquireSpinLock(&rng->Lock, &irql);
    rng->Ready = TRUE;
    KeReleaseSpinLock(&rng->Lock, irql);
    VwInfo(Device, "ready: features 0x%llx, %s ring of %u", (unsigned long long)features,
           rng->Queue.format == VIRTQUEUE_PACKED ? "packed" : "split", rng->Queue.num);
    return STATUS_SUCCESS;

fail_queue:
    ViorngDeviceDown(rng);
    return VwVirtioStatus(rc);
fail:
    VwError(Device, "initialisation failed (%d)", rc);
    virtio_device_fail(dev);
    return VwVirtioStatus(rc);
}

/* D0: bring the device up (negotiate, queue, DRIVER_OK). IRQL: PASSIVE_LEVEL. */
NTSTATUS ViorngD0Entry(PVW_DEVICE Device, DEVICE_POWER_STATE Previous)
{
    PVIORNG_DEVICE rng = ViorngFromDevice(Device);

    (void)Previous;
    ViorngLock(&rng->StateLock);
    NTSTATUS status = ViorngDeviceUp(Device);
    ViorngUnlock(&rng->StateLock);
    return status;
}

/* Stop the device (StateLock held): after the reset it no longer touches
 * the ring, so the queue memory can go; a read still waiting is failed. IRQL: PASSIVE_LEVEL. */
static VOID ViorngDeviceDown(PVIORNG_DEVICE Rng)
{
    PVIORNG_DEVICE rng = Rng;
    KIRQL irql;
    BOOLEAN waiting = FALSE;

    KeAcquireSpinLock(&rng->Lock, &irql);
    rng->Ready = FALSE;
    BOOLEAN hadQueue = rng->QueueReady;
    rng->QueueReady = FALSE;
    KeReleaseSpinLock(&rng->Lock, irql);

    VwVirtioReset(&rng->Virtio);
    if (hadQueue) {
        while (virtqueue_detach_unused(&rng->Queue) != NULL)
            waiting = TRUE;
        virtio_queue_teardown(&rng->Virtio.Dev, &rng->Queue);
    }
    if (waiting) {
        rng->CompletedBroken = TRUE;
        KeSetEvent(&rng->Completed, IO_NO_INCREMENT, FALSE);
    }
}

/* PnP and power: never at the same time as a reader's restart (StateLock):
 * either the restart finished first and this takes the restarted device
 * down, or this came first and the restart finds no queue to rebuild. IRQL: PASSIVE_LEVEL. */
NTSTATUS ViorngD0Exit(PVW_DEVICE Device, DEVICE_POWER_STATE Target)
{
    PVIORNG_DEVICE rng = ViorngFromDevice(Device);

    (void)Target;
    ViorngLock(&rng->StateLock);
    ViorngDeviceDown(rng);
    ViorngUnlock(&rng->StateLock);
    return STATUS_SUCCESS;
}

/* Claim the device's interrupts; the DPC runs for completions and configuration changes. IRQL:
 * DIRQL. */
BOOLEAN ViorngIsr(PVW_DEVICE Device, ULONG MessageId, PBOOLEAN QueueDpc)
{
    PVIORNG_DEVICE rng = ViorngFromDevice(Device);

    uint8_t isr = virtio_isr_ack(&rng->Virtio.Dev, (uint16_t)MessageId);
    if (isr == 0)
        return FALSE;
    if (isr & VIRTIO_PCI_ISR_CONFIG)
        InterlockedExchange(&rng->ConfigEvent, 1);
    *QueueDpc = TRUE;
    return TRUE;
}

/* Completions: hand the read's length to the waiting reader, or wake it at once on a broken queue
 * or a device that needs a reset. IRQL: DISPATCH_LEVEL. */
VOID ViorngDpc(PVW_DEVICE Device, ULONG MessageId)
{
    PVIORNG_DEVICE rng = ViorngFromDevice(Device);
    BOOLEAN done = FALSE;
    uint32_t len = 0;

    (void)MessageId;
    BOOLEAN config = InterlockedExchange(&rng->ConfigEvent, 0) != 0;
    KeAcquireSpinLockAtDpcLevel(&rng->Lock);
    if (rng->QueueReady) {
        virtqueue_disable_cb(&rng->Queue);
        for (;;) {
            while (virtqueue_get(&rng->Queue, &len) != NULL) {
                rng->CompletedLength = len;
                done = TRUE;
            }
            if (virtqueue_enable_cb(&rng->Queue))
                break;
            virtqueue_disable_cb(&rng->Queue);
        }
        /* A misbehaving device: wake the reader now rather than at its
         * timeout; it resets the device. */
        if (virtqueue_broken(&rng->Queue)) {
            rng->CompletedBroken = TRUE;
            done = TRUE;
        }
        /* A configuration change: an entropy device has no configuration,
         * so it can only announce DEVICE_NEEDS_RESET (spec 2.1.2).  The
         * reader restarts the device now rather than at its timeout. */
        if (config && !rng->ResetNeeded && virtio_device_needs_reset(&rng->Virtio.Dev)) {
            rng->ResetNeeded = TRUE;
            done = TRUE;
        }
    }
    KeReleaseSpinLockFromDpcLevel(&rng->Lock);
    if (done)
        KeSetEvent(&rng->Completed, IO_NO_INCREMENT, FALSE);
}
