/*
 * NetKVM's NDIS 6.83 build (netkvm683.sys, shipped as netkvm.sys for
 * Windows 11 and Server 2025; amd64 and arm64 only, as Windows 11 has no
 * x86): the same sources registering 6.83, checked here to register and
 * report that level (OID_GEN_DRIVER_VERSION, network/oid-gen-driver-version:
 * major in the high byte) and to run the checksum-offloaded send path like
 * the 6.50 build.  Its USO: offload_uso.c.
 */
#include "nkoff.h"

/* The 6.83 build up: DRIVER_VERSION 0x0653; four UDP/IPv4 sends with their
 * checksums asked reach the wire with right checksums. */
VW_SCENARIO_ON("netkvm", netkvm683_registers_6_83, NULL,
               VW_ARCH_BIT(VW_AMD64) | VW_ARCH_BIT(VW_ARM64))
{
    struct nk_rig r;
    if (!nkoff_up_image(vm, &r, "netkvm683", 0, 0, 0, NULL) || !nkoff_enable(vm, false))
        return;
    uint16_t ver = 0;
    uint32_t status = 1, done = 0;
    VW_EXPECT(
        vm,
        vw_ndis_oid(vm, false, VW_OID_GEN_DRIVER_VERSION, &ver, sizeof(ver), &status, &done) &&
            status == VW_NDIS_STATUS_SUCCESS && done == 2 && ver == 0x0653,
        "OID_GEN_DRIVER_VERSION: status 0x%08x, %u bytes, 0x%04x (want 0x0653)", status, done, ver);
    static uint8_t f[4][1514];
    unsigned lens[4];
    const uint8_t *frames[4];
    struct vw_ndis_tx_info info[4] = {{0}};
    for (unsigned i = 0; i < 4; i++) {
        lens[i] = ndis_frame_build(f[i], 4, 17, 100 + 300 * i, (uint16_t)(2000 + i), nk_peer,
                                   nk_mac, true);
        frames[i] = f[i];
        info[i].csum = nkoff_tx_csum(4, 17);
    }
    struct nk_mark m = nk_mark(vm);
    if (!vw_ndis_send_info(vm, frames, lens, info, 4))
        return;
    VW_EXPECT(vm, nk_wait_completed_since(vm, m, 4) == 4, "sends not completed");
    struct vmodel_net_frame w;
    unsigned n = 0;
    while (!vm->failed && vmodel_net_wire_take(r.net->model, &w)) {
        struct ndis_frame p;
        VW_EXPECT(vm,
                  n < 4 && w.len == lens[n] && ndis_frame_parse(w.data, w.len, &p) &&
                      ndis_frame_l4_csum_ok(w.data, &p) && ndis_frame_ip_csum_ok(w.data, &p),
                  "wire frame %u (%u bytes): checksums not completed", n, w.len);
        n++;
    }
    VW_EXPECT(vm, n == 4, "%u of 4 frames on the wire", n);
    nk_down(vm, &r);
}
