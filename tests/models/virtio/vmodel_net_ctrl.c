/*
 * vmodel_net_ctrl.c - the control virtqueue (5.1.6.5): class, command,
 * command data (device-readable), one ack byte (device-writable).  Every
 * command is checked against the negotiated features and its own layout;
 * a malformed one is answered VIRTIO_NET_ERR, names its rule and changes
 * nothing.
 */
#include <string.h>

#include "vmodel_net_priv.h"

#define CTRL_MAX 8192u /* longest command taken (a full MAC table or RSS table fits) */

/* The state at device reset: promiscuous as a device starts (the spec leaves the starting
 * filter to the device; QEMU's devices start promiscuous), no tables, one pair. */
void net_ctrl_defaults(struct vmodel_net *n)
{
    memset(&n->st, 0, sizeof(n->st));
    n->st.promisc = true;
    memcpy(n->st.mac, n->cfg.mac, 6);
    n->st.pairs = 1;
}

/* A command whose class needs feature BIT; false (rule recorded) when not negotiated. */
static bool need(struct vmodel_net *n, unsigned bit, const char *what)
{
    if (net_has(n, bit))
        return true;
    net_rule(n, "ctrl-without-feature", "%s without feature bit %u", what, bit);
    return false;
}

static bool ctrl_rx(struct vmodel_net *n, uint8_t cmd, const uint8_t *d, uint32_t len)
{
    bool *mode[] = {&n->st.promisc, &n->st.allmulti, &n->st.alluni,
                    &n->st.nomulti, &n->st.nouni,    &n->st.nobcast};
    if (!need(n, VIRTIO_NET_F_CTRL_RX, "VIRTIO_NET_CTRL_RX"))
        return false;
    if (cmd > VIRTIO_NET_CTRL_RX_NOBCAST) {
        net_rule(n, "ctrl-unknown-command", "RX command %u", cmd);
        return false;
    }
    /* 5.1.6.5.1: commands 2..5 come with CTRL_RX_EXTRA */
    if (cmd >= VIRTIO_NET_CTRL_RX_ALLUNI &&
        !need(n, VIRTIO_NET_F_CTRL_RX_EXTRA, "VIRTIO_NET_CTRL_RX command 2..5"))
        return false;
    if (len != 1) {
        net_rule(n, "rx-mode-length", "RX command %u with %u data bytes (1 expected)", cmd, len);
        return false;
    }
    *mode[cmd] = d[0] != 0;
    return true;
}

static bool ctrl_mac(struct vmodel_net *n, uint8_t cmd, const uint8_t *d, uint32_t len)
{
    if (cmd == VIRTIO_NET_CTRL_MAC_ADDR_SET) {
        if (!need(n, VIRTIO_NET_F_CTRL_MAC_ADDR, "VIRTIO_NET_CTRL_MAC_ADDR_SET"))
            return false;
        if (len != 6) {
            net_rule(n, "mac-addr-length", "MAC_ADDR_SET with %u bytes", len);
            return false;
        }
        memcpy(n->st.mac, d, 6);
        memcpy(n->cfg.mac, d, 6); /* the configuration's mac follows (5.1.6.5.2) */
        net_write_config(n);
        return true;
    }
    if (cmd != VIRTIO_NET_CTRL_MAC_TABLE_SET) {
        net_rule(n, "ctrl-unknown-command", "MAC command %u", cmd);
        return false;
    }
    if (!need(n, VIRTIO_NET_F_CTRL_RX, "VIRTIO_NET_CTRL_MAC_TABLE_SET"))
        return false;
    /* Two struct virtio_net_ctrl_mac: le32 entries, entries x 6 bytes; unicast first */
    uint32_t uni = len >= 4 ? net_le32(d) : 0, at = 4 + 6 * (uint64_t)uni <= len ? 4 + 6 * uni : 0;
    uint32_t multi = at != 0 && at + 4 <= len ? net_le32(d + at) : 0;
    if (len < 8 || at == 0 || at + 4 > len || (uint64_t)at + 4 + 6 * (uint64_t)multi != len) {
        net_rule(n, "mac-table-length",
                 "MAC_TABLE_SET of %u bytes does not hold the entry counts it gives", len);
        return false;
    }
    n->st.uni_overflow = uni > VMODEL_NET_MAC_TABLE;
    n->st.multi_overflow = multi > VMODEL_NET_MAC_TABLE - (n->st.uni_overflow ? 0 : uni);
    n->st.uni_count = n->st.uni_overflow ? 0 : uni;
    n->st.multi_count = n->st.multi_overflow ? 0 : multi;
    memcpy(n->st.macs, d + 4, 6 * n->st.uni_count);
    memcpy(n->st.macs[n->st.uni_count], d + at + 4, 6 * n->st.multi_count);
    return true;
}

static bool ctrl_vlan(struct vmodel_net *n, uint8_t cmd, const uint8_t *d, uint32_t len)
{
    if (!need(n, VIRTIO_NET_F_CTRL_VLAN, "VIRTIO_NET_CTRL_VLAN"))
        return false;
    if (cmd > VIRTIO_NET_CTRL_VLAN_DEL) {
        net_rule(n, "ctrl-unknown-command", "VLAN command %u", cmd);
        return false;
    }
    if (len != 2) {
        net_rule(n, "vlan-length", "VLAN command with %u bytes", len);
        return false;
    }
    uint16_t vid = net_le16(d);
    if (vid >= 4096) {
        net_rule(n, "vlan-id-range", "VLAN id %u", vid);
        return false;
    }
    if (cmd == VIRTIO_NET_CTRL_VLAN_ADD)
        n->st.vlans[vid / 8] |= (uint8_t)(1u << (vid % 8));
    else
        n->st.vlans[vid / 8] &= (uint8_t)~(1u << (vid % 8));
    return true;
}

/* Key length and hash types, shared by RSS_CONFIG and HASH_CONFIG (5.1.6.5.6.4). */
static bool hash_params_ok(struct vmodel_net *n, const char *cmd, uint32_t types, uint8_t key_len)
{
    if (key_len > n->cfg.rss_max_key_size || key_len > VMODEL_NET_KEY_MAX) {
        net_rule(n, "rss-key-length", "%s: key of %u bytes, rss_max_key_size %u", cmd, key_len,
                 n->cfg.rss_max_key_size);
        return false;
    }
    if (types & ~n->cfg.supported_hash_types) {
        net_rule(n, "rss-hash-types", "%s: hash types 0x%x, supported 0x%x", cmd, types,
                 n->cfg.supported_hash_types);
        return false;
    }
    return true;
}

static bool ctrl_rss(struct vmodel_net *n, const uint8_t *d, uint32_t len)
{
    /* struct virtio_net_rss_config: le32 hash_types, le16 indirection_table_mask,
     * le16 unclassified_queue, le16 indirection_table[mask + 1], le16 max_tx_vq,
     * u8 hash_key_length, u8 hash_key_data[] (5.1.6.5.7.1) */
    if (!need(n, VIRTIO_NET_F_RSS, "VIRTIO_NET_CTRL_MQ_RSS_CONFIG"))
        return false;
    if (len < 8) {
        net_rule(n, "rss-length", "RSS_CONFIG of %u bytes", len);
        return false;
    }
    uint32_t types = net_le32(d), tlen = (uint32_t)net_le16(d + 4) + 1;
    uint16_t uncl = net_le16(d + 6);
    if ((tlen & (tlen - 1)) != 0 || tlen > n->cfg.rss_max_indirection_table_length ||
        tlen > VMODEL_NET_TABLE_MAX) {
        net_rule(n, "rss-table-length",
                 "indirection table of %u entries (a power of two <= %u expected)", tlen,
                 n->cfg.rss_max_indirection_table_length);
        return false;
    }
    uint32_t at = 8 + 2 * tlen;
    if (len < at + 3 || len != at + 3 + d[at + 2]) {
        net_rule(n, "rss-length", "RSS_CONFIG of %u bytes for a table of %u entries", len, tlen);
        return false;
    }
    uint16_t max_tx = net_le16(d + at);
    uint8_t key_len = d[at + 2];
    if (!hash_params_ok(n, "RSS_CONFIG", types, key_len))
        return false;
    unsigned pairs = net_pairs_max(n);
    for (uint32_t i = 0; i <= tlen; i++) {
        uint16_t q = i < tlen ? net_le16(d + 8 + 2 * i) : uncl;
        if (q >= pairs) {
            net_rule(n, "rss-queue-range", "%s %u names receive queue %u of %u",
                     i < tlen ? "indirection entry" : "unclassified_queue", i, q, pairs);
            return false;
        }
    }
    if (max_tx == 0 || max_tx > pairs) {
        net_rule(n, "rss-tx-queues", "max_tx_vq %u of %u pairs", max_tx, pairs);
        return false;
    }
    n->st.rss_on = true;
    n->st.hash_on = net_has(n, VIRTIO_NET_F_HASH_REPORT) && types != 0;
    n->st.hash_types = types;
    n->st.table_len = (uint16_t)tlen;
    n->st.unclassified = uncl;
    for (uint32_t i = 0; i < tlen; i++)
        n->st.table[i] = net_le16(d + 8 + 2 * i);
    n->st.key_len = key_len;
    memcpy(n->st.key, d + at + 3, key_len);
    n->st.pairs = max_tx;
    return true;
}

static bool ctrl_mq(struct vmodel_net *n, uint8_t cmd, const uint8_t *d, uint32_t len)
{
    if (cmd == VIRTIO_NET_CTRL_MQ_RSS_CONFIG)
        return ctrl_rss(n, d, len);
    if (cmd == VIRTIO_NET_CTRL_MQ_HASH_CONFIG) {
        /* le32 hash_types, le16 reserved[4], u8 hash_key_length, key (5.1.6.5.6.4) */
        if (!need(n, VIRTIO_NET_F_HASH_REPORT, "VIRTIO_NET_CTRL_MQ_HASH_CONFIG"))
            return false;
        if (len >= 13 && !hash_params_ok(n, "HASH_CONFIG", net_le32(d), d[12]))
            return false;
        if (len < 13 || len != 13u + d[12]) {
            net_rule(n, "hash-config-length", "HASH_CONFIG of %u bytes", len);
            return false;
        }
        n->st.hash_types = net_le32(d);
        n->st.hash_on = n->st.hash_types != 0;
        n->st.key_len = d[12];
        memcpy(n->st.key, d + 13, d[12]);
        return true;
    }
    if (cmd != VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET) {
        net_rule(n, "ctrl-unknown-command", "MQ command %u", cmd);
        return false;
    }
    if (!need(n, VIRTIO_NET_F_MQ, "VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET"))
        return false;
    if (len != 2) {
        net_rule(n, "vq-pairs-length", "VQ_PAIRS_SET with %u bytes", len);
        return false;
    }
    uint16_t pairs = net_le16(d);
    /* 5.1.6.5.5: 1 <= virtqueue_pairs <= max_virtqueue_pairs */
    if (pairs < 1 || pairs > n->cfg.max_virtqueue_pairs || pairs > VMODEL_NET_MAX_PAIRS) {
        net_rule(n, "vq-pairs-range", "VQ_PAIRS_SET %u of %u", pairs, n->cfg.max_virtqueue_pairs);
        return false;
    }
    n->st.pairs = pairs;
    return true;
}

static bool ctrl_offloads(struct vmodel_net *n, uint8_t cmd, const uint8_t *d, uint32_t len)
{
    const uint64_t rx_offloads = 1ull << VIRTIO_NET_F_GUEST_CSUM | 1ull << VIRTIO_NET_F_GUEST_TSO4 |
                                 1ull << VIRTIO_NET_F_GUEST_TSO6 | 1ull << VIRTIO_NET_F_GUEST_ECN |
                                 1ull << VIRTIO_NET_F_GUEST_UFO | 1ull << VIRTIO_NET_F_GUEST_USO4 |
                                 1ull << VIRTIO_NET_F_GUEST_USO6;
    if (!need(n, VIRTIO_NET_F_CTRL_GUEST_OFFLOADS, "VIRTIO_NET_CTRL_GUEST_OFFLOADS"))
        return false;
    if (cmd != VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET) {
        net_rule(n, "ctrl-unknown-command", "GUEST_OFFLOADS command %u", cmd);
        return false;
    }
    if (len != 8) {
        net_rule(n, "offloads-length", "GUEST_OFFLOADS_SET with %u bytes", len);
        return false;
    }
    uint64_t v = (uint64_t)net_le32(d) | (uint64_t)net_le32(d + 4) << 32;
    uint64_t neg = vmodel_driver_features(n->m) & rx_offloads;
    /* 5.1.6.5.6.1: the driver MUST NOT enable an offload it did not negotiate */
    if (v & ~neg) {
        net_rule(n, "offloads-unnegotiated", "GUEST_OFFLOADS_SET 0x%llx, negotiated 0x%llx",
                 (unsigned long long)v, (unsigned long long)neg);
        return false;
    }
    n->st.offloads = v;
    n->st.offloads_set = true;
    return true;
}

uint32_t net_ctrl(struct vmodel_net *n, const struct vmodel_req *req)
{
    static uint8_t buf[CTRL_MAX];
    uint8_t *ack = NULL;
    uint32_t got = 0;
    bool ok = false;

    for (unsigned i = 0; i < req->nsegs; i++) {
        const struct vmodel_seg *s = &req->segs[i];
        if (s->write) {
            if (ack == NULL && s->len > 0)
                ack = s->va;
            continue;
        }
        uint32_t take = s->len < CTRL_MAX - got ? s->len : CTRL_MAX - got;
        memcpy(buf + got, s->va, take);
        got += take;
    }
    if (ack == NULL) {
        net_rule(n, "ctrl-no-ack", "control command with no device-writable ack byte");
        n->stats.ctrl_err++;
        return 0;
    }
    if (!net_has(n, VIRTIO_NET_F_CTRL_VQ))
        net_rule(n, "ctrl-without-feature", "control queue used without VIRTIO_NET_F_CTRL_VQ");
    else if (req->out_len > CTRL_MAX)
        net_rule(n, "ctrl-too-long", "control command of %u bytes", req->out_len);
    else if (got < 2)
        net_rule(n, "ctrl-short", "control command of %u bytes", got);
    else if (n->hostile.ctrl_refuse > 0) {
        n->hostile.ctrl_refuse--; /* VIRTIO_NET_ERR for a command it could take (5.1.6.5) */
        n->stats.hostile_done++;
    } else {
        const uint8_t *d = buf + 2;
        uint32_t len = got - 2;
        switch (buf[0]) {
        case VIRTIO_NET_CTRL_RX:
            ok = ctrl_rx(n, buf[1], d, len);
            break;
        case VIRTIO_NET_CTRL_MAC:
            ok = ctrl_mac(n, buf[1], d, len);
            break;
        case VIRTIO_NET_CTRL_VLAN:
            ok = ctrl_vlan(n, buf[1], d, len);
            break;
        case VIRTIO_NET_CTRL_ANNOUNCE:
            if (!need(n, VIRTIO_NET_F_GUEST_ANNOUNCE, "VIRTIO_NET_CTRL_ANNOUNCE"))
                break;
            if (buf[1] != VIRTIO_NET_CTRL_ANNOUNCE_ACK || len != 0) {
                net_rule(n, "announce-format", "ANNOUNCE command %u with %u bytes", buf[1], len);
                break;
            }
            net_announce_ack(n);
            ok = true;
            break;
        case VIRTIO_NET_CTRL_MQ:
            ok = ctrl_mq(n, buf[1], d, len);
            break;
        case VIRTIO_NET_CTRL_GUEST_OFFLOADS:
            ok = ctrl_offloads(n, buf[1], d, len);
            break;
        default:
            net_rule(n, "ctrl-unknown-class", "control class %u", buf[0]);
        }
    }
    *ack = ok ? VIRTIO_NET_OK : VIRTIO_NET_ERR;
    if (ok)
        n->stats.ctrl_ok++;
    else
        n->stats.ctrl_err++;
    return 1;
}
