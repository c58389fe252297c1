/*
 * vmodel_net.h - the device end of virtio-net (virtio 1.2 spec 5.1,
 * "Network Device") as a vmodel request handler, with a wire: frames the
 * driver transmits leave on the wire (checksummed and segmented as the
 * header asked) for the test to capture, frames the test injects arrive on
 * a receive queue (filtered, steered, hashed) in the buffers the driver
 * posted.  Written from the specification only; no driver code was read.
 *
 *   struct vmodel_net_config nc;
 *   vmodel_net_default_config(&nc);            (then any value, hostile too)
 *   vmodel_net_vmodel_config(&mc, &nc);        (device type, queues, config length)
 *   m = vmodel_create(&mc);
 *   n = vmodel_net_create(m, &nc);             (config space, handler)
 *   vmodel_net_wire_inject(n, frame, len, NULL); vmodel_run(m);
 *   vmodel_run(m); while (vmodel_net_wire_take(n, &f)) ...
 *
 * Queues (5.1.2): receiveqN = 2(N-1), transmitqN = 2(N-1)+1, controlq =
 * 2 * max_virtqueue_pairs when MQ or RSS is negotiated, else 2.
 *
 * Every driver error is a named rule (vmodel_net_stats: rule_errors,
 * last_rule "RULE: detail"); the list is in tests/models/README.md.  A
 * broken transmit is not sent; a broken control command is answered ERR.
 */
#ifndef VMODEL_NET_H
#define VMODEL_NET_H

#include "../model_report.h"
#include "vmodel.h"

#define VMODEL_NET_DEVICE_TYPE 1
#define VMODEL_NET_CFG_LEN     24  /* through supported_hash_types (5.1.4) */
#define VMODEL_NET_MAX_PAIRS   128 /* pairs served (max_virtqueue_pairs may claim more) */
#define VMODEL_NET_MAX_FRAME                                                                       \
    65550u /* a received frame: the 65562-byte buffer of 5.1.6.3.1 less the header */
/* A sent GSO frame: a 65535-byte IP packet behind an Ethernet header and one
 * 802.1Q tag (a tagging driver's LSO send; no spec bound below that) */
#define VMODEL_NET_MAX_TX_FRAME 65553u

/* Feature bits (5.1.3) */
#define VIRTIO_NET_F_CSUM                0
#define VIRTIO_NET_F_GUEST_CSUM          1
#define VIRTIO_NET_F_CTRL_GUEST_OFFLOADS 2
#define VIRTIO_NET_F_MTU                 3
#define VIRTIO_NET_F_MAC                 5
#define VIRTIO_NET_F_GUEST_TSO4          7
#define VIRTIO_NET_F_GUEST_TSO6          8
#define VIRTIO_NET_F_GUEST_ECN           9
#define VIRTIO_NET_F_GUEST_UFO           10
#define VIRTIO_NET_F_HOST_TSO4           11
#define VIRTIO_NET_F_HOST_TSO6           12
#define VIRTIO_NET_F_HOST_ECN            13
#define VIRTIO_NET_F_HOST_UFO            14
#define VIRTIO_NET_F_MRG_RXBUF           15
#define VIRTIO_NET_F_STATUS              16
#define VIRTIO_NET_F_CTRL_VQ             17
#define VIRTIO_NET_F_CTRL_RX             18
#define VIRTIO_NET_F_CTRL_VLAN           19
#define VIRTIO_NET_F_CTRL_RX_EXTRA       20
#define VIRTIO_NET_F_GUEST_ANNOUNCE      21
#define VIRTIO_NET_F_MQ                  22
#define VIRTIO_NET_F_CTRL_MAC_ADDR       23
#define VIRTIO_NET_F_GUEST_USO4          54
#define VIRTIO_NET_F_GUEST_USO6          55
#define VIRTIO_NET_F_HOST_USO            56
#define VIRTIO_NET_F_HASH_REPORT         57
#define VIRTIO_NET_F_RSS                 60
#define VIRTIO_NET_F_RSC_EXT             61
#define VIRTIO_NET_F_SPEED_DUPLEX        63

/* Configuration layout (5.1.4) */
#define VIRTIO_NET_CFG_MAC        0
#define VIRTIO_NET_CFG_STATUS     6
#define VIRTIO_NET_CFG_PAIRS      8
#define VIRTIO_NET_CFG_MTU        10
#define VIRTIO_NET_CFG_SPEED      12
#define VIRTIO_NET_CFG_DUPLEX     16
#define VIRTIO_NET_CFG_RSS_KEY    17
#define VIRTIO_NET_CFG_RSS_TABLE  18
#define VIRTIO_NET_CFG_HASH_TYPES 20
#define VIRTIO_NET_S_LINK_UP      1
#define VIRTIO_NET_S_ANNOUNCE     2

/* struct virtio_net_hdr (5.1.6) */
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define VIRTIO_NET_HDR_F_DATA_VALID 2
#define VIRTIO_NET_HDR_F_RSC_INFO   4
#define VIRTIO_NET_HDR_GSO_NONE     0
#define VIRTIO_NET_HDR_GSO_TCPV4    1
#define VIRTIO_NET_HDR_GSO_UDP      3
#define VIRTIO_NET_HDR_GSO_TCPV6    4
#define VIRTIO_NET_HDR_GSO_UDP_L4   5
#define VIRTIO_NET_HDR_GSO_ECN      0x80
#define VIRTIO_NET_HDR_LEGACY_LEN   10 /* no num_buffers: legacy without MRG_RXBUF */
#define VIRTIO_NET_HDR_LEN          12
#define VIRTIO_NET_HDR_HASH_LEN     20 /* with HASH_REPORT */

/* Hash types (5.1.6.4.3.1) and reported types (5.1.6.4.4) */
#define VIRTIO_NET_HASH_TYPE_IPv4    (1u << 0)
#define VIRTIO_NET_HASH_TYPE_TCPv4   (1u << 1)
#define VIRTIO_NET_HASH_TYPE_UDPv4   (1u << 2)
#define VIRTIO_NET_HASH_TYPE_IPv6    (1u << 3)
#define VIRTIO_NET_HASH_TYPE_TCPv6   (1u << 4)
#define VIRTIO_NET_HASH_TYPE_UDPv6   (1u << 5)
#define VIRTIO_NET_HASH_TYPE_IP_EX   (1u << 6)
#define VIRTIO_NET_HASH_TYPE_TCP_EX  (1u << 7)
#define VIRTIO_NET_HASH_TYPE_UDP_EX  (1u << 8)
#define VIRTIO_NET_HASH_REPORT_NONE  0
#define VIRTIO_NET_HASH_REPORT_IPv4  1
#define VIRTIO_NET_HASH_REPORT_TCPv4 2
#define VIRTIO_NET_HASH_REPORT_UDPv4 3
#define VIRTIO_NET_HASH_REPORT_IPv6  4
#define VIRTIO_NET_HASH_REPORT_TCPv6 5
#define VIRTIO_NET_HASH_REPORT_UDPv6 6

/* Control queue (5.1.6.5) */
#define VIRTIO_NET_OK                      0
#define VIRTIO_NET_ERR                     1
#define VIRTIO_NET_CTRL_RX                 0
#define VIRTIO_NET_CTRL_RX_PROMISC         0
#define VIRTIO_NET_CTRL_RX_ALLMULTI        1
#define VIRTIO_NET_CTRL_RX_ALLUNI          2
#define VIRTIO_NET_CTRL_RX_NOMULTI         3
#define VIRTIO_NET_CTRL_RX_NOUNI           4
#define VIRTIO_NET_CTRL_RX_NOBCAST         5
#define VIRTIO_NET_CTRL_MAC                1
#define VIRTIO_NET_CTRL_MAC_TABLE_SET      0
#define VIRTIO_NET_CTRL_MAC_ADDR_SET       1
#define VIRTIO_NET_CTRL_VLAN               2
#define VIRTIO_NET_CTRL_VLAN_ADD           0
#define VIRTIO_NET_CTRL_VLAN_DEL           1
#define VIRTIO_NET_CTRL_ANNOUNCE           3
#define VIRTIO_NET_CTRL_ANNOUNCE_ACK       0
#define VIRTIO_NET_CTRL_MQ                 4
#define VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET    0
#define VIRTIO_NET_CTRL_MQ_RSS_CONFIG      1
#define VIRTIO_NET_CTRL_MQ_HASH_CONFIG     2
#define VIRTIO_NET_CTRL_GUEST_OFFLOADS     5
#define VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET 0

#define VMODEL_NET_MAC_TABLE 64   /* unicast + multicast entries kept */
#define VMODEL_NET_KEY_MAX   40   /* longest RSS key the model takes */
#define VMODEL_NET_TABLE_MAX 1024 /* longest indirection table the model takes */

/** The device as offered; any value, hostile too */
struct vmodel_net_config {
    uint64_t features; /**< device-specific bits offered (VIRTIO_NET_F_*; the ring bits are
                            the vmodel's) */
    uint8_t mac[6];
    uint16_t status; /**< VIRTIO_NET_S_* at creation */
    uint16_t max_virtqueue_pairs;
    uint16_t mtu;
    uint32_t speed; /**< Mbit/s; 0xffffffff unknown */
    uint8_t duplex; /**< 1 full, 0 half, 0xff unknown */
    uint8_t rss_max_key_size;
    uint16_t rss_max_indirection_table_length;
    uint32_t supported_hash_types;
    uint32_t rx_backlog; /**< frames a receive queue keeps while it has no buffer (then drop) */
    uint32_t wire_depth; /**< transmitted frames kept for vmodel_net_wire_take (then drop) */
};

/** How an injected frame arrives (NULL: a plain frame, steered by the device) */
struct vmodel_net_rx_opts {
    int queue;         /**< receive queue pair (0-based) to force; -1 the device steers */
    uint8_t gso_type;  /**< a coalesced frame (VIRTIO_NET_HDR_GSO_*) ... */
    uint16_t gso_size; /**< ... of segments of this size (RSC: GUEST_TSO) */
    uint16_t segments; /**< segments coalesced (RSC_INFO reports it) */
    bool partial_csum; /**< arrives with a partial checksum (NEEDS_CSUM), as from a local peer */
};

/** Hostile device knobs, for driver tests (each broken value is counted in hostile_done) */
struct vmodel_net_hostile {
    uint16_t num_buffers;         /**< nonzero: claim this many merged buffers whatever was used */
    bool num_buffers_zero;        /**< num_buffers 0 in the header (5.1.6.4: at least 1) */
    uint32_t used_len;            /**< nonzero: the used length of a frame's last buffer, whatever
                                       was written (below the header: 4; the ring keeps it within
                                       the buffer) */
    uint32_t used_len_past;       /**< nonzero: a frame's last buffer is used with its writable
                                       bytes plus this many (past its end; ~0u: 0xffffffff) */
    uint32_t used_len_past_first; /**< nonzero: a merged frame's FIRST buffer is used with its
                                       writable bytes plus this many (~0u: 0xffffffff); its
                                       other buffers as written */
    uint16_t num_buffers_extra;   /**< nonzero: num_buffers this many more than the frame used */
    uint32_t tx_used_len;         /**< nonzero: a transmit chain (device-readable only) is used
                                       with this length */
    bool hash_unnegotiated;       /**< report a hash type although HASH_REPORT was not negotiated
                                       (the header grows to 20 bytes: frame bytes are overwritten) */
    bool bad_hash_report;         /**< hash_report 0xbeef, a value no spec defines */
    bool data_valid_unasked;      /**< DATA_VALID without GUEST_CSUM */
    bool gso_unasked;             /**< gso_type TCPV4 on a plain frame, GUEST_TSO4 or not */
    bool csum_start_beyond;       /**< NEEDS_CSUM with csum_start past the frame */
    bool drop_all;                /**< the wire loses every injected frame (counted) */
    bool announce_unasked;        /**< vmodel_net_announce sets ANNOUNCE without GUEST_ANNOUNCE */
    uint16_t ctrl_refuse;         /**< answer the next N control commands (framed right, feature
                                   *   negotiated) VIRTIO_NET_ERR, changing nothing (counts down) */
    /* Planted faults a driver cannot see, for scenarios that must fail with them */
    bool rx_flip_last;      /**< the last byte of each received frame flipped on the wire */
    uint32_t speed_at_link; /**< nonzero: a link change also sets the configuration's speed
                                 to this (Mbit/s) */
};

/** One frame captured from the wire */
struct vmodel_net_frame {
    uint8_t *data; /**< valid until the next wire call */
    uint32_t len;
    uint16_t queue;   /**< transmit queue pair it left from */
    uint16_t segment; /**< 0-based segment number of a segmented send */
    uint16_t of;      /**< segments that send became */
};

struct vmodel_net_stats {
    uint64_t tx_packets, tx_frames, tx_bytes, tx_csum, tx_segmented, tx_dropped_link,
        tx_dropped_rule, wire_dropped;
    uint64_t rx_frames, rx_bytes, rx_buffers, rx_merged, rx_data_valid, rx_hashed,
        rx_dropped_no_buffer, rx_dropped_filter, rx_dropped_vlan, rx_dropped_link,
        rx_dropped_too_big, rx_dropped_wire, rx_segmented;
    uint64_t rx_per_queue[VMODEL_NET_MAX_PAIRS];
    uint64_t ctrl_ok, ctrl_err, config_irqs, hostile_done;
    uint32_t hostile_len;      /* the last hostile used length written (used_len_past_first) */
    uint64_t announce_acks;    /* VIRTIO_NET_CTRL_ANNOUNCE_ACK commands taken */
    uint64_t tx_frames_at_ack; /* tx_frames when the last one came */
    uint64_t rule_errors;
    char last_rule[200];
};

/** The receive filter and steering state the driver set, for tests to read */
struct vmodel_net_state {
    bool promisc, allmulti, alluni, nomulti, nouni, nobcast;
    uint8_t mac[6];
    unsigned uni_count, multi_count;
    bool uni_overflow, multi_overflow; /* a table longer than the model keeps: all of that kind */
    uint8_t macs[VMODEL_NET_MAC_TABLE][6]; /* unicast first, then multicast */
    uint16_t pairs;                        /* queue pairs in use */
    bool rss_on, hash_on;                  /* RSS steering; hash reporting */
    uint32_t hash_types;
    uint16_t table_len, unclassified;
    uint16_t table[VMODEL_NET_TABLE_MAX];
    uint8_t key_len;
    uint8_t key[VMODEL_NET_KEY_MAX];
    uint64_t offloads;  /* GUEST_OFFLOADS_SET value (receive offloads) ... */
    bool offloads_set;  /* ... once the driver sent one; before, the negotiated ones */
    uint8_t vlans[512]; /* VLAN filter bitmap, 4096 ids */
};

struct vmodel_net;

void vmodel_net_default_config(struct vmodel_net_config *nc);
/** Device type, queue count (2 * pairs + 1), config length and offered bits into MC */
void vmodel_net_vmodel_config(struct vmodel_config *mc, const struct vmodel_net_config *nc);
/** Writes the config space, installs the handler on M; REPORT (may be NULL) gets notes */
struct vmodel_net *vmodel_net_create(struct vmodel *m, const struct vmodel_net_config *nc,
                                     const struct model_report *report);
void vmodel_net_destroy(struct vmodel_net *n);
void vmodel_net_set_hostile(struct vmodel_net *n, const struct vmodel_net_hostile *h);

/** Link up or down (STATUS), with a configuration interrupt (5.1.4) */
void vmodel_net_set_link(struct vmodel_net *n, bool up);
/** Ask the driver to announce itself (ANNOUNCE with GUEST_ANNOUNCE); false when not
 *  negotiated */
bool vmodel_net_announce(struct vmodel_net *n);
/** Is VIRTIO_NET_S_ANNOUNCE set in the status field now? */
bool vmodel_net_announce_pending(const struct vmodel_net *n);

/**
 * A frame arrives from the wire: filtered (receive mode, MAC table, VLAN
 * table), steered (RSS, automatic steering, or OPTS->queue) and queued for
 * the receive queue's next buffers.  Returns the receive queue pair it went
 * to, or -1 when it was dropped (counted by reason).
 */
int vmodel_net_wire_inject(struct vmodel_net *n, const void *frame, uint32_t len,
                           const struct vmodel_net_rx_opts *opts);
/** Next frame the driver sent, oldest first; false when none */
bool vmodel_net_wire_take(struct vmodel_net *n, struct vmodel_net_frame *f);
/** Frames waiting on receive queue PAIR (-1: all) for a buffer */
unsigned vmodel_net_rx_waiting(const struct vmodel_net *n, int pair);
/** Drop what waits for buffers (counted rx_dropped_no_buffer), as a NIC with no FIFO */
unsigned vmodel_net_rx_flush(struct vmodel_net *n);

/** The RSS Toeplitz hash of DATA with KEY (KEY_LEN >= data length + 4) */
uint32_t vmodel_net_toeplitz(const uint8_t *key, unsigned key_len, const uint8_t *data,
                             unsigned len);
/** Hash of FRAME as the device computes it with TYPES and KEY; *REPORT the reported type
 *  (VIRTIO_NET_HASH_REPORT_NONE: no hash) */
uint32_t vmodel_net_frame_hash(const uint8_t *frame, uint32_t len, uint32_t types,
                               const uint8_t *key, unsigned key_len, uint16_t *report);

const struct vmodel_net_stats *vmodel_net_stats(const struct vmodel_net *n);
const struct vmodel_net_state *vmodel_net_state(const struct vmodel_net *n);
/** Header size with the negotiated features (10, 12 or 20) */
unsigned vmodel_net_hdr_len(const struct vmodel_net *n);
/** The control queue's index as negotiated (5.1.2), for vmodel_queue_delay / _freeze */
uint16_t vmodel_net_ctrl_queue(const struct vmodel_net *n);

#endif /* VMODEL_NET_H */
