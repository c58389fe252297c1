/*
 * vioscsi: requests out.  The interrupt routines queue the DPC of each
 * queue on their message; the DPC completes, under the StartIo lock, what
 * the device gave back: commands (response decoded, sense as autosense,
 * residual as the transfer length), task management requests, events
 * (bus change notifications; the buffer goes straight back).  A reset SRB's
 * TMF unanswered in time (the timer) and a bus reset with anything still at
 * the device end in a device reset, and only then are the requests the
 * device owned completed; nothing waits for the device at DISPATCH_LEVEL.
 * A dump copy polls from HwInterrupt.
 */
#include "vioscsi.h"

static VOID VioscsiEndWaiting(PVIOSCSI Scsi, UCHAR Status);

/* IRQL: any (pure): the SRB status of a decoded response */
static UCHAR VioscsiSrbStatus(enum vscsi_outcome Outcome)
{
    switch (Outcome) {
    case VSCSI_OUT_SUCCESS:
        return SRB_STATUS_SUCCESS;
    case VSCSI_OUT_UNDERRUN:
    case VSCSI_OUT_OVERRUN:
        return SRB_STATUS_DATA_OVERRUN; /* with the length moved */
    case VSCSI_OUT_ABORTED:
        return SRB_STATUS_ABORTED;
    case VSCSI_OUT_NO_TARGET:
        return SRB_STATUS_SELECTION_TIMEOUT; /* the class driver drops the LUN */
    case VSCSI_OUT_BUS_RESET:
        return SRB_STATUS_BUS_RESET;
    case VSCSI_OUT_BUSY:
        return SRB_STATUS_BUSY;
    case VSCSI_OUT_TRANSPORT:
        /* virtio 1.2 5.6.6.1: a failed connection between host and target,
         * an error "that involves transmission of data on the bus", which
         * the port driver retries (storage-class-driver-s-retryrequest-
         * routine); it resubmits SRB_STATUS_BUSY (return-from-hwscsistartio).
         * Bounded by the port driver: "if retry attempts fail" it completes
         * the request with an error and logs it, and the class driver does
         * not retry it again.  UNEXPECTED_BUS_FREE would not be retried. */
        return SRB_STATUS_BUSY;
    default:
        return SRB_STATUS_ERROR;
    }
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: the request X no longer at the device. */
static VOID VioscsiForget(PVIOSCSI Scsi, PVIOSCSI_SRBEXT X)
{
    X->AtDevice = FALSE;
    /* request queues drain on several CPUs at once under concurrent
     * channels; a reset zeroes it under every lock */
    if (Scsi->Outstanding != 0)
        InterlockedDecrement((LONG volatile *)&Scsi->Outstanding);
}

/* IRQL: any (pure): whether X is a command whose answer names LUNs
 * (INQUIRY: one there or not; REPORT LUNS: its target's) */
static BOOLEAN VioscsiFinds(PVIOSCSI_SRBEXT X)
{
    UCHAR op = X->Req[VSCSI_REQ_HDR_BYTES];
    return op == VSCSI_OP_INQUIRY || op == VSCSI_OP_REPORT_LUNS;
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: target:lun seen: in the table
 * (subscribed by the next VioscsiPostAn), or logged once when it is full. */
static VOID VioscsiSeen(PVIOSCSI Scsi, UCHAR Target, ULONG Lun)
{
    if (vscsi_an_seen(&Scsi->An, Target, Lun) || Scsi->AnFull)
        return;
    Scsi->AnFull = TRUE;
    DbgPrint("vioscsi: %u:%lu found with %u LUNs known: not subscribed\n", Target, Lun,
             (unsigned)VSCSI_AN_LUNS);
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: the LUNs the answer of X (an
 * INQUIRY or REPORT LUNS with GOOD status) names, from the data the device
 * moved into the SRB's buffer (mapped: STOR_MAP_NON_READ_WRITE_BUFFERS). */
static VOID VioscsiLearn(PVIOSCSI Scsi, PVIOSCSI_SRBEXT X, const struct vscsi_result *Res)
{
    if (Scsi->Dump || !VioscsiFinds(X) || Res->scsi_status != 0 ||
        (Res->outcome != VSCSI_OUT_SUCCESS && Res->outcome != VSCSI_OUT_UNDERRUN))
        return;
    const uint8_t *data = SrbGetDataBuffer(X->Srb);
    ULONG moved = Res->transferred;
    if (data == NULL || moved > SrbGetDataTransferLength(X->Srb))
        return;
    if (X->Req[VSCSI_REQ_HDR_BYTES] == VSCSI_OP_INQUIRY) {
        if (vscsi_inquiry_present(data, moved))
            VioscsiSeen(Scsi, X->Target, X->Lun);
        else
            vscsi_an_forget(&Scsi->An, X->Target, X->Lun);
        return;
    }
    uint32_t lun;
    unsigned bad = 0, i;
    int rc;
    for (i = 0; (rc = vscsi_report_lun(data, moved, i, &lun)) >= 0; i++) {
        if (rc == 0 || lun > Scsi->Ctrl.max_lun)
            bad++;
        else
            VioscsiSeen(Scsi, X->Target, lun);
    }
    if (bad != 0) /* one line per answer, however long the list */
        DbgPrint("vioscsi: REPORT LUNS of target %u: %u of %u entries not a LUN it can address\n",
                 X->Target, bad, i);
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: the answer of a command the
 * device gave back (Written bytes): decoded, the LUNs it names learnt,
 * completed. */
static VOID VioscsiAnswer(PVIOSCSI Scsi, PVIOSCSI_SRBEXT X, uint32_t Written)
{
    struct vscsi_result res;

    vscsi_decode_resp(X->Resp, Scsi->Ctrl.sense_size, X->Transfer, X->DataIn != 0, Written, &res);
    if (res.findings != 0)
        DbgPrint("vioscsi: response of %u:%lu breaks the protocol (0x%x, code %u)\n", X->Target,
                 X->Lun, res.findings, res.response);
    VioscsiLearn(Scsi, X, &res);
    VioscsiComplete(Scsi, X->Srb, VioscsiSrbStatus(res.outcome), &res,
                    X->Resp + VSCSI_RESP_HDR_BYTES);
}

/* IRQL: DISPATCH_LEVEL or above, request queue Q's lock (QueueOnly) or the
 * StartIo lock: a command the device gave back; one that names LUNs waits
 * for every lock when only Q's is held (the table is written under all). */
static VOID VioscsiFinishRequest(PVIOSCSI Scsi, PVIOSCSI_SRBEXT X, uint32_t Written, ULONG Q,
                                 BOOLEAN QueueOnly)
{
    VioscsiForget(Scsi, X);
    if (QueueOnly && VioscsiFinds(X)) {
        X->Written = Written;
        X->NextWaiting = Scsi->Queues[Q].Found;
        Scsi->Queues[Q].Found = X;
        return;
    }
    VioscsiAnswer(Scsi, X, Written);
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: the INQUIRY and REPORT LUNS
 * answers request queues kept for every lock: learnt and completed. */
static VOID VioscsiFlushFound(PVIOSCSI Scsi)
{
    if (!Scsi->Perf.Concurrent)
        return;
    for (ULONG q = VSCSI_FIRST_REQUEST; q < Scsi->NumQueues + VSCSI_FIRST_REQUEST; q++) {
        PVIOSCSI_SRBEXT x = Scsi->Queues[q].Found;
        Scsi->Queues[q].Found = NULL;
        while (x != NULL) {
            PVIOSCSI_SRBEXT next = x->NextWaiting;
            VioscsiAnswer(Scsi, x, x->Written);
            x = next;
        }
    }
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: see vioscsi.h. */
VOID VioscsiTmfPosted(PVIOSCSI Scsi, PVIOSCSI_SRBEXT X)
{
    UCHAR g = (UCHAR)(Scsi->TmfPeriods & 1);

    X->TmfGen = g;
    Scsi->TmfIn[g]++;
    Scsi->TmfOutstanding++;
    /* Armed once, not again for each TMF: a stream of TMFs must not push
     * back the end of one the device never answers */
    if (Scsi->Dump || Scsi->TimerArmed)
        return;
    Scsi->TimerArmed = TRUE;
    VwStorTimerRequest(&Scsi->Virtio.Holdoff, (ULONG)VIOSCSI_TMF_PERIOD_US);
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: see vioscsi.h. */
VOID VioscsiTmfClear(PVIOSCSI Scsi)
{
    Scsi->TmfOutstanding = 0;
    Scsi->TmfIn[0] = Scsi->TmfIn[1] = 0;
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: whether a command for Target
 * (and Lun, unless WholeTarget) is still at the device, from the rings'
 * own state. */
static BOOLEAN VioscsiHeld(PVIOSCSI Scsi, UCHAR Target, ULONG Lun, BOOLEAN WholeTarget)
{
    for (ULONG q = VSCSI_FIRST_REQUEST; q < Scsi->NumQueues + VSCSI_FIRST_REQUEST; q++) {
        uint16_t pos = 0;
        PVOID cookie;
        while ((cookie = virtqueue_next_outstanding(&Scsi->Queues[q].Vq, &pos)) != NULL) {
            PVIOSCSI_SRBEXT r = cookie;
            if (r->Kind == VIOSCSI_KIND_REQUEST && r->Target == Target &&
                (WholeTarget || r->Lun == Lun))
                return TRUE;
        }
    }
    return FALSE;
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: a TMF the device answered.
 * A LUN or device reset SRB completes only after every request of its LU
 * (target) did (storage/multi-tier-reset-in-storport): what the device
 * gave back completes first with its own status; a request it still holds
 * after answering could only be ended while it owns the buffers, so the
 * device is reset, which ends each of those once (BUS_RESET). */
static VOID VioscsiFinishTmf(PVIOSCSI Scsi, PVIOSCSI_SRBEXT x, uint32_t Written)
{
    if (Scsi->TmfOutstanding != 0)
        Scsi->TmfOutstanding--;
    if (Scsi->TmfIn[x->TmfGen & 1] != 0)
        Scsi->TmfIn[x->TmfGen & 1]--;
    enum vscsi_tmf_outcome out = vscsi_decode_tmf(x->TmfResponse, Written);
    ULONG fn = SrbGetSrbFunction(x->Srb);
    if (out == VSCSI_TMF_DONE && fn != SRB_FUNCTION_ABORT_COMMAND) {
        for (ULONG q = VSCSI_FIRST_REQUEST; q < Scsi->NumQueues + VSCSI_FIRST_REQUEST; q++)
            VioscsiDrain(Scsi, q);
        if (Scsi->Ready && !Scsi->Removed &&
            VioscsiHeld(Scsi, x->Target, x->Lun, fn == SRB_FUNCTION_RESET_DEVICE)) {
            DbgPrint("vioscsi: %u:%lu reset, yet the device still holds its requests: device "
                     "reset\n",
                     x->Target, x->Lun);
            VioscsiResetDevice(Scsi);
        }
    }
    if (Scsi->Resetting) {
        /* The held requests end when the slow reset does: the SRB after them */
        VioscsiWaitReset(Scsi, x);
        return;
    }
    VioscsiComplete(Scsi, x->Srb, out == VSCSI_TMF_DONE ? SRB_STATUS_SUCCESS : SRB_STATUS_ERROR,
                    NULL, NULL);
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: the device answered an
 * AN_SUBSCRIBE: the classes it granted at that LUN are the ones accepted
 * there from now on; the slot takes the next LUN waiting. */
static VOID VioscsiFinishAn(PVIOSCSI Scsi, VIOSCSI_AN_BUF *A, uint32_t Written)
{
    unsigned findings;

    A->Pad[0] = 0;
    uint32_t granted = vscsi_decode_an(A->Resp, Written, VSCSI_AN_WANTED, &findings);
    if (findings != 0)
        DbgPrint("vioscsi: asynchronous notification answer of %u:%lu breaks the protocol "
                 "(0x%x, %lu bytes)\n",
                 A->Target, A->Lun, findings, (ULONG)Written);
    if (vscsi_an_answered(&Scsi->An, A->Entry, A->Target, A->Lun, granted))
        DbgPrint("vioscsi: asynchronous notification at %u:%lu: classes 0x%lx granted\n", A->Target,
                 A->Lun, (ULONG)granted);
    VioscsiPostAn(Scsi);
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: a subscribed class fired at
 * target:lun: StorPort re-enumerates that LUN (STATE_CHANGE_LUN), or, when
 * it takes no state change now (one at a time) or the LUN has no BTL8
 * address, rescans the bus. */
static VOID VioscsiLunChanged(PVIOSCSI Scsi, const struct vscsi_event *Ev)
{
    ULONG slot = Scsi->StateLast ^ 1;
    PSTOR_ADDR_BTL8 a = &Scsi->StateAddr[slot];

    if (Ev->lun <= 0xff) {
        RtlZeroMemory(a, sizeof(*a));
        a->Type = STOR_ADDRESS_TYPE_BTL8;
        a->AddressLength = STOR_ADDR_BTL8_ADDRESS_LENGTH;
        a->Target = Ev->target;
        a->Lun = (UCHAR)Ev->lun;
        ULONG status =
            StorPortStateChangeDetected(Scsi, STATE_CHANGE_LUN, (PSTOR_ADDRESS)a, 0, NULL, NULL);
        if (status == STOR_STATUS_SUCCESS) {
            Scsi->StateLast = slot;
            return;
        }
        DbgPrint("vioscsi: state change of %u:%lu not taken (0x%lx): bus change\n", Ev->target,
                 Ev->lun, status);
    }
    StorPortNotification(BusChangeDetected, Scsi, 0);
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: an event; its buffer goes back. */
static VOID VioscsiFinishEvent(PVIOSCSI Scsi, VIOSCSI_EVENT_BUF *E, uint32_t Written)
{
    struct vscsi_event ev;

    E->Pad[0] = 0;
    if (Scsi->EventsPosted != 0)
        Scsi->EventsPosted--;
    vscsi_decode_event(E->Data, Written, &Scsi->Ctrl, &Scsi->An, &ev);
    switch (ev.kind) {
    case VSCSI_EV_NONE:
        break;
    case VSCSI_EV_BAD:
        DbgPrint("vioscsi: event ignored (type 0x%lx, %lu bytes, findings 0x%x)\n",
                 Written >= 4 ? (ULONG)vscsi_le32(E->Data) : 0UL, (ULONG)Written, ev.findings);
        break;
    case VSCSI_EV_ASYNC:
        /* A medium or operating state changed at one LUN */
        DbgPrint("vioscsi: asynchronous notification 0x%lx on %u:%lu\n", (ULONG)ev.events,
                 ev.target, ev.lun);
        if (!Scsi->Dump)
            VioscsiLunChanged(Scsi, &ev);
        break;
    case VSCSI_EV_PARAM_CHANGE:
        /* The LUN's next command reports it as a unit attention (vscsi_ua.c),
         * which makes the class driver re-read what changed (a disk's
         * capacity); the rescan below as well, for LUNs a change adds */
        if (!vscsi_ua_raise(&Scsi->Ua, ev.target, ev.lun, ev.asc, ev.ascq))
            DbgPrint("vioscsi: PARAM_CHANGE %02x/%02x on %u:%lu: %u LUNs have one waiting: "
                     "not reported\n",
                     ev.asc, ev.ascq, ev.target, ev.lun, (unsigned)VSCSI_UA_MAX);
        /* fall through */
    case VSCSI_EV_REMOVED:
    case VSCSI_EV_RESCAN:
        /* A LUN gone, or a new one at that address: subscribed again when
         * found (a new one at once) */
        vscsi_an_forget(&Scsi->An, ev.target, ev.lun);
        if (ev.kind == VSCSI_EV_RESCAN)
            VioscsiSeen(Scsi, ev.target, ev.lun);
        /* fall through */
    default:
        /* Hot-add, hot-remove, a reset target, a changed parameter (e.g.
         * capacity) or lost events: StorPort rescans (REPORT LUNS from the target) */
        DbgPrint("vioscsi: event %d on %u:%lu: bus change\n", (int)ev.kind, ev.target, ev.lun);
        if (!Scsi->Dump)
            StorPortNotification(BusChangeDetected, Scsi, 0);
        break;
    }
    VioscsiPostEvents(Scsi);
}

/* IRQL: DISPATCH_LEVEL or above, request queue Q's lock, or the StartIo lock,
 * or a dump copy: see vioscsi.h. */
BOOLEAN VioscsiDrainQueue(PVIOSCSI Scsi, ULONG Q, BOOLEAN QueueOnly)
{
    struct virtqueue *vq = &Scsi->Queues[Q].Vq;
    uint32_t len;
    ULONG got = 0;

    /* A removed device's requests are VioscsiGone's to complete (it waits
     * for this lock): an event buffer posted back would notify the gone function */
    if (!Scsi->Ready || Scsi->Removed)
        return FALSE;
    for (;;) {
        PVOID cookie;
        while (Scsi->Ready && !Scsi->Removed && (cookie = virtqueue_get(vq, &len)) != NULL) {
            got++;
            if (Q == VSCSI_CONTROL_QUEUE && *(PUCHAR)cookie == VIOSCSI_KIND_AN)
                VioscsiFinishAn(Scsi, cookie, len);
            else if (Q == VSCSI_CONTROL_QUEUE)
                VioscsiFinishTmf(Scsi, cookie, len);
            else if (Q == VSCSI_EVENT_QUEUE)
                VioscsiFinishEvent(Scsi, cookie, len);
            else
                VioscsiFinishRequest(Scsi, cookie, len, Q, QueueOnly);
        }
        if (!Scsi->Ready || Scsi->Removed)
            return FALSE;
        if (virtqueue_broken(vq))
            return TRUE;
        /* CompletionHoldoff, request queues only: maybe the interrupt at the
         * last held request's end */
        if (Q >= VSCSI_FIRST_REQUEST ? VwStorHoldoffEnable(&Scsi->Virtio.Holdoff, Q, vq, got)
                                     : virtqueue_enable_cb(vq))
            return FALSE;
        virtqueue_disable_cb(vq);
    }
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock (or a dump copy): see vioscsi.h. */
VOID VioscsiDrain(PVIOSCSI Scsi, ULONG Q)
{
    if (VioscsiDrainQueue(Scsi, Q, FALSE)) {
        DbgPrint("vioscsi: queue %lu broken by the device: reset\n", Q);
        VioscsiResetDevice(Scsi);
    }
    /* LUNs found under a queue's lock alone, then subscriptions for them */
    VioscsiFlushFound(Scsi);
    VioscsiPostAn(Scsi);
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: something the reset took back. */
static void VioscsiCancel(void *ctx, struct virtqueue *vq, void *cookie)
{
    PVIOSCSI scsi = ctx;
    (void)vq;

    switch (*(PUCHAR)cookie) {
    case VIOSCSI_KIND_REQUEST: {
        PVIOSCSI_SRBEXT x = cookie;
        x->AtDevice = FALSE;
        VioscsiComplete(scsi, x->Srb, SRB_STATUS_BUS_RESET, NULL, NULL);
        break;
    }
    case VIOSCSI_KIND_SRB_TMF: {
        /* The device reset did what the LUN reset or abort asked */
        PVIOSCSI_SRBEXT x = cookie;
        VioscsiComplete(scsi, x->Srb, SRB_STATUS_SUCCESS, NULL, NULL);
        break;
    }
    default: /* an event buffer */
        ((VIOSCSI_EVENT_BUF *)cookie)->Pad[0] = 0;
        break;
    }
}

/* IRQL: DISPATCH_LEVEL, StartIo lock: something taken back from a removed device. */
static void VioscsiCancelGone(void *ctx, struct virtqueue *vq, void *cookie)
{
    PVIOSCSI scsi = ctx;
    (void)vq;

    switch (*(PUCHAR)cookie) {
    case VIOSCSI_KIND_REQUEST:
    case VIOSCSI_KIND_SRB_TMF: {
        PVIOSCSI_SRBEXT x = cookie;
        x->AtDevice = FALSE;
        VioscsiComplete(scsi, x->Srb, SRB_STATUS_NO_DEVICE, NULL, NULL);
        break;
    }
    default: /* an event buffer */
        ((VIOSCSI_EVENT_BUF *)cookie)->Pad[0] = 0;
        break;
    }
}

/* IRQL: any, no lock: see vioscsi.h.  A full barrier: the store is seen by
 * every processor before anything this one does next. */
VOID VioscsiMarkGone(PVIOSCSI Scsi)
{
    InterlockedExchange(&Scsi->Removed, TRUE);
}

/* IRQL: DISPATCH_LEVEL, StartIo lock: see vioscsi.h.  The function is gone,
 * so nothing it held can be written any more: the requests, TMFs and event
 * buffers are taken from the rings' own memory, with no register access
 * and no reset; a TMF timer still armed finds the adapter not ready. */
VOID VioscsiGone(PVIOSCSI Scsi)
{
    struct virtqueue *vqs[VIOSCSI_NQ];
    ULONG nq = Scsi->NumQueues + VSCSI_FIRST_REQUEST;

    VioscsiMarkGone(Scsi);
    /* An interrupt routine on another processor that read Removed before
     * the store may still be reading ISR status: the interrupt lock (every
     * message's, taken after the StartIo lock as StorPort orders them)
     * waits for it, and every interrupt after it sees Removed. */
    VwStorSyncInterrupts(Scsi, &Scsi->Perf);
    VioscsiFlushFound(Scsi); /* answered already: complete as answered */
    if (!Scsi->Ready && !Scsi->Resetting)
        return; /* taken back already, or a failed reset left nothing on the rings */
    BOOLEAN paused = Scsi->Paused;
    Scsi->Ready = FALSE;
    Scsi->Resetting = Scsi->Restarting = FALSE; /* the timer finds nothing to finish */
    Scsi->Paused = FALSE;
    DbgPrint("vioscsi: surprise removal: %lu request(s) and %lu TMF(s) at the device end "
             "NO_DEVICE\n",
             Scsi->Outstanding, Scsi->TmfOutstanding);
    for (ULONG q = 0; q < nq; q++)
        vqs[q] = &Scsi->Queues[q].Vq;
    VwStorDetachAll(vqs, nq, VioscsiCancelGone, Scsi);
    Scsi->Outstanding = 0;
    VioscsiTmfClear(Scsi);
    Scsi->EventsPosted = 0;
    VioscsiEndWaiting(Scsi, SRB_STATUS_NO_DEVICE);
    if (paused)
        VwStorResume(Scsi, &Scsi->Perf);
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: the device read 0 after its
 * reset (Rc 0), or never will: complete what it had (requests BUS_RESET
 * first, then the TMFs, whose SRBs the reset answered) and bring it back,
 * or leave it failed; then the reset SRBs that waited, and StorPort resumes
 * if it was paused for the reset. */
static BOOLEAN VioscsiResetFinish(PVIOSCSI Scsi, int Rc)
{
    struct virtqueue *vqs[VIOSCSI_NQ];
    ULONG nq = Scsi->NumQueues + VSCSI_FIRST_REQUEST;
    BOOLEAN paused = Scsi->Paused;

    Scsi->Resetting = FALSE;
    Scsi->Paused = FALSE;
    VioscsiFlushFound(Scsi); /* answered before the reset: complete as answered */
    /* The request queues first, the control queue after them: a reset
     * SRB's TMF completes after the requests it was to end */
    for (ULONG q = 0; q < nq; q++)
        vqs[q] = &Scsi->Queues[(q + VSCSI_FIRST_REQUEST) % nq].Vq;
    /* Completions happen in the cancel callback, after the device is reset */
    if (Rc == 0)
        Rc = virtio_device_restart_finish(&Scsi->Virtio.Dev, vqs, nq, VioscsiCancel, Scsi);
    if (Rc == 0) {
        Scsi->Outstanding = 0;
        VioscsiTmfClear(Scsi);
        Scsi->EventsPosted = 0;
        if (!VioscsiKeepSizes(Scsi)) {
            DbgPrint("vioscsi: after the reset the device lays requests out otherwise\n");
            Rc = VIRTIO_EPROTO;
        }
    }
    Scsi->Ready = Rc == 0;
    if (Rc != 0) {
        /* The device may still own what it had: those requests stay
         * uncompleted here (StorPort ends them), the adapter is gone */
        DbgPrint("vioscsi: the device did not come back from a reset (%d)\n", Rc);
        virtio_device_fail(&Scsi->Virtio.Dev);
    } else {
        /* The reset ended every subscription with everything else */
        VioscsiPostEvents(Scsi);
        vscsi_an_renew(&Scsi->An);
        VioscsiPostAn(Scsi);
    }
    VioscsiEndWaiting(Scsi, Rc == 0 ? SRB_STATUS_SUCCESS : SRB_STATUS_ERROR);
    if (paused)
        VwStorResume(Scsi, &Scsi->Perf);
    return Rc == 0;
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: see vioscsi.h.  A dump copy
 * has no timer and no stall limit: it waits as long as the core allows. */
BOOLEAN VioscsiResetDevice(PVIOSCSI Scsi)
{
    if (!Scsi->Ready || Scsi->Removed)
        return FALSE;
    Scsi->Resets++;
    int rc = virtio_device_reset_start(&Scsi->Virtio.Dev,
                                       Scsi->Dump ? VIRTIO_RESET_POLLS : VW_STOR_RESET_POLLS);
    if (rc == VIRTIO_EAGAIN && Scsi->Dump) {
        virtio_device_set_broken(&Scsi->Virtio.Dev, VIRTIO_VIOL_RESET_TIMEOUT);
        rc = VIRTIO_ETIMEDOUT;
    }
    if (rc != VIRTIO_EAGAIN)
        return VioscsiResetFinish(Scsi, rc);
    /* Nothing is reinitialised, completed or submitted until it reads 0:
     * StorPort holds new requests (StorPortPause: the timer's bound and
     * more), the rings are left alone (Ready is FALSE).  The adapter's one
     * timer polls it: a TMF period it had armed is replaced, the reset
     * ends every TMF. */
    DbgPrint("vioscsi: the device is slow to reset: finishing from the timer\n");
    Scsi->Ready = FALSE;
    Scsi->Resetting = TRUE;
    VwStorPause(Scsi, &Scsi->Perf);
    Scsi->Paused = TRUE;
    Scsi->TimerArmed = TRUE;
    VwStorResetArm(&Scsi->Virtio, &Scsi->ResetWaits);
    return TRUE;
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: see vioscsi.h. */
VOID VioscsiWaitReset(PVIOSCSI Scsi, PVIOSCSI_SRBEXT X)
{
    X->NextWaiting = Scsi->Waiting;
    Scsi->Waiting = X;
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: complete the reset SRBs that
 * waited for the reset, with Status. */
static VOID VioscsiEndWaiting(PVIOSCSI Scsi, UCHAR Status)
{
    PVIOSCSI_SRBEXT x = Scsi->Waiting;

    Scsi->Waiting = NULL;
    while (x != NULL) {
        PVIOSCSI_SRBEXT next = x->NextWaiting;
        VioscsiComplete(Scsi, x->Srb, Status, NULL, NULL);
        x = next;
    }
}

/* IRQL: DISPATCH_LEVEL, StartIo lock held by StorPort: one read of a slow
 * reset's device_status per period, never a wait. */
static VOID VioscsiResetTimer(PVIOSCSI Scsi)
{
    int rc = VwStorResetWaited(&Scsi->Virtio, virtio_device_reset_poll(&Scsi->Virtio.Dev),
                               &Scsi->ResetWaits);
    if (rc == VIRTIO_EAGAIN) {
        Scsi->TimerArmed = TRUE;
        return;
    }
    VioscsiResetFinish(Scsi, rc);
}

/* IRQL: DISPATCH_LEVEL, StartIo lock held by StorPort: a restart whose reset
 * the device is slow to finish: one step per period, 100 at most, then the
 * device is failed; StorPort resumes if a request paused it meanwhile. */
static VOID VioscsiRestartTimer(PVIOSCSI Scsi)
{
    int rc = VwStorResetWaited(&Scsi->Virtio, VioscsiRestartStep(Scsi, FALSE), &Scsi->ResetWaits);
    if (rc == VIRTIO_EAGAIN) {
        Scsi->TimerArmed = TRUE;
        return;
    }
    if (rc == VIRTIO_ETIMEDOUT) {
        DbgPrint("vioscsi: the device did not finish its reset for the restart\n");
        virtio_device_fail(&Scsi->Virtio.Dev);
        Scsi->Ready = FALSE;
    }
    Scsi->Resetting = Scsi->Restarting = FALSE;
    VioscsiEndWaiting(Scsi, Scsi->Ready ? SRB_STATUS_SUCCESS : SRB_STATUS_ERROR);
    if (Scsi->Paused) {
        Scsi->Paused = FALSE;
        VwStorResume(Scsi, &Scsi->Perf);
    }
}

/* IRQL: DISPATCH_LEVEL, StartIo lock held by StorPort: the adapter's one
 * timer.  While a slow reset goes on it polls the device (1 ms periods);
 * otherwise a TMF timer period ended: TMFs posted in the period before it
 * have had a whole period and more: any still at the device ends in a
 * device reset, which completes each of their SRBs (and the requests they
 * were to end) once; TMFs of the period that ended get the next one.
 * Nothing waits in the meantime. */
static VOID VioscsiTimerLocked(PVIOSCSI scsi)
{
    ULONG old = (scsi->TmfPeriods + 1) & 1; /* the parity before the current one */

    scsi->TimerArmed = FALSE;
    if (scsi->Removed)
        return;
    if (scsi->Restarting) {
        VioscsiRestartTimer(scsi);
        return;
    }
    if (scsi->Resetting) {
        VioscsiResetTimer(scsi);
        return;
    }
    if (!scsi->Ready)
        return;
    if (scsi->TmfIn[old] != 0) {
        DbgPrint("vioscsi: %lu TMF(s) unanswered for a timer period: device reset\n",
                 scsi->TmfIn[old]);
        VioscsiResetDevice(scsi);
        return;
    }
    scsi->TmfPeriods++;
    if (scsi->TmfOutstanding != 0) {
        scsi->TimerArmed = TRUE;
        VwStorTimerRequest(&scsi->Virtio.Holdoff, (ULONG)VIOSCSI_TMF_PERIOD_US);
    }
}

/* IRQL: DISPATCH_LEVEL, StartIo lock or every queue's: the request queues
 * whose interrupt CompletionHoldoff put off are drained (a reset since took
 * their requests back: nothing is left to drain). */
static VOID VioscsiDrainHeld(PVIOSCSI Scsi)
{
    for (ULONG q = VSCSI_FIRST_REQUEST; q < Scsi->NumQueues + VSCSI_FIRST_REQUEST; q++)
        if (VwStorHoldoffTake(&Scsi->Virtio.Holdoff, q) && Scsi->Ready && !Scsi->Removed)
            VioscsiDrain(Scsi, q);
}

/* IRQL: DISPATCH_LEVEL, StartIo lock held by StorPort, or none with
 * concurrent channels (every queue's taken here): the timer's work: the
 * held queues, then the other purposes when the call was theirs (a TMF
 * period or a slow reset's poll; TimerArmed stays while theirs is kept). */
VOID NTAPI VioscsiTimer(PVOID DeviceExtension)
{
    PVIOSCSI scsi = DeviceExtension;
    VW_STOR_LOCKS all;

    VwStorLockAll(scsi, &scsi->Perf, &all);
    BOOLEAN other = VwStorTimerFired(&scsi->Virtio.Holdoff);
    VioscsiDrainHeld(scsi);
    if (other)
        VioscsiTimerLocked(scsi);
    VwStorTimerSettle(&scsi->Virtio.Holdoff);
    VwStorUnlockAll(scsi, &scsi->Perf, &all);
}

/* IRQL: DISPATCH_LEVEL, StartIo lock: see vioscsi.h.  A slow reset under way
 * is polled once more; until the device reads 0 it may still use the rings
 * (virtio 1.2 2.4.1), so what it held stays at the miniport and the
 * timer's finish completes it (BUS_RESET), the waiting reset SRBs after. */
BOOLEAN VioscsiResetAll(PVIOSCSI Scsi)
{
    ULONG nq = Scsi->NumQueues + VSCSI_FIRST_REQUEST;

    if (Scsi->Restarting)
        return TRUE; /* nothing at the device: the rings were empty at the stop */
    if (Scsi->Resetting && !Scsi->Removed) {
        int rc = virtio_device_reset_poll(&Scsi->Virtio.Dev);
        return rc == VIRTIO_EAGAIN || VioscsiResetFinish(Scsi, rc);
    }
    /* VioscsiActionOnReset 1 does not apply here: what the device still
     * held would be completed by StorPort and then again by its answer */
    if (Scsi->Dump || !Scsi->Ready)
        return TRUE;
    if (Scsi->ResetAction == VSCSI_RESET_BUGCHECK)
        KeBugCheckEx(VSCSI_REG_BUGCHECK_VALUE, (ULONG_PTR)Scsi, Scsi->Outstanding, 0, 0);
    for (ULONG q = 0; q < nq && Scsi->Ready; q++)
        VioscsiDrain(Scsi, q);
    if (!Scsi->Ready || (Scsi->Outstanding == 0 && Scsi->TmfOutstanding == 0))
        return TRUE;
    DbgPrint("vioscsi: bus reset with %lu request(s) and %lu TMF(s) at the device: device "
             "reset\n",
             Scsi->Outstanding, Scsi->TmfOutstanding);
    return VioscsiResetDevice(Scsi);
}

/* IRQL: DISPATCH_LEVEL, StartIo lock held by StorPort: a bus reset, the last
 * of StorPort's three tiers (storage/multi-tier-reset-in-storport: a LUN
 * reset SRB, then a device reset SRB, both asynchronous and answered here by
 * TMFs under the timer above; then this "synchronous callback").  The
 * miniport completes what HwStartIo took "with SRB_STATUS_BUS_RESET if
 * necessary" and returns TRUE "if the bus is successfully reset"
 * (storport/nc-storport-hw_reset_bus), never before the device gave it back
 * or read 0 after its reset; a TMF could only be awaited by a busy wait at
 * DISPATCH_LEVEL (StorPortStallExecution: "less than a full millisecond").
 * So: what the device already gave back completes with its own status, and
 * if anything is still at the device it is reset at once, which completes
 * the rest (BUS_RESET) without waiting for the device to answer anything.
 * A device that has not read 0 within the 8 reads allowed here is not
 * reset yet: FALSE, and its requests end BUS_RESET when the timer sees it
 * read 0 (lead decision, NOTICE 03:22). */
BOOLEAN NTAPI VioscsiResetBus(PVOID DeviceExtension, ULONG PathId)
{
    PVIOSCSI scsi = DeviceExtension;
    VW_STOR_LOCKS all;
    UNREFERENCED_PARAMETER(PathId);

    /* StorPort holds the StartIo lock and every channel: the DPCs still
     * drain, so with concurrent channels every queue's lock too */
    VwStorLockAll(scsi, &scsi->Perf, &all);
    BOOLEAN ok = VioscsiResetAll(scsi) && !scsi->Resetting;
    VwStorUnlockAll(scsi, &scsi->Perf, &all);
    return ok;
}

/* IRQL: DIRQL: what an interrupt stands for: DPCs for the queues on Message. */
static BOOLEAN VioscsiDispatch(PVIOSCSI Scsi, ULONG Message, BOOLEAN Line)
{
    ULONG nq = Scsi->NumQueues + VSCSI_FIRST_REQUEST;

    if (Scsi->Dump) {
        /* Polled by StorPort: no DPCs in a dump copy */
        for (ULONG q = 0; q < nq; q++)
            VioscsiDrain(Scsi, q);
        return TRUE;
    }
    if (Scsi->Removed)
        return FALSE; /* a shared line: not ours, and the function reads all ones */
    uint8_t isr = virtio_isr_ack(&Scsi->Virtio.Dev, (uint16_t)Message);
    if (isr == 0)
        return FALSE;
    if (!Scsi->DpcReady)
        return TRUE; /* before the passive routine: the next interrupt drains */
    BOOLEAN any = Line || !Scsi->Virtio.Dev.msix;
    /* A configuration change can only mean NEEDS_RESET: the control DPC looks */
    if (isr & VIRTIO_PCI_ISR_CONFIG)
        StorPortIssueDpc(Scsi, &Scsi->Queues[VSCSI_CONTROL_QUEUE].Dpc,
                         (PVOID)(ULONG_PTR)VSCSI_CONTROL_QUEUE, NULL);
    if (!(isr & VIRTIO_PCI_ISR_QUEUE))
        return TRUE;
    if (!any && Scsi->Plan.mode == VSCSI_MSG_ONE_EACH && Message >= Scsi->Plan.queue_msg[0]) {
        /* Request queue q alone on message queue_msg[0] + q: no walk over
         * every queue per interrupt */
        ULONG q = VSCSI_FIRST_REQUEST + Message - Scsi->Plan.queue_msg[0];
        if (q < nq)
            StorPortIssueDpc(Scsi, &Scsi->Queues[q].Dpc, (PVOID)(ULONG_PTR)q, NULL);
        return TRUE;
    }
    for (ULONG q = 0; q < nq; q++) {
        uint16_t msg = q == VSCSI_CONTROL_QUEUE ? Scsi->Plan.control_msg
                       : q == VSCSI_EVENT_QUEUE ? Scsi->Plan.event_msg
                                                : Scsi->Plan.queue_msg[q - VSCSI_FIRST_REQUEST];
        if (any || msg == Message)
            StorPortIssueDpc(Scsi, &Scsi->Queues[q].Dpc, (PVOID)(ULONG_PTR)q, NULL);
    }
    return TRUE;
}

/* IRQL: DIRQL, interrupt lock held: a line interrupt, or a dump copy's poll. */
BOOLEAN NTAPI VioscsiInterrupt(PVOID DeviceExtension)
{
    return VioscsiDispatch(DeviceExtension, 0, TRUE);
}

/* IRQL: DIRQL, the message's lock held: a message-signalled interrupt. */
BOOLEAN NTAPI VioscsiMsiInterrupt(PVOID DeviceExtension, ULONG MessageId)
{
    return VioscsiDispatch(DeviceExtension, MessageId, FALSE);
}

/* IRQL: DISPATCH_LEVEL: complete what queue SystemArgument1 has finished (the
 * control queue's DPC also looks for NEEDS_RESET). */
VOID NTAPI VioscsiQueueDpc(PSTOR_DPC Dpc, PVOID DeviceExtension, PVOID SystemArgument1,
                           PVOID SystemArgument2)
{
    PVIOSCSI scsi = DeviceExtension;
    STOR_LOCK_HANDLE lock;
    ULONG q = (ULONG)(ULONG_PTR)SystemArgument1;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument2);

    if (q >= scsi->NumQueues + VSCSI_FIRST_REQUEST)
        return;
    BOOLEAN concurrent = scsi->Perf.Concurrent;
    if (concurrent && q >= VSCSI_FIRST_REQUEST) {
        /* This request queue's lock only: the others drain on their CPUs */
        ULONG old;
        VwStorLockQueue(scsi, &scsi->Perf, q - VSCSI_FIRST_REQUEST, &old);
        BOOLEAN broken = VioscsiDrainQueue(scsi, q, TRUE);
        BOOLEAN found = scsi->Queues[q].Found != NULL;
        VwStorUnlockQueue(scsi, &scsi->Perf, q - VSCSI_FIRST_REQUEST, old);
        if (!broken && !found)
            return;
    }
    /* The control and event queues, a reset, and the LUNs found: every lock */
    VW_STOR_LOCKS all;
    if (!concurrent)
        StorPortAcquireSpinLock(scsi, StartIoLock, NULL, &lock);
    VwStorLockAll(scsi, &scsi->Perf, &all);
    if (q == VSCSI_CONTROL_QUEUE && scsi->Ready && !scsi->Removed &&
        virtio_device_needs_reset(&scsi->Virtio.Dev)) {
        DbgPrint("vioscsi: the device needs a reset\n");
        VioscsiResetDevice(scsi);
    }
    VioscsiDrain(scsi, q);
    VwStorUnlockAll(scsi, &scsi->Perf, &all);
    if (!concurrent)
        StorPortReleaseSpinLock(scsi, &lock);
}
