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

/* RSS at PAIRS pairs and CPUs, steered by the device when DEVICE. */
static void nkoff_rss(struct vm *vm, uint16_t pairs, bool device)
{
    struct nk_rig r;
    uint64_t extra = device ? 1ull << VIRTIO_NET_F_RSS | 1ull << VIRTIO_NET_F_HASH_REPORT : 0;
    if (!nkoff_up(vm, &r, extra, pairs, pairs, NULL))
        return;
    struct vw_ndis_offload_stats o;
    vw_ndis_offload_stats(vm, &o);
    VW_EXPECT(vm, o.rss_caps && o.rss_queues >= pairs, "RSS capabilities %d with %u queues",
              o.rss_caps, o.rss_queues);
    uint16_t table[128];
    for (unsigned i = 0; i < 128; i++)
        table[i] = (uint16_t)(i % pairs);
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
    VW_EXPECT(vm, o.rx_cpu_high > o.rx_cpu_low, "every flow on CPU %u", o.rx_cpu_low - 1);
    nk_down(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_rss_4_pairs, NULL)
{
    nkoff_rss(vm, 4, false);
}

VW_SCENARIO("netkvm", netkvm_rss_8_pairs, NULL)
{
    nkoff_rss(vm, 8, false);
}

VW_SCENARIO("netkvm", netkvm_rss_4_pairs_device, NULL)
{
    nkoff_rss(vm, 4, true);
}

VW_SCENARIO("netkvm", netkvm_rss_8_pairs_device, NULL)
{
    nkoff_rss(vm, 8, true);
}
