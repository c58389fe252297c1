/*
 * The offload keywords params_effect.c leaves out, each at its minimum and
 * maximum, seen by effect: the default configuration the offload
 * attributes report to NDIS (the emulation's record of them, the checksum
 * words IPv4Transmit, IPv4Receive, IPv6Transmit, IPv6Receive, LSOv2, RSC
 * and USO per version), on a device offering every offload.  The
 * standardized keywords (network/standardized-inf-keywords-for-tcp-ip-offload:
 * checksums 0 Disabled .. 3 Rx & Tx, LSOv2 / RSC / USO 0 or 1) change their
 * one offload; the existing driver's masks (Offload.TxChecksum and
 * Offload.RxCS bits 1 TCPv4, 2 UDPv4, 4 IPv4, 8 TCPv6, 16 UDPv6;
 * Offload.TxLSO 0..2: drivers/netkvm/README.md) change one direction of
 * every checksum, or LSOv2.  A valid value logs no finding.  At the maximum
 * of Offload.TxChecksum, checksum-offloaded sends leave with right checksums.
 */
#include "nkoff.h"

#define PO_IP(w)  ((w) >> 8 & 3) /* IpChecksum in a checksum word */
#define PO_TCP(w) ((w) >> 4 & 3)
#define PO_UDP(w) ((w) >> 6 & 3)

/* NAME = VALUE on IMAGE (NULL: netkvm) with EXTRA offered, up in R: the
 * default configuration in OS, and no finding logged for the value. */
static bool po_up(struct vm *vm, struct nk_rig *r, const char *image, uint64_t extra,
                  const char *name, const char *value, struct vw_ndis_offload_stats *os)
{
    const char *const kw[] = {name, value, NULL};
    if (!nkoff_up_image(vm, r, image, extra, 0, 0, kw))
        return false;
    vw_ndis_offload_stats(vm, os);
    vw_log(vm,
           "netkvm %s %s: checksums 0x%03x 0x%03x 0x%03x 0x%03x, LSOv2 %u %u, RSC %d %d, USO %u "
           "%u",
           name, value, os->cur_csum[0], os->cur_csum[1], os->cur_csum[2], os->cur_csum[3],
           os->cur_lso_max[0], os->cur_lso_max[1], os->cur_rsc[0], os->cur_rsc[1],
           os->cur_uso_max[0], os->cur_uso_max[1]);
    char finding[96];
    snprintf(finding, sizeof(finding), "%s: '%s'", name, value);
    VW_EXPECT(vm, vm->log == NULL || strstr(vm->log, finding) == NULL,
              "the valid %s %s was logged as a finding", name, value);
    return !vm->failed;
}

/* NAME = VALUE on netkvm: the default configuration in OS, the adapter halted. */
static bool po_config(struct vm *vm, const char *name, const char *value,
                      struct vw_ndis_offload_stats *os)
{
    struct nk_rig r;
    if (!po_up(vm, &r, NULL, 0, name, value, os))
        return false;
    nk_down(vm, &r);
    return !vm->failed;
}

/* A checksum keyword's effect on word pair (TX, RX) through GET: VALUE 0..3
 * (bit 0 Tx, bit 1 Rx) turns exactly those directions on; OTHER (another
 * field of the same words) stays on in both. */
static void po_csum(struct vm *vm, const char *name, const char *value, unsigned tx, unsigned rx,
                    unsigned (*get)(uint32_t), unsigned (*other)(uint32_t))
{
    struct vw_ndis_offload_stats os;
    if (!po_config(vm, name, value, &os))
        return;
    unsigned v = (unsigned)(value[0] - '0');
    bool want_tx = v & 1, want_rx = v >> 1 & 1;
    VW_EXPECT(vm, (get(os.cur_csum[tx]) != 0) == want_tx && (get(os.cur_csum[rx]) != 0) == want_rx,
              "%s %s: transmit 0x%03x, receive 0x%03x (transmit %s, receive %s expected)", name,
              value, os.cur_csum[tx], os.cur_csum[rx], want_tx ? "on" : "off",
              want_rx ? "on" : "off");
    VW_EXPECT(vm, other(os.cur_csum[tx]) != 0 && other(os.cur_csum[rx]) != 0,
              "%s %s: another checksum of the same words went too: 0x%03x 0x%03x", name, value,
              os.cur_csum[tx], os.cur_csum[rx]);
}

static unsigned po_ip(uint32_t w)
{
    return PO_IP(w);
}

static unsigned po_tcp(uint32_t w)
{
    return PO_TCP(w);
}

static unsigned po_udp(uint32_t w)
{
    return PO_UDP(w);
}

VW_SCENARIO("netkvm", netkvm_params_ip_checksum_ipv4_min, NULL)
{
    po_csum(vm, "*IPChecksumOffloadIPv4", "0", 0, 1, po_ip, po_tcp);
}

VW_SCENARIO("netkvm", netkvm_params_ip_checksum_ipv4_max, NULL)
{
    po_csum(vm, "*IPChecksumOffloadIPv4", "3", 0, 1, po_ip, po_tcp);
}

VW_SCENARIO("netkvm", netkvm_params_tcp_checksum_ipv6_min, NULL)
{
    po_csum(vm, "*TCPChecksumOffloadIPv6", "0", 2, 3, po_tcp, po_udp);
}

VW_SCENARIO("netkvm", netkvm_params_tcp_checksum_ipv6_tx_only, NULL)
{
    po_csum(vm, "*TCPChecksumOffloadIPv6", "1", 2, 3, po_tcp, po_udp);
}

VW_SCENARIO("netkvm", netkvm_params_tcp_checksum_ipv6_rx_only, NULL)
{
    po_csum(vm, "*TCPChecksumOffloadIPv6", "2", 2, 3, po_tcp, po_udp);
}

VW_SCENARIO("netkvm", netkvm_params_tcp_checksum_ipv6_max, NULL)
{
    po_csum(vm, "*TCPChecksumOffloadIPv6", "3", 2, 3, po_tcp, po_udp);
}

VW_SCENARIO("netkvm", netkvm_params_udp_checksum_ipv4_min, NULL)
{
    po_csum(vm, "*UDPChecksumOffloadIPv4", "0", 0, 1, po_udp, po_tcp);
}

VW_SCENARIO("netkvm", netkvm_params_udp_checksum_ipv4_max, NULL)
{
    po_csum(vm, "*UDPChecksumOffloadIPv4", "3", 0, 1, po_udp, po_tcp);
}

/* *LsoV2IPv6 0 / 1: IPv6's LSOv2 off / on, IPv4's on. */
static void po_lso6(struct vm *vm, const char *value)
{
    struct vw_ndis_offload_stats os;
    if (!po_config(vm, "*LsoV2IPv6", value, &os))
        return;
    VW_EXPECT(vm, os.cur_lso_max[0] != 0 && (os.cur_lso_max[1] != 0) == (value[0] == '1'),
              "*LsoV2IPv6 %s: LSOv2 IPv4 %u, IPv6 %u", value, os.cur_lso_max[0], os.cur_lso_max[1]);
}

VW_SCENARIO("netkvm", netkvm_params_lsov2_ipv6_min, NULL)
{
    po_lso6(vm, "0");
}

VW_SCENARIO("netkvm", netkvm_params_lsov2_ipv6_max, NULL)
{
    po_lso6(vm, "1");
}

/* *RscIPv4 0 / 1: IPv4's RSC off / on, IPv6's on. */
static void po_rsc4(struct vm *vm, const char *value)
{
    struct vw_ndis_offload_stats os;
    if (!po_config(vm, "*RscIPv4", value, &os))
        return;
    VW_EXPECT(vm, os.cur_rsc[0] == (value[0] == '1') && os.cur_rsc[1],
              "*RscIPv4 %s: RSC IPv4 %d, IPv6 %d", value, os.cur_rsc[0], os.cur_rsc[1]);
}

VW_SCENARIO("netkvm", netkvm_params_rsc_ipv4_min, NULL)
{
    po_rsc4(vm, "0");
}

VW_SCENARIO("netkvm", netkvm_params_rsc_ipv4_max, NULL)
{
    po_rsc4(vm, "1");
}

/* *UsoIPv4 0 / 1 on the NDIS 6.83 build with HOST_USO: IPv4's USO off / on,
 * IPv6's on. */
static void po_uso4(struct vm *vm, const char *value)
{
    struct nk_rig r;
    struct vw_ndis_offload_stats os;
    if (!po_up(vm, &r, "netkvm683", 1ull << VIRTIO_NET_F_HOST_USO, "*UsoIPv4", value, &os))
        return;
    VW_EXPECT(vm, (os.cur_uso_max[0] != 0) == (value[0] == '1') && os.cur_uso_max[1] != 0,
              "*UsoIPv4 %s: USO IPv4 %u, IPv6 %u", value, os.cur_uso_max[0], os.cur_uso_max[1]);
    nk_down(vm, &r);
}

VW_SCENARIO_ON("netkvm", netkvm683_params_uso_ipv4_min, NULL,
               VW_ARCH_BIT(VW_AMD64) | VW_ARCH_BIT(VW_ARM64))
{
    po_uso4(vm, "0");
}

VW_SCENARIO_ON("netkvm", netkvm683_params_uso_ipv4_max, NULL,
               VW_ARCH_BIT(VW_AMD64) | VW_ARCH_BIT(VW_ARM64))
{
    po_uso4(vm, "1");
}

/* A legacy mask NAME = VALUE (0 or 31): the TCP, UDP and IP checksums of
 * one direction (TX: the transmit words) all off or all on; the other
 * direction's stay on. */
static void po_mask(struct vm *vm, const char *name, const char *value, bool tx)
{
    struct nk_rig r;
    struct vw_ndis_offload_stats os;
    if (!po_up(vm, &r, NULL, 0, name, value, &os))
        return;
    bool on = value[0] != '0';
    unsigned a = tx ? 0 : 1, b = tx ? 2 : 3, c = tx ? 1 : 0, d = tx ? 3 : 2;
    uint32_t wa = os.cur_csum[a], wb = os.cur_csum[b], wc = os.cur_csum[c], wd = os.cur_csum[d];
    bool all = PO_TCP(wa) && PO_UDP(wa) && PO_IP(wa) && PO_TCP(wb) && PO_UDP(wb);
    bool none = !PO_TCP(wa) && !PO_UDP(wa) && !PO_IP(wa) && !PO_TCP(wb) && !PO_UDP(wb);
    VW_EXPECT(vm, on ? all : none, "%s %s: %s checksums 0x%03x 0x%03x (all %s expected)", name,
              value, tx ? "transmit" : "receive", wa, wb, on ? "on" : "off");
    VW_EXPECT(vm, PO_TCP(wc) && PO_UDP(wc) && PO_TCP(wd) && PO_UDP(wd),
              "%s %s: the other direction went too: 0x%03x 0x%03x", name, value, wc, wd);
    if (on && tx) { /* used: sends asking for them leave with right checksums */
        static const unsigned payload[4] = {1, 100, 1000, 1400};
        if (nkoff_enable(vm, false)) {
            nkoff_tx_checked(vm, &r, 4, 6, payload, 1200);
            nkoff_tx_checked(vm, &r, 6, 17, payload, 1300);
        }
    }
    nk_down(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_params_offload_tx_checksum_min, NULL)
{
    po_mask(vm, "Offload.TxChecksum", "0", true);
}

VW_SCENARIO("netkvm", netkvm_params_offload_tx_checksum_max, NULL)
{
    po_mask(vm, "Offload.TxChecksum", "31", true);
}

VW_SCENARIO("netkvm", netkvm_params_offload_rx_checksum_min, NULL)
{
    po_mask(vm, "Offload.RxCS", "0", false);
}

VW_SCENARIO("netkvm", netkvm_params_offload_rx_checksum_max, NULL)
{
    po_mask(vm, "Offload.RxCS", "31", false);
}

/* Offload.TxLSO 0 (min): LSOv2 off for both versions; 2 (max): on for both. */
static void po_txlso(struct vm *vm, const char *value)
{
    struct vw_ndis_offload_stats os;
    if (!po_config(vm, "Offload.TxLSO", value, &os))
        return;
    bool on = value[0] != '0';
    VW_EXPECT(vm, (os.cur_lso_max[0] != 0) == on && (os.cur_lso_max[1] != 0) == on,
              "Offload.TxLSO %s: LSOv2 IPv4 %u, IPv6 %u (both %s expected)", value,
              os.cur_lso_max[0], os.cur_lso_max[1], on ? "on" : "off");
}

VW_SCENARIO("netkvm", netkvm_params_offload_tx_lso_min, NULL)
{
    po_txlso(vm, "0");
}

VW_SCENARIO("netkvm", netkvm_params_offload_tx_lso_max, NULL)
{
    po_txlso(vm, "2");
}
