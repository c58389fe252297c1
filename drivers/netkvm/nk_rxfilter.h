/*
 * nk_rxfilter.h - the receive filter the data path judges frames by: the
 * NDIS packet filter, the address in use and the multicast list, as one
 * snapshot.  OID_GEN_CURRENT_PACKET_FILTER and OID_802_3_MULTICAST_LIST
 * sets (PASSIVE) build the spare snapshot and publish it (nk_pub.h); a
 * frame (DISPATCH, any queue's DPC) is judged against the published one
 * without a lock, so never against a half-copied multicast list or a list
 * of one set with the filter of another.
 *
 *   Writer:  struct nk_rx_filter *f = nk_rx_filter_write_begin(p);
 *            (NULL: a frame is still judged against the spare, retry)
 *            ... fill *f whole ...;  nk_rx_filter_publish(p);
 *   Reader:  nk_rx_filter_check(p, dest)   (or read_begin / read_end)
 *   Per frame (rx.c: one read_begin per DPC drain, not per frame):
 *            nk_rx_filter_judge(f, dest, &cls)
 */
#ifndef NK_RXFILTER_H
#define NK_RXFILTER_H

#include "nk_net.h"
#include "nk_pub.h"

/* One snapshot: what a frame is judged against */
struct nk_rx_filter {
    uint32_t filter; /* NK_FILTER_*: 0 (nothing passes) until NDIS sets one */
    uint8_t mac[NK_ETH_ALEN];
    unsigned count; /* multicast entries, at most NK_MCAST_MAX */
    uint8_t mcast[NK_MCAST_MAX][NK_ETH_ALEN];
};

struct nk_rx_filter_pub {
    struct nk_rx_filter f[2];
    struct nk_pub pub;
};

const struct nk_rx_filter *nk_rx_filter_read_begin(struct nk_rx_filter_pub *p, unsigned *slot);
void nk_rx_filter_read_end(struct nk_rx_filter_pub *p, unsigned slot);
/* Does a frame to dest pass the published filter (nk_rx_filter_pass) */
bool nk_rx_filter_check(struct nk_rx_filter_pub *p, const uint8_t *dest);
struct nk_rx_filter *nk_rx_filter_write_begin(struct nk_rx_filter_pub *p);
void nk_rx_filter_publish(struct nk_rx_filter_pub *p);

/* IRQL: any. dest equals mac: a 4-byte and a 2-byte compare, no loop */
static inline bool nk_eth_same(const uint8_t *dest, const uint8_t *mac)
{
    uint32_t d4, m4;
    uint16_t d2, m2;
    __builtin_memcpy(&d4, dest, 4);
    __builtin_memcpy(&m4, mac, 4);
    __builtin_memcpy(&d2, dest + 4, 2);
    __builtin_memcpy(&m2, mac + 4, 2);
    return ((d4 ^ m4) | (uint32_t)(d2 ^ m2)) == 0;
}

/* IRQL: any. a frame to dest judged against snapshot f, the same verdict as
 * nk_rx_filter_pass, and its class for the receive counters in *cls (0
 * directed, 1 multicast, 2 broadcast).  A unicast frame, nearly every
 * frame, costs a bit test and one 6-byte compare; group addresses take the
 * full rules (broadcast, ALL_MULTI, the list).  Inline: per received frame.
 * NK_PLANTED_RXFILTER_FAST (test_rxfilter.c names it, so its twin compiles
 * that file with it) takes a unicast frame to us without the DIRECTED bit. */
static inline bool nk_rx_filter_judge(const struct nk_rx_filter *f, const uint8_t *dest,
                                      unsigned *cls)
{
    if (!(dest[0] & 1)) {
        *cls = 0;
        if (f->filter & NK_FILTER_PROMISCUOUS)
            return true;
#ifndef NK_PLANTED_RXFILTER_FAST
        return (f->filter & NK_FILTER_DIRECTED) && nk_eth_same(dest, f->mac);
#else
        return f->filter != 0 && nk_eth_same(dest, f->mac);
#endif
    }
    static const uint8_t bcast[NK_ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    *cls = nk_eth_same(dest, bcast) ? 2u : 1u;
    return nk_rx_filter_pass(f->filter, dest, f->mac, (const uint8_t(*)[NK_ETH_ALEN])f->mcast,
                             f->count);
}

#endif /* NK_RXFILTER_H */
