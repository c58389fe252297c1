/* nk_rxfilter: the receive filter the data path reads without a lock.
 * Reader and writer steps interleaved by hand: a frame judged while a
 * multicast-list set is half copied sees the old list whole, a frame after
 * the publish sees the new one, a snapshot a reader is inside is never
 * written, and a set dropped before its publish changes nothing.  The copy
 * built with NK_PLANTED_RXFILTER_INPLACE (the published snapshot rewritten
 * in place, a torn read) must fail. */
#include <string.h>

#include "nku.h"

static const uint8_t me[NK_ETH_ALEN] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t ga[NK_ETH_ALEN] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x0a};
static const uint8_t gb[NK_ETH_ALEN] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x0b};
static const uint8_t gc[NK_ETH_ALEN] = {0x33, 0x33, 0x00, 0x00, 0x00, 0x0c};

/* The frame to dest judged against snapshot f, as the data path does. */
static bool judge(const struct nk_rx_filter *f, const uint8_t *dest)
{
    return nk_rx_filter_pass(f->filter, dest, f->mac, (const uint8_t(*)[NK_ETH_ALEN])f->mcast,
                             f->count);
}

void test_rxfilter(void)
{
    static struct nk_rx_filter_pub p;
    unsigned sa, sb;
    memset(&p, 0, sizeof(p));
    static const uint8_t bc[NK_ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    check(!nk_rx_filter_check(&p, gb) && !nk_rx_filter_check(&p, me) && !nk_rx_filter_check(&p, bc),
          "rxfilter: before NDIS sets a filter (filter 0) no frame passes");
    struct nk_rx_filter *w = nk_rx_filter_write_begin(&p);
    if (w != NULL) {
        memset(w, 0, sizeof(*w));
        w->filter = NK_FILTER_DIRECTED | NK_FILTER_MULTICAST;
        memcpy(w->mac, me, sizeof(me));
        memcpy(w->mcast[0], ga, sizeof(ga));
        w->count = 1;
    }
    nk_rx_filter_publish(&p);
    check(w != NULL && nk_rx_filter_check(&p, ga) && !nk_rx_filter_check(&p, gb) &&
              nk_rx_filter_check(&p, me),
          "rxfilter: the first set is what frames are judged by (list {a})");
    /* Frame A's DPC is inside the snapshot while a set replaces the list by {b, c} */
    const struct nk_rx_filter *a = nk_rx_filter_read_begin(&p, &sa);
    w = nk_rx_filter_write_begin(&p);
    check(w != NULL && w != a, "rxfilter: a set builds in the spare snapshot");
    if (w != NULL) {
        *w = *a;
        memcpy(w->mcast[0], gb, sizeof(gb)); /* half copied: b in, c not yet */
        w->count = 2;
    }
    check(judge(a, ga) && !judge(a, gb) && !judge(a, gc),
          "rxfilter: a frame judged during a multicast-list set sees the old list whole");
    if (w != NULL)
        memcpy(w->mcast[1], gc, sizeof(gc));
    check(judge(a, ga) && !judge(a, gb),
          "rxfilter: the whole new list is not seen before its publish");
    nk_rx_filter_publish(&p);
    const struct nk_rx_filter *b = nk_rx_filter_read_begin(&p, &sb);
    check(!judge(b, ga) && judge(b, gb) && judge(b, gc) && judge(a, ga),
          "rxfilter: after the publish a new frame sees {b, c}, the one inside keeps {a}");
    /* The next set needs A's snapshot: it must wait for A */
    w = nk_rx_filter_write_begin(&p);
    check(w == NULL && judge(a, ga), "rxfilter: a set never writes a snapshot a frame is inside");
    nk_rx_filter_read_end(&p, sa);
    w = nk_rx_filter_write_begin(&p);
    check(w != NULL && w != b, "rxfilter: once the frame left, the set may build");
    if (w != NULL) {
        *w = *b;
        w->filter = NK_FILTER_PROMISCUOUS;
    }
    /* Dropped without publishing (a refused set): frames keep {b, c}, no promiscuous */
    check(!nk_rx_filter_check(&p, ga) && nk_rx_filter_check(&p, gc) && judge(b, gb),
          "rxfilter: a set not published changes nothing for frames");
    nk_rx_filter_read_end(&p, sb);
    check(p.pub.readers[0] == 0 && p.pub.readers[1] == 0,
          "rxfilter: every frame counted out (%u, %u)", p.pub.readers[0], p.pub.readers[1]);
}
