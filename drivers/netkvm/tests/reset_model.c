/*
 * NDIS resets NetKVM while the in-process device holds its sends (the
 * transmit queue's used entries held 20 ms: a device that hangs) and the
 * protocol holds 8 received NBLs; every seed, unlike the testpmd run.
 * NDIS asks MiniportCheckForHangEx after 5 ms, then resets
 * (`vw_ndis_reset`: DISPATCH_LEVEL, a status ndis/nc-ndis-miniport_reset
 * lists, no send or OID meanwhile).  The reset succeeds; each of the 8
 * sends is completed exactly once (the emulation fails a second
 * completion or PENDING) by the time the device would have answered; the
 * held NBLs go back; 8 frames then go each way intact (the sends once the
 * back end's hang ends) and the device finds no rule broken.
 */
#include "nk_harness.h"

#define RM_N    8
#define RM_LEN  200
#define RM_HANG 200000 /* 20 ms */

VW_SCENARIO("netkvm", netkvm_reset_with_device_holding_sends, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .shape = {.queue_max = 64}};
    if (!nk_up(vm, &r, &o))
        return;
    static uint8_t buf[NK_SEND_MAX * RM_LEN];
    struct nk_mark m = nk_mark(vm);
    nk_inject_frames(vm, &r, RM_LEN, 0, RM_N);
    VW_EXPECT(vm, nk_wait_indicated_since(vm, m, RM_N) == RM_N, "frames not indicated");
    vw_virtio_hang_queue(r.net->dev, 1, RM_HANG); /* transmitq1 (5.1.2) */
    m = nk_mark(vm);
    nk_send_frames(vm, buf, RM_LEN, 0, RM_N);
    vw_run_for(vm, 50000); /* 5 ms */
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    unsigned in_flight = st.sent - st.send_completed, held = st.held;
    uint32_t resets = vmodel_reset_count(r.net->dev->model);
    bool hung = false, addressing = false;
    uint32_t status = 1;
    if (!vw_ndis_check_for_hang(vm, &hung) || !vw_ndis_reset(vm, &status, &addressing))
        return;
    VW_EXPECT(vm, status == VW_NDIS_STATUS_SUCCESS || status == VW_NDIS_STATUS_SOFT_ERRORS,
              "MiniportResetEx: 0x%08x (an operational adapter: SUCCESS)", status);
    for (unsigned i = 0; i < 40 && nk_mark(vm).completed - m.completed < RM_N && !vm->failed; i++)
        vw_run_for(vm, 10000);
    vw_ndis_stats(vm, &st);
    vw_log(vm,
           "netkvm reset on the model: %u sends held by the device, %u receives held; hung %d; "
           "reset 0x%08x, AddressingReset %d, %u device resets; %u of %u completed, %u failed",
           in_flight, held, hung, status, addressing,
           vmodel_reset_count(r.net->dev->model) - resets, st.send_completed - m.completed, RM_N,
           st.send_failed);
    VW_EXPECT(vm, in_flight == RM_N, "%u of %u sends in flight before the reset", in_flight, RM_N);
    VW_EXPECT(vm, st.send_completed == st.sent, "%u of %u sends completed after the reset",
              st.send_completed, st.sent);
    unsigned failed = st.send_failed;
    while (!vm->failed && vmodel_net_wire_take(r.net->model, &(struct vmodel_net_frame){0}))
        ;
    vw_ndis_return_all(vm);
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.held == 0, "%u NBLs held after the returns", st.held);
    m = nk_mark(vm);
    nk_send_frames(vm, buf, RM_LEN, 100, RM_N);
    /* The back end's hang outlives the device reset (a guest reset does not
     * cure a stalled back end): the new sends wait for its end, 20 ms after
     * it began, and no longer. */
    for (unsigned i = 0;
         i < RM_HANG / 10000 && nk_mark(vm).completed - m.completed < RM_N && !vm->failed; i++)
        vw_run_for(vm, 10000);
    VW_EXPECT(vm, nk_wait_completed_since(vm, m, RM_N) == RM_N, "sends after the reset");
    nk_expect_wire(vm, &r, RM_LEN, 100, RM_N);
    nk_inject_frames(vm, &r, RM_LEN, 200, RM_N);
    VW_EXPECT(vm, nk_wait_indicated_since(vm, m, RM_N) == RM_N, "receives after the reset");
    nk_expect_received(vm, m.indicated, RM_LEN, 200, RM_N, "after the reset");
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.send_failed == failed, "%u sends failed after the reset",
              st.send_failed - failed);
    vw_ndis_return_all(vm);
    nk_down_clean(vm, &r);
}
