/*
 * What h-nk5 built and showed by units only (FINDINGS.md, "three driver
 * changes shown by units only"), shown here by effect.  Opt-in until those
 * commits are merged (run only when named):
 * - OID_TCP_RSC_STATISTICS (network/oid-tcp-rsc-statistics: NDIS 6.30 and
 *   later miniports providing RSC must answer; CoalescedPkts +1 per packet
 *   added to a coalesced unit, CoalescedOctets + its TCP payload,
 *   CoalesceEvents +1 per unit; ntddndis/ns-ntddndis-_ndis_rsc_statistics_info:
 *   header NDIS_OBJECT_TYPE_DEFAULT, revision 1, four ULONG64s) after a
 *   coalesced unit of 10 segments over IPv4 and one of 5 over IPv6;
 * - the logging keywords: DoLog 0 silences the adapter's lines, DebugLevel
 *   2 adds one per control command ("netkvm: control command ...").
 * Without the keywords (the default) no control command line: runs by
 * default.
 */
#include "nkoff.h"

#define DN_RSC_SIZE 40 /* NDIS_OBJECT_HEADER and four ULONG64 */

/* Little-endian 64-bit value at P. */
static uint64_t dn_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* A coalesced TCP unit over IPV of SEGS segments of MSS from the device. */
static void dn_coalesced(struct vm *vm, struct nk_rig *r, int ipv, unsigned segs, unsigned mss)
{
    static uint8_t f[16000];
    unsigned len = ndis_frame_build(f, ipv, 6, segs * mss, 4200, nk_mac, nk_peer, false);
    struct vmodel_net_rx_opts c = {.queue = -1,
                                   .gso_type = ipv == 4 ? VIRTIO_NET_HDR_GSO_TCPV4
                                                        : VIRTIO_NET_HDR_GSO_TCPV6,
                                   .gso_size = (uint16_t)mss,
                                   .segments = (uint16_t)segs};
    struct nk_mark m = nk_mark(vm);
    vmodel_net_wire_inject(r->net->model, f, len, &c);
    VW_EXPECT(vm, nk_wait_indicated_since(vm, m, 1) == 1, "the IPv%d unit was not indicated", ipv);
    vw_ndis_return_all(vm);
}

VW_SCENARIO("netkvm", netkvm_rsc_statistics, NULL)
{
    struct nk_rig r;
    if (!nkoff_up(vm, &r, 1ull << VIRTIO_NET_F_RSC_EXT, 0, 0, NULL) || !nkoff_enable(vm, true))
        return;
    dn_coalesced(vm, &r, 4, 10, 1460);
    dn_coalesced(vm, &r, 6, 5, 1440);
    uint8_t info[64] = {0};
    uint32_t status = 1, done = 0;
    if (!vw_ndis_oid(vm, false, VW_OID_TCP_RSC_STATISTICS, info, sizeof(info), &status, &done))
        return;
    unsigned size = info[2] | info[3] << 8;
    VW_EXPECT(vm,
              status == 0 && done >= DN_RSC_SIZE && info[0] == VW_NDIS_OBJECT_TYPE_DEFAULT &&
                  info[1] == 1 && size >= DN_RSC_SIZE,
              "OID_TCP_RSC_STATISTICS: 0x%08x, %u bytes, header 0x%02x revision %u size %u", status,
              done, info[0], info[1], size);
    if (vm->failed)
        return;
    uint64_t pkts = dn_le64(info + 8), octets = dn_le64(info + 16), events = dn_le64(info + 24);
    VW_EXPECT(vm, pkts == 15 && octets == 10 * 1460 + 5 * 1440 && events == 2,
              "RSC statistics: CoalescedPkts %llu (15), CoalescedOctets %llu (21800), "
              "CoalesceEvents %llu (2)",
              (unsigned long long)pkts, (unsigned long long)octets, (unsigned long long)events);
    nk_down(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_logging_default_no_command_lines, NULL)
{
    unsigned all = 0, ctrl = 0;
    nk_logging_run(vm, NULL, &all, &ctrl);
    VW_EXPECT(vm, all > 0 && ctrl == 0, "default logging: %u lines, %u control command lines", all,
              ctrl);
}

VW_SCENARIO("netkvm", netkvm_logging_do_log_0_silent, NULL)
{
    static const char *const kw[] = {"DoLog", "0", NULL};
    unsigned all = 0, ctrl = 0;
    nk_logging_run(vm, kw, &all, &ctrl);
    VW_EXPECT(vm, all == 0, "DoLog 0: %u driver lines", all);
}

VW_SCENARIO("netkvm", netkvm_logging_debug_level_2_commands, NULL)
{
    static const char *const kw[] = {"DebugLevel", "2", NULL};
    unsigned all = 0, ctrl = 0;
    nk_logging_run(vm, kw, &all, &ctrl);
    VW_EXPECT(vm, ctrl > 0, "DebugLevel 2: no control command line (%u driver lines)", all);
}
