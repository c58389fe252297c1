/* nk_txdone.c - a send's used length and a transmit queue's progress
 * (see nk_txdone.h). */
#include "nk_txdone.h"

/* IRQL: any. A send writes nothing: its used length must be 0. */
bool nk_tx_used_ok(uint32_t used_len)
{
#ifdef NK_PLANTED_TXUSED /* planted: any used length believed */
    (void)used_len;
    return true;
#else
    return used_len == 0;
#endif
}

/* IRQL: any (one caller at a time: CheckForHang). One look at a queue. */
bool nk_tx_watch(struct nk_tx_watch *w, uint32_t held, uint64_t done)
{
    if (held == 0 || done != w->done) {
        w->done = done;
        w->stalls = 0;
        return false;
    }
#ifdef NK_PLANTED_HANG_NEVER /* planted: a queue that stopped is never reported */
    return false;
#else
    if (w->stalls < NK_TX_STALL_LOOKS)
        w->stalls++;
    return w->stalls >= NK_TX_STALL_LOOKS;
#endif
}
