/*
 * NetKVM's sends when the stack hands a frame down in several MDLs
 * (network/net-buffer: the data is the MdlChain from CurrentMdl,
 * CurrentMdlOffset bytes in; vw_ndis_send_layout puts each piece in its own
 * pool block and LEAD bytes of fill before the frame in the first MDL).
 * A 1514-byte TCP/IPv4 frame in 3 MDLs (Ethernet header, IP and TCP headers,
 * payload) with checksum offload reaches the wire byte for byte with its
 * checksums; a 64 KiB LSOv2 send in 80 MDLs (more SG elements than a
 * 64-entry descriptor table) either reaches the wire as its MSS segments or
 * completes with a failure status (ndis/nf-ndis-ndismallocatenetbuffersglist:
 * the list is as long as the data needs; what the miniport cannot take it
 * fails), never a hang or a read past the data; a plain 1514-byte frame
 * in 70 MDLs likewise.
 */
#include "nkoff.h"

#define SM_LEAD 20 /* fill bytes before the frame in the first MDL (CurrentMdlOffset) */

/* A 1514-byte TCP/IPv4 frame in 3 MDLs, checksums offloaded: the wire has it exactly. */
VW_SCENARIO("netkvm", netkvm_send_three_mdls_csum, NULL)
{
    struct nk_rig r;
    if (!nkoff_up(vm, &r, 0, 0, 0, NULL) || !nkoff_enable(vm, false))
        return;
    static uint8_t f[1514], want[1514];
    unsigned payload = 1514 - 14 - 20 - 20;
    unsigned len = ndis_frame_build(f, 4, 6, payload, 3100, nk_peer, nk_mac, true);
    ndis_frame_build(want, 4, 6, payload, 3100, nk_peer, nk_mac, false);
    static const unsigned cuts[2] = {14, 54}; /* Ethernet | IPv4 + TCP | payload */
    struct vw_ndis_layout lay = {.mdls = 3, .lead = SM_LEAD, .cuts = cuts};
    struct vw_ndis_tx_info info = {.csum = nkoff_tx_csum(4, 6)};
    const uint8_t *frames[1] = {f};
    struct nk_mark m = nk_mark(vm);
    struct vw_ndis_stats st0, st;
    vw_ndis_stats(vm, &st0);
    if (!vw_ndis_send_layout(vm, frames, &len, &info, &lay, 1))
        return;
    VW_EXPECT(vm, nk_wait_completed_since(vm, m, 1) == 1, "the 3-MDL send did not complete");
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.send_failed == st0.send_failed, "the 3-MDL send completed with a failure");
    struct vmodel_net_frame w;
    unsigned n = 0;
    while (!vm->failed && vmodel_net_wire_take(r.net->model, &w)) {
        VW_EXPECT(vm, w.len == len && memcmp(w.data, want, len) == 0,
                  "wire frame %u (%u bytes) is not the 3-MDL frame of %u with its checksums", n,
                  w.len, len);
        n++;
    }
    VW_EXPECT(vm, n == 1, "%u frames on the wire for one send", n);
    nk_down(vm, &r);
}

/* A 64 KiB LSOv2 send over IPv4 in 80 MDLs: its MSS segments on the wire, or a failure. */
VW_SCENARIO("netkvm", netkvm_send_lso_80_mdls, NULL)
{
    struct nk_rig r;
    if (!nkoff_up(vm, &r, 0, 0, 0, NULL) || !nkoff_enable(vm, false))
        return;
    static uint8_t f[65550];
    unsigned hl = 14 + 20 + 20, payload = 65535 - 40, mss = 1460;
    unsigned len = ndis_frame_build(f, 4, 6, payload, 3200, nk_peer, nk_mac, true);
    struct vw_ndis_layout lay = {.mdls = 80, .lead = SM_LEAD};
    struct vw_ndis_tx_info info = {.lso = mss | (hl - 20) << 20 | VW_LSO_V2_TYPE << 30};
    const uint8_t *frames[1] = {f};
    struct nk_mark m = nk_mark(vm);
    struct vw_ndis_stats st0, st;
    vw_ndis_stats(vm, &st0);
    if (!vw_ndis_send_layout(vm, frames, &len, &info, &lay, 1))
        return;
    VW_EXPECT(vm, nk_wait_completed_since(vm, m, 1) == 1, "the 80-MDL LSOv2 send did not complete");
    vw_ndis_stats(vm, &st);
    bool failed = st.send_failed != st0.send_failed;
    struct vmodel_net_frame w;
    unsigned n = 0, at = 0;
    while (!vm->failed && vmodel_net_wire_take(r.net->model, &w)) {
        struct ndis_frame p;
        unsigned seg = w.len > hl ? w.len - hl : 0;
        VW_EXPECT(
            vm,
            w.len <= 1514 && seg <= mss && ndis_frame_parse(w.data, w.len, &p) &&
                ndis_frame_l4_csum_ok(w.data, &p) && memcmp(w.data + hl, f + hl + at, seg) == 0,
            "segment %u (%u bytes) is not the send's next MSS with right checksums", n, w.len);
        at += seg, n++;
    }
    vw_log(vm, "netkvm send: 80 MDLs: %s, %u segments, %u payload bytes",
           failed ? "completed with a failure" : "completed", n, at);
    if (failed)
        VW_EXPECT(vm, n == 0, "a failed LSOv2 send put %u segments on the wire", n);
    else
        VW_EXPECT(vm, at == payload && n == (payload + mss - 1) / mss,
                  "%u segments carried %u of %u payload bytes", n, at, payload);
    nk_down(vm, &r);
}

/* A 1514-byte frame without offloads in 70 MDLs of 21 or 22 bytes (more than a 64-entry table):
 * on the wire byte for byte, or completed with a failure and nothing on the wire. */
VW_SCENARIO("netkvm", netkvm_send_plain_70_mdls, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true};
    if (!nk_up(vm, &r, &o))
        return;
    static uint8_t f[1514];
    nk_frame(f, sizeof(f), nk_peer, nk_mac, 77);
    unsigned len = sizeof(f);
    struct vw_ndis_layout lay = {.mdls = 70, .lead = SM_LEAD};
    const uint8_t *frames[1] = {f};
    struct nk_mark m = nk_mark(vm);
    struct vw_ndis_stats st0, st;
    vw_ndis_stats(vm, &st0);
    if (!vw_ndis_send_layout(vm, frames, &len, NULL, &lay, 1))
        return;
    VW_EXPECT(vm, nk_wait_completed_since(vm, m, 1) == 1, "the 70-MDL send did not complete");
    vw_ndis_stats(vm, &st);
    bool failed = st.send_failed != st0.send_failed;
    struct vmodel_net_frame w;
    unsigned n = 0;
    while (!vm->failed && vmodel_net_wire_take(r.net->model, &w)) {
        VW_EXPECT(vm, w.len == len && memcmp(w.data, f, len) == 0,
                  "wire frame %u (%u bytes) is not the 70-MDL frame", n, w.len);
        n++;
    }
    vw_log(vm, "netkvm send: 70 MDLs: %s, %u frames on the wire",
           failed ? "completed with a failure" : "completed", n);
    VW_EXPECT(vm, n == (failed ? 0u : 1u), "%u frames on the wire for one send (%s)", n,
              failed ? "failed" : "succeeded");
    nk_down(vm, &r);
}
