/* nk_params.c - NetKVM's advanced-property table and its checked reader
 * (see nk_params.h).  Names, defaults and ranges are those of the existing
 * driver's INF (reference drivers.md section 6) with two deliberate
 * changes: *NumRssQueues goes to 128 and defaults to 128 (one pair per CPU
 * up to the device's count, no cap at 32 or 16) and MergeableBuffers
 * is on by default (its memory is bounded by nk_rxbuf).  Standardized
 * keyword values follow Microsoft's "Standardized INF Keywords for Network
 * Devices", "... for TCP/IP Offload", "... for RSS", "... for RSC" and
 * "... for USO".  Uses no C library beyond memset/memcpy: it is built into
 * the driver as well.  PASSIVE_LEVEL (runs from MiniportInitializeEx). */
#include "nk_params.h"

#include <string.h>

static const int32_t k_bool[] = {0, 1};
static const int32_t k_prio_vlan[] = {0, 1, 2, 3};
static const int32_t k_csum_kw[] = {NK_CSUM_KW_OFF, NK_CSUM_KW_TX, NK_CSUM_KW_RX, NK_CSUM_KW_TX_RX};
static const int32_t k_legacy_csum[] = {0, 1, 3, 27, 31};
static const int32_t k_tx_lso[] = {0, 1, 2};
static const int32_t k_tx_cap[] = {16, 32, 64, 128, 256, 512, 1024};
static const int32_t k_rx_cap[] = {16, 32, 64, 128, 256, 512, 1024, 2048, 4096};

#define ENUMS(a)           a, (uint8_t)(sizeof(a) / sizeof(a[0]))
#define BOOL_P(n, d, text) {n, NK_PT_ENUM, d, 0, 1, ENUMS(k_bool), text}
#define CSUM_P(n, text)    {n, NK_PT_ENUM, 3, 0, 3, ENUMS(k_csum_kw), text}

const struct nk_param_def nk_param_table[NK_P_COUNT] = {
    [NK_P_PRIORITY] = BOOL_P("Priority", 1, "Init.Do802.1PQ"),
    [NK_P_PRIORITY_VLAN_TAG] = {"*PriorityVLANTag", NK_PT_ENUM, 3, 0, 3, ENUMS(k_prio_vlan),
                                "Priority and VLAN tagging"},
    [NK_P_VLAN_ID] = {"VlanId", NK_PT_INT, 0, 0, 4094, NULL, 0, "VLAN ID"},
    [NK_P_DO_LOG] = BOOL_P("DoLog", 1, "Logging.Enable"),
    [NK_P_DEBUG_LEVEL] = {"DebugLevel", NK_PT_INT, 0, 0, 8, NULL, 0, "Logging.Level"},
    /* 590..65500 (the existing driver's range): Microsoft's "Keywords that
     * can be edited" says *JumboPacket's range of values and maximum value
     * are IHV-defined (only older translations give a minimum of 1514) */
    [NK_P_JUMBO_PACKET] = {"*JumboPacket", NK_PT_INT, 1514, 590, 65500, NULL, 0, "Jumbo Packet"},
    [NK_P_TX_CAPACITY] = {"TxCapacity", NK_PT_POW2, 1024, 16, 1024, ENUMS(k_tx_cap),
                          "Init.MaxTxBuffers"},
    [NK_P_RX_CAPACITY] = {"RxCapacity", NK_PT_POW2, 1024, 16, 4096, ENUMS(k_rx_cap),
                          "Init.MaxRxBuffers"},
    [NK_P_OFFLOAD_TX_CSUM] = {"Offload.TxChecksum", NK_PT_ENUM, 31, 0, 31, ENUMS(k_legacy_csum),
                              "Offload.Tx.Checksum"},
    [NK_P_OFFLOAD_TX_LSO] = {"Offload.TxLSO", NK_PT_ENUM, 2, 0, 2, ENUMS(k_tx_lso),
                             "Offload.Tx.LSO"},
    [NK_P_OFFLOAD_RX_CSUM] = {"Offload.RxCS", NK_PT_ENUM, 31, 0, 31, ENUMS(k_legacy_csum),
                              "Offload.Rx.Checksum"},
    [NK_P_IP_CSUM_V4] = CSUM_P("*IPChecksumOffloadIPv4", "IPv4 Checksum Offload"),
    [NK_P_TCP_CSUM_V4] = CSUM_P("*TCPChecksumOffloadIPv4", "TCP Checksum Offload (IPv4)"),
    [NK_P_TCP_CSUM_V6] = CSUM_P("*TCPChecksumOffloadIPv6", "TCP Checksum Offload (IPv6)"),
    [NK_P_UDP_CSUM_V4] = CSUM_P("*UDPChecksumOffloadIPv4", "UDP Checksum Offload (IPv4)"),
    [NK_P_UDP_CSUM_V6] = CSUM_P("*UDPChecksumOffloadIPv6", "UDP Checksum Offload (IPv6)"),
    [NK_P_LSOV2_V4] = BOOL_P("*LsoV2IPv4", 1, "Large Send Offload V2 (IPv4)"),
    [NK_P_LSOV2_V6] = BOOL_P("*LsoV2IPv6", 1, "Large Send Offload V2 (IPv6)"),
    [NK_P_RSS] = BOOL_P("*RSS", 1, "Receive Side Scaling"),
    [NK_P_NUM_RSS_QUEUES] = {"*NumRssQueues", NK_PT_INT, NK_MAX_RSS_QUEUES, 1, NK_MAX_RSS_QUEUES,
                             NULL, 0, "Maximum Number of RSS Queues"},
    [NK_P_RSC_V4] = BOOL_P("*RscIPv4", 1, "Recv Segment Coalescing (IPv4)"),
    [NK_P_RSC_V6] = BOOL_P("*RscIPv6", 1, "Recv Segment Coalescing (IPv6)"),
    [NK_P_USO_V4] = BOOL_P("*UsoIPv4", 1, "UDP Segmentation Offload (IPv4)"),
    [NK_P_USO_V6] = BOOL_P("*UsoIPv6", 1, "UDP Segmentation Offload (IPv6)"),
    [NK_P_MIN_RX_BUFFER_PCT] = {"MinRxBufferPercent", NK_PT_INT, 0, 0, 100, NULL, 0,
                                "Minimal RX buffer percent"},
    [NK_P_MERGEABLE_BUFFERS] = BOOL_P("MergeableBuffers", 1, "Mergeable RX buffers"),
    [NK_P_NETWORK_ADDRESS] = {"NetworkAddress", NK_PT_MAC, 0, 0, 0, NULL, 0, "Assign MAC"},
};

/* IRQL: any. ASCII lower case. */
static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* IRQL: any. Case-insensitive ASCII string equality. */
static bool same_name(const char *a, const char *b)
{
    while (*a && lower(*a) == lower(*b)) {
        a++;
        b++;
    }
    return *a == *b || lower(*a) == lower(*b);
}

/* IRQL: any. The table row for a keyword, or NULL. */
const struct nk_param_def *nk_param_def_named(const char *name)
{
    for (int i = 0; i < NK_P_COUNT; i++)
        if (same_name(nk_param_table[i].name, name))
            return &nk_param_table[i];
    return NULL;
}

/* IRQL: any. Every value at its default. */
void nk_params_defaults(struct nk_params *p)
{
    memset(p, 0, sizeof(*p));
    for (int i = 0; i < NK_P_COUNT; i++)
        p->value[i] = nk_param_table[i].def;
}

/* IRQL: any. Parses a decimal integer (optional sign, surrounding blanks); false if malformed. */
static bool parse_int(const char *s, int64_t *out)
{
    bool neg = false;
    int64_t v = 0;
    int digits = 0;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    for (; *s >= '0' && *s <= '9'; s++, digits++) {
        if (v > (INT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (*s - '0');
    }
    while (*s == ' ' || *s == '\t')
        s++;
    if (!digits || *s)
        return false;
    *out = neg ? -v : v;
    return true;
}

/* IRQL: any. The value of one hex digit, or -1. */
static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* IRQL: any. Parses NetworkAddress: 12 hex digits, one optional separator between octets. */
enum nk_param_finding nk_parse_mac(const char *s, uint8_t mac[6])
{
    uint8_t m[6];
    char sep = 0;
    for (int i = 0; i < 6; i++) {
        if (i && (*s == '-' || *s == ':')) {
            if ((sep && sep != *s) || (i > 1 && !sep))
                return NK_PF_MALFORMED;
            sep = *s++;
        } else if (i > 1 && sep) {
            return NK_PF_MALFORMED;
        }
        int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);
        if (hi < 0 || lo < 0)
            return NK_PF_MALFORMED;
        m[i] = (uint8_t)(hi << 4 | lo);
        s += 2;
    }
    if (*s)
        return NK_PF_MALFORMED;
    if (m[0] & 1)
        return NK_PF_MAC_MULTICAST;
    if (!(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]))
        return NK_PF_MAC_ZERO;
    if (!(m[0] & 2))
        return NK_PF_MAC_NOT_LOCAL;
    memcpy(mac, m, 6);
    return NK_PF_NONE;
}

/* IRQL: any. Checks a number against a table row. */
static enum nk_param_finding check_value(const struct nk_param_def *d, int64_t v)
{
    if (v < d->min || v > d->max)
        return NK_PF_RANGE;
    if (d->type == NK_PT_POW2 && (v & (v - 1)))
        return NK_PF_NOT_POW2;
    if (d->type == NK_PT_ENUM) {
        for (uint8_t i = 0; i < d->nenums; i++)
            if (d->enums[i] == v)
                return NK_PF_NONE;
        return NK_PF_NOT_ENUM;
    }
    return NK_PF_NONE;
}

/* IRQL: any. Keeps the rejected text (or number) for the log line. */
static void keep_rejected(char *dst, size_t cap, const struct nk_raw *raw)
{
    size_t n = 0;
    if (raw->kind == NK_RAW_STRING) {
        while (raw->str[n] && n + 1 < cap && n + 1 < NK_RAW_STR_MAX) {
            char c = raw->str[n];
            dst[n++] = c >= 0x20 && c < 0x7F ? c : '?';
        }
    } else if (raw->kind == NK_RAW_INT) {
        char tmp[24];
        uint64_t u = raw->ival < 0 ? (uint64_t)0 - (uint64_t)raw->ival : (uint64_t)raw->ival;
        size_t k = 0;
        do {
            tmp[k++] = (char)('0' + u % 10);
            u /= 10;
        } while (u && k < sizeof(tmp));
        if (raw->ival < 0 && n + 1 < cap)
            dst[n++] = '-';
        while (k && n + 1 < cap)
            dst[n++] = tmp[--k];
    }
    dst[n] = '\0';
}

/* IRQL: any. Reads one numeric keyword into p. */
static void load_number(struct nk_params *p, int id, const struct nk_raw *raw, int rc)
{
    const struct nk_param_def *d = &nk_param_table[id];
    int64_t v = 0;
    enum nk_param_finding f = NK_PF_NONE;
    if (rc)
        f = NK_PF_MALFORMED;
    else if (raw->kind == NK_RAW_ABSENT)
        return;
    else if (raw->kind == NK_RAW_INT)
        v = raw->ival;
    else if (raw->truncated || !parse_int(raw->str, &v))
        f = NK_PF_MALFORMED;
    if (f == NK_PF_NONE)
        f = check_value(d, v);
    if (f == NK_PF_NONE) {
        p->value[id] = (int32_t)v;
        return;
    }
    p->finding[id] = (uint8_t)f;
    keep_rejected(p->rejected[id], sizeof(p->rejected[id]), raw);
}

/* IRQL: PASSIVE_LEVEL. Reads and checks every keyword; returns the number of findings. */
unsigned nk_params_load(struct nk_params *p, nk_param_reader read, void *ctx)
{
    unsigned findings = 0;
    nk_params_defaults(p);
    for (int id = 0; id < NK_P_COUNT; id++) {
        struct nk_raw raw;
        memset(&raw, 0, sizeof(raw));
        int rc = read(ctx, nk_param_table[id].name, &raw);
        raw.str[NK_RAW_STR_MAX - 1] = '\0'; /* whatever the reader did */
        if (nk_param_table[id].type != NK_PT_MAC) {
            load_number(p, id, &raw, rc);
        } else if (rc || raw.kind == NK_RAW_INT || raw.truncated) {
            p->finding[id] = NK_PF_MALFORMED;
            keep_rejected(p->rejected[id], sizeof(p->rejected[id]), &raw);
        } else if (raw.kind == NK_RAW_STRING && raw.str[0]) { /* empty: not set */
            enum nk_param_finding f = nk_parse_mac(raw.str, p->mac);
            p->mac_set = f == NK_PF_NONE;
            p->mac_local = p->mac_set;
            p->finding[id] = (uint8_t)f;
            if (f != NK_PF_NONE)
                keep_rejected(p->rejected[id], sizeof(p->rejected[id]), &raw);
        }
        findings += p->finding[id] != NK_PF_NONE;
    }
    return findings;
}

/* IRQL: any. Appends s to buf at *n, keeping room for the terminator. */
static void append(char *buf, size_t cap, size_t *n, const char *s)
{
    while (*s && *n + 1 < cap)
        buf[(*n)++] = *s++;
    buf[*n] = '\0';
}

/* IRQL: any. Appends a signed decimal number. */
static void append_int(char *buf, size_t cap, size_t *n, int32_t v)
{
    struct nk_raw r;
    char tmp[24];
    memset(&r, 0, sizeof(r));
    r.kind = NK_RAW_INT;
    r.ival = v;
    keep_rejected(tmp, sizeof(tmp), &r);
    append(buf, cap, n, tmp);
}

/* IRQL: any. One log line for a finding: "<name>: '<raw>' <why>; using <default>". */
size_t nk_params_describe(const struct nk_params *p, enum nk_param_id id, char *buf, size_t cap)
{
    static const char *const why[] = {
        [NK_PF_MALFORMED] = "is malformed",
        [NK_PF_RANGE] = "is out of range",
        [NK_PF_NOT_POW2] = "is not a power of two",
        [NK_PF_NOT_ENUM] = "is not one of the allowed values",
        [NK_PF_MAC_MULTICAST] = "is a multicast address",
        [NK_PF_MAC_ZERO] = "is the zero address",
        [NK_PF_MAC_NOT_LOCAL] = "is not a locally administered address",
    };
    size_t n = 0;
    if (!cap)
        return 0;
    buf[0] = '\0';
    if ((unsigned)id >= NK_P_COUNT || !p->finding[id] ||
        p->finding[id] >= sizeof(why) / sizeof(why[0]))
        return 0;
    const struct nk_param_def *d = &nk_param_table[id];
    append(buf, cap, &n, d->name);
    append(buf, cap, &n, ": '");
    append(buf, cap, &n, p->rejected[id]);
    append(buf, cap, &n, "' ");
    append(buf, cap, &n, why[p->finding[id]]);
    if (d->type == NK_PT_MAC) {
        append(buf, cap, &n, "; using the device's address");
        return n;
    }
    if (p->finding[id] == NK_PF_RANGE) {
        append(buf, cap, &n, " ");
        append_int(buf, cap, &n, d->min);
        append(buf, cap, &n, "..");
        append_int(buf, cap, &n, d->max);
    }
    append(buf, cap, &n, "; using ");
    append_int(buf, cap, &n, d->def);
    return n;
}

/* IRQL: any. Legacy mask bit allowed by a legacy keyword. */
static bool legacy(const struct nk_params *p, int id, uint32_t bit)
{
    return ((uint32_t)p->value[id] & bit) != 0;
}

/* IRQL: any. Keyword direction allowed (1 Tx, 2 Rx). */
static bool kw(const struct nk_params *p, int id, int dir)
{
    return (p->value[id] & dir) != 0;
}

/* IRQL: any. The effective offload switches: standardized keyword AND legacy mask. */
void nk_params_offloads(const struct nk_params *p, struct nk_offload_cfg *o)
{
    const int tx = NK_CSUM_KW_TX, rx = NK_CSUM_KW_RX;
    o->tx_ip4 = kw(p, NK_P_IP_CSUM_V4, tx) && legacy(p, NK_P_OFFLOAD_TX_CSUM, NK_LEGACY_CSUM_IP4);
    o->tx_tcp4 =
        kw(p, NK_P_TCP_CSUM_V4, tx) && legacy(p, NK_P_OFFLOAD_TX_CSUM, NK_LEGACY_CSUM_TCP4);
    o->tx_udp4 =
        kw(p, NK_P_UDP_CSUM_V4, tx) && legacy(p, NK_P_OFFLOAD_TX_CSUM, NK_LEGACY_CSUM_UDP4);
    o->tx_tcp6 =
        kw(p, NK_P_TCP_CSUM_V6, tx) && legacy(p, NK_P_OFFLOAD_TX_CSUM, NK_LEGACY_CSUM_TCP6);
    o->tx_udp6 =
        kw(p, NK_P_UDP_CSUM_V6, tx) && legacy(p, NK_P_OFFLOAD_TX_CSUM, NK_LEGACY_CSUM_UDP6);
    o->rx_ip4 = kw(p, NK_P_IP_CSUM_V4, rx) && legacy(p, NK_P_OFFLOAD_RX_CSUM, NK_LEGACY_CSUM_IP4);
    o->rx_tcp4 =
        kw(p, NK_P_TCP_CSUM_V4, rx) && legacy(p, NK_P_OFFLOAD_RX_CSUM, NK_LEGACY_CSUM_TCP4);
    o->rx_udp4 =
        kw(p, NK_P_UDP_CSUM_V4, rx) && legacy(p, NK_P_OFFLOAD_RX_CSUM, NK_LEGACY_CSUM_UDP4);
    o->rx_tcp6 =
        kw(p, NK_P_TCP_CSUM_V6, rx) && legacy(p, NK_P_OFFLOAD_RX_CSUM, NK_LEGACY_CSUM_TCP6);
    o->rx_udp6 =
        kw(p, NK_P_UDP_CSUM_V6, rx) && legacy(p, NK_P_OFFLOAD_RX_CSUM, NK_LEGACY_CSUM_UDP6);
    /* LSO needs the TCP checksum it implies (Microsoft: an LSO NIC computes
     * IP and TCP checksums); Offload.TxLSO 1 allows IPv4 only. */
    o->lso4 = p->value[NK_P_LSOV2_V4] && p->value[NK_P_OFFLOAD_TX_LSO] >= 1 && o->tx_tcp4;
    o->lso6 = p->value[NK_P_LSOV2_V6] && p->value[NK_P_OFFLOAD_TX_LSO] >= 2 && o->tx_tcp6;
    o->rsc4 = p->value[NK_P_RSC_V4] != 0;
    o->rsc6 = p->value[NK_P_RSC_V6] != 0;
    o->uso4 = p->value[NK_P_USO_V4] && o->tx_udp4;
    o->uso6 = p->value[NK_P_USO_V6] && o->tx_udp6;
}
