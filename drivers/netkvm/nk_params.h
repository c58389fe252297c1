/*
 * nk_params.h - NetKVM's advanced properties: one table of every keyword the
 * driver reads (name, type, default, range or enum values), read through a
 * callback and checked.  OS-neutral: no Windows header; the host tests build
 * nk_params.c as it is, and the INF test checks netkvm.inx against the table.
 *
 * Usage (driver, PASSIVE_LEVEL, in MiniportInitializeEx):
 *
 *     static int read_raw(void *ctx, const char *name, struct nk_raw *raw)
 *     {   // NdisReadConfiguration(name as NDIS_STRING, NdisParameterString);
 *         // NdisParameterInteger result -> raw->kind = NK_RAW_INT, raw->ival;
 *         // NdisParameterString -> raw->kind = NK_RAW_STRING, raw->str (ASCII,
 *         //   NUL-terminated, truncated to NK_RAW_STR_MAX - 1: then set
 *         //   raw->truncated); absent -> return 0 (raw->kind stays NK_RAW_ABSENT)
 *         return 0;
 *     }
 *     struct nk_params p;
 *     unsigned bad = nk_params_load(&p, read_raw, cfg_handle);
 *     for (int id = 0; bad && id < NK_P_COUNT; id++)
 *         if (p.finding[id]) {
 *             char line[160];
 *             nk_params_describe(&p, id, line, sizeof line);   // "VlanId: '5000' is outside
 * 0..4094; using 0" log(line);
 *         }
 *     if (p.value[NK_P_RSS]) ... p.value[NK_P_NUM_RSS_QUEUES] ...
 *     if (p.mac_set) use p.mac (NetworkAddress: unicast, checked)
 *     struct nk_offload_cfg o;  nk_params_offloads(&p, &o);  // keyword AND legacy mask
 *
 * Every value in p.value[] is within its documented range: anything absent
 * is the default silently; anything malformed or out of range is the default
 * with p.finding[id] set (enum nk_param_finding).
 */
#ifndef NK_PARAMS_H
#define NK_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Every advanced property, in table order (nk_param_table[]). */
enum nk_param_id {
    NK_P_PRIORITY,          /* "Priority": 802.1p priority tagging (legacy) 0/1 */
    NK_P_PRIORITY_VLAN_TAG, /* "*PriorityVLANTag": 0 off, 1 prio, 2 VLAN, 3 both */
    NK_P_VLAN_ID,           /* "VlanId": 0..4094 (0: no VLAN) */
    NK_P_DO_LOG,            /* "DoLog": logging on 0/1 */
    NK_P_DEBUG_LEVEL,       /* "DebugLevel": 0..8 */
    NK_P_JUMBO_PACKET,      /* "*JumboPacket": frame size incl. 14-byte header, 590..65500 */
    NK_P_TX_CAPACITY,       /* "TxCapacity": 16..1024, power of two */
    NK_P_RX_CAPACITY,       /* "RxCapacity": 16..4096, power of two */
    NK_P_OFFLOAD_TX_CSUM,   /* "Offload.TxChecksum": legacy mask, NK_LEGACY_CSUM_* */
    NK_P_OFFLOAD_TX_LSO,    /* "Offload.TxLSO": 0 off, 1 IPv4, 2 IPv4+IPv6 */
    NK_P_OFFLOAD_RX_CSUM,   /* "Offload.RxCS": legacy mask, NK_LEGACY_CSUM_* */
    NK_P_IP_CSUM_V4,        /* "*IPChecksumOffloadIPv4": NK_CSUM_KW_* */
    NK_P_TCP_CSUM_V4,       /* "*TCPChecksumOffloadIPv4" */
    NK_P_TCP_CSUM_V6,       /* "*TCPChecksumOffloadIPv6" */
    NK_P_UDP_CSUM_V4,       /* "*UDPChecksumOffloadIPv4" */
    NK_P_UDP_CSUM_V6,       /* "*UDPChecksumOffloadIPv6" */
    NK_P_LSOV2_V4,          /* "*LsoV2IPv4": 0/1 */
    NK_P_LSOV2_V6,          /* "*LsoV2IPv6": 0/1 */
    NK_P_RSS,               /* "*RSS": 0/1 */
    NK_P_NUM_RSS_QUEUES,    /* "*NumRssQueues": 1..NK_MAX_RSS_QUEUES (no cap at 32) */
    NK_P_RSC_V4,            /* "*RscIPv4": 0/1 */
    NK_P_RSC_V6,            /* "*RscIPv6": 0/1 */
    NK_P_USO_V4,            /* "*UsoIPv4": 0/1 */
    NK_P_USO_V6,            /* "*UsoIPv6": 0/1 */
    NK_P_MIN_RX_BUFFER_PCT, /* "MinRxBufferPercent": 0..100 */
    NK_P_MERGEABLE_BUFFERS, /* "MergeableBuffers": 0/1, default ON (memory bounded, nk_rxbuf) */
    NK_P_NETWORK_ADDRESS,   /* "NetworkAddress": 12 hex digits, unicast; value[] unused, see mac */
    NK_P_COUNT
};

#define NK_MAX_RSS_QUEUES 128 /* NDIS indirection table: at most 128 entries */

/* Legacy Offload.TxChecksum / Offload.RxCS mask bits (existing driver) */
#define NK_LEGACY_CSUM_TCP4 1u
#define NK_LEGACY_CSUM_UDP4 2u
#define NK_LEGACY_CSUM_IP4  4u
#define NK_LEGACY_CSUM_TCP6 8u
#define NK_LEGACY_CSUM_UDP6 16u

/* Standardized checksum keyword values (Microsoft: "Using Registry Values to
 * Enable and Disable Task Offloading") */
#define NK_CSUM_KW_OFF   0
#define NK_CSUM_KW_TX    1
#define NK_CSUM_KW_RX    2
#define NK_CSUM_KW_TX_RX 3

enum nk_param_type {
    NK_PT_INT,  /* Min..Max, any integer (INF type int / dword) */
    NK_PT_POW2, /* Min..Max and a power of two (INF type enum) */
    NK_PT_ENUM, /* one of enums[] (INF type enum) */
    NK_PT_MAC,  /* NetworkAddress (INF type edit, LimitText 12) */
};

/* One row of the table; the INF's Ndi\Params must agree with it. */
struct nk_param_def {
    const char *name; /* registry keyword, case-insensitive */
    enum nk_param_type type;
    int32_t def, min, max;
    const int32_t *enums; /* NK_PT_ENUM / NK_PT_POW2: the values the INF lists */
    uint8_t nenums;
    const char *desc; /* the INF ParamDesc text */
};

extern const struct nk_param_def nk_param_table[NK_P_COUNT];

/* The table row for a keyword (case-insensitive), or NULL. */
const struct nk_param_def *nk_param_def_named(const char *name);

/* What the reader callback returns for one keyword */
#define NK_RAW_STR_MAX 64
enum nk_raw_kind { NK_RAW_ABSENT, NK_RAW_INT, NK_RAW_STRING };
struct nk_raw {
    enum nk_raw_kind kind;
    bool truncated;           /* the string did not fit str[]: malformed */
    int64_t ival;             /* NK_RAW_INT */
    char str[NK_RAW_STR_MAX]; /* NK_RAW_STRING: ASCII, NUL-terminated */
};

/* Reads keyword `name` into *raw (zeroed by the caller: kind ABSENT).
 * Returns 0, or nonzero on a read error (treated as malformed). */
typedef int (*nk_param_reader)(void *ctx, const char *name, struct nk_raw *raw);

enum nk_param_finding {
    NK_PF_NONE = 0,
    NK_PF_MALFORMED,     /* not a number / not 12 hex digits / truncated / read error */
    NK_PF_RANGE,         /* a number outside min..max */
    NK_PF_NOT_POW2,      /* within range but not a power of two */
    NK_PF_NOT_ENUM,      /* not one of the enum values */
    NK_PF_MAC_MULTICAST, /* NetworkAddress with the group bit set */
    NK_PF_MAC_ZERO,      /* NetworkAddress 00-00-00-00-00-00 */
    NK_PF_MAC_NOT_LOCAL, /* NetworkAddress without the locally-administered bit (0x02) */
};

struct nk_params {
    int32_t value[NK_P_COUNT];     /* checked values (defaults where needed) */
    uint8_t finding[NK_P_COUNT];   /* enum nk_param_finding per keyword */
    char rejected[NK_P_COUNT][24]; /* the rejected raw text, for the log line */
    uint8_t mac[6];                /* NetworkAddress when mac_set */
    bool mac_set;
    bool mac_local; /* locally-administered bit (0x02) set */
};

/* Reads and checks every keyword; returns the number of findings.  PASSIVE. */
unsigned nk_params_load(struct nk_params *p, nk_param_reader read, void *ctx);

/* Sets every value to its default (no reader). */
void nk_params_defaults(struct nk_params *p);

/* One log line for p->finding[id] into buf (always NUL-terminated); returns
 * its length (0 when there is no finding). */
size_t nk_params_describe(const struct nk_params *p, enum nk_param_id id, char *buf, size_t cap);

/* Parses NetworkAddress text: 12 hex digits, optionally separated by '-' or
 * ':' between octets.  Returns NK_PF_NONE and fills mac, or the finding. */
enum nk_param_finding nk_parse_mac(const char *text, uint8_t mac[6]);

/* The effective offload switches: a standardized keyword AND the legacy
 * mask (both must allow it); the driver further masks by device features. */
struct nk_offload_cfg {
    bool tx_ip4, tx_tcp4, tx_udp4, tx_tcp6, tx_udp6;
    bool rx_ip4, rx_tcp4, rx_udp4, rx_tcp6, rx_udp6;
    bool lso4, lso6, rsc4, rsc6, uso4, uso6;
};
void nk_params_offloads(const struct nk_params *p, struct nk_offload_cfg *o);

#endif /* NK_PARAMS_H */
