/*
 * test_tx.c - transmit: frames out intact, every offloaded checksum
 * completed and verified with the test's own code, GSO segments with the
 * right headers, and the transmit rules a broken driver trips.
 */
#include "net_test.h"

static uint8_t fr[70000], hdr[20];

#define TXF (NF(CSUM) | NF(HOST_TSO4) | NF(HOST_TSO6) | NF(HOST_USO) | NF(HOST_UFO) | NF(MTU))

/* Frames of 60..1514 bytes (split and one-descriptor layouts) leave unchanged. */
NT(tx_plain_sizes, TXF, 0, 1, false)
{
    static const uint32_t sizes[] = {60, 61, 128, 1000, 1514};
    for (unsigned i = 0; i < 5; i++) {
        struct fspec s = {
            .vlan = -1, .ipver = 4, .proto = 17, .sport = 1, .dport = 2, .payload = sizes[i] - 42};
        uint32_t len = frame_build(fr, &s, NULL, NULL);
        frame_csum_full(fr, len);
        net_hdr(hdr, 0, 0, 0, 0, 0, 0);
        CHECK_EQ(nrig_send(r, 0, hdr, fr, len, i & 1), 0);
        struct vmodel_net_frame f;
        CHECK(vmodel_net_wire_take(r->n, &f));
        CHECK_EQ(f.len, len);
        CHECK(memcmp(f.data, fr, len) == 0);
        CHECK(frame_csum_ok(f.data, f.len));
    }
    CHECK_EQ(vmodel_net_stats(r->n)->rule_errors, 0);
}

/* NEEDS_CSUM over IPv4/TCP, IPv6/UDP and a VLAN-tagged IPv4/UDP frame: the wire frame's
 * checksum is right. */
NT(tx_csum_offload, TXF, NF(CSUM), 1, false)
{
    struct fspec specs[] = {
        {.vlan = -1, .ipver = 4, .proto = 6, .sport = 80, .dport = 9000, .payload = 999},
        {.vlan = -1, .ipver = 6, .proto = 17, .sport = 53, .dport = 5353, .payload = 77},
        {.vlan = 7, .ipver = 4, .proto = 17, .sport = 1, .dport = 2, .payload = 1},
    };
    for (unsigned i = 0; i < 3; i++) {
        uint32_t l4, len = frame_build(fr, &specs[i], NULL, &l4);
        frame_csum_seed(fr, len);
        CHECK(!frame_csum_ok(fr, len));
        net_hdr(hdr, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, (uint16_t)l4,
                specs[i].proto == 6 ? 16 : 6);
        CHECK_EQ(nrig_send(r, 0, hdr, fr, len, false), 0);
        struct vmodel_net_frame f;
        CHECK(vmodel_net_wire_take(r->n, &f));
        CHECK_EQ(f.len, len);
        CHECK(frame_csum_ok(f.data, f.len));
    }
    CHECK_EQ(vmodel_net_stats(r->n)->tx_csum, 3);
    CHECK_EQ(vmodel_net_stats(r->n)->rule_errors, 0);
}

/* A driver that asks for NEEDS_CSUM without seeding the pseudo-header sum (planted):
 * the model names it. */
NT(tx_csum_unseeded_is_named, TXF, NF(CSUM), 1, false)
{
    struct fspec s = {.vlan = -1, .ipver = 4, .proto = 6, .sport = 1, .dport = 2, .payload = 100};
    uint32_t l4, len = frame_build(fr, &s, NULL, &l4);
    net_hdr(hdr, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, (uint16_t)l4, 16);
    CHECK_EQ(nrig_send(r, 0, hdr, fr, len, false), 0);
    CHECK(net_rule_is(r, "csum-pseudo-header"));
    struct vmodel_net_frame f;
    CHECK(vmodel_net_wire_take(r->n, &f));
    CHECK(!frame_csum_ok(f.data, f.len));
}

/* Segments of a GSO send: count, sizes, IP ids, sequence numbers, flags, checksums, and
 * the payload back in order. */
static void check_segments(struct nrig *r, const uint8_t *orig, uint32_t l4, uint32_t hl,
                           uint32_t payload, uint16_t mss, int proto)
{
    uint32_t want = (payload + mss - 1) / mss, at = 0;
    uint32_t seq0 = (uint32_t)orig[l4 + 4] << 24 | (uint32_t)orig[l4 + 5] << 16 |
                    (uint32_t)orig[l4 + 6] << 8 | orig[l4 + 7];
    for (uint32_t i = 0; i < want; i++) {
        struct vmodel_net_frame f;
        CHECK(vmodel_net_wire_take(r->n, &f));
        uint32_t n = payload - at < mss ? payload - at : mss;
        CHECK_EQ(f.segment, i);
        CHECK_EQ(f.of, want);
        CHECK_EQ(f.len, hl + n);
        CHECK(frame_csum_ok(f.data, f.len));
        CHECK(memcmp(f.data + hl, orig + hl + at, n) == 0);
        if (proto == 6) {
            uint32_t seq = (uint32_t)f.data[l4 + 4] << 24 | (uint32_t)f.data[l4 + 5] << 16 |
                           (uint32_t)f.data[l4 + 6] << 8 | f.data[l4 + 7];
            CHECK_EQ(seq, seq0 + at);
            CHECK_EQ(f.data[l4 + 13] & 0x09, i + 1 == want ? (orig[l4 + 13] & 0x09) : 0);
        }
        at += n;
    }
    struct vmodel_net_frame f;
    CHECK(!vmodel_net_wire_take(r->n, &f));
}

NT(tx_tso4_segments, TXF, NF(CSUM) | NF(HOST_TSO4), 1, false)
{
    struct fspec s = {.vlan = -1,
                      .ipver = 4,
                      .proto = 6,
                      .sport = 1,
                      .dport = 2,
                      .seq = 1000,
                      .tcp_flags = 0x19,
                      .payload = 10000};
    uint32_t l4, len = frame_build(fr, &s, NULL, &l4);
    frame_csum_seed(fr, len);
    net_hdr(hdr, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, (uint16_t)(l4 + 20), 1448,
            (uint16_t)l4, 16);
    CHECK_EQ(nrig_send(r, 0, hdr, fr, len, true), 0);
    check_segments(r, fr, l4, l4 + 20, 10000, 1448, 6);
    CHECK_EQ(vmodel_net_stats(r->n)->tx_frames, 7);
}

NT(tx_tso6_64k, TXF, NF(CSUM) | NF(HOST_TSO6), 1, true)
{
    struct fspec s = {
        .vlan = -1, .ipver = 6, .proto = 6, .sport = 1, .dport = 2, .seq = 7, .payload = 65000};
    uint32_t l4, len = frame_build(fr, &s, NULL, &l4);
    frame_csum_seed(fr, len);
    net_hdr(hdr, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV6, (uint16_t)(l4 + 20), 1440,
            (uint16_t)l4, 16);
    CHECK_EQ(nrig_send(r, 0, hdr, fr, len, false), 0);
    check_segments(r, fr, l4, l4 + 20, 65000, 1440, 6);
}

NT(tx_uso_segments, TXF, NF(CSUM) | NF(HOST_USO), 1, false)
{
    struct fspec s = {.vlan = 3, .ipver = 4, .proto = 17, .sport = 1, .dport = 2, .payload = 5000};
    uint32_t l4, len = frame_build(fr, &s, NULL, &l4);
    frame_csum_seed(fr, len);
    net_hdr(hdr, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_UDP_L4, (uint16_t)(l4 + 8), 1400,
            (uint16_t)l4, 6);
    CHECK_EQ(nrig_send(r, 0, hdr, fr, len, false), 0);
    check_segments(r, fr, l4, l4 + 8, 5000, 1400, 17);
}

/* UFO: IPv4 fragments whose payloads put back together are the datagram. */
NT(tx_ufo_fragments, TXF, NF(CSUM) | NF(HOST_UFO), 1, false)
{
    struct fspec s = {.vlan = -1, .ipver = 4, .proto = 17, .sport = 1, .dport = 2, .payload = 4000};
    uint32_t l3, l4, len = frame_build(fr, &s, &l3, &l4);
    frame_csum_seed(fr, len);
    net_hdr(hdr, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_UDP, 0, 1480, (uint16_t)l4, 6);
    CHECK_EQ(nrig_send(r, 0, hdr, fr, len, false), 0);
    uint32_t at = 0;
    for (unsigned i = 0; i < 3; i++) {
        struct vmodel_net_frame f;
        CHECK(vmodel_net_wire_take(r->n, &f));
        uint32_t fo = ((uint32_t)(f.data[l3 + 6] & 0x1f) << 8 | f.data[l3 + 7]) * 8;
        CHECK_EQ(fo, at);
        CHECK_EQ((f.data[l3 + 6] & 0x20) != 0, i < 2);
        memcpy(fr + l4 + at, f.data + l4, f.len - l4); /* same bytes back in place */
        at += f.len - l4;
    }
    CHECK_EQ(at, 4008);
    CHECK(frame_csum_ok(fr, len)); /* the reassembled datagram's checksum */
}

/* Planted bad drivers: each broken send is named and never reaches the wire. */
struct tx_bad {
    const char *rule;
    uint8_t flags, gso;
    uint16_t gso_size, start, off;
    uint32_t payload;
};

NT(tx_rules_named, NF(CSUM) | NF(HOST_TSO4) | NF(MTU), NF(CSUM) | NF(MTU), 1, false)
{
    const struct tx_bad bad[] = {
        {"gso-without-feature", VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 1448, 34, 16,
         3000},
        {"gso-without-feature", VIRTIO_NET_HDR_F_NEEDS_CSUM, 9, 1448, 34, 16, 100},
        {"csum-out-of-range", VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 34, 200, 100},
        {"tx-flags", VIRTIO_NET_HDR_F_DATA_VALID, 0, 0, 0, 0, 100},
        {"tx-over-mtu", 0, 0, 0, 0, 0, 1500},
        {"gso-ecn-alone", 0, VIRTIO_NET_HDR_GSO_ECN, 0, 0, 0, 10},
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct fspec s = {
            .vlan = -1, .ipver = 4, .proto = 6, .sport = 1, .dport = 2, .payload = bad[i].payload};
        uint32_t len = frame_build(fr, &s, NULL, NULL);
        net_hdr(hdr, bad[i].flags, bad[i].gso, 0, bad[i].gso_size, bad[i].start, bad[i].off);
        uint64_t before = vmodel_net_stats(r->n)->rule_errors;
        CHECK_EQ(nrig_send(r, 0, hdr, fr, len, false), 0);
        if (!net_rule_is(r, bad[i].rule))
            fprintf(stderr, "  case %u: %s\n", i, vmodel_net_stats(r->n)->last_rule);
        CHECK(net_rule_is(r, bad[i].rule));
        CHECK_EQ(vmodel_net_stats(r->n)->rule_errors, before + 1);
        struct vmodel_net_frame f;
        CHECK(!vmodel_net_wire_take(r->n, &f));
    }
}

/* Without HOST_TSO4 negotiated, and without CSUM: named; GSO without NEEDS_CSUM too. */
NT(tx_rules_features, NF(CSUM) | NF(HOST_TSO4), NF(HOST_TSO4), 1, false)
{
    struct fspec s = {.vlan = -1, .ipver = 4, .proto = 6, .sport = 1, .dport = 2, .payload = 3000};
    uint32_t l4, len = frame_build(fr, &s, NULL, &l4);
    net_hdr(hdr, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, (uint16_t)l4, 16);
    CHECK_EQ(nrig_send(r, 0, hdr, fr, len, false), 0);
    CHECK(net_rule_is(r, "csum-without-feature"));
    net_hdr(hdr, 0, VIRTIO_NET_HDR_GSO_TCPV4, 0, 1448, 0, 0);
    CHECK_EQ(nrig_send(r, 0, hdr, fr, len, false), 0);
    CHECK(net_rule_is(r, "gso-without-csum"));
    CHECK_EQ(vmodel_net_stats(r->n)->tx_frames, 0);
}

/* A header shorter than negotiated, and a GSO type on a frame of another protocol. */
NT(tx_rules_shapes, TXF, NF(CSUM) | NF(HOST_TSO6), 1, false)
{
    struct fspec s = {.vlan = -1, .ipver = 4, .proto = 6, .sport = 1, .dport = 2, .payload = 3000};
    uint32_t l4, len = frame_build(fr, &s, NULL, &l4);
    net_hdr(hdr, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV6, 0, 1448, (uint16_t)l4, 16);
    CHECK_EQ(nrig_send(r, 0, hdr, fr, len, false), 0);
    CHECK(net_rule_is(r, "gso-headers"));
    net_hdr(hdr, 0, 0, 0, 0, 0, 0);
    CHECK_EQ(nrig_send(r, 0, hdr, fr, 0, false), 0);
    CHECK(net_rule_is(r, "tx-runt"));
}

/* Link down (STATUS): sends are dropped and counted; the change raised a config interrupt. */
NT(tx_link_down, NF(STATUS), NF(STATUS), 1, false)
{
    unsigned irqs = r->b.irqs;
    vmodel_net_set_link(r->n, false);
    CHECK(r->b.irqs > irqs);
    uint8_t cfg[8];
    vmodel_get_device_cfg(r->b.m, 0, cfg, 8);
    CHECK_EQ(cfg[6] & VIRTIO_NET_S_LINK_UP, 0);
    struct fspec s = {.vlan = -1, .ipver = 4, .proto = 17, .sport = 1, .dport = 2, .payload = 10};
    uint32_t len = frame_build(fr, &s, NULL, NULL);
    net_hdr(hdr, 0, 0, 0, 0, 0, 0);
    CHECK_EQ(nrig_send(r, 0, hdr, fr, len, false), 0);
    CHECK_EQ(vmodel_net_stats(r->n)->tx_dropped_link, 1);
    vmodel_net_set_link(r->n, true);
    CHECK_EQ(nrig_send(r, 0, hdr, fr, len, false), 0);
    struct vmodel_net_frame f;
    CHECK(vmodel_net_wire_take(r->n, &f));
    CHECK_EQ(vmodel_net_stats(r->n)->config_irqs, 2);
}

const struct vtest net_tx_tests[] = {
    {"tx_plain_sizes", tx_plain_sizes},
    {"tx_csum_offload", tx_csum_offload},
    {"tx_csum_unseeded_is_named", tx_csum_unseeded_is_named},
    {"tx_tso4_segments", tx_tso4_segments},
    {"tx_tso6_64k", tx_tso6_64k},
    {"tx_uso_segments", tx_uso_segments},
    {"tx_ufo_fragments", tx_ufo_fragments},
    {"tx_rules_named", tx_rules_named},
    {"tx_rules_features", tx_rules_features},
    {"tx_rules_shapes", tx_rules_shapes},
    {"tx_link_down", tx_link_down},
    {NULL, NULL},
};
