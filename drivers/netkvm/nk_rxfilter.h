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

#endif /* NK_RXFILTER_H */
