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

#endif /* NK_REFILL_H */
