/*
 * NetKVM's checksum offload (netkvm_offload_*, run by default: they pass).  Transmit: TCP and
 * UDP over IPv4 and IPv6 sent with their checksum fields 0 and
 * NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO asking for them reach the wire
 * with right checksums (the model completes NEEDS_CSUM).  Receive: frames
 * the device validated (DATA_VALID) or that arrive with a partial checksum
 * are indicated with "succeeded" bits the emulation checks against the
 * frame; a frame with a wrong TCP checksum never gets "succeeded".
 */
#include "nkoff.h"

/* Four IPV/PROTO packets with their checksums asked: right on the wire. */
static void nkoff_tx(struct vm *vm, int ipv, uint8_t proto)
{
    struct nk_rig r;
    if (!nkoff_up(vm, &r, 0, 0, 0, NULL) || !nkoff_enable(vm, false))
        return;
    static const unsigned payload[4] = {1, 100, 1000, 1400};
    nkoff_tx_checked(vm, &r, ipv, proto, payload, 1000);
    nk_down(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_offload_tx_checksum_tcp4, NULL)
{
    nkoff_tx(vm, 4, 6);
}

VW_SCENARIO("netkvm", netkvm_offload_tx_checksum_udp4, NULL)
{
    nkoff_tx(vm, 4, 17);
}

VW_SCENARIO("netkvm", netkvm_offload_tx_checksum_tcp6, NULL)
{
    nkoff_tx(vm, 6, 6);
}

VW_SCENARIO("netkvm", netkvm_offload_tx_checksum_udp6, NULL)
{
    nkoff_tx(vm, 6, 17);
}

/* Good frames, partial-checksum frames and a corrupt TCP frame from the
 * wire: the first two indicated with "succeeded" bits, the corrupt one
 * never with "succeeded" (the emulation checks each NBL's bits). */
VW_SCENARIO("netkvm", netkvm_offload_rx_checksum_bits, NULL)
{
    struct nk_rig r;
    if (!nkoff_up(vm, &r, 0, 0, 0, NULL) || !nkoff_enable(vm, false))
        return;
    static uint8_t f[5][1514];
    unsigned lens[5];
    for (unsigned i = 0; i < 5; i++)
        lens[i] = ndis_frame_build(f[i], i & 1 ? 6 : 4, i & 2 ? 17 : 6, 200, (uint16_t)(2000 + i),
                                   nk_mac, nk_peer, false);
    f[4][14 + 20 + 17] ^= 0x5a; /* frame 4: TCP/IPv4, checksum wrong */
    struct vmodel_net_rx_opts partial = {.queue = -1, .partial_csum = true};
    struct nk_mark m = nk_mark(vm);
    for (unsigned i = 0; i < 5 && !vm->failed; i++)
        vmodel_net_wire_inject(r.net->model, f[i], lens[i], i == 2 ? &partial : NULL);
    VW_EXPECT(vm, nk_wait_indicated_since(vm, m, 5) == 5, "not every frame indicated");
    struct vw_ndis_offload_stats o;
    vw_ndis_offload_stats(vm, &o);
    VW_EXPECT(vm, o.rx_csum_flagged >= 4, "%u of the 4 good frames reported with checksum bits",
              o.rx_csum_flagged);
    nk_down(vm, &r);
}
