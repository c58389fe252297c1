/*
 * vioscsi: requests in.  HwBuildIo encodes each SCSI command's request
 * header (LUN, tag, CDB; vscsi_proto.c) without a lock; HwStartIo, under
 * the StartIo lock, puts it on the request queue of the submitting CPU:
 * header, data out, response, data in, written into the request's own
 * indirect table in its SRB extension.  LUN reset, abort and target reset
 * SRBs become task management requests on the control queue.
 */
#include "vioscsi.h"

/* IRQL: any. complete Srb (see vioscsi.h). */
VOID VioscsiComplete(PVIOSCSI Scsi, PVOID Srb, UCHAR SrbStatus, const struct vscsi_result *Res,
                     const UCHAR *Sense)
{
    if (Res != NULL && SrbStatus != SRB_STATUS_BUSY) {
        SrbSetScsiStatus(Srb, Res->scsi_status);
        SrbSetDataTransferLength(Srb, Res->transferred);
        if (Res->outcome == VSCSI_OUT_SCSI_ERROR && Res->sense_len != 0 && Sense != NULL) {
            PUCHAR lenField = NULL;
            PUCHAR sense = VwStorSenseBuffer(Srb, &lenField);
            if (sense != NULL && lenField != NULL && *lenField != 0) {
                UCHAR n = *lenField < Res->sense_len ? *lenField : (UCHAR)Res->sense_len;
                RtlCopyMemory(sense, Sense, n);
                *lenField = n;
                SrbStatus |= SRB_STATUS_AUTOSENSE_VALID;
            }
        }
    } else if (SrbStatus != SRB_STATUS_SUCCESS && SrbStatus != SRB_STATUS_BUSY) {
        /* BUSY (the device's VIRTIO_SCSI_S_BUSY too): StorPort sends the
         * same request again, so its length stays as the class driver set it */
        SrbSetDataTransferLength(Srb, 0);
    }
    SrbSetSrbStatus(Srb, SrbStatus);
    StorPortNotification(RequestComplete, Scsi, Srb);
}

/* IRQL: any. the virtio task attribute of the SRB's queue action (SIMPLE unless it asks). */
static UCHAR VioscsiTaskAttr(PVOID Srb, ULONG Flags)
{
    ULONG action;

    if (!(Flags & SRB_FLAGS_QUEUE_ACTION_ENABLE))
        return VIRTIO_SCSI_S_SIMPLE;
    action = VwSrbIsEx(Srb) ? ((PSTORAGE_REQUEST_BLOCK)Srb)->RequestAttribute
                            : ((PSCSI_REQUEST_BLOCK)Srb)->QueueAction;
    switch (action) {
    case SRB_HEAD_OF_QUEUE_TAG_REQUEST:
        return VIRTIO_SCSI_S_HEAD;
    case SRB_ORDERED_QUEUE_TAG_REQUEST:
        return VIRTIO_SCSI_S_ORDERED;
    default:
        return VIRTIO_SCSI_S_SIMPLE;
    }
}

/* IRQL: DISPATCH_LEVEL, no lock (or StartIo lock): encode a SCSI command into X;
 * an SRB status when it cannot be sent, SRB_STATUS_PENDING when it can. */
static UCHAR VioscsiPrepare(PVIOSCSI Scsi, PVOID Srb, PVIOSCSI_SRBEXT X)
{
    UCHAR path, target, lun;

    X->Srb = Srb;
    X->Kind = 0;
    X->AtDevice = FALSE;
    if (SrbGetSrbFunction(Srb) != SRB_FUNCTION_EXECUTE_SCSI)
        return SRB_STATUS_PENDING; /* HwStartIo decides */
    SrbGetPathTargetLun(Srb, &path, &target, &lun);
    X->Target = target;
    X->Lun = lun;
    if (path != 0 || target > Scsi->Ctrl.max_target || lun > Scsi->Ctrl.max_lun)
        return SRB_STATUS_NO_DEVICE;
    ULONG flags = SrbGetSrbFlags(Srb);
    X->Transfer = SrbGetDataTransferLength(Srb);
    X->DataIn = (flags & SRB_FLAGS_DATA_IN) != 0;
    if (X->Transfer != 0 && X->DataIn && (flags & SRB_FLAGS_DATA_OUT) != 0)
        return SRB_STATUS_INVALID_REQUEST; /* bidirectional: INOUT is not negotiated */
    /* The SRB extension's address names the task while it is at the device */
    X->Tag = (ULONG64)(ULONG_PTR)X;
    X->ReqLen = vscsi_encode_cmd(X->Req, Scsi->Ctrl.cdb_size, target, lun, X->Tag,
                                 VioscsiTaskAttr(Srb, flags), SrbGetCdb(Srb), SrbGetCdbLength(Srb));
    if (X->ReqLen == 0)
        return SRB_STATUS_INVALID_REQUEST; /* no CDB, or longer than cdb_size */
    X->Kind = VIOSCSI_KIND_REQUEST;
    return SRB_STATUS_PENDING;
}

/* IRQL: DISPATCH_LEVEL, no lock: encode; refuse here what the device cannot take. */
BOOLEAN NTAPI VioscsiBuildIo(PVOID DeviceExtension, PVOID Srb)
{
    PVIOSCSI scsi = DeviceExtension;
    UCHAR status = VioscsiPrepare(scsi, Srb, SrbGetMiniportContext(Srb));

    if (status != SRB_STATUS_PENDING) {
        VioscsiComplete(scsi, Srb, status, NULL, NULL);
        return FALSE;
    }
    return TRUE;
}

/* IRQL: DISPATCH_LEVEL or above: the scatter/gather elements covering Bytes; -1 if short. */
static int VioscsiSgCount(PSTOR_SCATTER_GATHER_LIST Sgl, ULONG Bytes, ULONG *LastLen)
{
    ULONG i;

    for (i = 0; i < Sgl->NumberOfElements && Bytes != 0; i++) {
        ULONG len = Sgl->List[i].Length < Bytes ? Sgl->List[i].Length : Bytes;
        *LastLen = len;
        Bytes -= len;
    }
    return Bytes == 0 ? (int)i : -1;
}

/* IRQL: DISPATCH_LEVEL or above: append N elements, the last one cut to LastLen. */
static VOID VioscsiSgAppend(PSTOR_SCATTER_GATHER_LIST Sgl, int N, ULONG LastLen,
                            struct virtqueue_req *Rq, unsigned Flags)
{
    if (N <= 0)
        return;
    if (N > 1)
        virtqueue_req_sgl(Rq, Sgl->List, (unsigned)N - 1, sizeof(Sgl->List[0]), Flags);
    virtqueue_req_seg(Rq, (uint64_t)Sgl->List[N - 1].PhysicalAddress.QuadPart, LastLen, Flags);
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock, X's queue's lock (or a dump
 * copy): put the command of X on request queue X->Queue; an SRB status,
 * SRB_STATUS_PENDING when queued. */
static UCHAR VioscsiSubmit(PVIOSCSI Scsi, PVIOSCSI_SRBEXT X)
{
    PVOID srb = X->Srb;
    ULONG q = X->Queue < Scsi->NumQueues ? X->Queue : 0; /* HwStartIo picked it */
    struct virtqueue *vq = &Scsi->Queues[VSCSI_FIRST_REQUEST + q].Vq;
    ULONG respLen = VSCSI_RESP_HDR_BYTES + Scsi->Ctrl.sense_size;
    PSTOR_SCATTER_GATHER_LIST sgl = NULL;
    ULONG lastLen = 0;
    struct virtqueue_req rq;

    RtlZeroMemory(X->Resp, VSCSI_RESP_HDR_BYTES);
    uint64_t hdrPa, respPa;
    int hdrN = VwStorVaCount(&Scsi->Virtio, srb, X->Req, X->ReqLen, &hdrPa);
    int respN = VwStorVaCount(&Scsi->Virtio, srb, X->Resp, respLen, &respPa);
    int dataN = 0;
    if (X->Transfer != 0) {
        sgl = StorPortGetScatterGatherList(Scsi, srb);
        dataN = sgl != NULL ? VioscsiSgCount(sgl, X->Transfer, &lastLen) : -1;
        if (dataN > (int)Scsi->Ctrl.data_segs)
            dataN = -1;
    }
    if (hdrN < 0 || respN < 0 || dataN < 0) {
        DbgPrint("vioscsi: a request's buffers do not fit the device's limits\n");
        return SRB_STATUS_INVALID_REQUEST;
    }

    struct virtqueue_indirect ind;
    ULONG run = 0;
    ind.va = (PVOID)(((ULONG_PTR)X->Table + 15) & ~(ULONG_PTR)15);
    ind.pa = VwStorPhysical(&Scsi->Virtio, srb, ind.va, &run);
    run /= 16;
    ind.capacity = (uint16_t)(run < VIOSCSI_TABLE_ENTRIES ? run : VIOSCSI_TABLE_ENTRIES);

    int rc = virtqueue_req_open(vq, &rq, (unsigned)(hdrN + dataN + respN), &ind);
    if (rc == VIRTIO_ENOSPC)
        return SRB_STATUS_BUSY; /* StorPort sends it again */
    if (rc != 0) {
        DbgPrint("vioscsi: queue %lu refused a request (%d)\n", q, rc);
        return rc == VIRTIO_EIO ? SRB_STATUS_ERROR : SRB_STATUS_INVALID_REQUEST;
    }
    /* Device-readable first: header, data out; then response, data in */
    VwStorVaAppend(&Scsi->Virtio, srb, X->Req, X->ReqLen, hdrPa, &rq, 0);
    if (!X->DataIn)
        VioscsiSgAppend(sgl, dataN, lastLen, &rq, 0);
    VwStorVaAppend(&Scsi->Virtio, srb, X->Resp, respLen, respPa, &rq, VIRTQUEUE_SEG_WRITE);
    if (X->DataIn)
        VioscsiSgAppend(sgl, dataN, lastLen, &rq, VIRTQUEUE_SEG_WRITE);
    if (virtqueue_req_close(&rq, X) != 0)
        return SRB_STATUS_INTERNAL_ERROR;
    X->AtDevice = TRUE;
    /* queues submit on several CPUs at once under concurrent channels */
    InterlockedIncrement((LONG volatile *)&Scsi->Outstanding);
    /* Removed since the caller looked: the request stays on the ring for
     * VioscsiGone (waiting for this lock) to complete, unnotified */
    if (Scsi->Removed)
        return SRB_STATUS_PENDING;
    BOOLEAN kick = virtqueue_kick_prepare(vq);
    /* CompletionHoldoff: a batch's interrupt at its last request, not its
     * first (the callers only submit while Ready, never Resetting); before the
     * notify, so the device it wakes sees the later event */
    VwStorHoldoffPublished(&Scsi->Virtio.Holdoff, vq);
    if (kick)
        virtqueue_notify(vq);
    return SRB_STATUS_PENDING;
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: see vioscsi.h. */
BOOLEAN VioscsiPostTmf(PVIOSCSI Scsi, PVIOSCSI_SRBEXT X)
{
    struct virtqueue *vq = &Scsi->Queues[VSCSI_CONTROL_QUEUE].Vq;
    struct virtqueue_req rq;

    X->TmfResponse = 0xff;
    int reqN = VwStorVaPieces(&Scsi->Virtio, X->Srb, X->Req, VSCSI_TMF_BYTES, NULL, 0);
    int respN = VwStorVaPieces(&Scsi->Virtio, X->Srb, &X->TmfResponse, 1, NULL, 0);
    if (reqN < 0 || respN < 0 || virtqueue_req_open(vq, &rq, (unsigned)(reqN + respN), NULL) != 0)
        return FALSE;
    VwStorVaPieces(&Scsi->Virtio, X->Srb, X->Req, VSCSI_TMF_BYTES, &rq, 0);
    VwStorVaPieces(&Scsi->Virtio, X->Srb, &X->TmfResponse, 1, &rq, VIRTQUEUE_SEG_WRITE);
    if (virtqueue_req_close(&rq, X) != 0)
        return FALSE;
    VioscsiTmfPosted(Scsi, X);
    if (!Scsi->Removed && virtqueue_kick_prepare(vq))
        virtqueue_notify(vq);
    return TRUE;
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: see vioscsi.h. */
VOID VioscsiPostEvents(PVIOSCSI Scsi)
{
    struct virtqueue *vq = &Scsi->Queues[VSCSI_EVENT_QUEUE].Vq;
    BOOLEAN any = FALSE;

    if (!Scsi->Ready || Scsi->Removed)
        return;
    for (ULONG i = 0; i < VIOSCSI_EVENTS; i++) {
        VIOSCSI_EVENT_BUF *e = &Scsi->Shared->Events[i];
        struct virtqueue_req rq;
        if (e->Pad[0] != 0)
            continue;
        e->Kind = VIOSCSI_KIND_EVENT;
        RtlZeroMemory(e->Data, sizeof(e->Data));
        uint64_t pa = Scsi->SharedDma.pa + (uint64_t)((PUCHAR)e->Data - (PUCHAR)Scsi->Shared);
        if (virtqueue_req_open(vq, &rq, 1, NULL) != 0)
            break; /* a short event ring holds fewer */
        virtqueue_req_seg(&rq, pa, Scsi->Ctrl.event_bytes, VIRTQUEUE_SEG_WRITE);
        if (virtqueue_req_close(&rq, e) != 0)
            break;
        e->Pad[0] = 1;
        Scsi->EventsPosted++;
        any = TRUE;
    }
    if (any && virtqueue_kick_prepare(vq))
        virtqueue_notify(vq);
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: see vioscsi.h.  Each LUN
 * subscribes for itself (AN_SUBSCRIBE names one LUN): an event for a LUN
 * not subscribed, or of a class not granted there, is not one the device
 * may send and is ignored (vscsi_decode_event).  A full control ring
 * leaves the LUN waiting for the next call (the next answer drained). */
VOID VioscsiPostAn(PVIOSCSI Scsi)
{
    struct virtqueue *vq = &Scsi->Queues[VSCSI_CONTROL_QUEUE].Vq;
    BOOLEAN any = FALSE;

    if (!Scsi->Ready || Scsi->Removed || Scsi->Dump)
        return;
    for (ULONG s = 0; s < VIOSCSI_AN_SLOTS && Scsi->An.want != 0; s++) {
        VIOSCSI_AN_BUF *a = &Scsi->Shared->An[s];
        struct virtqueue_req rq;
        uint8_t target;
        uint32_t lun;
        if (a->Pad[0] != 0)
            continue;
        int i = vscsi_an_next(&Scsi->An, &target, &lun);
        if (i < 0)
            break;
        a->Kind = VIOSCSI_KIND_AN;
        a->Entry = i;
        a->Target = target;
        a->Lun = lun;
        RtlZeroMemory(a->Resp, sizeof(a->Resp));
        if (!vscsi_encode_an(a->Req, VIRTIO_SCSI_T_AN_SUBSCRIBE, target, lun, VSCSI_AN_WANTED)) {
            /* A LUN the request cannot name: nothing granted there */
            vscsi_an_answered(&Scsi->An, i, target, lun, 0);
            continue;
        }
        uint64_t pa = Scsi->SharedDma.pa + (uint64_t)((PUCHAR)a - (PUCHAR)Scsi->Shared);
        if (virtqueue_req_open(vq, &rq, 2, NULL) != 0) {
            vscsi_an_unask(&Scsi->An, i);
            break;
        }
        virtqueue_req_seg(&rq, pa + offsetof(VIOSCSI_AN_BUF, Req), VSCSI_AN_REQ_BYTES, 0);
        virtqueue_req_seg(&rq, pa + offsetof(VIOSCSI_AN_BUF, Resp), VSCSI_AN_RESP_BYTES,
                          VIRTQUEUE_SEG_WRITE);
        if (virtqueue_req_close(&rq, a) != 0) {
            vscsi_an_unask(&Scsi->An, i);
            break;
        }
        a->Pad[0] = 1;
        any = TRUE;
    }
    if (any && virtqueue_kick_prepare(vq))
        virtqueue_notify(vq);
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: a TMF for a reset or abort SRB. */
static UCHAR VioscsiSrbTmf(PVIOSCSI Scsi, PVIOSCSI_SRBEXT X, ULONG Function)
{
    UCHAR path, target, lun;
    ULONG subtype = VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET;
    ULONG64 tag = 0;

    SrbGetPathTargetLun(X->Srb, &path, &target, &lun);
    if (path != 0 || target > Scsi->Ctrl.max_target || lun > Scsi->Ctrl.max_lun)
        return SRB_STATUS_NO_DEVICE;
    if (Function == SRB_FUNCTION_RESET_DEVICE) {
        subtype = VIRTIO_SCSI_T_TMF_I_T_NEXUS_RESET;
        lun = 0;
    } else if (Function == SRB_FUNCTION_ABORT_COMMAND) {
        /* Not reached under StorPort: "This function is not sent to the
         * miniport by Storport" (srb/ns-srb-_storage_request_block), and
         * vioscsi does not claim STOR_ADAPTER_FEATURE_ABORT_COMMAND
         * (storport/ns-storport-_port_configuration_information) either;
         * a request the device does not answer ends by a LUN or device
         * reset SRB or by HwResetBus.  Both block formats would name the
         * request to abort in NextSrb: ABORT TASK of its tag. */
        PVOID victim = VwSrbIsEx(X->Srb) ? (PVOID)((PSTORAGE_REQUEST_BLOCK)X->Srb)->NextSrb
                                         : (PVOID)((PSCSI_REQUEST_BLOCK)X->Srb)->NextSrb;
        PVIOSCSI_SRBEXT vx = victim != NULL ? SrbGetMiniportContext(victim) : NULL;
        if (vx == NULL || vx->Srb != victim || !vx->AtDevice)
            return SRB_STATUS_ABORT_FAILED;
        subtype = VIRTIO_SCSI_T_TMF_ABORT_TASK;
        tag = vx->Tag;
    }
    X->Kind = VIOSCSI_KIND_SRB_TMF;
    X->Target = target;
    X->Lun = lun;
    if (!vscsi_encode_tmf(X->Req, subtype, target, lun, tag))
        return SRB_STATUS_INVALID_REQUEST;
    if (!VioscsiPostTmf(Scsi, X))
        return SRB_STATUS_BUSY;
    return SRB_STATUS_PENDING;
}

/* IRQL: DISPATCH_LEVEL, StartIo lock: SRB_FUNCTION_PNP (srb/ns-srb-_srbex_data_pnp).
 * With VIRTIO_SCSI_F_HOTPLUG a LUN comes and goes at run time (the event
 * queue says so): a removable unit whose surprise removal is fine; an
 * adapter's surprise removal is the same as ScsiAdapterSurpriseRemoval. */
static UCHAR VioscsiPnp(PVIOSCSI Scsi, PVOID Srb)
{
    STOR_PNP_ACTION action;
    BOOLEAN adapter;

    if (!VwStorPnpAction(Srb, &action, &adapter))
        return SRB_STATUS_SUCCESS; /* no PnP block: nothing asked of the miniport */
    switch (action) {
    case StorQueryCapabilities: {
        ULONG caps = STOR_CAP_SURPRISE_REMOVAL_OK;
        if (virtio_has_feature(&Scsi->Virtio.Dev, VIRTIO_SCSI_F_HOTPLUG))
            caps |= STOR_CAP_REMOVABLE;
        return adapter ? SRB_STATUS_SUCCESS : VwStorPnpCapabilities(Srb, caps);
    }
    case StorSurpriseRemoval:
        if (adapter)
            VioscsiGone(Scsi);
        return SRB_STATUS_SUCCESS;
    default:
        /* Remove, stop, start, resource requirements: nothing of the
         * miniport's to free or set (the adapter's stop is ScsiStopAdapter;
         * a removed LUN's requests end at the device, BAD_TARGET) */
        return SRB_STATUS_SUCCESS;
    }
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: requests other than SCSI commands. */
static UCHAR VioscsiFunction(PVIOSCSI Scsi, PVIOSCSI_SRBEXT X)
{
    ULONG fn = SrbGetSrbFunction(X->Srb);

    switch (fn) {
    case SRB_FUNCTION_RESET_BUS:
        if (!VioscsiResetAll(Scsi))
            return SRB_STATUS_ERROR;
        if (!Scsi->Resetting)
            return SRB_STATUS_SUCCESS;
        /* The device is slow to read 0: completed after the requests it
         * held, when the timer finishes the reset */
        VioscsiWaitReset(Scsi, X);
        return SRB_STATUS_PENDING;
    case SRB_FUNCTION_RESET_DEVICE:
    case SRB_FUNCTION_RESET_LOGICAL_UNIT:
    case SRB_FUNCTION_ABORT_COMMAND:
        if (Scsi->Dump)
            return SRB_STATUS_SUCCESS; /* a dump copy ignores resets */
        return VioscsiSrbTmf(Scsi, X, fn);
    case SRB_FUNCTION_PNP:
        return VioscsiPnp(Scsi, X->Srb);
    case SRB_FUNCTION_FLUSH:
    case SRB_FUNCTION_SHUTDOWN:
    case SRB_FUNCTION_POWER:
        return SRB_STATUS_SUCCESS;
    default:
        return SRB_STATUS_INVALID_REQUEST;
    }
}

/* IRQL: any (pure): whether Srb is a LUN, target or bus reset. */
static BOOLEAN VioscsiIsReset(PVOID Srb)
{
    ULONG fn = SrbGetSrbFunction(Srb);
    return fn == SRB_FUNCTION_RESET_BUS || fn == SRB_FUNCTION_RESET_DEVICE ||
           fn == SRB_FUNCTION_RESET_LOGICAL_UNIT;
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock (or every queue's): a command
 * to a LUN a PARAM_CHANGE event named completes with its unit attention
 * (CHECK CONDITION, the event's ASC/ASCQ) instead of going to the device:
 * TRUE, completed. */
static BOOLEAN VioscsiUnitAttention(PVIOSCSI Scsi, PVIOSCSI_SRBEXT X)
{
    UCHAR sense[VSCSI_SENSE_FIXED_BYTES];
    struct vscsi_result res;

    if (Scsi->Ua.count == 0 ||
        !vscsi_ua_take(&Scsi->Ua, X->Target, X->Lun, X->Req[VSCSI_REQ_HDR_BYTES], sense))
        return FALSE;
    DbgPrint("vioscsi: %u:%lu: unit attention %02x/%02x reported\n", X->Target, X->Lun, sense[12],
             sense[13]);
    RtlZeroMemory(&res, sizeof(res));
    res.outcome = VSCSI_OUT_SCSI_ERROR;
    res.scsi_status = VSCSI_STATUS_CHECK_CONDITION;
    res.sense_len = VSCSI_SENSE_FIXED_BYTES;
    VioscsiComplete(Scsi, X->Srb, SRB_STATUS_ERROR, &res, sense);
    return TRUE;
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock (or every queue's): start X,
 * prepared (Status SRB_STATUS_PENDING) or not. */
static UCHAR VioscsiStartLocked(PVIOSCSI Scsi, PVOID Srb, PVIOSCSI_SRBEXT X, UCHAR Status)
{
    if (Status == SRB_STATUS_PENDING && Scsi->Resetting && !Scsi->Removed && !Scsi->Paused &&
        SrbGetSrbFunction(Srb) != SRB_FUNCTION_PNP) {
        /* A slow restart does not pause StorPort at DIRQL: the first
         * request that has to wait for it does */
        VwStorPause(Scsi, &Scsi->Perf);
        Scsi->Paused = TRUE;
    }
    if (Status == SRB_STATUS_PENDING && Scsi->Resetting && !Scsi->Removed && VioscsiIsReset(Srb)) {
        /* A reset SRB (they pass the pause) waits for the reset under way:
         * the device owns its requests until it reads 0, and that reset
         * ends them all; one of its own after would only reset it again */
        VioscsiWaitReset(Scsi, X);
        return SRB_STATUS_PENDING;
    }
    if (Status == SRB_STATUS_PENDING && (!Scsi->Ready || Scsi->Removed))
        /* PnP is answered without the device, even after a removal; while
         * StorPort is paused for a slow reset, what came before it waits */
        Status = SrbGetSrbFunction(Srb) == SRB_FUNCTION_PNP ? VioscsiPnp(Scsi, Srb)
                 : Scsi->Resetting && !Scsi->Removed        ? SRB_STATUS_BUSY
                                                            : SRB_STATUS_NO_DEVICE;
    if (Status == SRB_STATUS_PENDING && X->Kind == VIOSCSI_KIND_REQUEST &&
        VioscsiUnitAttention(Scsi, X))
        return SRB_STATUS_PENDING;
    if (Status == SRB_STATUS_PENDING)
        Status =
            X->Kind == VIOSCSI_KIND_REQUEST ? VioscsiSubmit(Scsi, X) : VioscsiFunction(Scsi, X);
    return Status;
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock held by StorPort (none with
 * concurrent channels): X under every queue's lock (apart: the fast path
 * keeps no lock array on its stack). */
static UCHAR VioscsiStartSlow(PVIOSCSI Scsi, PVOID Srb, PVIOSCSI_SRBEXT X, UCHAR Status)
{
    VW_STOR_LOCKS all;

    VwStorLockAll(Scsi, &Scsi->Perf, &all);
    Status = VioscsiStartLocked(Scsi, Srb, X, Status);
    VwStorUnlockAll(Scsi, &Scsi->Perf, &all);
    return Status;
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock held by StorPort (none with
 * concurrent channels): start a request on the request queue StorPort's
 * message for this CPU names.  With concurrent channels a command to a
 * running device takes only its queue's lock; the rest every queue's. */
BOOLEAN NTAPI VioscsiStartIo(PVOID DeviceExtension, PVOID Srb)
{
    PVIOSCSI scsi = DeviceExtension;
    PVIOSCSI_SRBEXT x = SrbGetMiniportContext(Srb);
    UCHAR status = SRB_STATUS_PENDING;

    /* An extension HwBuildIo did not fill (a retried request) is filled here */
    if (x->Srb != Srb || x->AtDevice)
        status = VioscsiPrepare(scsi, Srb, x);
    x->Queue = VwStorCpuQueue(scsi, scsi->NumQueues);
    if (status == SRB_STATUS_PENDING && scsi->Perf.Concurrent && x->Kind == VIOSCSI_KIND_REQUEST) {
        ULONG old;
        VwStorLockQueue(scsi, &scsi->Perf, x->Queue, &old);
        /* A unit attention waiting (raised under every lock) takes the slow path */
        BOOLEAN running = scsi->Ready && !scsi->Removed && !scsi->Resetting && scsi->Ua.count == 0;
        if (running)
            status = VioscsiSubmit(scsi, x);
        VwStorUnlockQueue(scsi, &scsi->Perf, x->Queue, old);
        if (running) {
            if (status != SRB_STATUS_PENDING)
                VioscsiComplete(scsi, Srb, status, NULL, NULL);
            return TRUE;
        }
    }
    status = VioscsiStartSlow(scsi, Srb, x, status);
    if (status != SRB_STATUS_PENDING)
        VioscsiComplete(scsi, Srb, status, NULL, NULL);
    return TRUE;
}
