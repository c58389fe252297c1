/*
 * vmodel_net_priv.h - internal state of the virtio-net model (vmodel_net.h)
 * and the helpers its files share.
 */
#ifndef VMODEL_NET_PRIV_H
#define VMODEL_NET_PRIV_H

#include "vmodel_net.h"

#define NET_RX_HELD  1024u /* merged buffers one frame may take */
#define NET_FLOWS    256u  /* automatic steering table (5.1.6.5.5) */
#define NET_ETH_HLEN 14u

/** A frame waiting on a receive queue for buffers */
struct net_rx_frame {
    uint8_t *data;
    uint32_t len;
    uint8_t hdr[VIRTIO_NET_HDR_HASH_LEN]; /* the header the device writes before it */
    uint8_t hlen;                         /* its length (hostile: longer than negotiated) */
};

/** A posted buffer taken for the frame being received (merged buffers) */
struct net_rx_held {
    uint16_t id;
    uint32_t used;
};

struct net_rxq {
    struct net_rx_frame *fifo;
    unsigned head, count;
    uint32_t off; /* bytes of the head frame (header first) already placed */
    struct net_rx_held held[NET_RX_HELD]; /* buffers the head frame took so far */
    unsigned nheld;
    uint8_t *nb[2]; /* where the head frame's num_buffers went (patched when it is placed) */
};

/** A transmitted frame on the wire */
struct net_wire_frame {
    uint8_t *data;
    uint32_t len;
    uint16_t queue, segment, of;
};

struct vmodel_net {
    struct vmodel *m;
    struct vmodel_net_config cfg;
    uint8_t mac0[6]; /* the configuration's mac at creation: a reset returns to it */
    struct model_report report;
    struct vmodel_net_hostile hostile;
    struct vmodel_net_state st;
    struct vmodel_net_stats stats;
    uint32_t gen; /* device resets seen */
    uint16_t status;
    struct net_rxq rxq[VMODEL_NET_MAX_PAIRS];
    struct net_wire_frame *wire;
    unsigned wire_head, wire_count;
    uint8_t *taken; /* the frame vmodel_net_wire_take returned last */
    uint8_t flow_queue[NET_FLOWS];
    uint8_t *txbuf; /* one transmit request, header and frame */
};

/* vmodel_net.c */
void net_rule(struct vmodel_net *n, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool net_has(const struct vmodel_net *n, unsigned bit);
void net_check_reset(struct vmodel_net *n);
unsigned net_pairs_max(const struct vmodel_net *n);
uint16_t net_ctrl_queue(const struct vmodel_net *n);
void net_announce_ack(struct vmodel_net *n);
void net_write_config(struct vmodel_net *n);
/** Receive offload BIT (VIRTIO_NET_F_GUEST_*) in effect (negotiated, and not turned off) */
bool net_offload(const struct vmodel_net *n, unsigned bit);

/* vmodel_net_tx.c */
uint32_t net_tx(struct vmodel_net *n, const struct vmodel_req *req);
void net_wire_put(struct vmodel_net *n, const uint8_t *f, uint32_t len, uint16_t q, uint16_t seg,
                  uint16_t of);

/* vmodel_net_rx.c */
uint32_t net_rx(struct vmodel_net *n, const struct vmodel_req *req);
void net_rx_reset(struct vmodel_net *n);
void net_flow_learn(struct vmodel_net *n, const uint8_t *f, uint32_t len, uint16_t pair);

/* vmodel_net_ctrl.c */
uint32_t net_ctrl(struct vmodel_net *n, const struct vmodel_req *req);
void net_ctrl_defaults(struct vmodel_net *n);

/* vmodel_net_pkt.c: frame parsing and checksums */
struct net_pkt {
    uint32_t l3;   /* offset of the IP header */
    uint32_t l4;   /* offset of the TCP/UDP header; 0 none */
    uint32_t end;  /* end of the IP packet (its own length) */
    uint16_t vlan; /* 0xffff: untagged */
    uint8_t ipver; /* 4, 6 or 0 */
    uint8_t proto; /* 6 TCP, 17 UDP, other */
    bool frag;     /* an IPv4 fragment (not the first, or more to come) */
};
bool net_parse(const uint8_t *f, uint32_t len, struct net_pkt *p);
uint32_t net_sum(const uint8_t *p, uint32_t len, uint32_t sum);
uint16_t net_fold(uint32_t sum);
/** Sum of the pseudo header of P's L4 segment of L4_LEN bytes */
uint32_t net_pseudo(const uint8_t *f, const struct net_pkt *p, uint32_t l4_len);
/** Is the TCP/UDP checksum of the frame correct? (false when it has none) */
bool net_l4_csum_ok(const uint8_t *f, const struct net_pkt *p);
/** Write a full TCP/UDP checksum */
void net_l4_csum_set(uint8_t *f, const struct net_pkt *p);
void net_ipv4_csum_set(uint8_t *f, const struct net_pkt *p);
/**
 * Cut the TCP/UDP packet F (headers parsed into P) into segments of MSS
 * payload bytes; each goes to EMIT with full headers and checksums.
 * UDP_FRAG: IPv4 fragmentation (UFO) instead of UDP datagrams.
 * Returns the segment count, 0 when F is not a packet of that kind.
 */
unsigned
net_segment(const uint8_t *f, uint32_t len, const struct net_pkt *p, uint16_t mss, bool udp_frag,
            void (*emit)(void *ctx, const uint8_t *seg, uint32_t len, uint16_t i, uint16_t of),
            void *ctx);

static inline uint16_t net_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}
static inline void net_put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline uint32_t net_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void net_put_be32(uint8_t *p, uint32_t v)
{
    net_put_be16(p, (uint16_t)(v >> 16));
    net_put_be16(p + 2, (uint16_t)v);
}
static inline uint16_t net_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static inline void net_put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline uint32_t net_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline void net_put_le32(uint8_t *p, uint32_t v)
{
    net_put_le16(p, (uint16_t)v);
    net_put_le16(p + 2, (uint16_t)(v >> 16));
}

#endif /* VMODEL_NET_PRIV_H */
