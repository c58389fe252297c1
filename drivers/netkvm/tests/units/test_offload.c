/*
 * nk_offload tests: the offloads offered on each feature set, an
 * OID_TCP_OFFLOAD_PARAMETERS request applied all or nothing (out-of-range
 * values and offloads not offered refused, nothing changed), and the guest
 * offloads the device is told.  The copy built with
 * NK_PLANTED_OFFLOAD_UNOFFERED (LSOv2 / RSC turned on without the device's
 * feature) must fail.
 */
#include <string.h>

#include "../../nk_net.h"
#include "nku.h"

#define F(bit) NK_BIT(bit)

/* A request that changes nothing. */
static struct nk_offload_req req_none(void)
{
    struct nk_offload_req r;
    memset(&r, 0, sizeof(r));
    return r;
}

/* True if every checksum of o is tx / rx as given. */
static bool all_csum(const struct nk_offload *o, bool tx, bool rx)
{
    for (unsigned k = 0; k < NK_CS_KINDS; k++)
        if (o->tx[k] != tx || o->rx[k] != rx)
            return false;
    return true;
}

/* The offloads offered per feature set. */
static void test_hw(void)
{
    struct nk_offload hw;
    nk_offload_hw(0, false, &hw);
    check(all_csum(&hw, false, false) && !hw.lso4 && !hw.lso6 && !hw.rsc4 && !hw.rsc6,
          "offload: no feature, nothing offered");
    nk_offload_hw(0, true, &hw);
    check(all_csum(&hw, false, true), "offload: software verification offers receive checksums");
    nk_offload_hw(F(VIRTIO_NET_F_CSUM) | F(VIRTIO_NET_F_HOST_TSO4), false, &hw);
    check(all_csum(&hw, true, false) && hw.lso4 && !hw.lso6,
          "offload: CSUM + HOST_TSO4: transmit checksums and LSOv2 IPv4");
    nk_offload_hw(F(VIRTIO_NET_F_HOST_TSO4) | F(VIRTIO_NET_F_HOST_TSO6), false, &hw);
    check(!hw.lso4 && !hw.lso6, "offload: HOST_TSO without CSUM offers no LSOv2");
    nk_offload_hw(F(VIRTIO_NET_F_GUEST_CSUM) | F(VIRTIO_NET_F_GUEST_TSO4) |
                      F(VIRTIO_NET_F_GUEST_TSO6),
                  false, &hw);
    check(all_csum(&hw, false, true) && !hw.rsc4 && !hw.rsc6,
          "offload: GUEST_TSO without CTRL_GUEST_OFFLOADS offers no RSC (cannot be turned off)");
    nk_offload_hw(F(VIRTIO_NET_F_GUEST_CSUM) | F(VIRTIO_NET_F_GUEST_TSO6) |
                      F(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS),
                  false, &hw);
    check(!hw.rsc4 && hw.rsc6, "offload: GUEST_TSO6 + CTRL_GUEST_OFFLOADS: RSC IPv6 only");
}

/* OID_TCP_OFFLOAD_PARAMETERS requests. */
static void test_set(void)
{
    const uint64_t all = F(VIRTIO_NET_F_CSUM) | F(VIRTIO_NET_F_GUEST_CSUM) |
                         F(VIRTIO_NET_F_HOST_TSO4) | F(VIRTIO_NET_F_HOST_TSO6) |
                         F(VIRTIO_NET_F_GUEST_TSO4) | F(VIRTIO_NET_F_GUEST_TSO6) |
                         F(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS);
    struct nk_offload hw, cur, before;
    nk_offload_hw(all, false, &hw);
    cur = hw;
    struct nk_offload_req r = req_none();
    check(nk_offload_set(&cur, &hw, &r) == NK_OFL_SAME && memcmp(&cur, &hw, sizeof(cur)) == 0,
          "offload: all NO_CHANGE: same");
    for (unsigned k = 0; k < NK_CS_KINDS; k++)
        r.csum[k] = NK_OFL_TX;
    r.lso4 = NK_OFL_OFF;
    check(nk_offload_set(&cur, &hw, &r) == NK_OFL_CHANGED && all_csum(&cur, true, false) &&
              !cur.lso4 && cur.lso6 && cur.rsc4,
          "offload: transmit-only checksums, LSOv2 IPv4 off, the rest kept");
    check(nk_offload_set(&cur, &hw, &r) == NK_OFL_SAME, "offload: the same request again: same");
    r = req_none();
    r.csum[NK_CS_TCP6] = NK_OFL_RX;
    r.rsc4 = NK_OFL_OFF;
    check(nk_offload_set(&cur, &hw, &r) == NK_OFL_CHANGED && !cur.tx[NK_CS_TCP6] &&
              cur.rx[NK_CS_TCP6] && cur.tx[NK_CS_TCP4] && !cur.rsc4 && cur.rsc6,
          "offload: TCP/IPv6 receive only, RSC IPv4 off");

    /* Invalid: nothing changes */
    before = cur;
    r = req_none();
    r.csum[NK_CS_IP4] = NK_OFL_BOTH;
    r.csum[NK_CS_UDP4] = 5;
    check(nk_offload_set(&cur, &hw, &r) == NK_OFL_INVALID &&
              memcmp(&cur, &before, sizeof(cur)) == 0,
          "offload: checksum value 5 refused, nothing changed (not even the valid IPv4 part)");
    r = req_none();
    r.lso6 = NK_OFL_RX; /* 3: not an LSOv2 value */
    check(nk_offload_set(&cur, &hw, &r) == NK_OFL_INVALID, "offload: LSOv2 value 3 refused");

    struct nk_offload hw_tx, cur_tx;
    nk_offload_hw(F(VIRTIO_NET_F_CSUM), false, &hw_tx);
    cur_tx = hw_tx;
    r = req_none();
    r.lso4 = NK_OFL_TX;
    check(nk_offload_set(&cur_tx, &hw_tx, &r) == NK_OFL_INVALID && !cur_tx.lso4,
          "offload: LSOv2 IPv4 on without HOST_TSO4 refused");
    r = req_none();
    r.rsc6 = NK_OFL_TX;
    check(nk_offload_set(&cur_tx, &hw_tx, &r) == NK_OFL_INVALID && !cur_tx.rsc6,
          "offload: RSC IPv6 on without GUEST_TSO6 refused");
    r = req_none();
    r.csum[NK_CS_TCP4] = NK_OFL_BOTH;
    check(nk_offload_set(&cur_tx, &hw_tx, &r) == NK_OFL_INVALID && !cur_tx.rx[NK_CS_TCP4],
          "offload: receive checksum without GUEST_CSUM (no software verification) refused");
    r.csum[NK_CS_TCP4] = NK_OFL_OFF;
    r.lso4 = NK_OFL_OFF;
    check(nk_offload_set(&cur_tx, &hw_tx, &r) == NK_OFL_CHANGED && !cur_tx.tx[NK_CS_TCP4],
          "offload: turning off what is not offered is fine");
}

/* The guest offloads told to the device. */
static void test_guest_bits(void)
{
    const uint64_t f = F(VIRTIO_NET_F_GUEST_CSUM) | F(VIRTIO_NET_F_GUEST_TSO4) |
                       F(VIRTIO_NET_F_GUEST_TSO6) | F(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS);
    struct nk_offload hw, cur;
    nk_offload_hw(f, false, &hw);
    cur = hw;
    check(
        nk_offload_guest_bits(&cur, f) ==
            (F(VIRTIO_NET_F_GUEST_CSUM) | F(VIRTIO_NET_F_GUEST_TSO4) | F(VIRTIO_NET_F_GUEST_TSO6)),
        "offload: everything on: GUEST_CSUM, TSO4, TSO6");
    struct nk_offload_req r = req_none();
    r.rsc4 = r.rsc6 = NK_OFL_OFF;
    nk_offload_set(&cur, &hw, &r);
    check(nk_offload_guest_bits(&cur, f) == F(VIRTIO_NET_F_GUEST_CSUM),
          "offload: RSC off: GUEST_CSUM only");
    for (unsigned k = 0; k < NK_CS_KINDS; k++)
        r.csum[k] = NK_OFL_OFF;
    nk_offload_set(&cur, &hw, &r);
    check(nk_offload_guest_bits(&cur, f) == 0,
          "offload: receive checksums and RSC off: no partial checksum passed up");
    cur.rsc4 = true;
    check(nk_offload_guest_bits(&cur, f & ~F(VIRTIO_NET_F_GUEST_TSO4)) ==
              F(VIRTIO_NET_F_GUEST_CSUM),
          "offload: only negotiated bits are told");
}

/* The default configuration: what is offered AND what the properties allow. */
static void test_defaults(void)
{
    struct nk_offload hw, cur;
    struct nk_offload_cfg cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.tx_tcp4 = cfg.rx_tcp4 = cfg.rx_udp6 = cfg.lso4 = cfg.lso6 = cfg.rsc4 = true;
    nk_offload_hw(F(VIRTIO_NET_F_CSUM) | F(VIRTIO_NET_F_HOST_TSO4), true, &hw);
    nk_offload_defaults(&hw, &cfg, &cur);
    check(cur.tx[NK_CS_TCP4] && !cur.tx[NK_CS_UDP4] && !cur.tx[NK_CS_IP4] && cur.rx[NK_CS_TCP4] &&
              cur.rx[NK_CS_UDP6] && !cur.rx[NK_CS_IP4] && cur.lso4 && !cur.lso6 && !cur.rsc4,
          "offload: defaults are the offered AND the allowed (LSOv2 IPv6, RSC not offered)");
    nk_offload_hw(0, false, &hw);
    nk_offload_defaults(&hw, &cfg, &cur);
    check(all_csum(&cur, false, false) && !cur.lso4, "offload: nothing offered, nothing on");
}

/* USO (the NDIS 6.83 build): offered with CSUM and HOST_USO, on by default
 * as the properties allow, switched per version by a request. */
static void test_uso(void)
{
    struct nk_offload hw, cur;
    struct nk_offload_cfg cfg;
    nk_offload_hw(F(VIRTIO_NET_F_HOST_USO), false, &hw);
    check(!hw.uso4 && !hw.uso6, "offload: HOST_USO without CSUM offers no USO");
    nk_offload_hw(F(VIRTIO_NET_F_CSUM) | F(VIRTIO_NET_F_HOST_USO), false, &hw);
    check(hw.uso4 && hw.uso6 && !hw.lso4, "offload: CSUM + HOST_USO: USO IPv4 and IPv6");
    memset(&cfg, 0, sizeof(cfg));
    cfg.uso6 = true;
    nk_offload_defaults(&hw, &cfg, &cur);
    check(!cur.uso4 && cur.uso6, "offload: USO defaults as *UsoIPv4 0 / *UsoIPv6 1 allow");
    struct nk_offload_req r = req_none();
    r.uso4 = NK_OFL_TX;
    r.uso6 = NK_OFL_OFF;
    check(nk_offload_set(&cur, &hw, &r) == NK_OFL_CHANGED && cur.uso4 && !cur.uso6,
          "offload: USO IPv4 on, IPv6 off by request");
    nk_offload_hw(F(VIRTIO_NET_F_CSUM), false, &hw);
    struct nk_offload before = cur;
    check(nk_offload_set(&cur, &hw, &r) == NK_OFL_INVALID &&
              memcmp(&cur, &before, sizeof(cur)) == 0,
          "offload: USO asked without HOST_USO: invalid, nothing changed");
    r.uso4 = 3;
    nk_offload_hw(F(VIRTIO_NET_F_CSUM) | F(VIRTIO_NET_F_HOST_USO), false, &hw);
    check(nk_offload_set(&cur, &hw, &r) == NK_OFL_INVALID, "offload: USO value 3: invalid");
}

/* One large send of PAYLOAD bytes (smallest headers, TAG: an 802.1Q tag in
 * the frame) over IPv6 or IPv4, TCP (LSOv2) or UDP (USO): its length, and
 * whether nk_csum plans it and the send path's length gate admits it. */
static size_t large_send(bool v6, bool udp, bool tag, uint16_t payload, bool *planned,
                         bool *admitted)
{
    static uint8_t buf[70000];
    struct nku_frame_spec fs = {.v6 = v6,
                                .vlan = tag,
                                .tci = 42,
                                .proto = udp ? 17 : 6,
                                .payload = payload,
                                .zero_ip_len = !udp,
                                .sport = 1,
                                .dport = 2};
    size_t len = nku_build(&fs, buf, sizeof(buf));
    struct nk_seg segs[1];
    struct nk_view v;
    struct nk_pkt pkt;
    struct nk_tx_plan plan;
    struct nk_tx_request req = {.tcp_csum = !udp, .udp_csum = udp};
    if (udp)
        req.uso_mss = 1400;
    else
        req.lso_mss = 1400;
    nku_split(&v, segs, 1, buf, len, len);
    *planned =
        nk_parse(&v, &pkt) == NK_PARSE_OK && nk_tx_prepare(&v, &pkt, &req, &plan) == NK_TX_OK;
    *admitted = len <= nk_offload_tx_max_frame(true, tag, 1514);
    return len;
}

/* The longest frame a send may carry (NkTxMaxLength), exact per offload:
 * every large send (LSOv2 and USO, IPv4 and IPv6) at its MaxOffLoadSize is
 * a 65549-byte frame and is admitted, one payload byte more (65550) is
 * not; with an 802.1Q tag in the frame 65553 is admitted and 65554 not;
 * the 65593-byte USO IPv6 frame (a 16-bit payload length full) and 65569
 * (USO IPv6 at IPv4's MaxOffLoadSize) are refused. */
static void test_tx_limits(void)
{
    static const struct {
        bool v6, udp;
        uint16_t max;
        const char *what;
    } k[] = {{false, false, NK_LSO_MAX_PAYLOAD, "LSOv2 IPv4"},
             {true, false, NK_LSO6_MAX_PAYLOAD, "LSOv2 IPv6"},
             {false, true, NK_USO_MAX_PAYLOAD, "USO IPv4"},
             {true, true, NK_USO6_MAX_PAYLOAD, "USO IPv6"}};
    bool planned, admitted;
    check(nk_offload_tx_max_frame(true, false, 1514) == 65549 &&
              nk_offload_tx_max_frame(true, true, 1514) == 65553 &&
              nk_offload_tx_max_frame(true, true, 1514) == NK_TX_GSO_FRAME_MAX &&
              nk_offload_tx_max_frame(false, false, 1514) == 1514 &&
              nk_offload_tx_max_frame(false, true, 1514) == 1518,
          "offload: a large send's frame at most 65549 bytes (65553 tagged), else the MTU's "
          "(1514, 1518 tagged)");
    for (unsigned i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
        size_t len = large_send(k[i].v6, k[i].udp, false, k[i].max, &planned, &admitted);
        check(len == 65549 && planned && admitted,
              "offload: %s at MaxOffLoadSize %u: %zu bytes, planned %d, admitted %d", k[i].what,
              k[i].max, len, planned, admitted);
        len = large_send(k[i].v6, k[i].udp, false, (uint16_t)(k[i].max + 1), &planned, &admitted);
        check(len == 65550 && !admitted, "offload: %s untagged, one byte more: %zu bytes refused",
              k[i].what, len);
        len = large_send(k[i].v6, k[i].udp, true, k[i].max, &planned, &admitted);
        check(len == 65553 && planned && admitted,
              "offload: %s tagged at MaxOffLoadSize: %zu bytes, admitted %d", k[i].what, len,
              admitted);
        len = large_send(k[i].v6, k[i].udp, true, (uint16_t)(k[i].max + 1), &planned, &admitted);
        check(len == 65554 && !admitted, "offload: %s tagged, one byte more: %zu bytes refused",
              k[i].what, len);
    }
    size_t len = large_send(true, true, false, NK_USO_MAX_PAYLOAD, &planned, &admitted);
    check(len == 65569 && !admitted,
          "offload: USO IPv6 at IPv4's MaxOffLoadSize: %zu bytes refused", len);
    len = large_send(true, true, true, 0xFFFF - 8, &planned, &admitted);
    check(len == 65593 && !admitted,
          "offload: USO IPv6 with a full payload length: %zu bytes refused", len);
}

/* See the file comment. */
void test_offload(void)
{
    test_tx_limits();
    test_uso();
    test_defaults();
    test_hw();
    test_set();
    test_guest_bits();
}
