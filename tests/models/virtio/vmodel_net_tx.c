/*
 * vmodel_net_tx.c - transmit (5.1.6.2): the header checked against the
 * negotiated features, the partial checksum completed, GSO packets cut into
 * wire frames, everything put on the wire for the test to take.
 */
#include <stdlib.h>
#include <string.h>

#include "vmodel_net_priv.h"

/* Put a frame on the wire; a full wire drops it, counted. */
void net_wire_put(struct vmodel_net *n, const uint8_t *f, uint32_t len, uint16_t q, uint16_t seg,
                  uint16_t of)
{
    if (n->wire_count == n->cfg.wire_depth) {
        n->stats.wire_dropped++;
        return;
    }
    uint8_t *d = malloc(len ? len : 1);
    if (d == NULL) {
        n->stats.wire_dropped++;
        return;
    }
    memcpy(d, f, len);
    struct net_wire_frame *w = &n->wire[(n->wire_head + n->wire_count) % n->cfg.wire_depth];
    *w = (struct net_wire_frame){d, len, q, seg, of};
    n->wire_count++;
    n->stats.tx_frames++;
    n->stats.tx_bytes += len;
}

bool vmodel_net_wire_take(struct vmodel_net *n, struct vmodel_net_frame *f)
{
    free(n->taken);
    n->taken = NULL;
    if (n->wire_count == 0)
        return false;
    struct net_wire_frame *w = &n->wire[n->wire_head];
    n->wire_head = (n->wire_head + 1) % n->cfg.wire_depth;
    n->wire_count--;
    n->taken = w->data;
    *f = (struct vmodel_net_frame){w->data, w->len, w->queue, w->segment, w->of};
    return true;
}

struct emit_ctx {
    struct vmodel_net *n;
    uint16_t pair;
};

static void emit(void *ctx, const uint8_t *seg, uint32_t len, uint16_t i, uint16_t of)
{
    struct emit_ctx *e = ctx;
    net_wire_put(e->n, seg, len, e->pair, i, of);
}

/* Which feature a GSO type needs (5.1.6.2.1); -1 an unknown type. */
static int gso_feature(uint8_t type)
{
    switch (type) {
    case VIRTIO_NET_HDR_GSO_TCPV4:
        return VIRTIO_NET_F_HOST_TSO4;
    case VIRTIO_NET_HDR_GSO_TCPV6:
        return VIRTIO_NET_F_HOST_TSO6;
    case VIRTIO_NET_HDR_GSO_UDP:
        return VIRTIO_NET_F_HOST_UFO;
    case VIRTIO_NET_HDR_GSO_UDP_L4:
        return VIRTIO_NET_F_HOST_USO;
    }
    return -1;
}

/* Does the frame carry what GSO type TYPE says it does? */
static bool gso_matches(uint8_t type, const struct net_pkt *p)
{
    switch (type) {
    case VIRTIO_NET_HDR_GSO_TCPV4:
        return p->ipver == 4 && p->proto == 6 && p->l4 != 0;
    case VIRTIO_NET_HDR_GSO_TCPV6:
        return p->ipver == 6 && p->proto == 6 && p->l4 != 0;
    case VIRTIO_NET_HDR_GSO_UDP:
        return p->ipver == 4 && p->proto == 17 && p->l4 != 0;
    case VIRTIO_NET_HDR_GSO_UDP_L4:
        return p->ipver != 0 && p->proto == 17 && p->l4 != 0;
    }
    return false;
}

/* Complete a partial checksum (5.1.6.2): the ones' complement sum from csum_start to
 * the end, stored at csum_start + csum_offset over the driver's pseudo-header seed. */
static void complete_csum(uint8_t *f, uint32_t len, uint16_t start, uint16_t offset)
{
    uint16_t c = (uint16_t)~net_fold(net_sum(f + start, len - start, 0));
    net_put_be16(f + start + offset, c);
}

/* The checks of one transmit request; false: the rule is recorded, nothing is sent. */
static bool tx_header_ok(struct vmodel_net *n, const uint8_t *h, uint32_t flen, unsigned q)
{
    uint8_t flags = h[0], gso = h[1];
    uint16_t gso_size = net_le16(h + 4), start = net_le16(h + 6), off = net_le16(h + 8);
    uint8_t type = gso & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;

    if (flags & (uint8_t)~VIRTIO_NET_HDR_F_NEEDS_CSUM) {
        /* 5.1.6.2.1: the driver MUST NOT set DATA_VALID or RSC_INFO */
        net_rule(n, "tx-flags", "queue %u: flags 0x%x on a transmitted packet", q, flags);
        return false;
    }
    if (flen < NET_ETH_HLEN) {
        net_rule(n, "tx-runt", "queue %u: a frame of %u bytes", q, flen);
        return false;
    }
    if (flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
        if (!net_has(n, VIRTIO_NET_F_CSUM)) {
            net_rule(n, "csum-without-feature", "queue %u: NEEDS_CSUM without VIRTIO_NET_F_CSUM",
                     q);
            return false;
        }
        if ((uint32_t)start + off + 2 > flen) {
            net_rule(n, "csum-out-of-range",
                     "queue %u: csum_start %u + csum_offset %u + 2 beyond the %u-byte frame", q,
                     start, off, flen);
            return false;
        }
    }
    if (type == VIRTIO_NET_HDR_GSO_NONE) {
        if (gso & VIRTIO_NET_HDR_GSO_ECN) {
            net_rule(n, "gso-ecn-alone", "queue %u: GSO_ECN without a GSO type", q);
            return false;
        }
        return true;
    }
    int feat = gso_feature(type);
    if (feat < 0 || !net_has(n, (unsigned)feat)) {
        net_rule(n, "gso-without-feature", "queue %u: gso_type %u not negotiated", q, gso);
        return false;
    }
    if ((gso & VIRTIO_NET_HDR_GSO_ECN) && !net_has(n, VIRTIO_NET_F_HOST_ECN)) {
        net_rule(n, "gso-without-feature", "queue %u: GSO_ECN without HOST_ECN", q);
        return false;
    }
    if (!(flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
        /* 5.1.6.2.1: with a GSO type the driver MUST also set NEEDS_CSUM */
        net_rule(n, "gso-without-csum", "queue %u: gso_type %u without NEEDS_CSUM", q, gso);
        return false;
    }
    if (gso_size == 0) {
        net_rule(n, "gso-size-zero", "queue %u: gso_type %u with gso_size 0", q, gso);
        return false;
    }
    return true;
}

/* One transmit request taken: checked, checksummed or segmented, on the wire. */
static void tx_take(struct vmodel_net *n, const struct vmodel_req *req)
{
    unsigned hl = vmodel_net_hdr_len(n), q = req->queue;
    uint16_t pair = (uint16_t)(q / 2);
    uint32_t got = 0;

    n->stats.tx_packets++;
    if (req->in_len != 0) {
        /* 5.1.6.2: a transmit buffer is device-readable only */
        net_rule(n, "tx-writable-buffer", "queue %u: %u device-writable bytes", q, req->in_len);
        n->stats.tx_dropped_rule++;
        return;
    }
    if (req->out_len < hl || req->out_len > VMODEL_NET_MAX_TX_FRAME + hl) {
        net_rule(n, req->out_len < hl ? "tx-short-header" : "tx-too-long",
                 "queue %u: %u bytes with a %u-byte header", q, req->out_len, hl);
        n->stats.tx_dropped_rule++;
        return;
    }
    for (unsigned i = 0; i < req->nsegs; i++) {
        memcpy(n->txbuf + got, req->segs[i].va, req->segs[i].len);
        got += req->segs[i].len;
    }
    const uint8_t *h = n->txbuf;
    uint8_t *f = n->txbuf + hl;
    uint32_t flen = got - hl;
    if (!tx_header_ok(n, h, flen, q)) {
        n->stats.tx_dropped_rule++;
        return;
    }
    if (net_has(n, VIRTIO_NET_F_STATUS) && !(n->status & VIRTIO_NET_S_LINK_UP)) {
        n->stats.tx_dropped_link++;
        return;
    }
    uint8_t gso = h[1] & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
    uint16_t gso_size = net_le16(h + 4);
    struct net_pkt p;
    net_parse(f, flen, &p);
    net_flow_learn(n, f, flen, pair);
    if (gso != VIRTIO_NET_HDR_GSO_NONE) {
        if (!gso_matches(gso, &p)) {
            net_rule(n, "gso-headers", "queue %u: gso_type %u on a frame that is not one", q, gso);
            n->stats.tx_dropped_rule++;
            return;
        }
        struct emit_ctx e = {n, pair};
        if (gso == VIRTIO_NET_HDR_GSO_UDP)
            net_l4_csum_set(f, &p); /* UFO: the datagram's checksum, then fragments */
        if (net_segment(f, flen, &p, gso_size, gso == VIRTIO_NET_HDR_GSO_UDP, emit, &e) == 0) {
            net_rule(n, "gso-headers", "queue %u: gso_type %u, gso_size %u cannot be segmented", q,
                     gso, gso_size);
            n->stats.tx_dropped_rule++;
            return;
        }
        n->stats.tx_segmented++;
        return;
    }
    if (h[0] & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
        uint16_t start = net_le16(h + 6), off = net_le16(h + 8);
        complete_csum(f, flen, start, off);
        n->stats.tx_csum++;
        /* The result is a correct TCP/UDP checksum only if the driver seeded the
         * pseudo-header sum: the model verifies what it can parse. */
        if (p.l4 != 0 && start == p.l4 && p.end == flen && !net_l4_csum_ok(f, &p))
            net_rule(n, "csum-pseudo-header",
                     "queue %u: the completed checksum is wrong (the field did not hold the "
                     "pseudo-header sum)",
                     q);
    }
    uint32_t max = (uint32_t)n->cfg.mtu + NET_ETH_HLEN + (p.vlan != 0xffff ? 4u : 0u);
    if (net_has(n, VIRTIO_NET_F_MTU) && flen > max) {
        /* 5.1.4.1: the driver MUST NOT transmit packets longer than mtu (without GSO) */
        net_rule(n, "tx-over-mtu", "queue %u: a %u-byte frame over mtu %u", q, flen, n->cfg.mtu);
        n->stats.tx_dropped_rule++;
        return;
    }
    net_wire_put(n, f, flen, pair, 0, 1);
    return;
}

uint32_t net_tx(struct vmodel_net *n, const struct vmodel_req *req)
{
    tx_take(n, req);
    if (n->hostile.tx_used_len != 0) {
        /* A used length on a chain the device may only read (2.7.8.1: len is what it wrote) */
        vmodel_used_len_over(n->m, n->hostile.tx_used_len);
        n->stats.hostile_done++;
    }
    return 0;
}
