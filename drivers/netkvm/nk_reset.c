/*
 * nk_reset.c - the adapter reset's state machine (nk_reset.h).
 */
#include "nk_reset.h"

/* IRQL: any. IDLE -> QUIESCE unless a reset runs. */
bool nk_reset_begin(struct nk_reset *r)
{
    int32_t idle = NK_RESET_IDLE;
    return __atomic_compare_exchange_n(&r->state, &idle, NK_RESET_QUIESCE, false, __ATOMIC_SEQ_CST,
                                       __ATOMIC_SEQ_CST);
}

/* IRQL: any. the next state, from the one before it only. */
bool nk_reset_advance(struct nk_reset *r, enum nk_reset_state to)
{
    int32_t from = (int32_t)to - 1;
#ifdef NK_PLANTED_RESET_SKIP
    if (to == NK_RESET_RESTORE) /* planted: the restore without the device reset */
        from = __atomic_load_n(&r->state, __ATOMIC_SEQ_CST);
#endif
    if (to != NK_RESET_DEVICE && to != NK_RESET_RESTORE)
        return false;
    return __atomic_compare_exchange_n(&r->state, &from, (int32_t)to, false, __ATOMIC_SEQ_CST,
                                       __ATOMIC_SEQ_CST);
}

/* IRQL: any. back to IDLE after the device reset, counted. */
bool nk_reset_end(struct nk_reset *r, bool ok)
{
    int32_t s = __atomic_load_n(&r->state, __ATOMIC_SEQ_CST);
    if (s != NK_RESET_RESTORE && s != NK_RESET_DEVICE)
        return false;
    if (s == NK_RESET_DEVICE)
        ok = false; /* never restored: the device stays down */
    r->done++;
    if (!ok)
        r->failed++;
    __atomic_store_n(&r->state, NK_RESET_IDLE, __ATOMIC_SEQ_CST);
    return true;
}

/* IRQL: any. see nk_reset.h. */
bool nk_reset_refuses_sends(const struct nk_reset *r)
{
    return __atomic_load_n(&r->state, __ATOMIC_SEQ_CST) != NK_RESET_IDLE;
}

/* IRQL: any. see nk_reset.h. */
bool nk_reset_may_post(const struct nk_reset *r)
{
    int32_t s = __atomic_load_n(&r->state, __ATOMIC_SEQ_CST);
    return s == NK_RESET_IDLE || s == NK_RESET_RESTORE;
}
