/* nk_settings.c - the advanced properties turned into the miniport's
 * choices (see nk_settings.h).  Facts: Microsoft's "Standardized INF
 * Keywords for Network Devices" (*JumboPacket counts the frame with its
 * Ethernet header, not the FCS), "... for RSS" (*RSS 0 turns RSS off,
 * *NumRssQueues bounds the receive queues) and virtio 1.2 5.1.4.1. */
#include "nk_settings.h"

#include <string.h>

/* IRQL: any. see nk_settings.h */
void nk_settings_from_params(const struct nk_params *p, struct nk_settings *s)
{
    memset(s, 0, sizeof(*s));
    nk_feature_wish_defaults(&s->wish);
    nk_params_offloads(p, &s->offload);
    /* An offload every property turned off is not negotiated at all */
    const struct nk_offload_cfg *o = &s->offload;
    s->wish.tx_csum &= o->tx_ip4 || o->tx_tcp4 || o->tx_udp4 || o->tx_tcp6 || o->tx_udp6;
    s->wish.rx_csum &= o->rx_ip4 || o->rx_tcp4 || o->rx_udp4 || o->rx_tcp6 || o->rx_udp6;
    s->wish.lso &= o->lso4 || o->lso6;
    s->wish.rsc &= o->rsc4 || o->rsc6;
    s->wish.uso &= o->uso4 || o->uso6;
    s->wish.mrg_rxbuf = p->value[NK_P_MERGEABLE_BUFFERS] != 0;
    s->pairs_wanted = p->value[NK_P_RSS] ? (uint32_t)p->value[NK_P_NUM_RSS_QUEUES] : 1;
    s->wish.multiqueue = s->pairs_wanted > 1;
    s->frame_max = (uint32_t)p->value[NK_P_JUMBO_PACKET];
    s->tx_capacity = (uint32_t)p->value[NK_P_TX_CAPACITY];
    s->rx_capacity = (uint32_t)p->value[NK_P_RX_CAPACITY];
    s->min_rx_percent = (uint32_t)p->value[NK_P_MIN_RX_BUFFER_PCT];
    s->vlan_id = (uint16_t)p->value[NK_P_VLAN_ID];
    s->priority_vlan = (uint8_t)p->value[NK_P_PRIORITY_VLAN_TAG];
    s->wish.vlan_filter = s->vlan_id != 0; /* the device's VLAN filter for VlanId */
    s->wish.rss = p->value[NK_P_RSS] != 0;
#ifndef NK_PLANTED_LOG_ALWAYS /* planted: DoLog 0 ignored */
    s->log_level = p->value[NK_P_DO_LOG] ? (int8_t)p->value[NK_P_DEBUG_LEVEL] : (int8_t)-1;
#else
    s->log_level = (int8_t)p->value[NK_P_DEBUG_LEVEL];
#endif
    s->mac_set = p->mac_set;
    if (p->mac_set)
        memcpy(s->mac, p->mac, NK_ETH_ALEN);
}

/* IRQL: any. see nk_settings.h */
uint32_t nk_settings_mtu(const struct nk_settings *s, uint64_t features, uint16_t device_mtu,
                         bool *capped)
{
    uint32_t mtu = s->frame_max > NK_ETH_HLEN ? s->frame_max - NK_ETH_HLEN : NK_MTU_DEFAULT;
    *capped = false;
    if (mtu < VIRTIO_NET_MTU_MIN)
        mtu = VIRTIO_NET_MTU_MIN;
    if (mtu > NK_MTU_MAX)
        mtu = NK_MTU_MAX;
#ifndef NK_PLANTED_MTU
    if ((features & NK_BIT(VIRTIO_NET_F_MTU)) && device_mtu >= VIRTIO_NET_MTU_MIN &&
        mtu > device_mtu) {
        mtu = device_mtu;
        *capped = true;
    }
#else
    (void)features, (void)device_mtu; /* planted: the device's MTU ignored */
#endif
    return mtu;
}

/* IRQL: any. see nk_settings.h */
uint32_t nk_settings_tx_count(const struct nk_settings *s, uint32_t ring_size)
{
    uint32_t n = s->tx_capacity ? s->tx_capacity : ring_size;
    return n < ring_size ? n : ring_size;
}
