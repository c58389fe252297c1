/*
 * NetKVM's bounce copy (tx.c): a send whose SG list has more elements than
 * a request's 64-entry descriptor table goes out of the transmit queue's
 * one bounce buffer; while one frame holds it the next waits on the
 * pending list, never dropped, and frames leave in the order given
 * (MiniportSendNetBufferLists: the NBLs of one connection in order).
 * vw_ndis_send_layout puts each frame in a chain of N MDLs, each piece in
 * its own pool block, 20 fill bytes before the frame in the first MDL.
 */
#include "nkoff.h"

#define SB_LEAD   20 /* fill bytes before each frame in its first MDL (CurrentMdlOffset) */
#define SB_FRAMES 4

/* Four 1514-byte frames in 70 MDLs each, in one call: each waits for the
 * bounce buffer the one before holds; all four on the wire, in order. */
VW_SCENARIO("netkvm", netkvm_send_bounce_waits_in_order, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true};
    if (!nk_up(vm, &r, &o))
        return;
    static uint8_t f[SB_FRAMES][1514];
    const uint8_t *frames[SB_FRAMES];
    unsigned lens[SB_FRAMES];
    for (unsigned i = 0; i < SB_FRAMES; i++) {
        nk_frame(f[i], sizeof(f[i]), nk_peer, nk_mac, 90 + i);
        frames[i] = f[i];
        lens[i] = sizeof(f[i]);
    }
    struct vw_ndis_layout lay = {.mdls = 70, .lead = SB_LEAD};
    struct nk_mark m = nk_mark(vm);
    struct vw_ndis_stats st0, st;
    vw_ndis_stats(vm, &st0);
    if (!vw_ndis_send_layout(vm, frames, lens, NULL, &lay, SB_FRAMES))
        return;
    VW_EXPECT(vm, nk_wait_completed_since(vm, m, SB_FRAMES) == SB_FRAMES,
              "the four 70-MDL sends did not all complete");
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.send_failed == st0.send_failed, "%u of the 70-MDL sends failed",
              st.send_failed - st0.send_failed);
    struct vmodel_net_frame w;
    unsigned n = 0;
    while (!vm->failed && vmodel_net_wire_take(r.net->model, &w)) {
        VW_EXPECT(vm, n < SB_FRAMES && w.len == 1514 && memcmp(w.data, f[n], 1514) == 0,
                  "wire frame %u (%u bytes) is not send %u", n, w.len, n);
        n++;
    }
    VW_EXPECT(vm, n == SB_FRAMES, "%u frames on the wire for %u sends", n, SB_FRAMES);
    nk_down(vm, &r);
}

/* Two 64 KiB LSOv2 sends in 80 MDLs each, in one call: the first's MSS
 * segments, then the second's, every payload byte once, checksums right. */
VW_SCENARIO("netkvm", netkvm_send_bounce_two_lso, NULL)
{
    struct nk_rig r;
    if (!nkoff_up(vm, &r, 0, 0, 0, NULL) || !nkoff_enable(vm, false))
        return;
    static uint8_t f[2][65550];
    unsigned hl = 14 + 20 + 20, payload = 65535 - 40, mss = 1460;
    unsigned lens[2];
    const uint8_t *frames[2] = {f[0], f[1]};
    for (unsigned i = 0; i < 2; i++)
        lens[i] =
            ndis_frame_build(f[i], 4, 6, payload, (uint16_t)(3300 + i), nk_peer, nk_mac, true);
    struct vw_ndis_layout lay = {.mdls = 80, .lead = SB_LEAD};
    struct vw_ndis_tx_info info[2];
    for (unsigned i = 0; i < 2; i++)
        info[i] = (struct vw_ndis_tx_info){.lso = mss | (hl - 20) << 20 | VW_LSO_V2_TYPE << 30};
    struct nk_mark m = nk_mark(vm);
    struct vw_ndis_stats st0, st;
    vw_ndis_stats(vm, &st0);
    if (!vw_ndis_send_layout(vm, frames, lens, info, &lay, 2))
        return;
    VW_EXPECT(vm, nk_wait_completed_since(vm, m, 2) == 2, "the two LSOv2 sends did not complete");
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.send_failed == st0.send_failed, "%u of the two LSOv2 sends failed",
              st.send_failed - st0.send_failed);
    struct vmodel_net_frame w;
    unsigned n = 0, at = 0, k = 0;
    while (!vm->failed && vmodel_net_wire_take(r.net->model, &w)) {
        struct ndis_frame p;
        unsigned seg = w.len > hl ? w.len - hl : 0;
        if (k == 0 && at == payload)
            k = 1, at = 0; /* the first send is whole: the second's segments follow */
        VW_EXPECT(vm,
                  k < 2 && w.len <= 1514 && seg != 0 && seg <= mss &&
                      ndis_frame_parse(w.data, w.len, &p) && ndis_frame_l4_csum_ok(w.data, &p) &&
                      memcmp(w.data + 14 + 20, f[k] + 14 + 20, 2) == 0 &&
                      memcmp(w.data + hl, f[k] + hl + at, seg) == 0,
                  "segment %u (%u bytes) is not send %u's next MSS with right checksums", n, w.len,
                  k);
        at += seg, n++;
    }
    VW_EXPECT(vm, k == 1 && at == payload && n == 2 * ((payload + mss - 1) / mss),
              "%u segments: send %u carried %u of %u payload bytes", n, k, at, payload);
    nk_down(vm, &r);
}
