/*
 * frames.c - test frames and an independent checksum check (frames.h).
 */
#include "frames.h"

#include <string.h>

/* Microsoft's RSS verification key ("Verifying the RSS Hash Calculation") */
const uint8_t ms_rss_key[40] = {0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
                                0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
                                0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
                                0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};

static void be16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint32_t rd16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

uint32_t frame_build(uint8_t *out, const struct fspec *s, uint32_t *l3p, uint32_t *l4p)
{
    static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    static const uint8_t peer[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99};
    static const uint8_t sip4[4] = {10, 0, 0, 2}, dip4[4] = {10, 0, 0, 1};
    static const uint8_t sip6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    static const uint8_t dip6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    uint32_t o = 12, alen = s->ipver == 4 ? 4 : 16;

    memcpy(out, s->dst ? s->dst : mac, 6);
    memcpy(out + 6, s->src ? s->src : peer, 6);
    if (s->vlan >= 0) {
        be16(out + 12, 0x8100);
        be16(out + 14, (uint32_t)s->vlan);
        o = 16;
    }
    be16(out + o, s->ipver == 4 ? 0x0800 : 0x86dd);
    uint32_t l3 = o + 2, hl = s->ipver == 4 ? 20 : 40;
    uint32_t l4 = l3 + hl, l4h = s->proto == 6 ? 20 : 8, tot = hl + l4h + s->payload;
    memset(out + l3, 0, hl + l4h);
    if (s->ipver == 4) {
        out[l3] = 0x45;
        be16(out + l3 + 2, tot);
        be16(out + l3 + 4, 0x1234);
        out[l3 + 8] = 64;
        out[l3 + 9] = (uint8_t)s->proto;
        memcpy(out + l3 + 12, s->sip ? s->sip : sip4, 4);
        memcpy(out + l3 + 16, s->dip ? s->dip : dip4, 4);
    } else {
        out[l3] = 0x60;
        be16(out + l3 + 4, tot - 40);
        out[l3 + 6] = (uint8_t)s->proto;
        out[l3 + 7] = 64;
        memcpy(out + l3 + 8, s->sip ? s->sip : sip6, 16);
        memcpy(out + l3 + 24, s->dip ? s->dip : dip6, 16);
    }
    (void)alen;
    be16(out + l4, s->sport);
    be16(out + l4 + 2, s->dport);
    if (s->proto == 6) {
        be16(out + l4 + 4, s->seq >> 16);
        be16(out + l4 + 6, s->seq & 0xffff);
        out[l4 + 12] = 0x50;
        out[l4 + 13] = s->tcp_flags ? s->tcp_flags : 0x10;
        be16(out + l4 + 14, 65535);
    } else {
        be16(out + l4 + 4, l4h + s->payload);
    }
    for (uint32_t i = 0; i < s->payload; i++)
        out[l4 + l4h + i] = (uint8_t)(i * 7 + (i >> 8));
    if (l3p)
        *l3p = l3;
    if (l4p)
        *l4p = l4;
    return l3 + tot;
}

/* Headers of F: L3, L4 offsets, IP version, protocol, end of the IP packet. */
static bool parse(const uint8_t *f, uint32_t len, uint32_t *l3, uint32_t *l4, int *v, int *pr,
                  uint32_t *end)
{
    uint32_t o = rd16(f + 12) == 0x8100 ? 16 : 12;
    *l3 = o + 2;
    if (rd16(f + o) == 0x0800) {
        *v = 4;
        *l4 = *l3 + (f[*l3] & 15u) * 4;
        *pr = f[*l3 + 9];
        *end = *l3 + rd16(f + *l3 + 2);
    } else if (rd16(f + o) == 0x86dd) {
        *v = 6;
        *l4 = *l3 + 40;
        *pr = f[*l3 + 6];
        *end = *l4 + rd16(f + *l3 + 4);
    } else {
        return false;
    }
    return *end <= len;
}

static uint32_t sum(const uint8_t *p, uint32_t n, uint32_t s)
{
    for (uint32_t i = 0; i < n; i++)
        s += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
    return s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

static uint32_t pseudo(const uint8_t *f, uint32_t l3, int v, int pr, uint32_t l4len)
{
    return v == 4 ? sum(f + l3 + 12, 8, 0) + (uint32_t)pr + l4len
                  : sum(f + l3 + 8, 32, 0) + (uint32_t)pr + l4len;
}

void frame_csum_full(uint8_t *f, uint32_t len)
{
    uint32_t l3, l4, end;
    int v, pr;
    if (!parse(f, len, &l3, &l4, &v, &pr, &end))
        return;
    if (v == 4) {
        be16(f + l3 + 10, 0);
        be16(f + l3 + 10, (uint16_t)~fold(sum(f + l3, l4 - l3, 0)));
    }
    uint32_t c = l4 + (pr == 6 ? 16 : 6);
    be16(f + c, 0);
    uint16_t x = (uint16_t)~fold(sum(f + l4, end - l4, pseudo(f, l3, v, pr, end - l4)));
    be16(f + c, x == 0 && pr == 17 ? 0xffff : x);
}

void frame_csum_seed(uint8_t *f, uint32_t len)
{
    uint32_t l3, l4, end;
    int v, pr;
    if (!parse(f, len, &l3, &l4, &v, &pr, &end))
        return;
    if (v == 4) {
        be16(f + l3 + 10, 0);
        be16(f + l3 + 10, (uint16_t)~fold(sum(f + l3, l4 - l3, 0)));
    }
    be16(f + l4 + (pr == 6 ? 16 : 6), fold(pseudo(f, l3, v, pr, end - l4)));
}

bool frame_csum_ok(const uint8_t *f, uint32_t len)
{
    uint32_t l3, l4, end;
    int v, pr;
    if (!parse(f, len, &l3, &l4, &v, &pr, &end))
        return false;
    if (v == 4 && fold(sum(f + l3, l4 - l3, 0)) != 0xffff)
        return false;
    return fold(sum(f + l4, end - l4, pseudo(f, l3, v, pr, end - l4))) == 0xffff;
}

uint32_t ref_toeplitz(const uint8_t *key, const uint8_t *in, unsigned n)
{
    /* For each set input bit i (MSB first), XOR in key bits i..i+31. */
    uint32_t r = 0;
    for (unsigned i = 0; i < n * 8; i++) {
        if (!((in[i / 8] >> (7 - i % 8)) & 1))
            continue;
        uint32_t w = 0;
        for (unsigned k = 0; k < 32; k++)
            w = w << 1 | ((key[(i + k) / 8] >> (7 - (i + k) % 8)) & 1u);
        r ^= w;
    }
    return r;
}
