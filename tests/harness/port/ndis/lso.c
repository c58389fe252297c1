/*
 * Large send offload v2 and receive segment coalescing.
 * Send (network/offloading-the-segmentation-of-large-tcp-packets,
 * nbllso/ns-nbllso-ndis_tcp_large_send_offload_net_buffer_list_info): the
 * transport gives an LSOv2 NBL one NET_BUFFER, LsoV2Transmit with Type
 * NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE, the IP version, MSS and
 * TcpHeaderOffset, only when the current configuration enables LSOv2 for
 * that version, with no more TCP payload than MaxOffLoadSize and at least
 * MinSegmentCount segments (ntddndis/ns-ntddndis-_ndis_tcp_large_send_offload_v2).
 * At completion the miniport has written LsoV2TransmitComplete: Type
 * NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE, its Reserved bits zero (the
 * transmit value left in place, MSS and offset still there, fails).
 * Receive (nblrsc/ns-nblrsc-ndis_rsc_nbl_info,
 * network/indicating-coalesced-segments): CoalescedSegCount only on a TCP
 * segment of an IP version whose RSC the current configuration enables, no
 * more segments than payload bytes, DupAckCount only with segments, and a
 * frame longer than the MTU allows only as a coalesced unit.
 */
#include <inttypes.h>
#include "frame.h"
#include "internal.h"

bool ndis_lso_tx_allowed(struct vm *vm, const uint8_t *frame, unsigned len, uint32_t v)
{
    const struct ndis_offload_cfg *c = &ndis_state(vm)->cur;
    struct ndis_frame p;
    const char *why = NULL;
    unsigned i = VW_LSO_IPV6(v), mss = VW_LSO_MSS(v);
    unsigned payload = 0;
    if (v == 0)
        return true;
    if (!ndis_frame_parse(frame, len, &p) || p.proto != 6 || p.ipv != (i ? 6 : 4))
        why = "the frame is no TCP segment of that IP version";
    else if (VW_LSO_TYPE(v) != VW_LSO_V2_TYPE || mss == 0)
        why = "Type is not NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE or MSS is 0";
    else if (VW_LSO_TCP_OFFSET(v) != p.l4)
        why = "TcpHeaderOffset is not the TCP header's offset";
    else if (c->lso_encap[i] == 0)
        why = "the current offload configuration does not enable LSOv2 for it";
    else if ((payload = p.end - p.l4 - p.l4_hlen) > c->lso_max[i])
        why = "the TCP payload exceeds MaxOffLoadSize";
    else if (payload <= mss || (payload + mss - 1) / mss < c->lso_min[i])
        why = "fewer segments than MinSegmentCount (or one)";
    if (why == NULL)
        return true;
    vw_fail(vm,
            "harness: a send asks for LSOv2 0x%08x (payload %u) that the stack would not ask "
            "for: %s (ntddndis/ns-ntddndis-_ndis_tcp_large_send_offload_v2)",
            v, payload, why);
    return false;
}

bool ndis_lso_completed(struct vm *vm, gva_t nbl, uint32_t sent)
{
    uint32_t v = ndis_nbl_info(vm, nbl, VW_NBL_INFO_TCP_LARGE_SEND);
    if (VW_LSO_TYPE(v) == VW_LSO_V2_TYPE && VW_LSO_RESERVED(v) == 0) {
        ndis_state(vm)->off.lso_completed++;
        return true;
    }
    vw_fail(vm,
            "NdisMSendNetBufferListsComplete: LSOv2 NBL 0x%" PRIx64 " (sent with 0x%08x) "
            "completed with TcpLargeSendNetBufferListInfo 0x%08x: LsoV2TransmitComplete not "
            "written (Type NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE, Reserved 0: "
            "nbllso/ns-nbllso-ndis_tcp_large_send_offload_net_buffer_list_info)",
            nbl, sent, v);
    return false;
}

bool ndis_rsc_rx(struct vm *vm, gva_t nbl, const uint8_t *f, unsigned len)
{
    struct ndis_state *s = ndis_state(vm);
    uint32_t v = ndis_nbl_info(vm, nbl, ndis_rsc_slot(vm));
    unsigned segs = VW_RSC_SEGMENTS(v), dups = VW_RSC_DUP_ACKS(v);
    struct ndis_frame p;
    bool parsed = ndis_frame_parse(f, len, &p);
    const char *why = NULL;
    unsigned payload = parsed && p.proto == 6 ? p.end - p.l4 - p.l4_hlen : 0;
    unsigned tag = parsed && p.tagged ? 4 : 0;
    if (segs == 0 && dups != 0)
        why = "DupAckCount without CoalescedSegCount";
    else if (segs == 0 && s->mtu != 0 && parsed && p.ipv != 0 && len > s->mtu + 14 + tag)
        why = "a frame longer than the MTU without CoalescedSegCount";
    else if (segs != 0 && (!parsed || p.proto != 6))
        why = "CoalescedSegCount on a frame that is no TCP segment";
    else if (segs != 0 && !s->cur.rsc[p.ipv == 6])
        why = "CoalescedSegCount with RSC not enabled in the current offload configuration";
    else if (segs > payload)
        why = "more coalesced segments than payload bytes";
    if (why == NULL) {
        s->off.rx_coalesced += segs != 0;
        s->off.rx_segments += segs;
        return true;
    }
    vw_fail(vm,
            "NdisMIndicateReceiveNetBufferLists: NBL 0x%" PRIx64
            " (%u bytes) TcpRecvSegCoalesceInfo "
            "0x%08x: %s (nblrsc/ns-nblrsc-ndis_rsc_nbl_info)",
            nbl, len, v, why);
    return false;
}
