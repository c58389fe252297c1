/*
 * Checksum offload as the protocol stack uses it
 * (network/offloading-checksum-tasks, ndis/ns-ndis-_ndis_tcp_ip_checksum_net_buffer_list_info).
 * Send: the TCP/IP transport asks per NBL (Transmit: IsIPv4 or IsIPv6,
 * TcpChecksum/UdpChecksum/IpHeaderChecksum, TcpHeaderOffset) only for what
 * the miniport reported as enabled in its current configuration; a
 * scenario asking for more is a harness error.  Receive: the miniport's
 * Receive bits are checked against the frame: a "succeeded" bit on a wrong
 * checksum, a "failed" bit on a right one, a bit for another protocol, or a
 * bit for an offload the current configuration does not enable, fails the
 * run.  What reaches the wire is the device model's to check.
 */
#include <inttypes.h>
#include "frame.h"
#include "internal.h"

/* Is field F of the current configuration's word W (0 IPv4Transmit,
 * 1 IPv4Receive, 2 IPv6Transmit, 3 IPv6Receive) NDIS_OFFLOAD_SUPPORTED? */
static bool enabled(const struct ndis_offload_cfg *c, unsigned w, unsigned f)
{
    return c->csum_encap[w] != 0 && VW_CSUM_FIELD(c->csum[w], f) == VW_NDIS_OFFLOAD_SUPPORTED;
}

bool ndis_checksum_tx_allowed(struct vm *vm, const uint8_t *frame, unsigned len, uint32_t v)
{
    const struct ndis_offload_cfg *c = &ndis_state(vm)->cur;
    bool v4 = v & VW_CSUM_TX_IS_IPV4, v6 = v & VW_CSUM_TX_IS_IPV6;
    bool tcp = v & VW_CSUM_TX_TCP, udp = v & VW_CSUM_TX_UDP, ip = v & VW_CSUM_TX_IP;
    struct ndis_frame p;
    const char *why = NULL;
    unsigned w = v6 ? 2 : 0;
    if (v == 0)
        return true;
    if (!ndis_frame_parse(frame, len, &p) || v4 == v6 || p.ipv != (v4 ? 4 : 6))
        why = "IsIPv4/IsIPv6 do not name the frame's IP version";
    else if ((tcp && p.proto != 6) || (udp && p.proto != 17) || (tcp && udp) || (ip && !v4))
        why = "the checksums asked for are not the frame's";
    else if (tcp && VW_CSUM_TX_TCP_OFFSET(v) != p.l4)
        why = "TcpHeaderOffset is not the TCP header's offset";
    else if ((tcp && !enabled(c, w, VW_CSUM_FIELD_TCP)) ||
             (udp && !enabled(c, w, VW_CSUM_FIELD_UDP)) || (ip && !enabled(c, 0, VW_CSUM_FIELD_IP)))
        why = "the current offload configuration does not enable it";
    if (why == NULL)
        return true;
    vw_fail(vm,
            "harness: a send asks for checksum offload 0x%08x that the stack would not ask for: "
            "%s (network/offloading-checksum-tasks)",
            v, why);
    return false;
}

bool ndis_checksum_rx(struct vm *vm, gva_t nbl, const uint8_t *f, unsigned len)
{
    struct ndis_state *s = ndis_state(vm);
    uint32_t v = ndis_nbl_info(vm, nbl, VW_NBL_INFO_TCP_IP_CHECKSUM);
    uint32_t bits = v & ~VW_CSUM_RX_LOOPBACK;
    s->off.last_rx_csum = v;
    if (bits == 0)
        return true;
    s->off.rx_csum_flagged++;
    struct ndis_frame p;
    bool parsed = ndis_frame_parse(f, len, &p);
    unsigned w = p.ipv == 6 ? 3 : 1;
    bool coalesced = VW_RSC_SEGMENTS(ndis_nbl_info(vm, nbl, ndis_rsc_slot(vm))) != 0;
    static const struct {
        uint32_t ok, bad;
        uint8_t proto;
        unsigned field;
        const char *name;
    } k[3] = {
        {VW_CSUM_RX_TCP_SUCCEEDED, VW_CSUM_RX_TCP_FAILED, 6, VW_CSUM_FIELD_TCP, "TCP"},
        {VW_CSUM_RX_UDP_SUCCEEDED, VW_CSUM_RX_UDP_FAILED, 17, VW_CSUM_FIELD_UDP, "UDP"},
        {VW_CSUM_RX_IP_SUCCEEDED, VW_CSUM_RX_IP_FAILED, 0, VW_CSUM_FIELD_IP, "IP"},
    };
    for (unsigned i = 0; i < 3; i++) {
        if (!(bits & (k[i].ok | k[i].bad)))
            continue;
        bool ip = k[i].proto == 0;
        const char *why = NULL;
        bool right = false;
        if ((bits & k[i].ok) && (bits & k[i].bad))
            why = "both succeeded and failed";
        else if (!parsed || (ip ? p.ipv != 4 : (p.l4 == 0 || p.proto != k[i].proto)))
            why = "the frame has no such header";
        else if (!enabled(&s->cur, ip ? 1 : w, k[i].field))
            why = "the current offload configuration does not enable it";
        else if (!(coalesced && !ip)) {
            /* a coalesced segment's TCP checksum field is not the SCU's */
            right = ip ? ndis_frame_ip_csum_ok(f, &p) : ndis_frame_l4_csum_ok(f, &p);
            if ((bits & k[i].ok) && !right)
                why = "succeeded on a frame whose checksum is wrong";
            else if ((bits & k[i].bad) && right)
                why = "failed on a frame whose checksum is right";
        }
        if (why != NULL) {
            vw_fail(vm,
                    "NdisMIndicateReceiveNetBufferLists: NBL 0x%" PRIx64 " receive checksum "
                    "information 0x%08x: %s %s (ndis/ns-ndis-_ndis_tcp_ip_checksum_net_buffer_"
                    "list_info, network/offloading-checksum-tasks)",
                    nbl, v, k[i].name, why);
            return false;
        }
    }
    return true;
}
