/*
 * NetKVM's LSOv2 and RSC.  A 64 KiB TCP send over IPv4 and IPv6 with
 * LsoV2Transmit (the MSS of a 1500-byte MTU: 1460 over IPv4, 1440 over
 * IPv6's 40-byte header) is segmented by the device
 * (HOST_TSO4/6): MSS-sized segments whose payloads rebuild the send, each
 * with right checksums; the NBL completes with LsoV2TransmitComplete (the
 * emulation checks).  A coalesced frame from the device (GUEST_TSO4, 10
 * segments) is indicated as one unit with CoalescedSegCount, RSC enabled.
 */
#include "nkoff.h"

/* A 64 KiB LSOv2 send over IPV: MSS segments on the wire, completed as documented. */
static void nkoff_lso(struct vm *vm, int ipv)
{
    struct nk_rig r;
    if (!nkoff_up(vm, &r, 0, 0, 0, NULL) || !nkoff_enable(vm, false))
        return;
    static uint8_t f[65550];
    unsigned hl = 14 + (ipv == 4 ? 20 : 40) + 20;
    unsigned payload = 65535 - (ipv == 4 ? 40 : 60);
    unsigned len = ndis_frame_build(f, ipv, 6, payload, 3000, nk_peer, nk_mac, true);
    /* The MSS the stack picks for a 1500-byte MTU: 1500 - IP header - 20. */
    unsigned mss = 1500 - (ipv == 4 ? 20 : 40) - 20;
    struct vw_ndis_tx_info info = {.lso = mss | (hl - 20) << 20 | VW_LSO_V2_TYPE << 30 |
                                          (ipv == 6 ? 1u << 31 : 0)};
    if (!nk_send_one_done(vm, f, len, &info, "the LSOv2 send"))
        return;
    unsigned at = 0, n = nkoff_take_segments(vm, &r, f, ipv, hl, mss, 0, &at);
    VW_EXPECT(vm, at == payload && n == (payload + mss - 1) / mss,
              "%u segments carried %u of %u payload bytes", n, at, payload);
    struct vw_ndis_offload_stats o;
    vw_ndis_offload_stats(vm, &o);
    VW_EXPECT(vm, o.lso_completed == 1, "LSOv2 completions %u", o.lso_completed);
    nk_down(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_offload_lso_64k_ipv4, NULL)
{
    nkoff_lso(vm, 4);
}

VW_SCENARIO("netkvm", netkvm_offload_lso_64k_ipv6, NULL)
{
    nkoff_lso(vm, 6);
}

VW_SCENARIO("netkvm", netkvm_offload_rsc_coalesced_count, NULL)
{
    struct nk_rig r;
    if (!nkoff_up(vm, &r, 1ull << VIRTIO_NET_F_RSC_EXT, 0, 0, NULL) || !nkoff_enable(vm, true))
        return;
    static uint8_t f[16000];
    unsigned len = ndis_frame_build(f, 4, 6, 14600, 4000, nk_mac, nk_peer, false);
    struct vmodel_net_rx_opts c = {
        .queue = -1, .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 1460, .segments = 10};
    struct nk_mark m = nk_mark(vm);
    vmodel_net_wire_inject(r.net->model, f, len, &c);
    VW_EXPECT(vm, nk_wait_indicated_since(vm, m, 1) == 1, "the coalesced frame was not indicated");
    struct vw_ndis_offload_stats o;
    vw_ndis_offload_stats(vm, &o);
    VW_EXPECT(vm, o.rx_coalesced == 1 && o.rx_segments == 10,
              "coalesced units %u of %u segments (expected 1 of 10)", o.rx_coalesced,
              o.rx_segments);
    nk_down(vm, &r);
}
