/*
 * NetKVM when an NDIS allocation fails (port/ndis/faults.c): at
 * MiniportInitializeEx, at each API's first, middle and last call there
 * (ndis/nc-ndis-miniport_initialize: a failing miniport releases what it
 * allocated; the emulation checks the pools, interrupts, I/O, shared
 * memory, configuration handles and timers), and with every allocation
 * failing (it cannot come up; its planted twin, the injection off, must
 * fail); at run time, where netkvm_alloc_run_time_calls (rx_refill.c) found
 * it may allocate: the send's SG list, an NDIS reset, D0.
 */
#include "nk_harness.h"

#define AF_LEN 100

/* InitializeEx with the WHICHth call (0-based) of API A failing: it fails
 * leaving nothing, or succeeds and the adapter carries frames both ways;
 * then halted, and (when it failed) an InitializeEx that succeeds. */
static void af_init_once(struct vm *vm, struct nk_rig *r, enum vw_ndis_alloc a, unsigned which)
{
    uint32_t status = 1;
    vw_ndis_fail_next(vm, 1u << a, which, 1);
    if (!vw_ndis_initialize_status(vm, &status))
        return;
    vw_log(vm, "netkvm: InitializeEx with %s call %u failing: 0x%08x", vw_ndis_alloc_name(a), which,
           status);
    vw_ndis_fail_next(vm, 0, 0, 0);
    if (status != 0 && !vw_ndis_initialize(vm))
        return;
    static uint8_t buf[NK_SEND_MAX * AF_LEN];
    if (!vw_ndis_restart(vm))
        return;
    struct nk_mark m = nk_mark(vm);
    nk_inject_frames(vm, r, AF_LEN, 0, 8);
    nk_send_frames(vm, buf, AF_LEN, 0, 8);
    VW_EXPECT(vm, nk_wait_indicated_since(vm, m, 8) == 8 && nk_wait_completed_since(vm, m, 8) == 8,
              "%s call %u failed at InitializeEx (0x%08x): then frames did not flow",
              vw_ndis_alloc_name(a), which, status);
    vw_ndis_return_all(vm);
    nk_expect_wire(vm, r, AF_LEN, 0, 8);
    if (!vm->failed)
        (void)(vw_ndis_pause(vm) && vw_ndis_halt(vm));
}

/* For each allocation API InitializeEx calls, its first, middle and last
 * call failing, one InitializeEx each. */
VW_SCENARIO("netkvm", netkvm_init_alloc_fails_each_api, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .shape = {.queue_max = 64}};
    if (!nk_load(vm, &r, &o))
        return;
    struct vw_ndis_alloc_calls c0, c1;
    vw_ndis_alloc_calls(vm, &c0);
    if (!vw_ndis_initialize(vm) || !vw_ndis_halt(vm))
        return;
    vw_ndis_alloc_calls(vm, &c1);
    unsigned tried = 0;
    for (unsigned a = 0; a < VW_NDIS_ALLOC_COUNT && !vm->failed; a++) {
        unsigned n = c1.total[a] - c0.total[a];
        unsigned at[3] = {0, n / 2, n - 1};
        for (unsigned k = 0; k < 3 && n != 0 && !vm->failed; k++)
            if (k == 0 || at[k] != at[k - 1]) {
                af_init_once(vm, &r, a, at[k]);
                tried++;
            }
    }
    vw_log(vm, "netkvm: %u InitializeEx calls with one allocation failing", tried);
    VW_EXPECT(vm, tried >= 3, "InitializeEx allocated through %u calls only", tried);
    if (!vm->failed)
        vw_driver_unload(vm);
}

/* Every allocation failing: InitializeEx fails (no receive NBL can be
 * made) and leaves nothing; PLANT 1: the emulation's injection off, 2: the
 * emulation seeing a pool left. */
static void af_no_memory(struct vm *vm, int plant)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .shape = {.queue_max = 64}};
    if (!nk_load(vm, &r, &o))
        return;
    if (plant == 1)
        vw_ndis_plant_faults_off(vm);
    if (plant == 2)
        vw_ndis_plant_init_leak(vm);
    uint32_t status = 0;
    vw_ndis_fail_window(vm, VW_NDIS_ALLOC_ALL, 1000000);
    if (!vw_ndis_initialize_status(vm, &status))
        return;
    VW_EXPECT(vm, status != 0, "InitializeEx succeeded with every allocation failing");
    vw_ndis_fail_window(vm, 0, 0);
    if (status == 0)
        return;
    if (vw_ndis_initialize(vm) && vw_ndis_halt(vm))
        vw_driver_unload(vm);
}

VW_SCENARIO("netkvm", netkvm_init_no_memory_fails_clean, NULL)
{
    af_no_memory(vm, 0);
}

/* Planted: the injection counts but fails nothing; InitializeEx succeeds. */
VW_SCENARIO("netkvm", netkvm_init_no_memory_fails_clean_planted_injection_off,
            "InitializeEx succeeded with every allocation failing")
{
    af_no_memory(vm, 1);
}

/* Planted: a failed InitializeEx seems to leave an NBL pool; the release
 * check must fail the run. */
VW_SCENARIO("netkvm", netkvm_init_no_memory_fails_clean_planted_pool_left,
            "MiniportInitializeEx failed and left NBL pool")
{
    af_no_memory(vm, 2);
}

/* Sends while every NdisMAllocateNetBufferSGList fails (1 ms): each NBL
 * completed once (the emulation's check), those that could not be mapped
 * with a failure status; none reaches the wire twice or damaged; after the
 * window 16 more leave byte for byte, in order; OID_GEN_STATISTICS counts
 * only the sends that succeeded; the halt is clean. */
VW_SCENARIO("netkvm", netkvm_send_sg_list_fails, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true};
    if (!nk_up(vm, &r, &o))
        return;
    static uint8_t buf[NK_SEND_MAX * AF_LEN];
    struct vw_ndis_stats st0, st;
    vw_ndis_stats(vm, &st0);
    struct nk_mark m = nk_mark(vm);
    vw_ndis_fail_window(vm, 1u << VW_NDIS_ALLOC_SG_LIST, 1000);
    nk_send_frames(vm, buf, AF_LEN, 0, 16);
    unsigned done = nk_wait_completed_since(vm, m, 16);
    vw_ndis_stats(vm, &st);
    vw_log(vm, "netkvm: 16 sends with no SG list: %u completed, %u failed", done,
           st.send_failed - st0.send_failed);
    VW_EXPECT(vm, done == 16, "%u of 16 sends completed while SG lists failed", done);
    unsigned wire = 0;
    struct vmodel_net_frame w;
    uint8_t want[AF_LEN];
    while (!vm->failed && vmodel_net_wire_take(r.net->model, &w)) {
        bool found = false;
        for (unsigned k = 0; k < 16 && !found; k++) {
            nk_frame(want, AF_LEN, nk_peer, nk_mac, k);
            found = w.len == AF_LEN && memcmp(w.data, want, AF_LEN) == 0;
        }
        VW_EXPECT(vm, found, "a frame on the wire is none of the 16 sent");
        wire++;
    }
    VW_EXPECT(vm, wire + (st.send_failed - st0.send_failed) == 16,
              "%u on the wire, %u failed, of 16 sent", wire, st.send_failed - st0.send_failed);
    vw_run_for(vm, 10000); /* past the window */
    m = nk_mark(vm);
    nk_send_frames(vm, buf, AF_LEN, 100, 16);
    VW_EXPECT(vm, nk_wait_completed_since(vm, m, 16) == 16, "sends after the window");
    nk_expect_wire(vm, &r, AF_LEN, 100, 16);
    vw_ndis_check_statistics(vm); /* the failed sends not counted as sent */
    nk_down(vm, &r);
}

/* An NDIS reset while every memory allocation fails: a reset that
 * allocated nothing must succeed and frames flow both ways after it; one
 * whose allocation failed may fail (NetKVM before d23925b answered
 * NDIS_STATUS_HARD_ERRORS), and then the halt NDIS makes is clean; one
 * that succeeds carries frames. */
VW_SCENARIO("netkvm", netkvm_reset_alloc_fails, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true};
    if (!nk_up(vm, &r, &o))
        return;
    uint32_t status = 1;
    bool addressing = false;
    vw_ndis_fail_window(vm, 1u << VW_NDIS_ALLOC_MEMORY, 1000000);
    if (!vw_ndis_reset(vm, &status, &addressing))
        return;
    vw_ndis_fail_window(vm, 0, 0);
    struct vw_ndis_alloc_calls c;
    vw_ndis_alloc_calls(vm, &c);
    vw_log(vm, "netkvm: reset with every memory allocation failing: 0x%08x (%u failed)", status,
           c.failed[VW_NDIS_ALLOC_MEMORY]);
    VW_EXPECT(vm, status == 0 || c.failed[VW_NDIS_ALLOC_MEMORY] != 0,
              "the reset allocated nothing and failed: 0x%08x", status);
    if (status == 0) {
        static uint8_t buf[NK_SEND_MAX * AF_LEN];
        struct nk_mark m = nk_mark(vm);
        nk_inject_frames(vm, &r, AF_LEN, 0, 8);
        nk_send_frames(vm, buf, AF_LEN, 0, 8);
        VW_EXPECT(vm,
                  nk_wait_indicated_since(vm, m, 8) == 8 && nk_wait_completed_since(vm, m, 8) == 8,
                  "the reset succeeded, then frames did not flow");
        vw_ndis_return_all(vm);
    }
    nk_down(vm, &r);
}

/* D0 while every allocation fails: OID_PNP_SET_POWER must still succeed
 * (network/oid-pnp-set-power: the miniport must always return
 * NDIS_STATUS_SUCCESS to it) and, after the restart, frames flow both ways.
 * NetKVM before d23925b answered NDIS_STATUS_RESOURCES, then at the
 * restart notified a queue it never enabled again. */
VW_SCENARIO("netkvm", netkvm_d0_alloc_fails, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true};
    if (!nk_up(vm, &r, &o))
        return;
    uint32_t status = 1;
    if (!vw_ndis_pause(vm) || !vw_ndis_set_power(vm, true, &status))
        return;
    vw_ndis_fail_window(vm, VW_NDIS_ALLOC_ALL, 1000000);
    if (!vw_ndis_set_power(vm, false, &status))
        return;
    vw_ndis_fail_window(vm, 0, 0);
    VW_EXPECT(vm, status == 0, "D0 with an allocation failing: 0x%08x", status);
    if (vm->failed || !vw_ndis_restart(vm))
        return;
    static uint8_t buf[NK_SEND_MAX * AF_LEN];
    struct nk_mark m = nk_mark(vm);
    nk_inject_frames(vm, &r, AF_LEN, 0, 8);
    nk_send_frames(vm, buf, AF_LEN, 0, 8);
    VW_EXPECT(vm, nk_wait_indicated_since(vm, m, 8) == 8 && nk_wait_completed_since(vm, m, 8) == 8,
              "after D0 frames did not flow");
    vw_ndis_return_all(vm);
    nk_down(vm, &r);
}
