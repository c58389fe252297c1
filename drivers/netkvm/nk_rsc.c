/*
 * nk_rsc.c - a coalesced received frame's segment count and TCP payload
 * (nk_rsc.h).
 */
#include "nk_rsc.h"

/* IRQL: any. see nk_rsc.h */
bool nk_rsc_unit(const struct nk_pkt *pkt, const struct nk_vnet_hdr *vh, bool rsc_ext, bool rsc4,
                 bool rsc6, struct nk_rsc_unit *u)
{
    uint8_t gso = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
    bool on = (gso == VIRTIO_NET_HDR_GSO_TCPV4 && rsc4 && pkt->l3 == NK_L3_IPV4) ||
              (gso == VIRTIO_NET_HDR_GSO_TCPV6 && rsc6 && pkt->l3 == NK_L3_IPV6);
    u->segs = u->dup_acks = 0;
    u->payload = 0;
    if (!on || pkt->l4 != NK_L4_TCP || pkt->fragment)
        return false;
    uint32_t hdrs = (uint32_t)pkt->l4_off + pkt->l4_hlen;
#ifdef NK_PLANTED_RSC_OCTETS_HDR /* planted: the TCP header counted as payload */
    hdrs = pkt->l4_off;
#endif
    uint32_t payload = pkt->l3_end > hdrs ? pkt->l3_end - hdrs : 0;
    if (rsc_ext)
        nk_rx_rsc(vh, &u->segs, &u->dup_acks);
    if (u->segs == 0 && !(vh->flags & VIRTIO_NET_HDR_F_RSC_INFO)) {
        /* No count from the device: the payload in gso_size pieces */
        uint32_t mss = vh->gso_size != 0 ? vh->gso_size : payload;
        uint32_t n = mss != 0 ? (payload + mss - 1) / mss : 0;
        u->segs = n > 0xFFFFu ? 0xFFFFu : (uint16_t)n;
        u->dup_acks = 0;
    }
    if (u->segs == 0)
        return false;
    u->payload = payload;
    return true;
}
