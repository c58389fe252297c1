/* nk_csum tests: the byte view and its sum at every split; parsing of VLAN,
 * IPv4 options, IPv6 extension headers; hostile lengths (each truncation of
 * a good frame, lying length fields, endless extension chains) on exactly
 * sized heap buffers so ASan sees any over-read; TX plans finished the way
 * the device would and checked by the reference checksum; RX verdicts. */
#include <stdlib.h>
#include <string.h>

#include "nku.h"

/* Stores a big-endian 16-bit value. */
static void be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* A spec with addresses filled in. */
static struct nku_frame_spec spec(bool v6, uint8_t proto, uint16_t payload)
{
    struct nku_frame_spec s = {.v6 = v6,
                               .proto = proto,
                               .sport = 40000,
                               .dport = 80,
                               .payload = payload,
                               .good_csums = true};
    for (int i = 0; i < 16; i++)
        s.src[i] = (uint8_t)(0x10 + i), s.dst[i] = (uint8_t)(0x90 + i);
    if (!v6) {
        nku_ip4("192.168.1.2", s.src);
        nku_ip4("10.0.0.7", s.dst);
    }
    return s;
}

/* Parses len bytes copied to an exactly sized heap buffer, in chunk pieces. */
static int parse_exact(const uint8_t *frame, size_t len, size_t chunk, struct nk_pkt *pkt)
{
    uint8_t *copy = malloc(len ? len : 1);
    struct nk_seg segs[128];
    struct nk_view v;
    memcpy(copy, frame, len);
    nku_split(&v, segs, 128, copy, len, chunk ? chunk : 1);
    int st = nk_parse(&v, pkt);
    free(copy);
    return st;
}

/* nk_view_copy and nk_view_sum agree with the contiguous reference at every split. */
static void view_tests(void)
{
    uint8_t buf[301];
    struct nk_seg segs[301];
    struct nk_view v;
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 37 + 11);
    unsigned bad = 0;
    for (size_t chunk = 1; chunk <= 17; chunk++) {
        nku_split(&v, segs, 301, buf, sizeof(buf), chunk);
        for (size_t off = 0; off < 40; off++) {
            uint32_t s = 0;
            uint8_t out[200];
            if (!nk_view_sum(&v, off, 200, &s) || nk_csum_fold(s) != nku_sum16(buf + off, 200, 0))
                bad++;
            if (!nk_view_copy(&v, off, out, 200) || memcmp(out, buf + off, 200))
                bad++;
        }
        uint8_t one;
        uint32_t s = 0;
        if (nk_view_copy(&v, 300, &one, 2) || nk_view_sum(&v, 301, 1, &s) ||
            nk_view_copy(&v, SIZE_MAX, &one, 1))
            bad++;
    }
    check(!bad, "csum: view copy and sum match the reference at 17 split sizes x 40 offsets");
}

/* Well-formed frames parse to the right offsets. */
static void parse_good(void)
{
    uint8_t f[512];
    struct nk_pkt p;
    struct nku_frame_spec s = spec(false, 6, 100);
    s.vlan = true;
    s.tci = 0xA00C;
    s.ip_opts = 12;
    s.tcp_opts = 12;
    size_t n = nku_build(&s, f, sizeof(f));
    int st = parse_exact(f, n, 3, &p);
    check(st == NK_PARSE_OK && p.vlan && p.vlan_tci == 0xA00C && p.l2_len == 18 &&
              p.l3 == NK_L3_IPV4 && p.l3_hlen == 32 && p.l4 == NK_L4_TCP && p.l4_off == 50 &&
              p.l4_hlen == 32 && p.sport == 40000 && p.dport == 80 && p.l3_end == n,
          "csum: VLAN + IPv4 with options + TCP with options parse (status %d)", st);
    s = spec(true, 17, 33);
    s.v6_ext = true;
    n = nku_build(&s, f, sizeof(f));
    st = parse_exact(f, n, 7, &p);
    check(st == NK_PARSE_OK && p.l3 == NK_L3_IPV6 && p.l3_hlen == 40 + 56 && p.ipv6_ext &&
              p.l4 == NK_L4_UDP && p.l4_off == 14 + 96 && p.l4_hlen == 8,
          "csum: IPv6 + 3 extension headers + UDP parse (status %d)", st);
    memcpy(f + 12, "\x08\x06", 2);
    check(parse_exact(f, 60, 60, &p) == NK_PARSE_NOT_IP && p.l3 == NK_L3_NONE,
          "csum: ARP is L2 only");
    s = spec(false, 6, 64);
    s.frag_off = 3;
    n = nku_build(&s, f, sizeof(f));
    check(parse_exact(f, n, 5, &p) == NK_PARSE_OK && p.fragment && !p.first_fragment &&
              p.l4 == NK_L4_NONE,
          "csum: a later IPv4 fragment has no L4");
}

/* Every truncation, and lying lengths: a status, never an over-read. */
static void parse_hostile(void)
{
    uint8_t f[512];
    struct nk_pkt p;
    struct nku_frame_spec specs[] = {spec(false, 6, 20), spec(true, 6, 20), spec(true, 17, 9)};
    specs[0].ip_opts = 8;
    specs[1].v6_ext = true;
    specs[2].vlan = true;
    unsigned bad = 0, tried = 0;
    for (size_t k = 0; k < 3; k++) {
        size_t n = nku_build(&specs[k], f, sizeof(f));
        for (size_t cut = 0; cut < n; cut++) {
            for (size_t chunk = 1; chunk <= 9; chunk += 4) {
                int st = parse_exact(f, cut, chunk, &p);
                tried++;
                /* Shorter than the datagram: never OK with L4 parsed beyond the cut. */
                if (st == NK_PARSE_OK && (p.l3_end > cut || p.l4_off + p.l4_hlen > cut))
                    bad++;
                if (cut >= 14 && st == NK_PARSE_OK)
                    bad++;
            }
        }
    }
    check(!bad, "csum: %u truncations of good frames: none accepted", tried);

    struct nku_frame_spec s = spec(false, 6, 20);
    size_t n = nku_build(&s, f, sizeof(f));
    f[14] = 0x44; /* IHL 4 */
    check(parse_exact(f, n, 4, &p) == NK_PARSE_BAD_L3 && p.l3 == NK_L3_NONE, "csum: IHL 4 refused");
    f[14] = 0x4F; /* IHL 15 = 60 bytes: runs into TCP, total length still fits */
    int st = parse_exact(f, 20 + 14, 4, &p);
    check(st == NK_PARSE_SHORT, "csum: IHL beyond the frame is short (%d)", st);
    n = nku_build(&s, f, sizeof(f));
    be16(f + 16, 19);
    check(parse_exact(f, n, 4, &p) == NK_PARSE_BAD_L3, "csum: total length below IHL refused");
    be16(f + 16, (uint16_t)(n - 14 + 1));
    st = parse_exact(f, n, 4, &p);
    check(st == NK_PARSE_TRUNCATED_L3 && p.l3 == NK_L3_NONE,
          "csum: total length past the frame is truncated (%d)", st);
    n = nku_build(&s, f, sizeof(f));
    f[14 + 20 + 12] = 0x40; /* TCP data offset 4 */
    check(parse_exact(f, n, 4, &p) == NK_PARSE_BAD_L4 && p.l4 == NK_L4_NONE && p.l3 == NK_L3_IPV4,
          "csum: TCP data offset 4 refused, IP part kept");
    f[14 + 20 + 12] = 0xF0; /* 60 bytes: past the datagram */
    check(parse_exact(f, n, 4, &p) == NK_PARSE_SHORT, "csum: TCP header past the datagram");
    s = spec(false, 17, 20);
    n = nku_build(&s, f, sizeof(f));
    be16(f + 14 + 20 + 4, 7);
    check(parse_exact(f, n, 4, &p) == NK_PARSE_BAD_L4, "csum: UDP length 7 refused");
    be16(f + 14 + 20 + 4, 200);
    check(parse_exact(f, n, 4, &p) == NK_PARSE_BAD_L4, "csum: UDP length past the datagram");

    /* IPv6: nine hop-by-hop headers; an extension header longer than the datagram. */
    s = spec(true, 59, 0);
    n = nku_build(&s, f, sizeof(f));
    f[14 + 6] = 0;
    for (int i = 0; i < 9; i++) {
        memset(f + 54 + 8 * i, 0, 8);
        f[54 + 8 * i] = i < 8 ? 0 : 59;
        f[54 + 8 * i + 2] = 1;
        f[54 + 8 * i + 3] = 4;
    }
    be16(f + 18, 72);
    st = parse_exact(f, 54 + 72, 5, &p);
    check(st == NK_PARSE_BAD_EXT, "csum: nine extension headers refused (%d)", st);
    f[54 + 1] = 200; /* first header claims 1608 bytes */
    st = parse_exact(f, 54 + 72, 5, &p);
    check(st == NK_PARSE_BAD_EXT, "csum: an extension header past the datagram refused (%d)", st);
    s = spec(true, 6, 10);
    n = nku_build(&s, f, sizeof(f));
    be16(f + 18, 0xFFFF);
    check(parse_exact(f, n, 5, &p) == NK_PARSE_TRUNCATED_L3, "csum: IPv6 payload length lies");
}

/* Finishes a planned NEEDS_CSUM the way the device would (csum_start to the end). */
static void device_finish(uint8_t *f, size_t len, const struct nk_tx_plan *plan)
{
    nk_tx_apply(plan, f, plan->hdr_copy);
    if (plan->vhdr.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
        size_t at = plan->vhdr.csum_start + plan->vhdr.csum_offset;
        uint16_t c =
            (uint16_t)~nku_sum16(f + plan->vhdr.csum_start, len - plan->vhdr.csum_start, 0);
        f[at] = (uint8_t)(c >> 8), f[at + 1] = (uint8_t)c;
    }
}

/* Plans a request over frame f (split in 6-byte pieces); returns the status. */
static int plan_for(uint8_t *f, size_t len, const struct nk_tx_request *req,
                    struct nk_tx_plan *plan, struct nk_pkt *p)
{
    struct nk_seg segs[128];
    struct nk_view v;
    nku_split(&v, segs, 128, f, len, 6);
    nk_parse(&v, p);
    return nk_tx_prepare(&v, p, req, plan);
}

/* TX plans: finished like the device, they give correct checksums. */
static void tx_tests(void)
{
    uint8_t f[70000];
    struct nk_tx_plan plan;
    struct nk_pkt p;
    struct {
        bool v6, vlan;
        uint8_t proto;
        uint16_t payload, pad;
        uint8_t ip_opts;
        const char *what;
    } cases[] = {
        {false, false, 6, 1000, 0, 0, "IPv4/TCP"},
        {false, true, 17, 333, 0, 8, "VLAN IPv4 with options/UDP"},
        {true, false, 6, 1400, 0, 0, "IPv6/TCP"},
        {true, true, 17, 1, 0, 0, "VLAN IPv6/UDP"},
        {false, false, 6, 3, 17, 0, "IPv4/TCP with 17 bytes of padding"},
        {true, false, 17, 2, 9, 0, "IPv6/UDP with 9 bytes of padding"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct nku_frame_spec s = spec(cases[i].v6, cases[i].proto, cases[i].payload);
        s.vlan = cases[i].vlan;
        s.pad = cases[i].pad;
        s.ip_opts = cases[i].ip_opts;
        s.good_csums = false; /* the stack leaves them to us */
        size_t n = nku_build(&s, f, sizeof(f));
        struct nk_tx_request req = {.ip4_csum = !cases[i].v6,
                                    .tcp_csum = cases[i].proto == 6,
                                    .udp_csum = cases[i].proto == 17};
        int rc = plan_for(f, n, &req, &plan, &p);
        bool needs = plan.vhdr.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM;
        device_finish(f, n, &plan);
        bool ip_ok = cases[i].v6 || nku_ipv4_ok(f, p.l3_off);
        check(rc == NK_TX_OK && ip_ok && nku_l4_ok(f, n, cases[i].vlan) && needs == !cases[i].pad &&
                  plan.vhdr.gso_type == 0,
              "csum: TX %s: checksums right once the device finishes (%s)", cases[i].what,
              needs ? "NEEDS_CSUM" : "done in software");
    }

    /* LSOv2 IPv4: total length 0, MSS 1448 over 64000 bytes. */
    struct nku_frame_spec s = spec(false, 6, 64000);
    s.zero_ip_len = true;
    s.good_csums = false;
    size_t n = nku_build(&s, f, sizeof(f));
    struct nk_tx_request req = {
        .tcp_csum = true, .ip4_csum = true, .lso_mss = 1448, .l4_off_hint = 34};
    int rc = plan_for(f, n, &req, &plan, &p);
    device_finish(f, n, &plan);
    check(rc == NK_TX_OK && plan.vhdr.gso_type == VIRTIO_NET_HDR_GSO_TCPV4 &&
              plan.vhdr.gso_size == 1448 && plan.vhdr.hdr_len == 54 && plan.vhdr.csum_start == 34 &&
              plan.vhdr.csum_offset == 16 && plan.hdr_copy == 54,
          "csum: LSOv2 IPv4: GSO TCPV4, MSS 1448, header 54 bytes");
    check((size_t)(f[16] * 256 + f[17]) == n - 14 && nku_ipv4_ok(f, 14) && nku_l4_ok(f, n, false),
          "csum: LSOv2 IPv4: total length filled in, IP header and TCP seed consistent");
    s = spec(true, 6, 30000);
    s.zero_ip_len = true;
    s.good_csums = false;
    s.v6_ext = true;
    n = nku_build(&s, f, sizeof(f));
    req = (struct nk_tx_request){.tcp_csum = true, .lso_mss = 1220};
    rc = plan_for(f, n, &req, &plan, &p);
    device_finish(f, n, &plan);
    check(rc == NK_TX_OK && plan.vhdr.gso_type == VIRTIO_NET_HDR_GSO_TCPV6 &&
              (size_t)(f[18] * 256 + f[19]) == n - 54 && nku_l4_ok(f, n, false),
          "csum: LSOv2 IPv6 with extension headers: payload length and seed right");
    s = spec(false, 17, 8000);
    s.good_csums = false;
    n = nku_build(&s, f, sizeof(f));
    req = (struct nk_tx_request){.udp_csum = true, .uso_mss = 1000};
    rc = plan_for(f, n, &req, &plan, &p);
    device_finish(f, n, &plan);
    check(rc == NK_TX_OK && plan.vhdr.gso_type == VIRTIO_NET_HDR_GSO_UDP_L4 &&
              plan.vhdr.gso_size == 1000 && nku_l4_ok(f, n, false),
          "csum: USO IPv4: GSO UDP_L4, MSS 1000");
    s = spec(false, 6, 500);
    n = nku_build(&s, f, sizeof(f));
    req = (struct nk_tx_request){.tcp_csum = true, .lso_mss = 1448};
    rc = plan_for(f, n, &req, &plan, &p);
    check(rc == NK_TX_OK && plan.vhdr.gso_type == 0 &&
              (plan.vhdr.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM),
          "csum: LSO of one segment goes as plain checksum offload");

    /* Requests that do not fit the frame. */
    struct {
        bool v6;
        uint8_t proto;
        uint16_t frag;
        struct nk_tx_request req;
        int want;
        const char *what;
    } bad[] = {
        {false, 17, 0, {.tcp_csum = true}, NK_TX_MISMATCH, "TCP checksum on UDP"},
        {true, 6, 0, {.ip4_csum = true}, NK_TX_MISMATCH, "IPv4 checksum on IPv6"},
        {false, 6, 0, {.tcp_csum = true, .l4_off_hint = 38}, NK_TX_MISMATCH, "wrong TCP offset"},
        {false, 6, 5, {.tcp_csum = true}, NK_TX_FRAGMENT, "TCP checksum on a fragment"},
        {false, 6, 0, {.lso_mss = 70000}, NK_TX_BAD_MSS, "MSS 70000"},
        {false, 59, 0, {.udp_csum = true}, NK_TX_MISMATCH, "UDP checksum on protocol 59"},
        {false, 6, 0, {.tcp_csum = true, .uso_mss = 100}, NK_TX_MISMATCH, "LSO and USO mixed"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        s = spec(bad[i].v6, bad[i].proto, 3000);
        s.frag_off = bad[i].frag;
        n = nku_build(&s, f, sizeof(f));
        rc = plan_for(f, n, &bad[i].req, &plan, &p);
        check(rc == bad[i].want && plan.npatch == 0 && plan.vhdr.flags == 0,
              "csum: TX %s refused (%d)", bad[i].what, rc);
    }
    uint8_t arp[60] = {0};
    arp[12] = 8, arp[13] = 6;
    struct nk_tx_request none = {0};
    rc = plan_for(arp, 60, &none, &plan, &p);
    check(rc == NK_TX_OK && plan.hdr_copy == 0, "csum: no offload asked: empty plan");
    uint8_t small[8];
    check(nk_csum_complete(small, 8, 4, 3) == false, "csum: complete refuses a field past the end");
}

/* RX verdicts and RSC. */
static void rx_tests(void)
{
    uint8_t f[2000];
    struct nk_seg segs[400];
    struct nk_view v;
    struct nk_pkt p;
    struct nk_rx_csum r;
    struct nk_vnet_hdr vh = {0};
    struct nku_frame_spec s = spec(false, 6, 700);
    size_t n = nku_build(&s, f, sizeof(f));
    nku_split(&v, segs, 400, f, n, 5);
    nk_parse(&v, &p);
    nk_rx_csum(&v, &p, &vh, true, &r);
    check(r.ip == NK_CV_OK && r.tcp == NK_CV_OK && r.udp == NK_CV_NONE,
          "csum: RX good IPv4/TCP verified in software");
    f[600] ^= 0x10;
    nk_rx_csum(&v, &p, &vh, true, &r);
    check(r.ip == NK_CV_OK && r.tcp == NK_CV_BAD, "csum: RX payload bit flip fails TCP");
    vh.flags = VIRTIO_NET_HDR_F_DATA_VALID;
    nk_rx_csum(&v, &p, &vh, false, &r);
    check(r.tcp == NK_CV_OK && r.ip == NK_CV_NONE, "csum: RX DATA_VALID: TCP OK from the device");
    vh.flags = 0;
    nk_rx_csum(&v, &p, &vh, false, &r);
    check(r.tcp == NK_CV_NONE, "csum: RX without software verify gives no verdict");
    f[24] ^= 1; /* TTL */
    nk_rx_csum(&v, &p, &vh, true, &r);
    check(r.ip == NK_CV_BAD, "csum: RX IPv4 header bit flip fails IP");

    s = spec(true, 17, 99);
    s.v6_ext = true;
    n = nku_build(&s, f, sizeof(f));
    nku_split(&v, segs, 400, f, n, 3);
    nk_parse(&v, &p);
    nk_rx_csum(&v, &p, NULL, true, &r);
    check(r.udp == NK_CV_OK && r.ip == NK_CV_NONE,
          "csum: RX IPv6/UDP through extension headers (pseudo header from Home Address/RH2)");
    s.good_csums = false;
    n = nku_build(&s, f, sizeof(f));
    nk_parse(&v, &p);
    nk_rx_csum(&v, &p, NULL, true, &r);
    check(r.udp == NK_CV_BAD, "csum: RX IPv6/UDP checksum 0 is bad (RFC 8200)");
    s = spec(false, 17, 99);
    s.good_csums = false;
    s.pad = 0;
    n = nku_build(&s, f, sizeof(f));
    nku_split(&v, segs, 400, f, n, 3);
    nk_parse(&v, &p);
    nk_rx_csum(&v, &p, NULL, true, &r);
    check(r.udp == NK_CV_NONE, "csum: RX IPv4/UDP checksum 0 means none");

    uint16_t segs_n, dups;
    struct nk_vnet_hdr rsc = {.flags = VIRTIO_NET_HDR_F_RSC_INFO,
                              .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
                              .csum_start = 7,
                              .csum_offset = 2};
    nk_rx_rsc(&rsc, &segs_n, &dups);
    check(segs_n == 7 && dups == 2, "csum: RSC_INFO gives 7 coalesced segments, 2 dup ACKs");
    rsc.flags = 0;
    nk_rx_rsc(&rsc, &segs_n, &dups);
    check(segs_n == 0 && dups == 0, "csum: no RSC_INFO: no counts");

    uint8_t wire[20];
    struct nk_vnet_hdr a = {1, 5, 54, 1448, 34, 16, 3, 0xDEADBEEF, 8}, b;
    unsigned bad = 0;
    for (size_t bytes = 10; bytes <= 20; bytes += bytes == 12 ? 8 : 2) {
        nk_vnet_hdr_put(&a, wire, bytes);
        nk_vnet_hdr_get(&b, wire, bytes);
        bad += b.flags != 1 || b.gso_type != 5 || b.hdr_len != 54 || b.gso_size != 1448 ||
               b.csum_start != 34 || b.csum_offset != 16;
        bad += bytes >= 12 ? b.num_buffers != 3 : b.num_buffers != 0;
        bad += bytes == 20 ? b.hash_value != 0xDEADBEEF || b.hash_report != 8 : b.hash_value != 0;
    }
    check(!bad && wire[4] == 0xA8 && wire[5] == 0x05,
          "csum: virtio_net_hdr round trip at 10, 12 and 20 bytes, little-endian");
}

/* Every nk_csum test. */
void test_csum(void)
{
    view_tests();
    parse_good();
    parse_hostile();
    tx_tests();
    rx_tests();
}
