/*
 * vioscsi: registration with StorPort, HwFindAdapter (the device found,
 * its features negotiated, cdb_size and sense_size set, its configuration
 * checked value by value, the registry parameters read, the queues planned
 * into one uncached extension), HwInitialize (queues and messages, events
 * posted, DRIVER_OK), the passive initialisation (DPCs) and adapter
 * control (stop, restart, surprise removal).
 */
#include "vioscsi.h"

#define VIOSCSI_FEATURES                                                                           \
    (VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_RING_PACKED) |                           \
     VIRTIO_BIT(VIRTIO_F_EVENT_IDX) | VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) |                         \
     VIRTIO_BIT(VIRTIO_SCSI_F_HOTPLUG) | VIRTIO_BIT(VIRTIO_SCSI_F_CHANGE))

DRIVER_INITIALIZE DriverEntry;
static HW_FIND_ADAPTER VioscsiFindAdapter;
static HW_INITIALIZE VioscsiInitialize;
static HW_PASSIVE_INITIALIZE_ROUTINE VioscsiPassiveInit;
static HW_ADAPTER_CONTROL VioscsiAdapterControl;

/* IRQL: any: after a device reset (which may bring the device's own sizes
 * back) ask again for the CDB and sense sizes the requests are laid out
 * with; FALSE if the device now uses others. */
BOOLEAN VioscsiKeepSizes(PVIOSCSI Scsi)
{
    struct virtio_device *dev = &Scsi->Virtio.Dev;
    UCHAR v[4];

    v[0] = (UCHAR)Scsi->Ctrl.sense_size, v[1] = (UCHAR)(Scsi->Ctrl.sense_size >> 8),
    v[2] = v[3] = 0;
    virtio_config_write(dev, VSCSI_CFG_SENSE_SIZE, v, 4);
    if (virtio_config_read(dev, VSCSI_CFG_SENSE_SIZE, v, 4) != 0 ||
        vscsi_le32(v) != Scsi->Ctrl.sense_size)
        return FALSE;
    v[0] = (UCHAR)Scsi->Ctrl.cdb_size, v[1] = (UCHAR)(Scsi->Ctrl.cdb_size >> 8), v[2] = v[3] = 0;
    virtio_config_write(dev, VSCSI_CFG_CDB_SIZE, v, 4);
    return virtio_config_read(dev, VSCSI_CFG_CDB_SIZE, v, 4) == 0 &&
           vscsi_le32(v) == Scsi->Ctrl.cdb_size;
}

/* IRQL: PASSIVE_LEVEL (HIGH_LEVEL in a dump copy): ask for the CDB and sense
 * sizes the driver lays out, read the configuration back and check it. */
static BOOLEAN VioscsiReadConfig(PVIOSCSI Scsi)
{
    struct virtio_device *dev = &Scsi->Virtio.Dev;
    UCHAR cfg[VSCSI_CFG_BYTES];
    UCHAR want[4];
    uint32_t len = virtio_config_len(dev);

    /* Both are driver-writable (spec 5.6.4); the device may keep its own */
    want[0] = VSCSI_SENSE_SIZE, want[1] = want[2] = want[3] = 0;
    virtio_config_write(dev, VSCSI_CFG_SENSE_SIZE, want, 4);
    want[0] = VSCSI_CDB_SIZE;
    virtio_config_write(dev, VSCSI_CFG_CDB_SIZE, want, 4);
    RtlZeroMemory(cfg, sizeof(cfg));
    if (len > sizeof(cfg))
        len = sizeof(cfg);
    if (len != 0 && virtio_config_read(dev, 0, cfg, len) != 0) {
        DbgPrint("vioscsi: the device configuration cannot be read\n");
        return FALSE;
    }
    Scsi->Findings = vscsi_config_check(cfg, len, dev->features, &Scsi->Ctrl);
    if (Scsi->SegLimit != 0)
        vscsi_limit_segments(&Scsi->Ctrl, Scsi->SegLimit);
    for (unsigned b = 0; b < VSCSI_FINDINGS; b++) {
        struct vw_bad_value bad;
        if (!(Scsi->Findings & (1u << b)) ||
            !vscsi_finding_value(1u << b, cfg, len, &Scsi->Ctrl, &bad))
            continue;
        VwStorLogBadValue("vioscsi", &bad);
    }
    /* A valid max_target (QEMU's 255) the port cannot count up to */
    if (Scsi->Ctrl.dev_max_target > Scsi->Ctrl.max_target &&
        !(Scsi->Findings & VSCSI_BAD_MAX_TARGET))
        DbgPrint("vioscsi: port limit: max_target %u: %u used (MaximumNumberOfTargets is a "
                 "UCHAR: 255 targets at most)\n",
                 Scsi->Ctrl.dev_max_target, Scsi->Ctrl.max_target);
    return (Scsi->Findings & VSCSI_FATAL_FINDINGS) == 0;
}

/* IRQL: PASSIVE_LEVEL: VioscsiActionOnReset and PhysicalBreaks, as the existing driver names them.
 */
static VOID VioscsiReadRegistry(PVIOSCSI Scsi)
{
    ULONG v = 0;
    bool bad;
    BOOLEAN present = VwStorRegistryDword(Scsi, "VioscsiActionOnReset", &v);

    Scsi->ResetAction = vscsi_reset_action(present, v, &bad);
    if (bad)
        DbgPrint("vioscsi: VioscsiActionOnReset 0x%lx is not 0, 1 or 0xDEADDEAD: 0\n", v);
    /* The existing driver's 1 leaves the requests with the device on a
     * reset; HwResetBus must complete what HwStartIo took before it
     * returns (storport/nc-storport-hw_reset_bus), so it does as with 0 */
    if (Scsi->ResetAction == VSCSI_RESET_NOTHING)
        DbgPrint("vioscsi: VioscsiActionOnReset 1: HwResetBus still completes what the device "
                 "held (storport/nc-storport-hw_reset_bus)\n");
    v = 0;
    present = VwStorRegistryDword(Scsi, "PhysicalBreaks", &v);
    uint32_t segs = vscsi_breaks_segments(&Scsi->Ctrl, present, v, &bad);
    if (bad)
        DbgPrint("vioscsi: PhysicalBreaks %lu out of range: %lu elements\n", v, (ULONG)segs);
    vscsi_limit_segments(&Scsi->Ctrl, segs);
}

/* IRQL: PASSIVE_LEVEL: the processors I/O can come from. */
static ULONG VioscsiCpus(void)
{
    ULONG n = KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS);
    return n != 0 ? n : 1;
}

/* IRQL: PASSIVE_LEVEL (HIGH_LEVEL in a dump copy): plan the queues and carve
 * their memory and the event and TMF buffers from the uncached extension. */
static ULONG VioscsiPlanMemory(PVIOSCSI Scsi, PPORT_CONFIGURATION_INFORMATION ConfigInfo)
{
    struct virtio_device *dev = &Scsi->Virtio.Dev;
    struct virtio_queue_config qcfg[VIOSCSI_NQ];
    ULONG cpus = Scsi->Dump ? 1 : VioscsiCpus();

    /* num_queues is the device's word; the request queues it really has (a
     * size above 0) bound it, so a claim of 65535 costs nothing and one of
     * 4 with 2 present runs on the 2 */
    ULONG present = 0;
    while (present < Scsi->Ctrl.num_queues && present < VSCSI_MAX_QUEUES &&
           dev->ops->queue_max(dev, (uint16_t)(VSCSI_FIRST_REQUEST + present)) != 0)
        present++;
    if (present < Scsi->Ctrl.num_queues && present != 0 && present < VSCSI_MAX_QUEUES &&
        !(Scsi->Findings & VSCSI_BAD_NUM_QUEUES))
        DbgPrint("vioscsi: bad device value: num_queues %lu: %lu used (the request queues the "
                 "device has)\n",
                 (ULONG)Scsi->Ctrl.num_queues, present);
    if (present == 0) {
        DbgPrint("vioscsi: the device has no request queue: the start fails\n");
        return SP_RETURN_ERROR;
    }
    vscsi_plan_queues(cpus, present, 0, &Scsi->Plan);
    Scsi->NumQueues = Scsi->Plan.nqueues;
    ULONG nq = Scsi->NumQueues + VSCSI_FIRST_REQUEST;
    RtlZeroMemory(qcfg, sizeof(qcfg));
    for (ULONG q = 0; q < nq; q++) {
        qcfg[q].index = (uint16_t)q;
        qcfg[q].size = Scsi->Dump ? VIOSCSI_DUMP_QUEUE_SIZE : 0;
    }
    int rc = virtio_queue_plan(dev, qcfg, nq, 0, Scsi->QueueSizes, &Scsi->QueuePlan);
    if (rc != 0) {
        DbgPrint("vioscsi: the device's queues are unusable (%d)\n", rc);
        return SP_RETURN_ERROR;
    }
    /* A direct chain never exceeds the shortest request ring: header and response take two */
    uint16_t shortest = 0xffff;
    for (ULONG q = VSCSI_FIRST_REQUEST; q < nq; q++)
        if (Scsi->QueueSizes[q] < shortest)
            shortest = Scsi->QueueSizes[q];
    if (!virtio_has_feature(dev, VIRTIO_F_INDIRECT_DESC) || Scsi->Dump) {
        Scsi->SegLimit = shortest > 4 ? shortest - 2u : 2u;
        vscsi_limit_segments(&Scsi->Ctrl, Scsi->SegLimit);
    }

    size_t need = Scsi->QueuePlan.dma_size + Scsi->QueuePlan.dma_align + Scsi->QueuePlan.mem_size +
                  sizeof(void *) + sizeof(VIOSCSI_SHARED) + 16;
    if (need > MAXULONG || !VwStorVirtioUncached(&Scsi->Virtio, ConfigInfo, (ULONG)need)) {
        DbgPrint("vioscsi: no uncached extension of %lu bytes\n", (ULONG)need);
        return SP_RETURN_ERROR;
    }
    if (VwStorCarve(&Scsi->Virtio, Scsi->QueuePlan.dma_size, Scsi->QueuePlan.dma_align,
                    &Scsi->RingBlock) != 0 ||
        (Scsi->RingMem = Scsi->Virtio.Os.ops->mem_alloc(Scsi->Virtio.Os.ctx,
                                                        Scsi->QueuePlan.mem_size)) == NULL ||
        VwStorCarve(&Scsi->Virtio, sizeof(VIOSCSI_SHARED), 16, &Scsi->SharedDma) != 0) {
        DbgPrint("vioscsi: the uncached extension is not usable for the rings\n");
        return SP_RETURN_ERROR;
    }
    Scsi->Shared = Scsi->SharedDma.va;
    /* With tables a request takes one descriptor; without, header, response and data */
    BOOLEAN indirect = virtio_has_feature(dev, VIRTIO_F_INDIRECT_DESC);
    ULONG slots = 0;
    for (ULONG q = VSCSI_FIRST_REQUEST; q < nq; q++)
        slots += indirect ? Scsi->QueueSizes[q] : Scsi->QueueSizes[q] / 3u;
    Scsi->Depth = vscsi_adapter_depth(slots);
    Scsi->LunDepth = vscsi_lun_depth(&Scsi->Ctrl, Scsi->Depth);
    return SP_RETURN_FOUND;
}

/* IRQL: PASSIVE_LEVEL (HIGH_LEVEL in a dump copy): find, negotiate, check, plan. */
static ULONG NTAPI VioscsiFindAdapter(PVOID DeviceExtension, PVOID HwContext, PVOID BusInformation,
                                      PCHAR ArgumentString,
                                      PPORT_CONFIGURATION_INFORMATION ConfigInfo,
                                      PBOOLEAN Reserved3)
{
    PVIOSCSI scsi = DeviceExtension;
    UNREFERENCED_PARAMETER(HwContext);
    UNREFERENCED_PARAMETER(BusInformation);
    UNREFERENCED_PARAMETER(Reserved3);

    /* The extension keeps its old contents after a PnP stop: start clean */
    RtlZeroMemory(scsi, sizeof(*scsi));
    BOOLEAN dump = ConfigInfo->DumpMode != 0 || VwStorArgSet(ArgumentString, "dump");
    ULONG rc = VwStorVirtioFind(&scsi->Virtio, scsi, ConfigInfo);
    if (rc != SP_RETURN_FOUND)
        return rc;
    scsi->Dump = dump;
    if (scsi->Virtio.Dev.device_type != VIRTIO_SCSI_DEVICE_ID) {
        DbgPrint("vioscsi: virtio device type %u is not a SCSI host\n",
                 scsi->Virtio.Dev.device_type);
        return SP_RETURN_NOT_FOUND;
    }
    uint64_t features;
    int vrc = virtio_negotiate(&scsi->Virtio.Dev, VIOSCSI_FEATURES, &features);
    if (vrc != 0) {
        DbgPrint("vioscsi: feature negotiation failed (%d)\n", vrc);
        virtio_device_fail(&scsi->Virtio.Dev);
        return SP_RETURN_ERROR;
    }
    if (!VioscsiReadConfig(scsi)) {
        virtio_device_fail(&scsi->Virtio.Dev);
        return SP_RETURN_ERROR;
    }
    /* The registry is PASSIVE_LEVEL only: a dump copy keeps the defaults */
    if (!scsi->Dump)
        VioscsiReadRegistry(scsi);
    /* CompletionHoldoff (stor_holdoff.h); the adapter's timer goes through it */
    VwStorHoldoffRead(&scsi->Virtio.Holdoff, scsi, VioscsiTimer, "vioscsi", scsi->Dump,
                      &scsi->Virtio.Dev);
    if ((rc = VioscsiPlanMemory(scsi, ConfigInfo)) != SP_RETURN_FOUND) {
        virtio_device_fail(&scsi->Virtio.Dev);
        return SP_RETURN_ERROR;
    }

    ConfigInfo->NumberOfBuses = 1;
    /* max_target is at most VSCSI_PORT_MAX_TARGET: the count fits the UCHAR */
    ConfigInfo->MaximumNumberOfTargets = (UCHAR)(scsi->Ctrl.max_target + 1u);
    ConfigInfo->MaximumNumberOfLogicalUnits =
        (UCHAR)(scsi->Ctrl.max_lun < 254 ? scsi->Ctrl.max_lun + 1 : 255);
    ConfigInfo->MaximumTransferLength = scsi->Ctrl.max_transfer;
    ConfigInfo->NumberOfPhysicalBreaks = scsi->Ctrl.data_segs - 1;
    ConfigInfo->AlignmentMask = 0;
    ConfigInfo->ScatterGather = TRUE;
    ConfigInfo->Master = TRUE;
    ConfigInfo->CachesData =
        FALSE; /* the target's cache is the target's: SYNCHRONIZE CACHE passes through */
    ConfigInfo->MapBuffers = STOR_MAP_NON_READ_WRITE_BUFFERS;
    ConfigInfo->NeedPhysicalAddresses = TRUE;
    ConfigInfo->TaggedQueuing = TRUE;
    ConfigInfo->AutoRequestSense = TRUE;
    ConfigInfo->MultipleRequestPerLu = TRUE;
    ConfigInfo->Dma64BitAddresses = SCSI_DMA64_MINIPORT_FULL64BIT_SUPPORTED;
    ConfigInfo->SynchronizationModel = StorSynchronizeFullDuplex;
    ConfigInfo->HwMSInterruptRoutine = VioscsiMsiInterrupt;
    ConfigInfo->InterruptSynchronizationMode = InterruptSynchronizePerMessage;
    /* The depth is what the rings hold; a LUN gets cmd_per_lun of it */
    ConfigInfo->MaxNumberOfIO = scsi->Depth;
    ConfigInfo->MaxIOsPerLun = scsi->LunDepth;
    ConfigInfo->InitialLunQueueDepth = scsi->LunDepth;
    DbgPrint("vioscsi: %lu request queue(s), depth %lu (%lu per LUN), max transfer %lu, "
             "targets %u, LUNs %lu%s\n",
             scsi->NumQueues, scsi->Depth, scsi->LunDepth, scsi->Ctrl.max_transfer,
             scsi->Ctrl.max_target + 1u, scsi->Ctrl.max_lun + 1, scsi->Dump ? " (dump copy)" : "");
    return SP_RETURN_FOUND;
}

/* IRQL: DIRQL, interrupt lock held (HwInitialize and adapter restart), or
 * DISPATCH_LEVEL with the StartIo lock (a slow restart's timer): see vioscsi.h. */
BOOLEAN VioscsiStartQueues(PVIOSCSI Scsi)
{
    struct virtio_device *dev = &Scsi->Virtio.Dev;
    MESSAGE_INTERRUPT_INFORMATION info;

    Scsi->Messages = 0;
    if (!Scsi->Dump)
        while (Scsi->Messages < VIOSCSI_NQ + 1 &&
               StorPortGetMSIInfo(Scsi, Scsi->Messages, &info) == STOR_STATUS_SUCCESS)
            Scsi->Messages++;
    vscsi_plan_queues(Scsi->NumQueues, Scsi->NumQueues, Scsi->Messages, &Scsi->Plan);
    if (!Scsi->Dump)
        DbgPrint("vioscsi: %lu request queues on %lu message(s): %s\n", Scsi->NumQueues,
                 Scsi->Messages,
                 Scsi->Plan.mode == VSCSI_MSG_ONE_EACH ? "one each"
                 : Scsi->Plan.mode == VSCSI_MSG_SHARED ? "shared"
                                                       : "all on one");
    BOOLEAN msix = dev->msix && Scsi->Messages != 0 && !Scsi->Dump;
    if (msix && virtio_set_config_vector(dev, Scsi->Plan.config_msg) != 0) {
        DbgPrint("vioscsi: the device refused the configuration vector\n");
        return FALSE;
    }
    ULONG nq = Scsi->NumQueues + VSCSI_FIRST_REQUEST;
    for (ULONG q = 0; q < nq; q++) {
        uint16_t msg = q == VSCSI_CONTROL_QUEUE ? Scsi->Plan.control_msg
                       : q == VSCSI_EVENT_QUEUE ? Scsi->Plan.event_msg
                                                : Scsi->Plan.queue_msg[q - VSCSI_FIRST_REQUEST];
        struct virtio_queue_config qcfg = {
            .index = (uint16_t)q,
            .seg_max = (uint16_t)(q >= VSCSI_FIRST_REQUEST ? Scsi->Ctrl.data_segs + 2 : 2),
            .msix_vector = msix ? msg : VIRTIO_MSI_NO_VECTOR,
        };
        int rc = virtio_queue_setup_planned(dev, &Scsi->Queues[q].Vq, &qcfg, &Scsi->QueuePlan, q,
                                            &Scsi->RingBlock, Scsi->RingMem);
        if (rc != 0) {
            DbgPrint("vioscsi: queue %lu could not be set up (%d)\n", q, rc);
            return FALSE;
        }
    }
    if (virtio_device_ready(dev) != 0)
        return FALSE;
    Scsi->Ready = TRUE;
    VioscsiPostEvents(Scsi);
    /* A (re)started device has no subscription: every LUN seen asks again.
     * A first start has seen none: StorPort's bus scan (INQUIRY and REPORT
     * LUNS at each target) finds them, and each asks when it is found */
    vscsi_an_renew(&Scsi->An);
    VioscsiPostAn(Scsi);
    return TRUE;
}

/* IRQL: DIRQL, interrupt lock held: queues live; DPCs come in the passive routine. */
static BOOLEAN NTAPI VioscsiInitialize(PVOID DeviceExtension)
{
    PVIOSCSI scsi = DeviceExtension;

    if (!VioscsiStartQueues(scsi)) {
        virtio_device_fail(&scsi->Virtio.Dev);
        return FALSE;
    }
    if (scsi->Dump)
        return TRUE;
    /* Concurrent channels need a message per queue or queues sharing
     * messages; a line or one message for everything leaves the StartIo lock */
    ULONG msgs = scsi->Virtio.Dev.msix && scsi->Plan.mode != VSCSI_MSG_ALL_ONE ? scsi->Messages : 0;
    VwStorPerfInit(scsi, &scsi->Perf, msgs, scsi->NumQueues, scsi->Plan.queue_msg,
                   scsi->Plan.mode == VSCSI_MSG_ONE_EACH, "vioscsi");
    if (!scsi->DpcReady)
        return StorPortEnablePassiveInitialization(scsi, VioscsiPassiveInit);
    return TRUE;
}

/* IRQL: PASSIVE_LEVEL: the DPCs (StorPortInitializeDpc is passive only). */
static BOOLEAN NTAPI VioscsiPassiveInit(PVOID DeviceExtension)
{
    PVIOSCSI scsi = DeviceExtension;

    for (ULONG q = 0; q < scsi->NumQueues + VSCSI_FIRST_REQUEST; q++)
        StorPortInitializeDpc(scsi, &scsi->Queues[q].Dpc, VioscsiQueueDpc);
    scsi->DpcReady = TRUE;
    return TRUE;
}

/* IRQL: DISPATCH_LEVEL, StartIo and queue locks (VwStorRemoveUnderLocks): VioscsiGone. */
static void VioscsiGoneCb(void *Ctx)
{
    VioscsiGone(Ctx);
}

/* IRQL: DIRQL, interrupt lock held (StorPort sends no request meanwhile): stop
 * and restart the adapter across power changes; below DISPATCH_LEVEL, no
 * lock (storport/nc-storport-hw_adapter_control): a surprise removal. */
static SCSI_ADAPTER_CONTROL_STATUS NTAPI VioscsiAdapterControl(PVOID DeviceExtension,
                                                               SCSI_ADAPTER_CONTROL_TYPE Type,
                                                               PVOID Parameters)
{
    PVIOSCSI scsi = DeviceExtension;

    switch (Type) {
    case ScsiQuerySupportedControlTypes:
        VwStorSupportedControls(Parameters);
        return ScsiAdapterControlSuccess;
    case ScsiAdapterSurpriseRemoval: {
        /* StorPort may start requests on other processors while this runs
         * (nothing in storport/nc-storport-hw_adapter_control holds them
         * off): Removed is published before the first call, so a HwStartIo
         * that begins from here on completes NO_DEVICE; the StartIo lock
         * (and with concurrent channels every queue's) then waits for one
         * that began before (and its notify) and orders
         * this processor after it, so after VioscsiGone nothing touches
         * the function. */
        VioscsiMarkGone(scsi);
        VwStorRemoveUnderLocks(scsi, &scsi->Perf, VioscsiGoneCb, scsi);
        return ScsiAdapterControlSuccess;
    }
    case ScsiStopAdapter:
        /* Nothing is outstanding at a stop but the event buffers and the
         * AN_SUBSCRIBE requests; the reset
         * takes the device's hands off memory (a removed function has none
         * and is not touched) */
        if (!scsi->Removed)
            VwStorVirtioStop(&scsi->Virtio);
        scsi->Ready = FALSE;
        /* A slow reset HwResetBus left to the timer ends here (the restart
         * resets the device again): the timer must not bring it up now */
        scsi->Resetting = scsi->Restarting = FALSE;
        VwStorHoldoffForget(&scsi->Virtio.Holdoff); /* nothing is held at a stop */
        for (ULONG i = 0; i < VIOSCSI_EVENTS; i++)
            scsi->Shared->Events[i].Pad[0] = 0;
        for (ULONG i = 0; i < VIOSCSI_AN_SLOTS; i++)
            scsi->Shared->An[i].Pad[0] = 0; /* the reset ended the subscriptions too */
        scsi->EventsPosted = 0;
        VioscsiTmfClear(scsi);
        return ScsiAdapterControlSuccess;
    case ScsiRestartAdapter:
        /* "HwStorAdapterControl must return [ScsiAdapterControlSuccess] for
         * all control types" (storport/nc-storport-hw_adapter_control): a
         * device that does not come back is left FAILED and the adapter
         * not ready, so every request ends NO_DEVICE at once; one slow to
         * finish its reset (more than 8 status reads, all DIRQL allows) is
         * brought up by the timer, StorPort held off meanwhile. */
        if (scsi->Removed)
            return ScsiAdapterControlSuccess;
        if (VioscsiRestartStep(scsi, TRUE) == VIRTIO_EAGAIN) {
            DbgPrint("vioscsi: the device is slow to reset: the restart ends from the timer\n");
            scsi->Ready = FALSE;
            scsi->Resetting = scsi->Restarting = TRUE;
            scsi->TimerArmed = TRUE;
            VwStorResetArm(&scsi->Virtio, &scsi->ResetWaits);
        }
        return ScsiAdapterControlSuccess;
    default:
        return ScsiAdapterControlUnsuccessful;
    }
}

/* IRQL: DIRQL, interrupt lock, or DISPATCH_LEVEL, StartIo lock: see vioscsi.h. */
int VioscsiRestartStep(PVIOSCSI Scsi, BOOLEAN First)
{
    int rc = First ? VwStorVirtioRestart(&Scsi->Virtio, VIOSCSI_FEATURES)
                   : VwStorVirtioRestartPoll(&Scsi->Virtio, VIOSCSI_FEATURES);
    if (rc == VIRTIO_EAGAIN)
        return rc;
    if (rc != 0 || !VioscsiReadConfig(Scsi) || !VioscsiStartQueues(Scsi)) {
        DbgPrint("vioscsi: the device did not come back\n");
        virtio_device_fail(&Scsi->Virtio.Dev);
        Scsi->Ready = FALSE;
        return rc != 0 ? rc : VIRTIO_EIO;
    }
    return 0;
}

/* IRQL: PASSIVE_LEVEL (NULL arguments in a dump copy): register with StorPort. */
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    HW_INITIALIZATION_DATA hw;

    VwStorInitData(&hw);
    hw.HwInitialize = VioscsiInitialize;
    hw.HwStartIo = VioscsiStartIo;
    hw.HwInterrupt = VioscsiInterrupt;
    hw.HwFindAdapter = VioscsiFindAdapter;
    hw.HwResetBus = VioscsiResetBus;
    hw.HwAdapterControl = VioscsiAdapterControl;
    hw.HwBuildIo = VioscsiBuildIo;
    hw.DeviceExtensionSize = sizeof(VIOSCSI);
    hw.SrbExtensionSize = sizeof(VIOSCSI_SRBEXT);
    return (NTSTATUS)StorPortInitialize(DriverObject, RegistryPath, &hw, NULL);
}
