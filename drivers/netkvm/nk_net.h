/*
 * nk_net.h - the OS-neutral half of NetKVM that the miniport builds on:
 * virtio-net facts (virtio 1.2, section 5.1 "Network Device"), the feature
 * choice (nk_features.c), the device configuration checked value by value
 * (nk_config.c), the queue and interrupt-message plan (nk_queues.c) and the
 * control-queue commands (nk_ctrl.c).  Nothing here includes a Windows
 * header: the host unit tests (tests/host/, make check-netkvm) build these
 * files as they are, under ASan and UBSan.  Every value the device gives is
 * untrusted: each gets a range check and, when it fails, a finding for the
 * log and a safe default.
 */
#ifndef NK_NET_H
#define NK_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Feature bits (spec 5.1.3) ------------------------------------------ */
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
#define VIRTIO_NET_F_HOST_USO            56
#define VIRTIO_NET_F_HASH_REPORT         57
#define VIRTIO_NET_F_GUEST_HDRLEN        59
#define VIRTIO_NET_F_RSS                 60
#define VIRTIO_NET_F_RSC_EXT             61
#define VIRTIO_NET_F_STANDBY             62
#define VIRTIO_NET_F_SPEED_DUPLEX        63

/* Transport bits the driver uses (the core's virtio_spec.h has the rest) */
#define NK_F_INDIRECT_DESC   28
#define NK_F_EVENT_IDX       29
#define NK_F_VERSION_1       32
#define NK_F_ACCESS_PLATFORM 33
#define NK_F_RING_PACKED     34
#define NK_F_ORDER_PLATFORM  36

#define NK_BIT(n) ((uint64_t)1 << (n))

/* ---- Device configuration (spec 5.1.4): offsets and values -------------- */
#define NK_CFG_MAC           0  /* u8[6] */
#define NK_CFG_STATUS        6  /* le16 */
#define NK_CFG_MAX_PAIRS     8  /* le16 max_virtqueue_pairs */
#define NK_CFG_MTU           10 /* le16 */
#define NK_CFG_SPEED         12 /* le32, Mbit/s */
#define NK_CFG_DUPLEX        16 /* u8 */
#define NK_CFG_RSS_KEY_MAX   17 /* u8 rss_max_key_size */
#define NK_CFG_RSS_TABLE_MAX 18 /* le16 rss_max_indirection_table_length */
#define NK_CFG_HASH_TYPES    20 /* le32 supported_hash_types */
#define NK_CFG_BYTES         24 /* what the driver reads at most */

#define VIRTIO_NET_S_LINK_UP  1
#define VIRTIO_NET_S_ANNOUNCE 2

#define VIRTIO_NET_SPEED_UNKNOWN  0xffffffffu
#define VIRTIO_NET_DUPLEX_HALF    0x00
#define VIRTIO_NET_DUPLEX_FULL    0x01
#define VIRTIO_NET_DUPLEX_UNKNOWN 0xff

#define VIRTIO_NET_MQ_PAIRS_MIN  1
#define VIRTIO_NET_MQ_PAIRS_MAX  0x8000
#define VIRTIO_NET_MTU_MIN       68 /* the device MUST report 68 .. 65535 */
#define VIRTIO_NET_RSS_KEY_MIN   40 /* rss_max_key_size at least 40 */
#define VIRTIO_NET_RSS_TABLE_MIN 128

/* ---- virtio_net_hdr (spec 5.1.6) ----------------------------------------- */
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define VIRTIO_NET_HDR_F_DATA_VALID 2
#define VIRTIO_NET_HDR_F_RSC_INFO   4

#define VIRTIO_NET_HDR_GSO_NONE   0
#define VIRTIO_NET_HDR_GSO_TCPV4  1
#define VIRTIO_NET_HDR_GSO_UDP    3
#define VIRTIO_NET_HDR_GSO_TCPV6  4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#define VIRTIO_NET_HDR_GSO_ECN    0x80

/* Little-endian on the wire (VERSION_1; legacy devices are guest-endian,
 * and every Windows target is little-endian) */
struct nk_net_hdr {
    uint8_t flags;
    uint8_t gso_type;
    uint16_t hdr_len;
    uint16_t gso_size;
    uint16_t csum_start;
    uint16_t csum_offset;
    uint16_t num_buffers; /* only with VERSION_1 or MRG_RXBUF */
    uint32_t hash_value;  /* only with HASH_REPORT */
    uint16_t hash_report;
    uint16_t padding_reserved;
};
#define NK_HDR_LEN_LEGACY 10 /* legacy without MRG_RXBUF */
#define NK_HDR_LEN_MRG    12 /* with num_buffers */
#define NK_HDR_LEN_HASH   20 /* with the hash report */

/* Bytes of the header the device and driver exchange with these features */
size_t nk_hdr_len(uint64_t features);

/* ---- Ethernet ------------------------------------------------------------- */
#define NK_ETH_ALEN    6
#define NK_ETH_HLEN    14
#define NK_VLAN_HLEN   4
#define NK_VLAN_TAG_AT 12 /* an 802.1Q tag follows the two addresses */
#define NK_MTU_DEFAULT 1500
#define NK_MTU_MAX     65500 /* *JumboPacket's upper bound less the header */
#define NK_FRAME_MIN   60    /* without FCS */

/* ---- Feature choice (nk_features.c) -------------------------------------- */
/* What the advanced properties allow (nk_params, h-netoff, fills the same
 * meaning from the registry; the defaults here are the driver's own) */
struct nk_feature_wish {
    bool mrg_rxbuf;   /* MergeableBuffers: on by default */
    bool tx_csum;     /* any TX checksum offload on */
    bool rx_csum;     /* any RX checksum offload on */
    bool lso;         /* LSOv2 v4 or v6 on */
    bool rsc;         /* RSC v4 or v6 on */
    bool uso;         /* USO v4 or v6 on */
    bool multiqueue;  /* more than one queue pair wanted */
    bool packed;      /* packed ring allowed */
    bool vlan_filter; /* CTRL_VLAN wanted (a VlanId set) */
    bool rss;         /* *RSS: device RSS and hash reports wanted */
};

/* The driver's defaults: every offload the miniport can drive, MRG_RXBUF on */
void nk_feature_wish_defaults(struct nk_feature_wish *w);

/*
 * The bits to acknowledge: what offered and wish allow, and only bits
 * whose dependencies (spec 5.1.3.1) are also acknowledged, so a device that
 * offers, say, HOST_TSO4 without CSUM never gets an invalid combination.
 */
uint64_t nk_choose_features(uint64_t offered, const struct nk_feature_wish *wish);

/* Drop from negotiated every bit whose dependency is missing (used on the
 * result too: a device may accept fewer bits than asked) */
uint64_t nk_features_consistent(uint64_t features);

/* ---- Configuration (nk_config.c) ----------------------------------------- */
struct nk_config {
    uint8_t mac[NK_ETH_ALEN]; /* permanent address */
    bool mac_from_device;     /* false: the fallback was used */
    bool has_status;          /* link state is reported (STATUS) */
    bool link_up;
    bool announce;       /* the device asks for a gratuitous announce */
    uint16_t max_pairs;  /* queue pairs the device has (1 without MQ) */
    uint16_t mtu;        /* the MTU to report */
    uint64_t speed_bps;  /* link speed (10 Gbit/s when unknown) */
    uint8_t duplex;      /* VIRTIO_NET_DUPLEX_* */
    uint8_t rss_key_max; /* RSS: 0 when RSS is not usable */
    uint16_t rss_table_max;
    uint32_t hash_types;
    /* Negotiated bits whose field was rejected: the driver negotiates again
     * without them, since keeping a bit binds it to the field (a control
     * queue at 2 * max_virtqueue_pairs, frames within mtu: spec 5.1.2, 5.1.6.2) */
    uint64_t drop;
};

enum nk_finding {
    NK_BAD_MAC = 1u << 0,      /* multicast or all zeros: fallback address */
    NK_BAD_PAIRS = 1u << 1,    /* 0 or above 0x8000: one pair */
    NK_BAD_MTU = 1u << 2,      /* below 68 or above NK_MTU_MAX: 1500 */
    NK_BAD_SPEED = 1u << 3,    /* 0: unknown (the default speed) */
    NK_BAD_DUPLEX = 1u << 4,   /* not 0, 1 or 0xff: unknown */
    NK_BAD_RSS = 1u << 5,      /* key or table below the minimum: RSS off */
    NK_BAD_STATUS = 1u << 6,   /* bits beyond LINK_UP and ANNOUNCE: ignored */
    NK_SHORT_CONFIG = 1u << 7, /* the region ends before a negotiated field */
};

#define NK_DEFAULT_SPEED_BPS 10000000000ull /* reported when the device does not tell */

/*
 * Check the configuration (cfg: len bytes, read consistently) against the
 * negotiated features and fill c; fallback_mac is used when the device
 * gives none or a bad one.  Returns the findings (enum nk_finding); each
 * has a safe default in c, none fails the start.
 */
unsigned nk_config_check(const uint8_t *cfg, size_t len, uint64_t features,
                         const uint8_t *fallback_mac, struct nk_config *c);

/* Re-read only the status word (link and announce) after a configuration
 * interrupt; false when the device gives no status. */
bool nk_config_status(const uint8_t *cfg, size_t len, uint64_t features, struct nk_config *c);

/* Re-read speed and duplex (SPEED_DUPLEX: the device may change them and
 * signal a configuration change, virtio 1.2 5.1.4) into c with the same
 * checks and defaults as nk_config_check; its findings. */
unsigned nk_config_link(const uint8_t *cfg, size_t len, uint64_t features, struct nk_config *c);

/* A one-line description of a finding, for the log */
const char *nk_finding_text(unsigned finding);

/* True for an address a NIC may use as its own (unicast, not all zeros) */
bool nk_mac_usable(const uint8_t *mac);

/* ---- Queues and messages (nk_queues.c) ----------------------------------- */
enum nk_msg_mode {
    NK_MSG_ONE_EACH = 0, /* config 0, rx k 1+2k, tx k 2+2k, ctrl 2N+1 */
    NK_MSG_PER_PAIR = 1, /* config 0, ctrl 1, pair k (rx and tx) on 2+k */
    NK_MSG_SHARED = 2,   /* config and ctrl 0, pairs round robin on 1..m-1 */
    NK_MSG_ALL_ONE = 3,  /* one message (or a line) for everything */
};

struct nk_queue_plan {
    unsigned pairs;      /* queue pairs to run */
    bool ctrl;           /* a control queue */
    uint16_t ctrl_index; /* its virtqueue index (2 * max_pairs, or 2) */
    enum nk_msg_mode mode;
    unsigned messages; /* messages granted (0: a line) */
};

/* Virtqueue index of pair k's receive queue (spec 5.1.2). IRQL: any. */
static inline uint16_t nk_rxq_index(unsigned k)
{
    return (uint16_t)(2 * k);
}
/* Virtqueue index of pair k's transmit queue. IRQL: any. */
static inline uint16_t nk_txq_index(unsigned k)
{
    return (uint16_t)(2 * k + 1);
}

/*
 * Choose the queue pairs and their messages: one pair per CPU, up to what
 * the device has and the wanted count (0: no limit), with no other cap;
 * messages is what the system granted (0: a line interrupt).  Fewer
 * messages than 2 * pairs + 2 make queues share them; the number of pairs
 * never drops for that.
 */
void nk_plan_queues(unsigned cpus, unsigned dev_pairs, unsigned wanted, bool ctrl,
                    unsigned messages, struct nk_queue_plan *plan);

/* The message of virtqueue index (or of the configuration: index
 * NK_CONFIG_QUEUE); always below max(messages, 1) */
#define NK_CONFIG_QUEUE 0xffffu
unsigned nk_queue_message(const struct nk_queue_plan *plan, unsigned index);

/* Messages a device with pairs queue pairs and a control queue would want */
unsigned nk_messages_wanted(unsigned pairs, bool ctrl);

/* ---- Control queue (nk_ctrl.c; spec 5.1.6.5) ----------------------------- */
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
#define VIRTIO_NET_OK                      0
#define VIRTIO_NET_ERR                     1

#define NK_MCAST_MAX 32 /* multicast addresses the driver keeps (OID_802_3_MAXIMUM_LIST_SIZE) */

/* Command data at most: an RSS configuration of 128 entries and a 40-byte
 * key (307 bytes) is the largest; the MAC tables take 8 + 33 x 6 */
#define NK_CTRL_DATA_MAX 320

/* One command: class, command and the device-readable data; the ack byte
 * is a separate device-writable segment */
struct nk_ctrl_cmd {
    uint8_t class_;
    uint8_t cmd;
    uint16_t len; /* data bytes */
    uint8_t data[NK_CTRL_DATA_MAX];
};

/* The NDIS packet filter bits the commands follow (NDIS_PACKET_TYPE_*) */
#define NK_FILTER_DIRECTED    0x01
#define NK_FILTER_MULTICAST   0x02
#define NK_FILTER_ALL_MULTI   0x04
#define NK_FILTER_BROADCAST   0x08
#define NK_FILTER_PROMISCUOUS 0x20

/*
 * The commands that set the receive mode for an NDIS packet filter (cmds:
 * room for 4; CTRL_RX needed, NOBCAST with CTRL_RX_EXTRA).  Returns how
 * many were written.
 */
unsigned nk_ctrl_rx_mode(uint32_t filter, uint64_t features, struct nk_ctrl_cmd *cmds);

/* Whether a received frame to dest passes the NDIS packet filter: directed
 * to mac, broadcast, a multicast address in the list (count entries) or any
 * with ALL_MULTI, everything with PROMISCUOUS.  The driver's own check for
 * what the device cannot drop (no CTRL_RX, or broadcasts without RX_EXTRA). */
bool nk_rx_filter_pass(uint32_t filter, const uint8_t *dest, const uint8_t *mac,
                       const uint8_t (*mcast)[NK_ETH_ALEN], unsigned count);

/* How the address NetworkAddress asks for reaches the device (virtio 1.2
 * 5.1.6.5.2): MAC_ADDR_SET makes it the device's default address
 * (CTRL_MAC_ADDR); without that, an entry of MAC_TABLE_SET's unicast list
 * has the device deliver frames to it (CTRL_RX); with neither a VERSION_1
 * driver has no way (the configuration's mac is driver-writable through
 * the legacy interface only) and the device's own address is kept */
enum nk_mac_way {
    NK_MAC_DEVICE = 0, /* the device's address: none asked, or no way to tell the device */
    NK_MAC_ADDR_SET,   /* CTRL_MAC_ADDR: MAC_ADDR_SET */
    NK_MAC_UNICAST,    /* CTRL_RX alone: MAC_TABLE_SET's unicast list, with every table */
};
enum nk_mac_way nk_mac_way(bool asked, uint64_t features);

/* MAC_TABLE_SET: unicast (NULL: none; else one entry, the address in use
 * that the device cannot take as its own) and the count multicast
 * addresses (at most NK_MCAST_MAX; false when more) */
bool nk_ctrl_mac_table(const uint8_t *unicast, const uint8_t (*mcast)[NK_ETH_ALEN], unsigned count,
                       struct nk_ctrl_cmd *cmd);
/* The MAC table the driver sends with every receive-filter change and
 * after a reset: the address in use (mac) in the unicast list when way is
 * NK_MAC_UNICAST, the multicast list; false without CTRL_RX or with more
 * than NK_MCAST_MAX addresses */
bool nk_ctrl_rx_table(enum nk_mac_way way, uint64_t features, const uint8_t *mac,
                      const uint8_t (*mcast)[NK_ETH_ALEN], unsigned count, struct nk_ctrl_cmd *cmd);

/* MAC_ADDR_SET, VLAN_ADD/DEL (vid 1..4094), MQ_VQ_PAIRS_SET (1..0x8000),
 * ANNOUNCE_ACK, GUEST_OFFLOADS_SET; false for a value out of range */
void nk_ctrl_mac_addr(const uint8_t *mac, struct nk_ctrl_cmd *cmd);
bool nk_ctrl_vlan(bool add, unsigned vid, struct nk_ctrl_cmd *cmd);
bool nk_ctrl_mq_pairs(unsigned pairs, struct nk_ctrl_cmd *cmd);
void nk_ctrl_announce_ack(struct nk_ctrl_cmd *cmd);
void nk_ctrl_guest_offloads(uint64_t offloads, struct nk_ctrl_cmd *cmd);

/* Write the command as the device reads it (class, command, data) into
 * out (2 + sizeof(data) bytes); returns its length */
size_t nk_ctrl_wire(const struct nk_ctrl_cmd *c, uint8_t *out);
#define NK_CTRL_WIRE_MAX (2 + sizeof(((struct nk_ctrl_cmd *)0)->data))

/* The ack byte as the device wrote it: true for VIRTIO_NET_OK only, and
 * only when the used length is the one writable byte, the ack (0: not
 * written; more: a write past what was posted, a device error) */
bool nk_ctrl_acked(uint8_t ack, uint32_t written);

/* ---- Little-endian helpers ------------------------------------------------ */
/* A little-endian 16-bit load. IRQL: any. */
static inline uint16_t nk_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
/* A little-endian 32-bit load. IRQL: any. */
static inline uint32_t nk_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
/* A little-endian 16-bit store. IRQL: any. */
static inline void nk_put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

#endif /* NK_NET_H */
