/*
 * Planted twins of the frame checks nk_harness.h shares among the NetKVM
 * scenarios: each run gives a check a frame other than the one it must
 * find, as a device that mixed frames up would, and must fail with that
 * check's message (a shared check that compared nothing would let every
 * scenario using it pass).
 */
#include "nk_harness.h"

#define SC_LEN 100

/* Planted: frame 1 is sent and left on the wire, then nk_send_one_intact
 * sends frame 2 and takes frame 1 off the wire first. */
VW_SCENARIO("netkvm", netkvm_send_one_intact_planted_other_frame,
            "the 100-byte frame sent is not on the wire as sent")
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true};
    if (!nk_up(vm, &r, &o))
        return;
    static uint8_t buf[SC_LEN], f[SC_LEN];
    struct nk_mark m = nk_mark(vm);
    nk_send_frames(vm, buf, SC_LEN, 1, 1);
    VW_EXPECT(vm, nk_wait_completed_since(vm, m, 1) == 1, "frame 1 not completed");
    nk_frame(f, SC_LEN, nk_peer, nk_mac, 2);
    nk_send_one_intact(vm, &r, f, SC_LEN);
    nk_down(vm, &r);
}

/* Planted: frames 1..4 arrive where nk_expect_received is told 0..3. */
VW_SCENARIO("netkvm", netkvm_expect_received_planted_other_frames,
            "planted: indication 0 is not frame 0")
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true};
    if (!nk_up(vm, &r, &o))
        return;
    struct nk_mark m = nk_mark(vm);
    nk_inject_frames(vm, &r, SC_LEN, 1, 4);
    VW_EXPECT(vm, nk_wait_indicated_since(vm, m, 4) == 4, "4 frames not indicated");
    nk_expect_received(vm, m.indicated, SC_LEN, 0, 4, "planted");
    vw_ndis_return_all(vm);
    nk_down(vm, &r);
}
