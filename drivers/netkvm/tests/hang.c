/*
 * MiniportCheckForHangEx on a device whose transmit queue stops completing
 * (ndis/nc-ndis-miniport_check_for_hang: TRUE when the NIC is not operating;
 * NDIS then calls MiniportResetEx).  The back end's hang holds transmitq1's
 * used entries 20 ms (vw_virtio_hang_queue).  With the queue idle three
 * looks answer FALSE; with 8 sends held and none completed the first look
 * answers FALSE (the sends may have just gone out) and the next TRUE (held
 * a whole interval); the reset NDIS then makes completes every send once;
 * a look after it answers FALSE; once the hang ends 8 sends go out intact
 * and the device finds no rule broken.
 */
#include "nk_harness.h"

#define HG_N    8
#define HG_LEN  200
#define HG_HANG 200000 /* 20 ms */

VW_SCENARIO("netkvm", netkvm_check_for_hang_on_stalled_sends, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .shape = {.queue_max = 64}};
    if (!nk_up(vm, &r, &o))
        return;
    static uint8_t buf[NK_SEND_MAX * HG_LEN];
    bool hung = true;
    unsigned idle_hung = 0;
    for (unsigned i = 0; i < 3 && !vm->failed; i++) {
        if (!vw_ndis_check_for_hang(vm, &hung))
            return;
        idle_hung += hung;
        vw_run_for(vm, 10000);
    }
    VW_EXPECT(vm, idle_hung == 0, "an idle adapter reported hung %u of 3 looks", idle_hung);
    vw_virtio_hang_queue(r.net->dev, 1, HG_HANG); /* transmitq1 (5.1.2) */
    struct nk_mark m = nk_mark(vm);
    nk_send_frames(vm, buf, HG_LEN, 0, HG_N);
    vw_run_for(vm, 50000); /* 5 ms */
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    unsigned in_flight = st.sent - st.send_completed;
    bool first = true, second = false;
    if (!vw_ndis_check_for_hang(vm, &first))
        return;
    vw_run_for(vm, 10000);
    if (!vw_ndis_check_for_hang(vm, &second))
        return;
    vw_log(vm, "netkvm check for hang: %u sends held; looks: %d then %d", in_flight, first, second);
    VW_EXPECT(vm, in_flight == HG_N, "%u of %u sends held by the device", in_flight, HG_N);
    VW_EXPECT(vm, !first, "hung at the first look with sends held");
    VW_EXPECT(vm, second, "not hung at the second look: %u sends held, none completed", HG_N);
    uint32_t status = 1;
    bool addressing = false;
    if (!vw_ndis_reset(vm, &status, &addressing))
        return;
    VW_EXPECT(vm, status == VW_NDIS_STATUS_SUCCESS || status == VW_NDIS_STATUS_SOFT_ERRORS,
              "MiniportResetEx: 0x%08x", status);
    for (unsigned i = 0; i < 40 && nk_mark(vm).completed - m.completed < HG_N && !vm->failed; i++)
        vw_run_for(vm, 10000);
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.send_completed == st.sent, "%u of %u sends completed after the reset",
              st.send_completed, st.sent);
    hung = true;
    if (!vw_ndis_check_for_hang(vm, &hung))
        return;
    VW_EXPECT(vm, !hung, "hung right after the reset");
    while (!vm->failed && vmodel_net_wire_take(r.net->model, &(struct vmodel_net_frame){0}))
        ;
    for (unsigned i = 0; i < HG_HANG / 10000 && !vm->failed; i++)
        vw_run_for(vm, 10000);
    m = nk_mark(vm);
    nk_send_frames(vm, buf, HG_LEN, 100, HG_N);
    VW_EXPECT(vm, nk_wait_completed_since(vm, m, HG_N) == HG_N, "sends after the hang");
    nk_expect_wire(vm, &r, HG_LEN, 100, HG_N);
    vw_ndis_return_all(vm);
    nk_down_clean(vm, &r);
}
