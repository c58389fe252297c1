/*
 * Host unit tests of NetKVM's OS-neutral modules (check-netkvm-units, under
 * ASan and UBSan): nk_rss (Toeplitz against Microsoft's published vectors,
 * the map, the virtio form), nk_csum (parsing hostile frames split across
 * buffers, TX offload plans checked by an independent checksum, RX
 * verdicts), nk_params (every keyword at default, min, max and invalid
 * values) and nk_rxbuf (sizes, sharing, the memory bound).  A copy built
 * with NK_PLANTED_TRUST_LEN (the parser believes the IPv4 total length)
 * must fail.
 */
#define HOSTCHECK_PREFIX "nk: "
#include "hostcheck.h"

#include <stdio.h>
#include <string.h>

#include "nku.h"

/* One counted check line. */
void check(int ok, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    expect(ok, "%s", line);
}

/* Folded RFC 1071 sum, one byte at a time (the reference). */
uint16_t nku_sum16(const uint8_t *p, size_t n, uint32_t start)
{
    uint64_t s = start;
    for (size_t i = 0; i < n; i++)
        s += i % 2 ? p[i] : (uint32_t)p[i] << 8;
    while (s >> 16)
        s = (s & 0xFFFF) + (s >> 16);
    return (uint16_t)s;
}

/* The IPv4 header at l3_off sums to 0xFFFF. */
bool nku_ipv4_ok(const uint8_t *f, size_t l3_off)
{
    return nku_sum16(f + l3_off, (size_t)(f[l3_off] & 15) * 4, 0) == 0xFFFF;
}

/* Stores a big-endian 16-bit value. */
static void be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Loads a big-endian 16-bit value. */
static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* The L4 checksum of a frame built by nku_build (no extension walk needed:
 * the pseudo header uses the frame's addresses and the final next header). */
bool nku_l4_ok(const uint8_t *f, size_t len, bool vlan)
{
    size_t l3 = vlan ? 18 : 14;
    uint32_t ps = 0;
    size_t l4, end;
    uint8_t proto;
    if ((f[l3] >> 4) == 4) {
        size_t ihl = (size_t)(f[l3] & 15) * 4;
        l4 = l3 + ihl;
        end = l3 + rd16(f + l3 + 2);
        proto = f[l3 + 9];
        ps = nku_sum16(f + l3 + 12, 8, 0);
    } else {
        size_t off = l3 + 40;
        uint8_t nh = f[l3 + 6];
        const uint8_t *src = f + l3 + 8, *dst = f + l3 + 24;
        while (nh == 0 || nh == 60 || nh == 43) {
            if (nh == 60 && f[off + 2] == 0xC9)
                src = f + off + 4; /* our builder puts Home Address first */
            if (nh == 43 && f[off + 2] == 2)
                dst = f + off + 8;
            nh = f[off];
            off += ((size_t)f[off + 1] + 1) * 8;
        }
        l4 = off;
        end = l3 + 40 + rd16(f + l3 + 4);
        proto = nh;
        ps = nku_sum16(src, 16, 0);
        ps = nku_sum16(dst, 16, ps);
    }
    if (end > len)
        return false;
    ps += proto + (uint32_t)(end - l4);
    return nku_sum16(f + l4, end - l4, ps) == 0xFFFF;
}

/* Builds a frame (see struct nku_frame_spec). */
size_t nku_build(const struct nku_frame_spec *s, uint8_t *b, size_t cap)
{
    size_t n = 0;
    memset(b, 0, cap);
    memcpy(b, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
    n = 12;
    if (s->vlan) {
        be16(b + n, 0x8100);
        be16(b + n + 2, s->tci);
        n += 4;
    }
    be16(b + n, s->v6 ? 0x86DD : 0x0800);
    n += 2;
    size_t l3 = n, l4;
    if (!s->v6) {
        size_t ihl = 20 + s->ip_opts;
        b[l3] = (uint8_t)(0x40 | ihl / 4);
        b[l3 + 8] = 64;
        b[l3 + 9] = s->proto;
        if (s->frag_off)
            be16(b + l3 + 6, (uint16_t)(0x2000 | s->frag_off));
        memcpy(b + l3 + 12, s->src, 4);
        memcpy(b + l3 + 16, s->dst, 4);
        for (size_t i = 20; i < ihl; i++)
            b[l3 + i] = 1; /* NOP options */
        l4 = l3 + ihl;
    } else {
        b[l3] = 0x60;
        b[l3 + 7] = 64;
        memcpy(b + l3 + 8, s->src, 16);
        memcpy(b + l3 + 24, s->dst, 16);
        l4 = l3 + 40;
        if (s->v6_ext) {
            b[l3 + 6] = 0; /* hop-by-hop, 8 bytes of PadN */
            b[l4] = 60;
            b[l4 + 1] = 0;
            b[l4 + 2] = 1;
            b[l4 + 3] = 4;
            l4 += 8;
            b[l4] = 43; /* destination options: Home Address, 24 bytes */
            b[l4 + 1] = 2;
            b[l4 + 2] = 0xC9;
            b[l4 + 3] = 16;
            for (int i = 0; i < 16; i++)
                b[l4 + 4 + i] = (uint8_t)(0x20 + i);
            b[l4 + 20] = 1; /* PadN */
            b[l4 + 21] = 2;
            l4 += 24;
            b[l4] = s->proto; /* routing type 2, one address, 24 bytes */
            b[l4 + 1] = 2;
            b[l4 + 2] = 2;
            b[l4 + 3] = 1;
            for (int i = 0; i < 16; i++)
                b[l4 + 8 + i] = (uint8_t)(0x40 + i);
            l4 += 24;
        } else {
            b[l3 + 6] = s->proto;
        }
    }
    size_t l4h = s->proto == 6 ? 20u + s->tcp_opts : s->proto == 17 ? 8u : 0u;
    if (s->proto == 6 || s->proto == 17) {
        be16(b + l4, s->sport);
        be16(b + l4 + 2, s->dport);
    }
    if (s->proto == 6) {
        b[l4 + 12] = (uint8_t)((l4h / 4) << 4);
        b[l4 + 13] = 0x18;
        for (size_t i = 20; i < l4h; i++)
            b[l4 + i] = 1;
    }
    size_t end = l4 + l4h + s->payload;
    for (size_t i = l4 + l4h; i < end; i++)
        b[i] = (uint8_t)(i * 7 + 3);
    if (s->proto == 17)
        be16(b + l4 + 4, (uint16_t)(end - l4));
    if (!s->v6)
        be16(b + l3 + 2, (uint16_t)(end - l3));
    else
        be16(b + l3 + 4, (uint16_t)(end - l3 - 40));
    if (s->good_csums) {
        if (s->proto == 6 || s->proto == 17) {
            size_t field = l4 + (s->proto == 6 ? 16 : 6);
            uint16_t c = 0;
            uint32_t ps = 0;
            if (!s->v6) {
                ps = nku_sum16(b + l3 + 12, 8, 0);
            } else {
                ps = nku_sum16(s->v6_ext ? b + l3 + 48 + 4 : b + l3 + 8, 16, 0);
                ps = nku_sum16(s->v6_ext ? b + l3 + 72 + 8 : b + l3 + 24, 16, ps);
            }
            ps += s->proto + (uint32_t)(end - l4);
            c = (uint16_t)~nku_sum16(b + l4, end - l4, ps);
            if (s->proto == 17 && c == 0)
                c = 0xFFFF;
            be16(b + field, c);
        }
        if (!s->v6)
            be16(b + l3 + 10, (uint16_t)~nku_sum16(b + l3, 20u + s->ip_opts, 0));
    }
    if (s->zero_ip_len) {
        if (!s->v6)
            be16(b + l3 + 2, 0);
        else
            be16(b + l3 + 4, 0);
    }
    for (size_t i = 0; i < s->pad; i++)
        b[end + i] = (uint8_t)(0xA5 ^ i);
    (void)cap;
    return end + s->pad;
}

/* Hex text into bytes. */
size_t nku_hex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    unsigned v;
    while (n < cap && sscanf(hex + 2 * n, "%2x", &v) == 1)
        out[n++] = (uint8_t)v;
    return n;
}

/* Dotted IPv4 text into 4 bytes. */
void nku_ip4(const char *t, uint8_t out[4])
{
    unsigned a, b, c, d;
    if (sscanf(t, "%u.%u.%u.%u", &a, &b, &c, &d) != 4)
        a = b = c = d = 0;
    out[0] = (uint8_t)a, out[1] = (uint8_t)b, out[2] = (uint8_t)c, out[3] = (uint8_t)d;
}

/* IPv6 text (with at most one "::") into 16 bytes. */
void nku_ip6(const char *t, uint8_t out[16])
{
    uint16_t head[8], tail[8];
    size_t nh = 0, nt = 0;
    bool gap = false;
    const char *p = t;
    memset(out, 0, 16);
    while (*p) {
        if (p[0] == ':' && p[1] == ':') {
            gap = true;
            p += 2;
            continue;
        }
        if (*p == ':') {
            p++;
            continue;
        }
        unsigned v = 0;
        int k = 0;
        sscanf(p, "%x%n", &v, &k);
        if (!k)
            break;
        if (gap)
            tail[nt++] = (uint16_t)v;
        else
            head[nh++] = (uint16_t)v;
        p += k;
        if (nh + nt == 8)
            break;
    }
    for (size_t i = 0; i < nh; i++)
        be16(out + 2 * i, head[i]);
    for (size_t i = 0; i < nt; i++)
        be16(out + 16 - 2 * (nt - i), tail[i]);
}

/* A view over buf in pieces of chunk bytes. */
void nku_split(struct nk_view *v, struct nk_seg *segs, size_t nsegs, const uint8_t *buf, size_t len,
               size_t chunk)
{
    size_t n = 0;
    for (size_t off = 0; off < len && n < nsegs; off += chunk, n++) {
        segs[n].p = buf + off;
        segs[n].len = len - off < chunk ? len - off : chunk;
        if (n == nsegs - 1)
            segs[n].len = len - off; /* the rest */
    }
    nk_view_init(v, segs, n);
}

int main(void)
{
    test_rss();
    test_csum();
    test_params();
    test_rxbuf();
    test_settings();
    test_offload();
    test_rxhdr();
    test_reset();
    test_txdone();
    test_stats();
    test_mactable();
    test_refill();
    test_refill_stop();
    test_refill_race();
    test_rsc();
    test_vlan();
    test_txtag();
    test_rsspub();
    test_rxfilter();
    test_rxfilter_judge();
    test_announce();
    test_gather();
    return hostcheck_end();
}
