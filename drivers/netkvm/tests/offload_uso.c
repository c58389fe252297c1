/*
 * NetKVM's UDP segmentation offload (USO, NDIS 6.83; virtio HOST_USO,
 * GSO_UDP_L4, spec 5.1.6.2).  The device offers HOST_USO; a large UDP
 * datagram sent with UdpSegmentationOffloadInfo (MSS 1472 over IPv4, 1452
 * over IPv6: a 1500-byte MTU less the IP and UDP headers; 40 segments, a
 * multiple of the MSS as the stack sends without SubMssFinalSegmentSupported)
 * leaves as MSS-sized UDP datagrams, each with right lengths and checksums,
 * whose payloads rebuild the send.  The emulation sends it only when the
 * miniport's current offload configuration enables USO (port/ndis/uso.c),
 * which an NDIS 6.50 miniport cannot declare (NDIS_OFFLOAD revision 6): run
 * on NetKVM's NDIS 6.83 build, netkvm683.sys, which exists for amd64 and
 * arm64 only (Windows 11 has no x86).
 */
#include "nkoff.h"

/* A 40-segment USO send over IPV: MSS-sized datagrams on the wire. */
static void nkuso(struct vm *vm, int ipv)
{
    struct nk_rig r;
    if (!nkoff_up_image(vm, &r, "netkvm683", 1ull << VIRTIO_NET_F_HOST_USO, 0, 0, NULL) ||
        !nkoff_enable(vm, false))
        return;
    static uint8_t f[65550];
    unsigned hl = 14 + (ipv == 4 ? 20 : 40) + 8;
    unsigned mss = 1500 - (ipv == 4 ? 20 : 40) - 8, payload = 40 * mss;
    unsigned len = ndis_frame_build(f, ipv, 17, payload, 7000, nk_peer, nk_mac, true);
    struct vw_ndis_tx_info info = {.uso = mss | (hl - 8) << 20 | (ipv == 6 ? 1u << 31 : 0)};
    if (!nk_send_one_done(vm, f, len, &info, "the USO send"))
        return;
    struct vmodel_net_frame w;
    unsigned n = 0, at = 0;
    while (!vm->failed && vmodel_net_wire_take(r.net->model, &w)) {
        struct ndis_frame p;
        unsigned seg = w.len > hl ? w.len - hl : 0;
        VW_EXPECT(vm,
                  w.len <= 1514 && seg <= mss && ndis_frame_parse(w.data, w.len, &p) &&
                      p.proto == 17 && p.end == w.len && ndis_frame_l4_csum_ok(w.data, &p) &&
                      (ipv == 6 || ndis_frame_ip_csum_ok(w.data, &p)) &&
                      memcmp(w.data + hl, f + hl + at, seg) == 0,
                  "datagram %u (%u bytes) is not the send's next MSS with right lengths and "
                  "checksums",
                  n, w.len);
        at += seg, n++;
    }
    VW_EXPECT(vm, at == payload && n == 40, "%u datagrams carried %u of %u payload bytes", n, at,
              payload);
    nk_down_clean(vm, &r);
}

VW_SCENARIO_ON("netkvm", uso_udp4, NULL, VW_ARCH_BIT(VW_AMD64) | VW_ARCH_BIT(VW_ARM64))
{
    nkuso(vm, 4);
}

VW_SCENARIO_ON("netkvm", uso_udp6, NULL, VW_ARCH_BIT(VW_AMD64) | VW_ARCH_BIT(VW_ARM64))
{
    nkuso(vm, 6);
}
