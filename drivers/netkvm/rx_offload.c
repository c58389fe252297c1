/*
 * rx_offload.c - the receive path's checksum offload: the checksum
 * information NDIS reads (NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO,
 * Receive) for the checksums the current configuration has on.  The device's
 * word counts only when GUEST_CSUM was negotiated (spec 5.1.6.4: DATA_VALID
 * validated, NEEDS_CSUM a local packet whose checksum is only partial);
 * everything else is verified in software by nk_csum, and "succeeded" is
 * never set for what neither did.  A partial checksum is completed here
 * first (the device's csum_start/offset must be the parsed L4's).  RSC: a
 * coalesced frame (GSO_TCPV4/TCPV6 from the device, GUEST_TSO4/6) carries
 * its segment count in NDIS_RSC_NBL_INFO: the device's (RSC_EXT, spec
 * 5.1.6.4.1) or, without RSC_INFO, the payload over gso_size.
 */
#include "netkvm.h"
#include "nk_csum.h"

#define NK_RX_VIEW_SEGS 64u /* buffers of one frame the offload path reads */

/* One received frame: its buffers as a view, and writable */
struct nk_rx_frame {
    struct nk_seg segs[NK_RX_VIEW_SEGS];
    PUCHAR w[NK_RX_VIEW_SEGS];
    struct nk_view v;
};

/* IRQL: DISPATCH_LEVEL. the frame after the virtio_net_hdr in b's chain
 * (the header's buffer holds len bytes); FALSE if it has more buffers
 * than the view takes. */
static BOOLEAN NkRxView(PNK_ADAPTER a, PNK_RXBUF b, ULONG len, struct nk_rx_frame *f)
{
    size_t n = 0;
    if (len > a->HdrLen) {
        f->w[n] = b->Va + a->HdrLen;
        f->segs[n].len = len - a->HdrLen;
        n++;
    }
    for (PNK_RXBUF m = b->Next; m != NULL; m = m->Next) {
        if (n == NK_RX_VIEW_SEGS)
            return FALSE;
        f->w[n] = m->Va;
        f->segs[n].len = m->Mdl->ByteCount;
        n++;
    }
    for (size_t i = 0; i < n; i++)
        f->segs[i].p = f->w[i];
    nk_view_init(&f->v, f->segs, n);
    return TRUE;
}

/* IRQL: DISPATCH_LEVEL. stores a big-endian 16-bit value at frame offset off. */
static void NkRxPut16(struct nk_rx_frame *f, size_t off, uint16_t value)
{
    UCHAR b[2] = {(UCHAR)(value >> 8), (UCHAR)value};
    for (unsigned k = 0; k < 2; k++, off++) {
        size_t o = off;
        for (size_t i = 0; i < f->v.nsegs; i++) {
            if (o < f->segs[i].len) {
                f->w[i][o] = b[k];
                break;
            }
            o -= f->segs[i].len;
        }
    }
}

/* IRQL: DISPATCH_LEVEL. completes a NEEDS_CSUM checksum (the field holds
 * the pseudo-header sum; the device's offsets must be the parsed L4's). */
static BOOLEAN NkRxComplete(struct nk_rx_frame *f, const struct nk_pkt *pkt,
                            const struct nk_vnet_hdr *vh)
{
    uint16_t at = pkt->l4 == NK_L4_TCP ? 16 : 6;
    uint32_t sum = 0;
    if (pkt->fragment || (pkt->l4 != NK_L4_TCP && pkt->l4 != NK_L4_UDP) ||
        vh->csum_start != pkt->l4_off || vh->csum_offset != at ||
        !nk_view_sum(&f->v, pkt->l4_off, f->v.total - pkt->l4_off, &sum))
        return FALSE;
    uint16_t c = (uint16_t)~nk_csum_fold(sum);
    if (pkt->l4 == NK_L4_UDP && c == 0)
        c = 0xFFFF; /* RFC 768: 0 means "no checksum" */
    NkRxPut16(f, (size_t)pkt->l4_off + at, c);
    return TRUE;
}

/* IRQL: DISPATCH_LEVEL. the coalesced-segment count of a frame the device
 * coalesced, when RSC is on for its IP version (nk_rsc), into the NBL and
 * into b for OID_TCP_RSC_STATISTICS when the frame is indicated. */
static void NkRxRsc(PNK_ADAPTER a, PNET_BUFFER_LIST nbl, PNK_RXBUF b, const struct nk_pkt *pkt,
                    const struct nk_vnet_hdr *vh)
{
    NDIS_RSC_NBL_INFO ri;
    struct nk_rsc_unit u;
    if (!nk_rsc_unit(pkt, vh, (a->Features & NK_BIT(VIRTIO_NET_F_RSC_EXT)) != 0, a->Offload.rsc4,
                     a->Offload.rsc6, &u))
        return;
    ri.Value = NULL;
    ri.Info.CoalescedSegCount = u.segs;
    ri.Info.DupAckCount = u.dup_acks;
    NET_BUFFER_LIST_INFO(nbl, TcpRecvSegCoalesceInfo) = ri.Value;
    b->RscSegs = u.segs;
    b->RscBytes = u.payload;
}

/* IRQL: DISPATCH_LEVEL. the checksum information of a received frame
 * (b: its first buffer, holding len bytes with the virtio_net_hdr). */
void NkRxOffload(PNK_ADAPTER a, PNET_BUFFER_LIST nbl, PNK_RXBUF b, ULONG len)
{
    NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO ci;
    struct nk_rx_frame f;
    struct nk_vnet_hdr vh;
    struct nk_pkt pkt;
    struct nk_rx_csum r;
    const struct nk_offload *o = &a->Offload;
    ci.Value = NULL;
    NET_BUFFER_LIST_INFO(nbl, TcpIpChecksumNetBufferListInfo) = NULL;
    NET_BUFFER_LIST_INFO(nbl, TcpRecvSegCoalesceInfo) = NULL;
    b->RscSegs = 0;
    nk_vnet_hdr_get(&vh, b->Va, a->HdrLen);
    /* Flags count only when the device may set them */
    if (!(a->Features & NK_BIT(VIRTIO_NET_F_GUEST_CSUM)))
        vh.flags &= (uint8_t)~(VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID);
    BOOLEAN any = FALSE;
    for (unsigned k = 0; k < NK_CS_KINDS; k++)
        any |= o->rx[k];
    BOOLEAN partial = (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) != 0;
    BOOLEAN gso = vh.gso_type != VIRTIO_NET_HDR_GSO_NONE;
    if ((!any && !partial && !gso) || !NkRxView(a, b, len, &f))
        return;
    nk_parse(&f.v, &pkt);
    if (gso)
        NkRxRsc(a, nbl, b, &pkt, &vh);
    BOOLEAN v4 = pkt.l3 == NK_L3_IPV4;
    enum nk_csum_kind tcp = v4 ? NK_CS_TCP4 : NK_CS_TCP6, udp = v4 ? NK_CS_UDP4 : NK_CS_UDP6;
    /* A partial checksum is completed whether or not the OS checks it, so
     * the frame it gets is right and "succeeded" describes it truly; one
     * whose offsets are not the parsed L4's is verified like any other */
    if (partial && !NkRxComplete(&f, &pkt, &vh))
        vh.flags &= (uint8_t)~VIRTIO_NET_HDR_F_NEEDS_CSUM;
    if (!any)
        return;
    nk_rx_csum(&f.v, &pkt, &vh, true, &r);
    if (v4 && o->rx[NK_CS_IP4] && r.ip != NK_CV_NONE) {
        ci.Receive.IpChecksumSucceeded = r.ip == NK_CV_OK;
        ci.Receive.IpChecksumFailed = r.ip == NK_CV_BAD;
    }
    if (pkt.l3 != NK_L3_NONE && o->rx[tcp] && r.tcp != NK_CV_NONE) {
        ci.Receive.TcpChecksumSucceeded = r.tcp == NK_CV_OK;
        ci.Receive.TcpChecksumFailed = r.tcp == NK_CV_BAD;
    }
    if (pkt.l3 != NK_L3_NONE && o->rx[udp] && r.udp != NK_CV_NONE) {
        ci.Receive.UdpChecksumSucceeded = r.udp == NK_CV_OK;
        ci.Receive.UdpChecksumFailed = r.udp == NK_CV_BAD;
    }
    NET_BUFFER_LIST_INFO(nbl, TcpIpChecksumNetBufferListInfo) = ci.Value;
}
