/*
 * NetKVM through the NDIS emulation's power path (port/ndis/ndis_port.h
 * vw_ndis_set_power: pause, OID_PNP_QUERY_POWER and OID_PNP_SET_POWER D3,
 * OID_PNP_SET_POWER D0, restart; network/oid-pnp-set-power).  Traffic flows
 * both ways before D3 and after D0; in D3 the device's registers are not
 * touched (from the D3 set until the D0 set, the PCI function is powered
 * down) and frames arriving on the wire are not indicated until D0.
 * Sends in flight when the power-down begins are completed, with success,
 * by the pause that precedes D3 (network/pausing-an-adapter); in D3 NDIS
 * passes no send (the emulation refuses a send to a paused adapter, as
 * NDIS sends only while Running).  The driver resets the device at D3 and
 * initialises it again at D0 (tests/power_restore.c checks the control
 * settings come back).  The halt's leak checks close each run.  A surprise
 * removal while in D3 completes with nothing left.
 */
#include "nk_harness.h"

#define NK_PW_BURST 6
#define NK_PW_LEN   150

/* Sends frames K0..K0+N-1 (N <= NK_PW_BURST) in one call. */
static void pw_send(struct vm *vm, unsigned k0, unsigned n)
{
    static uint8_t f[NK_PW_BURST][NK_PW_LEN];
    nk_send_frames(vm, &f[0][0], NK_PW_LEN, k0, n);
}

/* One exchange while Running: N frames out (on the wire intact) and N in
 * (indicated intact, then returned). */
static void pw_traffic(struct vm *vm, struct nk_rig *r, unsigned k0)
{
    struct nk_mark m = nk_mark(vm);
    pw_send(vm, k0, NK_PW_BURST);
    VW_EXPECT(vm, nk_wait_completed_since(vm, m, NK_PW_BURST) == NK_PW_BURST,
              "sends %u..%u not completed", k0, k0 + NK_PW_BURST - 1);
    nk_expect_wire(vm, r, NK_PW_LEN, k0, NK_PW_BURST);
    nk_inject_frames(vm, r, NK_PW_LEN, k0 + 50, NK_PW_BURST);
    VW_EXPECT(vm, nk_wait_indicated_since(vm, m, NK_PW_BURST) == NK_PW_BURST,
              "frames %u..%u not indicated", k0 + 50, k0 + 50 + NK_PW_BURST - 1);
    nk_expect_received(vm, m.indicated, NK_PW_LEN, k0 + 50, NK_PW_BURST, "traffic");
    vw_ndis_return_all(vm);
}

VW_SCENARIO("netkvm", netkvm_power_d3_and_back, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true};
    if (!nk_up(vm, &r, &o))
        return;
    struct vw_ndis_stats st;
    pw_traffic(vm, &r, 0);
    /* Sends still at the device (transmitq1 completes 2 ms late) when the
     * power-down begins: the pause before D3 completes them all, with
     * success, and they reach the wire */
    vmodel_queue_delay(r.net->dev->model, 1, 20000, 20000);
    pw_send(vm, 100, NK_PW_BURST);
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.send_completed < 2 * NK_PW_BURST, "nothing in flight at the power-down");
    if (!nk_to_d3(vm))
        return;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.send_completed == 2 * NK_PW_BURST && st.send_failed == 0,
              "in D3: %u of %u sends completed, %u failed", st.send_completed, 2 * NK_PW_BURST,
              st.send_failed);
    nk_expect_wire(vm, &r, NK_PW_LEN, 100, NK_PW_BURST);
    vmodel_queue_delay(r.net->dev->model, 1, 0, 0);
    /* In D3: nothing indicated, no register touched */
    uint64_t regs = r.net->dev->bar_accesses;
    unsigned ind = st.indicated;
    /* The driver reset the device at D3 (network/oid-pnp-set-power): it
     * has no receive buffer, so every frame arriving now is dropped there */
    unsigned dropped = 0;
    for (unsigned k = 0; k < NK_PW_BURST && !vm->failed; k++) {
        uint8_t f[NK_PW_LEN];
        nk_frame(f, NK_PW_LEN, nk_mac, nk_peer, 200 + k);
        dropped += vmodel_net_wire_inject(r.net->model, f, NK_PW_LEN, NULL) < 0;
    }
    VW_EXPECT(vm, dropped == NK_PW_BURST, "in D3 the device took %u of %u frames (not reset?)",
              NK_PW_BURST - dropped, NK_PW_BURST);
    for (int i = 0; i < 20 && !vm->failed; i++)
        vw_run_for(vm, 100);
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.indicated == ind, "%u indications in D3", st.indicated - ind);
    VW_EXPECT(vm, r.net->dev->bar_accesses == regs, "%llu register accesses in D3",
              (unsigned long long)(r.net->dev->bar_accesses - regs));
    /* D0 and restart: both directions flow again; none of the frames of
     * D3 is indicated, and no counter saw them */
    if (!nk_to_d0(vm))
        return;
    vw_run_for(vm, 1000);
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.indicated == ind, "%u frames of D3 indicated after D0", st.indicated - ind);
    pw_traffic(vm, &r, 300);
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.held == 0 && st.send_failed == 0,
              "after D0: %u NBLs held, %u sends failed in all", st.held, st.send_failed);
    /* The counters equal what was sent and indicated (the frames of D3
     * were dropped at the reset device, never received) */
    nk_down_counted(vm, &r);
}

/* Twice down and up on two queue pairs (4 CPUs): the second cycle
 * finds the adapter as the first left it; OID_GEN_STATISTICS counts the
 * traffic of all three rounds exactly. */
VW_SCENARIO("netkvm", netkvm_power_cycles_two_pairs, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .pairs = 2, .shape = {.queue_max = 64}};
    if (!vw_cpus_set(vm, 4) || !nk_up(vm, &r, &o))
        return;
    for (unsigned cycle = 0; cycle < 2 && !vm->failed; cycle++) {
        uint64_t regs = r.net->dev->bar_accesses;
        pw_traffic(vm, &r, 1000 * cycle);
        /* The count sees the driver's notifications (else the D3 check
         * below would prove nothing) */
        VW_EXPECT(vm, r.net->dev->bar_accesses > regs,
                  "cycle %u: traffic without a register access", cycle);
        if (!nk_to_d3(vm))
            return;
        regs = r.net->dev->bar_accesses;
        vw_run_for(vm, 1000);
        VW_EXPECT(vm, r.net->dev->bar_accesses == regs, "cycle %u: %llu register accesses in D3",
                  cycle, (unsigned long long)(r.net->dev->bar_accesses - regs));
        if (!nk_to_d0(vm))
            return;
    }
    pw_traffic(vm, &r, 5000);
    /* No frame arrived while down: the counters equal what went each way */
    nk_down_counted(vm, &r);
}

/* Surprise removal while in D3: the function is gone (reads all ones),
 * NDIS's removal notification and halt run from Paused; every NBL came
 * back and the halt's leak checks pass. */
VW_SCENARIO("netkvm", netkvm_power_surprise_removal_in_d3, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true};
    if (!nk_up(vm, &r, &o))
        return;
    pw_traffic(vm, &r, 0);
    if (!nk_to_d3(vm))
        return;
    vw_virtio_unplug(r.net->dev);
    if (vm->failed || !vw_ndis_surprise_remove(vm))
        return;
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.held == 0 && st.send_completed == st.sent,
              "after the removal: %u NBLs held, %u of %u sends completed", st.held,
              st.send_completed, st.sent);
    vw_driver_unload(vm);
}

/* Injects a frame of NK_PW_LEN bytes to DST (dropped or not by the device's filter). */
static void pw_inject_to(struct nk_rig *r, const uint8_t *dst, unsigned k)
{
    uint8_t f[NK_PW_LEN];
    nk_frame(f, NK_PW_LEN, dst, nk_peer, k);
    vmodel_net_wire_inject(r->net->model, f, NK_PW_LEN, NULL);
}

/* The receive filters set before D3 hold after D0: the packet filter
 * (directed and listed multicast, no broadcast) and the multicast list
 * (network/oid-gen-current-packet-filter, oid-802-3-multicast-list).
 * Frames arrive while in D3; after D0 and the restart, of a directed, a
 * broadcast, a listed and an unlisted multicast and another station's
 * frame exactly the directed and the listed one are indicated, and a send
 * goes out.  The filters are the protocol's, so whatever the driver did
 * with the device at D3 and D0, NDIS must see them in force.  With
 * CTRL_RX_EXTRA the device can drop broadcasts (NOBCAST); without it the
 * driver must drop them itself. */
static void pw_filters_kept(struct vm *vm, bool rx_extra)
{
    static const uint8_t listed[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01},
                         unlisted[6] = {0x01, 0x00, 0x5e, 0x7f, 0x00, 0x09},
                         bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
                         other[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0c};
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true,
                        .add = rx_extra ? 1ull << VIRTIO_NET_F_CTRL_RX_EXTRA : 0};
    if (!nk_up(vm, &r, &o))
        return;
    uint32_t status = 1, done = 0;
    uint8_t list[6];
    memcpy(list, listed, 6);
    vw_ndis_oid(vm, true, VW_OID_802_3_MULTICAST_LIST, list, 6, &status, &done);
    VW_EXPECT(vm, status == 0, "OID_802_3_MULTICAST_LIST: status 0x%08x", status);
    uint32_t filter = VW_NDIS_PACKET_TYPE_DIRECTED | VW_NDIS_PACKET_TYPE_MULTICAST;
    status = 1;
    vw_ndis_oid(vm, true, VW_OID_GEN_CURRENT_PACKET_FILTER, &filter, 4, &status, &done);
    VW_EXPECT(vm, status == 0, "OID_GEN_CURRENT_PACKET_FILTER: status 0x%08x", status);
    pw_traffic(vm, &r, 0);
    if (!nk_to_d3(vm))
        return;
    /* The driver reset the device at D3: it may drop these (it has no
     * buffer), so they are injected without expecting the device to take them */
    for (unsigned k = 0; k < NK_PW_BURST; k++)
        pw_inject_to(&r, nk_mac, 100 + k);
    pw_inject_to(&r, bcast, 110);
    for (int i = 0; i < 20 && !vm->failed; i++)
        vw_run_for(vm, 100);
    if (!nk_to_d0(vm))
        return;
    /* What arrived in D3 may come or not (power.c's first scenario); let it settle */
    vw_run_for(vm, 1000);
    vw_ndis_return_all(vm);
    struct nk_mark m = nk_mark(vm);
    pw_inject_to(&r, nk_mac, 200);
    pw_inject_to(&r, bcast, 201);
    pw_inject_to(&r, listed, 202);
    pw_inject_to(&r, unlisted, 203);
    pw_inject_to(&r, other, 204);
    nk_wait_indicated_since(vm, m, 2);
    vw_run_for(vm, 500); /* a frame that should not come gets its chance */
    unsigned got_n = nk_mark(vm).indicated - m.indicated;
    uint8_t got[NK_PW_LEN + 64], want[NK_PW_LEN];
    VW_EXPECT(vm, got_n == 2,
              "after D0: %u frames indicated, the directed and the listed "
              "multicast one expected",
              got_n);
    static const uint8_t *const wanted[2] = {nk_mac, listed};
    for (unsigned i = 0; i < 2 && i < got_n && !vm->failed; i++) {
        unsigned len = vw_ndis_received(vm, m.indicated + i, got, sizeof(got));
        nk_frame(want, NK_PW_LEN, wanted[i], nk_peer, 200 + 2 * i);
        VW_EXPECT(vm, len == NK_PW_LEN && memcmp(got, want, NK_PW_LEN) == 0,
                  "after D0: indication %u is not the %s frame", i, i ? "multicast" : "directed");
    }
    vw_ndis_return_all(vm);
    m = nk_mark(vm);
    pw_send(vm, 300, 1);
    VW_EXPECT(vm, nk_wait_completed_since(vm, m, 1) == 1, "after D0: the send did not complete");
    nk_expect_wire(vm, &r, NK_PW_LEN, 300, 1);
    nk_down(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_power_d3_filters_kept, NULL)
{
    pw_filters_kept(vm, true);
}

VW_SCENARIO("netkvm", netkvm_power_d3_filters_kept_no_rx_extra, NULL)
{
    pw_filters_kept(vm, false);
}
