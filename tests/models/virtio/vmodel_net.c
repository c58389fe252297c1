/*
 * vmodel_net.c - the virtio-net device: configuration space, queue
 * dispatch, link state and announcements (see vmodel_net.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmodel_net_priv.h"
#include "../../../common/virtio/virtio_spec.h"

#define NET_DEFAULT_BACKLOG 256u
#define NET_DEFAULT_WIRE    4096u

/* Record that the driver broke rule NAME; the text names it first. */
void net_rule(struct vmodel_net *n, const char *name, const char *fmt, ...)
{
    va_list ap;
    int k;

    n->stats.rule_errors++;
    k = snprintf(n->stats.last_rule, sizeof(n->stats.last_rule), "%s: ", name);
    va_start(ap, fmt);
    if (k > 0 && (size_t)k < sizeof(n->stats.last_rule))
        vsnprintf(n->stats.last_rule + k, sizeof(n->stats.last_rule) - (size_t)k, fmt, ap);
    va_end(ap);
    model_report(&n->report, true, "%s", n->stats.last_rule); /* a driver's error */
}

/* Was feature BIT negotiated? */
bool net_has(const struct vmodel_net *n, unsigned bit)
{
    return (vmodel_driver_features(n->m) >> bit) & 1;
}

/* Queue pairs the device serves (max_virtqueue_pairs, bounded by the model). */
unsigned net_pairs_max(const struct vmodel_net *n)
{
    unsigned p = n->cfg.max_virtqueue_pairs;
    if (p == 0)
        p = 1;
    return p > VMODEL_NET_MAX_PAIRS ? VMODEL_NET_MAX_PAIRS : p;
}

/* The control queue's index: 2N with N the pairs when MQ or RSS is negotiated (5.1.2). */
uint16_t net_ctrl_queue(const struct vmodel_net *n)
{
    if (net_has(n, VIRTIO_NET_F_MQ) || net_has(n, VIRTIO_NET_F_RSS))
        return (uint16_t)(2 * net_pairs_max(n));
    return 2;
}

uint16_t vmodel_net_ctrl_queue(const struct vmodel_net *n)
{
    return net_ctrl_queue(n);
}

unsigned vmodel_net_hdr_len(const struct vmodel_net *n)
{
    if (net_has(n, VIRTIO_NET_F_HASH_REPORT))
        return VIRTIO_NET_HDR_HASH_LEN;
    if (net_has(n, VIRTIO_F_VERSION_1) || net_has(n, VIRTIO_NET_F_MRG_RXBUF))
        return VIRTIO_NET_HDR_LEN;
    return VIRTIO_NET_HDR_LEGACY_LEN;
}

void vmodel_net_default_config(struct vmodel_net_config *nc)
{
    static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

    memset(nc, 0, sizeof(*nc));
    nc->features = 1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_NET_F_STATUS |
                   1ull << VIRTIO_NET_F_CTRL_VQ | 1ull << VIRTIO_NET_F_CSUM |
                   1ull << VIRTIO_NET_F_GUEST_CSUM | 1ull << VIRTIO_NET_F_MRG_RXBUF;
    memcpy(nc->mac, mac, 6);
    nc->status = VIRTIO_NET_S_LINK_UP;
    nc->max_virtqueue_pairs = 1;
    nc->mtu = 1500;
    nc->speed = 10000;
    nc->duplex = 1;
    nc->rss_max_key_size = 40;
    nc->rss_max_indirection_table_length = 128;
    nc->supported_hash_types = VIRTIO_NET_HASH_TYPE_IPv4 | VIRTIO_NET_HASH_TYPE_TCPv4 |
                               VIRTIO_NET_HASH_TYPE_UDPv4 | VIRTIO_NET_HASH_TYPE_IPv6 |
                               VIRTIO_NET_HASH_TYPE_TCPv6 | VIRTIO_NET_HASH_TYPE_UDPv6;
    nc->rx_backlog = NET_DEFAULT_BACKLOG;
    nc->wire_depth = NET_DEFAULT_WIRE;
}

void vmodel_net_vmodel_config(struct vmodel_config *mc, const struct vmodel_net_config *nc)
{
    unsigned pairs = nc->max_virtqueue_pairs == 0 ? 1 : nc->max_virtqueue_pairs;
    if (pairs > VMODEL_NET_MAX_PAIRS)
        pairs = VMODEL_NET_MAX_PAIRS;
    mc->device_type = VMODEL_NET_DEVICE_TYPE;
    mc->num_queues = (uint16_t)(2 * pairs + 1);
    mc->device_cfg_len = VMODEL_NET_CFG_LEN;
    /* keep the ring and transport bits (24..49), the device-specific ones are the net's */
    mc->features = (mc->features & (((1ull << 50) - 1) & ~0xffffffull)) | nc->features;
}

/* Write the configuration space (5.1.4) from the current state. */
void net_write_config(struct vmodel_net *n)
{
    uint8_t c[VMODEL_NET_CFG_LEN];

    memset(c, 0, sizeof(c));
    memcpy(c + VIRTIO_NET_CFG_MAC, n->cfg.mac, 6);
    net_put_le16(c + VIRTIO_NET_CFG_STATUS, n->status);
    net_put_le16(c + VIRTIO_NET_CFG_PAIRS, n->cfg.max_virtqueue_pairs);
    net_put_le16(c + VIRTIO_NET_CFG_MTU, n->cfg.mtu);
    net_put_le32(c + VIRTIO_NET_CFG_SPEED, n->cfg.speed);
    c[VIRTIO_NET_CFG_DUPLEX] = n->cfg.duplex;
    c[VIRTIO_NET_CFG_RSS_KEY] = n->cfg.rss_max_key_size;
    net_put_le16(c + VIRTIO_NET_CFG_RSS_TABLE, n->cfg.rss_max_indirection_table_length);
    net_put_le32(c + VIRTIO_NET_CFG_HASH_TYPES, n->cfg.supported_hash_types);
    vmodel_set_device_cfg(n->m, 0, c, sizeof(c));
}

/* A device reset (status 0) clears what the driver set through the control queue
 * (virtio 1.2 2.4, 3.1.1; 5.1.6.5.1 has the driver say it again): receive mode, MAC
 * address and table, VLAN filter, RSS and hash, guest offloads, pairs, a pending
 * announcement; and the frames waiting for buffers. */
void net_check_reset(struct vmodel_net *n)
{
    uint32_t gen = vmodel_reset_count(n->m);

    if (gen == n->gen)
        return;
    n->gen = gen;
    net_rx_reset(n);
    memcpy(n->cfg.mac, n->mac0, 6);
    net_ctrl_defaults(n);
    n->status &= (uint16_t)~VIRTIO_NET_S_ANNOUNCE;
    net_write_config(n);
}

/* Reset hook: the state goes back at the reset itself, so a test reads it then. */
static void net_reset_hook(void *ctx)
{
    net_check_reset(ctx);
}

/* The handler: which queue is which (5.1.2). */
static uint32_t handler(void *ctx, const struct vmodel_req *req)
{
    struct vmodel_net *n = ctx;

    net_check_reset(n);
    if (req->queue == net_ctrl_queue(n))
        return net_ctrl(n, req);
    if (req->queue > net_ctrl_queue(n)) {
        net_rule(n, "queue-unknown", "request on queue %u, which is not a queue of the device",
                 req->queue);
        return 0;
    }
    return (req->queue & 1) ? net_tx(n, req) : net_rx(n, req);
}

struct vmodel_net *vmodel_net_create(struct vmodel *m, const struct vmodel_net_config *nc,
                                     const struct model_report *report)
{
    struct vmodel_net *n = calloc(1, sizeof(*n));

    if (n == NULL)
        return NULL;
    n->m = m;
    n->cfg = *nc;
    if (n->cfg.rx_backlog == 0)
        n->cfg.rx_backlog = 1;
    if (n->cfg.wire_depth == 0)
        n->cfg.wire_depth = 1;
    if (report != NULL)
        n->report = *report;
    n->status = nc->status;
    memcpy(n->mac0, nc->mac, 6);
    n->gen = vmodel_reset_count(m);
    n->wire = calloc(n->cfg.wire_depth, sizeof(*n->wire));
    n->txbuf = malloc(VMODEL_NET_MAX_TX_FRAME + VIRTIO_NET_HDR_HASH_LEN);
    for (unsigned i = 0; i < VMODEL_NET_MAX_PAIRS && n->wire != NULL; i++)
        if ((n->rxq[i].fifo = calloc(n->cfg.rx_backlog, sizeof(struct net_rx_frame))) == NULL)
            break;
    if (n->wire == NULL || n->txbuf == NULL || n->rxq[VMODEL_NET_MAX_PAIRS - 1].fifo == NULL) {
        vmodel_net_destroy(n);
        return NULL;
    }
    net_ctrl_defaults(n);
    net_write_config(n);
    vmodel_set_handler(m, handler, n);
    vmodel_set_reset_hook(m, net_reset_hook, n);
    return n;
}

void vmodel_net_destroy(struct vmodel_net *n)
{
    if (n == NULL)
        return;
    net_rx_reset(n);
    for (unsigned i = 0; i < VMODEL_NET_MAX_PAIRS; i++)
        free(n->rxq[i].fifo);
    while (n->wire != NULL && n->wire_count > 0) {
        free(n->wire[n->wire_head].data);
        n->wire_head = (n->wire_head + 1) % n->cfg.wire_depth;
        n->wire_count--;
    }
    free(n->wire);
    free(n->taken);
    free(n->txbuf);
    free(n);
}

void vmodel_net_set_hostile(struct vmodel_net *n, const struct vmodel_net_hostile *h)
{
    n->hostile = *h;
}

void vmodel_net_set_link(struct vmodel_net *n, bool up)
{
    uint16_t s = up ? (uint16_t)(n->status | VIRTIO_NET_S_LINK_UP)
                    : (uint16_t)(n->status & ~VIRTIO_NET_S_LINK_UP);
    if (s == n->status)
        return;
    n->status = s;
    if (n->hostile.speed_at_link != 0) {
        n->cfg.speed = n->hostile.speed_at_link; /* planted: the link came back at another speed */
        n->stats.hostile_done++;
    }
    net_write_config(n);
    /* 5.1.4.2: without STATUS the driver assumes the link up; the change is still a
     * configuration change the device signals. */
    n->stats.config_irqs++;
    vmodel_config_changed(n->m);
}

bool vmodel_net_announce(struct vmodel_net *n)
{
    /* 5.1.6.5.4: ANNOUNCE is set only with GUEST_ANNOUNCE (which needs CTRL_VQ);
     * a hostile device sets it anyway, which the driver must ignore */
    if (n->hostile.announce_unasked)
        n->stats.hostile_done++;
    else if (!net_has(n, VIRTIO_NET_F_GUEST_ANNOUNCE) || !net_has(n, VIRTIO_NET_F_CTRL_VQ))
        return false;
    n->status |= VIRTIO_NET_S_ANNOUNCE;
    net_write_config(n);
    n->stats.config_irqs++;
    vmodel_config_changed(n->m);
    return true;
}

/* ANNOUNCE acknowledged by the driver: the bit clears (5.1.6.5.4). */
void net_announce_ack(struct vmodel_net *n)
{
    n->status &= (uint16_t)~VIRTIO_NET_S_ANNOUNCE;
    n->stats.announce_acks++;
    n->stats.tx_frames_at_ack = n->stats.tx_frames;
    net_write_config(n);
}

bool vmodel_net_announce_pending(const struct vmodel_net *n)
{
    return (n->status & VIRTIO_NET_S_ANNOUNCE) != 0;
}

bool net_offload(const struct vmodel_net *n, unsigned bit)
{
    if (!net_has(n, bit))
        return false;
    return !n->st.offloads_set || ((n->st.offloads >> bit) & 1);
}

const struct vmodel_net_stats *vmodel_net_stats(const struct vmodel_net *n)
{
    return &n->stats;
}

const struct vmodel_net_state *vmodel_net_state(const struct vmodel_net *n)
{
    return &n->st;
}
