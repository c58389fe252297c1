/*
 * NetKVM's queue pairs, interrupt messages and MTU on the in-process net
 * model: with MQ the driver enables min(CPUs, max_virtqueue_pairs) pairs
 * through VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET (virtio 1.2 5.1.6.5.5), with no
 * cap at 32 (issue 16: 64 pairs at 64 CPUs in the cpus64 run); fewer MSI-X
 * messages than queues + 1 are shared (ndis/nf-ndis-ndismregisterinterruptex:
 * NDIS grants what it can) without losing a pair; an MTU of 68 (the
 * smallest a device may offer, 5.1.4.1) is the frame size and a larger send
 * never reaches the wire (5.1.6.2: the driver MUST NOT send packets longer
 * than mtu plus the Ethernet header).
 */
#include "nk_harness.h"

#define QS_LEN 120

/* Two frames forced onto each of PAIRS receive queues are all indicated
 * intact, whatever order the pairs' DPCs run in. */
static void qs_each_pair_receives(struct vm *vm, struct nk_rig *r, unsigned pairs)
{
    uint8_t fr[QS_LEN], got[QS_LEN];
    unsigned n = 2 * pairs;
    struct nk_mark m = nk_mark(vm);
    unsigned base = m.indicated;
    for (unsigned k = 0; k < n && !vm->failed; k++) {
        struct vmodel_net_rx_opts ro = {.queue = (int)(k % pairs)};
        nk_frame(fr, QS_LEN, nk_mac, nk_peer, k);
        VW_EXPECT(vm, vmodel_net_wire_inject(r->net->model, fr, QS_LEN, &ro) == (int)(k % pairs),
                  "frame %u not queued on pair %u", k, k % pairs);
    }
    unsigned got_n = nk_wait_indicated_since(vm, m, n);
    VW_EXPECT(vm, got_n == n, "%u of %u frames indicated over %u pairs", got_n, n, pairs);
    bool seen[2 * 64] = {false};
    /* The protocol layer keeps copies of the first 64 indications */
    for (unsigned i = 0; i < got_n && base + i < 64 && !vm->failed; i++) {
        unsigned len = vw_ndis_received(vm, base + i, got, sizeof(got)), k;
        for (k = 0; k < n; k++) {
            nk_frame(fr, QS_LEN, nk_mac, nk_peer, k);
            if (len == QS_LEN && memcmp(got, fr, QS_LEN) == 0)
                break;
        }
        VW_EXPECT(vm, k < n && !seen[k], "indication %u is no frame injected", i);
        if (k < n)
            seen[k] = true;
    }
    vw_ndis_return_all(vm);
    const struct vmodel_net_stats *ms = vmodel_net_stats(r->net->model);
    for (unsigned p = 0; p < pairs && !vm->failed; p++)
        VW_EXPECT(vm, ms->rx_per_queue[p] >= 2, "pair %u delivered %llu frames", p,
                  (unsigned long long)ms->rx_per_queue[p]);
}

/* The device runs WANT pairs and each carries frames. */
static void qs_pairs(struct vm *vm, struct nk_opts *o, unsigned want)
{
    struct nk_rig r;
    if (!nk_up(vm, &r, o))
        return;
    const struct vmodel_net_state *ms = vmodel_net_state(r.net->model);
    const struct vmodel_net_stats *mst = vmodel_net_stats(r.net->model);
    VW_EXPECT(vm, ms->pairs == want, "the device runs %u pairs, %u expected (%u CPUs, %u offered)",
              ms->pairs, want, vw_cpu_count(vm), o->pairs);
    qs_each_pair_receives(vm, &r, want);
    VW_EXPECT(vm, mst->rule_errors == 0 && mst->ctrl_err == 0, "model: %s", mst->last_rule);
    nk_down(vm, &r);
}

/* Rings stay small with many pairs: InitializeEx posts a receive buffer
 * per slot, and the harness bounds one driver call to 5 s of wall-clock
 * time (machine/abi.c), which 512 buffers pass on a loaded 2-core machine. */

/* 8 pairs offered on 8 CPUs: all 8 in use. */
VW_SCENARIO("netkvm", netkvm_eight_pairs_eight_cpus, NULL)
{
    struct nk_opts o = {.mrg_rxbuf = true, .pairs = 8, .cpus = 8, .shape = {.queue_max = 16}};
    qs_pairs(vm, &o, 8);
}

/* 64 pairs offered on the run's CPUs (4, or 64 in the cpus64 run): one
 * pair per CPU, 64 at 64 CPUs. */
VW_SCENARIO("netkvm", netkvm_pairs_follow_cpus, NULL)
{
    unsigned cpus = vw_cpu_count(vm), want = cpus < 64 ? cpus : 64;
    struct nk_opts o = {.mrg_rxbuf = true, .pairs = 64, .shape = {.queue_max = 4}};
    qs_pairs(vm, &o, want);
}

/* 4 pairs on 4 CPUs with 3 MSI-X messages (10 would give each queue its
 * own): messages shared, 4 pairs still in use, every pair delivers. */
VW_SCENARIO("netkvm", netkvm_fewer_msix_messages, NULL)
{
    struct nk_opts o = {
        .mrg_rxbuf = true, .pairs = 4, .cpus = 4, .shape = {.queue_max = 64, .msix_vectors = 3}};
    qs_pairs(vm, &o, 4);
}

/* MTU 68 offered: the general attributes say 68, an 82-byte frame goes
 * each way, a 1514-byte send fails and stays off the wire. */
VW_SCENARIO("netkvm", netkvm_mtu_68, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .mtu = 68};
    if (!nk_up(vm, &r, &o))
        return;
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.mtu == 68, "general attributes: MTU %u, 68 offered", st.mtu);
    static uint8_t small[82], big[1514], got[128];
    nk_frame(small, sizeof(small), nk_peer, nk_mac, 1);
    nk_frame(big, sizeof(big), nk_peer, nk_mac, 2);
    const uint8_t *all[2] = {small, big};
    unsigned lens[2] = {sizeof(small), sizeof(big)};
    struct nk_mark m = nk_mark(vm);
    vw_ndis_send(vm, all, lens, 2);
    VW_EXPECT(vm, nk_wait_completed_since(vm, m, 2) == 2, "the two sends did not complete");
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.send_failed == 1, "%u sends failed, the 1514-byte one should", st.send_failed);
    struct vmodel_net_frame w;
    VW_EXPECT(vm,
              vmodel_net_wire_take(r.net->model, &w) && w.len == sizeof(small) &&
                  memcmp(w.data, small, sizeof(small)) == 0,
              "the 82-byte frame is not on the wire");
    VW_EXPECT(vm, !vmodel_net_wire_take(r.net->model, &w), "a %u-byte frame reached the wire",
              w.len);
    nk_frame(small, sizeof(small), nk_mac, nk_peer, 3);
    m = nk_mark(vm);
    VW_EXPECT(vm, vmodel_net_wire_inject(r.net->model, small, sizeof(small), NULL) >= 0,
              "the model dropped the 82-byte frame");
    VW_EXPECT(vm,
              nk_wait_indicated_since(vm, m, 1) == 1 &&
                  vw_ndis_received(vm, m.indicated, got, sizeof(got)) == 82 &&
                  memcmp(got, small, 82) == 0,
              "the 82-byte frame was not indicated intact");
    vw_ndis_return_all(vm);
    nk_down_clean(vm, &r);
}
