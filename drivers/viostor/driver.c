/*
 * viostor: registration with StorPort, HwFindAdapter (the device found,
 * its features negotiated, its configuration checked value by value, the
 * queues planned into one uncached extension), HwInitialize (queues and
 * messages, DRIVER_OK), the passive initialisation
 * (DPCs) and adapter control (stop, restart, surprise removal).
 */
#include "viostor.h"

#define VIOSTOR_FEATURES                                                                           \
    (VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_RING_PACKED) |                           \
     VIRTIO_BIT(VIRTIO_F_EVENT_IDX) | VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) |                         \
     VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) |                        \
     VIRTIO_BIT(VIRTIO_BLK_F_RO) | VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) |                             \
     VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) | VIRTIO_BIT(VIRTIO_BLK_F_TOPOLOGY) |                          \
     VIRTIO_BIT(VIRTIO_BLK_F_CONFIG_WCE) | VIRTIO_BIT(VIRTIO_BLK_F_MQ) |                           \
     VIRTIO_BIT(VIRTIO_BLK_F_DISCARD) | VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES))

DRIVER_INITIALIZE DriverEntry;
static HW_FIND_ADAPTER ViostorFindAdapter;
static HW_INITIALIZE ViostorInitialize;
static HW_PASSIVE_INITIALIZE_ROUTINE ViostorPassiveInit;
static HW_ADAPTER_CONTROL ViostorAdapterControl;

/* IRQL: any. read the device configuration and check it (see viostor.h). */
BOOLEAN ViostorReadConfig(PVIOSTOR Stor)
{
    UCHAR cfg[VBLK_CFG_BYTES];
    uint32_t len = virtio_config_len(&Stor->Virtio.Dev);

    RtlZeroMemory(cfg, sizeof(cfg));
    /* A short configuration region reads as zeroes past its end */
    if (len > sizeof(cfg))
        len = sizeof(cfg);
    if (len < 8 || virtio_config_read(&Stor->Virtio.Dev, 0, cfg, len) != 0) {
        DbgPrint("viostor: the device configuration cannot be read\n");
        return FALSE;
    }
    Stor->Findings = vblk_config_check(cfg, Stor->Virtio.Dev.features, &Stor->Disk);
    if (Stor->SegLimit != 0)
        vblk_limit_segments(&Stor->Disk, Stor->SegLimit);
    for (unsigned b = 0; b < VBLK_FINDINGS; b++) {
        struct vw_bad_value bad;
        if (!(Stor->Findings & (1u << b)) || !vblk_finding_value(1u << b, cfg, &Stor->Disk, &bad))
            continue;
        VwStorLogBadValue("viostor", &bad);
    }
    return (Stor->Findings & VBLK_BAD_CAPACITY) == 0;
}

/* IRQL: PASSIVE_LEVEL: the processors I/O can come from. */
static ULONG ViostorCpus(void)
{
    ULONG n = KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS);
    return n != 0 ? n : 1;
}

/* IRQL: PASSIVE_LEVEL (HIGH_LEVEL in a dump copy): plan the queues and carve
 * their memory and the GET_ID buffer from the uncached extension. */
static ULONG ViostorPlanMemory(PVIOSTOR Stor, PPORT_CONFIGURATION_INFORMATION ConfigInfo)
{
    struct virtio_device *dev = &Stor->Virtio.Dev;
    struct virtio_queue_config qcfg[VBLK_MAX_QUEUES];
    ULONG cpus = Stor->Dump ? 1 : ViostorCpus();

    /* num_queues is the device's word; the queues it really has (a size
     * above 0) bound it, so a claim of 65535 costs nothing */
    ULONG present = 0;
    while (present < Stor->Disk.num_queues && present < VBLK_MAX_QUEUES &&
           dev->ops->queue_max(dev, (uint16_t)present) != 0)
        present++;
    if (present < Stor->Disk.num_queues && present != 0 && present < VBLK_MAX_QUEUES)
        DbgPrint("viostor: bad device value: num_queues %u: %lu used (the queues the device "
                 "has)\n",
                 Stor->Disk.num_queues, present);
    vblk_plan_queues(cpus, present != 0 ? present : 1, 0, &Stor->Plan);
    Stor->NumQueues = Stor->Plan.nqueues;
    RtlZeroMemory(qcfg, sizeof(qcfg));
    for (ULONG q = 0; q < Stor->NumQueues; q++) {
        qcfg[q].index = (uint16_t)q;
        qcfg[q].size = Stor->Dump ? VIOSTOR_DUMP_QUEUE_SIZE : 0;
    }
    int rc = virtio_queue_plan(dev, qcfg, Stor->NumQueues, 0, Stor->QueueSizes, &Stor->QueuePlan);
    if (rc != 0) {
        DbgPrint("viostor: the device's queues are unusable (%d)\n", rc);
        return SP_RETURN_ERROR;
    }
    /* A chain never exceeds the shortest queue: header and status take two */
    uint16_t shortest = 0xffff;
    for (ULONG q = 0; q < Stor->NumQueues; q++)
        if (Stor->QueueSizes[q] < shortest)
            shortest = Stor->QueueSizes[q];
    Stor->SegLimit = shortest > 6 ? shortest - 6u : 1u;
    vblk_limit_segments(&Stor->Disk, Stor->SegLimit);

    size_t need = Stor->QueuePlan.dma_size + Stor->QueuePlan.dma_align + Stor->QueuePlan.mem_size +
                  sizeof(void *) + sizeof(VIOSTOR_ID_BUFFER) + 16;
    if (need > MAXULONG || !VwStorVirtioUncached(&Stor->Virtio, ConfigInfo, (ULONG)need)) {
        DbgPrint("viostor: no uncached extension of %lu bytes\n", (ULONG)need);
        return SP_RETURN_ERROR;
    }
    if (VwStorCarve(&Stor->Virtio, Stor->QueuePlan.dma_size, Stor->QueuePlan.dma_align,
                    &Stor->RingBlock) != 0 ||
        (Stor->RingMem = Stor->Virtio.Os.ops->mem_alloc(Stor->Virtio.Os.ctx,
                                                        Stor->QueuePlan.mem_size)) == NULL ||
        VwStorCarve(&Stor->Virtio, sizeof(VIOSTOR_ID_BUFFER), 16, &Stor->IdDma) != 0) {
        DbgPrint("viostor: the uncached extension is not usable for the rings\n");
        return SP_RETURN_ERROR;
    }
    Stor->Depth = vblk_queue_depth(Stor->QueueSizes, Stor->NumQueues,
                                   virtio_has_feature(dev, VIRTIO_F_INDIRECT_DESC));
    return SP_RETURN_FOUND;
}

/* IRQL: PASSIVE_LEVEL (HIGH_LEVEL in a dump copy): find, negotiate, check, plan. */
static ULONG NTAPI ViostorFindAdapter(PVOID DeviceExtension, PVOID HwContext, PVOID BusInformation,
                                      PCHAR ArgumentString,
                                      PPORT_CONFIGURATION_INFORMATION ConfigInfo,
                                      PBOOLEAN Reserved3)
{
    PVIOSTOR stor = DeviceExtension;
    UNREFERENCED_PARAMETER(HwContext);
    UNREFERENCED_PARAMETER(BusInformation);
    UNREFERENCED_PARAMETER(Reserved3);

    BOOLEAN dump = ConfigInfo->DumpMode != 0 || VwStorArgSet(ArgumentString, "dump");
    ULONG rc = VwStorVirtioFind(&stor->Virtio, stor, ConfigInfo);
    if (rc != SP_RETURN_FOUND)
        return rc;
    stor->Dump = dump;
    stor->Removed = FALSE; /* a new start: the extension may be the old one's */
    RtlZeroMemory(&stor->Perf, sizeof(stor->Perf));
    stor->IdAsked = stor->IdPending = stor->IdLate = FALSE;
    stor->IdWaiting = NULL;
    if (stor->Virtio.Dev.device_type != 2) {
        DbgPrint("viostor: virtio device type %u is not a block device\n",
                 stor->Virtio.Dev.device_type);
        return SP_RETURN_NOT_FOUND;
    }
    uint64_t features;
    int vrc = virtio_negotiate(&stor->Virtio.Dev, VIOSTOR_FEATURES, &features);
    if (vrc != 0) {
        DbgPrint("viostor: feature negotiation failed (%d)\n", vrc);
        virtio_device_fail(&stor->Virtio.Dev);
        return SP_RETURN_ERROR;
    }
    if (!ViostorReadConfig(stor) || (rc = ViostorPlanMemory(stor, ConfigInfo)) != SP_RETURN_FOUND) {
        virtio_device_fail(&stor->Virtio.Dev);
        return SP_RETURN_ERROR;
    }

    /* CompletionHoldoff (stor_holdoff.h); the adapter's timer goes through it */
    VwStorHoldoffRead(&stor->Virtio.Holdoff, stor, ViostorTimer, "viostor", dump,
                      &stor->Virtio.Dev);

    /* The registry may lower the breaks (never above what seg_max, the
     * queue and the indirect table allow); the registry is PASSIVE_LEVEL
     * only, so a dump copy keeps the device's limits. */
    ULONG breaks = 0; /* absent: 0, the default */
    if (!dump)
        VwStorRegistryDword(stor, "PhysicalBreaks", &breaks);
    if (breaks != 0) {
        vblk_limit_segments(&stor->Disk, breaks + 1);
        DbgPrint("viostor: PhysicalBreaks %lu: %lu breaks, max transfer %lu\n", breaks,
                 (ULONG)(stor->Disk.max_elems - 1), (ULONG)stor->Disk.max_transfer);
    }

    ConfigInfo->NumberOfBuses = 1;
    ConfigInfo->MaximumNumberOfTargets = 1;
    ConfigInfo->MaximumNumberOfLogicalUnits = 1;
    ConfigInfo->MaximumTransferLength = stor->Disk.max_transfer;
    ConfigInfo->NumberOfPhysicalBreaks = stor->Disk.max_elems - 1;
    ConfigInfo->AlignmentMask = 0;
    ConfigInfo->ScatterGather = TRUE;
    ConfigInfo->Master = TRUE;
    ConfigInfo->CachesData = stor->Disk.writeback;
    ConfigInfo->MapBuffers = STOR_MAP_NON_READ_WRITE_BUFFERS;
    ConfigInfo->NeedPhysicalAddresses = TRUE;
    ConfigInfo->TaggedQueuing = TRUE;
    ConfigInfo->AutoRequestSense = TRUE;
    ConfigInfo->MultipleRequestPerLu = TRUE;
    ConfigInfo->Dma64BitAddresses = SCSI_DMA64_MINIPORT_FULL64BIT_SUPPORTED;
    ConfigInfo->SynchronizationModel = StorSynchronizeFullDuplex;
    ConfigInfo->HwMSInterruptRoutine = ViostorMsiInterrupt;
    ConfigInfo->InterruptSynchronizationMode = InterruptSynchronizePerMessage;
    /* The queue depth is what the rings hold, so StorPort never throttles below
     * it: InitialLunQueueDepth is the LUN's depth until StorPortSetDeviceQueueDepth
     * (storport/nf-storport-storportsetdevicequeuedepth; 20 for a physical
     * miniport if unset), above 255 allowed with extended SRBs (SrbTypeFlags) */
    ConfigInfo->MaxNumberOfIO = stor->Depth;
    ConfigInfo->MaxIOsPerLun = stor->Depth;
    ConfigInfo->InitialLunQueueDepth = stor->Depth;
    DbgPrint("viostor: %lu queue(s), depth %lu, max transfer %lu, %llu blocks of %lu%s\n",
             stor->NumQueues, stor->Depth, stor->Disk.max_transfer,
             (unsigned long long)stor->Disk.blocks, stor->Disk.blk_size,
             stor->Dump ? " (dump copy)" : "");
    return SP_RETURN_FOUND;
}

/* IRQL: DIRQL, interrupt lock held (HwInitialize and adapter restart), or
 * DISPATCH_LEVEL with the StartIo lock (a slow restart's timer): count the
 * messages, set the queues and the configuration vector up, DRIVER_OK. */
static BOOLEAN ViostorStartQueues(PVIOSTOR Stor)
{
    struct virtio_device *dev = &Stor->Virtio.Dev;
    MESSAGE_INTERRUPT_INFORMATION info;

    Stor->Messages = 0;
    if (!Stor->Dump)
        while (Stor->Messages < VBLK_MAX_QUEUES + 1 &&
               StorPortGetMSIInfo(Stor, Stor->Messages, &info) == STOR_STATUS_SUCCESS)
            Stor->Messages++;
    vblk_plan_queues(Stor->NumQueues, Stor->NumQueues, Stor->Messages, &Stor->Plan);
    if (!Stor->Dump)
        DbgPrint("viostor: %lu queues on %lu message(s): %s\n", Stor->NumQueues, Stor->Messages,
                 Stor->Plan.mode == VBLK_MSG_ONE_EACH ? "one each"
                 : Stor->Plan.mode == VBLK_MSG_SHARED ? "shared"
                                                      : "all on one");
    BOOLEAN msix = dev->msix && Stor->Messages != 0 && !Stor->Dump;
    if (msix && virtio_set_config_vector(dev, (uint16_t)Stor->Plan.config_msg) != 0) {
        DbgPrint("viostor: the device refused the configuration vector\n");
        return FALSE;
    }
    for (ULONG q = 0; q < Stor->NumQueues; q++) {
        struct virtio_queue_config qcfg = {
            .index = (uint16_t)q,
            .seg_max = (uint16_t)(Stor->Disk.data_segs + 6),
            .msix_vector = msix ? Stor->Plan.queue_msg[q] : VIRTIO_MSI_NO_VECTOR,
        };
        int rc = virtio_queue_setup_planned(dev, &Stor->Queues[q].Vq, &qcfg, &Stor->QueuePlan, q,
                                            &Stor->RingBlock, Stor->RingMem);
        if (rc != 0) {
            DbgPrint("viostor: queue %lu could not be set up (%d)\n", q, rc);
            return FALSE;
        }
    }
    if (virtio_device_ready(dev) != 0)
        return FALSE;
    Stor->Ready = TRUE;
    return TRUE;
}

/* IRQL: DIRQL, interrupt lock held: queues live; DPCs come in the passive routine. */
static BOOLEAN NTAPI ViostorInitialize(PVOID DeviceExtension)
{
    PVIOSTOR stor = DeviceExtension;

    if (!ViostorStartQueues(stor)) {
        virtio_device_fail(&stor->Virtio.Dev);
        return FALSE;
    }
    if (stor->Dump)
        return TRUE;
    /* Concurrent channels need a message per queue or queues sharing
     * messages; a line or one message for everything leaves the StartIo lock */
    ULONG msgs = stor->Virtio.Dev.msix && stor->Plan.mode != VBLK_MSG_ALL_ONE ? stor->Messages : 0;
    VwStorPerfInit(stor, &stor->Perf, msgs, stor->NumQueues, stor->Plan.queue_msg,
                   stor->Plan.mode == VBLK_MSG_ONE_EACH, "viostor");
    if (!stor->DpcReady)
        return StorPortEnablePassiveInitialization(stor, ViostorPassiveInit);
    return TRUE;
}

/* IRQL: PASSIVE_LEVEL: the DPCs (StorPortInitializeDpc is passive only). */
static BOOLEAN NTAPI ViostorPassiveInit(PVOID DeviceExtension)
{
    PVIOSTOR stor = DeviceExtension;

    for (ULONG q = 0; q < stor->NumQueues; q++)
        StorPortInitializeDpc(stor, &stor->Queues[q].Dpc, ViostorQueueDpc);
    StorPortInitializeDpc(stor, &stor->ConfigDpc, ViostorConfigDpc);
    stor->DpcReady = TRUE;
    return TRUE;
}

/* IRQL: DISPATCH_LEVEL, StartIo and queue locks (VwStorRemoveUnderLocks): ViostorGone. */
static void ViostorGoneCb(void *Ctx)
{
    ViostorGone(Ctx);
}

/* IRQL: DIRQL, interrupt lock held (StorPort sends no request meanwhile): stop
 * and restart the adapter across power changes; below DISPATCH_LEVEL, no
 * lock (storport/nc-storport-hw_adapter_control): a surprise removal. */
static SCSI_ADAPTER_CONTROL_STATUS NTAPI ViostorAdapterControl(PVOID DeviceExtension,
                                                               SCSI_ADAPTER_CONTROL_TYPE Type,
                                                               PVOID Parameters)
{
    PVIOSTOR stor = DeviceExtension;

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
         * that began before (and its notify) and orders this processor
         * after it, so after ViostorGone nothing touches the function. */
        ViostorMarkGone(stor);
        VwStorRemoveUnderLocks(stor, &stor->Perf, ViostorGoneCb, stor);
        return ScsiAdapterControlSuccess;
    }
    case ScsiStopAdapter:
        /* Nothing is outstanding at a stop; the reset takes the device's
         * hands off memory (a removed function has none and is not touched) */
        if (!stor->Removed)
            VwStorVirtioStop(&stor->Virtio);
        stor->Ready = FALSE;
        VwStorHoldoffForget(&stor->Virtio.Holdoff); /* nothing is held at a stop */
        /* A slow reset HwResetBus left to the timer ends here (the restart
         * resets the device again): the timer must not bring it up now */
        stor->Resetting = stor->Restarting = FALSE;
        if (stor->IdPending)
            stor->IdAsked = FALSE; /* unanswered: the next INQUIRY asks again */
        stor->IdPending = FALSE;
        return ScsiAdapterControlSuccess;
    case ScsiRestartAdapter:
        /* "HwStorAdapterControl must return [ScsiAdapterControlSuccess] for
         * all control types" (storport/nc-storport-hw_adapter_control): a
         * device that does not come back is left FAILED and the adapter
         * not ready, so every request ends NO_DEVICE at once; one slow to
         * finish its reset (more than 8 status reads, all DIRQL allows) is
         * brought up by the timer, StorPort held off meanwhile. */
        if (stor->Removed)
            return ScsiAdapterControlSuccess;
        if (ViostorRestartStep(stor, TRUE) == VIRTIO_EAGAIN) {
            DbgPrint("viostor: the device is slow to reset: the restart ends from the timer\n");
            stor->Ready = FALSE;
            stor->Resetting = stor->Restarting = TRUE;
            VwStorResetArm(&stor->Virtio, &stor->ResetWaits);
        }
        return ScsiAdapterControlSuccess;
    default:
        return ScsiAdapterControlUnsuccessful;
    }
}

/* IRQL: DIRQL, interrupt lock, or DISPATCH_LEVEL, StartIo lock: see viostor.h. */
int ViostorRestartStep(PVIOSTOR Stor, BOOLEAN First)
{
    int rc = First ? VwStorVirtioRestart(&Stor->Virtio, VIOSTOR_FEATURES)
                   : VwStorVirtioRestartPoll(&Stor->Virtio, VIOSTOR_FEATURES);
    if (rc == VIRTIO_EAGAIN)
        return rc;
    if (rc != 0 || !ViostorReadConfig(Stor) || !ViostorStartQueues(Stor)) {
        DbgPrint("viostor: the device did not come back\n");
        virtio_device_fail(&Stor->Virtio.Dev);
        Stor->Ready = FALSE;
        return rc != 0 ? rc : VIRTIO_EIO;
    }
    return 0;
}

/* IRQL: PASSIVE_LEVEL (NULL arguments in a dump copy): register with StorPort. */
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    HW_INITIALIZATION_DATA hw;

    VwStorInitData(&hw);
    hw.HwInitialize = ViostorInitialize;
    hw.HwStartIo = ViostorStartIo;
    hw.HwInterrupt = ViostorInterrupt;
    hw.HwFindAdapter = ViostorFindAdapter;
    hw.HwResetBus = ViostorResetBus;
    hw.HwAdapterControl = ViostorAdapterControl;
    hw.HwBuildIo = ViostorBuildIo;
    hw.DeviceExtensionSize = sizeof(VIOSTOR);
    hw.SrbExtensionSize = sizeof(VIOSTOR_SRBEXT);
    return (NTSTATUS)StorPortInitialize(DriverObject, RegistryPath, &hw, NULL);
}
