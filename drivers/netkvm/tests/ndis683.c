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
 * checksums asked reach the wire with right checksums (nkoff_tx_checked,
 * as offload_csum.c's). */
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
    static const unsigned payload[4] = {100, 400, 700, 1000};
    nkoff_tx_checked(vm, &r, 4, 17, payload, 2000);
    nk_down(vm, &r);
}
