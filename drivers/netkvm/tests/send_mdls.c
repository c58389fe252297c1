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
 * in 70 MDLs likewise.  netkvm_send_lso_80_mdls_segments wants the 80-MDL
 * send done: success and exactly its segments (NetKVM copies such a send
 * into a bounce buffer).
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

/* The 64 KiB LSOv2 send over IPv4 in 80 MDLs (SM_MSS, headers of SM_HL bytes) of both 80-MDL
 * scenarios: NetKVM up with offloads on, frame F of *LEN bytes sent, its completion awaited;
 * false when that failed.  *FAILED: it completed with a failure status; *LSO_DONE: LSOv2
 * completions the emulation counted for it. */
#define SM_HL      (14 + 20 + 20)
#define SM_MSS     1460
#define SM_PAYLOAD (65535 - 40)
static bool sm_lso_80_send(struct vm *vm, struct nk_rig *r, uint8_t *f, unsigned *len, bool *failed,
                           unsigned *lso_done)
{
    if (!nkoff_up(vm, r, 0, 0, 0, NULL) || !nkoff_enable(vm, false))
        return false;
    *len = ndis_frame_build(f, 4, 6, SM_PAYLOAD, 3200, nk_peer, nk_mac, true);
    struct vw_ndis_layout lay = {.mdls = 80, .lead = SM_LEAD};
    struct vw_ndis_tx_info info = {.lso = SM_MSS | (SM_HL - 20) << 20 | VW_LSO_V2_TYPE << 30};
    const uint8_t *frames[1] = {f};
    struct nk_mark m = nk_mark(vm);
    struct vw_ndis_stats st0, st;
    struct vw_ndis_offload_stats o0, o;
    vw_ndis_stats(vm, &st0);
    vw_ndis_offload_stats(vm, &o0);
    if (!vw_ndis_send_layout(vm, frames, len, &info, &lay, 1))
        return false;
    VW_EXPECT(vm, nk_wait_completed_since(vm, m, 1) == 1, "the 80-MDL LSOv2 send did not complete");
    vw_ndis_stats(vm, &st);
    vw_ndis_offload_stats(vm, &o);
    *failed = st.send_failed != st0.send_failed;
    *lso_done = o.lso_completed - o0.lso_completed;
    return !vm->failed;
}

/* A 64 KiB LSOv2 send over IPv4 in 80 MDLs: its MSS segments on the wire, or a failure. */
VW_SCENARIO("netkvm", netkvm_send_lso_80_mdls, NULL)
{
    struct nk_rig r;
    static uint8_t f[65550];
    unsigned len = 0, lso_done = 0, hl = SM_HL, mss = SM_MSS, payload = SM_PAYLOAD;
    bool failed = false;
    if (!sm_lso_80_send(vm, &r, f, &len, &failed, &lso_done))
        return;
    unsigned at = 0, n = nkoff_take_segments(vm, &r, f, 4, hl, mss, 0, &at);
    vw_log(vm, "netkvm send: 80 MDLs: %s, %u segments, %u payload bytes",
           failed ? "completed with a failure" : "completed", n, at);
    if (failed)
        VW_EXPECT(vm, n == 0, "a failed LSOv2 send put %u segments on the wire", n);
    else
        VW_EXPECT(vm, at == payload && n == (payload + mss - 1) / mss,
                  "%u segments carried %u of %u payload bytes", n, at, payload);
    nk_down(vm, &r);
}

/* Segment I of SM_SEGS of the 80-MDL send F as network/offloading-the-segmentation-of-large-tcp-
 * packets has it, SEG payload bytes from offset AT: F's headers as the template, the IPv4 total
 * length of the segment, IP ID the template's + I, sequence number the template's + AT, PSH
 * (set in F) on the last segment only, both checksums computed; the length. */
#define SM_SEGS ((SM_PAYLOAD + SM_MSS - 1) / SM_MSS)
static unsigned sm_expected_segment(uint8_t *out, const uint8_t *f, unsigned i, unsigned at,
                                    unsigned seg)
{
    memcpy(out, f, SM_HL);
    memcpy(out + SM_HL, f + SM_HL + at, seg);
    uint8_t *ip = out + 14, *tcp = out + 14 + 20;
    unsigned tot = 20 + 20 + seg, id = (unsigned)(f[18] << 8 | f[19]) + i;
    uint32_t seq = (uint32_t)f[38] << 24 | (uint32_t)f[39] << 16 | (uint32_t)f[40] << 8 | f[41];
    seq += at;
    ip[2] = (uint8_t)(tot >> 8), ip[3] = (uint8_t)tot;
    ip[4] = (uint8_t)(id >> 8 & 0x7f), ip[5] = (uint8_t)id; /* IDs within 0x0000..0x7fff */
    tcp[4] = (uint8_t)(seq >> 24), tcp[5] = (uint8_t)(seq >> 16);
    tcp[6] = (uint8_t)(seq >> 8), tcp[7] = (uint8_t)seq;
    if (i + 1 < SM_SEGS)
        tcp[13] &= (uint8_t)~0x08; /* PSH only on the last */
    ip[10] = ip[11] = tcp[16] = tcp[17] = 0;
    struct ndis_frame p;
    if (ndis_frame_parse(out, SM_HL + seg, &p))
        ndis_frame_fill_csums(out, &p);
    return SM_HL + seg;
}

/* The 80-MDL LSOv2 send done right, strictly: it completes with success and LsoV2TransmitComplete
 * (the emulation checks the value), and the wire has exactly its SM_SEGS segments in order, each
 * as sm_expected_segment builds it: every one but the last SM_MSS payload bytes, the headers the
 * send's with the per-segment fields, right checksums, the payload in order. */
VW_SCENARIO("netkvm", netkvm_send_lso_80_mdls_segments, NULL)
{
    struct nk_rig r;
    static uint8_t f[65550], want[1514];
    unsigned len = 0, lso_done = 0;
    bool failed = false;
    if (!sm_lso_80_send(vm, &r, f, &len, &failed, &lso_done))
        return;
    VW_EXPECT(vm, !failed, "the 80-MDL LSOv2 send completed with a failure");
    VW_EXPECT(vm, lso_done == 1, "%u LSOv2 completions with LsoV2TransmitComplete, expected 1",
              lso_done);
    struct vmodel_net_frame w;
    unsigned n = 0, at = 0;
    while (!vm->failed && vmodel_net_wire_take(r.net->model, &w)) {
        unsigned seg = SM_PAYLOAD - at < SM_MSS ? SM_PAYLOAD - at : SM_MSS;
        VW_EXPECT(vm, n < SM_SEGS, "wire frame %u beyond the %u segments of the send", n,
                  (unsigned)SM_SEGS);
        unsigned wl = vm->failed ? 0 : sm_expected_segment(want, f, n, at, seg);
        VW_EXPECT(vm, w.len == wl && memcmp(w.data, want, wl) == 0,
                  "segment %u (%u bytes) is not the send's segment %u of %u bytes (payload "
                  "%u..%u, headers and checksums as the template's)",
                  n, w.len, n, wl, at, at + seg);
        at += seg, n++;
    }
    VW_EXPECT(vm, n == SM_SEGS && at == SM_PAYLOAD, "%u segments carried %u of %u payload bytes", n,
              at, (unsigned)SM_PAYLOAD);
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
