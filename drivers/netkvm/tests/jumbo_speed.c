/*
 * Frames above 9014 bytes and the link speed.  With VIRTIO_NET_F_MTU at
 * 65500 (virtio 1.2 5.1.4: mtu up to 65535) and *JumboPacket 65500 (the
 * keyword's largest: a frame, Ethernet header included), the general
 * attributes' MTU is 65486 and 65500-, 9014- and 60-byte frames go
 * out to the wire byte for byte and come back from it indicated whole (the
 * emulation's digest of every byte, beyond its 9216-byte copy).  With
 * VIRTIO_NET_F_SPEED_DUPLEX (speed 25000 Mbit/s, full duplex: 5.1.4) the
 * general attributes and the link state indicated after a link flap carry
 * 25 Gbit/s both ways and MediaDuplexStateFull
 * (ndis/ns-ndis-_ndis_link_state; speeds in bits per second).
 */
#include <stdlib.h>
#include "nk_harness.h"

#define JS_BIG 65500

static const unsigned js_sizes[3] = {JS_BIG, 9014, 60};

/* The jumbo frames out and back (FLIP: the model's planted fault, the last
 * byte of each received frame flipped on the wire). */
static void js_jumbo(struct vm *vm, bool flip)
{
    static const char *const kw[] = {"*JumboPacket", "65500", NULL};
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .mtu = 65500, .keywords = kw};
    if (!nk_up(vm, &r, &o))
        return;
    vmodel_net_set_hostile(r.net->model, &(struct vmodel_net_hostile){.rx_flip_last = flip});
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.mtu == JS_BIG - 14, "MTU 65500 offered, *JumboPacket 65500: MTU %u", st.mtu);
    uint8_t *f = malloc(JS_BIG);
    if (f == NULL) {
        vw_fail(vm, "harness: out of memory");
        return;
    }
    for (unsigned i = 0; i < 3 && !vm->failed; i++) {
        unsigned len = js_sizes[i];
        nk_frame(f, len, nk_peer, nk_mac, i);
        nk_send_one_intact(vm, &r, f, len);
        vw_ndis_stats(vm, &st);
        VW_EXPECT(vm, st.send_failed == 0, "the %u-byte send failed", len);
        nk_frame(f, len, nk_mac, nk_peer, 10 + i);
        struct nk_mark m = nk_mark(vm);
        VW_EXPECT(vm, vmodel_net_wire_inject(r.net->model, f, len, NULL) >= 0,
                  "the model dropped the %u-byte frame", len);
        unsigned got = 0;
        uint32_t fnv = 0;
        VW_EXPECT(vm,
                  nk_wait_indicated_since(vm, m, 1) == 1 &&
                      vw_ndis_received_digest(vm, m.indicated, &got, &fnv) && got == len &&
                      fnv == nk_fnv(f, len),
                  "the %u-byte frame received was indicated as %u bytes, digest %s", len, got,
                  fnv == nk_fnv(f, len) ? "right" : "wrong");
        vw_ndis_return_all(vm);
    }
    free(f);
    const struct vmodel_net_stats *ms = vmodel_net_stats(r.net->model);
    vw_log(vm, "netkvm jumbo 65500: %llu received frames merged over buffers",
           (unsigned long long)ms->rx_merged);
    nk_down_clean(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_jumbo_65500_out_and_back, NULL)
{
    js_jumbo(vm, false);
}

/* Planted: the 65500-byte frame's last byte (past the emulation's 9216-byte
 * copy) flipped on the wire; only the digest of every byte sees it. */
VW_SCENARIO("netkvm", netkvm_jumbo_65500_planted_last_byte_flipped,
            "the 65500-byte frame received was indicated as 65500 bytes, digest wrong")
{
    js_jumbo(vm, true);
}

#define JS_SPEED 25000ull /* Mbit/s */

/* The link speed before and after a flap (BACK: the model's planted fault,
 * the link coming back at this speed, Mbit/s; 0 none). */
static void js_speed(struct vm *vm, uint32_t back)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .speed = (uint32_t)JS_SPEED, .duplex = 1};
    if (!nk_up(vm, &r, &o))
        return;
    vmodel_net_set_hostile(r.net->model, &(struct vmodel_net_hostile){.speed_at_link = back});
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    uint64_t bps = JS_SPEED * 1000000ull;
    VW_EXPECT(vm, st.xmit_speed == bps && st.rcv_speed == bps && st.duplex == 2,
              "general attributes: %llu/%llu bit/s, duplex %u; %llu full expected",
              (unsigned long long)st.xmit_speed, (unsigned long long)st.rcv_speed, st.duplex,
              (unsigned long long)bps);
    unsigned links = st.link_indications;
    vmodel_net_set_link(r.net->model, false);
    vw_run_for(vm, 10000);
    vmodel_net_set_link(r.net->model, true);
    vw_run_for(vm, 10000);
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.link_indications >= links + 2 && st.media_connect == 1,
              "%u link indications after a flap, media connect %u", st.link_indications - links,
              st.media_connect);
    VW_EXPECT(vm, st.xmit_speed == bps && st.rcv_speed == bps && st.duplex == 2,
              "link state after the flap: %llu/%llu bit/s, duplex %u; %llu full expected",
              (unsigned long long)st.xmit_speed, (unsigned long long)st.rcv_speed, st.duplex,
              (unsigned long long)bps);
    nk_down(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_link_speed_duplex, NULL)
{
    js_speed(vm, 0);
}

/* Planted: the link comes back from the flap at 1 Gbit/s; a driver that
 * re-reads the configuration at the configuration interrupt reports it,
 * and the check after the flap must fail. */
VW_SCENARIO("netkvm", netkvm_link_speed_duplex_planted_speed_changed,
            "link state after the flap: 1000000000/1000000000 bit/s")
{
    js_speed(vm, 1000);
}
