/*
 * test_ctrl.c - the control queue: good commands change the device state;
 * planted bad drivers, one malformed command per rule, each answered ERR
 * with its rule named and nothing changed; announcements and link changes.
 */
#include "net_test.h"

#define ALLC                                                                                       \
    (NF(CTRL_VQ) | NF(CTRL_RX) | NF(CTRL_RX_EXTRA) | NF(CTRL_VLAN) | NF(GUEST_ANNOUNCE) | NF(MQ) | \
     NF(CTRL_MAC_ADDR) | NF(RSS) | NF(HASH_REPORT) | NF(CTRL_GUEST_OFFLOADS) | NF(GUEST_CSUM) |    \
     NF(GUEST_TSO4) | NF(MRG_RXBUF) | NF(STATUS))

/* Good commands: OK, and the state says what they set. */
NT(ctrl_good_commands, ALLC, ALLC, 3, false)
{
    uint8_t off = 0, mac[6] = {0x02, 1, 2, 3, 4, 5}, two[2] = {2, 0}, vid[2] = {0x10, 0x01};
    uint8_t offl[8] = {1u << VIRTIO_NET_F_GUEST_CSUM};
    uint8_t hash[13 + 40] = {3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 40};
    memcpy(hash + 13, ms_rss_key, 40);
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &off, 1), 0);
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, mac, 6), 0);
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, two, 2), 0);
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD, vid, 2), 0);
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_GUEST_OFFLOADS, 0, offl, 8), 0);
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_HASH_CONFIG, hash, sizeof(hash)),
             0);
    const struct vmodel_net_state *s = vmodel_net_state(r->n);
    CHECK(!s->promisc);
    CHECK(memcmp(s->mac, mac, 6) == 0);
    uint8_t cfg[6];
    vmodel_get_device_cfg(r->b.m, 0, cfg, 6);
    CHECK(memcmp(cfg, mac, 6) == 0);
    CHECK_EQ(s->pairs, 2);
    CHECK(s->vlans[0x110 / 8] & (1u << (0x110 % 8)));
    CHECK(s->offloads_set && s->offloads == 2);
    CHECK(s->hash_on && s->hash_types == 3 && s->key_len == 40);
    CHECK_EQ(vmodel_net_stats(r->n)->ctrl_ok, 6);
    CHECK_EQ(vmodel_net_stats(r->n)->rule_errors, 0);
}

/* One malformed command per rule (planted bad drivers). */
struct bad_cmd {
    const char *rule;
    uint8_t cls, cmd;
    uint8_t data[24];
    uint32_t len;
};

NT(ctrl_rules_named, ALLC, ALLC & ~NF(CTRL_RX_EXTRA) & ~NF(CTRL_MAC_ADDR), 3, false)
{
    const struct bad_cmd bad[] = {
        {"rx-mode-length", VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, {1, 1}, 2},
        {"rx-mode-length", VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_ALLMULTI, {0}, 0},
        {"ctrl-without-feature", VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_NOBCAST, {1}, 1},
        {"ctrl-unknown-command", VIRTIO_NET_CTRL_RX, 9, {1}, 1},
        {"ctrl-without-feature", VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, {2}, 6},
        {"mac-table-length", VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, {2, 0, 0, 0}, 4},
        {"mac-table-length",
         VIRTIO_NET_CTRL_MAC,
         VIRTIO_NET_CTRL_MAC_TABLE_SET,
         {1, 0, 0, 0, 2, 0, 0, 0, 0, 1, 2, 0, 0, 0},
         14},
        {"vlan-id-range", VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD, {0x00, 0x10}, 2},
        {"vlan-length", VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_DEL, {1}, 1},
        {"announce-format", VIRTIO_NET_CTRL_ANNOUNCE, 1, {0}, 0},
        {"vq-pairs-range", VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, {0, 0}, 2},
        {"vq-pairs-range", VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, {4, 0}, 2},
        {"vq-pairs-length", VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, {2}, 1},
        {"rss-table-length",
         VIRTIO_NET_CTRL_MQ,
         VIRTIO_NET_CTRL_MQ_RSS_CONFIG,
         {1, 0, 0, 0, 2, 0, 0, 0},
         8},
        {"rss-length", VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_RSS_CONFIG, {1, 0, 0, 0, 0, 0}, 6},
        /* table of one entry naming queue 5 of 3 */
        {"rss-queue-range",
         VIRTIO_NET_CTRL_MQ,
         VIRTIO_NET_CTRL_MQ_RSS_CONFIG,
         {1, 0, 0, 0, 0, 0, 0, 0, 5, 0, 1, 0, 0},
         13},
        {"rss-tx-queues",
         VIRTIO_NET_CTRL_MQ,
         VIRTIO_NET_CTRL_MQ_RSS_CONFIG,
         {1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 9, 0, 0},
         13},
        {"rss-hash-types",
         VIRTIO_NET_CTRL_MQ,
         VIRTIO_NET_CTRL_MQ_RSS_CONFIG,
         {0, 2, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0},
         13},
        {"rss-key-length",
         VIRTIO_NET_CTRL_MQ,
         VIRTIO_NET_CTRL_MQ_HASH_CONFIG,
         {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 41},
         13},
        {"hash-config-length", VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_HASH_CONFIG, {1}, 5},
        {"ctrl-unknown-command", VIRTIO_NET_CTRL_MQ, 7, {0}, 0},
        {"offloads-unnegotiated", VIRTIO_NET_CTRL_GUEST_OFFLOADS, 0, {0x00, 0x01}, 8},
        {"offloads-length", VIRTIO_NET_CTRL_GUEST_OFFLOADS, 0, {2}, 4},
        {"ctrl-unknown-class", 42, 0, {0}, 0},
    };
    uint64_t ok = vmodel_net_stats(r->n)->ctrl_ok;
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint64_t before = vmodel_net_stats(r->n)->rule_errors;
        int ack = nrig_ctrl(r, bad[i].cls, bad[i].cmd, bad[i].data, bad[i].len);
        if (ack != VIRTIO_NET_ERR || !net_rule_is(r, bad[i].rule))
            fprintf(stderr, "  case %u (%s): ack %d, %s\n", i, bad[i].rule, ack,
                    vmodel_net_stats(r->n)->last_rule);
        CHECK_EQ(ack, VIRTIO_NET_ERR);
        CHECK(net_rule_is(r, bad[i].rule));
        CHECK_EQ(vmodel_net_stats(r->n)->rule_errors, before + 1);
    }
    const struct vmodel_net_state *s = vmodel_net_state(r->n);
    CHECK(s->promisc && s->pairs == 1 && !s->rss_on && !s->hash_on && !s->offloads_set);
    CHECK_EQ(vmodel_net_stats(r->n)->ctrl_ok, ok);
}

/* A control command with no ack byte, and one too short for class and command. */
NT(ctrl_shapes, ALLC, ALLC, 1, false)
{
    struct virtqueue *vq = &r->b.vq[r->b.nq - 1];
    struct virtqueue_req rq;
    uint32_t used;
    CHECK_EQ(virtqueue_req_open(vq, &rq, 1, NULL), 0);
    virtqueue_req_seg(&rq, bed_buf_pa(&r->b, NRIG_CTRL_BUF), 3, 0);
    CHECK_EQ(virtqueue_req_close(&rq, bed_buf_va(&r->b, NRIG_CTRL_BUF)), 0);
    virtqueue_kick(vq);
    nrig_step(r);
    CHECK(virtqueue_get(vq, &used) != NULL);
    CHECK(net_rule_is(r, "ctrl-no-ack"));
    CHECK_EQ(nrig_ctrl(r, 0, 0, NULL, 0), VIRTIO_NET_ERR); /* RX PROMISC without its byte */
    CHECK(net_rule_is(r, "rx-mode-length"));
}

/* No CTRL_VQ negotiated: queue 2 is no control queue for the driver to use. */
NT(ctrl_without_ctrl_vq, NF(CTRL_VQ) | NF(CTRL_RX), 0, 1, false)
{
    uint8_t on = 1;
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &on, 1), VIRTIO_NET_ERR);
    CHECK(net_rule_is(r, "ctrl-without-feature"));
}

/* ANNOUNCE: set with a configuration interrupt when negotiated, cleared by the ack. */
NT(ctrl_announce, ALLC, ALLC, 1, false)
{
    unsigned irqs = r->b.irqs;
    CHECK(vmodel_net_announce(r->n));
    CHECK(r->b.irqs > irqs);
    uint8_t st[2];
    vmodel_get_device_cfg(r->b.m, VIRTIO_NET_CFG_STATUS, st, 2);
    CHECK_EQ(st[0], VIRTIO_NET_S_LINK_UP | VIRTIO_NET_S_ANNOUNCE);
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_ANNOUNCE, VIRTIO_NET_CTRL_ANNOUNCE_ACK, NULL, 0), 0);
    vmodel_get_device_cfg(r->b.m, VIRTIO_NET_CFG_STATUS, st, 2);
    CHECK_EQ(st[0], VIRTIO_NET_S_LINK_UP);
}

NT(ctrl_announce_not_negotiated, ALLC, ALLC & ~NF(GUEST_ANNOUNCE), 1, false)
{
    CHECK(!vmodel_net_announce(r->n));
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_ANNOUNCE, VIRTIO_NET_CTRL_ANNOUNCE_ACK, NULL, 0),
             VIRTIO_NET_ERR);
}

/* GUEST_OFFLOADS_SET 0 turns receive checksum validation off: no DATA_VALID after it. */
NT(ctrl_offloads_apply, ALLC, ALLC, 1, false)
{
    static uint8_t fr[200], got[4096], hdr[20];
    struct fspec s = {.vlan = -1, .ipver = 4, .proto = 6, .sport = 1, .dport = 2, .payload = 50};
    uint32_t len = frame_build(fr, &s, NULL, NULL);
    frame_csum_full(fr, len);
    unsigned nb;
    CHECK_EQ(nrig_post_rx(r, 0, 2, 4096), 0);
    CHECK_EQ(vmodel_net_wire_inject(r->n, fr, len, NULL), 0);
    CHECK_EQ(nrig_receive(r, 0, hdr, got, sizeof(got), &nb), len);
    CHECK_EQ(hdr[0], VIRTIO_NET_HDR_F_DATA_VALID);
    uint8_t zero[8] = {0};
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_GUEST_OFFLOADS, 0, zero, 8), 0);
    CHECK_EQ(vmodel_net_wire_inject(r->n, fr, len, NULL), 0);
    CHECK_EQ(nrig_receive(r, 0, hdr, got, sizeof(got), &nb), len);
    CHECK_EQ(hdr[0], 0);
}

/* A device reset puts the filters back to their start. */
NT(ctrl_reset_defaults, ALLC, ALLC, 2, false)
{
    uint8_t off = 0, two[2] = {2, 0};
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &off, 1), 0);
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, two, 2), 0);
    vmodel_bar_write(r->b.m, VMODEL_MODERN_BAR, VMODEL_COMMON_OFF + 20, 1, 0);
    for (int i = 0; i < 4 && vmodel_status(r->b.m) != 0; i++)
        vmodel_bar_read(r->b.m, VMODEL_MODERN_BAR, VMODEL_COMMON_OFF + 20, 1);
    uint8_t f[60] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 2, 0, 0, 0, 0, 9, 0x08, 0x06};
    vmodel_net_wire_inject(r->n, f, 60, NULL); /* notices the reset */
    const struct vmodel_net_state *s = vmodel_net_state(r->n);
    CHECK(s->promisc);
    CHECK_EQ(s->pairs, 1);
}

/* A device reset returns everything the control queue set to its power-on value at the reset
 * itself (virtio 1.2 2.4, 3.1.1), without waiting for a request: receive mode, MAC address (and
 * the configuration's mac), MAC table, VLAN filter, RSS and hash, guest offloads, pairs and a
 * pending announcement. */
NT(ctrl_reset_everything, ALLC, ALLC, 2, false)
{
    struct vmodel_net_state s0;
    memcpy(&s0, vmodel_net_state(r->n), sizeof(s0)); /* padding too: compared whole */
    uint8_t cfg0[VMODEL_NET_CFG_LEN], cfg[VMODEL_NET_CFG_LEN];
    vmodel_get_device_cfg(r->b.m, 0, cfg0, sizeof(cfg0));
    uint8_t on = 1, mac[6] = {0x02, 1, 2, 3, 4, 5}, two[2] = {2, 0}, vid[2] = {0x10, 0x01};
    uint8_t offl[8] = {1u << VIRTIO_NET_F_GUEST_CSUM};
    uint8_t table[4 + 6 + 4 + 6] = {1, 0, 0, 0, 0x02, 9, 9,    9, 9, 9,
                                    1, 0, 0, 0, 1,    0, 0x5e, 0, 0, 1};
    /* types, mask 1, unclassified 0, table {1, 0}, max_tx_vq 2, key length 40, key */
    uint8_t rss[15 + 40] = {3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 40};
    memcpy(rss + 15, ms_rss_key, 40);
    for (uint8_t c = VIRTIO_NET_CTRL_RX_PROMISC; c <= VIRTIO_NET_CTRL_RX_NOBCAST; c++)
        CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_RX, c, &on, 1), 0);
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, mac, 6), 0);
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, table, sizeof(table)),
             0);
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, two, 2), 0);
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD, vid, 2), 0);
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_GUEST_OFFLOADS, 0, offl, 8), 0);
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_RSS_CONFIG, rss, sizeof(rss)), 0);
    CHECK(vmodel_net_announce(r->n));
    CHECK(memcmp(vmodel_net_state(r->n), &s0, sizeof(s0)) != 0);
    vmodel_bar_write(r->b.m, VMODEL_MODERN_BAR, VMODEL_COMMON_OFF + 20, 1, 0);
    for (int i = 0; i < 4 && vmodel_status(r->b.m) != 0; i++)
        vmodel_bar_read(r->b.m, VMODEL_MODERN_BAR, VMODEL_COMMON_OFF + 20, 1);
    const struct vmodel_net_state *s = vmodel_net_state(r->n);
    CHECK(s->promisc && !s->allmulti && !s->alluni && !s->nomulti && !s->nouni && !s->nobcast);
    CHECK(memcmp(s->mac, s0.mac, 6) == 0);
    CHECK_EQ(s->multi_count, 0);
    CHECK(!s->vlans[0x110 / 8]);
    CHECK(!s->rss_on && !s->hash_on && !s->offloads_set);
    CHECK_EQ(s->pairs, 1);
    CHECK(memcmp(s, &s0, sizeof(s0)) == 0);
    CHECK(!vmodel_net_announce_pending(r->n));
    vmodel_get_device_cfg(r->b.m, 0, cfg, sizeof(cfg));
    CHECK(memcmp(cfg, cfg0, sizeof(cfg)) == 0);
}

/* hostile ctrl_refuse: the next command is answered VIRTIO_NET_ERR and changes nothing. */
NT(ctrl_refuse_knob, ALLC, ALLC, 1, false)
{
    uint8_t off = 0;
    vmodel_net_set_hostile(r->n, &(struct vmodel_net_hostile){.ctrl_refuse = 1});
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &off, 1), VIRTIO_NET_ERR);
    CHECK(vmodel_net_state(r->n)->promisc);
    CHECK_EQ(vmodel_net_stats(r->n)->hostile_done, 1);
    CHECK_EQ(nrig_ctrl(r, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &off, 1), 0);
    CHECK(!vmodel_net_state(r->n)->promisc);
    CHECK_EQ(vmodel_net_stats(r->n)->rule_errors, 0);
}

const struct vtest net_ctrl_tests[] = {
    {"ctrl_good_commands", ctrl_good_commands},
    {"ctrl_rules_named", ctrl_rules_named},
    {"ctrl_shapes", ctrl_shapes},
    {"ctrl_without_ctrl_vq", ctrl_without_ctrl_vq},
    {"ctrl_announce", ctrl_announce},
    {"ctrl_announce_not_negotiated", ctrl_announce_not_negotiated},
    {"ctrl_offloads_apply", ctrl_offloads_apply},
    {"ctrl_reset_defaults", ctrl_reset_defaults},
    {"ctrl_reset_everything", ctrl_reset_everything},
    {"ctrl_refuse_knob", ctrl_refuse_knob},
    {NULL, NULL},
};
