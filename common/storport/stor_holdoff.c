/*
 * CompletionHoldoff on a StorPort miniport and the sharing of its one
 * timer (see stor_holdoff.h).
 */
#include "stor_holdoff.h"
#include "stor_srb.h"

/* IRQL: PASSIVE_LEVEL (HIGH_LEVEL in a dump copy): see stor_holdoff.h. */
VOID VwStorHoldoffRead(PVW_STOR_HOLDOFF H, PVOID Ext, PHW_TIMER Timer, PCSTR Driver, BOOLEAN Dump,
                       const struct virtio_device *Dev)
{
    enum vw_holdoff_note note;

    RtlZeroMemory(H, sizeof(*H));
    H->Ext = Ext;
    H->Timer = Timer;
    if (Dump)
        return;    /* no registry at HIGH_LEVEL, and no timer in a dump copy */
    ULONG raw = 0; /* absent: off */
    VwStorRegistryDword(Ext, "CompletionHoldoff", &raw);
    H->Us = vw_holdoff_us(raw, virtio_has_feature(Dev, VIRTIO_F_EVENT_IDX),
                          virtio_has_feature(Dev, VIRTIO_F_RING_PACKED), &note);
    H->IdleLimit = vw_holdoff_idle_periods(H->Us);
    if (note == VW_HOLDOFF_NOTE_CLAMPED)
        DbgPrint("%s: CompletionHoldoff %lu: %lu used\n", Driver, raw, (ULONG)VW_HOLDOFF_MAX_US);
    else if (note == VW_HOLDOFF_NOTE_NO_EVENT_IDX)
        DbgPrint("%s: CompletionHoldoff %lu: no effect without EVENT_IDX\n", Driver, raw);
    else if (note == VW_HOLDOFF_NOTE_PACKED)
        DbgPrint("%s: CompletionHoldoff %lu: no effect on packed rings\n", Driver, raw);
}

/* IRQL: DISPATCH_LEVEL or above, queue Q's lock: see stor_holdoff.h. */
BOOLEAN VwStorHoldoffEnable(PVW_STOR_HOLDOFF H, ULONG Q, struct virtqueue *Vq, ULONG Got)
{
    if (Q >= VW_STOR_HOLDOFF_QUEUES)
        return virtqueue_enable_cb(Vq);
    /* The timer's drains found nothing IdleLimit times in a row: the device
     * is idle or stalled, and the timer would only poll it; the next
     * completion interrupts at once */
    BOOLEAN idle = FALSE;
    if (Got != 0)
        H->Idle[Q] = 0;
    else if (H->Timed[Q] && ++H->Idle[Q] >= H->IdleLimit) {
        H->Idle[Q] = 0;
        idle = TRUE;
    }
    H->Timed[Q] = FALSE;
    if (H->Us == 0 || idle || virtqueue_in_flight(Vq) < 2)
        return virtqueue_enable_cb(Vq);
    /* Queues drain on several CPUs at once: one of them asks for the call */
    LONG owner = InterlockedCompareExchange(&H->Owner, VW_STOR_TIMER_HOLDOFF, VW_STOR_TIMER_FREE);
    if (owner == VW_STOR_TIMER_OTHER)
        return virtqueue_enable_cb(Vq); /* the timer serves a reset, a TMF or GET_ID */
    H->Held[Q] = TRUE;
    if (owner == VW_STOR_TIMER_FREE) {
        StorPortNotification(RequestTimerCall, H->Ext, H->Timer, H->Us);
    }
    return virtqueue_enable_cb_last(Vq);
}

/* IRQL: DISPATCH_LEVEL or above, Vq's lock: see stor_holdoff.h (the
 * setting is on; q, the queue's index, is the Q the drains name it by).
 * Why nothing waits longer than Us: the owner only turns OTHER under every
 * queue's lock (the timer's locks), so it cannot while this runs; a call
 * that is the holdoff's is due within Us from now, and a timer routine
 * already waiting for this lock still finds Held[q] and drains the queue.
 * The ring store and the timer request are both made before this lock is
 * let go, which is all the timer routine can see. */
VOID VwStorHoldoffHold(PVW_STOR_HOLDOFF H, struct virtqueue *Vq)
{
    ULONG q = Vq->index;

    if (q >= VW_STOR_HOLDOFF_QUEUES || H->Owner == VW_STOR_TIMER_OTHER ||
        !virtqueue_hold_published(Vq))
        return;
    H->Held[q] = TRUE;
    if (H->Owner == VW_STOR_TIMER_FREE &&
        InterlockedCompareExchange(&H->Owner, VW_STOR_TIMER_HOLDOFF, VW_STOR_TIMER_FREE) ==
            VW_STOR_TIMER_FREE)
        StorPortNotification(RequestTimerCall, H->Ext, H->Timer, H->Us);
}

/* IRQL: DISPATCH_LEVEL or above, the timer's locks: see stor_holdoff.h. */
VOID VwStorTimerRequest(PVW_STOR_HOLDOFF H, ULONG Us)
{
    if (H->Owner == VW_STOR_TIMER_HOLDOFF) {
        /* The holdoff's call may fire at once: its period is not counted
         * against this wait, which never ends early */
        H->OtherWaiting = TRUE;
        H->OtherLeftUs = Us + H->Us;
        return;
    }
    H->OtherWaiting = FALSE;
    H->Owner = VW_STOR_TIMER_OTHER;
    StorPortNotification(RequestTimerCall, H->Ext, H->Timer, Us);
}

/* IRQL: DISPATCH_LEVEL, the timer's locks: see stor_holdoff.h. */
BOOLEAN VwStorTimerFired(PVW_STOR_HOLDOFF H)
{
    LONG owner = H->Owner;

    H->Owner = VW_STOR_TIMER_FREE;
    if (owner != VW_STOR_TIMER_HOLDOFF)
        return TRUE; /* the other purposes' call (they check their own state) */
    if (!H->OtherWaiting)
        return FALSE;
    if (H->OtherLeftUs > H->Us) {
        H->OtherLeftUs -= H->Us;
        return FALSE;
    }
    H->OtherWaiting = FALSE;
    return TRUE;
}

/* IRQL: DISPATCH_LEVEL, the timer's locks: see stor_holdoff.h. */
BOOLEAN VwStorHoldoffTake(PVW_STOR_HOLDOFF H, ULONG Q)
{
    if (Q >= VW_STOR_HOLDOFF_QUEUES || !H->Held[Q])
        return FALSE;
    H->Held[Q] = FALSE;
    H->Timed[Q] = TRUE;
    return TRUE;
}

/* IRQL: DISPATCH_LEVEL, the timer's locks: see stor_holdoff.h. */
VOID VwStorTimerSettle(PVW_STOR_HOLDOFF H)
{
    if (H->Owner != VW_STOR_TIMER_FREE || !H->OtherWaiting)
        return;
    H->OtherWaiting = FALSE;
    H->Owner = VW_STOR_TIMER_OTHER;
    StorPortNotification(RequestTimerCall, H->Ext, H->Timer, H->OtherLeftUs);
}

/* IRQL: any: see stor_holdoff.h. */
VOID VwStorHoldoffForget(PVW_STOR_HOLDOFF H)
{
    RtlZeroMemory(H->Held, sizeof(H->Held));
    RtlZeroMemory(H->Timed, sizeof(H->Timed));
    RtlZeroMemory(H->Idle, sizeof(H->Idle));
}
