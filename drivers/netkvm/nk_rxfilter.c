/*
 * nk_rxfilter.c - the receive filter snapshot: two copies and a published
 * index (nk_rxfilter.h; nk_pub.c says why no reader sees a half-written
 * copy).
 */
#include "nk_rxfilter.h"

/* IRQL <= DISPATCH_LEVEL. enter the published snapshot (never waits). */
const struct nk_rx_filter *nk_rx_filter_read_begin(struct nk_rx_filter_pub *p, unsigned *slot)
{
    *slot = nk_pub_read_begin(&p->pub);
    return &p->f[*slot];
}

/* IRQL <= DISPATCH_LEVEL. leave the snapshot nk_rx_filter_read_begin gave. */
void nk_rx_filter_read_end(struct nk_rx_filter_pub *p, unsigned slot)
{
    nk_pub_read_end(&p->pub, slot);
}

/* IRQL <= DISPATCH_LEVEL. a frame to dest judged against one whole snapshot. */
bool nk_rx_filter_check(struct nk_rx_filter_pub *p, const uint8_t *dest)
{
    unsigned slot;
    const struct nk_rx_filter *f = nk_rx_filter_read_begin(p, &slot);
    bool pass = nk_rx_filter_pass(f->filter, dest, f->mac, (const uint8_t(*)[NK_ETH_ALEN])f->mcast,
                                  f->count);
    nk_rx_filter_read_end(p, slot);
    return pass;
}

/* IRQL: any (one writer at a time). the spare snapshot to fill whole; NULL
 * while a frame is still judged against it (try again). */
struct nk_rx_filter *nk_rx_filter_write_begin(struct nk_rx_filter_pub *p)
{
#ifndef NK_PLANTED_RXFILTER_INPLACE
    int spare = nk_pub_write_begin(&p->pub);
    return spare < 0 ? NULL : &p->f[spare];
#else
    return &p->f[nk_pub_current(&p->pub)]; /* planted: rewritten under its readers */
#endif
}

/* IRQL: any (one writer at a time). the spare snapshot, now whole, published. */
void nk_rx_filter_publish(struct nk_rx_filter_pub *p)
{
#ifndef NK_PLANTED_RXFILTER_INPLACE
    nk_pub_publish(&p->pub);
#else
    (void)p; /* planted: written in place, nothing to flip */
#endif
}
