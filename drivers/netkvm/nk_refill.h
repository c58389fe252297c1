/*
 * nk_refill.h - the receive refill's bounded retry, OS-neutral (no Windows
 * header; built as is by the host tests).  Buffers are refilled where they
 * come back (the DPC, the returns); when a post leaves buffers free that
 * the ring did not take while fewer than the plan's minimum are posted, a
 * timer tries again, NK_REFILL_TRIES times at most, NK_REFILL_INTERVAL_US
 * apart; then it stops (logged) and the next return or DPC refills.  Each
 * such shortage is counted once and logged by the driver, never silent.
 *
 * Usage (the queue's lock held; any IRQL up to DISPATCH):
 *     after every post:
 *         act = nk_refill_after_post(&r, posted, min_count, free_left, from_timer);
 *         NK_REFILL_ARM:      count the shortage when r.tries == 1, log, and
 *                             set the timer NK_REFILL_INTERVAL_US from now;
 *         NK_REFILL_GAVE_UP:  log once: the returns refill from now on;
 *         NK_REFILL_NONE:     nothing.
 *     the timer's routine posts again with from_timer true.
 *
 * The timer itself (one per adapter) is guarded by a gate, struct
 * nk_refill_gate: a post that would set the timer and the timer's routine
 * enter it, and at D3 and at halt the driver closes it, waits until no one
 * is inside, cancels the timer and flushes the DPCs before the device is
 * reset or memory goes.  NdisCancelTimerObject (ndis/nf-ndis-
 * ndiscanceltimerobject) does not wait for a one-shot timer's routine that
 * already runs, nor stop a post from setting the timer again: the caller
 * must synchronise, which the gate does.
 *     post:    act ARM and nk_refill_gate_enter(&g) -> set the timer, then
 *              nk_refill_gate_leave(&g); the gate closed -> nk_refill_stop(&r)
 *     routine: if (!nk_refill_gate_enter(&g)) return; ... posts ...; leave
 *     D3/halt: nk_refill_gate_close(&g); wait for nk_refill_gate_idle(&g);
 *              cancel the timer; flush DPCs; wait again; nk_refill_stop(&r)
 *              for every queue (a cancelled retry would stay "armed" and
 *              block every later one)
 *     D0:      nk_refill_gate_open(&g) before the first post.
 */
#ifndef NK_REFILL_H
#define NK_REFILL_H

#include <stdbool.h>
#include <stdint.h>

#define NK_REFILL_TRIES       8u    /* retries per shortage at most */
#define NK_REFILL_INTERVAL_US 1000u /* between two retries: 1 ms */

struct nk_refill {
    uint32_t tries; /* retries armed in this shortage */
    bool armed;     /* a retry is set and has not run */
    bool gave_up;   /* the bound was hit in this shortage */
};

enum nk_refill_act {
    NK_REFILL_NONE = 0, /* enough posted, nothing free to post, or a retry already set */
    NK_REFILL_ARM,      /* set the timer for another try */
    NK_REFILL_GAVE_UP,  /* NK_REFILL_TRIES tried: no more timers this shortage */
};

/* What to do after a post that left POSTED buffers posted (MIN_COUNT
 * wanted) and FREE_LEFT free ones the ring did not take; FROM_TIMER: the
 * post was the timer's (its retry has run). */
enum nk_refill_act nk_refill_after_post(struct nk_refill *r, uint32_t posted, uint32_t min_count,
                                        uint32_t free_left, bool from_timer);

/* The gate around the adapter's refill timer (see above).  Zeroed: open. */
struct nk_refill_gate {
    unsigned closed; /* 1: no timer may be set, the routine does nothing */
    unsigned inside; /* posts setting the timer and routines running now */
};

/* Enter to set the timer or run its routine; false (nothing entered) when
 * the gate is closed.  Any IRQL. */
bool nk_refill_gate_enter(struct nk_refill_gate *g);

/* Leave after a successful nk_refill_gate_enter.  Any IRQL. */
void nk_refill_gate_leave(struct nk_refill_gate *g);

/* Close: from now on nothing enters; those inside may still be. */
void nk_refill_gate_close(struct nk_refill_gate *g);

/* Closed and no one inside: no timer will be set, no routine works. */
bool nk_refill_gate_idle(struct nk_refill_gate *g);

/* Open again (D0): posts may set the timer. */
void nk_refill_gate_open(struct nk_refill_gate *g);

/* Forget the queue's retry: its timer was cancelled (or never set because
 * the gate was closed), so the next shortage starts over. */
void nk_refill_stop(struct nk_refill *r);

#endif /* NK_REFILL_H */
