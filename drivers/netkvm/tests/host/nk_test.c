/*
 * Host unit tests of NetKVM's OS-neutral half (check-netkvm, under ASan and
 * UBSan): the feature choice and its dependencies, every hostile
 * configuration value, the queue and message plan from 1 to 2048 CPUs and
 * messages, and the control-queue commands.  A copy built with
 * NK_PLANTED_PAIRS (max_virtqueue_pairs 0 accepted) must fail, and so must
 * one with NK_PLANTED_KEEP_REJECTED (MQ / F_MTU kept after their field was
 * rejected).
 */
#define HOSTCHECK_PREFIX "netkvm: "
#include "hostcheck.h"

#include <stdlib.h>
#include <string.h>

#include "../../nk_net.h"

#define F(bit) NK_BIT(bit)

static const uint8_t fallback[NK_ETH_ALEN] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
static uint8_t cfg[NK_CFG_BYTES];

static void set16(unsigned off, uint16_t v)
{
    cfg[off] = (uint8_t)v, cfg[off + 1] = (uint8_t)(v >> 8);
}
static void set32(unsigned off, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++)
        cfg[off + i] = (uint8_t)(v >> (8 * i));
}

static const uint64_t cfg_features = F(VIRTIO_NET_F_MAC) | F(VIRTIO_NET_F_STATUS) |
                                     F(VIRTIO_NET_F_MQ) | F(VIRTIO_NET_F_CTRL_VQ) |
                                     F(VIRTIO_NET_F_MTU) | F(VIRTIO_NET_F_SPEED_DUPLEX) |
                                     F(VIRTIO_NET_F_RSS) | F(VIRTIO_NET_F_GUEST_ANNOUNCE);

/* A sane device: 52:54:00:12:34:56, link up, 80 pairs, MTU 9000, 25 Gbit/s */
static void good_config(void)
{
    static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    memset(cfg, 0, sizeof(cfg));
    memcpy(cfg + NK_CFG_MAC, mac, 6);
    set16(NK_CFG_STATUS, VIRTIO_NET_S_LINK_UP);
    set16(NK_CFG_MAX_PAIRS, 80);
    set16(NK_CFG_MTU, 9000);
    set32(NK_CFG_SPEED, 25000);
    cfg[NK_CFG_DUPLEX] = VIRTIO_NET_DUPLEX_FULL;
    cfg[NK_CFG_RSS_KEY_MAX] = 40;
    set16(NK_CFG_RSS_TABLE_MAX, 128);
    set32(NK_CFG_HASH_TYPES, 0x3f);
}

static void test_features(void)
{
    struct nk_feature_wish w;
    nk_feature_wish_defaults(&w);
    uint64_t all = ~0ull;
    uint64_t f = nk_choose_features(all, &w);
    expect((f & F(VIRTIO_NET_F_MRG_RXBUF)) != 0, "MRG_RXBUF acknowledged by default");
    expect((f & F(NK_F_VERSION_1)) && (f & F(NK_F_RING_PACKED)) && (f & F(NK_F_EVENT_IDX)) &&
               (f & F(NK_F_INDIRECT_DESC)) && (f & F(NK_F_ACCESS_PLATFORM)),
           "transport bits acknowledged when offered");
    expect((f & F(VIRTIO_NET_F_MQ)) && (f & F(VIRTIO_NET_F_CTRL_VQ)) &&
               (f & F(VIRTIO_NET_F_STATUS)) && (f & F(VIRTIO_NET_F_MAC)),
           "MQ, CTRL_VQ, STATUS, MAC acknowledged");
    expect((f & F(VIRTIO_NET_F_CSUM)) && (f & F(VIRTIO_NET_F_GUEST_CSUM)) &&
               (f & F(VIRTIO_NET_F_HOST_TSO4)) && (f & F(VIRTIO_NET_F_HOST_TSO6)),
           "checksum and LSOv2 offloads acknowledged by default");
    expect((f & F(VIRTIO_NET_F_GUEST_TSO4)) && (f & F(VIRTIO_NET_F_GUEST_TSO6)) &&
               (f & F(VIRTIO_NET_F_RSC_EXT)) && (f & F(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS)),
           "RSC: GUEST_TSO4/6, RSC_EXT and CTRL_GUEST_OFFLOADS acknowledged by default");
    expect(!(f & F(VIRTIO_NET_F_HOST_USO)), "USO, not driven, stays off");
    f = nk_choose_features(all & ~(F(VIRTIO_NET_F_HOST_TSO4) | F(VIRTIO_NET_F_HOST_TSO6)), &w);
    expect(!(f & F(VIRTIO_NET_F_RSC_EXT)) && (f & F(VIRTIO_NET_F_GUEST_TSO4)),
           "RSC_EXT offered without HOST_TSO4/6: not acknowledged (spec 5.1.3.1)");
    f = nk_choose_features(all & ~F(VIRTIO_NET_F_CSUM), &w);
    expect(!(f & (F(VIRTIO_NET_F_HOST_TSO4) | F(VIRTIO_NET_F_HOST_TSO6))) &&
               (f & F(VIRTIO_NET_F_GUEST_CSUM)),
           "HOST_TSO4/6 offered without CSUM: not acknowledged (spec 5.1.3.1)");
    struct nk_feature_wish off = w;
    off.tx_csum = off.lso = off.rx_csum = off.rsc = false;
    f = nk_choose_features(all, &off);
    expect(!(f & (F(VIRTIO_NET_F_CSUM) | F(VIRTIO_NET_F_GUEST_CSUM) | F(VIRTIO_NET_F_HOST_TSO4))),
           "offloads turned off by the properties: CSUM, GUEST_CSUM, TSO not acknowledged");
    expect(!(f & (F(VIRTIO_NET_F_GUEST_UFO) | F(VIRTIO_NET_F_HOST_UFO) | F(VIRTIO_NET_F_STANDBY))),
           "bits never wanted stay off");
    expect(nk_choose_features(0, &w) == 0, "nothing offered, nothing acknowledged");

    w.mrg_rxbuf = false, w.packed = false, w.multiqueue = false;
    f = nk_choose_features(all, &w);
    expect(!(f & (F(VIRTIO_NET_F_MRG_RXBUF) | F(NK_F_RING_PACKED) | F(VIRTIO_NET_F_MQ))),
           "MergeableBuffers, packed and multiqueue can be turned off");

    /* Dependencies: offered without their requirement */
    nk_feature_wish_defaults(&w);
    w.lso = w.rsc = w.uso = w.tx_csum = w.rx_csum = w.vlan_filter = true;
    f = nk_choose_features(all & ~F(VIRTIO_NET_F_CTRL_VQ), &w);
    expect(!(f & (F(VIRTIO_NET_F_MQ) | F(VIRTIO_NET_F_CTRL_RX) | F(VIRTIO_NET_F_CTRL_RX_EXTRA) |
                  F(VIRTIO_NET_F_CTRL_VLAN) | F(VIRTIO_NET_F_GUEST_ANNOUNCE) |
                  F(VIRTIO_NET_F_CTRL_MAC_ADDR) | F(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS))),
           "without CTRL_VQ no control feature is acknowledged");
    f = nk_choose_features(all, &w);
    expect((f & F(VIRTIO_NET_F_GUEST_ANNOUNCE)) != 0,
           "GUEST_ANNOUNCE acknowledged with CTRL_VQ (the driver announces after a migration)");
    f = nk_choose_features(all & ~F(VIRTIO_NET_F_CSUM), &w);
    expect(!(f & (F(VIRTIO_NET_F_HOST_TSO4) | F(VIRTIO_NET_F_HOST_TSO6) | F(VIRTIO_NET_F_HOST_USO) |
                  F(VIRTIO_NET_F_RSC_EXT))),
           "without CSUM no host segmentation (and so no RSC_EXT)");
    f = nk_choose_features(all & ~F(VIRTIO_NET_F_GUEST_CSUM), &w);
    expect(!(f & (F(VIRTIO_NET_F_GUEST_TSO4) | F(VIRTIO_NET_F_GUEST_TSO6))),
           "without GUEST_CSUM no guest TSO");
    f = nk_choose_features(all & ~F(VIRTIO_NET_F_CTRL_RX), &w);
    expect(!(f & F(VIRTIO_NET_F_CTRL_RX_EXTRA)), "without CTRL_RX no CTRL_RX_EXTRA");
    f = nk_choose_features(all, &w);
    expect((f & F(VIRTIO_NET_F_HOST_TSO4)) && (f & F(VIRTIO_NET_F_GUEST_TSO6)) &&
               (f & F(VIRTIO_NET_F_HOST_USO)) && (f & F(VIRTIO_NET_F_CTRL_VLAN)),
           "offloads acknowledged when wished and complete");
    expect(nk_features_consistent(f) == f, "a chosen set is consistent");

    expect(nk_hdr_len(0) == 10, "legacy header is 10 bytes");
    expect(nk_hdr_len(F(VIRTIO_NET_F_MRG_RXBUF)) == 12, "legacy MRG_RXBUF header is 12 bytes");
    expect(nk_hdr_len(F(NK_F_VERSION_1)) == 12, "VERSION_1 header is 12 bytes");
    expect(nk_hdr_len(F(NK_F_VERSION_1) | F(VIRTIO_NET_F_HASH_REPORT)) == 20,
           "HASH_REPORT header is 20 bytes");
}

static void test_config(void)
{
    struct nk_config c;
    unsigned found;

    good_config();
    found = nk_config_check(cfg, sizeof(cfg), cfg_features, fallback, &c);
    expect(found == 0, "a sane configuration has no findings (0x%x)", found);
    expect(c.mac_from_device && c.mac[0] == 0x52 && c.mac[5] == 0x56, "device MAC used");
    expect(c.link_up && !c.announce && c.has_status, "link up");
    expect(c.max_pairs == 80 && c.mtu == 9000, "80 pairs, MTU 9000");
    expect(c.speed_bps == 25000000000ull && c.duplex == VIRTIO_NET_DUPLEX_FULL, "25 Gbit/s full");
    expect(c.rss_key_max == 40 && c.rss_table_max == 128, "RSS limits");

    good_config();
    cfg[NK_CFG_MAC] = 0x01; /* group bit */
    found = nk_config_check(cfg, sizeof(cfg), cfg_features, fallback, &c);
    expect(found == NK_BAD_MAC && !c.mac_from_device && memcmp(c.mac, fallback, 6) == 0,
           "multicast MAC refused, fallback used");
    good_config();
    memset(cfg + NK_CFG_MAC, 0, 6);
    found = nk_config_check(cfg, sizeof(cfg), cfg_features, fallback, &c);
    expect(found == NK_BAD_MAC && memcmp(c.mac, fallback, 6) == 0, "zero MAC refused");
    good_config();
    found = nk_config_check(cfg, sizeof(cfg), cfg_features & ~F(VIRTIO_NET_F_MAC), fallback, &c);
    expect(found == 0 && memcmp(c.mac, fallback, 6) == 0, "no MAC feature: fallback, no finding");

    good_config();
    set16(NK_CFG_MAX_PAIRS, 0);
    found = nk_config_check(cfg, sizeof(cfg), cfg_features, fallback, &c);
    expect(found == NK_BAD_PAIRS && c.max_pairs == 1, "max_virtqueue_pairs 0 refused: one pair");
    good_config();
    set16(NK_CFG_MAX_PAIRS, 0x8001);
    found = nk_config_check(cfg, sizeof(cfg), cfg_features, fallback, &c);
    expect(found == NK_BAD_PAIRS && c.max_pairs == 1, "max_virtqueue_pairs 0x8001 refused");
    expect(c.drop == F(VIRTIO_NET_F_MQ), "max_virtqueue_pairs 0x8001 drops MQ (drop 0x%llx)",
           (unsigned long long)c.drop);
    /* Negotiated again without MQ: one pair, the control queue at 2 (spec 5.1.2) */
    uint64_t again = nk_features_consistent(cfg_features & ~c.drop);
    struct nk_queue_plan plan;
    found = nk_config_check(cfg, sizeof(cfg), again, fallback, &c);
    nk_plan_queues(4, c.max_pairs, 0, true, 10, &plan);
    expect(found == 0 && c.drop == 0 && !(again & F(VIRTIO_NET_F_MQ)) && plan.pairs == 1 &&
               plan.ctrl_index == 2,
           "without MQ: no finding, one pair, control queue 2 (%u)", plan.ctrl_index);
    good_config();
    set16(NK_CFG_MAX_PAIRS, 0);
    found = nk_config_check(cfg, sizeof(cfg), cfg_features, fallback, &c);
    expect(c.drop == F(VIRTIO_NET_F_MQ), "max_virtqueue_pairs 0 drops MQ");
    good_config();
    found = nk_config_check(cfg, NK_CFG_MAX_PAIRS, cfg_features, fallback, &c);
    expect((found & NK_SHORT_CONFIG) && (c.drop & F(VIRTIO_NET_F_MQ)) &&
               (c.drop & F(VIRTIO_NET_F_MTU)),
           "a region too short for max_virtqueue_pairs and mtu drops MQ and MTU");
    good_config();
    found = nk_config_check(cfg, sizeof(cfg), cfg_features, fallback, &c);
    expect(c.drop == 0, "a sane configuration drops nothing");
    good_config();
    set16(NK_CFG_MAX_PAIRS, 0x8000);
    found = nk_config_check(cfg, sizeof(cfg), cfg_features, fallback, &c);
    expect(found == 0 && c.max_pairs == 0x8000, "max_virtqueue_pairs 0x8000 accepted");
    good_config();
    found = nk_config_check(cfg, sizeof(cfg), cfg_features & ~F(VIRTIO_NET_F_MQ), fallback, &c);
    expect(c.max_pairs == 1, "without MQ one pair whatever the field says");

    good_config();
    set16(NK_CFG_MTU, 67);
    found = nk_config_check(cfg, sizeof(cfg), cfg_features, fallback, &c);
    expect(found == NK_BAD_MTU && c.mtu == 1500, "MTU 67 refused: 1500");
    expect(c.drop == F(VIRTIO_NET_F_MTU), "MTU 67 drops F_MTU (drop 0x%llx)",
           (unsigned long long)c.drop);
    found = nk_config_check(cfg, sizeof(cfg), cfg_features & ~c.drop, fallback, &c);
    expect(found == 0 && c.drop == 0 && c.mtu == 1500, "without F_MTU: no finding, 1500");
    good_config();
    set16(NK_CFG_MTU, 0);
    found = nk_config_check(cfg, sizeof(cfg), cfg_features, fallback, &c);
    expect(found == NK_BAD_MTU && c.drop == F(VIRTIO_NET_F_MTU), "MTU 0 refused, F_MTU dropped");
    good_config();
    set16(NK_CFG_MTU, 65535);
    found = nk_config_check(cfg, sizeof(cfg), cfg_features, fallback, &c);
    expect(found == NK_BAD_MTU && c.mtu == 1500, "MTU 65535 refused: 1500");
    good_config();
    set16(NK_CFG_MTU, 68);
    found = nk_config_check(cfg, sizeof(cfg), cfg_features, fallback, &c);
    expect(found == 0 && c.mtu == 68, "MTU 68 accepted");

    good_config();
    set32(NK_CFG_SPEED, 0);
    cfg[NK_CFG_DUPLEX] = 7;
    found = nk_config_check(cfg, sizeof(cfg), cfg_features, fallback, &c);
    expect(found == (NK_BAD_SPEED | NK_BAD_DUPLEX) && c.speed_bps == NK_DEFAULT_SPEED_BPS &&
               c.duplex == VIRTIO_NET_DUPLEX_UNKNOWN,
           "speed 0 and duplex 7 refused");
    good_config();
    set32(NK_CFG_SPEED, VIRTIO_NET_SPEED_UNKNOWN);
    found = nk_config_check(cfg, sizeof(cfg), cfg_features, fallback, &c);
    expect(found == 0 && c.speed_bps == NK_DEFAULT_SPEED_BPS, "unknown speed: the default");
    good_config();
    set32(NK_CFG_SPEED, 0xfffffffe);
    found = nk_config_check(cfg, sizeof(cfg), cfg_features, fallback, &c);
    expect(found == 0 && c.speed_bps == 0xfffffffeull * 1000000u, "largest speed without overflow");

    /* A configuration change re-reads speed and duplex (state.c's link update) */
    good_config();
    found = nk_config_check(cfg, sizeof(cfg), cfg_features, fallback, &c);
    set32(NK_CFG_SPEED, 1000);
    cfg[NK_CFG_DUPLEX] = VIRTIO_NET_DUPLEX_HALF;
    found = nk_config_link(cfg, sizeof(cfg), cfg_features, &c);
    expect(found == 0 && c.speed_bps == 1000000000ull && c.duplex == VIRTIO_NET_DUPLEX_HALF &&
               c.max_pairs == 80,
           "speed 25000 -> 1000 Mbit/s and half duplex re-read, the rest kept");
    set32(NK_CFG_SPEED, 0);
    found = nk_config_link(cfg, sizeof(cfg), cfg_features, &c);
    expect(found == NK_BAD_SPEED && c.speed_bps == NK_DEFAULT_SPEED_BPS,
           "speed 0 on a re-read refused: the default");
    found = nk_config_link(cfg, sizeof(cfg), cfg_features & ~NK_BIT(VIRTIO_NET_F_SPEED_DUPLEX), &c);
    expect(found == 0 && c.speed_bps == NK_DEFAULT_SPEED_BPS && c.duplex == VIRTIO_NET_DUPLEX_FULL,
           "without SPEED_DUPLEX the fields are not read");
    found = nk_config_link(cfg, NK_CFG_DUPLEX, cfg_features, &c);
    expect(found == NK_SHORT_CONFIG, "a region without the duplex byte: cut short");

    good_config();
    set16(NK_CFG_STATUS, 0xfffc);
    found = nk_config_check(cfg, sizeof(cfg), cfg_features, fallback, &c);
    expect(found == NK_BAD_STATUS && !c.link_up, "unknown status bits ignored, link down");
    good_config();
    set16(NK_CFG_STATUS, VIRTIO_NET_S_LINK_UP | VIRTIO_NET_S_ANNOUNCE);
    nk_config_check(cfg, sizeof(cfg), cfg_features, fallback, &c);
    expect(c.announce, "announce requested");
    nk_config_check(cfg, sizeof(cfg), cfg_features & ~F(VIRTIO_NET_F_GUEST_ANNOUNCE), fallback, &c);
    expect(!c.announce, "announce ignored without GUEST_ANNOUNCE");
    found = nk_config_check(cfg, sizeof(cfg), cfg_features & ~F(VIRTIO_NET_F_STATUS), fallback, &c);
    expect(c.link_up && !c.has_status, "without STATUS the link is up");

    good_config();
    cfg[NK_CFG_RSS_KEY_MAX] = 39;
    found = nk_config_check(cfg, sizeof(cfg), cfg_features, fallback, &c);
    expect(found == NK_BAD_RSS && c.rss_key_max == 0 && (c.drop & F(VIRTIO_NET_F_RSS)),
           "RSS key 39 refused: RSS negotiated away");
    good_config();
    set16(NK_CFG_RSS_TABLE_MAX, 129);
    found = nk_config_check(cfg, sizeof(cfg), cfg_features, fallback, &c);
    expect(found == NK_BAD_RSS && c.rss_table_max == 0 && (c.drop & F(VIRTIO_NET_F_RSS)),
           "RSS table 129 refused");

    /* A region that ends early: every size from 0 to the full one */
    bool all_safe = true;
    for (size_t len = 0; len <= sizeof(cfg); len++) {
        uint8_t *copy = malloc(len ? len : 1); /* exact size: ASan sees any overread */
        good_config();
        memcpy(copy, cfg, len);
        found = nk_config_check(copy, len, cfg_features, fallback, &c);
        if ((len < sizeof(cfg)) != ((found & NK_SHORT_CONFIG) != 0) || c.max_pairs == 0 ||
            c.mtu < 68)
            all_safe = false;
        free(copy);
    }
    expect(all_safe, "a short configuration region is found at every length, defaults kept");

    for (unsigned bit = 1; bit <= NK_SHORT_CONFIG; bit <<= 1)
        expect(strcmp(nk_finding_text(bit), "unknown finding") != 0, "finding 0x%x has a text",
               bit);
}

static void test_queues(void)
{
    struct nk_queue_plan p;

    nk_plan_queues(64, 80, 0, true, 2 * 64 + 2, &p);
    expect(p.pairs == 64 && p.mode == NK_MSG_ONE_EACH, "64 CPUs, 80 pairs: 64 pairs, no cap at 32");
    nk_plan_queues(80, 80, 0, true, 162, &p);
    expect(p.pairs == 80 && p.ctrl_index == 160, "80 CPUs: 80 pairs, control queue 160");
    nk_plan_queues(4, 2, 0, true, 16, &p);
    expect(p.pairs == 2 && p.ctrl_index == 4, "device limit: 2 pairs");
    nk_plan_queues(8, 8, 3, true, 16, &p);
    expect(p.pairs == 3 && p.ctrl_index == 16, "wanted count honoured");
    nk_plan_queues(0, 0, 0, false, 0, &p);
    expect(p.pairs == 1 && p.mode == NK_MSG_ALL_ONE && p.ctrl_index == 2,
           "nothing known: one pair on a line");
    expect(nk_messages_wanted(4, true) == 10 && nk_messages_wanted(4, false) == 9,
           "2 x pairs + 2 messages wanted");

    /* ONE_EACH gives every queue its own message */
    nk_plan_queues(4, 4, 0, true, 10, &p);
    bool distinct = true;
    unsigned seen[10] = {0};
    seen[nk_queue_message(&p, NK_CONFIG_QUEUE)]++;
    seen[nk_queue_message(&p, p.ctrl_index)]++;
    for (unsigned k = 0; k < 4; k++)
        seen[nk_queue_message(&p, nk_rxq_index(k))]++,
            seen[nk_queue_message(&p, nk_txq_index(k))]++;
    for (unsigned i = 0; i < 10; i++)
        distinct &= seen[i] == 1;
    expect(p.mode == NK_MSG_ONE_EACH && distinct, "10 messages for 4 pairs: one each");

    /* Every CPU count and grant: messages in range, pairs never drop */
    bool in_range = true, kept = true;
    for (unsigned cpus = 1; cpus <= 2048; cpus = cpus < 16 ? cpus + 1 : cpus * 2)
        for (unsigned m = 0; m <= 4200; m = m < 12 ? m + 1 : m * 3) {
            nk_plan_queues(cpus, 0x8000, 0, true, m, &p);
            kept &= p.pairs == cpus;
            unsigned lim = m ? m : 1;
            in_range &= nk_queue_message(&p, NK_CONFIG_QUEUE) < lim;
            in_range &= nk_queue_message(&p, p.ctrl_index) < lim;
            for (unsigned k = 0; k < p.pairs; k++)
                in_range &= nk_queue_message(&p, nk_rxq_index(k)) < lim &&
                            nk_queue_message(&p, nk_txq_index(k)) < lim;
        }
    expect(in_range, "every queue's message is below the grant (1..2048 CPUs, 0..4200 messages)");
    expect(kept, "fewer messages never cut the pairs");

    nk_plan_queues(8, 8, 0, true, 10, &p);
    expect(p.mode == NK_MSG_PER_PAIR && nk_queue_message(&p, p.ctrl_index) == 1 &&
               nk_queue_message(&p, nk_rxq_index(7)) == 9 &&
               nk_queue_message(&p, nk_txq_index(7)) == 9,
           "10 messages for 8 pairs: one per pair");
    nk_plan_queues(8, 8, 0, true, 4, &p);
    expect(p.mode == NK_MSG_SHARED && nk_queue_message(&p, nk_rxq_index(3)) == 1 &&
               nk_queue_message(&p, nk_txq_index(4)) == 2,
           "4 messages for 8 pairs: round robin on 1..3");
}

static void test_ctrl(void)
{
    struct nk_ctrl_cmd c[4];
    uint64_t f = F(VIRTIO_NET_F_CTRL_VQ) | F(VIRTIO_NET_F_CTRL_RX) | F(VIRTIO_NET_F_CTRL_RX_EXTRA);
    unsigned n =
        nk_ctrl_rx_mode(NK_FILTER_DIRECTED | NK_FILTER_BROADCAST | NK_FILTER_MULTICAST, f, c);
    expect(n == 4 && c[0].cmd == VIRTIO_NET_CTRL_RX_PROMISC && c[0].data[0] == 0 &&
               c[1].data[0] == 0 && c[2].cmd == VIRTIO_NET_CTRL_RX_NOBCAST && c[2].data[0] == 0 &&
               c[3].cmd == VIRTIO_NET_CTRL_RX_NOMULTI && c[3].data[0] == 0,
           "directed+broadcast+multicast: no promiscuous, broadcast and multicast on");
    n = nk_ctrl_rx_mode(NK_FILTER_PROMISCUOUS, f, c);
    expect(n == 4 && c[0].data[0] == 1 && c[1].data[0] == 1 && c[2].data[0] == 0,
           "promiscuous: all on");
    n = nk_ctrl_rx_mode(NK_FILTER_DIRECTED, f, c);
    expect(c[2].data[0] == 1 && c[3].data[0] == 1, "directed only: no broadcast, no multicast");
    expect(nk_ctrl_rx_mode(NK_FILTER_PROMISCUOUS, F(VIRTIO_NET_F_CTRL_VQ), c) == 0,
           "without CTRL_RX no command");
    expect(nk_ctrl_rx_mode(0, F(VIRTIO_NET_F_CTRL_RX), c) == 2, "without RX_EXTRA two commands");

    /* The driver's own filter (what the device cannot drop) */
    static const uint8_t me[6] = {0x52, 0x54, 0, 0x12, 0x34, 0x56}, other[6] = {0x52, 0x54, 0, 1},
                         bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
                         lst[1][6] = {{0x01, 0x00, 0x5e, 0, 0, 1}},
                         unl[6] = {0x01, 0x00, 0x5e, 0x7f, 0, 9};
    uint32_t dm = NK_FILTER_DIRECTED | NK_FILTER_MULTICAST;
    expect(nk_rx_filter_pass(dm, me, me, lst, 1) && !nk_rx_filter_pass(dm, other, me, lst, 1),
           "filter: directed to us passes, another station's frame does not");
    expect(!nk_rx_filter_pass(dm, bc, me, lst, 1) &&
               nk_rx_filter_pass(dm | NK_FILTER_BROADCAST, bc, me, lst, 1),
           "filter: broadcast only with NDIS_PACKET_TYPE_BROADCAST");
    expect(nk_rx_filter_pass(dm, lst[0], me, lst, 1) && !nk_rx_filter_pass(dm, unl, me, lst, 1) &&
               !nk_rx_filter_pass(NK_FILTER_DIRECTED, lst[0], me, lst, 1),
           "filter: a listed multicast passes with MULTICAST, an unlisted one does not");
    expect(nk_rx_filter_pass(NK_FILTER_ALL_MULTI, unl, me, lst, 0) &&
               !nk_rx_filter_pass(NK_FILTER_ALL_MULTI, me, me, lst, 0),
           "filter: ALL_MULTICAST takes any multicast, not directed frames");
    expect(nk_rx_filter_pass(NK_FILTER_PROMISCUOUS, other, me, lst, 0) &&
               !nk_rx_filter_pass(0, me, me, lst, 1),
           "filter: promiscuous takes everything, filter 0 nothing");

    uint8_t mc[NK_MCAST_MAX + 1][NK_ETH_ALEN];
    memset(mc, 0x01, sizeof(mc));
    expect(nk_ctrl_mac_table(NULL, (const uint8_t(*)[6])mc, 2, &c[0]) && c[0].len == 8 + 12 &&
               c[0].data[4] == 2 && c[0].data[8] == 0x01,
           "MAC table with 2 multicast addresses");
    expect(!nk_ctrl_mac_table(NULL, (const uint8_t(*)[6])mc, NK_MCAST_MAX + 1, &c[0]),
           "more than NK_MCAST_MAX addresses refused");
    expect(nk_ctrl_mac_table(NULL, (const uint8_t(*)[6])mc, NK_MCAST_MAX, &c[0]) &&
               c[0].len == 8 + 6 * NK_MCAST_MAX,
           "NK_MCAST_MAX addresses fit");
    expect(!nk_ctrl_vlan(true, 0, &c[0]) && !nk_ctrl_vlan(true, 4095, &c[0]) &&
               nk_ctrl_vlan(false, 4094, &c[0]) && c[0].data[0] == 0xfe && c[0].data[1] == 0x0f,
           "VLAN ids 1..4094 only");
    expect(!nk_ctrl_mq_pairs(0, &c[0]) && !nk_ctrl_mq_pairs(0x8001, &c[0]) &&
               nk_ctrl_mq_pairs(80, &c[0]) && c[0].data[0] == 80,
           "MQ pairs 1..0x8000 only");
    uint8_t wire[NK_CTRL_WIRE_MAX];
    nk_ctrl_announce_ack(&c[0]);
    expect(nk_ctrl_wire(&c[0], wire) == 2 && wire[0] == VIRTIO_NET_CTRL_ANNOUNCE,
           "announce ack is class and command only");
    nk_ctrl_guest_offloads(F(VIRTIO_NET_F_GUEST_CSUM), &c[0]);
    expect(nk_ctrl_wire(&c[0], wire) == 10 && wire[2] == 2, "guest offloads: le64");
    expect(nk_ctrl_acked(VIRTIO_NET_OK, 1) && !nk_ctrl_acked(VIRTIO_NET_OK, 0) &&
               !nk_ctrl_acked(VIRTIO_NET_ERR, 1) && !nk_ctrl_acked(7, 1),
           "only a written OK acknowledges");
    expect(!nk_ctrl_acked(VIRTIO_NET_OK, 2) && !nk_ctrl_acked(VIRTIO_NET_OK, 0xFFFFFFFFu),
           "an ack with used length 2 or 0xffffffff (past the one writable byte) refused");
}

int main(void)
{
    test_features();
    test_config();
    test_queues();
    test_ctrl();
    return hostcheck_end();
}
