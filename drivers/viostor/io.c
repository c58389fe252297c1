/*
 * viostor: requests in.  HwBuildIo translates each SCSI command without a
 * lock (vblk_scsi.c) and answers what needs no device; HwStartIo, under the
 * StartIo lock, puts the rest on the queue of the submitting CPU: header,
 * data straight from StorPort's scatter/gather list (split at size_max),
 * ranges, status byte, written into the request's own indirect table in
 * its SRB extension.
 */
#include "viostor.h"

/* IRQL: any. complete Srb (see viostor.h). */
VOID ViostorComplete(PVIOSTOR Stor, PVOID Srb, UCHAR SrbStatus, const struct vblk_cmd *Cmd)
{
    if (Cmd != NULL && Cmd->status == SCSI_STATUS_CHECK_CONDITION) {
        PUCHAR lenField = NULL;
        PUCHAR sense = VwStorSenseBuffer(Srb, &lenField);
        SrbSetScsiStatus(Srb, SCSI_STATUS_CHECK_CONDITION);
        SrbStatus = SRB_STATUS_ERROR;
        if (sense != NULL && lenField != NULL && *lenField != 0) {
            UCHAR n = *lenField < VBLK_SENSE_BYTES ? *lenField : VBLK_SENSE_BYTES;
            RtlCopyMemory(sense, Cmd->sense, n);
            *lenField = n;
            SrbStatus |= SRB_STATUS_AUTOSENSE_VALID;
        }
        SrbSetDataTransferLength(Srb, 0);
    } else if (Cmd != NULL) {
        SrbSetScsiStatus(Srb, SCSI_STATUS_GOOD);
        if (Cmd->data_len < SrbGetDataTransferLength(Srb))
            SrbSetDataTransferLength(Srb, Cmd->data_len);
    }
    SrbSetSrbStatus(Srb, SrbStatus);
    StorPortNotification(RequestComplete, Stor, Srb);
}

/* IRQL: DISPATCH_LEVEL, no lock (or StartIo lock): see viostor.h. */
enum vblk_action ViostorTranslate(PVIOSTOR Stor, PVIOSTOR_SRBEXT X, struct vblk_cmd *Cmd)
{
    PVOID srb = X->Srb;

    RtlZeroMemory(Cmd, sizeof(*Cmd));
    Cmd->cdb = SrbGetCdb(srb);
    Cmd->cdb_len = SrbGetCdbLength(srb);
    Cmd->data = SrbGetDataBuffer(srb);
    Cmd->data_len = SrbGetDataTransferLength(srb);
    Cmd->data_in = (SrbGetSrbFlags(srb) & SRB_FLAGS_DATA_IN) != 0;
    Cmd->ranges = X->Ranges;
    return vblk_scsi_translate(&Stor->Disk, Cmd);
}

/* IRQL: DISPATCH_LEVEL, no lock: translate; answer here what needs no device. */
BOOLEAN NTAPI ViostorBuildIo(PVOID DeviceExtension, PVOID Srb)
{
    PVIOSTOR stor = DeviceExtension;
    PVIOSTOR_SRBEXT x = SrbGetMiniportContext(Srb);
    struct vblk_cmd cmd;
    UCHAR path, target, lun;

    x->Srb = Srb;
    x->Stage = VIOSTOR_STAGE_IO;
    x->Action = 0xff; /* not a SCSI command: HwStartIo decides */
    if (SrbGetSrbFunction(Srb) != SRB_FUNCTION_EXECUTE_SCSI)
        return TRUE;
    SrbGetPathTargetLun(Srb, &path, &target, &lun);
    if (path != 0 || target != 0 || lun != 0) {
        ViostorComplete(stor, Srb, SRB_STATUS_NO_DEVICE, NULL);
        return FALSE;
    }
    if (!stor->Dump && vblk_scsi_needs_serial(SrbGetCdb(Srb), SrbGetCdbLength(Srb))) {
        /* GET_ID may still be at the device: HwStartIo answers it, under
         * the lock the serial is set under */
        x->Action = VIOSTOR_ACTION_SERIAL;
        return TRUE;
    }
    enum vblk_action act = ViostorTranslate(stor, x, &cmd);
    if (act == VBLK_DONE) {
        ViostorComplete(stor, Srb, SRB_STATUS_SUCCESS, &cmd);
        return FALSE;
    }
    x->Io = cmd.io;
    x->Action = (UCHAR)act;
    return TRUE;
}

/* IRQL: DISPATCH_LEVEL or above: append (Rq != NULL) or count the data segments
 * of Bytes from the list, each split at size_max; -1 if the list is short. */
static int ViostorSgPieces(PVIOSTOR Stor, PSTOR_SCATTER_GATHER_LIST Sgl, ULONG Bytes,
                           struct virtqueue_req *Rq, unsigned Flags)
{
    ULONG sizeMax = Stor->Disk.size_max;
    int n = 0;

    for (ULONG i = 0; i < Sgl->NumberOfElements && Bytes != 0; i++) {
        uint64_t pa = (uint64_t)Sgl->List[i].PhysicalAddress.QuadPart;
        ULONG len = Sgl->List[i].Length < Bytes ? Sgl->List[i].Length : Bytes;
        Bytes -= len;
        while (len != 0) {
            ULONG piece = sizeMax != 0 && len > sizeMax ? sizeMax : len;
            if (Rq != NULL)
                virtqueue_req_seg(Rq, pa, piece, Flags);
            pa += piece, len -= piece, n++;
        }
    }
    return Bytes == 0 ? n : -1;
}

/* IRQL: DISPATCH_LEVEL or above, no lock needed: what X's request is made of
 * that depends on X alone (bus addresses, the scatter/gather list, its own
 * table), worked out before its queue's lock is taken. */
static UCHAR ViostorPrepare(PVIOSTOR Stor, PVIOSTOR_SRBEXT X, PVIOSTOR_PREP P)
{
    PVOID srb = X->Srb;
    uint32_t type = X->Stage == VIOSTOR_STAGE_FLUSH ? VIRTIO_BLK_T_FLUSH : X->Io.type;
    ULONG run = 0;

    P->Data = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_OUT;
    P->Ranges = type == VIRTIO_BLK_T_DISCARD || type == VIRTIO_BLK_T_WRITE_ZEROES;
    P->Sgl = NULL;
    P->RangeN = 0;
    X->Hdr.type = type;
    X->Hdr.ioprio = 0;
    X->Hdr.sector = P->Data ? X->Io.sector : 0;
    X->Status = 0xff; /* a device that writes no status is caught */
    P->HdrN = VwStorVaCount(&Stor->Virtio, srb, &X->Hdr, sizeof(X->Hdr), &P->HdrPa);
    P->StN = VwStorVaCount(&Stor->Virtio, srb, &X->Status, 1, &P->StPa);
    if (P->Data)
        P->Sgl = StorPortGetScatterGatherList(Stor, srb);
    if (P->Ranges)
        P->RangeN = VwStorVaPieces(&Stor->Virtio, srb, X->Ranges,
                                   X->Io.nranges * sizeof(X->Ranges[0]), NULL, 0);
    if (P->HdrN < 0 || P->StN < 0 || P->RangeN < 0 || (P->Data && P->Sgl == NULL)) {
        DbgPrint("viostor: a request's buffers do not fit the device's limits\n");
        return SRB_STATUS_INVALID_REQUEST;
    }
    /* This request's own table, as far as it is physically contiguous */
    P->Ind.va = (PVOID)(((ULONG_PTR)X->Table + 15) & ~(ULONG_PTR)15);
    P->Ind.pa = VwStorPhysical(&Stor->Virtio, srb, P->Ind.va, &run);
    run /= 16;
    P->Ind.capacity = (uint16_t)(run < VIOSTOR_TABLE_ENTRIES ? run : VIOSTOR_TABLE_ENTRIES);
    return SRB_STATUS_PENDING;
}

/* IRQL: DISPATCH_LEVEL or above, X's queue's lock (or the StartIo lock): put the
 * prepared request on its queue: the pieces the device's limits (read under
 * the lock: a configuration change rewrites them) allow, then the ring. */
static UCHAR ViostorPost(PVIOSTOR Stor, PVIOSTOR_SRBEXT X, PVIOSTOR_PREP P)
{
    PVOID srb = X->Srb;
    ULONG q = X->Queue < Stor->NumQueues ? X->Queue : 0; /* HwStartIo picked it */
    struct virtqueue *vq = &Stor->Queues[q].Vq;
    unsigned dataFlags = X->Hdr.type == VIRTIO_BLK_T_IN ? VIRTQUEUE_SEG_WRITE : 0;
    struct virtqueue_req rq;
    int dataN = 0;

    if (P->Data) {
        dataN = ViostorSgPieces(Stor, P->Sgl, X->Io.bytes, NULL, 0);
        if (dataN < 0 || dataN > (int)Stor->Disk.data_segs) {
            DbgPrint("viostor: a request's buffers do not fit the device's limits\n");
            return SRB_STATUS_INVALID_REQUEST;
        }
    }
    int rc = virtqueue_req_open(vq, &rq, (unsigned)(P->HdrN + dataN + P->RangeN + P->StN), &P->Ind);
    if (rc == VIRTIO_ENOSPC)
        return SRB_STATUS_BUSY; /* StorPort sends it again */
    if (rc != 0) {
        DbgPrint("viostor: queue %lu refused a request (%d)\n", q, rc);
        return rc == VIRTIO_EIO ? SRB_STATUS_ERROR : SRB_STATUS_INVALID_REQUEST;
    }
    VwStorVaAppend(&Stor->Virtio, srb, &X->Hdr, sizeof(X->Hdr), P->HdrPa, &rq, 0);
    if (P->Data)
        ViostorSgPieces(Stor, P->Sgl, X->Io.bytes, &rq, dataFlags);
    if (P->Ranges)
        VwStorVaPieces(&Stor->Virtio, srb, X->Ranges, X->Io.nranges * sizeof(X->Ranges[0]), &rq, 0);
    VwStorVaAppend(&Stor->Virtio, srb, &X->Status, 1, P->StPa, &rq, VIRTQUEUE_SEG_WRITE);
    if (virtqueue_req_close(&rq, X) != 0)
        return SRB_STATUS_INTERNAL_ERROR;
    /* Removed since the caller looked: the request stays on the ring for
     * ViostorGone (waiting for this lock) to complete, unnotified */
    if (Stor->Removed)
        return SRB_STATUS_PENDING;
    BOOLEAN kick = virtqueue_kick_prepare(vq);
    /* CompletionHoldoff: a batch's interrupt at its last request, not its
     * first (the callers only post while Ready, never Resetting); before the
     * notify, so the device it wakes sees the later event */
    VwStorHoldoffPublished(&Stor->Virtio.Holdoff, vq);
    if (kick)
        virtqueue_notify(vq);
    return SRB_STATUS_PENDING;
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock or X's queue's: put X on a queue
 * (see viostor.h). */
UCHAR ViostorSubmit(PVIOSTOR Stor, PVIOSTOR_SRBEXT X)
{
    VIOSTOR_PREP prep;
    UCHAR status = ViostorPrepare(Stor, X, &prep);
    return status == SRB_STATUS_PENDING ? ViostorPost(Stor, X, &prep) : status;
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: MODE SELECT's new cache mode. */
static UCHAR ViostorSetWce(PVIOSTOR Stor, UCHAR Wce)
{
    UCHAR back = 0xff;

    if (virtio_config_write(&Stor->Virtio.Dev, VBLK_CFG_WRITEBACK, &Wce, 1) != 0 ||
        virtio_config_read(&Stor->Virtio.Dev, VBLK_CFG_WRITEBACK, &back, 1) != 0 || back != Wce) {
        DbgPrint("viostor: the device kept its cache mode\n");
        return SRB_STATUS_ERROR;
    }
    Stor->Disk.writeback = Wce != 0;
    return SRB_STATUS_SUCCESS;
}

/* IRQL: DISPATCH_LEVEL, StartIo lock: SRB_FUNCTION_PNP (srb/ns-srb-_srbex_data_pnp).
 * The disk is the whole function: it goes when the function is unplugged,
 * which viostor survives (SurpriseRemovalOK); an adapter's surprise removal
 * is the same as ScsiAdapterSurpriseRemoval. */
static UCHAR ViostorPnp(PVIOSTOR Stor, PVOID Srb)
{
    STOR_PNP_ACTION action;
    BOOLEAN adapter;

    if (!VwStorPnpAction(Srb, &action, &adapter))
        return SRB_STATUS_SUCCESS; /* no PnP block: nothing asked of the miniport */
    switch (action) {
    case StorQueryCapabilities:
        return adapter ? SRB_STATUS_SUCCESS
                       : VwStorPnpCapabilities(Srb, STOR_CAP_SURPRISE_REMOVAL_OK);
    case StorSurpriseRemoval:
        if (adapter)
            ViostorGone(Stor);
        return SRB_STATUS_SUCCESS;
    default:
        /* Remove, stop, start, resource requirements: nothing of the
         * miniport's to free or set (the adapter's stop is ScsiStopAdapter) */
        return SRB_STATUS_SUCCESS;
    }
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: requests other than SCSI commands. */
static UCHAR ViostorFunction(PVIOSTOR Stor, PVIOSTOR_SRBEXT X)
{
    UCHAR path, target, lun;

    switch (SrbGetSrbFunction(X->Srb)) {
    case SRB_FUNCTION_RESET_DEVICE:
    case SRB_FUNCTION_RESET_LOGICAL_UNIT:
        /* The one target and LU: a reset of any other has nothing to end */
        SrbGetPathTargetLun(X->Srb, &path, &target, &lun);
        if (path != 0 || target != 0 ||
            (lun != 0 && SrbGetSrbFunction(X->Srb) == SRB_FUNCTION_RESET_LOGICAL_UNIT))
            return SRB_STATUS_NO_DEVICE;
        /* fall through: virtio-blk has no task management, so the LU, the
         * target and the bus are one device, reset as a whole */
    case SRB_FUNCTION_RESET_BUS:
        if (!ViostorResetAll(Stor))
            return SRB_STATUS_ERROR;
        if (!Stor->Resetting)
            return SRB_STATUS_SUCCESS;
        /* The device is slow to read 0: completed with its requests by
         * the reset's timer (the reset SRB is not timed) */
        ViostorWaitReset(Stor, X);
        return SRB_STATUS_PENDING;
    case SRB_FUNCTION_FLUSH:
    case SRB_FUNCTION_SHUTDOWN:
        if (!Stor->Disk.flush)
            return SRB_STATUS_SUCCESS;
        RtlZeroMemory(&X->Io, sizeof(X->Io));
        X->Io.type = VIRTIO_BLK_T_FLUSH;
        return ViostorSubmit(Stor, X);
    case SRB_FUNCTION_PNP:
        return ViostorPnp(Stor, X->Srb);
    case SRB_FUNCTION_POWER:
        return SRB_STATUS_SUCCESS;
    default:
        return SRB_STATUS_INVALID_REQUEST;
    }
}

/* IRQL: any (pure): whether Srb is a LUN, target or bus reset. */
static BOOLEAN ViostorIsReset(PVOID Srb)
{
    ULONG fn = SrbGetSrbFunction(Srb);
    return fn == SRB_FUNCTION_RESET_BUS || fn == SRB_FUNCTION_RESET_DEVICE ||
           fn == SRB_FUNCTION_RESET_LOGICAL_UNIT;
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock (or every queue's): start X. */
static UCHAR ViostorStartLocked(PVIOSTOR Stor, PVIOSTOR_SRBEXT X)
{
    BOOLEAN pnp = X->Action == 0xff && SrbGetSrbFunction(X->Srb) == SRB_FUNCTION_PNP;

    if (pnp && (!Stor->Ready || Stor->Removed || Stor->Resetting))
        /* PnP is answered without the device, even after a removal */
        return ViostorPnp(Stor, X->Srb);
    if (Stor->Resetting && !Stor->Removed) {
        /* StorPort is paused for a slow reset (or now, for a slow
         * restart); what came before it waits */
        if (!Stor->Paused) {
            VwStorPause(Stor, &Stor->Perf);
            Stor->Paused = TRUE;
        }
        if (X->Action == 0xff && ViostorIsReset(X->Srb)) {
            /* A reset SRB (they pass the pause) waits for the same finish:
             * the device owns its requests until it reads 0, and a reset of
             * its own after would only reset it again */
            ViostorWaitReset(Stor, X);
            return SRB_STATUS_PENDING;
        }
        return SRB_STATUS_BUSY;
    }
    if (!Stor->Ready || Stor->Removed)
        return SRB_STATUS_NO_DEVICE;
    if (X->Action == 0xff)
        return ViostorFunction(Stor, X);
    if (X->Action == VIOSTOR_ACTION_SERIAL)
        return ViostorSerialInquiry(Stor, X);
    if (X->Action == VBLK_SET_WCE)
        return ViostorSetWce(Stor, X->Io.wce);
    return ViostorSubmit(Stor, X);
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock held by StorPort (none with
 * concurrent channels): X under every queue's lock (apart: the fast path
 * keeps no lock array on its stack). */
static UCHAR ViostorStartSlow(PVIOSTOR Stor, PVIOSTOR_SRBEXT X)
{
    VW_STOR_LOCKS all;

    VwStorLockAll(Stor, &Stor->Perf, &all);
    UCHAR status = ViostorStartLocked(Stor, X);
    VwStorUnlockAll(Stor, &Stor->Perf, &all);
    return status;
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock held by StorPort (none with
 * concurrent channels): start a request on the queue StorPort's message for
 * this CPU names.  With concurrent channels a read, write, flush or unmap
 * of a running device takes only its queue's lock; the rest, and every
 * request while the device is not running, every queue's. */
BOOLEAN NTAPI ViostorStartIo(PVOID DeviceExtension, PVOID Srb)
{
    PVIOSTOR stor = DeviceExtension;
    PVIOSTOR_SRBEXT x = SrbGetMiniportContext(Srb);
    UCHAR status;

    x->Queue = VwStorCpuQueue(stor, stor->NumQueues);
    if (stor->Perf.Concurrent && x->Action != 0xff && x->Action != VIOSTOR_ACTION_SERIAL &&
        x->Action != VBLK_SET_WCE) {
        /* What depends on the request alone is worked out unlocked: the
         * queue's lock is held for the ring only */
        VIOSTOR_PREP prep;
        ULONG old;
        status = ViostorPrepare(stor, x, &prep);
        if (status != SRB_STATUS_PENDING) {
            ViostorComplete(stor, Srb, status, NULL);
            return TRUE;
        }
        VwStorLockQueue(stor, &stor->Perf, x->Queue, &old);
        BOOLEAN running = stor->Ready && !stor->Removed && !stor->Resetting;
        if (running)
            status = ViostorPost(stor, x, &prep);
        VwStorUnlockQueue(stor, &stor->Perf, x->Queue, old);
        if (running) {
            if (status != SRB_STATUS_PENDING)
                ViostorComplete(stor, Srb, status, NULL);
            return TRUE;
        }
    }
    status = ViostorStartSlow(stor, x);
    if (status != SRB_STATUS_PENDING)
        ViostorComplete(stor, Srb, status, NULL);
    return TRUE;
}
