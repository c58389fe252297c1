/* nk_settings tests: the advanced properties turned into the miniport's
 * choices (feature wish, queue pairs, MTU within the device's, capacities,
 * NetworkAddress), each from keywords read through nk_params_load as the
 * driver reads them.  The copy built with NK_PLANTED_MTU (the device's MTU
 * ignored) must fail the MTU checks; the copy built with
 * NK_PLANTED_LOG_ALWAYS (DoLog 0 ignored) the logging ones. */
#include <string.h>

#include "nku.h"

/* Keyword/value pairs a test reader serves (REG_SZ strings, as the INF writes them). */
struct kv {
    const char *name, *value;
};

/* ASCII case-insensitive equality (registry keywords have no case). */
static bool same(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

/* The reader: the pairs in ctx (NULL-terminated), absent otherwise. */
static int read_kv(void *ctx, const char *name, struct nk_raw *raw)
{
    for (const struct kv *k = ctx; k->name != NULL; k++)
        if (same(k->name, name)) {
            raw->kind = NK_RAW_STRING;
            strncpy(raw->str, k->value, NK_RAW_STR_MAX - 1);
            return 0;
        }
    return 0;
}

/* Settings from the given keywords. */
static struct nk_settings settings_of(const struct kv *kvs)
{
    struct nk_params p;
    struct nk_settings s;
    nk_params_load(&p, read_kv, (void *)kvs);
    nk_settings_from_params(&p, &s);
    return s;
}

#define F(b) ((uint64_t)1 << (b))

/* Defaults: MRG_RXBUF wished, 16 pairs, MTU 1500, TxCapacity 1024 within the ring. */
static void defaults(void)
{
    static const struct kv none[] = {{NULL, NULL}};
    struct nk_settings s = settings_of(none);
    bool capped = true;
    uint32_t mtu = nk_settings_mtu(&s, 0, 0, &capped);
    check(s.wish.mrg_rxbuf && s.wish.multiqueue && s.pairs_wanted == 128,
          "settings: defaults wish MRG_RXBUF and 128 pairs (one per CPU up to the device) (mrg %d, "
          "mq %d, pairs %u)",
          s.wish.mrg_rxbuf, s.wish.multiqueue, s.pairs_wanted);
    check(mtu == 1500 && !capped, "settings: default *JumboPacket 1514 is MTU 1500 (%u, capped %d)",
          mtu, capped);
    check(nk_settings_tx_count(&s, 256) == 256 && nk_settings_tx_count(&s, 4096) == 1024,
          "settings: TxCapacity 1024 within a ring of 256 and of 4096 (%u, %u)",
          nk_settings_tx_count(&s, 256), nk_settings_tx_count(&s, 4096));
    check(s.rx_capacity == 1024 && s.min_rx_percent == 0 && !s.mac_set && s.vlan_id == 0,
          "settings: RxCapacity 1024, MinRxBufferPercent 0, no NetworkAddress, VlanId 0");
    uint64_t offered = F(VIRTIO_NET_F_MRG_RXBUF) | F(VIRTIO_NET_F_MQ) | F(VIRTIO_NET_F_CTRL_VQ);
    check(nk_choose_features(offered, &s.wish) == offered,
          "settings: defaults acknowledge MRG_RXBUF and MQ when offered");
}

/* *JumboPacket: the MTU asked for, within the device's when it reports one. */
static void jumbo(void)
{
    static const struct kv j9014[] = {{"*JumboPacket", "9014"}, {NULL, NULL}};
    static const struct kv jmax[] = {{"*JumboPacket", "65500"}, {NULL, NULL}};
    static const struct kv jbad[] = {{"*JumboPacket", "589"}, {NULL, NULL}};
    struct nk_settings s = settings_of(j9014);
    bool capped;
    uint32_t m = nk_settings_mtu(&s, F(VIRTIO_NET_F_MTU), 9000, &capped);
    check(m == 9000 && !capped, "settings: *JumboPacket 9014, device MTU 9000: %u (capped %d)", m,
          capped);
    m = nk_settings_mtu(&s, F(VIRTIO_NET_F_MTU), 1500, &capped);
    check(m == 1500 && capped, "settings: *JumboPacket 9014 over a device MTU 1500: %u (capped %d)",
          m, capped);
    m = nk_settings_mtu(&s, F(VIRTIO_NET_F_MTU), 4000, &capped);
    check(m == 4000 && capped, "settings: *JumboPacket 9014 over a device MTU 4000: %u (capped %d)",
          m, capped);
    m = nk_settings_mtu(&s, 0, 1500, &capped);
    check(m == 9000 && !capped,
          "settings: *JumboPacket 9014 without VIRTIO_NET_F_MTU (no stated limit): %u", m);
    s = settings_of(jmax);
    m = nk_settings_mtu(&s, F(VIRTIO_NET_F_MTU), 65500, &capped);
    check(m == 65486 && !capped, "settings: *JumboPacket 65500 (max) is MTU 65486: %u", m);
    s = settings_of(jbad);
    m = nk_settings_mtu(&s, 0, 0, &capped);
    check(m == 1500, "settings: *JumboPacket 589 (below min) falls back to MTU 1500: %u", m);
}

/* *RSS and *NumRssQueues: the pairs wanted; MergeableBuffers; TxCapacity. */
static void queues_and_buffers(void)
{
    static const struct kv rss_off[] = {{"*RSS", "0"}, {"*NumRssQueues", "8"}, {NULL, NULL}};
    static const struct kv q128[] = {{"*NumRssQueues", "128"}, {NULL, NULL}};
    static const struct kv q1[] = {{"*NumRssQueues", "1"}, {NULL, NULL}};
    static const struct kv q129[] = {{"*NumRssQueues", "129"}, {NULL, NULL}};
    static const struct kv nomrg[] = {{"MergeableBuffers", "0"},
                                      {"TxCapacity", "64"},
                                      {"RxCapacity", "256"},
                                      {"MinRxBufferPercent", "25"},
                                      {NULL, NULL}};
    struct nk_settings s = settings_of(rss_off);
    check(s.pairs_wanted == 1 && !s.wish.multiqueue, "settings: *RSS 0 wants one pair (%u)",
          s.pairs_wanted);
    s = settings_of(q128);
    check(s.pairs_wanted == 128, "settings: *NumRssQueues 128 wants 128 pairs, no cap at 32 (%u)",
          s.pairs_wanted);
    s = settings_of(q1);
    check(s.pairs_wanted == 1 && !s.wish.multiqueue, "settings: *NumRssQueues 1: no MQ wished");
    s = settings_of(q129);
    check(s.pairs_wanted == 128, "settings: *NumRssQueues 129 (above max) falls back to 128 (%u)",
          s.pairs_wanted);
    s = settings_of(nomrg);
    uint64_t offered = F(VIRTIO_NET_F_MRG_RXBUF) | F(VIRTIO_NET_F_CTRL_VQ);
    check(!s.wish.mrg_rxbuf && !(nk_choose_features(offered, &s.wish) & F(VIRTIO_NET_F_MRG_RXBUF)),
          "settings: MergeableBuffers 0: MRG_RXBUF not acknowledged though offered");
    check(nk_settings_tx_count(&s, 256) == 64 && nk_settings_tx_count(&s, 32) == 32,
          "settings: TxCapacity 64 within rings of 256 and 32 (%u, %u)",
          nk_settings_tx_count(&s, 256), nk_settings_tx_count(&s, 32));
    check(s.rx_capacity == 256 && s.min_rx_percent == 25,
          "settings: RxCapacity 256, MinRxBufferPercent 25 carried (%u, %u)", s.rx_capacity,
          s.min_rx_percent);
}

/* NetworkAddress: set only when usable (unicast, locally administered). */
static void address(void)
{
    static const struct kv good[] = {{"NetworkAddress", "02-11-22-33-44-55"}, {NULL, NULL}};
    static const struct kv global[] = {{"NetworkAddress", "001122334455"}, {NULL, NULL}};
    static const struct kv mcast[] = {{"NetworkAddress", "031122334455"}, {NULL, NULL}};
    struct nk_settings s = settings_of(good);
    static const uint8_t want[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    check(s.mac_set && memcmp(s.mac, want, 6) == 0,
          "settings: NetworkAddress 02-11-22-33-44-55 is used");
    s = settings_of(global);
    check(!s.mac_set, "settings: NetworkAddress without the locally administered bit is not used");
    s = settings_of(mcast);
    check(!s.mac_set, "settings: a multicast NetworkAddress is not used");
}

/* The offload keywords: what they turn off everywhere is not negotiated. */
static void offloads(void)
{
    static const struct kv none[] = {{NULL, NULL}};
    static const struct kv notx[] = {{"Offload.TxChecksum", "0"}, {NULL, NULL}};
    static const struct kv norx[] = {{"*IPChecksumOffloadIPv4", "1"},
                                     {"*TCPChecksumOffloadIPv4", "1"},
                                     {"*UDPChecksumOffloadIPv4", "1"},
                                     {"*TCPChecksumOffloadIPv6", "1"},
                                     {"*UDPChecksumOffloadIPv6", "1"},
                                     {"*RscIPv4", "0"},
                                     {"*RscIPv6", "0"},
                                     {NULL, NULL}};
    static const struct kv nolso[] = {{"*LsoV2IPv4", "0"}, {"*LsoV2IPv6", "0"}, {NULL, NULL}};
    const uint64_t all = ~0ull;
    const uint64_t cs = F(VIRTIO_NET_F_CSUM), gcs = F(VIRTIO_NET_F_GUEST_CSUM);
    const uint64_t tso = F(VIRTIO_NET_F_HOST_TSO4) | F(VIRTIO_NET_F_HOST_TSO6);
    struct nk_settings s = settings_of(none);
    uint64_t f = nk_choose_features(all, &s.wish);
    check((f & cs) && (f & gcs) && (f & tso) == tso && s.offload.tx_tcp4 && s.offload.rx_udp6 &&
              s.offload.lso4 && s.offload.lso6,
          "settings: default offloads negotiate CSUM, GUEST_CSUM, HOST_TSO4/6 (0x%llx)",
          (unsigned long long)f);
    s = settings_of(notx);
    f = nk_choose_features(all, &s.wish);
    check(!(f & cs) && !(f & tso) && (f & gcs) && !s.offload.lso4,
          "settings: Offload.TxChecksum 0: no CSUM, no LSOv2 (it needs the TCP checksum)");
    s = settings_of(norx);
    f = nk_choose_features(all, &s.wish);
    check((f & cs) && !(f & gcs) && !s.offload.rx_tcp4 && s.offload.tx_tcp4,
          "settings: every *ChecksumOffload 1 (transmit only), RSC off: no GUEST_CSUM");
    s = settings_of(nolso);
    f = nk_choose_features(all, &s.wish);
    check((f & cs) && !(f & tso), "settings: *LsoV2IPv4/6 0: no HOST_TSO4/6");
}

/* The settings group. */
/* DoLog and DebugLevel: the log level the miniport's NK_LOG compares with
 * (-1: nothing logged; 0: findings and errors, the default; 1..8 more). */
static void logging(void)
{
    static const struct kv none[] = {{NULL, NULL}};
    static const struct kv off[] = {{"DoLog", "0"}, {NULL, NULL}};
    static const struct kv off8[] = {{"DoLog", "0"}, {"DebugLevel", "8"}, {NULL, NULL}};
    static const struct kv l8[] = {{"DebugLevel", "8"}, {NULL, NULL}};
    static const struct kv l1[] = {{"DoLog", "1"}, {"DebugLevel", "1"}, {NULL, NULL}};
    static const struct kv bad[] = {{"DoLog", "2"}, {"DebugLevel", "9"}, {NULL, NULL}};
    check(settings_of(none).log_level == 0, "settings: logging by default: level 0 (got %d)",
          settings_of(none).log_level);
    check(settings_of(off).log_level < 0 && settings_of(off8).log_level < 0,
          "settings: DoLog 0 logs nothing, whatever DebugLevel says (%d, %d)",
          settings_of(off).log_level, settings_of(off8).log_level);
    check(settings_of(l8).log_level == 8 && settings_of(l1).log_level == 1,
          "settings: DebugLevel 8 and 1 with logging on are the log level (%d, %d)",
          settings_of(l8).log_level, settings_of(l1).log_level);
    struct nk_params p;
    unsigned n = nk_params_load(&p, read_kv, (void *)bad);
    check(settings_of(bad).log_level == 0 && n == 2 && p.finding[NK_P_DO_LOG] == NK_PF_RANGE &&
              p.finding[NK_P_DEBUG_LEVEL] == NK_PF_RANGE,
          "settings: DoLog 2 and DebugLevel 9 fall back to logging at level 0, both found (%d, %u)",
          settings_of(bad).log_level, n);
}

void test_settings(void)
{
    defaults();
    offloads();
    jumbo();
    queues_and_buffers();
    address();
    logging();
}
