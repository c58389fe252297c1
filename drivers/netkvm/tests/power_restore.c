/*
 * NetKVM at D0 after D3 (network/oid-pnp-set-power): the driver reset the
 * device at D3, so at D0 it must say again everything the control queue
 * had set.  Before D3: packet filter directed + multicast (no broadcast:
 * NOBCAST with CTRL_RX_EXTRA), a multicast list of two groups, VlanId 100
 * in the device's VLAN filter (CTRL_VLAN).  After D0 and the restart the
 * device's state (vmodel_net_state) holds them again and the frames each
 * setting admits, and only those, are indicated.
 */
#include "nk_harness.h"

#define PR_LEN 80

static const uint8_t pr_bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t pr_group[3][6] = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01},
                                       {0x01, 0x00, 0x5e, 0x00, 0x00, 0x02},
                                       {0x01, 0x00, 0x5e, 0x00, 0x00, 0x03}};

/* The device's receive state as the driver set it: receive mode, multicast table, VLAN 100. */
static void pr_expect_state(struct vm *vm, struct nk_rig *r, const char *what)
{
    const struct vmodel_net_state *ms = vmodel_net_state(r->net->model);
    VW_EXPECT(vm, !ms->promisc && !ms->allmulti && ms->nobcast && ms->multi_count == 2,
              "%s: promisc %d allmulti %d nobcast %d, %u multicast entries (want 0 0 1, 2)", what,
              ms->promisc, ms->allmulti, ms->nobcast, (unsigned)ms->multi_count);
    VW_EXPECT(vm, ms->vlans[100 / 8] & 1u << (100 % 8), "%s: VLAN 100 not in the device's filter",
              what);
}

VW_SCENARIO("netkvm", netkvm_power_d0_restores_filters, NULL)
{
    static const char *const kw[] = {"VlanId", "100", NULL};
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true,
                        .add = 1ull << VIRTIO_NET_F_CTRL_RX_EXTRA | 1ull << VIRTIO_NET_F_CTRL_VLAN,
                        .keywords = kw};
    if (!nk_up(vm, &r, &o))
        return;
    uint32_t status = 1, done = 0,
             filter = VW_NDIS_PACKET_TYPE_DIRECTED | VW_NDIS_PACKET_TYPE_MULTICAST;
    VW_EXPECT(vm,
              vw_ndis_oid(vm, true, VW_OID_GEN_CURRENT_PACKET_FILTER, &filter, 4, &status, &done) &&
                  status == 0,
              "packet filter: status 0x%08x", status);
    VW_EXPECT(
        vm,
        vw_ndis_oid(vm, true, VW_OID_802_3_MULTICAST_LIST, (void *)pr_group, 12, &status, &done) &&
            status == 0,
        "multicast list: status 0x%08x", status);
    const uint8_t *dsts[5] = {nk_mac, pr_bcast, pr_group[0], pr_group[1], pr_group[2]};
    pr_expect_state(vm, &r, "before D3");
    nk_expect_delivery(vm, &r, dsts, 5, 0x0d, PR_LEN, 700, "before D3");
    uint64_t ctrl_before = vmodel_net_stats(r.net->model)->ctrl_ok;
    if (!nk_to_d3(vm))
        return;
    /* The reset at D3 put the device back to its start (the model clears at the reset), so
     * what the device holds after D0 is what the driver said again. */
    const struct vmodel_net_state *ms = vmodel_net_state(r.net->model);
    VW_EXPECT(vm,
              ms->promisc && !ms->nobcast && ms->multi_count == 0 &&
                  !(ms->vlans[100 / 8] & 1u << (100 % 8)),
              "D3: the device was not reset (promisc %d nobcast %d, %u multicast entries)",
              ms->promisc, ms->nobcast, (unsigned)ms->multi_count);
    if (!nk_to_d0(vm))
        return;
    /* Receive mode (NOBCAST), MAC table, VLAN_ADD: said again */
    uint64_t said = vmodel_net_stats(r.net->model)->ctrl_ok - ctrl_before;
    VW_EXPECT(vm, said >= 3, "D0: %llu control commands, the settings need 3",
              (unsigned long long)said);
    pr_expect_state(vm, &r, "after D0");
    nk_expect_delivery(vm, &r, dsts, 5, 0x0d, PR_LEN, 700, "after D0");
    nk_down_clean(vm, &r);
}
