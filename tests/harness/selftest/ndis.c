/*
 * The NDIS emulation (port/ndis/) against the loopback miniport
 * (testdrv/vwndis.c): the adapter life cycle, a protocol layer sending real
 * Ethernet frames (ARP, IPv4/UDP, 802.1Q-tagged IPv6) and checking what
 * comes back, receive buffers running out (NDIS_RECEIVE_FLAGS_RESOURCES),
 * OID requests (answered, pended, too short), a pause that waits for the
 * protocol's returns; and each NDIS checker failing by name on its planted
 * bug (bad/badndis.c, chosen with the vendor OID VW_OID_VWNDIS_PLANT).
 */
#include <string.h>
#include "port/ndis/ndis_port.h"
#include "scenario.h"
#include "vw_ndis.h"

static const uint8_t mac[6] = {0x02, 0x56, 0x57, 0x00, 0x00, 0x01};
static const uint8_t peer[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

/* The ones' complement sum of RFC 1071 over N bytes. */
static uint16_t csum(const uint8_t *p, unsigned n)
{
    uint32_t s = 0;
    for (unsigned i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static unsigned eth(uint8_t *f, const uint8_t *dst, uint16_t type)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, peer, 6);
    f[12] = (uint8_t)(type >> 8), f[13] = (uint8_t)type;
    return 14;
}

/* An ARP request for 10.0.0.1 from 10.0.0.2 (RFC 826), broadcast. */
static unsigned arp(uint8_t *f)
{
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    unsigned n = eth(f, bcast, 0x0806);
    static const uint8_t body[28] = {0,  1, 8, 0, 6, 4, 0, 1, 0x52, 0x54, 0,  0x12, 0x34, 0x56,
                                     10, 0, 0, 2, 0, 0, 0, 0, 0,    0,    10, 0,    0,    1};
    memcpy(f + n, body, sizeof(body));
    return n + 28;
}

/* An IPv4/UDP datagram of PAYLOAD bytes to the adapter, header checksum set. */
static unsigned udp4(uint8_t *f, unsigned payload)
{
    unsigned n = eth(f, mac, 0x0800);
    uint8_t *ip = f + n;
    unsigned tot = 20 + 8 + payload;
    memset(ip, 0, 28);
    ip[0] = 0x45, ip[2] = (uint8_t)(tot >> 8), ip[3] = (uint8_t)tot, ip[8] = 64, ip[9] = 17;
    ip[12] = 10, ip[15] = 2, ip[16] = 10, ip[19] = 1;
    uint16_t c = csum(ip, 20);
    ip[10] = (uint8_t)(c >> 8), ip[11] = (uint8_t)c;
    ip[20] = 0x30, ip[21] = 0x39, ip[22] = 0x00, ip[23] = 0x35; /* 12345 -> 53 */
    ip[24] = (uint8_t)((8 + payload) >> 8), ip[25] = (uint8_t)(8 + payload);
    for (unsigned i = 0; i < payload; i++)
        ip[28 + i] = (uint8_t)(i * 13 + 1);
    return n + tot;
}

/* An 802.1Q-tagged (VLAN 42, priority 5) IPv6 packet with no next header. */
static unsigned vlan6(uint8_t *f)
{
    unsigned n = eth(f, mac, 0x8100);
    f[n] = (5 << 5) | 0, f[n + 1] = 42, f[n + 2] = 0x86, f[n + 3] = 0xdd;
    uint8_t *ip = f + n + 4;
    memset(ip, 0, 48);
    ip[0] = 0x60, ip[5] = 8, ip[6] = 59, ip[7] = 64; /* payload 8, no next header */
    ip[8] = 0xfe, ip[9] = 0x80, ip[23] = 2, ip[24] = 0xfe, ip[25] = 0x80, ip[39] = 1;
    return n + 4 + 48;
}

static bool oid(struct vm *vm, bool set, uint32_t code, void *buf, uint32_t len, uint32_t want,
                uint32_t *done)
{
    uint32_t st = 0, d = 0;
    if (!vw_ndis_oid(vm, set, code, buf, len, &st, &d))
        return false;
    VW_EXPECT(vm, st == want, "OID 0x%08x: status 0x%08x, expected 0x%08x", code, st, want);
    if (done)
        *done = d;
    return !vm->failed;
}

static bool up(struct vm *vm, const char *driver)
{
    return vw_driver_load(vm, driver) && vw_ndis_initialize(vm) && vw_ndis_restart(vm);
}

/* Pause (returning what the protocol holds), halt, unload with the leak check. */
static void down(struct vm *vm)
{
    if (!vm->failed && vw_ndis_pause(vm) && vw_ndis_halt(vm))
        vw_driver_unload(vm);
}

/* Frames out and back: ARP, IPv4/UDP at 60..1514 bytes, VLAN-tagged IPv6. */
VW_SCENARIO("vwndis", ndis_loopback_frames, NULL)
{
    if (!up(vm, "vwndis"))
        return;
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, memcmp(st.mac, mac, 6) == 0 && st.mtu == 1500,
              "general attributes: MAC or MTU %u not as the miniport set them", st.mtu);
    VW_EXPECT(vm, st.link_indications == 1, "restart indicated link state %u times",
              st.link_indications);
    static uint8_t f[5][1514];
    unsigned lens[5] = {arp(f[0]), udp4(f[1], 18), udp4(f[2], 200), udp4(f[3], 1472), vlan6(f[4])};
    const uint8_t *frames[5] = {f[0], f[1], f[2], f[3], f[4]};
    VW_EXPECT(vm, lens[1] == 60 && lens[3] == 1514, "frame sizes %u and %u", lens[1], lens[3]);
    if (!vw_ndis_send(vm, frames, lens, 5))
        return;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.sent == 5 && st.send_completed == 5 && st.send_failed == 0,
              "sent %u, completed %u, failed %u", st.sent, st.send_completed, st.send_failed);
    VW_EXPECT(vm, st.indicated == 5 && st.held == 5, "indicated %u, held %u", st.indicated,
              st.held);
    for (unsigned i = 0; i < 5 && !vm->failed; i++) {
        uint8_t back[1514];
        unsigned n = vw_ndis_received(vm, i, back, sizeof(back));
        VW_EXPECT(vm, n == lens[i] && memcmp(back, f[i], n) == 0,
                  "frame %u came back as %u bytes, other than sent (%u)", i, n, lens[i]);
    }
    VW_EXPECT(vm, csum(f[1] + 14, 20) == 0, "IPv4 header checksum does not verify");
    vw_ndis_check_statistics(vm);
    if (!vw_ndis_return_all(vm))
        return;
    uint64_t count = 0;
    uint32_t done = 0;
    if (oid(vm, false, VW_OID_GEN_XMIT_OK, &count, 8, VW_NDIS_STATUS_SUCCESS, &done))
        VW_EXPECT(vm, count == 5 && done == 8, "OID_GEN_XMIT_OK %u (%u bytes)", (unsigned)count,
                  done);
    down(vm);
}

/* NDIS's check for hang says not hung; its reset (vw_ndis_reset) succeeds
 * with AddressingReset TRUE, so NDIS sets the packet filter again (the
 * loopback cleared it): a frame still loops back after. */
VW_SCENARIO("vwndis", ndis_reset_restores_filter, NULL)
{
    uint8_t f[64], back[64];
    unsigned len = udp4(f, 18);
    const uint8_t *frames[1] = {f};
    bool hung = true, addressing = false;
    uint32_t status = 1;
    if (!up(vm, "vwndis") || !vw_ndis_check_for_hang(vm, &hung) ||
        !vw_ndis_reset(vm, &status, &addressing))
        return;
    VW_EXPECT(vm, !hung && status == VW_NDIS_STATUS_SUCCESS && addressing,
              "hung %d, reset 0x%08x, AddressingReset %d", hung, status, addressing);
    if (!vw_ndis_send(vm, frames, &len, 1))
        return;
    VW_EXPECT(vm, vw_ndis_received(vm, 0, back, sizeof(back)) == len && memcmp(back, f, len) == 0,
              "no frame looped back after the reset (the filter not set again)");
    down(vm);
}

/* The same frames, each in a chain of MDLs with fill before the frame (vw_ndis_send_layout):
 * NdisGetDataBuffer walks the chain from CurrentMdlOffset, and each frame comes back whole. */
VW_SCENARIO("vwndis", ndis_loopback_split_mdls, NULL)
{
    if (!up(vm, "vwndis"))
        return;
    static uint8_t f[4][1514];
    unsigned lens[4] = {arp(f[0]), udp4(f[1], 18), udp4(f[2], 1472), vlan6(f[3])};
    const uint8_t *frames[4] = {f[0], f[1], f[2], f[3]};
    static const unsigned cuts[2] = {14, 42};
    const struct vw_ndis_layout lays[3] = {{3, 9, cuts}, {7, 0, NULL}, {2, 4000, NULL}};
    for (unsigned l = 0; l < 3 && !vm->failed; l++) {
        struct vw_ndis_stats st0, st;
        vw_ndis_stats(vm, &st0);
        if (!vw_ndis_send_layout(vm, frames, lens, NULL, &lays[l], 4))
            return;
        vw_ndis_stats(vm, &st);
        VW_EXPECT(vm, st.send_completed - st0.send_completed == 4 && st.send_failed == 0,
                  "layout %u: completed %u, failed %u", l, st.send_completed - st0.send_completed,
                  st.send_failed);
        for (unsigned i = 0; i < 4 && !vm->failed; i++) {
            uint8_t back[1514];
            unsigned n = vw_ndis_received(vm, st0.indicated + i, back, sizeof(back));
            VW_EXPECT(vm, n == lens[i] && memcmp(back, f[i], n) == 0,
                      "layout %u: frame %u came back as %u bytes, other than sent (%u)", l, i, n,
                      lens[i]);
        }
        if (!vw_ndis_return_all(vm))
            return;
    }
    down(vm);
}

/* More frames than receive buffers: the last ones are indicated with
 * NDIS_RECEIVE_FLAGS_RESOURCES (back at once) or fail with RESOURCES. */
VW_SCENARIO("vwndis", ndis_receive_resources, NULL)
{
    if (!up(vm, "vwndis"))
        return;
    static uint8_t f[20][64];
    const uint8_t *frames[20];
    unsigned lens[20];
    for (unsigned i = 0; i < 20; i++) {
        lens[i] = udp4(f[i], 18);
        f[i][14 + 28] = (uint8_t)i;
        frames[i] = f[i];
    }
    if (!vw_ndis_send(vm, frames, lens, 20))
        return;
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.send_completed == 20 && st.indicated == 16 && st.send_failed == 4,
              "completed %u, indicated %u, failed %u", st.send_completed, st.indicated,
              st.send_failed);
    VW_EXPECT(vm, st.indicated_resources > 0 && st.held == 16 - st.indicated_resources,
              "RESOURCES indications %u, held %u", st.indicated_resources, st.held);
    down(vm);
}

/* OIDs while Paused and Running: answered, too short, pended set. */
VW_SCENARIO("vwndis", ndis_oid_requests, NULL)
{
    if (!vw_driver_load(vm, "vwndis") || !vw_ndis_initialize(vm))
        return;
    uint32_t v = 0, done = 0;
    uint8_t m[6] = {0};
    if (!oid(vm, false, VW_OID_GEN_MAXIMUM_FRAME_SIZE, &v, 4, VW_NDIS_STATUS_SUCCESS, &done))
        return;
    VW_EXPECT(vm, v == 1500 && done == 4, "OID_GEN_MAXIMUM_FRAME_SIZE %u", v);
    if (!oid(vm, false, VW_OID_802_3_CURRENT_ADDRESS, m, 6, VW_NDIS_STATUS_SUCCESS, NULL))
        return;
    VW_EXPECT(vm, memcmp(m, mac, 6) == 0, "OID_802_3_CURRENT_ADDRESS differs");
    if (!oid(vm, false, VW_OID_802_3_CURRENT_ADDRESS, m, 4, VW_NDIS_STATUS_INVALID_LENGTH, NULL) ||
        !vw_ndis_restart(vm))
        return;
    /* the protocol bound at the restart: its filter set pended too */
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    unsigned pended = st.oids_pended;
    VW_EXPECT(vm, pended == 1 && vw_ndis_packet_filter(vm) == 0xb,
              "bind: %u OIDs pended, packet filter 0x%x", pended, vw_ndis_packet_filter(vm));
    v = 0x9; /* directed | broadcast */
    if (!oid(vm, true, VW_OID_GEN_CURRENT_PACKET_FILTER, &v, 4, VW_NDIS_STATUS_SUCCESS, &done))
        return;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.oids_pended == pended + 1 && done == 4, "filter set: pended %u, read %u",
              st.oids_pended - pended, done);
    VW_EXPECT(vm, vw_ndis_packet_filter(vm) == 0x9, "packet filter 0x%x after the set",
              vw_ndis_packet_filter(vm));
    down(vm);
}

/* The packet filter (network/oid-gen-current-packet-filter): 0 from
 * InitializeEx, DIRECTED | MULTICAST | BROADCAST once the protocol bound at
 * the first restart; set to 0, the frames sent are completed but none comes
 * back; set again, they do. */
VW_SCENARIO("vwndis", ndis_packet_filter_zero_no_indication, NULL)
{
    if (!vw_driver_load(vm, "vwndis") || !vw_ndis_initialize(vm))
        return;
    VW_EXPECT(vm, vw_ndis_packet_filter(vm) == 0, "packet filter 0x%x before the bind",
              vw_ndis_packet_filter(vm));
    if (!vw_ndis_restart(vm))
        return;
    VW_EXPECT(vm, vw_ndis_packet_filter(vm) == 0xb, "packet filter 0x%x after the bind",
              vw_ndis_packet_filter(vm));
    uint8_t f[64];
    unsigned len = udp4(f, 18);
    const uint8_t *frames[1] = {f};
    uint32_t v = 0;
    struct vw_ndis_stats st;
    if (!oid(vm, true, VW_OID_GEN_CURRENT_PACKET_FILTER, &v, 4, VW_NDIS_STATUS_SUCCESS, NULL) ||
        !vw_ndis_send(vm, frames, &len, 1))
        return;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.send_completed == 1 && st.send_failed == 0 && st.indicated == 0,
              "filter 0: %u sends completed (%u failed), %u indicated", st.send_completed,
              st.send_failed, st.indicated);
    v = 0x1; /* directed */
    if (!oid(vm, true, VW_OID_GEN_CURRENT_PACKET_FILTER, &v, 4, VW_NDIS_STATUS_SUCCESS, NULL) ||
        !vw_ndis_send(vm, frames, &len, 1))
        return;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.indicated == 1, "filter 0x1: %u indicated", st.indicated);
    if (!vm->failed)
        vw_ndis_check_statistics(vm);
    down(vm);
}

/* Pause with received NBLs out: PENDING until the protocol returns them. */
VW_SCENARIO("vwndis", ndis_pause_waits_for_returns, NULL)
{
    if (!up(vm, "vwndis"))
        return;
    uint8_t f[64];
    unsigned len = udp4(f, 18);
    const uint8_t *frames[1] = {f};
    if (!vw_ndis_send(vm, frames, &len, 1) || !vw_ndis_pause(vm))
        return;
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.pause_pended == 1 && st.held == 0 && st.state == VW_NDIS_PAUSED,
              "pause pended %u, held %u, state %u", st.pause_pended, st.held, st.state);
    /* Restart and pause again with nothing out: completes at once. */
    if (!vw_ndis_restart(vm))
        return;
    down(vm);
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.pause_pended == 1, "a pause with nothing out pended");
}

/* Surprise removal with received NBLs out: the PnP event, a pause that
 * waits for the protocol's returns, the halt; nothing leaked at unload. */
VW_SCENARIO("vwndis", ndis_surprise_removal, NULL)
{
    if (!up(vm, "vwndis"))
        return;
    static uint8_t f[3][64];
    const uint8_t *frames[3] = {f[0], f[1], f[2]};
    unsigned lens[3] = {udp4(f[0], 18), arp(f[1]), udp4(f[2], 30)};
    if (!vw_ndis_send(vm, frames, lens, 3) || !vw_ndis_surprise_remove(vm))
        return;
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(
        vm, st.state == VW_NDIS_HALTED && st.held == 0 && st.returned == 3 && st.pause_pended == 1,
        "after removal: state %u, held %u, returned %u, pause pended %u", st.state, st.held,
        st.returned, st.pause_pended);
    if (!vm->failed)
        vw_driver_unload(vm);
}

/* Directed, multicast (IPv6 all-nodes) and broadcast frames, some failing
 * for want of receive buffers: OID_GEN_STATISTICS counts exactly what was
 * sent and indicated, per class, in frames and bytes. */
VW_SCENARIO("vwndis", ndis_statistics_match_traffic, NULL)
{
    if (!up(vm, "vwndis"))
        return;
    static uint8_t f[20][128];
    const uint8_t *frames[20];
    unsigned lens[20];
    for (unsigned i = 0; i < 20; i++) {
        lens[i] = i % 3 == 0 ? arp(f[i]) : udp4(f[i], 18 + i);
        if (i % 3 == 1) /* to 33:33:00:00:00:01, a multicast address */
            memcpy(f[i], (const uint8_t[6]){0x33, 0x33, 0, 0, 0, 1}, 6);
        frames[i] = f[i];
    }
    if (!vw_ndis_send(vm, frames, lens, 20) || !vw_ndis_check_statistics(vm) ||
        !vw_ndis_return_all(vm) || !vw_ndis_send(vm, frames, lens, 5))
        return;
    vw_ndis_check_statistics(vm);
    down(vm);
}

/* Restart arms an NDIS timer (10 ms): its callback runs at DISPATCH_LEVEL
 * and queues an NDIS I/O work item, which runs at PASSIVE_LEVEL and sleeps
 * with NdisMSleep; pause cancels the timer, halt frees both (checked). */
VW_SCENARIO("vwndis", ndis_timer_and_work_item, NULL)
{
    if (!up(vm, "vwndis"))
        return;
    uint32_t t[6] = {0}, done = 0;
    if (!oid(vm, false, VW_OID_VWNDIS_TIMERS, t, sizeof(t), VW_NDIS_STATUS_SUCCESS, &done))
        return;
    VW_EXPECT(vm, t[0] == 0 && t[2] == 0, "timer fired %u, work ran %u before 10 ms", t[0], t[2]);
    vw_run_for(vm, 20 * 10000);
    if (!oid(vm, false, VW_OID_VWNDIS_TIMERS, t, sizeof(t), VW_NDIS_STATUS_SUCCESS, &done))
        return;
    VW_EXPECT(vm, done == 24 && t[0] == 1 && t[1] == 2,
              "timer fired %u times at IRQL %u (once at DISPATCH_LEVEL expected)", t[0], t[1]);
    VW_EXPECT(vm, t[2] == 1 && t[3] == 0, "work item ran %u times at IRQL %u (once at PASSIVE)",
              t[2], t[3]);
    down(vm);
}

/* Power down and up as NDIS does: pause, OID_PNP_QUERY_POWER and
 * OID_PNP_SET_POWER D3, OID_PNP_SET_POWER D0, restart; frames go out and
 * back after it. */
VW_SCENARIO("vwndis", ndis_power_d3_and_back, NULL)
{
    if (!up(vm, "vwndis") || !vw_ndis_pause(vm))
        return;
    uint32_t st = 1, t[6] = {0};
    if (!vw_ndis_set_power(vm, true, &st))
        return;
    VW_EXPECT(vm, st == VW_NDIS_STATUS_SUCCESS, "set power D3: 0x%08x", st);
    if (!oid(vm, false, VW_OID_VWNDIS_TIMERS, t, sizeof(t), VW_NDIS_STATUS_SUCCESS, NULL))
        return;
    VW_EXPECT(vm, t[4] == 4 && t[5] == 1, "the miniport's power state %u after %u sets", t[4],
              t[5]);
    if (!vw_ndis_set_power(vm, false, &st) || !vw_ndis_restart(vm))
        return;
    VW_EXPECT(vm, st == VW_NDIS_STATUS_SUCCESS, "set power D0: 0x%08x", st);
    uint8_t f[64];
    unsigned len = udp4(f, 18);
    const uint8_t *frames[1] = {f};
    if (!vw_ndis_send(vm, frames, &len, 1))
        return;
    struct vw_ndis_stats s;
    vw_ndis_stats(vm, &s);
    VW_EXPECT(vm, s.indicated == 1 && s.send_completed == 1 && s.send_failed == 0,
              "after D0: indicated %u, completed %u, failed %u", s.indicated, s.send_completed,
              s.send_failed);
    down(vm);
}

/* OID_TCP_OFFLOAD_PARAMETERS as the stack sends it: IPv4 header and TCP
 * checksums on for transmit, then all off; each time the miniport indicates
 * its new configuration (NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG). */
VW_SCENARIO("vwndis", ndis_offload_parameters_indicate_config, NULL)
{
    if (!up(vm, "vwndis"))
        return;
    /* IPv4, TCP/IPv4, UDP/IPv4, TCP/IPv6, UDP/IPv6: TX_ENABLED_RX_DISABLED (2),
     * NO_CHANGE (0), DISABLED (1) */
    static const uint8_t on[5] = {2, 2, 0, 0, 0}, off[5] = {1, 1, 1, 1, 1};
    uint32_t st = 1;
    struct vw_ndis_stats s;
    if (!vw_ndis_set_offload_parameters(vm, on, &st))
        return;
    vw_ndis_stats(vm, &s);
    /* TcpChecksum bits 4-5, UdpChecksum 6-7, IpChecksum 8-9 */
    VW_EXPECT(vm, st == VW_NDIS_STATUS_SUCCESS && s.offload_tx4 == (1u << 4 | 1u << 8),
              "status 0x%08x, IPv4 transmit checksum word 0x%x", st, s.offload_tx4);
    if (!vw_ndis_set_offload_parameters(vm, off, &st))
        return;
    vw_ndis_stats(vm, &s);
    VW_EXPECT(vm, st == VW_NDIS_STATUS_SUCCESS && s.offload_tx4 == 0,
              "status 0x%08x, IPv4 word 0x%x after off", st, s.offload_tx4);
    down(vm);
}

/* The harness's own Toeplitz hash against Microsoft's verification key and
 * IPv4 vectors (network/verifying-the-rss-hash-calculation): the hash of
 * the addresses alone and with the TCP ports. */
VW_SCENARIO("vwndis", ndis_toeplitz_microsoft_vectors, NULL)
{
    static const uint8_t key[40] = {0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
                                    0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
                                    0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
                                    0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};
    static const struct {
        uint8_t dst[4];
        uint16_t dport;
        uint8_t src[4];
        uint16_t sport;
        uint32_t ip, tcp;
    } v[5] = {
        {{161, 142, 100, 80}, 1766, {66, 9, 149, 187}, 2794, 0x323e8fc2, 0x51ccc178},
        {{65, 69, 140, 83}, 4739, {199, 92, 111, 2}, 14230, 0xd718262a, 0xc626b0ea},
        {{12, 22, 207, 184}, 38024, {24, 19, 198, 95}, 12898, 0xd2d0a5de, 0x5c2b394a},
        {{209, 142, 163, 6}, 2217, {38, 27, 205, 30}, 48228, 0x82989176, 0xafc7327f},
        {{202, 188, 127, 2}, 1303, {153, 39, 163, 191}, 44251, 0x5d1809c5, 0x10e828a2},
    };
    if (!vw_driver_load(vm, "vwndis")) /* the runner wants an image under test */
        return;
    for (unsigned i = 0; i < 5 && !vm->failed; i++) {
        uint8_t in[12];
        memcpy(in, v[i].src, 4);
        memcpy(in + 4, v[i].dst, 4);
        in[8] = (uint8_t)(v[i].sport >> 8), in[9] = (uint8_t)v[i].sport;
        in[10] = (uint8_t)(v[i].dport >> 8), in[11] = (uint8_t)v[i].dport;
        uint32_t ip = vw_ndis_toeplitz(key, 40, in, 8), tcp = vw_ndis_toeplitz(key, 40, in, 12);
        VW_EXPECT(vm, ip == v[i].ip && tcp == v[i].tcp,
                  "vector %u: IPv4 0x%08x (expected 0x%08x), TCP/IPv4 0x%08x (expected 0x%08x)", i,
                  ip, v[i].ip, tcp, v[i].tcp);
    }
}

/* ---- Planted bugs (bad/badndis.c) --------------------------------------- */

static bool plant(struct vm *vm, uint32_t mode)
{
    return oid(vm, true, VW_OID_VWNDIS_PLANT, &mode, 4, VW_NDIS_STATUS_SUCCESS, NULL);
}

VW_SCENARIO("badndis", checker_ndis_send_completed_twice, "completed twice")
{
    uint8_t f[64];
    unsigned len = udp4(f, 18);
    const uint8_t *frames[1] = {f};
    if (up(vm, "badndis") && plant(vm, 1))
        vw_ndis_send(vm, frames, &len, 1);
}

VW_SCENARIO("badndis", checker_ndis_pause_before_returns, "indicated NBL(s) not returned")
{
    uint8_t f[64];
    unsigned len = udp4(f, 18);
    const uint8_t *frames[1] = {f};
    if (up(vm, "badndis") && plant(vm, 2) && vw_ndis_send(vm, frames, &len, 1))
        vw_ndis_pause(vm);
}

VW_SCENARIO("badndis", checker_ndis_indicate_while_paused, "with the adapter Paused")
{
    if (vw_driver_load(vm, "badndis") && vw_ndis_initialize(vm))
        plant(vm, 3);
}

VW_SCENARIO("badndis", checker_ndis_indicate_with_filter_zero,
            "with the packet filter 0 (the protocol set it to 0")
{
    uint8_t f[64];
    unsigned len = udp4(f, 18);
    const uint8_t *frames[1] = {f};
    uint32_t v = 0;
    if (up(vm, "badndis") && plant(vm, 15) &&
        oid(vm, true, VW_OID_GEN_CURRENT_PACKET_FILTER, &v, 4, VW_NDIS_STATUS_SUCCESS, NULL))
        vw_ndis_send(vm, frames, &len, 1);
}

VW_SCENARIO("badndis", checker_ndis_reset_status_unlisted,
            "not a status ndis/nc-ndis-miniport_reset lists")
{
    uint32_t status = 0;
    bool addressing = false;
    if (up(vm, "badndis") && plant(vm, 17))
        vw_ndis_reset(vm, &status, &addressing);
}

VW_SCENARIO("badndis", checker_ndis_reset_complete_not_pended, "(only a pended one)")
{
    uint32_t status = 0;
    bool addressing = false;
    if (up(vm, "badndis") && plant(vm, 18))
        vw_ndis_reset(vm, &status, &addressing);
}

VW_SCENARIO("badndis", checker_ndis_indicate_before_filter_set,
            "with the packet filter 0 (no protocol has set one since InitializeEx")
{
    if (vw_driver_load(vm, "badndis") && vw_ndis_initialize(vm) && plant(vm, 16))
        vw_ndis_restart(vm);
}

VW_SCENARIO("badndis", checker_ndis_dispatch_flag_at_passive,
            "NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL at IRQL 0")
{
    if (up(vm, "badndis"))
        plant(vm, 5);
}

VW_SCENARIO("badndis", checker_ndis_oid_completed_twice, "NdisMOidRequestComplete: request")
{
    uint32_t v = 1;
    if (up(vm, "badndis") && plant(vm, 4))
        oid(vm, true, VW_OID_GEN_CURRENT_PACKET_FILTER, &v, 4, VW_NDIS_STATUS_SUCCESS, NULL);
}

VW_SCENARIO("badndis", checker_ndis_oid_completed_not_pended, "only a pended request")
{
    if (up(vm, "badndis"))
        plant(vm, 6);
}

VW_SCENARIO("badndis", checker_ndis_timer_left_at_halt, "timer object")
{
    if (up(vm, "badndis") && plant(vm, 7))
        down(vm);
}

VW_SCENARIO("badndis", checker_ndis_work_item_freed_while_queued, "still queued")
{
    if (up(vm, "badndis") && plant(vm, 8))
        down(vm);
}

VW_SCENARIO("badndis", checker_ndis_periodic_timer_cancel_at_dispatch, "periodic timer at IRQL 2")
{
    if (up(vm, "badndis"))
        plant(vm, 9);
}

VW_SCENARIO("badndis", checker_ndis_statistics_misclassified,
            "ifHCInMulticastPkts is 11, the protocol layer was indicated 5")
{
    static uint8_t f[16][128];
    const uint8_t *frames[16];
    unsigned lens[16];
    for (unsigned i = 0; i < 16; i++) {
        lens[i] = i % 3 == 0 ? arp(f[i]) : udp4(f[i], 18);
        if (i % 3 == 1)
            memcpy(f[i], (const uint8_t[6]){0x33, 0x33, 0, 0, 0, 1}, 6);
        frames[i] = f[i];
    }
    if (up(vm, "badndis") && plant(vm, 10) && vw_ndis_send(vm, frames, lens, 16))
        vw_ndis_check_statistics(vm);
}

VW_SCENARIO("badndis", checker_ndis_indicate_in_d3, "with the adapter in D3")
{
    uint32_t st = 0;
    if (up(vm, "badndis") && plant(vm, 11) && vw_ndis_pause(vm))
        vw_ndis_set_power(vm, true, &st);
}

VW_SCENARIO("badndis", checker_ndis_query_power_refused, "OID_PNP_QUERY_POWER for D3 returned")
{
    uint32_t st = 0;
    if (up(vm, "badndis") && plant(vm, 12) && vw_ndis_pause(vm))
        vw_ndis_set_power(vm, true, &st);
}

VW_SCENARIO("badndis", checker_ndis_offload_default_beyond_hardware,
            "IPv6Transmit Encapsulation 0x2 is not within the hardware's 0x0")
{
    vw_ndis_keyword(vm, "Plant", "13");
    if (vw_driver_load(vm, "badndis"))
        vw_ndis_initialize(vm);
}

VW_SCENARIO("badndis", checker_ndis_offload_parameters_not_indicated,
            "without an NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG indication")
{
    static const uint8_t on[5] = {2, 2, 0, 0, 0};
    uint32_t st = 0;
    if (up(vm, "badndis") && plant(vm, 14))
        vw_ndis_set_offload_parameters(vm, on, &st);
}
