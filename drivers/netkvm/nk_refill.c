/*
 * nk_refill.c - the receive refill's bounded retry (nk_refill.h).
 */
#include "nk_refill.h"

/* IRQL: any (the queue's lock held). the timer's next step after a post. */
enum nk_refill_act nk_refill_after_post(struct nk_refill *r, uint32_t posted, uint32_t min_count,
                                        uint32_t free_left, bool from_timer)
{
    if (from_timer)
        r->armed = false;
    if (posted >= min_count || free_left == 0) {
        /* Enough posted, or nothing a retry could post (the returns will):
         * the shortage, if any, is over for the timer */
        r->tries = 0;
        r->gave_up = false;
        return NK_REFILL_NONE;
    }
    if (r->armed)
        return NK_REFILL_NONE;      /* one retry at a time */
#ifndef NK_PLANTED_REFILL_UNBOUNDED /* planted: the timer retries forever */
    if (r->tries >= NK_REFILL_TRIES) {
        if (r->gave_up)
            return NK_REFILL_NONE;
        r->gave_up = true;
        return NK_REFILL_GAVE_UP;
    }
#endif
    r->tries++;
    r->armed = true;
    return NK_REFILL_ARM;
}
