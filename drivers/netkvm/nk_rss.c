/* nk_rss.c - Toeplitz hashing, the checked RSS map and its virtio form (see
 * nk_rss.h for the facts and their sources).  Any IRQL: no allocation. */
#include "nk_rss.h"

#include <string.h>

#define NK_RSS_KNOWN_TYPES                                                                         \
    (NK_RSS_HASH_IPV4 | NK_RSS_HASH_TCP_IPV4 | NK_RSS_HASH_IPV6 | NK_RSS_HASH_IPV6_EX |            \
     NK_RSS_HASH_TCP_IPV6 | NK_RSS_HASH_TCP_IPV6_EX | NK_RSS_HASH_UDP_IPV4 |                       \
     NK_RSS_HASH_UDP_IPV6 | NK_RSS_HASH_UDP_IPV6_EX)

/* IRQL: any. Key bit i (MSB of key[0] is bit 0); 0 past the key's end. */
static uint32_t key_bit(const uint8_t *key, size_t key_len, size_t i)
{
    return i / 8 < key_len ? (uint32_t)(key[i / 8] >> (7 - i % 8)) & 1u : 0u;
}

/* IRQL: any. Toeplitz: for each input bit set, XOR in the 32-bit key window at it. */
uint32_t nk_toeplitz(const uint8_t *key, size_t key_len, const uint8_t *in, size_t len)
{
    uint32_t window = 0, hash = 0;
    for (size_t i = 0; i < 32; i++)
        window = window << 1 | key_bit(key, key_len, i);
    for (size_t b = 0; b < len * 8; b++) {
        if (in[b / 8] >> (7 - b % 8) & 1)
            hash ^= window;
        window = window << 1 | key_bit(key, key_len, b + 32);
    }
    return hash;
}

/* IRQL: any. True when n is a power of two (n > 0). */
static bool is_pow2(size_t n)
{
    return n && !(n & (n - 1));
}

/* IRQL: any. Checks the OS's parameters and builds the map; *m untouched on error. */
int nk_rss_configure(struct nk_rss_map *m, uint32_t hash_information, const uint8_t *key,
                     size_t key_len, const uint16_t *cpus, size_t n_entries, uint16_t nqueues)
{
    uint32_t func = hash_information & NK_RSS_FUNC_MASK;
    uint32_t types = hash_information & NK_RSS_TYPE_MASK;
    if (func == 0) {
        m->enabled = false;
        m->hash_types = 0;
        return NK_RSS_DISABLED;
    }
    if (func != NK_RSS_FUNC_TOEPLITZ || (hash_information & ~(NK_RSS_FUNC_MASK | NK_RSS_TYPE_MASK)))
        return NK_RSS_BAD_FUNC;
    if (!types || (types & ~NK_RSS_KNOWN_TYPES))
        return NK_RSS_BAD_TYPES;
    if (!key || key_len != NK_RSS_KEY_BYTES)
        return NK_RSS_BAD_KEY;
    if (!cpus || !is_pow2(n_entries) || n_entries > NK_RSS_MAX_ITABLE)
        return NK_RSS_BAD_ITABLE;
    if (nqueues == 0 || nqueues > NK_RSS_MAX_QUEUES)
        return NK_RSS_BAD_QUEUES;
    for (size_t i = 0; i < n_entries; i++)
        if (cpus[i] >= NK_RSS_MAX_CPUS)
            return NK_RSS_BAD_CPU;

    uint16_t seen[NK_RSS_MAX_ITABLE];
    size_t nseen = 0;
    struct nk_rss_map nm;
    memset(&nm, 0, sizeof(nm));
    for (size_t i = 0; i < n_entries; i++) {
        size_t j = 0;
        while (j < nseen && seen[j] != cpus[i])
            j++;
        if (j == nseen)
            seen[nseen++] = cpus[i];
        nm.queue[i] = (uint16_t)(j % nqueues);
        nm.cpu[i] = cpus[i];
    }
    nm.enabled = true;
    nm.hash_types = types;
    memcpy(nm.key, key, NK_RSS_KEY_BYTES);
    nm.key_len = NK_RSS_KEY_BYTES;
    nm.itable_len = (uint16_t)n_entries;
    nm.nqueues = nqueues;
    nm.default_queue = nm.queue[0];
    *m = nm;
    return NK_RSS_OK;
}

/* IRQL: any. Hashes addresses (and ports when with_ports) of a parsed frame. */
static uint32_t hash_tuple(const struct nk_rss_map *m, const struct nk_pkt *pkt, bool ex,
                           bool with_ports)
{
    uint8_t in[36];
    size_t alen = pkt->l3 == NK_L3_IPV4 ? 4 : 16;
    const uint8_t *src = ex && pkt->has_home ? pkt->home : pkt->src;
    const uint8_t *dst = ex && pkt->has_rh2 ? pkt->rh2 : pkt->dst;
    memcpy(in, src, alen);
    memcpy(in + alen, dst, alen);
    size_t n = 2 * alen;
    if (with_ports) {
        in[n++] = (uint8_t)(pkt->sport >> 8);
        in[n++] = (uint8_t)pkt->sport;
        in[n++] = (uint8_t)(pkt->dport >> 8);
        in[n++] = (uint8_t)pkt->dport;
    }
    return nk_toeplitz(m->key, m->key_len, in, n);
}

/* IRQL: any. The hash under the map's types and the NDIS type used (0: none). */
uint32_t nk_rss_hash_pkt(const struct nk_rss_map *m, const struct nk_pkt *pkt, uint32_t *type)
{
    uint32_t t = m->hash_types;
    bool ports = !pkt->fragment; /* fragments: IP-only (Microsoft, RSS hashing types) */
    bool tcp = ports && pkt->l4 == NK_L4_TCP;
    bool udp = ports && pkt->l4 == NK_L4_UDP;
    *type = 0;
    if (pkt->l3 == NK_L3_IPV4) {
        if (tcp && (t & NK_RSS_HASH_TCP_IPV4))
            *type = NK_RSS_HASH_TCP_IPV4;
        else if (udp && (t & NK_RSS_HASH_UDP_IPV4))
            *type = NK_RSS_HASH_UDP_IPV4;
        else if (t & NK_RSS_HASH_IPV4)
            *type = NK_RSS_HASH_IPV4;
        if (!*type)
            return 0;
        return hash_tuple(m, pkt, false, *type != NK_RSS_HASH_IPV4);
    }
    if (pkt->l3 != NK_L3_IPV6)
        return 0;
    if (tcp && (t & NK_RSS_HASH_TCP_IPV6_EX))
        *type = NK_RSS_HASH_TCP_IPV6_EX;
    else if (tcp && (t & NK_RSS_HASH_TCP_IPV6))
        *type = NK_RSS_HASH_TCP_IPV6;
    else if (udp && (t & NK_RSS_HASH_UDP_IPV6_EX))
        *type = NK_RSS_HASH_UDP_IPV6_EX;
    else if (udp && (t & NK_RSS_HASH_UDP_IPV6))
        *type = NK_RSS_HASH_UDP_IPV6;
    else if (t & NK_RSS_HASH_IPV6_EX)
        *type = NK_RSS_HASH_IPV6_EX;
    else if (t & NK_RSS_HASH_IPV6)
        *type = NK_RSS_HASH_IPV6;
    if (!*type)
        return 0;
    bool ex = (*type & (NK_RSS_HASH_IPV6_EX | NK_RSS_HASH_TCP_IPV6_EX | NK_RSS_HASH_UDP_IPV6_EX));
    bool with_ports = !(*type & (NK_RSS_HASH_IPV6 | NK_RSS_HASH_IPV6_EX));
    return hash_tuple(m, pkt, ex, with_ports);
}

/* IRQL: any. The indirection-table entry for a hash, bounds checked. */
static size_t entry_of(const struct nk_rss_map *m, uint32_t hash)
{
    size_t len = m->itable_len;
    if (!is_pow2(len) || len > NK_RSS_MAX_ITABLE)
        return NK_RSS_MAX_ITABLE;
    return hash & (len - 1);
}

/* IRQL: any. Receive queue for a hash: default_queue when RSS is off or the map is bad. */
uint16_t nk_rss_queue(const struct nk_rss_map *m, uint32_t hash)
{
    size_t e = entry_of(m, hash);
    uint16_t q = m->enabled && e < NK_RSS_MAX_ITABLE ? m->queue[e] : m->default_queue;
    return q < m->nqueues ? q : 0;
}

/* IRQL: any. Processor for a hash (the table's entry; entry 0's when RSS is off). */
uint16_t nk_rss_cpu(const struct nk_rss_map *m, uint32_t hash)
{
    size_t e = entry_of(m, hash);
    return m->enabled && e < NK_RSS_MAX_ITABLE ? m->cpu[e] : m->cpu[0];
}

/* IRQL: any. NDIS hash types -> virtio hash types. */
uint32_t nk_rss_types_to_virtio(uint32_t t)
{
    uint32_t v = 0;
    v |= t & NK_RSS_HASH_IPV4 ? VIRTIO_NET_RSS_HASH_TYPE_IPv4 : 0;
    v |= t & NK_RSS_HASH_TCP_IPV4 ? VIRTIO_NET_RSS_HASH_TYPE_TCPv4 : 0;
    v |= t & NK_RSS_HASH_UDP_IPV4 ? VIRTIO_NET_RSS_HASH_TYPE_UDPv4 : 0;
    v |= t & NK_RSS_HASH_IPV6 ? VIRTIO_NET_RSS_HASH_TYPE_IPv6 : 0;
    v |= t & NK_RSS_HASH_TCP_IPV6 ? VIRTIO_NET_RSS_HASH_TYPE_TCPv6 : 0;
    v |= t & NK_RSS_HASH_UDP_IPV6 ? VIRTIO_NET_RSS_HASH_TYPE_UDPv6 : 0;
    v |= t & NK_RSS_HASH_IPV6_EX ? VIRTIO_NET_RSS_HASH_TYPE_IP_EX : 0;
    v |= t & NK_RSS_HASH_TCP_IPV6_EX ? VIRTIO_NET_RSS_HASH_TYPE_TCP_EX : 0;
    v |= t & NK_RSS_HASH_UDP_IPV6_EX ? VIRTIO_NET_RSS_HASH_TYPE_UDP_EX : 0;
    return v;
}

/* IRQL: any. A virtio hash report value -> the NDIS hash type (0: none or unknown). */
uint32_t nk_rss_from_report(uint16_t report)
{
    static const uint32_t map[] = {
        0,
        NK_RSS_HASH_IPV4,
        NK_RSS_HASH_TCP_IPV4,
        NK_RSS_HASH_UDP_IPV4,
        NK_RSS_HASH_IPV6,
        NK_RSS_HASH_TCP_IPV6,
        NK_RSS_HASH_UDP_IPV6,
        NK_RSS_HASH_IPV6_EX,
        NK_RSS_HASH_TCP_IPV6_EX,
        NK_RSS_HASH_UDP_IPV6_EX,
    };
    return report < sizeof(map) / sizeof(map[0]) ? map[report] : 0;
}

/* IRQL: any. Stores a 16-bit little-endian value. */
static void le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* IRQL: any. struct virtio_net_rss_config for m, within the device's limits. */
size_t nk_rss_virtio_config(const struct nk_rss_map *m, uint16_t max_tx_vq, uint16_t dev_max_itable,
                            uint8_t dev_max_key, uint32_t dev_types, uint8_t *out, size_t cap)
{
    size_t n = m->enabled ? m->itable_len : 1;
    uint32_t types = m->enabled ? nk_rss_types_to_virtio(m->hash_types) : 0;
    size_t key_len = m->enabled ? m->key_len : 0;
    if (!is_pow2(n) || n > NK_RSS_MAX_ITABLE || (types & ~dev_types))
        return 0;
#ifndef NK_PLANTED_RSS_DEVMAX
    if (n > dev_max_itable || key_len > dev_max_key)
        return 0;
#else
    (void)dev_max_itable, (void)dev_max_key; /* planted: the device's limits ignored */
#endif
    size_t bytes = 4 + 2 + 2 + 2 * n + 2 + 1 + key_len;
    if (bytes > cap)
        return 0;
    le16(out, (uint16_t)types);
    le16(out + 2, (uint16_t)(types >> 16));
    le16(out + 4, (uint16_t)(n - 1));
    le16(out + 6, m->enabled ? m->default_queue : 0);
    for (size_t i = 0; i < n; i++)
        le16(out + 8 + 2 * i, m->enabled ? m->queue[i] : 0);
    le16(out + 8 + 2 * n, max_tx_vq);
    out[10 + 2 * n] = (uint8_t)key_len;
    memcpy(out + 11 + 2 * n, m->key, key_len);
    return bytes;
}

/* IRQL: any. Entry i to the pair whose DPC runs on processor cpu[i]. */
void nk_rss_queues_by_cpu(struct nk_rss_map *m, uint16_t nqueues)
{
    if (nqueues == 0 || nqueues > NK_RSS_MAX_QUEUES || m->itable_len > NK_RSS_MAX_ITABLE)
        return;
    for (size_t i = 0; i < m->itable_len; i++)
        m->queue[i] = (uint16_t)(m->cpu[i] % nqueues);
    m->nqueues = nqueues;
    m->default_queue = m->queue[0];
}

/* IRQL: any. The NDIS types the device can hash (each has one virtio bit). */
uint32_t nk_rss_types_within(uint32_t ndis_types, uint32_t dev_types)
{
    uint32_t out = 0;
    for (uint32_t bit = NK_RSS_HASH_IPV4; bit <= NK_RSS_HASH_UDP_IPV6_EX; bit <<= 1)
        if ((ndis_types & bit) && (nk_rss_types_to_virtio(bit) & ~dev_types) == 0)
            out |= bit;
    return out;
}

/* IRQL: any. A hash report from the device, range-checked. */
int nk_rss_report(uint16_t report, uint32_t enabled_types, uint32_t *type)
{
    *type = 0;
#ifndef NK_PLANTED_REPORT_RANGE
    if (report > VIRTIO_NET_HASH_REPORT_UDPv6_EX)
        return -1;
#endif
    *type = nk_rss_from_report(report) & enabled_types;
    return 0;
}

/* IRQL: any. struct virtio_net_hash_config for m, within the device's limits. */
size_t nk_rss_virtio_hash_config(const struct nk_rss_map *m, uint8_t dev_max_key,
                                 uint32_t dev_types, uint8_t *out, size_t cap)
{
    uint32_t types = m->enabled ? nk_rss_types_to_virtio(m->hash_types) : 0;
    size_t key_len = m->enabled ? m->key_len : 0;
    size_t bytes = 4 + 8 + 1 + key_len;
    if ((types & ~dev_types) || bytes > cap)
        return 0;
#ifndef NK_PLANTED_RSS_DEVMAX
    if (key_len > dev_max_key)
        return 0;
#else
    (void)dev_max_key;
#endif
    memset(out, 0, 12);
    le16(out, (uint16_t)types);
    le16(out + 2, (uint16_t)(types >> 16));
    out[12] = (uint8_t)key_len;
    memcpy(out + 13, m->key, key_len);
    return bytes;
}
