/*
 * UDP segmentation offload (USO, NDIS 6.83).  The transport gives a large
 * UDP datagram one NET_BUFFER with UdpSegmentationOffloadInfo's Transmit
 * (MSS, UdpHeaderOffset, IPVersion;
 * nbluso/ns-nbluso-ndis_udp_segmentation_offload_net_buffer_list_info) only
 * when the current offload configuration's UdpSegmentation enables it for
 * that IP version, with no more user data than MaxOffLoadSize and at least
 * MinSegmentCount segments (ntddndis/ns-ntddndis-_ndis_udp_segmentation_offload;
 * without SubMssFinalSegmentSupported a length that is a multiple of the MSS,
 * which the stack guarantees and the check does not need).  What reaches
 * the wire is the scenario's to check.
 */
#include <inttypes.h>
#include "frame.h"
#include "internal.h"

unsigned ndis_uso_slot(struct vm *vm)
{
    return vm->ptr_size == 8 ? VW_NBL_INFO_USO_64 : VW_NBL_INFO_USO_32;
}

bool ndis_uso_tx_allowed(struct vm *vm, const uint8_t *frame, unsigned len, uint32_t v)
{
    const struct ndis_offload_cfg *c = &ndis_state(vm)->cur;
    struct ndis_frame p;
    const char *why = NULL;
    unsigned i = VW_USO_IPV6(v), mss = VW_USO_MSS(v);
    unsigned payload = 0;
    if (v == 0)
        return true;
    bool udp = ndis_frame_parse(frame, len, &p) && p.proto == 17 && p.ipv == (i ? 6 : 4);
    if (udp)
        payload = p.end - p.l4 - 8;
    if (!udp)
        why = "the frame is no UDP datagram of that IP version";
    else if (mss == 0 || VW_USO_RESERVED(v) != 0)
        why = "MSS is 0 or the Reserved bit is set";
    else if (VW_USO_UDP_OFFSET(v) != p.l4)
        why = "UdpHeaderOffset is not the UDP header's offset";
    else if (c->uso_encap[i] == 0)
        why = "the current offload configuration does not enable USO for it (no UdpSegmentation "
              "in the miniport's NDIS_OFFLOAD, revision 6)";
    else if (payload > c->uso_max[i])
        why = "the UDP payload exceeds MaxOffLoadSize";
    else if (payload <= mss || (payload + mss - 1) / mss < c->uso_min[i])
        why = "fewer segments than MinSegmentCount (or one)";
    if (why == NULL)
        return true;
    vw_fail(vm,
            "harness: a send asks for USO 0x%08x (payload %u) that the stack would not ask for: "
            "%s (ntddndis/ns-ntddndis-_ndis_udp_segmentation_offload)",
            v, payload, why);
    return false;
}
