/*
 * test_rx.c - receive: frames of every size into merged, big or small
 * buffers, num_buffers, DATA_VALID and partial checksums, receive
 * coalescing, filters, VLANs, RSS steering and hash reports checked with
 * the test's own Toeplitz and Microsoft's verification vectors, drops
 * counted, hostile headers.
 */
#include "net_test.h"

static uint8_t fr[70000], got[70000], hdr[20];

#define MRG (NF(MRG_RXBUF))

/* Receive one frame of LEN bytes: post enough 4 KiB buffers, inject, reassemble. */
static int roundtrip(struct nrig *r, const uint8_t *f, uint32_t len, unsigned *nbufs)
{
    unsigned need = (len + r->hdr + 4095) / 4096;
    if (nrig_post_rx(r, 0, need, 4096) != 0)
        return -3;
    if (vmodel_net_wire_inject(r->n, f, len, NULL) < 0)
        return -4;
    return nrig_receive(r, 0, hdr, got, sizeof(got), nbufs);
}

static uint32_t udp_frame(uint32_t payload)
{
    struct fspec s = {
        .vlan = -1, .ipver = 4, .proto = 17, .sport = 7, .dport = 9, .payload = payload};
    uint32_t len = frame_build(fr, &s, NULL, NULL);
    frame_csum_full(fr, len);
    return len;
}

static void mrg_sizes(struct nrig *r)
{
    static const uint32_t sizes[] = {60, 1514, 4084, 4085, 9000, 65000};
    for (unsigned i = 0; i < 6; i++) {
        uint32_t len = udp_frame(sizes[i] - 42);
        unsigned nb;
        CHECK_EQ(roundtrip(r, fr, len, &nb), len);
        CHECK_EQ(nb, (len + 12 + 4095) / 4096);
        CHECK(memcmp(got, fr, len) == 0);
    }
    CHECK_EQ(vmodel_net_stats(r->n)->rx_frames, 6);
    CHECK_EQ(vmodel_net_stats(r->n)->rule_errors, 0);
}

/* MRG_RXBUF, split ring: frames of 60 bytes to 64 KB, num_buffers as used. */
NT(rx_mrg_split, MRG, MRG, 1, false)
{
    mrg_sizes(r);
}

/* The same on the packed ring. */
NT(rx_mrg_packed, MRG, MRG, 1, true)
{
    mrg_sizes(r);
}

/* VERSION_1 without MRG_RXBUF: 12-byte header with num_buffers 1; a frame larger than
 * the buffer is dropped and counted, the buffer takes the next one. */
NT(rx_small_buffers, MRG, 0, 1, false)
{
    uint32_t len = udp_frame(1472);
    CHECK_EQ(r->hdr, 12);
    CHECK_EQ(nrig_post_rx(r, 0, 1, 1526), 0);
    uint32_t big = udp_frame(2000);
    CHECK(vmodel_net_wire_inject(r->n, fr, big, NULL) == 0);
    len = udp_frame(1472);
    CHECK(vmodel_net_wire_inject(r->n, fr, len, NULL) == 0);
    unsigned nb;
    CHECK_EQ(nrig_receive(r, 0, hdr, got, sizeof(got), &nb), len);
    CHECK_EQ(hdr[10] | hdr[11] << 8, 1);
    CHECK(memcmp(got, fr, len) == 0);
    CHECK_EQ(vmodel_net_stats(r->n)->rx_dropped_too_big, 1);
}

/* Big buffers (GUEST_TSO4 without MRG_RXBUF, 5.1.6.3.1): a 64 KB frame in one buffer. */
NT(rx_big_buffer, NF(GUEST_TSO4) | NF(GUEST_CSUM), NF(GUEST_TSO4) | NF(GUEST_CSUM), 1, false)
{
    uint32_t len = udp_frame(65000);
    CHECK_EQ(nrig_post_rx_at(r, 0, NRIG_RX_BUF, 65562), 0);
    CHECK(vmodel_net_wire_inject(r->n, fr, len, NULL) == 0);
    unsigned nb;
    CHECK_EQ(nrig_receive(r, 0, hdr, got, sizeof(got), &nb), len);
    CHECK(memcmp(got, fr, len) == 0);
}

static void legacy_edit(struct vmodel_config *mc)
{
    mc->transport = VMODEL_LEGACY;
}

/* Legacy interface without MRG_RXBUF: the 10-byte header, no num_buffers (5.1.6). */
static void rx_legacy_header(void)
{
    struct nrig rig, *r = &rig;
    struct vmodel_net_config nc = net_cfg(NF(MAC) | MRG, 1);
    unsigned hlen = 0, nb = 0;
    int n = -1;
    uint32_t len = udp_frame(100);
    int rc = nrig_init(r, &nc, NF(MAC), false, legacy_edit);
    if (rc == 0) {
        hlen = r->hdr;
        n = roundtrip(r, fr, len, &nb);
    }
    nrig_fini(r);
    CHECK_EQ(rc, 0);
    CHECK_EQ(hlen, VIRTIO_NET_HDR_LEGACY_LEN);
    CHECK_EQ(n, len);
    CHECK(memcmp(got, fr, len) == 0);
}

/* No buffer: the backlog (256) fills, then every frame is dropped and counted; a flush
 * drops the rest, counted. */
NT(rx_drops_counted, MRG, MRG, 1, false)
{
    uint32_t len = udp_frame(100);
    unsigned ok = 0, dropped = 0;
    for (unsigned i = 0; i < 300; i++)
        vmodel_net_wire_inject(r->n, fr, len, NULL) >= 0 ? ok++ : dropped++;
    CHECK_EQ(ok, 256);
    CHECK_EQ(dropped, 44);
    CHECK_EQ(vmodel_net_rx_waiting(r->n, 0), 256);
    CHECK_EQ(nrig_post_rx(r, 0, 6, 4096), 0);
    nrig_step(r);
    CHECK_EQ(vmodel_net_rx_waiting(r->n, 0), 250);
    CHECK_EQ(vmodel_net_rx_flush(r->n), 250);
    CHECK_EQ(vmodel_net_stats(r->n)->rx_dropped_no_buffer, 294);
    CHECK_EQ(vmodel_net_stats(r->n)->rx_frames, 6);
}

/* GUEST_CSUM: DATA_VALID for a correct checksum only, never without the feature. */
NT(rx_data_valid, MRG | NF(GUEST_CSUM), MRG | NF(GUEST_CSUM), 1, false)
{
    struct fspec s = {.vlan = -1, .ipver = 6, .proto = 6, .sport = 1, .dport = 2, .payload = 300};
    uint32_t len = frame_build(fr, &s, NULL, NULL);
    frame_csum_full(fr, len);
    unsigned nb;
    CHECK_EQ(roundtrip(r, fr, len, &nb), len);
    CHECK_EQ(hdr[0], VIRTIO_NET_HDR_F_DATA_VALID);
    fr[len - 1] ^= 0xff;
    CHECK_EQ(roundtrip(r, fr, len, &nb), len);
    CHECK_EQ(hdr[0], 0);
    CHECK_EQ(vmodel_net_stats(r->n)->rx_data_valid, 1);
}

NT(rx_no_data_valid_without_feature, MRG | NF(GUEST_CSUM), MRG, 1, false)
{
    uint32_t len = udp_frame(300);
    unsigned nb;
    CHECK_EQ(roundtrip(r, fr, len, &nb), len);
    CHECK_EQ(hdr[0], 0);
}

/* A partial checksum from a local peer: NEEDS_CSUM with csum_start/offset that a driver
 * completes to a correct checksum; without GUEST_CSUM the device completes it. */
NT(rx_partial_csum, MRG | NF(GUEST_CSUM), MRG | NF(GUEST_CSUM), 1, false)
{
    struct fspec s = {.vlan = -1, .ipver = 4, .proto = 6, .sport = 1, .dport = 2, .payload = 500};
    uint32_t l4, len = frame_build(fr, &s, NULL, &l4);
    frame_csum_full(fr, len);
    struct vmodel_net_rx_opts o = {.queue = -1, .partial_csum = true};
    CHECK_EQ(nrig_post_rx(r, 0, 1, 4096), 0);
    CHECK_EQ(vmodel_net_wire_inject(r->n, fr, len, &o), 0);
    unsigned nb;
    CHECK_EQ(nrig_receive(r, 0, hdr, got, sizeof(got), &nb), len);
    CHECK_EQ(hdr[0], VIRTIO_NET_HDR_F_NEEDS_CSUM);
    uint16_t start = (uint16_t)(hdr[6] | hdr[7] << 8), off = (uint16_t)(hdr[8] | hdr[9] << 8);
    CHECK_EQ(start, l4);
    CHECK_EQ(off, 16);
    CHECK(!frame_csum_ok(got, len));
    uint32_t sum = 0;
    for (uint32_t i = start; i < len; i++)
        sum += (i - start) & 1 ? got[i] : (uint32_t)got[i] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    got[start + off] = (uint8_t)(~sum >> 8);
    got[start + off + 1] = (uint8_t)~sum;
    CHECK(frame_csum_ok(got, len));
}

/* Receive coalescing: with GUEST_TSO4 a 20000-byte TCP frame arrives whole with gso_type
 * and gso_size; without it the device cuts it into MSS-sized segments. */
NT(rx_coalesced_tso4, MRG | NF(GUEST_CSUM) | NF(GUEST_TSO4), MRG | NF(GUEST_CSUM) | NF(GUEST_TSO4),
   1, false)
{
    struct fspec s = {.vlan = -1, .ipver = 4, .proto = 6, .sport = 1, .dport = 2, .payload = 20000};
    uint32_t len = frame_build(fr, &s, NULL, NULL);
    frame_csum_full(fr, len);
    struct vmodel_net_rx_opts o = {
        .queue = -1, .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 1448, .segments = 14};
    CHECK_EQ(nrig_post_rx(r, 0, 6, 4096), 0);
    CHECK_EQ(vmodel_net_wire_inject(r->n, fr, len, &o), 0);
    unsigned nb;
    CHECK_EQ(nrig_receive(r, 0, hdr, got, sizeof(got), &nb), len);
    CHECK_EQ(hdr[1], VIRTIO_NET_HDR_GSO_TCPV4);
    CHECK_EQ(hdr[4] | hdr[5] << 8, 1448);
    CHECK_EQ(hdr[0], VIRTIO_NET_HDR_F_NEEDS_CSUM);
}

NT(rx_coalesced_segmented, MRG | NF(GUEST_TSO4), MRG, 1, false)
{
    struct fspec s = {.vlan = -1, .ipver = 4, .proto = 6, .sport = 1, .dport = 2, .payload = 20000};
    uint32_t len = frame_build(fr, &s, NULL, NULL);
    frame_csum_full(fr, len);
    struct vmodel_net_rx_opts o = {
        .queue = -1, .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 1448};
    CHECK_EQ(nrig_post_rx(r, 0, 14, 4096), 0);
    CHECK_EQ(vmodel_net_wire_inject(r->n, fr, len, &o), 0);
    for (unsigned i = 0; i < 14; i++) {
        unsigned nb;
        int n = nrig_receive(r, 0, hdr, got, sizeof(got), &nb);
        CHECK_EQ(n, i < 13 ? 54 + 1448 : 54 + 20000 - 13 * 1448);
        CHECK_EQ(hdr[1], 0);
        CHECK(frame_csum_ok(got, (uint32_t)n));
    }
}

/* Receive filtering (CTRL_RX, CTRL_RX_EXTRA, MAC table). */
#define CTRLS (NF(CTRL_VQ) | NF(CTRL_RX) | NF(CTRL_RX_EXTRA) | NF(CTRL_VLAN) | MRG)

static int deliver(struct nrig *r, const uint8_t *dst, int vlan)
{
    struct fspec s = {
        .dst = dst, .vlan = vlan, .ipver = 4, .proto = 17, .sport = 1, .dport = 2, .payload = 20};
    uint32_t len = frame_build(fr, &s, NULL, NULL);
    return vmodel_net_wire_inject(r->n, fr, len, NULL);
}

NT(rx_filters, CTRLS, CTRLS, 1, false)
{
    static const uint8_t own[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    static const uint8_t other[6] = {0x52, 0x54, 0x00, 0x99, 0x99, 0x99};
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t mc1[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
    static const uint8_t mc2[6] = {0x33, 0x33, 0x00, 0x00, 0x00, 0x02};
    uint8_t on = 1, off = 0;
    CHECK_EQ(deliver(r, other, -1), 0); /* promiscuous from reset */
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &off, 1), 0);
    CHECK_EQ(deliver(r, own, -1), 0);
    CHECK_EQ(deliver(r, other, -1), -1);
    CHECK_EQ(deliver(r, bcast, -1), 0);
    CHECK_EQ(deliver(r, mc1, -1), -1);
    uint8_t table[4 + 4 + 6] = {0, 0, 0, 0, 1, 0, 0, 0};
    memcpy(table + 8, mc1, 6);
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, table, 14), 0);
    CHECK_EQ(deliver(r, mc1, -1), 0);
    CHECK_EQ(deliver(r, mc2, -1), -1);
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_ALLMULTI, &on, 1), 0);
    CHECK_EQ(deliver(r, mc2, -1), 0);
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_NOMULTI, &on, 1), 0);
    CHECK_EQ(deliver(r, mc1, -1), -1);
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_NOBCAST, &on, 1), 0);
    CHECK_EQ(deliver(r, bcast, -1), -1);
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_ALLUNI, &on, 1), 0);
    CHECK_EQ(deliver(r, other, -1), 0);
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_NOUNI, &on, 1), 0);
    CHECK_EQ(deliver(r, own, -1), -1);
    CHECK_EQ(vmodel_net_stats(r->n)->rx_dropped_filter, 6);
}

/* VLAN filter: tagged frames pass only for added VLAN ids; untagged always. */
NT(rx_vlan_filter, CTRLS, CTRLS, 1, false)
{
    uint8_t vid[2] = {5, 0};
    CHECK_EQ(deliver(r, NULL, 5), -1);
    CHECK_EQ(deliver(r, NULL, -1), 0);
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD, vid, 2), 0);
    CHECK_EQ(deliver(r, NULL, 5), 0);
    CHECK_EQ(deliver(r, NULL, 6), -1);
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_DEL, vid, 2), 0);
    CHECK_EQ(deliver(r, NULL, 5), -1);
    CHECK_EQ(vmodel_net_stats(r->n)->rx_dropped_vlan, 3);
}

/* Microsoft's RSS verification vectors (IPv4, address-only and with ports): the model's
 * Toeplitz and frame hash against them and against the test's own; IPv6 types. */
static void rss_ms_vectors(void)
{
    static const struct {
        uint8_t src[4], dst[4];
        uint16_t sport, dport;
        uint32_t ip, tcp;
    } v4[] = {
        {{66, 9, 149, 187}, {161, 142, 100, 80}, 2794, 1766, 0x323e8fc2, 0x51ccc178},
        {{199, 92, 111, 2}, {65, 69, 140, 83}, 14230, 4739, 0xd718262a, 0xc626b0ea},
        {{24, 19, 198, 95}, {12, 22, 207, 184}, 12898, 38024, 0xd2d0a5de, 0x5c2b394a},
        {{38, 27, 205, 30}, {209, 142, 163, 6}, 48228, 2217, 0x82989176, 0xafc7327f},
        {{153, 39, 163, 191}, {202, 188, 127, 2}, 44251, 1303, 0x5d1809c5, 0x10e828a2},
    };
    for (unsigned i = 0; i < 5; i++) {
        uint8_t in[12];
        memcpy(in, v4[i].src, 4);
        memcpy(in + 4, v4[i].dst, 4);
        in[8] = (uint8_t)(v4[i].sport >> 8);
        in[9] = (uint8_t)v4[i].sport;
        in[10] = (uint8_t)(v4[i].dport >> 8);
        in[11] = (uint8_t)v4[i].dport;
        CHECK_EQ(vmodel_net_toeplitz(ms_rss_key, 40, in, 8), v4[i].ip);
        CHECK_EQ(vmodel_net_toeplitz(ms_rss_key, 40, in, 12), v4[i].tcp);
        CHECK_EQ(ref_toeplitz(ms_rss_key, in, 12), v4[i].tcp);
        /* the frame hash: the same from a built frame */
        struct fspec s = {.vlan = -1,
                          .ipver = 4,
                          .proto = 6,
                          .sip = v4[i].src,
                          .dip = v4[i].dst,
                          .sport = v4[i].sport,
                          .dport = v4[i].dport};
        uint32_t len = frame_build(fr, &s, NULL, NULL);
        uint16_t rep;
        CHECK_EQ(vmodel_net_frame_hash(fr, len, VIRTIO_NET_HASH_TYPE_TCPv4, ms_rss_key, 40, &rep),
                 v4[i].tcp);
        CHECK_EQ(rep, VIRTIO_NET_HASH_REPORT_TCPv4);
        CHECK_EQ(vmodel_net_frame_hash(fr, len, VIRTIO_NET_HASH_TYPE_IPv4, ms_rss_key, 40, &rep),
                 v4[i].ip);
        CHECK_EQ(rep, VIRTIO_NET_HASH_REPORT_IPv4);
    }
    /* IPv6: the model's frame hash against the test's own Toeplitz over source and
     * destination address and ports (Microsoft's table is used for IPv4 above) */
    static const uint8_t s6[16] = {0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x00, 0x03,
                                   0,    0,    0,    0,    0,    0,    0,    1};
    static const uint8_t d6[16] = {0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x1f, 0xff,
                                   0,    0,    0,    0,    0,    0,    0,    7};
    struct fspec s = {
        .vlan = -1, .ipver = 6, .proto = 17, .sip = s6, .dip = d6, .sport = 2794, .dport = 1766};
    uint32_t len = frame_build(fr, &s, NULL, NULL);
    uint8_t in[36];
    memcpy(in, s6, 16);
    memcpy(in + 16, d6, 16);
    in[32] = 2794 >> 8;
    in[33] = 2794 & 255;
    in[34] = 1766 >> 8;
    in[35] = 1766 & 255;
    uint16_t rep;
    CHECK_EQ(vmodel_net_frame_hash(fr, len, VIRTIO_NET_HASH_TYPE_IPv6, ms_rss_key, 40, &rep),
             ref_toeplitz(ms_rss_key, in, 32));
    CHECK_EQ(rep, VIRTIO_NET_HASH_REPORT_IPv6);
    CHECK_EQ(vmodel_net_frame_hash(fr, len, VIRTIO_NET_HASH_TYPE_UDPv6, ms_rss_key, 40, &rep),
             ref_toeplitz(ms_rss_key, in, 36));
    CHECK_EQ(rep, VIRTIO_NET_HASH_REPORT_UDPv6);
    CHECK_EQ(vmodel_net_frame_hash(fr, len, VIRTIO_NET_HASH_TYPE_UDP_EX, ms_rss_key, 40, &rep),
             ref_toeplitz(ms_rss_key, in, 36));
    CHECK_EQ(rep, 9); /* UDPv6_EX */
    CHECK_EQ(vmodel_net_frame_hash(fr, len, VIRTIO_NET_HASH_TYPE_TCPv6, ms_rss_key, 40, &rep), 0);
    CHECK_EQ(rep, VIRTIO_NET_HASH_REPORT_NONE);
}

/* RSS: the driver's key and a 128-entry table over 3 queues; every flow lands where the
 * reference Toeplitz says, with the hash and type reported; a non-IP frame goes to the
 * unclassified queue. */
#define RSSF (NF(CTRL_VQ) | NF(MQ) | NF(RSS) | NF(HASH_REPORT) | MRG)

NT(rx_rss_steering, RSSF, RSSF, 3, false)
{
    uint8_t cmd[4 + 2 + 2 + 256 + 2 + 1 + 40];
    uint32_t types = VIRTIO_NET_HASH_TYPE_TCPv4 | VIRTIO_NET_HASH_TYPE_IPv4;
    memset(cmd, 0, sizeof(cmd));
    cmd[0] = (uint8_t)types;
    cmd[4] = 127; /* mask */
    cmd[6] = 2;   /* unclassified_queue */
    for (unsigned i = 0; i < 128; i++)
        cmd[8 + 2 * i] = (uint8_t)((i * 7) % 3);
    cmd[264] = 3; /* max_tx_vq */
    cmd[266] = 40;
    memcpy(cmd + 267, ms_rss_key, 40);
    CHECK_EQ(r->hdr, 20);
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_RSS_CONFIG, cmd, sizeof(cmd)), 0);
    for (unsigned q = 0; q < 3; q++)
        CHECK_EQ(nrig_post_rx(r, q, 12, 4096), 0);
    unsigned per[3] = {0};
    for (unsigned i = 0; i < 24; i++) {
        struct fspec s = {.vlan = -1,
                          .ipver = 4,
                          .proto = 6,
                          .sport = (uint16_t)(1000 + 17 * i),
                          .dport = 80,
                          .payload = 10};
        uint32_t l3, len = frame_build(fr, &s, &l3, NULL);
        uint8_t in[12];
        memcpy(in, fr + l3 + 12, 8);
        memcpy(in + 8, fr + l3 + 20, 4);
        uint32_t h = ref_toeplitz(ms_rss_key, in, 12);
        unsigned want = ((h & 127) * 7) % 3;
        CHECK_EQ(vmodel_net_wire_inject(r->n, fr, len, NULL), want);
        unsigned nb;
        CHECK_EQ(nrig_receive(r, want, hdr, got, sizeof(got), &nb), len);
        CHECK_EQ((uint32_t)(hdr[12] | hdr[13] << 8 | hdr[14] << 16 | (uint32_t)hdr[15] << 24), h);
        CHECK_EQ(hdr[16] | hdr[17] << 8, VIRTIO_NET_HASH_REPORT_TCPv4);
        per[want]++;
    }
    CHECK(per[0] > 0 && per[1] > 0 && per[2] > 0);
    uint8_t arp[60] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 2, 0, 0, 0, 0, 9, 0x08, 0x06};
    CHECK_EQ(vmodel_net_wire_inject(r->n, arp, 60, NULL), 2);
    unsigned nb;
    CHECK_EQ(nrig_receive(r, 2, hdr, got, sizeof(got), &nb), 60);
    CHECK_EQ(hdr[16] | hdr[17] << 8, VIRTIO_NET_HASH_REPORT_NONE);
}

/* Automatic steering (5.1.6.5.5): a flow sent on pair 1 is received on pair 1. */
NT(rx_auto_steering, NF(CTRL_VQ) | NF(MQ) | MRG, NF(CTRL_VQ) | NF(MQ) | MRG, 2, false)
{
    uint8_t pairs[2] = {2, 0};
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, pairs, 2), 0);
    static const uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
    struct fspec out = {.vlan = -1,
                        .ipver = 4,
                        .proto = 6,
                        .sip = a,
                        .dip = b,
                        .sport = 5555,
                        .dport = 80,
                        .payload = 10};
    uint32_t len = frame_build(fr, &out, NULL, NULL);
    net_hdr(hdr, 0, 0, 0, 0, 0, 0);
    CHECK_EQ(nrig_send(r, 1, hdr, fr, len, false), 0);
    struct fspec in = {.vlan = -1,
                       .ipver = 4,
                       .proto = 6,
                       .sip = b,
                       .dip = a,
                       .sport = 80,
                       .dport = 5555,
                       .payload = 10};
    len = frame_build(fr, &in, NULL, NULL);
    CHECK_EQ(vmodel_net_wire_inject(r->n, fr, len, NULL), 1);
    in.sport = 81;
    len = frame_build(fr, &in, NULL, NULL);
    CHECK_EQ(vmodel_net_wire_inject(r->n, fr, len, NULL), 0);
}

/* Hostile: num_buffers claims 3 for a frame in one buffer; the rig, reading as a driver
 * would, finds the claim broken. */
NT(rx_hostile_num_buffers, MRG, MRG, 1, false)
{
    struct vmodel_net_hostile h = {.num_buffers = 3};
    vmodel_net_set_hostile(r->n, &h);
    uint32_t len = udp_frame(100);
    unsigned nb;
    CHECK_EQ(roundtrip(r, fr, len, &nb), -2);
    CHECK_EQ(nb, 3);
    CHECK_EQ(vmodel_net_stats(r->n)->hostile_done, 1);
}

/* Hostile: num_buffers 0 (5.1.6.4 says at least 1); the rig finds the claim broken. */
NT(rx_hostile_num_buffers_zero, MRG, MRG, 1, false)
{
    vmodel_net_set_hostile(r->n, &(struct vmodel_net_hostile){.num_buffers_zero = true});
    uint32_t len = udp_frame(100);
    unsigned nb = 9;
    CHECK_EQ(roundtrip(r, fr, len, &nb), -2);
    CHECK_EQ(nb, 0);
    CHECK_EQ(vmodel_net_stats(r->n)->hostile_done, 1);
}

/* Hostile: a used length of 4, shorter than the 12-byte header; the rig refuses it. */
NT(rx_hostile_used_len_short, MRG, MRG, 1, false)
{
    vmodel_net_set_hostile(r->n, &(struct vmodel_net_hostile){.used_len = 4});
    uint32_t len = udp_frame(100);
    unsigned nb = 9;
    CHECK_EQ(roundtrip(r, fr, len, &nb), -2);
    CHECK_EQ(vmodel_net_stats(r->n)->hostile_done, 1);
}

/* Hostile: a hash report without HASH_REPORT writes 20 header bytes over the frame, and
 * DATA_VALID / GSO without the features. */
NT(rx_hostile_headers, MRG, MRG, 1, false)
{
    struct vmodel_net_hostile h = {
        .hash_unnegotiated = true, .data_valid_unasked = true, .gso_unasked = true};
    vmodel_net_set_hostile(r->n, &h);
    uint32_t len = udp_frame(100);
    unsigned nb;
    CHECK_EQ(roundtrip(r, fr, len, &nb), len + 8);
    CHECK_EQ(hdr[0], VIRTIO_NET_HDR_F_DATA_VALID);
    CHECK_EQ(hdr[1], VIRTIO_NET_HDR_GSO_TCPV4);
    CHECK(memcmp(got + 8, fr, len) == 0);
}

/* Link down or no DRIVER_OK: frames from the wire are dropped and counted. */
NT(rx_link_down, NF(STATUS) | MRG, NF(STATUS) | MRG, 1, false)
{
    vmodel_net_set_link(r->n, false);
    uint32_t len = udp_frame(10);
    CHECK_EQ(vmodel_net_wire_inject(r->n, fr, len, NULL), -1);
    CHECK_EQ(vmodel_net_stats(r->n)->rx_dropped_link, 1);
}

/* A device reset with a frame half placed in merged buffers: nothing waits afterwards. */
NT(rx_reset_mid_frame, MRG, MRG, 1, false)
{
    uint32_t len = udp_frame(9000);
    CHECK_EQ(nrig_post_rx(r, 0, 1, 4096), 0);
    CHECK_EQ(vmodel_net_wire_inject(r->n, fr, len, NULL), 0);
    nrig_step(r);
    CHECK_EQ(vmodel_net_rx_waiting(r->n, 0), 1);
    vmodel_bar_write(r->b.m, VMODEL_MODERN_BAR, VMODEL_COMMON_OFF + 20, 1, 0); /* status 0 */
    for (int i = 0; i < 4 && vmodel_status(r->b.m) != 0; i++)
        vmodel_bar_read(r->b.m, VMODEL_MODERN_BAR, VMODEL_COMMON_OFF + 20, 1);
    CHECK_EQ(vmodel_net_wire_inject(r->n, fr, len, NULL), -1); /* no DRIVER_OK */
    CHECK_EQ(vmodel_net_rx_waiting(r->n, -1), 0);
}

/* Hostile: a used length past the buffer's end (its 4096 bytes and 1 more, or
 * 0xffffffff), split and packed: the ring reports it unclamped, and the rig's
 * virtqueue (common/virtio) refuses it as a length past what was posted. */
static void used_len_past(struct nrig *r, uint32_t past)
{
    vmodel_net_set_hostile(r->n, &(struct vmodel_net_hostile){.used_len_past = past});
    CHECK_EQ(nrig_post_rx(r, 0, 1, 4096), 0);
    uint32_t len = udp_frame(100), used = 0;
    CHECK(vmodel_net_wire_inject(r->n, fr, len, NULL) >= 0);
    nrig_step(r);
    CHECK(nrig_rx_get(r, 0, &used) == NULL);
    CHECK_EQ(virtqueue_broken(&r->b.vq[0]), VIRTIO_VIOL_USED_LEN);
    CHECK_EQ(vmodel_net_stats(r->n)->hostile_done, 1);
}

NT(rx_hostile_used_len_past, MRG, MRG, 1, false)
{
    used_len_past(r, 1);
}

NT(rx_hostile_used_len_past_packed, MRG, MRG, 1, true)
{
    used_len_past(r, ~0u);
}

const struct vtest net_rx_tests[] = {
    {"rx_mrg_split", rx_mrg_split},
    {"rx_mrg_packed", rx_mrg_packed},
    {"rx_small_buffers", rx_small_buffers},
    {"rx_big_buffer", rx_big_buffer},
    {"rx_legacy_header", rx_legacy_header},
    {"rx_drops_counted", rx_drops_counted},
    {"rx_data_valid", rx_data_valid},
    {"rx_no_data_valid_without_feature", rx_no_data_valid_without_feature},
    {"rx_partial_csum", rx_partial_csum},
    {"rx_coalesced_tso4", rx_coalesced_tso4},
    {"rx_coalesced_segmented", rx_coalesced_segmented},
    {"rx_filters", rx_filters},
    {"rx_vlan_filter", rx_vlan_filter},
    {"rss_ms_vectors", rss_ms_vectors},
    {"rx_rss_steering", rx_rss_steering},
    {"rx_auto_steering", rx_auto_steering},
    {"rx_hostile_num_buffers", rx_hostile_num_buffers},
    {"rx_hostile_num_buffers_zero", rx_hostile_num_buffers_zero},
    {"rx_hostile_used_len_short", rx_hostile_used_len_short},
    {"rx_hostile_used_len_past", rx_hostile_used_len_past},
    {"rx_hostile_used_len_past_packed", rx_hostile_used_len_past_packed},
    {"rx_hostile_headers", rx_hostile_headers},
    {"rx_link_down", rx_link_down},
    {"rx_reset_mid_frame", rx_reset_mid_frame},
    {NULL, NULL},
};
