/*
 * NetKVM's control queue when the device answers late or never (virtio 1.2
 * 5.1.6.5: the answer is the ack byte of a used buffer, which the device
 * returns when it gets to it; vmodel_queue_delay / vmodel_queue_freeze on the
 * control queue).  An OID that needs a control command must still complete
 * within the driver's bound (~100 ms), with a failure when the device never
 * answered (network/oid-gen-current-packet-filter: the filter is not in
 * effect); after a late answer arrived, the next commands are answered and
 * applied as usual (the late answer is not taken for theirs).
 */
#include "nk_harness.h"

#define CL_MS    10000ull /* the harness clock counts 100 ns */
#define CL_BOUND 150ull   /* ms an OID may take: the driver's 100 ms bound and room */
#define CL_LEN   80

static const uint8_t cl_bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* Sets the packet filter; its NDIS_STATUS, and the virtual ms it took in *MS. */
static uint32_t cl_filter(struct vm *vm, uint32_t filter, uint64_t *ms)
{
    uint32_t status = 1, done = 0;
    uint64_t t0 = vm->k->interrupt_time;
    VW_EXPECT(vm,
              vw_ndis_oid(vm, true, VW_OID_GEN_CURRENT_PACKET_FILTER, &filter, 4, &status, &done),
              "OID_GEN_CURRENT_PACKET_FILTER 0x%x did not complete", filter);
    *ms = (vm->k->interrupt_time - t0) / CL_MS;
    return status;
}

/* Injects a broadcast frame; whether it was indicated. */
static bool cl_bcast_indicated(struct vm *vm, struct nk_rig *r)
{
    uint8_t f[CL_LEN];
    struct nk_mark m = nk_mark(vm);
    nk_frame(f, CL_LEN, cl_bcast, nk_peer, 900);
    vmodel_net_wire_inject(r->net->model, f, CL_LEN, NULL);
    nk_wait_indicated_since(vm, m, 1);
    vw_run_for(vm, 500);
    bool got = nk_mark(vm).indicated > m.indicated;
    vw_ndis_return_all(vm);
    return got;
}

/* The device answers the first command 300 ms late (beyond the driver's bound): the OID still
 * completes within the bound; once the answer came, the next filter change is answered at once
 * and in effect, in the device (nobcast off) and for the frames indicated. */
VW_SCENARIO("netkvm", netkvm_ctrl_late_answer_then_next, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .add = 1ull << VIRTIO_NET_F_CTRL_RX_EXTRA};
    if (!nk_up(vm, &r, &o))
        return;
    struct vmodel *dm = r.net->dev->model;
    uint16_t cq = vmodel_net_ctrl_queue(r.net->model);
    const struct vmodel_net_state *ms = vmodel_net_state(r.net->model);
    const struct vmodel_net_stats *mst = vmodel_net_stats(r.net->model);
    uint64_t ms1 = 0, ms2 = 0;
    vmodel_queue_delay(dm, cq, 300 * CL_MS, 300 * CL_MS);
    uint32_t st1 = cl_filter(vm, VW_NDIS_PACKET_TYPE_DIRECTED, &ms1);
    vw_log(vm, "netkvm ctrl: first filter status 0x%08x after %llu ms", st1,
           (unsigned long long)ms1);
    VW_EXPECT(vm, ms1 <= CL_BOUND, "a late answer held the OID %llu ms (bound %llu)",
              (unsigned long long)ms1, CL_BOUND);
    vmodel_queue_delay(dm, cq, 0, 0);
    vw_run_for(vm, 400 * CL_MS); /* the late answer comes */
    uint64_t ok = mst->ctrl_ok;
    uint32_t st2 =
        cl_filter(vm, VW_NDIS_PACKET_TYPE_DIRECTED | VW_NDIS_PACKET_TYPE_BROADCAST, &ms2);
    VW_EXPECT(vm, st2 == 0 && ms2 <= CL_BOUND,
              "filter after the late answer: status 0x%08x, %llu ms", st2, (unsigned long long)ms2);
    VW_EXPECT(vm, mst->ctrl_ok > ok && !ms->nobcast && !ms->promisc,
              "after the late answer the device has nobcast %d promisc %d (%llu commands taken)",
              ms->nobcast, ms->promisc, (unsigned long long)(mst->ctrl_ok - ok));
    VW_EXPECT(vm, cl_bcast_indicated(vm, &r), "a broadcast was not indicated with BROADCAST set");
    uint32_t st3 = cl_filter(vm, VW_NDIS_PACKET_TYPE_DIRECTED, &ms2);
    VW_EXPECT(vm, st3 == 0 && ms->nobcast, "third filter: status 0x%08x, device nobcast %d", st3,
              ms->nobcast);
    VW_EXPECT(vm, !cl_bcast_indicated(vm, &r), "a broadcast was indicated without BROADCAST");
    VW_EXPECT(vm, mst->rule_errors == 0, "model: %s", mst->last_rule);
    nk_down(vm, &r);
}

/* The device never answers the control queue: the filter OID completes within the bound, and
 * with a failure, since the device never confirmed the filter (virtio 1.2 5.1.6.5: only the ack
 * byte says the command took effect). */
VW_SCENARIO("netkvm", optin_ctrl_never_answered_oid_fails, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .add = 1ull << VIRTIO_NET_F_CTRL_RX_EXTRA};
    if (!nk_up(vm, &r, &o))
        return;
    uint64_t ms1 = 0;
    vmodel_queue_freeze(r.net->dev->model, vmodel_net_ctrl_queue(r.net->model), UINT64_MAX);
    uint32_t st = cl_filter(vm, VW_NDIS_PACKET_TYPE_DIRECTED, &ms1);
    VW_EXPECT(vm, ms1 <= CL_BOUND, "an unanswered command held the OID %llu ms (bound %llu)",
              (unsigned long long)ms1, CL_BOUND);
    VW_EXPECT(vm, st != 0 && st != VW_NDIS_STATUS_PENDING,
              "an unanswered control command: the filter OID completed with status 0x%08x", st);
    nk_down(vm, &r);
}
