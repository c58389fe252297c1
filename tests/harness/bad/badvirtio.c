/*
 * Planted bugs for the virtio checkers: a driver on the WDM framework and
 * the virtio core that brings its device up with exactly one violation of
 * the virtio protocol, chosen by byte 0 of the device configuration (the
 * harness scenario sets it):
 *   1  DRIVER_OK without FEATURES_OK (status order)
 *   2  a feature the device did not offer
 *   3  avail->idx published before its ring entry (split ring)
 *   4  a descriptor holding a virtual address, not DMA memory
 *   5  a descriptor chain that loops
 *   6  packed ring: descriptor flags written before its address and length
 *   7  a scatter/gather element handed to the device after PutScatterGatherList
 *   8  (no bug) the same element handed over while the list lives
 *   9  a request published with notifications enabled and no kick
 *  10  EVENT_IDX: a kick suppressed by an off-by-one event index test
 *      (new - event < new - old instead of new - event - 1 < new - old)
 *  11  EVENT_IDX: callbacks re-armed without the re-check of the used ring
 *      (virtqueue_enable_cb's answer ignored): the interrupt is lost
 *  12  (no bug) modes 10 and 11 done right
 *  13  split: an avail ring entry rewritten after avail->idx published it
 *  14  packed: a chain's head made available before its second descriptor
 *  15  split: a descriptor rewritten after avail->idx published it
 *  16  a request whose result is read right after the kick, as if the
 *      device completed synchronously (start fails when it did not)
 *  17  a used ring entry read twice (its id, then its id again to use it)
 *  18  (no bug) beyond the harness's old fixed sizes: 100 common buffers,
 *      a request in the last one on the device's largest ring
 *  19  split: avail->idx stored with no write barrier after the ring entry
 *      (a bug on arm64; x86 is TSO and needs only the compiler barrier)
 *  20  packed: the head's flags stored with no write barrier after its body
 *  21  split: a used ring entry read with no read barrier after used->idx
 *      (a bug on arm64, as 19)
 *  22  split: used->flags (may I kick?) read after publishing with no full
 *      barrier between (a bug on every architecture: store -> load)
 *  23  split: avail->idx moved by more than the ring holds
 *  24  split: a descriptor rewritten after the device took its chain (the
 *      scenario holds the queue: taken, not used)
 *  25  packed: a descriptor rewritten after it was made available
 *  26  a reset (status 0) followed at once by ACKNOWLEDGE, without the
 *      read of 0 (the scenario's device resets late: vmodel reset_late)
 * Modes with another bug keep their barriers, so that bug is the one seen.
 */
#include <wdm/virtio_wdm.h>

#define BAD_TAG 'dbWV'

typedef struct _BAD_DEVICE {
    VW_VIRTIO Virtio;
    struct virtqueue Queue;
    BOOLEAN QueueReady;
    struct virtio_dma Buffer;
} BAD_DEVICE, *PBAD_DEVICE;

static PBAD_DEVICE BadFromDevice(PVW_DEVICE Device)
{
    return (PBAD_DEVICE)VwDeviceContext(Device);
}

static NTSTATUS BadPrepareHardware(PVW_DEVICE Device, PVW_RESOURCES Resources)
{
    PBAD_DEVICE bad = BadFromDevice(Device);
    (void)Resources;
    NTSTATUS status = VwVirtioStart(&bad->Virtio, Device, BAD_TAG);
    if (!NT_SUCCESS(status))
        return status;
    const struct virtio_os *os = &bad->Virtio.Os;
    if (os->ops->dma_alloc(os->ctx, 64, 0, &bad->Buffer) != 0) {
        VwVirtioStop(&bad->Virtio);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    return STATUS_SUCCESS;
}

static VOID BadReleaseHardware(PVW_DEVICE Device)
{
    PBAD_DEVICE bad = BadFromDevice(Device);
    const struct virtio_os *os = &bad->Virtio.Os;
    VwVirtioReset(&bad->Virtio);
    if (bad->QueueReady)
        virtio_queue_teardown(&bad->Virtio.Dev, &bad->Queue);
    bad->QueueReady = FALSE;
    if (bad->Buffer.va != NULL)
        os->ops->dma_free(os->ctx, &bad->Buffer);
    VwVirtioStop(&bad->Virtio);
}

/* Negotiate VERSION_1 (and the packed ring when asked), one queue, DRIVER_OK. */
static int BadBringUpWith(PBAD_DEVICE bad, BOOLEAN Packed, BOOLEAN EventIdx)
{
    struct virtio_device *dev = &bad->Virtio.Dev;
    uint64_t features;
    struct virtio_queue_config qcfg = {.index = 0, .msix_vector = VIRTIO_MSI_NO_VECTOR};
    uint64_t wanted = VIRTIO_BIT(VIRTIO_F_VERSION_1) |
                      (Packed ? VIRTIO_BIT(VIRTIO_F_RING_PACKED) : 0) |
                      (EventIdx ? VIRTIO_BIT(VIRTIO_F_EVENT_IDX) : 0);
    int rc = virtio_negotiate(dev, wanted, &features);
    if (rc == 0)
        rc = virtio_queue_setup(dev, &bad->Queue, &qcfg);
    if (rc == 0) {
        bad->QueueReady = TRUE;
        rc = virtio_device_ready(dev);
    }
    return rc;
}

static int BadBringUp(PBAD_DEVICE bad, BOOLEAN Packed)
{
    return BadBringUpWith(bad, Packed, FALSE);
}

/* Let the device run: a few scheduling points. */
static VOID BadLetDeviceRun(unsigned Points)
{
    for (unsigned i = 0; i < Points; i++)
        KeStallExecutionProcessor(1);
}

/* Put the DMA buffer on the queue (device-writable), publish it, and
 * return the kick decision of the core (not acted on here). */
static BOOLEAN BadAddOne(PBAD_DEVICE bad)
{
    struct virtqueue_sg sg = {.addr = bad->Buffer.pa, .len = 64};
    if (virtqueue_add(&bad->Queue, &sg, 0, 1, bad) != 0)
        return FALSE;
    return virtqueue_kick_prepare(&bad->Queue);
}

/* Poll the used ring (no interrupt) until the request is back. */
static BOOLEAN BadCollect(PBAD_DEVICE bad)
{
    uint32_t len;
    for (unsigned i = 0; i < 1000; i++) {
        if (virtqueue_get(&bad->Queue, &len) != NULL)
            return TRUE;
        KeStallExecutionProcessor(10);
    }
    return FALSE;
}

/* Modes 9-12: the notification rules, on a split ring. */
static NTSTATUS BadNotifications(PBAD_DEVICE bad, UCHAR Mode)
{
    if (BadBringUpWith(bad, FALSE, Mode != 9) != 0)
        return STATUS_DEVICE_PROTOCOL_ERROR;
    if (Mode == 9) {
        (void)BadAddOne(bad); /* the bug: published, never notified */
        return STATUS_SUCCESS;
    }
    /* A first request done right; then the device goes idle and asks to be
     * notified at the next index (avail_event). */
    if (BadAddOne(bad))
        virtqueue_notify(&bad->Queue);
    if (!BadCollect(bad))
        return STATUS_IO_TIMEOUT;
    BadLetDeviceRun(32);
    if (Mode == 10) {
        volatile struct virtq_used *used = bad->Queue.u.split.used;
        uint16_t old_idx = bad->Queue.u.split.avail->idx;
        (void)BadAddOne(bad);
        uint16_t new_idx = bad->Queue.u.split.avail->idx;
        uint16_t event = ((volatile uint16_t *)&used->ring[bad->Queue.num])[0];
        /* the bug: vring_need_event without its "- 1" */
        if ((uint16_t)(new_idx - event) < (uint16_t)(new_idx - old_idx))
            virtqueue_notify(&bad->Queue);
        return STATUS_SUCCESS;
    }
    /* Modes 11, 12: callbacks off while a request is in flight, the device
     * completes it without an interrupt, callbacks back on. */
    virtqueue_disable_cb(&bad->Queue);
    if (BadAddOne(bad))
        virtqueue_notify(&bad->Queue);
    for (unsigned i = 0; i < 1000 && !virtqueue_has_used(&bad->Queue); i++)
        KeStallExecutionProcessor(10);
    if (Mode == 11) {
        (void)virtqueue_enable_cb(&bad->Queue); /* the bug: completions that raced are lost */
        return STATUS_SUCCESS;
    }
    if (!virtqueue_enable_cb(&bad->Queue) && !BadCollect(bad))
        return STATUS_IO_TIMEOUT;
    /* And a request after it, kicked as the core decides. */
    if (BadAddOne(bad))
        virtqueue_notify(&bad->Queue);
    return BadCollect(bad) ? STATUS_SUCCESS : STATUS_IO_TIMEOUT;
}

static VOID BadPublish(PBAD_DEVICE bad, BOOLEAN IdxFirst)
{
    volatile struct virtq_avail *avail = bad->Queue.u.split.avail;
    if (IdxFirst) {
        avail->idx = 1; /* the bug: the device may look before ring[0] is there */
        avail->ring[0] = 0;
    } else {
        avail->ring[0] = 0;
        virtio_wmb(FALSE);
        avail->idx = 1;
    }
    virtqueue_notify(&bad->Queue);
    KeStallExecutionProcessor(1); /* the device runs */
}

/* Modes 19, 21-23: one request on the split ring by hand, with one
 * barrier left out (or the index jumping), then its completion. */
static NTSTATUS BadSplitBarriers(PBAD_DEVICE bad, UCHAR Mode)
{
    if (BadBringUp(bad, FALSE) != 0)
        return STATUS_DEVICE_PROTOCOL_ERROR;
    volatile struct virtq_desc *desc = bad->Queue.u.split.desc;
    volatile struct virtq_avail *avail = bad->Queue.u.split.avail;
    volatile struct virtq_used *used = bad->Queue.u.split.used;
    desc[0].addr = bad->Buffer.pa;
    desc[0].len = 64;
    desc[0].flags = VIRTQ_DESC_F_WRITE;
    avail->ring[0] = 0;
    if (Mode != 19) /* mode 19's bug: no write barrier */
        virtio_wmb(FALSE);
    /* mode 23's bug: an index past a whole ring of entries never written */
    avail->idx = Mode == 23 ? (uint16_t)(bad->Queue.num + 1) : 1;
    if (Mode != 22) /* mode 22's bug: no full barrier before the read */
        virtio_mb(FALSE);
    if (!(used->flags & VIRTQ_USED_F_NO_NOTIFY))
        virtqueue_notify(&bad->Queue);
    for (unsigned i = 0; i < 1000 && used->idx == 0; i++)
        KeStallExecutionProcessor(10);
    if (used->idx != 1)
        return STATUS_IO_TIMEOUT;
    if (Mode != 21) /* mode 21's bug: no read barrier */
        virtio_rmb(FALSE);
    return used->ring[0].id == 0 ? STATUS_SUCCESS : STATUS_DEVICE_PROTOCOL_ERROR;
}

static VOID NTAPI BadSgReady(PDEVICE_OBJECT DeviceObject, PIRP Irp, PSCATTER_GATHER_LIST List,
                             PVOID Context)
{
    (void)DeviceObject, (void)Irp;
    *(PSCATTER_GATHER_LIST *)Context = List;
}

/* A pool buffer through an MDL and the adapter's scatter/gather list onto
 * the queue; with UseAfterPut the list is put before the device sees it. */
static NTSTATUS BadScatterGather(PVW_DEVICE Device, PBAD_DEVICE bad, BOOLEAN UseAfterPut)
{
    PDMA_ADAPTER dma = bad->Virtio.Dma;
    PUCHAR buffer = ExAllocatePoolWithTag(NonPagedPool, 64, BAD_TAG);
    PMDL mdl = buffer != NULL ? IoAllocateMdl(buffer, 64, FALSE, FALSE, NULL) : NULL;
    PSCATTER_GATHER_LIST list = NULL;
    struct virtqueue_sg sg;
    KIRQL irql;

    if (mdl == NULL) {
        if (buffer != NULL)
            ExFreePoolWithTag(buffer, BAD_TAG);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    MmBuildMdlForNonPagedPool(mdl);
    KeRaiseIrql(DISPATCH_LEVEL, &irql);
    NTSTATUS status = dma->DmaOperations->GetScatterGatherList(dma, Device->Self, mdl, buffer, 64,
                                                               BadSgReady, &list, FALSE);
    if (NT_SUCCESS(status) && list != NULL) {
        sg.addr = (uint64_t)list->Elements[0].Address.QuadPart;
        sg.len = list->Elements[0].Length;
        if (UseAfterPut) /* the bug: the element's pages are no longer the device's */
            dma->DmaOperations->PutScatterGatherList(dma, list, FALSE);
        if (virtqueue_add(&bad->Queue, &sg, 0, 1, bad) == 0 && virtqueue_kick_prepare(&bad->Queue))
            virtqueue_notify(&bad->Queue);
        KeStallExecutionProcessor(1); /* the device runs */
        if (!UseAfterPut) {
            /* The device owns the pages until it returns the buffer */
            if (!BadCollect(bad))
                status = STATUS_IO_TIMEOUT;
            dma->DmaOperations->PutScatterGatherList(dma, list, FALSE);
        }
    }
    KeLowerIrql(irql);
    IoFreeMdl(mdl);
    ExFreePoolWithTag(buffer, BAD_TAG);
    return NT_SUCCESS(status) && list == NULL ? STATUS_UNSUCCESSFUL : status;
}

static NTSTATUS BadD0Entry(PVW_DEVICE Device, DEVICE_POWER_STATE Previous)
{
    PBAD_DEVICE bad = BadFromDevice(Device);
    struct virtio_device *dev = &bad->Virtio.Dev;
    volatile struct virtq_desc *desc;
    volatile struct pvirtq_desc *pdesc;
    struct virtqueue_sg sg;
    UCHAR mode = 0;

    (void)Previous;
    dev->ops->config_read(dev, 0, &mode, 1);
    switch (mode) {
    case 26:
        if (BadBringUp(bad, FALSE) != 0)
            return STATUS_DEVICE_PROTOCOL_ERROR;
        dev->ops->set_status(dev, 0);
        dev->ops->set_status(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE); /* the bug: no read of 0 */
        break;
    case 1:
        virtio_device_reset(dev);
        dev->ops->set_status(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
        dev->ops->set_status(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
        dev->ops->set_status(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
                                      VIRTIO_CONFIG_S_DRIVER_OK);
        break;
    case 2:
        virtio_device_reset(dev);
        dev->ops->set_status(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
        dev->ops->set_status(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
        dev->ops->set_features(dev, dev->device_features | VIRTIO_BIT(40));
        dev->ops->set_status(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
                                      VIRTIO_CONFIG_S_FEATURES_OK);
        break;
    case 3:
    case 5:
        if (BadBringUp(bad, FALSE) != 0)
            return STATUS_DEVICE_PROTOCOL_ERROR;
        desc = bad->Queue.u.split.desc;
        desc[0].addr = bad->Buffer.pa;
        desc[0].len = 64;
        desc[0].flags = VIRTQ_DESC_F_WRITE | (mode == 5 ? VIRTQ_DESC_F_NEXT : 0);
        desc[0].next = 0; /* mode 5: points back at itself */
        BadPublish(bad, mode == 3);
        break;
    case 4:
        if (BadBringUp(bad, FALSE) != 0)
            return STATUS_DEVICE_PROTOCOL_ERROR;
        sg.addr = (uint64_t)(ULONG_PTR)bad->Buffer.va; /* the bug: a VA, not the bus address */
        sg.len = 64;
        if (virtqueue_add(&bad->Queue, &sg, 0, 1, bad) == 0 && virtqueue_kick_prepare(&bad->Queue))
            virtqueue_notify(&bad->Queue);
        KeStallExecutionProcessor(1);
        break;
    case 6:
        if (BadBringUp(bad, TRUE) != 0)
            return STATUS_DEVICE_PROTOCOL_ERROR;
        pdesc = bad->Queue.u.packed.desc;
        /* the bug: available (AVAIL = wrap counter 1, USED = 0) before the body */
        pdesc[0].flags = (uint16_t)(VIRTQ_DESC_F_WRITE | 1u << VIRTQ_DESC_F_AVAIL);
        pdesc[0].addr = bad->Buffer.pa;
        pdesc[0].len = 64;
        pdesc[0].id = 0;
        break;
    case 7:
    case 8:
        if (BadBringUp(bad, FALSE) != 0)
            return STATUS_DEVICE_PROTOCOL_ERROR;
        return BadScatterGather(Device, bad, mode == 7);
    case 13:
        if (BadBringUp(bad, FALSE) != 0)
            return STATUS_DEVICE_PROTOCOL_ERROR;
        desc = bad->Queue.u.split.desc;
        desc[0].addr = bad->Buffer.pa;
        desc[0].len = 64;
        desc[0].flags = VIRTQ_DESC_F_WRITE;
        bad->Queue.u.split.avail->ring[0] = 0;
        virtio_wmb(FALSE);
        bad->Queue.u.split.avail->idx = 1;
        bad->Queue.u.split.avail->ring[0] = 0; /* the bug: the device may be reading it */
        virtqueue_notify(&bad->Queue);
        break;
    case 15:
        if (BadBringUp(bad, FALSE) != 0)
            return STATUS_DEVICE_PROTOCOL_ERROR;
        desc = bad->Queue.u.split.desc;
        desc[0].addr = bad->Buffer.pa;
        desc[0].len = 64;
        desc[0].flags = VIRTQ_DESC_F_WRITE;
        bad->Queue.u.split.avail->ring[0] = 0;
        virtio_wmb(FALSE);
        bad->Queue.u.split.avail->idx = 1;
        desc[0].len = 32; /* the bug: the device owns it now */
        virtqueue_notify(&bad->Queue);
        break;
    case 14:
        if (BadBringUp(bad, TRUE) != 0)
            return STATUS_DEVICE_PROTOCOL_ERROR;
        pdesc = bad->Queue.u.packed.desc;
        pdesc[0].addr = bad->Buffer.pa;
        pdesc[0].len = 32;
        pdesc[0].id = 0;
        pdesc[1].addr = bad->Buffer.pa + 32;
        pdesc[1].len = 32;
        pdesc[1].id = 0;
        /* the bug: the head first, its chain's second descriptor after */
        pdesc[0].flags =
            (uint16_t)(VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT | 1u << VIRTQ_DESC_F_AVAIL);
        pdesc[1].flags = (uint16_t)(VIRTQ_DESC_F_WRITE | 1u << VIRTQ_DESC_F_AVAIL);
        break;
    case 9:
    case 10:
    case 11:
    case 12:
        return BadNotifications(bad, mode);
    case 19:
    case 21:
    case 22:
    case 23:
        return BadSplitBarriers(bad, mode);
    case 24:
    case 25:
        if (BadBringUp(bad, mode == 25) != 0)
            return STATUS_DEVICE_PROTOCOL_ERROR;
        if (BadAddOne(bad))
            virtqueue_notify(&bad->Queue);
        BadLetDeviceRun(8); /* the device takes the request and holds it */
        if (mode == 24)
            bad->Queue.u.split.desc[0].len = 32; /* the bug: the device owns it until used */
        else
            bad->Queue.u.packed.desc[0].len = 32; /* the bug: the same, packed */
        break;
    case 20:
        if (BadBringUp(bad, TRUE) != 0)
            return STATUS_DEVICE_PROTOCOL_ERROR;
        pdesc = bad->Queue.u.packed.desc;
        pdesc[0].addr = bad->Buffer.pa;
        pdesc[0].len = 64;
        pdesc[0].id = 0;
        /* the bug: no virtio_wmb, the device may see the flags first */
        pdesc[0].flags = (uint16_t)(VIRTQ_DESC_F_WRITE | 1u << VIRTQ_DESC_F_AVAIL);
        break;
    case 16:
        if (BadBringUp(bad, FALSE) != 0)
            return STATUS_DEVICE_PROTOCOL_ERROR;
        if (BadAddOne(bad))
            virtqueue_notify(&bad->Queue);
        KeStallExecutionProcessor(1); /* the bug: one scheduling point is not a completion */
        {
            uint32_t len;
            if (virtqueue_get(&bad->Queue, &len) == NULL)
                return STATUS_IO_DEVICE_ERROR;
        }
        break;
    case 18: {
        static struct virtio_dma More[100];
        const struct virtio_os *os = &bad->Virtio.Os;
        NTSTATUS st = STATUS_SUCCESS;
        unsigned n = 0;
        if (BadBringUp(bad, FALSE) != 0)
            return STATUS_DEVICE_PROTOCOL_ERROR;
        while (n < 100 && os->ops->dma_alloc(os->ctx, 64, 0, &More[n]) == 0)
            n++;
        if (n < 100) {
            st = STATUS_INSUFFICIENT_RESOURCES;
        } else {
            struct virtqueue_sg sg = {.addr = More[99].pa, .len = 64};
            if (virtqueue_add(&bad->Queue, &sg, 0, 1, bad) != 0)
                st = STATUS_UNSUCCESSFUL;
            else if (virtqueue_kick_prepare(&bad->Queue))
                virtqueue_notify(&bad->Queue);
            if (NT_SUCCESS(st) && !BadCollect(bad))
                st = STATUS_IO_TIMEOUT;
        }
        while (n > 0)
            os->ops->dma_free(os->ctx, &More[--n]);
        return st;
    }
    case 17:
        if (BadBringUp(bad, FALSE) != 0)
            return STATUS_DEVICE_PROTOCOL_ERROR;
        if (BadAddOne(bad))
            virtqueue_notify(&bad->Queue);
        for (unsigned i = 0; i < 1000 && !virtqueue_has_used(&bad->Queue); i++)
            KeStallExecutionProcessor(10);
        {
            volatile struct virtq_used *used = bad->Queue.u.split.used;
            virtio_rmb(FALSE);
            uint32_t id = used->ring[0].id;
            if (id >= bad->Queue.num) /* checked ... */
                return STATUS_DEVICE_PROTOCOL_ERROR;
            id = used->ring[0].id; /* the bug: ... and fetched again to use */
            (void)id;
        }
        break;
    default:
        break;
    }
    return STATUS_SUCCESS;
}

static const VW_DRIVER_CONFIG BadConfig = {
    .Name = "badvirtio",
    .PoolTag = BAD_TAG,
    .ContextSize = sizeof(BAD_DEVICE),
    .DeviceType = FILE_DEVICE_UNKNOWN,
    .PrepareHardware = BadPrepareHardware,
    .ReleaseHardware = BadReleaseHardware,
    .D0Entry = BadD0Entry,
};

DRIVER_INITIALIZE DriverEntry;

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    return VwDriverInitialize(DriverObject, &BadConfig);
}
