/*
 * nk_config.c - the virtio-net configuration (spec 5.1.4), checked value
 * by value: a field is read only when its feature was negotiated and the
 * region is long enough to hold it; a bad value gets a finding and a safe
 * default, never a failed start.
 */
#include "nk_net.h"

/* IRQL: any. true if the len-byte region holds the field [off, off + size) */
static bool nk_has(size_t len, size_t off, size_t size)
{
    return off <= len && size <= len - off;
}

/* IRQL: any. unicast (group bit clear) and not all zeros */
bool nk_mac_usable(const uint8_t *mac)
{
    uint8_t any = 0;
    for (unsigned i = 0; i < NK_ETH_ALEN; i++)
        any |= mac[i];
    return any != 0 && (mac[0] & 1) == 0;
}

/* IRQL: any. the MAC field, or the fallback */
static unsigned nk_check_mac(const uint8_t *cfg, size_t len, uint64_t f, const uint8_t *fallback,
                             struct nk_config *c)
{
    unsigned found = 0;
    c->mac_from_device = false;
    if (f & NK_BIT(VIRTIO_NET_F_MAC)) {
        if (!nk_has(len, NK_CFG_MAC, NK_ETH_ALEN)) {
            found |= NK_SHORT_CONFIG;
        } else if (nk_mac_usable(cfg + NK_CFG_MAC)) {
            for (unsigned i = 0; i < NK_ETH_ALEN; i++)
                c->mac[i] = cfg[NK_CFG_MAC + i];
            c->mac_from_device = true;
        } else {
            found |= NK_BAD_MAC;
        }
    }
    if (!c->mac_from_device)
        for (unsigned i = 0; i < NK_ETH_ALEN; i++)
            c->mac[i] = fallback[i];
    return found;
}

/* IRQL: any. the status word: link and announce */
bool nk_config_status(const uint8_t *cfg, size_t len, uint64_t f, struct nk_config *c)
{
    c->has_status = false;
    c->link_up = true; /* without STATUS the link is always up (spec 5.1.4.2) */
    c->announce = false;
    if (!(f & NK_BIT(VIRTIO_NET_F_STATUS)) || !nk_has(len, NK_CFG_STATUS, 2))
        return false;
    uint16_t st = nk_le16(cfg + NK_CFG_STATUS);
    c->has_status = true;
    c->link_up = (st & VIRTIO_NET_S_LINK_UP) != 0;
    c->announce = (f & NK_BIT(VIRTIO_NET_F_GUEST_ANNOUNCE)) && (st & VIRTIO_NET_S_ANNOUNCE);
    return true;
}

/* IRQL: any. the bit to negotiate again without when its field is rejected */
static uint64_t nk_drop_bit(unsigned bit)
{
#ifndef NK_PLANTED_KEEP_REJECTED
    return NK_BIT(bit);
#else
    (void)bit; /* planted: the rejected field's feature stays negotiated */
    return 0;
#endif
}

/* IRQL: any. max_virtqueue_pairs, mtu */
static unsigned nk_check_sizes(const uint8_t *cfg, size_t len, uint64_t f, struct nk_config *c)
{
    unsigned found = 0;
    c->max_pairs = 1;
    if (f & NK_BIT(VIRTIO_NET_F_MQ)) {
        if (!nk_has(len, NK_CFG_MAX_PAIRS, 2)) {
            found |= NK_SHORT_CONFIG;
            c->drop |= NK_BIT(VIRTIO_NET_F_MQ);
        } else {
            uint16_t p = nk_le16(cfg + NK_CFG_MAX_PAIRS);
#ifndef NK_PLANTED_PAIRS
            if (p < VIRTIO_NET_MQ_PAIRS_MIN || p > VIRTIO_NET_MQ_PAIRS_MAX)
#else
            if (p > VIRTIO_NET_MQ_PAIRS_MAX) /* planted: 0 pairs let through */
#endif
                found |= NK_BAD_PAIRS, c->drop |= nk_drop_bit(VIRTIO_NET_F_MQ);
            else
                c->max_pairs = p;
        }
    }
    c->mtu = NK_MTU_DEFAULT;
    if (f & NK_BIT(VIRTIO_NET_F_MTU)) {
        if (!nk_has(len, NK_CFG_MTU, 2)) {
            found |= NK_SHORT_CONFIG;
            c->drop |= NK_BIT(VIRTIO_NET_F_MTU);
        } else {
            uint16_t m = nk_le16(cfg + NK_CFG_MTU);
            if (m < VIRTIO_NET_MTU_MIN || m > NK_MTU_MAX)
                found |= NK_BAD_MTU, c->drop |= nk_drop_bit(VIRTIO_NET_F_MTU);
            else
                c->mtu = m;
        }
    }
    return found;
}

/* IRQL: any. speed and duplex */
static unsigned nk_check_link(const uint8_t *cfg, size_t len, uint64_t f, struct nk_config *c)
{
    unsigned found = 0;
    c->speed_bps = NK_DEFAULT_SPEED_BPS;
    c->duplex = VIRTIO_NET_DUPLEX_FULL;
    if (!(f & NK_BIT(VIRTIO_NET_F_SPEED_DUPLEX)))
        return 0;
    if (!nk_has(len, NK_CFG_DUPLEX, 1))
        return NK_SHORT_CONFIG;
    uint32_t mbps = nk_le32(cfg + NK_CFG_SPEED);
    if (mbps == 0)
        found |= NK_BAD_SPEED;
    else if (mbps != VIRTIO_NET_SPEED_UNKNOWN)
        c->speed_bps = (uint64_t)mbps * 1000000u; /* fits: 2^32 * 10^6 < 2^52 */
    uint8_t d = cfg[NK_CFG_DUPLEX];
    if (d == VIRTIO_NET_DUPLEX_HALF || d == VIRTIO_NET_DUPLEX_FULL)
        c->duplex = d;
    else if (d == VIRTIO_NET_DUPLEX_UNKNOWN)
        c->duplex = VIRTIO_NET_DUPLEX_UNKNOWN;
    else
        c->duplex = VIRTIO_NET_DUPLEX_UNKNOWN, found |= NK_BAD_DUPLEX;
    return found;
}

/* IRQL: any. see nk_net.h. */
unsigned nk_config_link(const uint8_t *cfg, size_t len, uint64_t f, struct nk_config *c)
{
    return nk_check_link(cfg, len, f, c);
}

/* IRQL: any. the RSS limits (RSS or HASH_REPORT) */
static unsigned nk_check_rss(const uint8_t *cfg, size_t len, uint64_t f, struct nk_config *c)
{
    c->rss_key_max = 0;
    c->rss_table_max = 0;
    c->hash_types = 0;
    if (!(f & (NK_BIT(VIRTIO_NET_F_RSS) | NK_BIT(VIRTIO_NET_F_HASH_REPORT))))
        return 0;
    if (!nk_has(len, NK_CFG_HASH_TYPES, 4))
        return NK_SHORT_CONFIG;
    uint8_t key = cfg[NK_CFG_RSS_KEY_MAX];
    uint16_t table = nk_le16(cfg + NK_CFG_RSS_TABLE_MAX);
    /* The table length is a power of two (the mask the device applies);
     * a device below the spec's minimums gets no RSS configuration, and
     * VIRTIO_NET_F_RSS is negotiated away (the driver hashes in software) */
#ifndef NK_PLANTED_RSS_LIMITS
    if ((f & NK_BIT(VIRTIO_NET_F_RSS)) &&
        (key < VIRTIO_NET_RSS_KEY_MIN || table < VIRTIO_NET_RSS_TABLE_MIN ||
         (table & (table - 1)) != 0)) {
        c->drop |= nk_drop_bit(VIRTIO_NET_F_RSS);
        return NK_BAD_RSS;
    }
#endif
    c->rss_key_max = key;
    c->rss_table_max = table;
    c->hash_types = nk_le32(cfg + NK_CFG_HASH_TYPES);
    return 0;
}

/* IRQL: any. check the whole configuration (see nk_net.h) */
unsigned nk_config_check(const uint8_t *cfg, size_t len, uint64_t f, const uint8_t *fallback,
                         struct nk_config *c)
{
    c->drop = 0;
    unsigned found = nk_check_mac(cfg, len, f, fallback, c);
    if (f & NK_BIT(VIRTIO_NET_F_STATUS)) {
        if (!nk_config_status(cfg, len, f, c))
            found |= NK_SHORT_CONFIG;
        else if (nk_le16(cfg + NK_CFG_STATUS) & ~(VIRTIO_NET_S_LINK_UP | VIRTIO_NET_S_ANNOUNCE))
            found |= NK_BAD_STATUS;
    } else {
        nk_config_status(cfg, len, f, c);
    }
    found |= nk_check_sizes(cfg, len, f, c);
    found |= nk_check_link(cfg, len, f, c);
    found |= nk_check_rss(cfg, len, f, c);
    return found;
}

/* IRQL: any. a one-line description of one finding bit */
const char *nk_finding_text(unsigned finding)
{
    switch (finding) {
    case NK_BAD_MAC:
        return "MAC address multicast or zero: a locally administered one used";
    case NK_BAD_PAIRS:
        return "max_virtqueue_pairs outside 1..0x8000: MQ not negotiated, one pair used";
    case NK_BAD_MTU:
        return "MTU outside 68..65500: F_MTU not negotiated, 1500 used";
    case NK_BAD_SPEED:
        return "link speed 0: reported as 10 Gbit/s";
    case NK_BAD_DUPLEX:
        return "duplex not 0, 1 or 0xff: reported as unknown";
    case NK_BAD_RSS:
        return "RSS key or indirection table below the minimum: device RSS not used";
    case NK_BAD_STATUS:
        return "status bits beyond LINK_UP and ANNOUNCE: ignored";
    case NK_SHORT_CONFIG:
        return "configuration region ends before a negotiated field: defaults used";
    default:
        return "unknown finding";
    }
}
