/*
 * NetKVM brought up on a modern virtio-net function with MSI-X:
 * InitializeEx succeeds, the MAC from the device's configuration is the
 * current and permanent address, the link is reported up (general
 * attributes) and indicated down and up again when the device's STATUS
 * changes, and the halt
 * leaves nothing (the emulation's halt and unload checks).
 */
#include "nk_harness.h"

VW_SCENARIO("netkvm", netkvm_init_mac_link_halt, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true};
    if (!nk_up(vm, &r, &o))
        return;
    uint8_t mac[6] = {0}, perm[6] = {0};
    uint32_t status = 1, done = 0;
    VW_EXPECT(vm,
              vw_ndis_oid(vm, false, VW_OID_802_3_CURRENT_ADDRESS, mac, 6, &status, &done) &&
                  status == 0 && done == 6 && memcmp(mac, nk_mac, 6) == 0,
              "OID_802_3_CURRENT_ADDRESS: status 0x%08x, %u bytes, not the device's MAC", status,
              done);
    VW_EXPECT(vm,
              vw_ndis_oid(vm, false, VW_OID_802_3_PERMANENT_ADDRESS, perm, 6, &status, &done) &&
                  status == 0 && done == 6 && memcmp(perm, nk_mac, 6) == 0,
              "OID_802_3_PERMANENT_ADDRESS: status 0x%08x, %u bytes", status, done);
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, memcmp(st.mac, nk_mac, 6) == 0, "general attributes carry another MAC");
    VW_EXPECT(vm, st.media_connect == 1, "InitializeEx reported media connect state %u, not up",
              st.media_connect);
    /* The device's STATUS flips: a configuration interrupt, one
     * NDIS_STATUS_LINK_STATE indication each way. */
    unsigned before = st.link_indications;
    vmodel_net_set_link(r.net->model, false);
    for (int i = 0; i < 20 && !vm->failed; i++)
        vw_run_for(vm, 100);
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.link_indications == before + 1 && st.media_connect == 2,
              "link down: %u indications, state %u", st.link_indications - before,
              st.media_connect);
    vmodel_net_set_link(r.net->model, true);
    for (int i = 0; i < 20 && !vm->failed; i++)
        vw_run_for(vm, 100);
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.link_indications == before + 2 && st.media_connect == 1,
              "link up again: %u indications, state %u", st.link_indications - before,
              st.media_connect);
    nk_down_clean(vm, &r);
}
