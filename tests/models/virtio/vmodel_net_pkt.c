/*
 * vmodel_net_pkt.c - what the virtio-net model knows of the frames it
 * carries: Ethernet/802.1Q, IPv4, IPv6 (no extension headers), TCP and UDP;
 * Internet checksums (RFC 1071), segmentation for GSO (5.1.6.2) and the
 * Toeplitz hash of RSS and hash reporting (5.1.6.4.3).
 */
#include <stdlib.h>
#include <string.h>

#include "vmodel_net_priv.h"

#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86dd
#define ETH_P_VLAN 0x8100
#define IP_TCP     6
#define IP_UDP     17

/* Parse the headers of frame F; false when it is not even Ethernet. */
bool net_parse(const uint8_t *f, uint32_t len, struct net_pkt *p)
{
    memset(p, 0, sizeof(*p));
    p->vlan = 0xffff;
    if (len < NET_ETH_HLEN)
        return false;
    uint16_t type = net_be16(f + 12);
    uint32_t l3 = NET_ETH_HLEN;
    if (type == ETH_P_VLAN) {
        if (len < NET_ETH_HLEN + 4)
            return false;
        p->vlan = net_be16(f + 14) & 0xfff;
        type = net_be16(f + 16);
        l3 += 4;
    }
    p->l3 = l3;
    p->end = len;
    if (type == ETH_P_IPV4 && len >= l3 + 20 && (f[l3] >> 4) == 4) {
        uint32_t ihl = (f[l3] & 0xfu) * 4u, tot = net_be16(f + l3 + 2);
        if (ihl < 20 || tot < ihl || l3 + tot > len)
            return true;
        p->ipver = 4;
        p->end = l3 + tot;
        p->proto = f[l3 + 9];
        p->frag = (net_be16(f + l3 + 6) & 0x3fff) != 0;
        if (!p->frag)
            p->l4 = l3 + ihl;
    } else if (type == ETH_P_IPV6 && len >= l3 + 40 && (f[l3] >> 4) == 6) {
        uint32_t plen = net_be16(f + l3 + 4);
        if (l3 + 40 + plen > len)
            return true;
        p->ipver = 6;
        p->end = l3 + 40 + plen;
        p->proto = f[l3 + 6];
        p->l4 = l3 + 40;
    }
    if (p->l4 != 0) {
        uint32_t room = p->end - p->l4;
        bool ok = (p->proto == IP_TCP && room >= 20 && room >= (f[p->l4 + 12] >> 4) * 4u &&
                   (f[p->l4 + 12] >> 4) >= 5) ||
                  (p->proto == IP_UDP && room >= 8);
        if (!ok)
            p->l4 = 0;
    }
    return true;
}

/* Add LEN bytes at P to a ones' complement sum of 16-bit big-endian words. */
uint32_t net_sum(const uint8_t *p, uint32_t len, uint32_t sum)
{
    uint64_t s = sum;
    for (uint32_t i = 0; i + 1 < len; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        s += (uint32_t)p[len - 1] << 8;
    while (s >> 32)
        s = (s & 0xffffffffu) + (s >> 32);
    return (uint32_t)s;
}

/* Fold a sum to 16 bits (not complemented). */
uint16_t net_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

uint32_t net_pseudo(const uint8_t *f, const struct net_pkt *p, uint32_t l4_len)
{
    uint32_t s;
    if (p->ipver == 4) {
        s = net_sum(f + p->l3 + 12, 8, 0);
        s += p->proto;
        s += l4_len;
    } else {
        s = net_sum(f + p->l3 + 8, 32, 0);
        s += l4_len >> 16;
        s += l4_len & 0xffff;
        s += p->proto;
    }
    return s;
}

static uint32_t csum_field(const struct net_pkt *p)
{
    return p->l4 + (p->proto == IP_TCP ? 16u : 6u);
}

bool net_l4_csum_ok(const uint8_t *f, const struct net_pkt *p)
{
    if (p->l4 == 0)
        return false;
    if (p->proto == IP_UDP && p->ipver == 4 && net_be16(f + csum_field(p)) == 0)
        return true; /* UDP over IPv4 without a checksum: nothing to verify */
    uint32_t l4_len = p->end - p->l4;
    return net_fold(net_sum(f + p->l4, l4_len, net_pseudo(f, p, l4_len))) == 0xffff;
}

void net_l4_csum_set(uint8_t *f, const struct net_pkt *p)
{
    uint32_t l4_len = p->end - p->l4;
    net_put_be16(f + csum_field(p), 0);
    uint16_t c = (uint16_t)~net_fold(net_sum(f + p->l4, l4_len, net_pseudo(f, p, l4_len)));
    if (c == 0 && p->proto == IP_UDP)
        c = 0xffff; /* RFC 768: a computed zero is sent as all ones */
    net_put_be16(f + csum_field(p), c);
}

void net_ipv4_csum_set(uint8_t *f, const struct net_pkt *p)
{
    uint32_t ihl = (f[p->l3] & 0xfu) * 4u;
    net_put_be16(f + p->l3 + 10, 0);
    net_put_be16(f + p->l3 + 10, (uint16_t)~net_fold(net_sum(f + p->l3, ihl, 0)));
}

/* Set the IP length fields of segment S (IP packet ends at END). */
static void set_ip_len(uint8_t *s, const struct net_pkt *p, uint32_t end)
{
    if (p->ipver == 4)
        net_put_be16(s + p->l3 + 2, (uint16_t)(end - p->l3));
    else
        net_put_be16(s + p->l3 + 4, (uint16_t)(end - p->l3 - 40));
}

unsigned
net_segment(const uint8_t *f, uint32_t len, const struct net_pkt *p, uint16_t mss, bool udp_frag,
            void (*emit)(void *ctx, const uint8_t *seg, uint32_t len, uint16_t i, uint16_t of),
            void *ctx)
{
    (void)len;
    if (mss == 0 || p->ipver == 0)
        return 0;
    if (udp_frag) {
        /* UFO: IPv4 fragments of the whole UDP datagram, 8-byte aligned offsets */
        if (p->ipver != 4 || p->proto != IP_UDP || p->l4 == 0)
            return 0;
        uint32_t chunk = mss & ~7u, data = p->end - p->l4;
        if (chunk == 0)
            return 0;
        uint16_t of = (uint16_t)((data + chunk - 1) / chunk);
        uint8_t *s = malloc(p->l4 + chunk);
        if (s == NULL)
            return 0;
        for (uint16_t i = 0; i < of; i++) {
            uint32_t off = i * chunk, n = data - off < chunk ? data - off : chunk;
            memcpy(s, f, p->l4);
            memcpy(s + p->l4, f + p->l4 + off, n);
            set_ip_len(s, p, p->l4 + n);
            net_put_be16(s + p->l3 + 6,
                         (uint16_t)((i + 1 < of ? 0x2000 : 0) | ((off / 8) & 0x1fff)));
            net_ipv4_csum_set(s, p);
            emit(ctx, s, p->l4 + n, i, of);
        }
        free(s);
        return of;
    }
    if (p->l4 == 0 || (p->proto != IP_TCP && p->proto != IP_UDP))
        return 0;
    uint32_t hlen = p->l4 + (p->proto == IP_TCP ? (f[p->l4 + 12] >> 4) * 4u : 8u);
    uint32_t data = p->end - hlen;
    uint16_t of = (uint16_t)(data == 0 ? 1 : (data + mss - 1) / mss);
    uint8_t *s = malloc(hlen + mss);
    if (s == NULL)
        return 0;
    uint32_t seq = p->proto == IP_TCP ? net_be32(f + p->l4 + 4) : 0;
    uint16_t id = p->ipver == 4 ? net_be16(f + p->l3 + 4) : 0;
    for (uint16_t i = 0; i < of; i++) {
        uint32_t off = (uint32_t)i * mss, n = data - off < mss ? data - off : mss;
        memcpy(s, f, hlen);
        memcpy(s + hlen, f + hlen + off, n);
        struct net_pkt q = *p;
        q.end = hlen + n;
        set_ip_len(s, p, q.end);
        if (p->ipver == 4) {
            net_put_be16(s + p->l3 + 4, (uint16_t)(id + i));
            net_ipv4_csum_set(s, p);
        }
        if (p->proto == IP_TCP) {
            net_put_be32(s + p->l4 + 4, seq + off);
            if (i + 1 < of)
                s[p->l4 + 13] &= (uint8_t)~0x09; /* FIN and PSH only on the last */
            if (i > 0)
                s[p->l4 + 13] &= (uint8_t)~0x80; /* CWR only on the first */
        } else {
            net_put_be16(s + p->l4 + 4, (uint16_t)(8 + n));
        }
        net_l4_csum_set(s, &q);
        emit(ctx, s, q.end, i, of);
    }
    free(s);
    return of;
}

uint32_t vmodel_net_toeplitz(const uint8_t *key, unsigned key_len, const uint8_t *data,
                             unsigned len)
{
    uint32_t result = 0, window = 0;
    unsigned next = 32; /* key bit that enters the window next */

    for (unsigned i = 0; i < 4; i++)
        window = window << 8 | (i < key_len ? key[i] : 0);
    for (unsigned i = 0; i < len; i++)
        for (int b = 7; b >= 0; b--) {
            if ((data[i] >> b) & 1)
                result ^= window;
            unsigned kb = next / 8 < key_len ? (key[next / 8] >> (7 - next % 8)) & 1u : 0;
            window = window << 1 | kb;
            next++;
        }
    return result;
}

uint32_t vmodel_net_frame_hash(const uint8_t *frame, uint32_t len, uint32_t types,
                               const uint8_t *key, unsigned key_len, uint16_t *report)
{
    struct net_pkt p;
    uint8_t in[36];
    unsigned n = 0;

    *report = VIRTIO_NET_HASH_REPORT_NONE;
    if (!net_parse(frame, len, &p) || p.ipver == 0)
        return 0;
    bool tcp = p.l4 != 0 && p.proto == IP_TCP, udp = p.l4 != 0 && p.proto == IP_UDP;
    unsigned alen = p.ipver == 4 ? 4 : 16;
    uint32_t t_ip = p.ipver == 4 ? VIRTIO_NET_HASH_TYPE_IPv4 : VIRTIO_NET_HASH_TYPE_IPv6;
    uint32_t t_tcp = p.ipver == 4 ? VIRTIO_NET_HASH_TYPE_TCPv4 : VIRTIO_NET_HASH_TYPE_TCPv6;
    uint32_t t_udp = p.ipver == 4 ? VIRTIO_NET_HASH_TYPE_UDPv4 : VIRTIO_NET_HASH_TYPE_UDPv6;
    uint16_t base = p.ipver == 4 ? 0 : 3; /* IPv6 reports are the IPv4 ones + 3 */
    /* No extension headers are parsed: the _EX types hash as the plain ones (the
     * addresses are the packet's own) and report the _EX type (5.1.6.4.3.3). */
    if (p.ipver == 6) {
        if (types & VIRTIO_NET_HASH_TYPE_IP_EX)
            t_ip |= VIRTIO_NET_HASH_TYPE_IP_EX;
        if (types & VIRTIO_NET_HASH_TYPE_TCP_EX)
            t_tcp |= VIRTIO_NET_HASH_TYPE_TCP_EX;
        if (types & VIRTIO_NET_HASH_TYPE_UDP_EX)
            t_udp |= VIRTIO_NET_HASH_TYPE_UDP_EX;
    }
    memcpy(in, frame + p.l3 + (p.ipver == 4 ? 12 : 8), 2 * alen);
    n = 2 * alen;
    uint16_t ex = 0;
    if (tcp && (types & t_tcp)) {
        memcpy(in + n, frame + p.l4, 4);
        n += 4;
        ex = p.ipver == 6 && !(types & VIRTIO_NET_HASH_TYPE_TCPv6) ? 3 : 0;
        *report = (uint16_t)(VIRTIO_NET_HASH_REPORT_TCPv4 + base + ex);
    } else if (udp && (types & t_udp)) {
        memcpy(in + n, frame + p.l4, 4);
        n += 4;
        ex = p.ipver == 6 && !(types & VIRTIO_NET_HASH_TYPE_UDPv6) ? 3 : 0;
        *report = (uint16_t)(VIRTIO_NET_HASH_REPORT_UDPv4 + base + ex);
    } else if (types & t_ip) {
        ex = p.ipver == 6 && !(types & VIRTIO_NET_HASH_TYPE_IPv6) ? 3 : 0;
        *report = (uint16_t)(VIRTIO_NET_HASH_REPORT_IPv4 + base + ex);
    } else {
        return 0;
    }
    return vmodel_net_toeplitz(key, key_len, in, n);
}
