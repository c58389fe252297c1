/*
 * The NDIS emulation's offload and RSS checks (port/ndis/checksum.c,
 * lso.c, vlan.c, rss.c) against the offload loopback miniport
 * (testdrv/vwndisoff.c): transmit checksums asked per NBL come back
 * computed and reported verified, a 64 KiB LSOv2 send completes as
 * documented and returns as one coalesced unit, 802.1Q information
 * survives the loop, RSS hashes and processors match the reference; and
 * each offload checker fails by name on its planted bug (bad/badndisoff.c,
 * keyword "Plant").
 */
#include <string.h>
#include "kernel.h"
#include "port/ndis/frame.h"
#include "port/ndis/ndis_port.h"
#include "scenario.h"
#include "vw_ndis.h"

static const uint8_t mac[6] = {0x02, 0x56, 0x57, 0x00, 0x00, 0x02};
static const uint8_t peer[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
/* Microsoft's verification key (network/verifying-the-rss-hash-calculation). */
static const uint8_t ms_key[40] = {0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
                                   0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
                                   0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
                                   0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};

/* A packet to the adapter from the peer (frame.h). */
static unsigned packet(uint8_t *f, int ipv, uint8_t proto, unsigned payload, uint16_t sport,
                       bool zero)
{
    return ndis_frame_build(f, ipv, proto, payload, sport, mac, peer, zero);
}

/* Loads DRIVER (with keyword Plant = PLANT), initializes and restarts it. */
static bool up(struct vm *vm, const char *driver, const char *plant)
{
    if (plant != NULL)
        vw_ndis_keyword(vm, "Plant", plant);
    return vw_driver_load(vm, driver) && vw_ndis_initialize(vm) && vw_ndis_restart(vm);
}

/* Lets DPCs on other CPUs run until N NBLs in all were indicated (or 2 ms):
 * the miniport indicates from a DPC on the hash's processor. */
static void wait_indicated(struct vm *vm, unsigned n)
{
    struct vw_ndis_stats st;
    for (unsigned i = 0; i < 200 && !vm->failed; i++) {
        vw_ndis_stats(vm, &st);
        if (st.indicated >= n)
            return;
        vw_run_for(vm, 100);
    }
}

/* Pause, halt and unload with the leak checks. */
static void down(struct vm *vm)
{
    if (!vm->failed && vw_ndis_pause(vm) && vw_ndis_halt(vm))
        vw_driver_unload(vm);
}

/* The Transmit word asking for the checksums of a packet built by packet(). */
static uint32_t tx_csum(int ipv, uint8_t proto)
{
    uint32_t v = ipv == 4 ? VW_CSUM_TX_IS_IPV4 | VW_CSUM_TX_IP : VW_CSUM_TX_IS_IPV6;
    v |= proto == 6 ? VW_CSUM_TX_TCP | (uint32_t)(14 + (ipv == 4 ? 20 : 40)) << 16 : VW_CSUM_TX_UDP;
    return v;
}

/* TCP and UDP over IPv4 and IPv6 with their checksum fields 0 and the
 * offload asked: back with right checksums, each reported verified. */
VW_SCENARIO("vwndisoff", ndis_offload_checksums_loopback, NULL)
{
    if (!up(vm, "vwndisoff", NULL))
        return;
    static uint8_t f[4][200];
    static const int ipv[4] = {4, 4, 6, 6};
    static const uint8_t proto[4] = {6, 17, 6, 17};
    unsigned lens[4];
    const uint8_t *frames[4];
    struct vw_ndis_tx_info info[4] = {{0}};
    for (unsigned i = 0; i < 4; i++) {
        lens[i] = packet(f[i], ipv[i], proto[i], 100, (uint16_t)(1000 + i), true);
        frames[i] = f[i];
        info[i].csum = tx_csum(ipv[i], proto[i]);
    }
    if (!vw_ndis_send_info(vm, frames, lens, info, 4))
        return;
    wait_indicated(vm, 4);
    struct vw_ndis_offload_stats o;
    vw_ndis_offload_stats(vm, &o);
    VW_EXPECT(vm, o.rx_csum_flagged == 4, "%u of 4 NBLs came back with checksum bits",
              o.rx_csum_flagged);
    for (unsigned i = 0; i < 4 && !vm->failed; i++) {
        uint8_t back[200];
        struct ndis_frame p;
        unsigned n = vw_ndis_received(vm, i, back, sizeof(back));
        VW_EXPECT(vm,
                  n == lens[i] && ndis_frame_parse(back, n, &p) &&
                      ndis_frame_l4_csum_ok(back, &p) &&
                      (ipv[i] == 6 || ndis_frame_ip_csum_ok(back, &p)),
                  "packet %u came back without the checksums the hardware computes", i);
    }
    down(vm);
}

/* A 64 KiB TCP/IPv4 send with LSOv2 (MSS 1460): completed with
 * LsoV2TransmitComplete, back as one unit of 45 coalesced segments. */
VW_SCENARIO("vwndisoff", ndis_offload_lso_64k_coalesced, NULL)
{
    if (!up(vm, "vwndisoff", NULL))
        return;
    static uint8_t f[65536];
    unsigned payload = 65535 - 40, len = packet(f, 4, 6, payload, 2000, false);
    const uint8_t *frames[1] = {f};
    struct vw_ndis_tx_info info = {.lso = 1460u | (14u + 20u) << 20 | VW_LSO_V2_TYPE << 30};
    if (!vw_ndis_send_info(vm, frames, &len, &info, 1))
        return;
    wait_indicated(vm, 1);
    struct vw_ndis_offload_stats o;
    vw_ndis_offload_stats(vm, &o);
    unsigned want = (payload + 1459) / 1460;
    VW_EXPECT(vm, o.lso_completed == 1 && o.rx_coalesced == 1 && o.rx_segments == want,
              "LSOv2 completions %u, coalesced units %u of %u segments (expected 1, 1, %u)",
              o.lso_completed, o.rx_coalesced, o.rx_segments, want);
    down(vm);
}

/* 802.1Q information (VLAN 42, priority 5) out and back on the NBL. */
VW_SCENARIO("vwndisoff", ndis_offload_vlan_info_loopback, NULL)
{
    if (!up(vm, "vwndisoff", NULL))
        return;
    uint8_t f[200];
    unsigned len = packet(f, 4, 17, 40, 3000, false);
    const uint8_t *frames[1] = {f};
    struct vw_ndis_tx_info info = {.vlan = 5u | 42u << 4};
    if (!vw_ndis_send_info(vm, frames, &len, &info, 1))
        return;
    wait_indicated(vm, 1);
    struct vw_ndis_offload_stats o;
    vw_ndis_offload_stats(vm, &o);
    VW_EXPECT(vm,
              o.rx_vlan_info == 1 && VW_8021Q_VLAN(o.last_rx_vlan) == 42 &&
                  VW_8021Q_PRIORITY(o.last_rx_vlan) == 5,
              "802.1Q information back: %u NBLs, last 0x%x", o.rx_vlan_info, o.last_rx_vlan);
    down(vm);
}

/* RSS over the run's processors: Microsoft's key, TCP/UDP/IP over both
 * versions hashed, a 128-entry table cycling through the CPUs; 32 flows
 * each checked for hash and processor, and more than one processor used. */
VW_SCENARIO("vwndisoff", ndis_offload_rss_hash_and_cpu, NULL)
{
    if (!up(vm, "vwndisoff", NULL))
        return;
    struct vw_ndis_offload_stats o;
    vw_ndis_offload_stats(vm, &o);
    VW_EXPECT(vm, o.rss_caps && o.rss_queues == 4, "RSS capabilities %d, %u queues", o.rss_caps,
              o.rss_queues);
    uint16_t table[128];
    unsigned cpus = vw_cpu_count(vm);
    for (unsigned i = 0; i < 128; i++)
        table[i] = (uint16_t)(i % cpus);
    uint32_t types = VW_NDIS_HASH_FUNCTION_TOEPLITZ | VW_NDIS_HASH_TCP_IPV4 | VW_NDIS_HASH_IPV4 |
                     VW_NDIS_HASH_TCP_IPV6 | VW_NDIS_HASH_IPV6 | VW_NDIS_HASH_UDP_IPV4;
    uint32_t status = 1;
    if (!vw_ndis_set_rss(vm, types, ms_key, 40, table, 128, &status))
        return;
    VW_EXPECT(vm, status == VW_NDIS_STATUS_SUCCESS, "RSS parameters: 0x%08x", status);
    for (unsigned round = 0; round < 4 && !vm->failed; round++) {
        static uint8_t f[8][200];
        unsigned lens[8];
        const uint8_t *frames[8];
        for (unsigned i = 0; i < 8; i++) {
            lens[i] = packet(f[i], i & 1 ? 6 : 4, i & 2 ? 17 : 6, 32,
                             (uint16_t)(5000 + round * 8 + i), false);
            frames[i] = f[i];
        }
        if (!vw_ndis_send(vm, frames, lens, 8))
            return;
        wait_indicated(vm, 8 * (round + 1));
        if (!vw_ndis_return_all(vm))
            return;
    }
    vw_ndis_offload_stats(vm, &o);
    VW_EXPECT(vm, o.rx_hashed == 32 && o.rx_hash_none == 0,
              "hashed %u, without hash %u (expected 32, 0)", o.rx_hashed, o.rx_hash_none);
    VW_EXPECT(vm, cpus == 1 || o.rx_cpu_high > o.rx_cpu_low,
              "every hashed NBL on one CPU (%u) of %u", o.rx_cpu_low - 1, cpus);
    down(vm);
}

/* The stack never asks for a checksum the current configuration does not
 * enable: a scenario doing so is refused by the harness, by name. */
VW_SCENARIO("vwndisoff", ndis_offload_harness_refuses_disabled_checksum,
            "the current offload configuration does not enable it")
{
    if (!up(vm, "vwndisoff", NULL))
        return;
    static const uint8_t off[5] = {1, 1, 1, 1, 1}; /* NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED */
    uint32_t status = 1;
    if (!vw_ndis_set_offload_parameters(vm, off, &status))
        return;
    uint8_t f[200];
    unsigned len = packet(f, 4, 6, 40, 4000, true);
    const uint8_t *frames[1] = {f};
    struct vw_ndis_tx_info info = {.csum = tx_csum(4, 6)};
    vw_ndis_send_info(vm, frames, &len, &info, 1);
}

/* ---- Planted bugs (bad/badndisoff.c) ------------------------------------ */

/* Sends one packet (of PROTO over IPv4; its TCP checksum spoiled with
 * BAD) with INFO on badndisoff with bug PLANT. */
static void planted_send(struct vm *vm, const char *plant, uint8_t proto, bool bad,
                         struct vw_ndis_tx_info info)
{
    uint8_t f[200];
    unsigned len = packet(f, 4, proto, 40, 6000, false);
    if (bad)
        f[14 + 20 + 17] ^= 0x5a;
    const uint8_t *frames[1] = {f};
    if (up(vm, "badndisoff", plant) && vw_ndis_send_info(vm, frames, &len, &info, 1))
        wait_indicated(vm, 1);
}

VW_SCENARIO("badndisoff", checker_ndis_rx_checksum_succeeded_on_bad_frame,
            "TCP succeeded on a frame whose checksum is wrong")
{
    planted_send(vm, "1", 6, true, (struct vw_ndis_tx_info){0});
}

VW_SCENARIO("badndisoff", checker_ndis_rx_checksum_bit_for_disabled_offload,
            "TCP the current offload configuration does not enable it")
{
    static const uint8_t off[5] = {1, 1, 1, 1, 1};
    uint32_t status = 1;
    uint8_t f[200];
    unsigned len = packet(f, 4, 6, 40, 6000, false);
    const uint8_t *frames[1] = {f};
    if (up(vm, "badndisoff", "2") && vw_ndis_set_offload_parameters(vm, off, &status) &&
        vw_ndis_send(vm, frames, &len, 1))
        wait_indicated(vm, 1);
}

VW_SCENARIO("badndisoff", checker_ndis_lso_completion_not_written,
            "LsoV2TransmitComplete not written")
{
    static uint8_t f[8192];
    unsigned len = packet(f, 4, 6, 8000, 7000, false);
    const uint8_t *frames[1] = {f};
    struct vw_ndis_tx_info info = {.lso = 1460u | (14u + 20u) << 20 | VW_LSO_V2_TYPE << 30};
    if (up(vm, "badndisoff", "3") && vw_ndis_send_info(vm, frames, &len, &info, 1))
        wait_indicated(vm, 1);
}

/* RSS on with Microsoft's key and a table over every CPU, then one TCP
 * packet on badndisoff with bug PLANT. */
static void planted_rss(struct vm *vm, const char *plant)
{
    uint16_t table[8];
    for (unsigned i = 0; i < 8; i++)
        table[i] = (uint16_t)(i % vw_cpu_count(vm));
    uint32_t status = 1;
    uint8_t f[200];
    unsigned len = packet(f, 4, 6, 40, 6000, false);
    const uint8_t *frames[1] = {f};
    if (up(vm, "badndisoff", plant) &&
        vw_ndis_set_rss(vm, VW_NDIS_HASH_FUNCTION_TOEPLITZ | VW_NDIS_HASH_TCP_IPV4, ms_key, 40,
                        table, 8, &status) &&
        vw_ndis_send(vm, frames, &len, 1))
        wait_indicated(vm, 1);
}

VW_SCENARIO("badndisoff", checker_ndis_rss_hash_value_wrong,
            "the hash value is not the Toeplitz hash of the frame")
{
    planted_rss(vm, "4");
}

VW_SCENARIO("badndisoff", checker_ndis_rss_indicated_on_wrong_cpu,
            "indicated on another processor than the indirection table names")
{
    if (vw_cpu_count(vm) < 2 && !vw_cpus_set(vm, 2))
        return;
    planted_rss(vm, "5");
}

VW_SCENARIO("badndisoff", checker_ndis_vlan_tag_not_stripped,
            "the frame still carries its 802.1Q tag")
{
    planted_send(vm, "6", 17, false, (struct vw_ndis_tx_info){.vlan = 42u << 4});
}

VW_SCENARIO("badndisoff", checker_ndis_rsc_dup_acks_without_segments,
            "DupAckCount without CoalescedSegCount")
{
    planted_send(vm, "7", 17, false, (struct vw_ndis_tx_info){0});
}

/* An NDIS_OFFLOAD of revision 6 (NDIS 6.83, UdpSegmentation) from a
 * miniport that registered NDIS 6.50: refused, naming the page. */
VW_SCENARIO("badndisoff", checker_ndis_offload_revision_beyond_version,
            "DefaultOffloadConfiguration: NDIS_OFFLOAD revision 6 is for NDIS 6.83 and later, the "
            "miniport registered NDIS 6.50 (ntddndis/ns-ntddndis-_ndis_offload)")
{
    if (vw_driver_load(vm, "badndisoff")) {
        vw_ndis_keyword(vm, "Plant", "9");
        vw_ndis_initialize(vm);
    }
}

VW_SCENARIO("badndisoff", checker_ndis_pm_capabilities_wake_state,
            "a minimum wake-up state is no NDIS_DEVICE_POWER_STATE")
{
    if (vw_driver_load(vm, "badndisoff")) {
        vw_ndis_keyword(vm, "Plant", "8");
        vw_ndis_initialize(vm);
    }
}

/* vwndisoff's NDIS_OFFLOAD has no UdpSegmentation (revision below 6): the
 * stack never asks it for USO, so the harness refuses to (uso.c). */
VW_SCENARIO("vwndisoff", ndis_offload_harness_refuses_uso_not_advertised,
            "does not enable USO for it")
{
    if (!up(vm, "vwndisoff", NULL))
        return;
    static uint8_t f[16000];
    unsigned len = packet(f, 4, 17, 10 * 1472, 4100, true);
    const uint8_t *frames[1] = {f};
    struct vw_ndis_tx_info info = {.uso = 1472u | (14u + 20u) << 20};
    vw_ndis_send_info(vm, frames, &len, &info, 1);
}
