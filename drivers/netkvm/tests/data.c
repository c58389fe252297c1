/*
 * NetKVM's data path on the in-process net model: frames the emulation's
 * protocol layer sends reach the wire byte for byte with every NBL
 * completed once; frames injected on the wire are indicated byte for byte
 * and returned, with MRG_RXBUF negotiated and without it, on the split and
 * the packed ring.
 */
#include "nk_harness.h"

#define NK_SENDS 8

/* Sizes from the shortest Ethernet frame to a full 1500-byte MTU one. */
static const unsigned sizes[NK_SENDS] = {60, 64, 128, 333, 512, 1000, 1499, 1514};

/* NK_SENDS frames out, one send call each and one call with all of them. */
static void send_frames(struct vm *vm, const struct nk_opts *o)
{
    struct nk_rig r;
    if (!nk_up(vm, &r, o))
        return;
    static uint8_t f[NK_SENDS][1514];
    const uint8_t *all[NK_SENDS];
    unsigned lens[NK_SENDS];
    for (unsigned k = 0; k < NK_SENDS; k++) {
        nk_frame(f[k], sizes[k], nk_peer, nk_mac, k);
        all[k] = f[k];
        lens[k] = sizes[k];
    }
    struct nk_mark m = nk_mark(vm);
    for (unsigned k = 0; k < NK_SENDS && !vm->failed; k++)
        vw_ndis_send(vm, &all[k], &lens[k], 1);
    if (!vm->failed)
        vw_ndis_send(vm, all, lens, NK_SENDS);
    unsigned done = nk_wait_completed_since(vm, m, 2 * NK_SENDS);
    VW_EXPECT(vm, done == 2 * NK_SENDS, "%u of %u sends completed", done, 2 * NK_SENDS);
    struct vmodel_net_frame w;
    unsigned n = 0;
    while (!vm->failed && vmodel_net_wire_take(r.net->model, &w)) {
        unsigned k = n % NK_SENDS;
        VW_EXPECT(vm, w.len == sizes[k] && memcmp(w.data, f[k], sizes[k]) == 0,
                  "wire frame %u: %u bytes, not the %u-byte frame sent", n, w.len, sizes[k]);
        n++;
    }
    VW_EXPECT(vm, n == 2 * NK_SENDS, "%u frames on the wire, %u sent", n, 2 * NK_SENDS);
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.sent == 2 * NK_SENDS && st.send_failed == 0, "%u sent, %u failed", st.sent,
              st.send_failed);
    nk_down_clean(vm, &r);
}

/* NK_SENDS frames injected on the wire, indicated intact, returned. */
static void receive_frames(struct vm *vm, const struct nk_opts *o)
{
    struct nk_rig r;
    if (!nk_up(vm, &r, o))
        return;
    static uint8_t f[NK_SENDS][1514], got[2048];
    struct nk_mark m = nk_mark(vm);
    for (unsigned k = 0; k < NK_SENDS && !vm->failed; k++) {
        nk_frame(f[k], sizes[k], nk_mac, nk_peer, k);
        VW_EXPECT(vm, vmodel_net_wire_inject(r.net->model, f[k], sizes[k], NULL) == 0,
                  "the model dropped frame %u", k);
    }
    unsigned n = nk_wait_indicated_since(vm, m, NK_SENDS);
    VW_EXPECT(vm, n == NK_SENDS, "%u of %u frames indicated", n, NK_SENDS);
    for (unsigned k = 0; k < n && !vm->failed; k++)
        VW_EXPECT(vm,
                  vw_ndis_received(vm, k, got, sizeof(got)) == sizes[k] &&
                      memcmp(got, f[k], sizes[k]) == 0,
                  "indicated frame %u is not the %u-byte frame injected", k, sizes[k]);
    vw_ndis_return_all(vm);
    /* The buffers came back: as many again fit. */
    m = nk_mark(vm);
    for (unsigned k = 0; k < NK_SENDS && !vm->failed; k++)
        vmodel_net_wire_inject(r.net->model, f[k], sizes[k], NULL);
    n = nk_wait_indicated_since(vm, m, NK_SENDS);
    VW_EXPECT(vm, n == NK_SENDS, "after the returns: %u of %u frames indicated", n, NK_SENDS);
    vw_ndis_return_all(vm);
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.returned == st.indicated && st.held == 0, "%u indicated, %u returned",
              st.indicated, st.returned);
    const struct vmodel_net_stats *ms = vmodel_net_stats(r.net->model);
    VW_EXPECT(vm, ms->rule_errors == 0 && ms->rx_dropped_no_buffer == 0,
              "model: %llu rules broken (%s), %llu dropped for want of a buffer",
              (unsigned long long)ms->rule_errors, ms->last_rule,
              (unsigned long long)ms->rx_dropped_no_buffer);
    bool mrg = vmodel_driver_features(r.net->dev->model) >> VIRTIO_NET_F_MRG_RXBUF & 1;
    VW_EXPECT(vm, mrg == o->mrg_rxbuf, "MRG_RXBUF offered %d, negotiated %d", o->mrg_rxbuf, mrg);
    nk_down(vm, &r);
}

/* Jumbo frames at MTU 9000 (*JumboPacket 9014): with MRG_RXBUF the 9014
 * and 5000-byte ones span several page-sized receive buffers (nk_rxbuf's
 * plan; the model merges them), without it each fits one buffer. */
static void receive_jumbo(struct vm *vm, bool mrg_rxbuf)
{
    struct nk_rig r;
    static const char *const kw[] = {"*JumboPacket", "9014", NULL};
    struct nk_opts o = {.mrg_rxbuf = mrg_rxbuf, .mtu = 9000, .keywords = kw};
    if (!nk_up(vm, &r, &o))
        return;
    static const unsigned jumbo[4] = {9014, 5000, 60, 2100};
    static uint8_t f[4][9014], got[9100];
    struct nk_mark m = nk_mark(vm);
    for (unsigned k = 0; k < 4 && !vm->failed; k++) {
        nk_frame(f[k], jumbo[k], nk_mac, nk_peer, k + 40);
        VW_EXPECT(vm, vmodel_net_wire_inject(r.net->model, f[k], jumbo[k], NULL) == 0,
                  "the model dropped frame %u", k);
    }
    unsigned n = nk_wait_indicated_since(vm, m, 4);
    VW_EXPECT(vm, n == 4, "%u of 4 frames indicated", n);
    for (unsigned k = 0; k < n && !vm->failed; k++) {
        unsigned len = vw_ndis_received(vm, k, got, sizeof(got)), at = 0;
        while (at < len && at < jumbo[k] && got[at] == f[k][at])
            at++;
        VW_EXPECT(vm, len == jumbo[k] && at == len,
                  "indicated frame %u: %u bytes, the %u-byte frame injected differs at %u", k, len,
                  jumbo[k], at);
    }
    vw_ndis_return_all(vm);
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    const struct vmodel_net_stats *ms = vmodel_net_stats(r.net->model);
    VW_EXPECT(vm, st.mtu == 9000, "general attributes: MTU %u", st.mtu);
    VW_EXPECT(vm, ms->rule_errors == 0, "model: %s", ms->last_rule);
    VW_EXPECT(vm, mrg_rxbuf ? ms->rx_merged >= 2 : ms->rx_merged == 0,
              "%llu frames merged over several buffers", (unsigned long long)ms->rx_merged);
    vw_log(vm, "netkvm jumbo: %llu buffers for 4 frames, %llu merged",
           (unsigned long long)ms->rx_buffers, (unsigned long long)ms->rx_merged);
    nk_down(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_send_frames_reach_wire, NULL)
{
    struct nk_opts o = {.mrg_rxbuf = true};
    send_frames(vm, &o);
}

VW_SCENARIO("netkvm", netkvm_send_frames_packed_ring, NULL)
{
    struct nk_opts o = {.mrg_rxbuf = true, .packed = true};
    send_frames(vm, &o);
}

VW_SCENARIO("netkvm", netkvm_receive_mrg_rxbuf, NULL)
{
    struct nk_opts o = {.mrg_rxbuf = true};
    receive_frames(vm, &o);
}

VW_SCENARIO("netkvm", netkvm_receive_no_mrg_rxbuf, NULL)
{
    struct nk_opts o = {.mrg_rxbuf = false};
    receive_frames(vm, &o);
}

VW_SCENARIO("netkvm", netkvm_receive_packed_ring, NULL)
{
    struct nk_opts o = {.mrg_rxbuf = true, .packed = true};
    receive_frames(vm, &o);
}

VW_SCENARIO("netkvm", netkvm_receive_jumbo_no_mrg_rxbuf, NULL)
{
    receive_jumbo(vm, false);
}

VW_SCENARIO("netkvm", netkvm_receive_jumbo_mrg_rxbuf, NULL)
{
    receive_jumbo(vm, true);
}
