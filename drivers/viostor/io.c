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

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: put X on a queue (see viostor.h). */
UCHAR ViostorSubmit(PVIOSTOR Stor, PVIOSTOR_SRBEXT X)
{
    PVOID srb = X->Srb;
    ULONG q = X->Stage == VIOSTOR_STAGE_FLUSH ? X->Queue : VwStorCpuQueue(Stor, Stor->NumQueues);
    struct virtqueue *vq = &Stor->Queues[q].Vq;
    uint32_t type = X->Stage == VIOSTOR_STAGE_FLUSH ? VIRTIO_BLK_T_FLUSH : X->Io.type;
    BOOLEAN data = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_OUT;
    BOOLEAN ranges = type == VIRTIO_BLK_T_DISCARD || type == VIRTIO_BLK_T_WRITE_ZEROES;
    unsigned dataFlags = type == VIRTIO_BLK_T_IN ? VIRTQUEUE_SEG_WRITE : 0;
    PSTOR_SCATTER_GATHER_LIST sgl = NULL;
    struct virtqueue_req rq;

    X->Queue = q;
    X->Hdr.type = type;
    X->Hdr.ioprio = 0;
    X->Hdr.sector = data ? X->Io.sector : 0;
    X->Status = 0xff; /* a device that writes no status is caught */

    uint64_t hdrPa, stPa;
    int hdrN = VwStorVaCount(&Stor->Virtio, srb, &X->Hdr, sizeof(X->Hdr), &hdrPa);
    int stN = VwStorVaCount(&Stor->Virtio, srb, &X->Status, 1, &stPa);
    int dataN = 0, rangeN = 0;
    if (data) {
        sgl = StorPortGetScatterGatherList(Stor, srb);
        dataN = sgl != NULL ? ViostorSgPieces(Stor, sgl, X->Io.bytes, NULL, 0) : -1;
        if (dataN > (int)Stor->Disk.data_segs)
            dataN = -1;
    }
    if (ranges)
        rangeN = VwStorVaPieces(&Stor->Virtio, srb, X->Ranges, X->Io.nranges * sizeof(X->Ranges[0]),
                                NULL, 0);
    if (hdrN < 0 || stN < 0 || dataN < 0 || rangeN < 0) {
        DbgPrint("viostor: a request's buffers do not fit the device's limits\n");
        return SRB_STATUS_INVALID_REQUEST;
    }

    /* This request's own table, as far as it is physically contiguous */
    struct virtqueue_indirect ind;
    ULONG run = 0;
    ind.va = (PVOID)(((ULONG_PTR)X->Table + 15) & ~(ULONG_PTR)15);
    ind.pa = VwStorPhysical(&Stor->Virtio, srb, ind.va, &run);
    run /= 16;
    ind.capacity = (uint16_t)(run < VIOSTOR_TABLE_ENTRIES ? run : VIOSTOR_TABLE_ENTRIES);

    int rc = virtqueue_req_open(vq, &rq, (unsigned)(hdrN + dataN + rangeN + stN), &ind);
    if (rc == VIRTIO_ENOSPC)
        return SRB_STATUS_BUSY; /* StorPort sends it again */
    if (rc != 0) {
        DbgPrint("viostor: queue %lu refused a request (%d)\n", q, rc);
        return rc == VIRTIO_EIO ? SRB_STATUS_ERROR : SRB_STATUS_INVALID_REQUEST;
    }
    VwStorVaAppend(&Stor->Virtio, srb, &X->Hdr, sizeof(X->Hdr), hdrPa, &rq, 0);
    if (data)
        ViostorSgPieces(Stor, sgl, X->Io.bytes, &rq, dataFlags);
    if (ranges)
        VwStorVaPieces(&Stor->Virtio, srb, X->Ranges, X->Io.nranges * sizeof(X->Ranges[0]), &rq, 0);
    VwStorVaAppend(&Stor->Virtio, srb, &X->Status, 1, stPa, &rq, VIRTQUEUE_SEG_WRITE);
    if (virtqueue_req_close(&rq, X) != 0)
        return SRB_STATUS_INTERNAL_ERROR;
    /* Removed since the caller looked: the request stays on the ring for
     * ViostorGone (waiting for this lock) to complete, unnotified */
    if (!Stor->Removed && virtqueue_kick_prepare(vq))
        virtqueue_notify(vq);
    return SRB_STATUS_PENDING;
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

/* IRQL: DISPATCH_LEVEL or above, StartIo lock held by StorPort: start a request. */
BOOLEAN NTAPI ViostorStartIo(PVOID DeviceExtension, PVOID Srb)
{
    PVIOSTOR stor = DeviceExtension;
    PVIOSTOR_SRBEXT x = SrbGetMiniportContext(Srb);
    BOOLEAN pnp = x->Action == 0xff && SrbGetSrbFunction(Srb) == SRB_FUNCTION_PNP;
    UCHAR status;

    if (pnp && (!stor->Ready || stor->Removed || stor->Resetting))
        /* PnP is answered without the device, even after a removal */
        status = ViostorPnp(stor, Srb);
    else if (stor->Resetting && !stor->Removed) {
        /* StorPort is paused for a slow reset (or now, for a slow
         * restart); what came before it waits.  A reset SRB (they pass
         * the pause) waits for the same finish: the device owns its
         * requests until it reads 0, and a reset of its own after would
         * only reset it again */
        if (!stor->Paused) {
            StorPortPause(stor, 1);
            stor->Paused = TRUE;
        }
        status = SRB_STATUS_BUSY;
        if (x->Action == 0xff && ViostorIsReset(Srb)) {
            ViostorWaitReset(stor, x);
            status = SRB_STATUS_PENDING;
        }
    } else if (!stor->Ready || stor->Removed)
        status = SRB_STATUS_NO_DEVICE;
    else if (x->Action == 0xff)
        status = ViostorFunction(stor, x);
    else if (x->Action == VIOSTOR_ACTION_SERIAL)
        status = ViostorSerialInquiry(stor, x);
    else if (x->Action == VBLK_SET_WCE)
        status = ViostorSetWce(stor, x->Io.wce);
    else
        status = ViostorSubmit(stor, x);
    if (status != SRB_STATUS_PENDING)
        ViostorComplete(stor, Srb, status, NULL);
    return TRUE;
}
