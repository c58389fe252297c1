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

/* IRQL: any. enter the timer's gate unless it is closed. */
bool nk_refill_gate_enter(struct nk_refill_gate *g)
{
    __atomic_fetch_add(&g->inside, 1u, __ATOMIC_SEQ_CST);
#ifndef NK_PLANTED_REFILL_GATE_OPEN /* planted: a closed gate lets the timer be set */
    /* Counted inside before the check: a closer that saw no one inside
     * made this read see the gate closed (both sequentially consistent) */
    if (__atomic_load_n(&g->closed, __ATOMIC_SEQ_CST)) {
        __atomic_fetch_sub(&g->inside, 1u, __ATOMIC_SEQ_CST);
        return false;
    }
#endif
    return true;
}

/* IRQL: any. leave the timer's gate. */
void nk_refill_gate_leave(struct nk_refill_gate *g)
{
    __atomic_fetch_sub(&g->inside, 1u, __ATOMIC_SEQ_CST);
}

/* IRQL: any. close the timer's gate (nothing enters from now on). */
void nk_refill_gate_close(struct nk_refill_gate *g)
{
    __atomic_store_n(&g->closed, 1u, __ATOMIC_SEQ_CST);
}

/* IRQL: any. closed and no one inside. */
bool nk_refill_gate_idle(struct nk_refill_gate *g)
{
    return __atomic_load_n(&g->closed, __ATOMIC_SEQ_CST) &&
           __atomic_load_n(&g->inside, __ATOMIC_SEQ_CST) == 0;
}

/* IRQL: any. open the timer's gate again. */
void nk_refill_gate_open(struct nk_refill_gate *g)
{
    __atomic_store_n(&g->closed, 0u, __ATOMIC_SEQ_CST);
}

/* IRQL: any (the queue's lock held). the queue's retry forgotten. */
void nk_refill_stop(struct nk_refill *r)
{
#ifndef NK_PLANTED_REFILL_KEEP_ARMED /* planted: a cancelled retry still counts as set */
    r->armed = false;
#endif
    r->tries = 0;
    r->gave_up = false;
}
