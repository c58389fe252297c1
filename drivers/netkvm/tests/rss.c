/*
 * NetKVM's RSS (run by default since the driver does RSS; the helpers are
 * nkoff.h's).  At 4 and 8 queue pairs (as many
 * CPUs), with the device steering (VIRTIO_NET_F_RSS, HASH_REPORT) and
 * without: the general attributes carry RSS capabilities with at least
 * that many receive queues, OID_GEN_RECEIVE_SCALE_PARAMETERS with
 * Microsoft's key and a table over every CPU succeeds, and 64 TCP/UDP
 * flows over IPv4 and IPv6 from the wire are indicated each with the
 * Toeplitz hash and on the processor the table names (the emulation
 * checks every NBL), over more than one CPU.
 */
#include "nkoff.h"

static const uint8_t ms_key[40] = {0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
                                   0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
                                   0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
                                   0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};

/* RSS at PAIRS pairs on CPUS processors (0: the run's, PAIRS then as many,
 * at most the model's 128), the table over every CPU, steered by the device
 * when DEVICE, rings of RING (0: 256, 32 beyond 16 pairs). */
static void nkoff_rss_ring(struct vm *vm, uint16_t pairs, uint16_t cpus, bool device, uint16_t ring)
{
    struct nk_rig r;
    uint64_t extra = device ? 1ull << VIRTIO_NET_F_RSS | 1ull << VIRTIO_NET_F_HASH_REPORT : 0;
    if (cpus == 0) {
        cpus = (uint16_t)vw_cpu_count(vm);
        pairs = cpus < VMODEL_NET_MAX_PAIRS ? cpus : VMODEL_NET_MAX_PAIRS;
    }
    /* Beyond 16 pairs rings of 32 without GUEST_TSO (whose 64 KiB frames
     * need 33 merged buffers): the emulation holds 4096 NBLs at once, and
     * InitializeEx posting a buffer per slot must stay within the harness's
     * 5 s per driver call */
    bool big = pairs > 16, small = big || ring != 0;
    struct nk_opts op = {
        .mrg_rxbuf = true,
        .pairs = pairs,
        .cpus = cpus,
        .add = NKOFF_FEATURES | extra,
        .drop = small ? 1ull << VIRTIO_NET_F_GUEST_TSO4 | 1ull << VIRTIO_NET_F_GUEST_TSO6 : 0,
        .shape = {.queue_max = ring != 0 ? ring
                               : big     ? 32
                                         : 0}};
    if (!nk_up(vm, &r, &op))
        return;
    struct vw_ndis_offload_stats o;
    vw_ndis_offload_stats(vm, &o);
    VW_EXPECT(vm, o.rss_caps && o.rss_queues >= pairs, "RSS capabilities %d with %u queues",
              o.rss_caps, o.rss_queues);
    uint16_t table[128];
    for (unsigned i = 0; i < 128; i++)
        table[i] = (uint16_t)(i % cpus);
    uint32_t types = VW_NDIS_HASH_FUNCTION_TOEPLITZ | VW_NDIS_HASH_IPV4 | VW_NDIS_HASH_TCP_IPV4 |
                     VW_NDIS_HASH_IPV6 | VW_NDIS_HASH_TCP_IPV6 | VW_NDIS_HASH_UDP_IPV4 |
                     VW_NDIS_HASH_UDP_IPV6;
    uint32_t status = 1;
    if (vm->failed || !vw_ndis_set_rss(vm, types, ms_key, 40, table, 128, &status))
        return;
    VW_EXPECT(vm, status == VW_NDIS_STATUS_SUCCESS, "RSS parameters: 0x%08x", status);
    static uint8_t f[1514];
    struct nk_mark m = nk_mark(vm);
    for (unsigned i = 0; i < 64 && !vm->failed; i++) {
        unsigned len = ndis_frame_build(f, i & 1 ? 6 : 4, i & 2 ? 17 : 6, 64,
                                        (uint16_t)(10000 + 37 * i), nk_mac, nk_peer, false);
        vmodel_net_wire_inject(r.net->model, f, len, NULL);
        if (i % 16 == 15) {
            nk_wait_indicated_since(vm, m, i + 1);
            vw_ndis_return_all(vm);
        }
    }
    VW_EXPECT(vm, nk_wait_indicated_since(vm, m, 64) == 64, "not every flow indicated");
    vw_ndis_offload_stats(vm, &o);
    VW_EXPECT(vm, o.rx_hashed == 64, "%u of 64 NBLs with a hash (%u without)", o.rx_hashed,
              o.rx_hash_none);
    VW_EXPECT(vm, cpus == 1 || o.rx_cpu_high > o.rx_cpu_low, "every flow on CPU %u",
              o.rx_cpu_low - 1);
    /* Beyond 64 CPUs some flow lands in processor group 1 */
    VW_EXPECT(vm, cpus <= 64 || o.rx_cpu_high > 64, "no flow on a CPU of group 1 (highest %u)",
              o.rx_cpu_high - 1);
    nk_down(vm, &r);
}

/* nkoff_rss_ring with the default rings. */
static void nkoff_rss(struct vm *vm, uint16_t pairs, uint16_t cpus, bool device)
{
    nkoff_rss_ring(vm, pairs, cpus, device, 0);
}

VW_SCENARIO("netkvm", netkvm_rss_4_pairs, NULL)
{
    nkoff_rss(vm, 4, 4, false);
}

VW_SCENARIO("netkvm", netkvm_rss_8_pairs, NULL)
{
    nkoff_rss(vm, 8, 8, false);
}

VW_SCENARIO("netkvm", netkvm_rss_4_pairs_device, NULL)
{
    nkoff_rss(vm, 4, 4, true);
}

VW_SCENARIO("netkvm", netkvm_rss_8_pairs_device, NULL)
{
    nkoff_rss(vm, 8, 8, true);
}

/* As many pairs as the run has CPUs (CPUS=64 in check-harness-cpus64). */
VW_SCENARIO("netkvm", netkvm_rss_run_cpus, NULL)
{
    nkoff_rss(vm, 0, 0, false);
}

/* 80 CPUs, two processor groups (64 + 16), 64 pairs: the table names
 * CPUs of both groups and each flow is indicated on its entry's CPU.
 * 64-bit only: 32-bit Windows runs at most 32 processors, one group. */
VW_SCENARIO_ON("netkvm", netkvm_rss_80_cpus_two_groups, NULL,
               VW_ARCH_BIT(VW_AMD64) | VW_ARCH_BIT(VW_ARM64))
{
    nkoff_rss(vm, 64, 80, false);
}

/* 8 pairs on 8 CPUs with rings of 16: 16 flows at a time still land on
 * the CPUs the table names (network/indicating-rss-receive-data), also
 * when the driver indicates with NDIS_RECEIVE_FLAGS_RESOURCES. */
VW_SCENARIO("netkvm", netkvm_rss_short_rings_right_cpu, NULL)
{
    nkoff_rss_ring(vm, 8, 8, false, 16);
}
