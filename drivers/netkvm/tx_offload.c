/*
 * tx_offload.c - the send path's task offloads: the OS's per-NBL checksum
 * and LSOv2 requests (NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO,
 * NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO) checked against the
 * frame as nk_csum parses it (the OS's offsets are only a hint that must
 * agree), turned into the virtio_net_hdr (spec 5.1.6.2: NEEDS_CSUM,
 * csum_start/offset, gso_type/size, hdr_len) and a patched copy of the
 * frame's headers (IPv4 header checksum, pseudo-header seed, the lengths
 * LSOv2 leaves 0) that goes to the device in place of the OS's bytes, so
 * the OS's buffer is never written.  LSOv2 completion information.
 */
#include "netkvm.h"
#include "nk_csum.h"

#define NK_TX_VIEW_SEGS 64u /* MDLs of one frame the offload path reads */

/* IRQL <= DISPATCH_LEVEL. nb's data as a view over its MDLs, or over flat
 * (nb's data in one piece, tx.c's bounce copy) when given: NK_OFF_OK;
 * NK_OFF_MANY when the chain is longer than segs holds; NK_OFF_FAIL when
 * an MDL cannot be mapped or the chain is short. */
static int NkTxView(PNET_BUFFER nb, const UCHAR *flat, struct nk_seg *segs, struct nk_view *v)
{
    if (flat != NULL) {
        segs[0].p = flat;
        segs[0].len = NET_BUFFER_DATA_LENGTH(nb);
        nk_view_init(v, segs, 1);
        return NK_OFF_OK;
    }
    PMDL m = NET_BUFFER_CURRENT_MDL(nb);
    ULONG off = NET_BUFFER_CURRENT_MDL_OFFSET(nb);
    ULONG left = NET_BUFFER_DATA_LENGTH(nb);
    size_t n = 0;
    for (; left != 0 && m != NULL; m = m->Next, off = 0) {
        PUCHAR va = NULL;
        ULONG len = 0;
        NdisQueryMdl(m, &va, &len, NormalPagePriority);
        if (va == NULL)
            return NK_OFF_FAIL;
        if (len <= off)
            continue;
        if (n == NK_TX_VIEW_SEGS)
            return NK_OFF_MANY;
        ULONG take = len - off < left ? len - off : left;
        segs[n].p = va + off;
        segs[n].len = take;
        n++;
        left -= take;
    }
    if (left != 0)
        return NK_OFF_FAIL;
    nk_view_init(v, segs, n);
    return NK_OFF_OK;
}

/* IRQL <= DISPATCH_LEVEL. the request in nbl's information, checked against
 * what the adapter can do; FALSE: an offload the adapter does not have. */
static BOOLEAN NkTxRequest(PNK_ADAPTER a, PNET_BUFFER_LIST nbl, struct nk_tx_request *req)
{
    NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO cs;
    NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO lso;
    const struct nk_offload *hw = &a->OffloadHw;
    BOOLEAN uso_ok;
    if (NkTxUsoRequest(a, nbl, req, &uso_ok))
        return uso_ok; /* tx_uso.c */
    cs.Value = NET_BUFFER_LIST_INFO(nbl, TcpIpChecksumNetBufferListInfo);
    lso.Value = NET_BUFFER_LIST_INFO(nbl, TcpLargeSendNetBufferListInfo);
    RtlZeroMemory(req, sizeof(*req));
    if (lso.Transmit.Type == NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE && lso.LsoV2Transmit.MSS != 0) {
        BOOLEAN v4 = lso.LsoV2Transmit.IPVersion == NDIS_TCP_LARGE_SEND_OFFLOAD_IPv4;
        if (!(v4 ? hw->lso4 : hw->lso6))
            return FALSE;
        req->lso_mss = lso.LsoV2Transmit.MSS;
        req->tcp_csum = true;
        req->ip4_csum = v4;
        req->l4_off_hint = (uint16_t)lso.LsoV2Transmit.TcpHeaderOffset;
        return TRUE;
    }
    if (lso.Transmit.Type == NDIS_TCP_LARGE_SEND_OFFLOAD_V1_TYPE && lso.LsoV1Transmit.MSS != 0)
        return FALSE; /* LSOv1 is never offered */
    if (!cs.Transmit.IsIPv4 && !cs.Transmit.IsIPv6)
        return TRUE;
    BOOLEAN v4 = cs.Transmit.IsIPv4;
    req->ip4_csum = v4 && cs.Transmit.IpHeaderChecksum;
    req->tcp_csum = cs.Transmit.TcpChecksum;
    req->udp_csum = cs.Transmit.UdpChecksum;
    if (req->tcp_csum)
        req->l4_off_hint = (uint16_t)cs.Transmit.TcpHeaderOffset;
    if ((req->ip4_csum && !hw->tx[NK_CS_IP4]) ||
        (req->tcp_csum && !hw->tx[v4 ? NK_CS_TCP4 : NK_CS_TCP6]) ||
        (req->udp_csum && !hw->tx[v4 ? NK_CS_UDP4 : NK_CS_UDP6]))
        return FALSE;
    return TRUE;
}

/* IRQL <= DISPATCH_LEVEL. nbl's offload slots all empty: no checksum,
 * LSO or USO request to read (nearly every plain send), so NkTxRequest
 * would find none; a slot with a value goes the whole way. */
static BOOLEAN NkTxAsksNothing(PNET_BUFFER_LIST nbl)
{
    return NET_BUFFER_LIST_INFO(nbl, TcpIpChecksumNetBufferListInfo) == NULL &&
           NET_BUFFER_LIST_INFO(nbl, TcpLargeSendNetBufferListInfo) == NULL
#if NK_USO
           && NET_BUFFER_LIST_INFO(nbl, UdpSegmentationOffloadInfo) == NULL
#endif
        ;
}

/* IRQL: DISPATCH_LEVEL. NkTxOffload's work once nbl has a value in an
 * offload slot (the header in slot is zeroed, *copied 0).  Not inlined:
 * its frame (the view, the plan) stays off the plain send's path. */
static __attribute__((noinline)) int NkTxOffloadPlan(PNK_ADAPTER a, PNET_BUFFER_LIST nbl,
                                                     PNET_BUFFER nb, const UCHAR *flat, PUCHAR slot,
                                                     ULONG slot_bytes, const UCHAR *tag,
                                                     ULONG *copied)
{
    ULONG tagged = tag != NULL ? NK_VLAN_HLEN : 0;
    struct nk_tx_request req;
    struct nk_seg segs[NK_TX_VIEW_SEGS];
    struct nk_view v;
    struct nk_pkt pkt;
    struct nk_tx_plan plan;
    if (!NkTxRequest(a, nbl, &req))
        return NK_OFF_FAIL;
    if (!req.ip4_csum && !req.tcp_csum && !req.udp_csum && req.lso_mss == 0)
        return NK_OFF_OK;
    int view = NkTxView(nb, flat, segs, &v);
    if (view == NK_OFF_MANY)
        return NK_OFF_MANY; /* more than NK_TX_VIEW_SEGS MDLs: tx.c copies the frame */
    if (view != NK_OFF_OK) {
        /* An MDL unmapped or a short chain: the frame fails, it is never
         * sent with a header that was not checked */
        NK_LOG(a, NK_LOG_ERR,
               "netkvm: send offload on a frame whose buffers cannot be read refused\n");
        return NK_OFF_FAIL;
    }
    nk_parse(&v, &pkt);
    int rc = nk_tx_prepare(&v, &pkt, &req, &plan);
    PUCHAR copy = slot + a->HdrLen;
    if (rc != NK_TX_OK || a->HdrLen + plan.hdr_copy + tagged > slot_bytes ||
        plan.hdr_copy < NK_VLAN_TAG_AT || !nk_view_copy(&v, 0, copy + tagged, plan.hdr_copy)) {
        NK_LOG(a, NK_LOG_ERR, "netkvm: send offload request refused (%d): %lu bytes\n", rc,
               NET_BUFFER_DATA_LENGTH(nb));
        return NK_OFF_FAIL;
    }
    /* Each segment the device cuts must fit the MTU (spec 5.1.6.2: no
     * packet larger than the MTU and its Ethernet header) */
    if (plan.vhdr.gso_size != 0 &&
        (ULONG)plan.hdr_copy + plan.vhdr.gso_size > a->MaxFrame + (pkt.vlan ? NK_VLAN_HLEN : 0)) {
        NK_LOG(a, NK_LOG_ERR, "netkvm: LSOv2 MSS %u with %u header bytes exceeds the MTU\n",
               plan.vhdr.gso_size, plan.hdr_copy);
        return NK_OFF_FAIL;
    }
    if (tag != NULL) {
        /* The addresses and the tag over the copy's first bytes; the
         * frame's own type and headers already sit behind them */
        RtlCopyMemory(copy, tag, NK_VLAN_TAG_AT + NK_VLAN_HLEN);
        nk_tx_plan_tag(&plan);
    }
    nk_tx_apply(&plan, copy, plan.hdr_copy + tagged);
    nk_vnet_hdr_put(&plan.vhdr, slot, a->HdrLen);
    *copied = plan.hdr_copy;
    return NK_OFF_OK;
}

/* IRQL: DISPATCH_LEVEL. the virtio_net_hdr for nb into slot (a->HdrLen
 * bytes), then the patched copy of the headers the offload changes, with
 * the 802.1Q tag in it when tag (addresses and tag, vlan.c) is given: the
 * plan's offsets are moved behind the tag before the header is written, so
 * it is written once.  The frame is read from its MDLs, or from flat (its
 * data in one piece) when given.  *copied: the frame bytes the slot stands
 * for (the device reads the rest from the SG list or the copy); 0 when no
 * offload was asked.  NK_OFF_FAIL: the request does not fit the frame or
 * the slot; NK_OFF_MANY: more MDLs than the view reads (copy the frame and
 * ask again with flat). */
int NkTxOffload(PNK_ADAPTER a, PNET_BUFFER_LIST nbl, PNET_BUFFER nb, const UCHAR *flat, PUCHAR slot,
                ULONG slot_bytes, const UCHAR *tag, ULONG *copied)
{
    *copied = 0;
    RtlZeroMemory(slot, a->HdrLen); /* flags 0, GSO_NONE */
    if (NkTxAsksNothing(nbl))
        return NK_OFF_OK;
    return NkTxOffloadPlan(a, nbl, nb, flat, slot, slot_bytes, tag, copied);
}

/* IRQL <= DISPATCH_LEVEL. before nbl completes: an LSOv2 send gets its
 * completion information (Type V2, Reserved 0) in place of the request. */
void NkTxOffloadComplete(PNET_BUFFER_LIST nbl)
{
    NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO lso;
    lso.Value = NET_BUFFER_LIST_INFO(nbl, TcpLargeSendNetBufferListInfo);
    if (lso.Transmit.Type != NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE || lso.LsoV2Transmit.MSS == 0)
        return;
    lso.Value = NULL;
    lso.LsoV2TransmitComplete.Type = NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE;
    lso.LsoV2TransmitComplete.Reserved = 0;
    NET_BUFFER_LIST_INFO(nbl, TcpLargeSendNetBufferListInfo) = lso.Value;
}

/* IRQL <= DISPATCH_LEVEL. the longest frame nb (of nbl) may carry: an
 * LSOv2 or USO send up to the largest datagram behind its Ethernet header,
 * else the MTU's frame; 4 bytes more when the frame carries an 802.1Q /
 * 802.1ad tag in its bytes (read only for a frame past the untagged bound). */
ULONG NkTxMaxLength(PNK_ADAPTER a, PNET_BUFFER_LIST nbl, PNET_BUFFER nb)
{
    NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO lso;
    lso.Value = NET_BUFFER_LIST_INFO(nbl, TcpLargeSendNetBufferListInfo);
    BOOLEAN large = lso.Transmit.Type == NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE &&
                    lso.LsoV2Transmit.MSS != 0 && (a->OffloadHw.lso4 || a->OffloadHw.lso6);
#if NK_USO /* the 6.50 build has no USO: no call to ask */
    large = large || NkTxUsoAsked(a, nbl);
#endif
    ULONG plain = nk_offload_tx_max_frame(large, false, a->MaxFrame);
    if (NET_BUFFER_DATA_LENGTH(nb) <= plain)
        return plain;
    UCHAR storage[NK_ETH_HLEN];
    const UCHAR *h = NdisGetDataBuffer(nb, NK_ETH_HLEN, storage, 1, 0);
    USHORT type = h != NULL ? (USHORT)(h[12] << 8 | h[13]) : 0;
    BOOLEAN tagged = type == NK_ETH_P_8021Q || type == NK_ETH_P_8021AD;
    return nk_offload_tx_max_frame(large, tagged, a->MaxFrame);
}

/* IRQL: any. the SG elements left once the first skip bytes are in the
 * header slot: their count, the first one and the offset into it. */
ULONG NkTxSgAfter(PSCATTER_GATHER_LIST sgl, ULONG skip, ULONG *first, ULONG *first_off)
{
    ULONG i = 0;
    while (i < sgl->NumberOfElements && skip >= sgl->Elements[i].Length)
        skip -= sgl->Elements[i++].Length;
    *first = i;
    *first_off = skip;
    return sgl->NumberOfElements - i;
}
