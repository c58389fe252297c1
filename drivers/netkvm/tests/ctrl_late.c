/*
 * NetKVM's control queue when the device answers late, never, or with
 * VIRTIO_NET_ERR (virtio 1.2 5.1.6.5: the answer is the ack byte of a used
 * buffer, returned when the device gets to it; vmodel_queue_delay /
 * vmodel_queue_freeze on the control queue, the model's ctrl_refuse knob).
 * An OID that needs a control command still completes within the driver's
 * bound (~100 ms); when it reports success the filter holds for what is
 * indicated, whatever the device did (network/oid-gen-current-packet-filter);
 * after a late answer arrived, the next commands are answered and applied as
 * usual.
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
    nk_down_clean(vm, &r);
}

/* Frames to our address, broadcast, a multicast group and another station: of those, after a
 * filter of DIRECTED alone, only the first may be indicated (network/oid-gen-current-packet-filter:
 * the miniport indicates only what the filter admits, whatever the device did). */
static void cl_expect_directed_only(struct vm *vm, struct nk_rig *r, const char *what)
{
    static const uint8_t dst[4][6] = {{0x52, 0x54, 0x00, 0x12, 0x34, 0x56},
                                      {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
                                      {0x01, 0x00, 0x5e, 0x00, 0x00, 0x07},
                                      {0x02, 0x00, 0x00, 0x00, 0x00, 0x0c}};
    struct nk_mark m = nk_mark(vm);
    for (unsigned i = 0; i < 4; i++) {
        uint8_t f[CL_LEN];
        nk_frame(f, CL_LEN, dst[i], nk_peer, 910 + i);
        vmodel_net_wire_inject(r->net->model, f, CL_LEN, NULL);
    }
    nk_wait_indicated_since(vm, m, 1);
    for (int i = 0; i < 10 && !vm->failed; i++)
        vw_run_for(vm, 100); /* room for an unwanted one */
    unsigned got = nk_mark(vm).indicated - m.indicated;
    uint8_t buf[CL_LEN];
    unsigned len = got == 1 ? vw_ndis_received(vm, m.indicated, buf, sizeof(buf)) : 0;
    VW_EXPECT(vm, got == 1 && len == CL_LEN && memcmp(buf, dst[0], 6) == 0,
              "%s: the filter OID succeeded, but %u of a directed, a broadcast, a multicast and "
              "another station's frame were indicated (only the directed one may be)",
              what, got);
    vw_ndis_return_all(vm);
}

/* The device takes the filter's commands but answers none (or refuses them, REFUSE): the OID
 * completes within the bound; a failure says the filter is not in effect, a success that it
 * is, and then only what it admits is indicated (the driver drops the rest itself). */
static void cl_unconfirmed(struct vm *vm, bool refuse)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .add = 1ull << VIRTIO_NET_F_CTRL_RX_EXTRA};
    if (!nk_up(vm, &r, &o))
        return;
    uint64_t ms1 = 0;
    if (refuse)
        vmodel_net_set_hostile(r.net->model, &(struct vmodel_net_hostile){.ctrl_refuse = 16});
    else
        vmodel_queue_freeze(r.net->dev->model, vmodel_net_ctrl_queue(r.net->model), UINT64_MAX);
    uint32_t st = cl_filter(vm, VW_NDIS_PACKET_TYPE_DIRECTED, &ms1);
    vw_log(vm, "netkvm ctrl: filter OID status 0x%08x after %llu ms, the device %s", st,
           (unsigned long long)ms1, refuse ? "refusing" : "silent");
    VW_EXPECT(vm, ms1 <= CL_BOUND, "unconfirmed commands held the OID %llu ms (bound %llu)",
              (unsigned long long)ms1, CL_BOUND);
    VW_EXPECT(vm, st != VW_NDIS_STATUS_PENDING, "the filter OID completed with PENDING");
    if (st == 0 && !vm->failed)
        cl_expect_directed_only(vm, &r, refuse ? "refused" : "never answered");
    nk_down(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_ctrl_never_answered_filter_holds, NULL)
{
    cl_unconfirmed(vm, false);
}

VW_SCENARIO("netkvm", netkvm_ctrl_refused_filter_holds, NULL)
{
    cl_unconfirmed(vm, true);
}
