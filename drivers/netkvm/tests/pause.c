/*
 * NetKVM paused with traffic in flight, and on two queue pairs: a pause
 * while sends sit at the device (a delayed transmit queue) and received
 * NBLs are held by the protocol pends, then completes once both came back
 * (network/pausing-an-adapter); frames arriving while paused are not
 * indicated, nor counted as received (OID_GEN_STATISTICS matches what was
 * indicated); after the restart frames flow again.  With MQ offered for 2
 * pairs on 4 CPUs (RSS off) both pairs carry frames each way.
 */
#include "nk_harness.h"

#define NK_BURST 8
#define NK_LEN   200

VW_SCENARIO("netkvm", netkvm_pause_with_traffic_in_flight, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true};
    if (!nk_up(vm, &r, &o))
        return;
    static uint8_t f[NK_BURST][NK_LEN];
    struct vw_ndis_stats st;
    /* Received NBLs the protocol keeps for now */
    struct nk_mark m = nk_mark(vm);
    nk_inject_frames(vm, &r, NK_LEN, 0, NK_BURST);
    VW_EXPECT(vm, nk_wait_indicated_since(vm, m, NK_BURST) == NK_BURST, "frames not indicated");
    /* Sends the device completes only 2 ms later (transmitq1 is queue 1) */
    vmodel_queue_delay(r.net->dev->model, 1, 20000, 20000);
    nk_send_frames(vm, &f[0][0], NK_LEN, 100, NK_BURST);
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.send_completed < NK_BURST && st.held == NK_BURST,
              "nothing in flight at the pause: %u sends completed, %u NBLs held", st.send_completed,
              st.held);
    if (vm->failed || !vw_ndis_pause(vm))
        return;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.pause_pended == 1, "MiniportPause did not pend (%u)", st.pause_pended);
    VW_EXPECT(vm,
              st.send_completed == NK_BURST && st.send_failed == 0 && st.held == 0 &&
                  st.returned == NK_BURST,
              "paused with %u of %u sends completed (%u failed), %u NBLs held", st.send_completed,
              NK_BURST, st.send_failed, st.held);
    nk_expect_wire(vm, &r, NK_LEN, 100, NK_BURST);
    /* Paused: what arrives is not indicated */
    vmodel_queue_delay(r.net->dev->model, 1, 0, 0);
    nk_inject_frames(vm, &r, NK_LEN, 200, 4);
    for (int i = 0; i < 20 && !vm->failed; i++)
        vw_run_for(vm, 100);
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.indicated == NK_BURST, "%u indications while paused", st.indicated - NK_BURST);
    /* Running again: both directions flow */
    if (vm->failed || !vw_ndis_restart(vm))
        return;
    m = nk_mark(vm);
    nk_send_frames(vm, &f[0][0], NK_LEN, 300, NK_BURST);
    VW_EXPECT(vm, nk_wait_completed_since(vm, m, NK_BURST) == NK_BURST,
              "sends after the restart not completed");
    nk_expect_wire(vm, &r, NK_LEN, 300, NK_BURST);
    nk_inject_frames(vm, &r, NK_LEN, 400, NK_BURST);
    VW_EXPECT(vm, nk_wait_indicated_since(vm, m, NK_BURST) == NK_BURST,
              "frames after the restart not indicated");
    vw_ndis_return_all(vm);
    /* The 4 frames dropped while paused are discards, not received octets */
    nk_down_counted(vm, &r);
}

/* Rings of 64: 2 pairs of 256 (512 receive buffers, an NBL and an MDL
 * each) could pass the harness's 5 s wall-clock bound per driver call in
 * InitializeEx on a loaded machine (amd64 seed 0 timed out beside testpmd). */
VW_SCENARIO("netkvm", netkvm_two_pairs_rss_off, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .pairs = 2, .shape = {.queue_max = 64}};
    if (!vw_cpus_set(vm, 4) || !nk_up(vm, &r, &o))
        return;
    const struct vmodel_net_state *ms = vmodel_net_state(r.net->model);
    VW_EXPECT(vm, ms->pairs == 2 && !ms->rss_on, "the device runs %u pairs, RSS %d", ms->pairs,
              ms->rss_on);
    /* Receive: 8 frames forced onto each pair */
    uint8_t fr[NK_LEN], got[NK_LEN];
    struct nk_mark m = nk_mark(vm);
    for (unsigned k = 0; k < 2 * NK_BURST && !vm->failed; k++) {
        struct vmodel_net_rx_opts ro = {.queue = (int)(k & 1)};
        nk_frame(fr, NK_LEN, nk_mac, nk_peer, k);
        VW_EXPECT(vm, vmodel_net_wire_inject(r.net->model, fr, NK_LEN, &ro) == (int)(k & 1),
                  "frame %u not queued on pair %u", k, k & 1);
    }
    unsigned n = nk_wait_indicated_since(vm, m, 2 * NK_BURST);
    VW_EXPECT(vm, n == 2 * NK_BURST, "%u of %u frames indicated", n, 2 * NK_BURST);
    /* Indicated per pair in order: match each by its payload */
    unsigned seen = 0;
    for (unsigned i = 0; i < n && !vm->failed; i++) {
        unsigned len = vw_ndis_received(vm, i, got, sizeof(got)), k;
        for (k = 0; k < 2 * NK_BURST; k++) {
            nk_frame(fr, NK_LEN, nk_mac, nk_peer, k);
            if (len == NK_LEN && memcmp(got, fr, NK_LEN) == 0)
                break;
        }
        VW_EXPECT(vm, k < 2 * NK_BURST && !(seen >> k & 1), "indication %u is no frame injected",
                  i);
        seen |= 1u << (k & 31);
    }
    vw_ndis_return_all(vm);
    const struct vmodel_net_stats *s = vmodel_net_stats(r.net->model);
    VW_EXPECT(vm, s->rx_per_queue[0] == NK_BURST && s->rx_per_queue[1] == NK_BURST,
              "received per pair %llu, %llu", (unsigned long long)s->rx_per_queue[0],
              (unsigned long long)s->rx_per_queue[1]);
    /* Send: each frame reaches the wire intact; the pairs used are counted */
    static uint8_t f[NK_BURST][NK_LEN];
    m = nk_mark(vm);
    nk_send_frames(vm, &f[0][0], NK_LEN, 500, NK_BURST);
    VW_EXPECT(vm, nk_wait_completed_since(vm, m, NK_BURST) == NK_BURST, "sends not completed");
    struct vmodel_net_frame w;
    unsigned out = 0, per[2] = {0, 0};
    while (!vm->failed && vmodel_net_wire_take(r.net->model, &w)) {
        unsigned k;
        for (k = 0; k < NK_BURST; k++)
            if (w.len == NK_LEN && memcmp(w.data, f[k], NK_LEN) == 0)
                break;
        VW_EXPECT(vm, k < NK_BURST && w.queue < 2, "wire frame %u is no frame sent (pair %u)", out,
                  w.queue);
        per[w.queue & 1]++;
        out++;
    }
    VW_EXPECT(vm, out == NK_BURST, "%u frames on the wire, %u sent", out, NK_BURST);
    vw_log(vm, "netkvm 2 pairs: sends left on pair 0: %u, pair 1: %u", per[0], per[1]);
    nk_down_clean(vm, &r);
}

/* Surprise removal with sends at the device and received NBLs held: the
 * PnP event, the pause (sends completed, failed or not, each once; the
 * NBLs back), the halt with nothing left. */
VW_SCENARIO("netkvm", netkvm_surprise_removal_in_flight, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true};
    if (!nk_up(vm, &r, &o))
        return;
    static uint8_t f[NK_BURST][NK_LEN];
    struct nk_mark m = nk_mark(vm);
    nk_inject_frames(vm, &r, NK_LEN, 0, NK_BURST);
    VW_EXPECT(vm, nk_wait_indicated_since(vm, m, NK_BURST) == NK_BURST, "frames not indicated");
    vmodel_queue_delay(r.net->dev->model, 1, 20000, 20000);
    nk_send_frames(vm, &f[0][0], NK_LEN, 100, NK_BURST);
    vw_virtio_unplug(r.net->dev); /* the device is gone: it completes nothing more */
    if (vm->failed || !vw_ndis_surprise_remove(vm))
        return;
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.send_completed == NK_BURST && st.held == 0 && st.returned == NK_BURST,
              "after the removal: %u of %u sends completed, %u NBLs held", st.send_completed,
              NK_BURST, st.held);
    vw_log(vm, "netkvm surprise removal: %u sends completed, %u with a failure status",
           st.send_completed, st.send_failed);
    vw_driver_unload(vm);
}
