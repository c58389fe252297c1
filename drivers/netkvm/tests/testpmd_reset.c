/*
 * NDIS resets NetKVM under traffic against DPDK testpmd
 * (network/miniport-adapter-check-for-hang-and-reset-operations): two
 * pairs on two CPUs; 8 frames went out and came back and the protocol
 * still holds their NBLs; testpmd is stopped (SIGSTOP, 200 ms of real
 * time) and 8 more sends sit in the rings; NDIS asks
 * MiniportCheckForHangEx, then calls MiniportResetEx (the emulation: at
 * DISPATCH_LEVEL, no send or OID meanwhile, a status the page lists,
 * NdisMResetComplete only after PENDING).  The reset succeeds, every send
 * NBL is completed exactly once (the emulation fails a second completion
 * or a PENDING status), the held NBLs go back after it, and 8 frames sent
 * after it come back MAC-swapped and intact.
 */
#include "nk_testpmd.h"

#define TR_FRAMES 8
#define TR_LEN    300
#define TR_PAIRS  2

/* Lets the back end and the DPCs run until N sends completed and I NBLs
 * were indicated since M (real-time bounds are the front end's). */
static void tr_wait(struct vm *vm, struct nk_mark m, unsigned n, unsigned i)
{
    for (unsigned k = 0; k < 4000 && !vm->failed; k++) {
        struct nk_mark now = nk_mark(vm);
        if (now.completed - m.completed >= n && now.indicated - m.indicated >= i)
            break;
        vw_run_for(vm, 100);
    }
}

/* Frames K0.. of TR_LEN bytes from MAC to nk_peer sent in one call from CPU 0. */
static void tr_send(struct vm *vm, const uint8_t *mac, unsigned k0)
{
    static uint8_t f[TR_FRAMES][TR_LEN];
    const uint8_t *all[TR_FRAMES];
    unsigned lens[TR_FRAMES];
    for (unsigned k = 0; k < TR_FRAMES; k++) {
        nk_frame(f[k], TR_LEN, nk_peer, mac, k0 + k);
        all[k] = f[k];
        lens[k] = TR_LEN;
    }
    vw_ndis_send(vm, all, lens, TR_FRAMES);
}

/* Of the frames indicated from FIRST on, those of K0..K0+TR_FRAMES-1 came
 * back MAC-swapped and intact; how many of them. */
static unsigned tr_back(struct vm *vm, unsigned first, const uint8_t *mac, unsigned k0)
{
    uint8_t got[TR_LEN + 64], want[TR_LEN];
    unsigned n = 0, total = nk_mark(vm).indicated;
    for (unsigned i = first; i < total && i < 64; i++) {
        unsigned len = vw_ndis_received(vm, i, got, sizeof(got));
        for (unsigned k = k0; k < k0 + TR_FRAMES; k++) {
            nk_frame(want, TR_LEN, nk_peer, mac, k);
            if (len == TR_LEN && memcmp(got, mac, 6) == 0 && memcmp(got + 6, nk_peer, 6) == 0 &&
                memcmp(got + 12, want + 12, TR_LEN - 12) == 0) {
                n++;
                break;
            }
        }
    }
    return n;
}

VW_SCENARIO("netkvm", netkvm_testpmd_reset_under_traffic, NULL)
{
    const struct nk_testpmd t = {.pairs = TR_PAIRS, .cpus = TR_PAIRS, .ring = 64};
    struct vw_vhost_dev *net = nk_testpmd_up(vm, &t);
    if (net == NULL)
        return;
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    uint8_t mac[6];
    memcpy(mac, st.mac, 6);
    /* Receives the protocol holds across the reset */
    struct nk_mark m0 = nk_mark(vm);
    tr_send(vm, mac, 0);
    tr_wait(vm, m0, TR_FRAMES, TR_FRAMES);
    VW_EXPECT(vm, tr_back(vm, m0.indicated, mac, 0) == TR_FRAMES,
              "before the reset: %u of %u frames came back intact",
              tr_back(vm, m0.indicated, mac, 0), TR_FRAMES);
    vw_ndis_stats(vm, &st);
    unsigned held = st.held;
    /* Sends in flight: the back end stopped, its rings hold them */
    struct nk_mark m1 = nk_mark(vm);
    if (vm->failed || !vw_vhost_pause(net, 200))
        return;
    tr_send(vm, mac, 100);
    vw_ndis_stats(vm, &st);
    unsigned in_flight = st.sent - st.send_completed;
    bool hung = false;
    uint32_t status = 1;
    bool addressing = false;
    if (!vw_ndis_check_for_hang(vm, &hung) || !vw_ndis_reset(vm, &status, &addressing))
        return;
    vw_log(vm,
           "netkvm reset: %u sends in flight, %u receives held; check for hang %d; reset 0x%08x, "
           "AddressingReset %d",
           in_flight, held, hung, status, addressing);
    VW_EXPECT(vm, status == VW_NDIS_STATUS_SUCCESS || status == VW_NDIS_STATUS_SOFT_ERRORS,
              "MiniportResetEx: 0x%08x (an operational adapter: SUCCESS)", status);
    vw_vhost_pause_end(net);
    tr_wait(vm, m1, TR_FRAMES, 0);
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.send_completed == st.sent,
              "%u of %u sends completed after the reset (%u were in flight)", st.send_completed,
              st.sent, in_flight);
    unsigned failed = st.send_failed;
    vw_ndis_return_all(vm);
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.held == 0 && st.returned == st.indicated,
              "%u NBLs held after returning those indicated before the reset", st.held);
    /* Traffic after the reset */
    struct nk_mark m2 = nk_mark(vm);
    tr_send(vm, mac, 200);
    tr_wait(vm, m2, TR_FRAMES, TR_FRAMES);
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.send_completed == st.sent && st.send_failed == failed,
              "after the reset: %u of %u sends completed, %u more failed", st.send_completed,
              st.sent, st.send_failed - failed);
    unsigned back = tr_back(vm, m2.indicated, mac, 200);
    vw_log(vm, "netkvm reset: %u in-flight sends failed; %u of %u frames back after it", failed,
           back, TR_FRAMES);
    VW_EXPECT(vm, back == TR_FRAMES, "after the reset %u of %u frames came back intact", back,
              TR_FRAMES);
    vw_ndis_return_all(vm);
    if (!vm->failed && vw_ndis_pause(vm) && vw_ndis_halt(vm))
        vw_driver_unload(vm);
    vw_vhost_stop(net);
}
