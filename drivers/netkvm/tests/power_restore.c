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

/* Injects one frame per destination (in order); exactly those whose bit is
 * set in WANT are indicated. */
static void pr_expect_delivery(struct vm *vm, struct nk_rig *r, const uint8_t *const *dsts,
                               unsigned n, unsigned want, const char *what)
{
    struct vw_ndis_stats st;
    struct nk_mark m = nk_mark(vm);
    unsigned base = m.indicated, expect = 0;
    for (unsigned i = 0; i < n && !vm->failed; i++) {
        uint8_t f[PR_LEN];
        nk_frame(f, PR_LEN, dsts[i], nk_peer, 700 + i);
        vmodel_net_wire_inject(r->net->model, f, PR_LEN, NULL);
        expect += want >> i & 1;
    }
    nk_wait_indicated_since(vm, m, expect);
    for (int i = 0; i < 10 && !vm->failed; i++)
        vw_run_for(vm, 100); /* room for an unwanted one */
    vw_ndis_stats(vm, &st);
    unsigned got = st.indicated - base;
    VW_EXPECT(vm, got == expect, "%s: %u frames indicated, %u expected", what, got, expect);
    for (unsigned i = 0, k = 0; i < n && got == expect && !vm->failed; i++) {
        if (!(want >> i & 1))
            continue;
        uint8_t buf[PR_LEN + 64], f[PR_LEN];
        nk_frame(f, PR_LEN, dsts[i], nk_peer, 700 + i);
        unsigned len = vw_ndis_received(vm, base + k++, buf, sizeof(buf));
        VW_EXPECT(vm, len == PR_LEN && memcmp(buf, f, PR_LEN) == 0,
                  "%s: indication %u is not the frame to destination %u", what, k - 1, i);
    }
    vw_ndis_return_all(vm);
}

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
    pr_expect_delivery(vm, &r, dsts, 5, 0x0d, "before D3");
    uint64_t ctrl_before = vmodel_net_stats(r.net->model)->ctrl_ok;
    if (vm->failed || !vw_ndis_pause(vm) || !vw_ndis_set_power(vm, true, &status))
        return;
    VW_EXPECT(vm, status == 0, "D3: status 0x%08x", status);
    /* The reset at D3 put the device back to its start (the model clears at the reset), so
     * what the device holds after D0 is what the driver said again. */
    const struct vmodel_net_state *ms = vmodel_net_state(r.net->model);
    VW_EXPECT(vm,
              ms->promisc && !ms->nobcast && ms->multi_count == 0 &&
                  !(ms->vlans[100 / 8] & 1u << (100 % 8)),
              "D3: the device was not reset (promisc %d nobcast %d, %u multicast entries)",
              ms->promisc, ms->nobcast, (unsigned)ms->multi_count);
    if (vm->failed || !vw_ndis_set_power(vm, false, &status))
        return;
    VW_EXPECT(vm, status == 0, "D0: status 0x%08x", status);
    if (vm->failed || !vw_ndis_restart(vm))
        return;
    /* Receive mode (NOBCAST), MAC table, VLAN_ADD: said again */
    uint64_t said = vmodel_net_stats(r.net->model)->ctrl_ok - ctrl_before;
    VW_EXPECT(vm, said >= 3, "D0: %llu control commands, the settings need 3",
              (unsigned long long)said);
    pr_expect_state(vm, &r, "after D0");
    pr_expect_delivery(vm, &r, dsts, 5, 0x0d, "after D0");
    VW_EXPECT(vm, vmodel_net_stats(r.net->model)->rule_errors == 0, "model: %s",
              vmodel_net_stats(r.net->model)->last_rule);
    nk_down(vm, &r);
}
