/*
 * nk_features.c - which virtio-net feature bits the driver acknowledges:
 * what the device offers, limited to what the miniport drives and the
 * advanced properties allow, closed under the dependencies of spec
 * 5.1.3.1 (a bit is kept only with what it requires).
 */
#include "nk_net.h"

/* IRQL: any. the driver's defaults: MRG_RXBUF on; the checksum and LSOv2
 * offloads and RSC the send and receive paths drive (tx_offload.c,
 * rx_offload.c); USO off: only the NDIS 6.83 build drives it (tx_uso.c),
 * and asks for it itself (params.c) */
void nk_feature_wish_defaults(struct nk_feature_wish *w)
{
    w->mrg_rxbuf = true;
    w->tx_csum = true;
    w->rx_csum = true;
    w->lso = true;
    w->rsc = true;
    w->uso = false;
    w->multiqueue = true;
    w->packed = true;
    w->vlan_filter = false;
    w->rss = true;
}

/* One dependency: bit needs one of the bits in any_of */
struct nk_dep {
    uint8_t bit;
    uint64_t any_of;
};

#define B NK_BIT
static const struct nk_dep nk_deps[] = {
    {VIRTIO_NET_F_GUEST_TSO4, B(VIRTIO_NET_F_GUEST_CSUM)},
    {VIRTIO_NET_F_GUEST_TSO6, B(VIRTIO_NET_F_GUEST_CSUM)},
    {VIRTIO_NET_F_GUEST_UFO, B(VIRTIO_NET_F_GUEST_CSUM)},
    {VIRTIO_NET_F_GUEST_ECN, B(VIRTIO_NET_F_GUEST_TSO4) | B(VIRTIO_NET_F_GUEST_TSO6)},
    {VIRTIO_NET_F_HOST_TSO4, B(VIRTIO_NET_F_CSUM)},
    {VIRTIO_NET_F_HOST_TSO6, B(VIRTIO_NET_F_CSUM)},
    {VIRTIO_NET_F_HOST_UFO, B(VIRTIO_NET_F_CSUM)},
    {VIRTIO_NET_F_HOST_USO, B(VIRTIO_NET_F_CSUM)},
    {VIRTIO_NET_F_HOST_ECN, B(VIRTIO_NET_F_HOST_TSO4) | B(VIRTIO_NET_F_HOST_TSO6)},
    {VIRTIO_NET_F_RSC_EXT, B(VIRTIO_NET_F_HOST_TSO4) | B(VIRTIO_NET_F_HOST_TSO6)},
    {VIRTIO_NET_F_CTRL_RX, B(VIRTIO_NET_F_CTRL_VQ)},
    {VIRTIO_NET_F_CTRL_RX_EXTRA, B(VIRTIO_NET_F_CTRL_RX)},
    {VIRTIO_NET_F_CTRL_VLAN, B(VIRTIO_NET_F_CTRL_VQ)},
    {VIRTIO_NET_F_GUEST_ANNOUNCE, B(VIRTIO_NET_F_CTRL_VQ)},
    {VIRTIO_NET_F_MQ, B(VIRTIO_NET_F_CTRL_VQ)},
    {VIRTIO_NET_F_CTRL_MAC_ADDR, B(VIRTIO_NET_F_CTRL_VQ)},
    {VIRTIO_NET_F_CTRL_GUEST_OFFLOADS, B(VIRTIO_NET_F_CTRL_VQ)},
    {VIRTIO_NET_F_RSS, B(VIRTIO_NET_F_CTRL_VQ)},
    {VIRTIO_NET_F_HASH_REPORT, B(VIRTIO_NET_F_CTRL_VQ)},
};

/* IRQL: any. drop bits whose requirement is missing, until nothing changes
 * (a dropped bit may be another's requirement: CTRL_VQ -> CTRL_RX -> EXTRA) */
uint64_t nk_features_consistent(uint64_t f)
{
    bool changed = true;
    while (changed) {
        changed = false;
        for (size_t i = 0; i < sizeof(nk_deps) / sizeof(nk_deps[0]); i++) {
            uint64_t bit = B(nk_deps[i].bit);
            if ((f & bit) && !(f & nk_deps[i].any_of)) {
                f &= ~bit;
                changed = true;
            }
        }
    }
    return f;
}

/* IRQL: any. the bits to acknowledge (see nk_net.h) */
uint64_t nk_choose_features(uint64_t offered, const struct nk_feature_wish *w)
{
    /* Always: the transport bits the core drives, ACCESS_PLATFORM whenever
     * offered (a device that needs it fails FEATURES_OK without it), and
     * the device facts the driver reads; GUEST_ANNOUNCE (announce.c sends
     * the announcement and the ack; needs CTRL_VQ, spec 5.1.3.1) */
    uint64_t want = B(NK_F_VERSION_1) | B(NK_F_INDIRECT_DESC) | B(NK_F_EVENT_IDX) |
                    B(NK_F_ACCESS_PLATFORM) | B(NK_F_ORDER_PLATFORM) | B(VIRTIO_NET_F_MAC) |
                    B(VIRTIO_NET_F_STATUS) | B(VIRTIO_NET_F_MTU) | B(VIRTIO_NET_F_SPEED_DUPLEX) |
                    B(VIRTIO_NET_F_CTRL_VQ) | B(VIRTIO_NET_F_CTRL_RX) |
                    B(VIRTIO_NET_F_CTRL_RX_EXTRA) | B(VIRTIO_NET_F_CTRL_MAC_ADDR) |
                    B(VIRTIO_NET_F_GUEST_ANNOUNCE);
    if (w->packed)
        want |= B(NK_F_RING_PACKED);
    if (w->mrg_rxbuf)
        want |= B(VIRTIO_NET_F_MRG_RXBUF);
    if (w->multiqueue)
        want |= B(VIRTIO_NET_F_MQ);
    if (w->vlan_filter)
        want |= B(VIRTIO_NET_F_CTRL_VLAN);
    if (w->rss)
        want |= B(VIRTIO_NET_F_RSS) | B(VIRTIO_NET_F_HASH_REPORT);
    if (w->tx_csum || w->lso || w->uso)
        want |= B(VIRTIO_NET_F_CSUM);
    if (w->lso)
        want |= B(VIRTIO_NET_F_HOST_TSO4) | B(VIRTIO_NET_F_HOST_TSO6);
    if (w->uso)
        want |= B(VIRTIO_NET_F_HOST_USO);
    if (w->rx_csum || w->rsc)
        want |= B(VIRTIO_NET_F_GUEST_CSUM);
    if (w->rsc)
        want |= B(VIRTIO_NET_F_GUEST_TSO4) | B(VIRTIO_NET_F_GUEST_TSO6) | B(VIRTIO_NET_F_RSC_EXT) |
                B(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS);
    return nk_features_consistent(offered & want);
}
#undef B

/* IRQL: any. the header the device and driver exchange (spec 5.1.6): 12
 * bytes with VERSION_1 or MRG_RXBUF (num_buffers), 20 with HASH_REPORT */
size_t nk_hdr_len(uint64_t features)
{
    if (features & NK_BIT(VIRTIO_NET_F_HASH_REPORT))
        return NK_HDR_LEN_HASH;
    if (features & (NK_BIT(NK_F_VERSION_1) | NK_BIT(VIRTIO_NET_F_MRG_RXBUF)))
        return NK_HDR_LEN_MRG;
    return NK_HDR_LEN_LEGACY;
}
