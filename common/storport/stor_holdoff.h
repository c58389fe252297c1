/*
 * stor_holdoff.h - CompletionHoldoff (holdoff_policy.h) on a StorPort
 * miniport, and the sharing of the adapter's one HwTimer it calls for.
 *
 * A drain ends with VwStorHoldoffEnable instead of virtqueue_enable_cb:
 * with the setting on and two or more requests at the device, the
 * interrupt is asked for at the last one's completion, the queue is marked
 * held and the timer is asked for in Us microseconds (unless a call for
 * the holdoff is pending already: it is due sooner).  When the timer
 * fires, the miniport drains every queue VwStorHoldoffTake names.  A
 * completion therefore waits at most Us (and one timer period) longer than
 * it would without the setting; with one request or none at the device
 * nothing changes.  HwStartIo's publish does the same through
 * VwStorHoldoffPublished when it leaves two or more at the device, so a
 * batch started on an idle queue interrupts at its last completion, not
 * at its first.
 *
 * The timer's other purposes (a slow reset's polls, a TMF period, the
 * wait for GET_ID) ask through VwStorTimerRequest: while the pending call
 * is the holdoff's (due sooner: Us <= 1000) their wait is kept here and
 * counted down by the holdoff's periods, never cut short; VwStorTimerFired
 * says whether the call that fired is theirs to act on.  While another
 * purpose has the call, the holdoff stands down (the drain arms the
 * interrupt as without the setting).
 *
 * Locks: VwStorHoldoffEnable under the queue's lock (or the StartIo lock);
 * everything else under the StartIo lock, or every queue's lock with
 * concurrent channels, as the timer routine holds them.
 */
#pragma once
#include <vw/storport.h>
#include <virtio/virtio_pci.h>
#include <virtio/virtqueue.h>
#include <storport/holdoff_policy.h>

#define VW_STOR_HOLDOFF_QUEUES 72 /* request queues a miniport of ours runs, and its others */

/* Whose the adapter's pending timer call is */
enum vw_stor_timer_owner {
    VW_STOR_TIMER_FREE = 0,    /* none pending */
    VW_STOR_TIMER_HOLDOFF = 1, /* the holdoff's */
    VW_STOR_TIMER_OTHER = 2,   /* the miniport's other purposes' */
};

typedef struct _VW_STOR_HOLDOFF {
    ULONG Us;             /* CompletionHoldoff in force; 0: off */
    PVOID Ext;            /* the device extension */
    PHW_TIMER Timer;      /* the adapter's HwTimer */
    volatile LONG Owner;  /* enum vw_stor_timer_owner */
    BOOLEAN OtherWaiting; /* another purpose's wait was kept while the holdoff had the call */
    ULONG OtherLeftUs;    /* what is left of it, never less than the truth */
    BOOLEAN Held[VW_STOR_HOLDOFF_QUEUES];  /* the queue asked for its interrupt late */
    BOOLEAN Timed[VW_STOR_HOLDOFF_QUEUES]; /* the timer is draining the queue */
    USHORT Idle[VW_STOR_HOLDOFF_QUEUES];   /* the timer's drains in a row that found nothing */
    ULONG IdleLimit;                       /* vw_holdoff_idle_periods(Us) */
} VW_STOR_HOLDOFF, *PVW_STOR_HOLDOFF;

/* IRQL: PASSIVE_LEVEL (HIGH_LEVEL in a dump copy), HwFindAdapter after the
 * negotiation: the timer's owner (Ext, Timer) and the setting, read from
 * the registry unless Dump; its log line (Driver: "viostor"). */
VOID VwStorHoldoffRead(PVW_STOR_HOLDOFF H, PVOID Ext, PHW_TIMER Timer, PCSTR Driver, BOOLEAN Dump,
                       const struct virtio_device *Dev);

/* IRQL: DISPATCH_LEVEL or above, queue Q's lock (or the StartIo lock): the
 * end of queue Q's drain, which took Got completions (see above); as
 * virtqueue_enable_cb, FALSE when completions arrived meanwhile and the
 * caller must drain again.  After IdleLimit timer drains in a row that took
 * none (VW_HOLDOFF_IDLE_US) the interrupt is armed as without the setting:
 * no timer polls a stalled device. */
BOOLEAN VwStorHoldoffEnable(PVW_STOR_HOLDOFF H, ULONG Q, struct virtqueue *Vq, ULONG Got);

/* IRQL: DISPATCH_LEVEL or above, Vq's lock: VwStorHoldoffPublished's work
 * when the setting is on. */
VOID VwStorHoldoffHold(PVW_STOR_HOLDOFF H, struct virtqueue *Vq);

/* IRQL: DISPATCH_LEVEL or above, Vq's lock (or the StartIo lock): HwStartIo
 * published a request on request queue Vq (its index is the Q of
 * VwStorHoldoffEnable and VwStorHoldoffTake) of a running device (never
 * during a reset, a stop or after a removal: the callers check under the
 * same lock).  With the setting on and two or more requests at the device,
 * the interrupt is asked for at the last one's completion from here too
 * (virtqueue_hold_published), so a batch started on an idle queue does not
 * interrupt at its first completion, and the queue is held as at the end
 * of a drain: the timer pending, or asked for in Us microseconds.  While
 * the timer serves another purpose, nothing changes.  Inline: a load and
 * a branch when the setting is off, a few more with one request at the
 * device (QD 1); at most one 16-bit ring store when on. */
static inline VOID VwStorHoldoffPublished(PVW_STOR_HOLDOFF H, struct virtqueue *Vq)
{
    if (H->Us != 0 && virtqueue_in_flight(Vq) >= 2)
        VwStorHoldoffHold(H, Vq);
}

/* IRQL: DISPATCH_LEVEL or above, the timer's locks: another purpose asks
 * for the timer in Us microseconds. */
VOID VwStorTimerRequest(PVW_STOR_HOLDOFF H, ULONG Us);

/* IRQL: DISPATCH_LEVEL, the timer's locks, first in the timer routine:
 * TRUE when the other purposes are due (their call fired, or their wait
 * kept here has passed), FALSE when only the holdoff's is. */
BOOLEAN VwStorTimerFired(PVW_STOR_HOLDOFF H);

/* IRQL: DISPATCH_LEVEL, the timer's locks: whether queue Q was held (it is
 * not any more: the caller drains it, and its VwStorHoldoffEnable knows). */
BOOLEAN VwStorHoldoffTake(PVW_STOR_HOLDOFF H, ULONG Q);

/* IRQL: DISPATCH_LEVEL, the timer's locks, last in the timer routine: a
 * kept wait the holdoff no longer counts down gets its own call. */
VOID VwStorTimerSettle(PVW_STOR_HOLDOFF H);

/* IRQL: any, the timer's locks (or the adapter stopped): forget the held
 * queues (a stop, or a reset that took every request back); a holdoff call
 * still pending finds nothing to drain. */
VOID VwStorHoldoffForget(PVW_STOR_HOLDOFF H);
