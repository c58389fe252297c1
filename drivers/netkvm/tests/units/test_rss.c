/* nk_rss tests: Microsoft's RSS verification key and vectors ("Verifying
 * the RSS Hash Calculation": IPv4 and IPv6, with and without ports), hashed
 * directly and from parsed frames split across buffers; the map's checks;
 * 80 CPUs over 64 queues; the virtio_net_rss_config form. */
#include <string.h>

#include "nku.h"

static const char *const k_key = "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c"
                                 "6a42b73bbeac01fa";

struct vec {
    const char *dst, *src;
    uint16_t dport, sport;
    uint32_t ip_only, with_tcp;
};

/* Microsoft's table (destination, source, expected hashes). */
static const struct vec k_v4[] = {
    {"161.142.100.80", "66.9.149.187", 1766, 2794, 0x323e8fc2, 0x51ccc178},
    {"65.69.140.83", "199.92.111.2", 4739, 14230, 0xd718262a, 0xc626b0ea},
    {"12.22.207.184", "24.19.198.95", 38024, 12898, 0xd2d0a5de, 0x5c2b394a},
    {"209.142.163.6", "38.27.205.30", 2217, 48228, 0x82989176, 0xafc7327f},
    {"202.188.127.2", "153.39.163.191", 1303, 44251, 0x5d1809c5, 0x10e828a2},
};
static const struct vec k_v6[] = {
    {"3ffe:2501:200:3::1", "3ffe:2501:200:1fff::7", 1766, 2794, 0x2cc18cd5, 0x40207d3d},
    {"ff02::1", "3ffe:501:8::260:97ff:fe40:efab", 4739, 14230, 0x0f0c461c, 0xdde51bbf},
    {"fe80::200:f8ff:fe21:67cf", "3ffe:1900:4545:3:200:f8ff:fe21:67cf", 38024, 44251, 0x4b61e985,
     0x02d1feef},
};

static uint8_t key[40];

/* A map with all types, 128 entries over `cpus` CPUs and nqueues queues. */
static int make_map(struct nk_rss_map *m, uint32_t types, unsigned ncpus, uint16_t nqueues)
{
    uint16_t cpus[128];
    for (unsigned i = 0; i < 128; i++)
        cpus[i] = (uint16_t)(i % ncpus);
    return nk_rss_configure(m, types | NK_RSS_FUNC_TOEPLITZ, key, 40, cpus, 128, nqueues);
}

/* Hashes of the published vectors, from the raw tuple. */
static void direct_vectors(void)
{
    for (size_t i = 0; i < 5; i++) {
        uint8_t in[12];
        nku_ip4(k_v4[i].src, in);
        nku_ip4(k_v4[i].dst, in + 4);
        in[8] = (uint8_t)(k_v4[i].sport >> 8), in[9] = (uint8_t)k_v4[i].sport;
        in[10] = (uint8_t)(k_v4[i].dport >> 8), in[11] = (uint8_t)k_v4[i].dport;
        uint32_t a = nk_toeplitz(key, 40, in, 8), b = nk_toeplitz(key, 40, in, 12);
        check(a == k_v4[i].ip_only, "rss: Toeplitz IPv4 vector %zu IP only 0x%08x", i + 1, a);
        check(b == k_v4[i].with_tcp, "rss: Toeplitz IPv4 vector %zu with ports 0x%08x", i + 1, b);
    }
    for (size_t i = 0; i < 3; i++) {
        uint8_t in[36];
        nku_ip6(k_v6[i].src, in);
        nku_ip6(k_v6[i].dst, in + 16);
        in[32] = (uint8_t)(k_v6[i].sport >> 8), in[33] = (uint8_t)k_v6[i].sport;
        in[34] = (uint8_t)(k_v6[i].dport >> 8), in[35] = (uint8_t)k_v6[i].dport;
        uint32_t a = nk_toeplitz(key, 40, in, 32), b = nk_toeplitz(key, 40, in, 36);
        check(a == k_v6[i].ip_only, "rss: Toeplitz IPv6 vector %zu IP only 0x%08x", i + 1, a);
        check(b == k_v6[i].with_tcp, "rss: Toeplitz IPv6 vector %zu with ports 0x%08x", i + 1, b);
    }
}

/* The frame of vector v (TCP or UDP) split in 5-byte pieces, hashed under types. */
static uint32_t frame_hash(const struct vec *v, bool v6, uint8_t proto, uint32_t types,
                           uint16_t frag, uint32_t *type)
{
    struct nku_frame_spec s = {.v6 = v6,
                               .proto = proto,
                               .sport = v->sport,
                               .dport = v->dport,
                               .payload = 10,
                               .frag_off = frag,
                               .vlan = true,
                               .tci = 5};
    uint8_t buf[256];
    struct nk_seg segs[64];
    struct nk_view view;
    struct nk_pkt pkt;
    struct nk_rss_map m;
    if (v6) {
        nku_ip6(v->src, s.src);
        nku_ip6(v->dst, s.dst);
    } else {
        nku_ip4(v->src, s.src);
        nku_ip4(v->dst, s.dst);
    }
    size_t len = nku_build(&s, buf, sizeof(buf));
    nku_split(&view, segs, 64, buf, len, 5);
    nk_parse(&view, &pkt);
    make_map(&m, types, 4, 4);
    return nk_rss_hash_pkt(&m, &pkt, type);
}

/* The vectors through nk_parse and nk_rss_hash_pkt. */
static void frame_vectors(void)
{
    const uint32_t t4 = NK_RSS_HASH_IPV4 | NK_RSS_HASH_TCP_IPV4 | NK_RSS_HASH_UDP_IPV4;
    const uint32_t t6 = NK_RSS_HASH_IPV6 | NK_RSS_HASH_TCP_IPV6 | NK_RSS_HASH_UDP_IPV6;
    uint32_t type, h;
    for (size_t i = 0; i < 5; i++) {
        h = frame_hash(&k_v4[i], false, 6, t4, 0, &type);
        check(h == k_v4[i].with_tcp && type == NK_RSS_HASH_TCP_IPV4,
              "rss: frame IPv4/TCP vector %zu hashes 0x%08x type 0x%x", i + 1, h, type);
        h = frame_hash(&k_v4[i], false, 17, t4, 0, &type);
        check(h == k_v4[i].with_tcp && type == NK_RSS_HASH_UDP_IPV4,
              "rss: frame IPv4/UDP vector %zu hashes with ports (UDP_IPV4)", i + 1);
        h = frame_hash(&k_v4[i], false, 17, NK_RSS_HASH_IPV4 | NK_RSS_HASH_TCP_IPV4, 0, &type);
        check(h == k_v4[i].ip_only && type == NK_RSS_HASH_IPV4,
              "rss: frame IPv4/UDP vector %zu without UDP_IPV4 hashes IP only", i + 1);
        h = frame_hash(&k_v4[i], false, 6, t4, 100, &type);
        check(h == k_v4[i].ip_only && type == NK_RSS_HASH_IPV4,
              "rss: IPv4 fragment of vector %zu hashes IP only", i + 1);
    }
    for (size_t i = 0; i < 3; i++) {
        h = frame_hash(&k_v6[i], true, 6, t6, 0, &type);
        check(h == k_v6[i].with_tcp && type == NK_RSS_HASH_TCP_IPV6,
              "rss: frame IPv6/TCP vector %zu hashes 0x%08x type 0x%x", i + 1, h, type);
        h = frame_hash(&k_v6[i], true, 59, t6, 0, &type);
        check(h == k_v6[i].ip_only && type == NK_RSS_HASH_IPV6,
              "rss: frame IPv6 (no L4) vector %zu hashes IP only", i + 1);
    }
    h = frame_hash(&k_v4[0], false, 6, t6, 0, &type);
    check(h == 0 && type == 0, "rss: IPv4 frame with only IPv6 types enabled is not hashed");
}

/* _EX types use the Home Address and the type 2 routing header's address. */
static void ex_types(void)
{
    struct nku_frame_spec s = {.v6 = true, .proto = 6, .sport = 1, .dport = 2, .v6_ext = true};
    uint8_t buf[256], in[36];
    struct nk_seg seg;
    struct nk_view v;
    struct nk_pkt pkt;
    struct nk_rss_map m;
    uint32_t type;
    size_t len = nku_build(&s, buf, sizeof(buf));
    seg.p = buf, seg.len = len;
    nk_view_init(&v, &seg, 1);
    int st = nk_parse(&v, &pkt);
    check(st == NK_PARSE_OK && pkt.ipv6_ext && pkt.has_home && pkt.has_rh2 && pkt.l4 == NK_L4_TCP,
          "rss: IPv6 with hop-by-hop, Home Address and RH2 parses (status %d)", st);
    make_map(&m, NK_RSS_HASH_IPV6 | NK_RSS_HASH_TCP_IPV6_EX, 1, 1);
    uint32_t h = nk_rss_hash_pkt(&m, &pkt, &type);
    for (int i = 0; i < 16; i++)
        in[i] = (uint8_t)(0x20 + i), in[16 + i] = (uint8_t)(0x40 + i);
    in[32] = 0, in[33] = 1, in[34] = 0, in[35] = 2;
    check(type == NK_RSS_HASH_TCP_IPV6_EX && h == nk_toeplitz(key, 40, in, 36),
          "rss: TCP_IPV6_EX hashes the home address and the RH2 address");
    make_map(&m, NK_RSS_HASH_IPV6 | NK_RSS_HASH_TCP_IPV6, 1, 1);
    h = nk_rss_hash_pkt(&m, &pkt, &type);
    memset(in, 0, 32);
    in[33] = 1, in[35] = 2;
    check(type == NK_RSS_HASH_TCP_IPV6 && h == nk_toeplitz(key, 40, in, 36),
          "rss: TCP_IPV6 (no _EX) hashes the header's addresses");
}

/* Bad parameters are refused and leave the map as it was. */
static void configure_checks(void)
{
    struct nk_rss_map m, before;
    uint16_t cpus[256] = {0};
    make_map(&m, NK_RSS_HASH_IPV4, 2, 2);
    before = m;
    struct {
        uint32_t hi;
        size_t klen, n;
        uint16_t nq, badcpu;
        int want;
        const char *what;
    } cases[] = {
        {0x100 | 2, 40, 8, 2, 0, NK_RSS_BAD_FUNC, "hash function 2"},
        {0x1 | 0x01000000u, 40, 8, 2, 0, NK_RSS_BAD_FUNC, "bits outside type|function"},
        {0x1, 40, 8, 2, 0, NK_RSS_BAD_TYPES, "no hash type"},
        {0x1 | 0x00020000u, 40, 8, 2, 0, NK_RSS_BAD_TYPES, "unknown hash type 0x20000"},
        {0x101, 39, 8, 2, 0, NK_RSS_BAD_KEY, "39-byte key"},
        {0x101, 0, 8, 2, 0, NK_RSS_BAD_KEY, "empty key"},
        {0x101, 40, 0, 2, 0, NK_RSS_BAD_ITABLE, "empty indirection table"},
        {0x101, 40, 96, 2, 0, NK_RSS_BAD_ITABLE, "96 entries (not a power of two)"},
        {0x101, 40, 256, 2, 0, NK_RSS_BAD_ITABLE, "256 entries"},
        {0x101, 40, 8, 0, 0, NK_RSS_BAD_QUEUES, "0 queues"},
        {0x101, 40, 8, 129, 0, NK_RSS_BAD_QUEUES, "129 queues"},
        {0x101, 40, 8, 2, 4096, NK_RSS_BAD_CPU, "processor index 4096"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cpus[3] = cases[i].badcpu;
        int rc =
            nk_rss_configure(&m, cases[i].hi, key, cases[i].klen, cpus, cases[i].n, cases[i].nq);
        check(rc == cases[i].want && !memcmp(&m, &before, sizeof(m)),
              "rss: %s refused (%d), map untouched", cases[i].what, rc);
    }
    int rc = nk_rss_configure(&m, 0x100, key, 40, cpus, 8, 2);
    check(rc == NK_RSS_DISABLED && !m.enabled && nk_rss_queue(&m, 0x12345) == m.default_queue,
          "rss: function 0 disables RSS; everything goes to the default queue");
    /* A corrupted map still gives in-range answers. */
    make_map(&m, NK_RSS_HASH_IPV4, 8, 8);
    m.itable_len = 3;
    check(nk_rss_queue(&m, 0xFFFFFFFF) < m.nqueues, "rss: corrupt table length stays in bounds");
    m.itable_len = 128;
    m.queue[127] = 500;
    check(nk_rss_queue(&m, 127) < m.nqueues, "rss: a queue entry beyond nqueues is not used");
}

/* 80 CPUs (two processor groups) over 64 queues: no cap at 32. */
static void many_queues(void)
{
    struct nk_rss_map m;
    uint16_t cpus[128];
    for (unsigned i = 0; i < 128; i++)
        cpus[i] = (uint16_t)(i % 80 < 64 ? i % 80 : 64 * 1 + (i % 80 - 64)); /* group 1 = 64.. */
    int rc = nk_rss_configure(&m, NK_RSS_FUNC_TOEPLITZ | NK_RSS_HASH_IPV4, key, 40, cpus, 128, 64);
    bool used[64] = {0};
    unsigned distinct = 0, bad = 0;
    for (unsigned i = 0; i < 128; i++) {
        if (m.queue[i] >= 64)
            bad++;
        else if (!used[m.queue[i]]) {
            used[m.queue[i]] = true;
            distinct++;
        }
        if (m.cpu[i] != cpus[i])
            bad++;
    }
    check(rc == NK_RSS_OK && !bad && distinct == 64,
          "rss: 80 CPUs over 64 queues: all 64 queues used, CPUs kept (%u distinct)", distinct);
    unsigned hit[64] = {0};
    for (uint32_t h = 0; h < 128 * 64; h++)
        hit[nk_rss_queue(&m, h * 2654435761u)]++;
    unsigned empty = 0;
    for (int q = 0; q < 64; q++)
        empty += hit[q] == 0;
    check(empty == 0, "rss: hashes spread over all 64 queues (%u empty)", empty);
    rc = make_map(&m, NK_RSS_HASH_IPV4, 128, 128);
    check(rc == NK_RSS_OK && m.queue[127] == 127 && nk_rss_queue(&m, 127) == 127,
          "rss: 128 queues accepted");
}

/* struct virtio_net_rss_config and hash reports. */
static void virtio_form(void)
{
    struct nk_rss_map m;
    uint8_t out[512];
    make_map(&m, NK_RSS_HASH_IPV4 | NK_RSS_HASH_TCP_IPV4 | NK_RSS_HASH_TCP_IPV6_EX, 4, 4);
    size_t n = nk_rss_virtio_config(&m, 4, 128, 40, 0x1FF, out, sizeof(out));
    uint32_t types = (uint32_t)(out[0] | out[1] << 8 | out[2] << 16 | (uint32_t)out[3] << 24);
    check(n == 4 + 2 + 2 + 256 + 2 + 1 + 40, "rss: virtio config is %zu bytes for 128 entries", n);
    check(types == (VIRTIO_NET_RSS_HASH_TYPE_IPv4 | VIRTIO_NET_RSS_HASH_TYPE_TCPv4 |
                    VIRTIO_NET_RSS_HASH_TYPE_TCP_EX),
          "rss: virtio hash types 0x%x", types);
    check(out[4] == 127 && out[5] == 0 && out[8 + 2 * 5] == m.queue[5] && out[264] == 4 &&
              out[266] == 40 && !memcmp(out + 267, key, 40),
          "rss: virtio mask, table, max_tx_vq, key in place");
    check(nk_rss_virtio_config(&m, 4, 64, 40, 0x1FF, out, sizeof(out)) == 0,
          "rss: a device table of 64 cannot take 128 entries");
    check(nk_rss_virtio_config(&m, 4, 128, 40, 0x3, out, sizeof(out)) == 0,
          "rss: types the device does not support are refused");
    check(nk_rss_virtio_config(&m, 4, 128, 40, 0x1FF, out, 100) == 0,
          "rss: a short output buffer is refused");
    n = nk_rss_virtio_hash_config(&m, 40, 0x1FF, out, sizeof(out));
    check(n == 53 && out[0] == 0x83 && out[1] == 0 && out[4] == 0 && out[11] == 0 &&
              out[12] == 40 && !memcmp(out + 13, key, 40),
          "rss: virtio hash config: types, reserved zero, key (%zu bytes)", n);
    check(nk_rss_virtio_hash_config(&m, 39, 0x1FF, out, sizeof(out)) == 0,
          "rss: a device key of 39 bytes cannot take the hash config");
    check(nk_rss_from_report(VIRTIO_NET_HASH_REPORT_TCPv6_EX) == NK_RSS_HASH_TCP_IPV6_EX &&
              nk_rss_from_report(VIRTIO_NET_HASH_REPORT_UDPv4) == NK_RSS_HASH_UDP_IPV4 &&
              nk_rss_from_report(10) == 0 && nk_rss_from_report(0xFFFF) == 0,
          "rss: hash reports map to NDIS types; unknown ones to none");
    uint32_t t = 1;
    check(nk_rss_report(10, 0xFFFF00, &t) == -1 && t == 0 &&
              nk_rss_report(0xFFFF, 0xFFFF00, &t) == -1,
          "rss: hash reports 10 and 0xFFFF out of range");
    check(nk_rss_report(VIRTIO_NET_HASH_REPORT_TCPv4, NK_RSS_HASH_TCP_IPV4, &t) == 0 &&
              t == NK_RSS_HASH_TCP_IPV4 &&
              nk_rss_report(VIRTIO_NET_HASH_REPORT_TCPv4, NK_RSS_HASH_IPV4, &t) == 0 && t == 0 &&
              nk_rss_report(VIRTIO_NET_HASH_REPORT_NONE, 0xFFFF00, &t) == 0 && t == 0,
          "rss: a report of a type not enabled (or NONE) gives no type");
    check(nk_rss_types_within(NK_RSS_HASH_IPV4 | NK_RSS_HASH_TCP_IPV4 | NK_RSS_HASH_UDP_IPV6,
                              VIRTIO_NET_RSS_HASH_TYPE_IPv4 | VIRTIO_NET_RSS_HASH_TYPE_UDPv6) ==
              (NK_RSS_HASH_IPV4 | NK_RSS_HASH_UDP_IPV6),
          "rss: only the types the device hashes are sent to it");
}

/* Entries bound to the pair whose DPC runs on their processor. */
static void cpu_binding(void)
{
    struct nk_rss_map m;
    uint16_t cpus[8] = {3, 3, 0, 1, 5, 2, 7, 6};
    int rc = nk_rss_configure(&m, NK_RSS_FUNC_TOEPLITZ | NK_RSS_HASH_IPV4, key, 40, cpus, 8, 4);
    nk_rss_queues_by_cpu(&m, 4);
    bool ok = rc == NK_RSS_OK;
    for (int i = 0; i < 8; i++)
        ok &= m.queue[i] == cpus[i] % 4 && m.cpu[i] == cpus[i];
    check(ok && m.default_queue == 3, "rss: entries on processor k go to pair k (mod 4 pairs)");
    nk_rss_queues_by_cpu(&m, 0);
    check(m.nqueues == 4 && m.queue[0] == 3, "rss: 0 pairs leaves the map as it was");
}

/* Every nk_rss test. */
void test_rss(void)
{
    nku_hex(k_key, key, sizeof(key));
    direct_vectors();
    frame_vectors();
    ex_types();
    configure_checks();
    many_queues();
    virtio_form();
    cpu_binding();
}
