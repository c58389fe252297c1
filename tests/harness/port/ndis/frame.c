/*
 * Frame parsing and checksums for the NDIS emulation's offload checks
 * (frame.h).  Only what the checks need: one 802.1Q tag, IPv4 with options,
 * IPv6 without extension headers (another next header is no TCP/UDP).
 */
#include "frame.h"
#include <string.h>
#include "vw_ndis.h"

/* A big-endian 16-bit field. */
static unsigned be16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

bool ndis_frame_parse(const uint8_t *f, unsigned len, struct ndis_frame *p)
{
    memset(p, 0, sizeof(*p));
    if (len < 14)
        return false;
    unsigned at = 12, type = be16(f + 12);
    if (type == 0x8100) {
        if (len < 18)
            return false;
        p->tagged = true;
        p->tci = (uint16_t)be16(f + 14);
        at = 16, type = be16(f + 16);
    }
    p->l3 = at + 2;
    const uint8_t *ip = f + p->l3;
    unsigned room = len - p->l3;
    if (type == 0x0800 && room >= 20 && ip[0] >> 4 == 4) {
        unsigned ihl = (ip[0] & 15u) * 4, tot = be16(ip + 2);
        if (ihl < 20 || tot < ihl || tot > room)
            return false;
        p->ipv = 4;
        p->end = p->l3 + tot;
        p->fragment = (be16(ip + 6) & 0x3fff) != 0; /* MF or an offset */
        p->proto = ip[9];
        p->l4 = p->l3 + ihl;
    } else if (type == 0x86dd && room >= 40 && ip[0] >> 4 == 6) {
        unsigned pl = be16(ip + 4);
        if (40 + pl > room)
            return false;
        p->ipv = 6;
        p->end = p->l3 + 40 + pl;
        p->proto = ip[6];
        p->l4 = p->l3 + 40;
    } else {
        return true;
    }
    if (p->proto == 6 && !p->fragment && p->end - p->l4 >= 20) {
        p->l4_hlen = (f[p->l4 + 12] >> 4) * 4u;
        if (p->l4_hlen < 20 || p->l4 + p->l4_hlen > p->end)
            return false;
    } else if (p->proto == 17 && !p->fragment && p->end - p->l4 >= 8) {
        p->l4_hlen = 8;
    } else {
        p->proto = p->proto == 6 || p->proto == 17 ? 0 : p->proto;
        p->l4 = 0;
    }
    if (p->proto != 6 && p->proto != 17)
        p->l4 = 0;
    return true;
}

/* The ones' complement sum of N bytes at P added to SUM (RFC 1071). */
static uint32_t sum(uint32_t s, const uint8_t *p, unsigned n)
{
    for (unsigned i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

/* Folds a 32-bit ones' complement sum to 16 bits. */
static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

bool ndis_frame_ip_csum_ok(const uint8_t *f, const struct ndis_frame *p)
{
    return p->ipv == 4 && fold(sum(0, f + p->l3, (f[p->l3] & 15u) * 4)) == 0xffff;
}

/* The transport checksum's sum over the pseudo-header and the segment. */
static uint32_t l4_sum(const uint8_t *f, const struct ndis_frame *p)
{
    unsigned n = p->end - p->l4;
    uint32_t s = p->ipv == 4 ? sum(0, f + p->l3 + 12, 8) : sum(0, f + p->l3 + 8, 32);
    s += p->proto + n;
    return sum(s, f + p->l4, n);
}

bool ndis_frame_l4_csum_ok(const uint8_t *f, const struct ndis_frame *p)
{
    if (p->l4 == 0)
        return false;
    if (p->proto == 17 && p->ipv == 4 && be16(f + p->l4 + 6) == 0)
        return true; /* no checksum (RFC 768) */
    return fold(l4_sum(f, p)) == 0xffff;
}

void ndis_frame_fill_csums(uint8_t *f, const struct ndis_frame *p)
{
    if (p->ipv == 4) {
        uint8_t *ip = f + p->l3;
        ip[10] = ip[11] = 0;
        uint16_t c = (uint16_t)~fold(sum(0, ip, (ip[0] & 15u) * 4));
        ip[10] = (uint8_t)(c >> 8), ip[11] = (uint8_t)c;
    }
    if (p->l4 == 0)
        return;
    uint8_t *at = f + p->l4 + (p->proto == 6 ? 16 : 6);
    at[0] = at[1] = 0;
    uint16_t c = (uint16_t)~fold(l4_sum(f, p));
    if (c == 0 && p->proto == 17)
        c = 0xffff;
    at[0] = (uint8_t)(c >> 8), at[1] = (uint8_t)c;
}

unsigned ndis_frame_hash_input(const uint8_t *f, const struct ndis_frame *p, uint32_t types,
                               uint8_t in[36], uint32_t *type)
{
    *type = 0;
    unsigned alen = p->ipv == 4 ? 4 : 16, aoff = p->ipv == 4 ? 12 : 8;
    if (p->ipv == 0)
        return 0;
    uint32_t tcp = p->ipv == 4 ? VW_NDIS_HASH_TCP_IPV4 : VW_NDIS_HASH_TCP_IPV6;
    uint32_t udp = p->ipv == 4 ? VW_NDIS_HASH_UDP_IPV4 : VW_NDIS_HASH_UDP_IPV6;
    uint32_t ip = p->ipv == 4 ? VW_NDIS_HASH_IPV4 : VW_NDIS_HASH_IPV6;
    memcpy(in, f + p->l3 + aoff, 2 * alen);
    if (p->proto == 6 && (types & tcp))
        *type = tcp;
    else if (p->proto == 17 && (types & udp))
        *type = udp;
    else if (types & ip)
        *type = ip;
    else
        return 0;
    if (*type == ip)
        return 2 * alen;
    memcpy(in + 2 * alen, f + p->l4, 4); /* source then destination port */
    return 2 * alen + 4;
}

unsigned ndis_frame_build(uint8_t *f, int ipv, uint8_t proto, unsigned payload, uint16_t sport,
                          const uint8_t *dst, const uint8_t *src, bool zero)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    f[12] = ipv == 4 ? 0x08 : 0x86, f[13] = ipv == 4 ? 0x00 : 0xdd;
    uint8_t *ip = f + 14;
    unsigned th = proto == 6 ? 20 : 8, l4len = th + payload, hl = ipv == 4 ? 20 : 40;
    memset(ip, 0, hl + th);
    if (ipv == 4) {
        unsigned tot = 20 + l4len;
        ip[0] = 0x45, ip[2] = (uint8_t)(tot >> 8), ip[3] = (uint8_t)tot, ip[8] = 64, ip[9] = proto;
        ip[12] = 10, ip[15] = 2, ip[16] = 10, ip[19] = 1;
    } else {
        ip[0] = 0x60, ip[4] = (uint8_t)(l4len >> 8), ip[5] = (uint8_t)l4len, ip[6] = proto;
        ip[7] = 64, ip[8] = 0xfd, ip[23] = 2, ip[24] = 0xfd, ip[39] = 1;
    }
    uint8_t *l4 = ip + hl;
    l4[0] = (uint8_t)(sport >> 8), l4[1] = (uint8_t)sport, l4[2] = 0x01, l4[3] = 0xbb;
    if (proto == 6)
        l4[12] = 5 << 4, l4[13] = 0x18; /* data offset 5, PSH ACK */
    else
        l4[4] = (uint8_t)(l4len >> 8), l4[5] = (uint8_t)l4len;
    for (unsigned i = 0; i < payload; i++)
        l4[th + i] = (uint8_t)(i * 7 + sport);
    unsigned len = 14 + hl + l4len;
    struct ndis_frame p;
    if (!zero && ndis_frame_parse(f, len, &p))
        ndis_frame_fill_csums(f, &p);
    return len;
}
