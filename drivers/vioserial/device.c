/*
 * vioser: bringing the device up and down, its interrupt, and recovery.
 *
 * D0Entry negotiates (MULTIPORT when offered), reads and bounds
 * max_nr_ports, sets up every queue, sets DRIVER_OK and then, with
 * MULTIPORT, posts the control buffers and says DEVICE_READY; the device
 * answers with PORT_ADD for each port.  D0Exit fails every request, resets
 * the device and frees the rings; ports that no handle holds lose their
 * device objects, the others wait to be added again.
 */
#include "vioser.h"

#define VIOSER_FEATURES                                                                            \
    (VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM) |                       \
     VIRTIO_BIT(VIRTIO_F_RING_PACKED) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX) |                           \
     VIRTIO_BIT(VIRTIO_CONSOLE_F_MULTIPORT))

#define VIRTIO_ID_CONSOLE 3

/* START: bind the virtio core. IRQL: PASSIVE_LEVEL. */
NTSTATUS VioserPrepareHardware(PVW_DEVICE Device, PVW_RESOURCES Resources)
{
    PVIOSER_DEVICE dev = VioserFromDevice(Device);
    NTSTATUS status;

    (void)Resources;
    status = VwVirtioStart(&dev->Virtio, Device, VIOSER_POOL_TAG);
    if (!NT_SUCCESS(status))
        return status;
    if (dev->Virtio.Dev.device_type != VIRTIO_ID_CONSOLE) {
        VwError(Device, "virtio device type %u is not a console", dev->Virtio.Dev.device_type);
        VwVirtioStop(&dev->Virtio);
        return STATUS_DEVICE_CONFIGURATION_ERROR;
    }
    return STATUS_SUCCESS;
}

/* STOP/REMOVE: free the shared buffer and release the transport. IRQL: PASSIVE_LEVEL. */
VOID VioserReleaseHardware(PVW_DEVICE Device)
{
    PVIOSER_DEVICE dev = VioserFromDevice(Device);
    const struct virtio_os *os = &dev->Virtio.Os;

    if (dev->Shared.va != NULL)
        os->ops->dma_free(os->ctx, &dev->Shared);
    RtlZeroMemory(&dev->Shared, sizeof(dev->Shared));
    VwVirtioStop(&dev->Virtio);
}

/* max_nr_ports from the configuration, bounded: a device may offer more
 * ports than we serve (the rest are refused as they are added), never 0. IRQL: PASSIVE_LEVEL. */
static int VioserReadPortCount(PVIOSER_DEVICE Dev)
{
    struct virtio_device *vdev = &Dev->Virtio.Dev;
    uint32_t max = 0;

    if (!Dev->Multiport) {
        Dev->PortCount = 1;
        return 0;
    }
    if (virtio_config_len(vdev) < VIOSER_CFG_MAX_NR_PORTS + 4) {
        VwError(Dev->Vw, "configuration of %u bytes has no max_nr_ports", virtio_config_len(vdev));
        return VIRTIO_EPROTO;
    }
    int rc = virtio_config_read(vdev, VIOSER_CFG_MAX_NR_PORTS, &max, sizeof(max));
    if (rc != 0)
        return rc;
    if (max == 0) {
        VwError(Dev->Vw, "max_nr_ports is 0");
        return VIRTIO_EPROTO;
    }
    if (max > VIOSER_MAX_PORTS) {
        VwError(Dev->Vw, "max_nr_ports %u: serving the first %u", max, VIOSER_MAX_PORTS);
        max = VIOSER_MAX_PORTS;
    }
    if (Dev->PortCount != 0 && max != Dev->PortCount) {
        VwError(Dev->Vw, "max_nr_ports changed from %u to %u", Dev->PortCount, max);
        return VIRTIO_EPROTO;
    }
    Dev->PortCount = max;
    return 0;
}

/* Carve the shared common buffer into control and port slots. IRQL: PASSIVE_LEVEL. */
static int VioserLayoutBuffers(PVIOSER_DEVICE Dev)
{
    const struct virtio_os *os = &Dev->Virtio.Os;
    size_t ctrl = VIOSER_CTRL_RX_BUFS * VIOSER_CTRL_RX_SIZE + VIOSER_CTRL_TX_BUFS * 8;
    size_t size = ((ctrl + 4095) & ~(size_t)4095) + (size_t)Dev->PortCount * VIOSER_PORT_DMA;

    if (Dev->Shared.va == NULL && os->ops->dma_alloc(os->ctx, size, 4096, &Dev->Shared) != 0)
        return VIRTIO_ENOMEM;
    PUCHAR va = Dev->Shared.va;
    ULONGLONG pa = Dev->Shared.pa;
    size_t off = 0;
#define VIOSER_SLOT_AT(slot, len)                                                                  \
    do {                                                                                           \
        (slot)->Va = va + off;                                                                     \
        (slot)->Pa = pa + off;                                                                     \
        (slot)->Length = 0;                                                                        \
        (slot)->Offset = 0;                                                                        \
        (slot)->Posted = FALSE;                                                                    \
        (slot)->Irp = NULL;                                                                        \
        off += (len);                                                                              \
    } while (0)
    for (ULONG i = 0; i < VIOSER_CTRL_RX_BUFS; i++)
        VIOSER_SLOT_AT(&Dev->CtrlRx[i], VIOSER_CTRL_RX_SIZE);
    for (ULONG i = 0; i < VIOSER_CTRL_TX_BUFS; i++)
        VIOSER_SLOT_AT(&Dev->CtrlTx[i], 8);
    off = (off + 4095) & ~(size_t)4095;
    for (ULONG p = 0; p < Dev->PortCount; p++) {
        PVIOSER_PORT port = &Dev->Ports[p];
        for (ULONG i = 0; i < VIOSER_RX_BUFS; i++)
            VIOSER_SLOT_AT(&port->Rx[i], VIOSER_RX_SIZE);
        for (ULONG i = 0; i < VIOSER_TX_BUFS; i++)
            VIOSER_SLOT_AT(&port->Tx[i], VIOSER_TX_SIZE);
        port->RxHead = port->RxCount = 0;
    }
#undef VIOSER_SLOT_AT
    Dev->CtrlPendingHead = Dev->CtrlPendingCount = 0;
    return 0;
}

/* Bring the device up (StateMutex held).  RESTART: called by the restart
 * work item, not by PnP or power. IRQL: PASSIVE_LEVEL. */
NTSTATUS VioserDeviceUp(PVIOSER_DEVICE Dev, BOOLEAN Restart)
{
    PVIOSER_DEVICE dev = Dev;
    PVW_DEVICE Device = Dev->Vw;
    struct virtio_device *vdev = &dev->Virtio.Dev;
    uint64_t features = 0;
    KIRQL irql;
    int rc;

    if (!Restart)
        dev->Restarts = 0; /* PnP or power: a fresh start */
    rc = virtio_negotiate(vdev, VIOSER_FEATURES, &features);
    if (rc != 0)
        goto fail;
    dev->Multiport = (features & VIRTIO_BIT(VIRTIO_CONSOLE_F_MULTIPORT)) != 0;
    rc = VioserReadPortCount(dev);
    if (rc != 0)
        goto fail;
    dev->QueueCount = dev->Multiport ? 2 * dev->PortCount + 2 : 2;
    rc = VioserLayoutBuffers(dev);
    if (rc != 0)
        goto fail;
    /* One message for everything (configuration changes report
     * NEEDS_RESET); the DPC looks at every queue. */
    if (vdev->msix) {
        rc = virtio_set_config_vector(vdev, 0);
        if (rc != 0)
            goto fail;
    }
    for (ULONG q = 0; q < dev->QueueCount; q++) {
        struct virtio_queue_config qcfg = {
            .index = (uint16_t)q,
            .msix_vector = vdev->msix ? 0 : VIRTIO_MSI_NO_VECTOR,
        };
        rc = virtio_queue_setup(vdev, &dev->Queues[q], &qcfg);
        if (rc != 0) {
            VwError(Device, "queue %u: setup failed (%d)", q, rc);
            for (ULONG i = 0; i < q; i++)
                virtio_queue_teardown(vdev, &dev->Queues[i]);
            goto fail;
        }
    }
    KeAcquireSpinLock(&dev->Lock, &irql);
    dev->QueuesReady = TRUE;
    dev->Broken = FALSE;
    KeReleaseSpinLock(&dev->Lock, irql);
    rc = virtio_device_ready(vdev);
    if (rc != 0) {
        VioserDeviceDown(dev);
        return VwVirtioStatus(rc);
    }

    KeAcquireSpinLock(&dev->Lock, &irql);
    dev->Running = TRUE;
    if (dev->Multiport) {
        for (ULONG i = 0; i < VIOSER_CTRL_RX_BUFS; i++) {
            struct virtqueue_sg sg = {dev->CtrlRx[i].Pa, VIOSER_CTRL_RX_SIZE};
            if (virtqueue_add(&dev->Queues[2], &sg, 0, 1, &dev->CtrlRx[i]) == 0)
                dev->CtrlRx[i].Posted = TRUE;
        }
        if (virtqueue_kick_prepare(&dev->Queues[2]))
            virtqueue_notify(&dev->Queues[2]);
        VioserControlSend(dev, 0, VIRTIO_CONSOLE_DEVICE_READY, 1);
    } else {
        /* The single port is there from the start and always connected. */
        dev->Ports[0].HostConnected = TRUE;
        VioserPortAttach(dev, &dev->Ports[0]);
    }
    KeReleaseSpinLock(&dev->Lock, irql);
    VioserSyncPorts(dev, FALSE);
    VwInfo(Device, "ready: features 0x%llx, %u port(s)%s", (unsigned long long)features,
           dev->PortCount, dev->Multiport ? ", multiport" : "");
    return STATUS_SUCCESS;

fail:
    VwError(Device, "initialisation failed (%d)", rc);
    virtio_device_fail(vdev);
    return rc == VIRTIO_EPROTO ? STATUS_DEVICE_CONFIGURATION_ERROR : VwVirtioStatus(rc);
}

/* Take the device down (StateMutex held): requests fail, the device is
 * reset, rings freed. IRQL: PASSIVE_LEVEL. */
VOID VioserDeviceDown(PVIOSER_DEVICE Dev)
{
    PVIOSER_DEVICE dev = Dev;
    LIST_ENTRY done;
    KIRQL irql;

    InitializeListHead(&done);
    KeAcquireSpinLock(&dev->Lock, &irql);
    BOOLEAN hadQueues = dev->QueuesReady;
    dev->Running = FALSE;
    dev->QueuesReady = FALSE;
    for (ULONG p = 0; p < dev->PortCount; p++)
        VioserPortDetach(dev, &dev->Ports[p], &done);
    KeReleaseSpinLock(&dev->Lock, irql);
    VioserCompleteList(dev, &done);

    VwVirtioReset(&dev->Virtio);
    if (hadQueues) {
        for (ULONG q = 0; q < dev->QueueCount; q++) {
            while (virtqueue_detach_unused(&dev->Queues[q]) != NULL)
                ; /* our slots: their state is reset by the next D0Entry */
            virtio_queue_teardown(&dev->Virtio.Dev, &dev->Queues[q]);
        }
    }
    VioserSyncPorts(dev, FALSE);
}

/* The framework's callbacks (PnP START/STOP/removal, power): the same
 * steps as the restart work item, never at the same time (StateMutex). IRQL: PASSIVE_LEVEL. */
NTSTATUS VioserD0Entry(PVW_DEVICE Device, DEVICE_POWER_STATE Previous)
{
    PVIOSER_DEVICE dev = VioserFromDevice(Device);

    (void)Previous;
    KeWaitForSingleObject(&dev->StateMutex, Executive, KernelMode, FALSE, NULL);
    NTSTATUS status = VioserDeviceUp(dev, FALSE);
    KeSetEvent(&dev->StateMutex, IO_NO_INCREMENT, FALSE);
    return status;
}

/* Leaving D0: take the device down under StateMutex. IRQL: PASSIVE_LEVEL. */
NTSTATUS VioserD0Exit(PVW_DEVICE Device, DEVICE_POWER_STATE Target)
{
    PVIOSER_DEVICE dev = VioserFromDevice(Device);

    (void)Target;
    KeWaitForSingleObject(&dev->StateMutex, Executive, KernelMode, FALSE, NULL);
    VioserDeviceDown(dev);
    KeSetEvent(&dev->StateMutex, IO_NO_INCREMENT, FALSE);
    return STATUS_SUCCESS;
}

/* Claim the device's interrupts for the DPC.  A configuration change can only mean
 * DEVICE_NEEDS_RESET here (MULTIPORT's max_nr_ports is fixed, CONSOLE_F_SIZE is not
 * negotiated, emerg_wr is write-only), which the DPC checks on every interrupt. IRQL: DIRQL. */
BOOLEAN VioserIsr(PVW_DEVICE Device, ULONG MessageId, PBOOLEAN QueueDpc)
{
    PVIOSER_DEVICE dev = VioserFromDevice(Device);

    uint8_t isr = virtio_isr_ack(&dev->Virtio.Dev, (uint16_t)MessageId);
    if (isr == 0)
        return FALSE;
    *QueueDpc = TRUE;
    return TRUE;
}

/* One queue's completions (Lock held). IRQL: DISPATCH_LEVEL. */
static VOID VioserDrainQueue(PVIOSER_DEVICE Dev, ULONG Q, PLIST_ENTRY Done)
{
    struct virtqueue *vq = &Dev->Queues[Q];
    PVIOSER_SLOT slot;
    uint32_t len;

    virtqueue_disable_cb(vq);
    for (;;) {
        while ((slot = virtqueue_get(vq, &len)) != NULL) {
            slot->Posted = FALSE;
            if (Dev->Multiport && Q == 2) {
                VioserControlReceived(Dev, slot, len, Done);
            } else if (Dev->Multiport && Q == 3) {
                /* A control message went out: its buffer is free again. */
            } else {
                ULONG port = Q < 2 ? 0 : Q / 2 - 1;
                PVIOSER_PORT p = &Dev->Ports[port];
                Dev->Restarts = 0; /* data moves: the device works */
                if ((Q & 1) == 0) {
                    slot->Length = len; /* the core checked len <= posted */
                    slot->Offset = 0;
                    if (len == 0 || !p->Present) {
                        VioserPostRx(Dev, p, (ULONG)(slot - p->Rx));
                    } else {
                        p->RxFilled[(p->RxHead + p->RxCount) % VIOSER_RX_BUFS] =
                            (UCHAR)(slot - p->Rx);
                        p->RxCount++;
                    }
                } else {
                    VioserTxDone(Dev, p, slot, Done);
                }
            }
        }
        if (virtqueue_enable_cb(vq))
            break;
        virtqueue_disable_cb(vq);
    }
}

/* Completions of every queue, control messages, reads served; a broken device or NEEDS_RESET is
 * restarted. IRQL: DISPATCH_LEVEL. */
VOID VioserDpc(PVW_DEVICE Device, ULONG MessageId)
{
    PVIOSER_DEVICE dev = VioserFromDevice(Device);
    BOOLEAN restart = FALSE;
    LIST_ENTRY done;

    (void)MessageId;
    InitializeListHead(&done);
    KeAcquireSpinLockAtDpcLevel(&dev->Lock);
    if (dev->QueuesReady && !dev->Broken) {
        for (ULONG q = 0; q < dev->QueueCount; q++) {
            VioserDrainQueue(dev, q, &done);
            if (virtqueue_broken(&dev->Queues[q]))
                restart = TRUE;
        }
        if (virtio_device_needs_reset(&dev->Virtio.Dev)) {
            VwError(Device, "the device needs a reset");
            restart = TRUE;
        }
        if (!restart) {
            VioserControlFlush(dev);
            for (ULONG p = 0; p < dev->PortCount; p++) {
                VioserServeReads(dev, &dev->Ports[p], &done);
                VioserStartWrites(dev, &dev->Ports[p], &done);
            }
        } else {
            /* Fail what is pending now; the work item restarts the device. */
            dev->Broken = TRUE;
            dev->Running = FALSE;
            for (ULONG p = 0; p < dev->PortCount; p++)
                VioserFailAll(dev, &dev->Ports[p], &done);
            VioserRequestSync(dev);
        }
    }
    KeReleaseSpinLockFromDpcLevel(&dev->Lock);
    VioserCompleteList(dev, &done);
}
