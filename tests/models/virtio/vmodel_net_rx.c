/*
 * vmodel_net_rx.c - receive (5.1.6.3, 5.1.6.4): a frame from the wire is
 * filtered (5.1.6.5.1/2/3), steered to a receive queue (RSS 5.1.6.5.7,
 * automatic steering 5.1.6.5.5), hashed (5.1.6.4.3), given its header and
 * placed in the buffers the driver posted: one buffer, or with MRG_RXBUF as
 * many as it needs with num_buffers in the first.  A frame waits in a
 * bounded backlog while the queue has no buffer; beyond it, it is dropped
 * and counted.
 */
#include <stdlib.h>
#include <string.h>

#include "vmodel_net_priv.h"
#include "../../../common/virtio/virtio_spec.h"

/* The flow table slot of F (the same for both directions of a flow). */
static unsigned flow_key(const uint8_t *f, uint32_t len)
{
    struct net_pkt p;
    uint32_t k = 0;

    if (!net_parse(f, len, &p) || p.ipver == 0)
        return NET_FLOWS; /* not IP: no flow */
    unsigned alen = p.ipver == 4 ? 4 : 16, a = p.l3 + (p.ipver == 4 ? 12 : 8);
    for (unsigned i = 0; i < alen; i++)
        k = k * 31 + (uint32_t)(f[a + i] ^ f[a + alen + i]);
    if (p.l4 != 0)
        k = k * 31 + (uint32_t)(net_be16(f + p.l4) ^ net_be16(f + p.l4 + 2));
    return (k ^ (k >> 8) ^ (k >> 16)) % NET_FLOWS;
}

/* A flow transmitted on PAIR: its incoming packets go to PAIR's receive queue (5.1.6.5.5). */
void net_flow_learn(struct vmodel_net *n, const uint8_t *f, uint32_t len, uint16_t pair)
{
    unsigned k = flow_key(f, len);
    if (k < NET_FLOWS)
        n->flow_queue[k] = (uint8_t)(pair + 1);
}

/* Does the receive filter let destination DST in? (5.1.6.5.1, 5.1.6.5.2) */
static bool filter_accepts(const struct vmodel_net *n, const uint8_t *dst)
{
    const struct vmodel_net_state *s = &n->st;
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

    if (s->promisc)
        return true;
    if (memcmp(dst, bcast, 6) == 0)
        return !s->nobcast;
    if (dst[0] & 1) {
        if (s->nomulti)
            return false;
        if (s->allmulti || s->multi_overflow)
            return true;
        for (unsigned i = 0; i < s->multi_count; i++)
            if (memcmp(s->macs[s->uni_count + i], dst, 6) == 0)
                return true;
        return false;
    }
    if (s->nouni)
        return false;
    if (s->alluni || s->uni_overflow || memcmp(dst, s->mac, 6) == 0)
        return true;
    for (unsigned i = 0; i < s->uni_count; i++)
        if (memcmp(s->macs[i], dst, 6) == 0)
            return true;
    return false;
}

/* The receive queue pair a frame goes to. */
static unsigned steer(struct vmodel_net *n, const uint8_t *f, uint32_t len)
{
    const struct vmodel_net_state *s = &n->st;
    if (s->rss_on) {
        uint16_t report;
        uint32_t h = vmodel_net_frame_hash(f, len, s->hash_types, s->key, s->key_len, &report);
        /* 5.1.6.5.7.2: no hash -> unclassified_queue; else table[hash & mask] */
        if (report == VIRTIO_NET_HASH_REPORT_NONE)
            return s->unclassified;
        return s->table[h & (uint32_t)(s->table_len - 1)];
    }
    if (s->pairs > 1) {
        unsigned k = flow_key(f, len);
        if (k < NET_FLOWS && n->flow_queue[k] != 0 && n->flow_queue[k] - 1u < s->pairs)
            return n->flow_queue[k] - 1u;
    }
    return 0;
}

/* Which receive offload a coalesced frame of TYPE needs, for IP version V. */
static unsigned gso_offload(uint8_t type, uint8_t v)
{
    switch (type) {
    case VIRTIO_NET_HDR_GSO_TCPV4:
        return VIRTIO_NET_F_GUEST_TSO4;
    case VIRTIO_NET_HDR_GSO_TCPV6:
        return VIRTIO_NET_F_GUEST_TSO6;
    case VIRTIO_NET_HDR_GSO_UDP:
        return VIRTIO_NET_F_GUEST_UFO;
    }
    return v == 6 ? VIRTIO_NET_F_GUEST_USO6 : VIRTIO_NET_F_GUEST_USO4;
}

/* Seed the TCP/UDP checksum field with the pseudo-header sum: a partial checksum. */
static void make_partial(uint8_t *f, const struct net_pkt *p, uint8_t *hdr)
{
    uint16_t off = p->proto == 6 ? 16 : 6;
    net_put_be16(f + p->l4 + off, net_fold(net_pseudo(f, p, p->end - p->l4)));
    hdr[0] |= VIRTIO_NET_HDR_F_NEEDS_CSUM;
    net_put_le16(hdr + 6, (uint16_t)p->l4);
    net_put_le16(hdr + 8, off);
}

struct seg_ctx {
    struct vmodel_net *n;
    int pair;
    unsigned ok;
};

static void inject_segment(void *ctx, const uint8_t *seg, uint32_t len, uint16_t i, uint16_t of)
{
    struct seg_ctx *c = ctx;
    struct vmodel_net_rx_opts o = {.queue = c->pair};
    (void)i;
    (void)of;
    if (vmodel_net_wire_inject(c->n, seg, len, &o) >= 0)
        c->ok++;
}

/* Put frame F with header H on receive queue PAIR's backlog; -1 when full (a drop). */
static int enqueue(struct vmodel_net *n, unsigned pair, const uint8_t *f, uint32_t len,
                   const uint8_t *h, unsigned hlen)
{
    struct net_rxq *rq = &n->rxq[pair];
    if (rq->count == n->cfg.rx_backlog) {
        n->stats.rx_dropped_no_buffer++;
        return -1;
    }
    struct net_rx_frame *e = &rq->fifo[(rq->head + rq->count) % n->cfg.rx_backlog];
    e->data = malloc(len);
    if (e->data == NULL) {
        n->stats.rx_dropped_no_buffer++;
        return -1;
    }
    memcpy(e->data, f, len);
    e->len = len;
    memcpy(e->hdr, h, hlen);
    e->hlen = (uint8_t)hlen;
    rq->count++;
    return (int)pair;
}

int vmodel_net_wire_inject(struct vmodel_net *n, const void *frame, uint32_t len,
                           const struct vmodel_net_rx_opts *opts)
{
    const struct vmodel_net_rx_opts none = {.queue = -1};
    const struct vmodel_net_hostile *hx = &n->hostile;
    uint8_t h[VIRTIO_NET_HDR_HASH_LEN] = {0};
    unsigned hlen = vmodel_net_hdr_len(n);
    struct net_pkt p;

    net_check_reset(n);
    if (opts == NULL)
        opts = &none;
    if (len < NET_ETH_HLEN || len > VMODEL_NET_MAX_FRAME) {
        model_report(&n->report, true, "wire: an injected frame of %u bytes", len);
        return -1;
    }
    if (hx->drop_all) {
        n->stats.rx_dropped_wire++;
        return -1;
    }
    if (!(vmodel_status(n->m) & VIRTIO_CONFIG_S_DRIVER_OK) || !(n->status & VIRTIO_NET_S_LINK_UP)) {
        n->stats.rx_dropped_link++;
        return -1;
    }
    uint8_t *f = malloc(len);
    if (f == NULL)
        return -1;
    memcpy(f, frame, len);
    if (hx->rx_flip_last) {
        f[len - 1] ^= 0xff; /* planted: corrupted on the wire */
        n->stats.hostile_done++;
    }
    net_parse(f, len, &p);
    int ret = -1;
    if (!filter_accepts(n, f)) {
        n->stats.rx_dropped_filter++;
        goto out;
    }
    /* 5.1.6.5.3: with CTRL_VLAN the device drops tagged frames of VLANs not added */
    if (net_has(n, VIRTIO_NET_F_CTRL_VLAN) && p.vlan != 0xffff &&
        !(n->st.vlans[p.vlan / 8] & (1u << (p.vlan % 8)))) {
        n->stats.rx_dropped_vlan++;
        goto out;
    }
    unsigned pair;
    if (opts->queue >= 0) {
        if ((unsigned)opts->queue >= net_pairs_max(n)) {
            model_report(&n->report, true, "wire: queue pair %d of %u", opts->queue,
                         net_pairs_max(n));
            goto out;
        }
        pair = (unsigned)opts->queue;
    } else {
        pair = steer(n, f, len);
    }
    uint8_t gso = opts->gso_type;
    if (gso != VIRTIO_NET_HDR_GSO_NONE && !net_offload(n, gso_offload(gso, p.ipver))) {
        /* The driver cannot take it coalesced: the device segments it (as a NIC without
         * receive coalescing would have received the segments) */
        struct seg_ctx c = {n, (int)pair, 0};
        n->stats.rx_segmented++;
        if (net_segment(f, len, &p, opts->gso_size, gso == VIRTIO_NET_HDR_GSO_UDP, inject_segment,
                        &c) == 0)
            model_report(&n->report, true, "wire: a coalesced frame that is not one");
        ret = c.ok ? (int)pair : -1;
        goto out;
    }
    uint32_t max = (uint32_t)n->cfg.mtu + NET_ETH_HLEN + (p.vlan != 0xffff ? 4u : 0u);
    if (gso == VIRTIO_NET_HDR_GSO_NONE && net_has(n, VIRTIO_NET_F_MTU) && len > max) {
        /* 5.1.4.1: the device MUST NOT pass received packets that exceed mtu */
        n->stats.rx_dropped_too_big++;
        goto out;
    }
    if (gso != VIRTIO_NET_HDR_GSO_NONE) {
        h[1] = gso;
        net_put_le16(h + 2, (uint16_t)(p.l4 + (p.proto == 6 ? (f[p.l4 + 12] >> 4) * 4u : 8u)));
        net_put_le16(h + 4, opts->gso_size);
        if (net_has(n, VIRTIO_NET_F_RSC_EXT) && p.proto == 6) {
            /* 5.1.6.4.1: RSC_INFO with DATA_VALID; csum_start = coalesced segments,
             * csum_offset = duplicated acks */
            net_l4_csum_set(f, &p);
            h[0] = VIRTIO_NET_HDR_F_DATA_VALID | VIRTIO_NET_HDR_F_RSC_INFO;
            net_put_le16(h + 6, opts->segments);
        } else {
            make_partial(f, &p, h);
        }
    } else if (opts->partial_csum && p.l4 != 0) {
        if (net_offload(n, VIRTIO_NET_F_GUEST_CSUM))
            make_partial(f, &p, h);
        else
            net_l4_csum_set(f, &p); /* the driver cannot take it partial: complete it */
    } else if (net_offload(n, VIRTIO_NET_F_GUEST_CSUM) && p.l4 != 0 && net_l4_csum_ok(f, &p)) {
        /* 5.1.6.4: DATA_VALID only with GUEST_CSUM, for a checksum the device checked */
        h[0] = VIRTIO_NET_HDR_F_DATA_VALID;
        n->stats.rx_data_valid++;
    }
    if (n->st.hash_on && hlen == VIRTIO_NET_HDR_HASH_LEN) {
        uint16_t report;
        uint32_t v =
            vmodel_net_frame_hash(f, len, n->st.hash_types, n->st.key, n->st.key_len, &report);
        net_put_le32(h + 12, v);
        net_put_le16(h + 16, report);
        n->stats.rx_hashed += report != VIRTIO_NET_HASH_REPORT_NONE;
    }
    /* Hostile knobs: the header a broken device would write */
    if (hx->data_valid_unasked)
        h[0] |= VIRTIO_NET_HDR_F_DATA_VALID;
    if (hx->gso_unasked) {
        h[1] = VIRTIO_NET_HDR_GSO_TCPV4;
        net_put_le16(h + 4, 1448);
    }
    if (hx->csum_start_beyond) {
        h[0] |= VIRTIO_NET_HDR_F_NEEDS_CSUM;
        net_put_le16(h + 6, (uint16_t)(len + 10));
        net_put_le16(h + 8, 16);
    }
    if (hx->bad_hash_report && hlen == VIRTIO_NET_HDR_HASH_LEN)
        net_put_le16(h + 16, 0xbeef);
    if (hx->hash_unnegotiated && hlen < VIRTIO_NET_HDR_HASH_LEN) {
        net_put_le32(h + 12, 0x12345678);
        net_put_le16(h + 16, VIRTIO_NET_HASH_REPORT_TCPv4);
        hlen = VIRTIO_NET_HDR_HASH_LEN;
    }
    if (hx->data_valid_unasked || hx->gso_unasked || hx->csum_start_beyond || hx->bad_hash_report ||
        hx->hash_unnegotiated)
        n->stats.hostile_done++;
    ret = enqueue(n, pair, f, len, h, hlen);
out:
    free(f);
    return ret;
}

/* Copy LEN bytes of SRC into the writable segments of REQ from byte AT; the
 * addresses of stream bytes 10 and 11 (num_buffers) go to NB when met. */
static void place(const struct vmodel_req *req, uint32_t at, const uint8_t *src, uint32_t len,
                  uint32_t stream_at, uint8_t **nb)
{
    uint32_t pos = 0;
    for (unsigned i = 0; i < req->nsegs && len > 0; i++) {
        const struct vmodel_seg *s = &req->segs[i];
        if (!s->write)
            continue;
        if (at >= pos + s->len) {
            pos += s->len;
            continue;
        }
        uint32_t o = at - pos, k = s->len - o < len ? s->len - o : len;
        uint8_t *d = (uint8_t *)s->va + o;
        memcpy(d, src, k);
        for (uint32_t j = 0; j < k; j++)
            if (stream_at + j == 10 || stream_at + j == 11)
                nb[stream_at + j - 10] = d + j;
        src += k;
        len -= k;
        at += k;
        stream_at += k;
        pos += s->len;
    }
}

static void pop(struct vmodel_net *n, struct net_rxq *rq)
{
    free(rq->fifo[rq->head].data);
    rq->fifo[rq->head].data = NULL;
    rq->head = (rq->head + 1) % n->cfg.rx_backlog;
    rq->count--;
    rq->off = 0;
    rq->nheld = 0;
    rq->nb[0] = rq->nb[1] = NULL;
}

uint32_t net_rx(struct vmodel_net *n, const struct vmodel_req *req)
{
    unsigned pair = req->queue / 2;
    struct net_rxq *rq = &n->rxq[pair];
    bool mrg = net_has(n, VIRTIO_NET_F_MRG_RXBUF);

    if (req->out_len != 0) {
        /* 5.1.6.3: receive buffers are device-writable only */
        net_rule(n, "rx-buffer-readable", "queue %u: a receive buffer with %u readable bytes",
                 req->queue, req->out_len);
        return 0;
    }
    if (mrg && req->in_len < vmodel_net_hdr_len(n)) {
        /* 5.1.6.3.1: with MRG_RXBUF each buffer is at least the header */
        net_rule(n, "rx-buffer-short", "queue %u: a %u-byte buffer, header %u", req->queue,
                 req->in_len, vmodel_net_hdr_len(n));
        return 0;
    }
    for (;;) {
        if (rq->count == 0)
            return VMODEL_LATER;
        struct net_rx_frame *e = &rq->fifo[rq->head];
        uint32_t total = e->hlen + e->len;
        if (!mrg && req->in_len < total) {
            /* One buffer per frame without MRG_RXBUF (5.1.6.3.1): it does not fit */
            n->stats.rx_dropped_too_big++;
            model_report(&n->report, false,
                         "queue %u: a %u-byte frame dropped, the buffer holds %u", req->queue,
                         total, req->in_len);
            pop(n, rq);
            continue;
        }
        uint32_t take = total - rq->off < req->in_len ? total - rq->off : req->in_len;
        uint32_t from_hdr = rq->off < e->hlen ? e->hlen - rq->off : 0;
        if (from_hdr > take)
            from_hdr = take;
        place(req, 0, e->hdr + rq->off, from_hdr, rq->off, rq->nb);
        uint32_t data_off = rq->off + from_hdr - e->hlen;
        place(req, from_hdr, e->data + data_off, take - from_hdr, rq->off + from_hdr, rq->nb);
        rq->off += take;
        if (rq->off < total) {
            if (rq->nheld < NET_RX_HELD) {
                rq->held[rq->nheld++] = (struct net_rx_held){req->id, take};
                return VMODEL_ASYNC;
            }
            net_rule(n, "rx-buffers-too-small",
                     "queue %u: a %u-byte frame needs more than %u buffers; cut", req->queue, total,
                     NET_RX_HELD);
        }
        uint16_t nbuf = (uint16_t)(rq->nheld + 1);
        if (n->hostile.num_buffers != 0 || n->hostile.num_buffers_zero) {
            nbuf = n->hostile.num_buffers_zero ? 0 : n->hostile.num_buffers;
            n->stats.hostile_done++;
        } else if (n->hostile.num_buffers_extra != 0) {
            nbuf = (uint16_t)(nbuf + n->hostile.num_buffers_extra);
            n->stats.hostile_done++;
        }
        /* num_buffers: the buffers used with MRG_RXBUF, else 1 (5.1.6.4) */
        if (e->hlen >= VIRTIO_NET_HDR_LEN && rq->nb[0] != NULL && rq->nb[1] != NULL) {
            *rq->nb[0] = (uint8_t)nbuf;
            *rq->nb[1] = (uint8_t)(nbuf >> 8);
        }
        /* All the frame's buffers are used together, this one last (5.1.6.4) */
        for (unsigned i = 0; i < rq->nheld; i++)
            vmodel_complete_joined(n->m, req->queue, rq->held[i].id, rq->held[i].used);
        if (rq->nheld > 0 && n->hostile.used_len_past_first != 0) {
            /* The first buffer (full: it was not the last) past its end, or 0xffffffff */
            uint32_t past = n->hostile.used_len_past_first, cap = rq->held[0].used;
            n->stats.hostile_len = past > UINT32_MAX - cap ? UINT32_MAX : cap + past;
            vmodel_used_len_set(n->m, req->queue, rq->held[0].id, n->stats.hostile_len);
            n->stats.hostile_done++;
        }
        n->stats.rx_frames++;
        n->stats.rx_bytes += e->len;
        n->stats.rx_buffers += rq->nheld + 1u;
        n->stats.rx_merged += rq->nheld > 0;
        n->stats.rx_per_queue[pair]++;
        pop(n, rq);
        if (n->hostile.used_len != 0) {
            n->stats.hostile_done++;
            return n->hostile.used_len;
        }
        if (n->hostile.used_len_past != 0) {
            /* Past the buffer's end: its writable bytes and more, or 0xffffffff */
            uint32_t past = n->hostile.used_len_past;
            vmodel_used_len_over(n->m,
                                 past > UINT32_MAX - req->in_len ? UINT32_MAX : req->in_len + past);
            n->stats.hostile_done++;
        }
        return take;
    }
}

/* A device reset: what waited and what was held is gone (the ring layer drops the held
 * buffers). */
void net_rx_reset(struct vmodel_net *n)
{
    for (unsigned i = 0; i < VMODEL_NET_MAX_PAIRS; i++) {
        struct net_rxq *rq = &n->rxq[i];
        while (rq->fifo != NULL && rq->count > 0)
            pop(n, rq);
        rq->head = 0;
    }
    memset(n->flow_queue, 0, sizeof(n->flow_queue));
}

unsigned vmodel_net_rx_waiting(const struct vmodel_net *n, int pair)
{
    unsigned c = 0;
    for (unsigned i = 0; i < VMODEL_NET_MAX_PAIRS; i++)
        if (pair < 0 || (unsigned)pair == i)
            c += n->rxq[i].count;
    return c;
}

unsigned vmodel_net_rx_flush(struct vmodel_net *n)
{
    unsigned c = 0;
    for (unsigned i = 0; i < VMODEL_NET_MAX_PAIRS; i++) {
        struct net_rxq *rq = &n->rxq[i];
        /* A frame already partly placed keeps going; the rest is dropped */
        while (rq->count > (rq->off != 0 ? 1u : 0u)) {
            unsigned last = (rq->head + rq->count - 1) % n->cfg.rx_backlog;
            free(rq->fifo[last].data);
            rq->fifo[last].data = NULL;
            rq->count--;
            c++;
        }
    }
    n->stats.rx_dropped_no_buffer += c;
    return c;
}
