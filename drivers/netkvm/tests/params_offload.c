/*
 * The offload keywords (network/standardized-inf-keywords-for-tcp-ip-offload:
 * *IPChecksumOffloadIPv4, *TCPChecksumOffloadIPv4/IPv6 and
 * *UDPChecksumOffloadIPv4/IPv6 0 Disabled, 1 Tx, 2 Rx, 3 Rx & Tx; *LsoV2IPv4/IPv6,
 * *RscIPv4/IPv6, *UsoIPv4/IPv6 0 or 1; and the existing driver's masks
 * Offload.TxChecksum / Offload.RxCS 0 and 31 and Offload.TxLSO 0 and 2:
 * drivers/netkvm/README.md), each at every value, seen by effect on a
 * device offering every offload.  The configuration: the default the
 * offload attributes report (the emulation's record: checksum words,
 * LSOv2, RSC, USO per version) has exactly the keyword's offloads off and
 * every other on.  The traffic: a TCP and a UDP packet over each IP
 * version is sent asking for exactly the transmit checksums that are on
 * (the emulation's stack never asks for more: port/ndis/checksum.c) and
 * reaches the wire as the packet with every checksum right; one of each
 * received carries the "succeeded" bit of each receive checksum on and no
 * bit of one off; an LSOv2 (USO: NDIS 6.83 build) send of 4 MSS leaves as
 * 4 segments where it is on; a 10-segment coalesced TCP frame from the
 * device is indicated as one unit of 10 with RSC on, as 10 frames the
 * device segmented with it off (the driver turned GUEST_TSO off).  A valid
 * value logs no finding.
 */
#include "nkoff.h"

/* The offloads, a bit each (PO(x)). */
enum {
    PO_TX4_IP,
    PO_TX4_TCP,
    PO_TX4_UDP,
    PO_TX6_TCP,
    PO_TX6_UDP,
    PO_RX4_IP,
    PO_RX4_TCP,
    PO_RX4_UDP,
    PO_RX6_TCP,
    PO_RX6_UDP,
    PO_LSO4,
    PO_LSO6,
    PO_RSC4,
    PO_RSC6,
    PO_USO4,
    PO_USO6,
    PO_COUNT
};
#define PO(x)      (1u << PO_##x)
#define PO_ALL     ((1u << PO_COUNT) - 1)
#define PO_TX_CSUM (PO(TX4_IP) | PO(TX4_TCP) | PO(TX4_UDP) | PO(TX6_TCP) | PO(TX6_UDP))
#define PO_RX_CSUM (PO(RX4_IP) | PO(RX4_TCP) | PO(RX4_UDP) | PO(RX6_TCP) | PO(RX6_UDP))
#define PO_USO     (PO(USO4) | PO(USO6))

static const char *const po_names[PO_COUNT] = {"IPv4 TX IP checksum",
                                               "IPv4 TX TCP checksum",
                                               "IPv4 TX UDP checksum",
                                               "IPv6 TX TCP checksum",
                                               "IPv6 TX UDP checksum",
                                               "IPv4 RX IP checksum",
                                               "IPv4 RX TCP checksum",
                                               "IPv4 RX UDP checksum",
                                               "IPv6 RX TCP checksum",
                                               "IPv6 RX UDP checksum",
                                               "LSOv2 IPv4",
                                               "LSOv2 IPv6",
                                               "RSC IPv4",
                                               "RSC IPv6",
                                               "USO IPv4",
                                               "USO IPv6"};

/* A keyword: the offloads its transmit (bit 0) and receive (bit 1) halves
 * switch; a keyword with one half is on at any nonzero value. */
struct po_keyword {
    const char *name;
    uint32_t tx, rx;
    bool uso; /* the NDIS 6.83 build, HOST_USO offered */
    const char *values[4];
};

static const struct po_keyword po_keywords[] = {
    {"*IPChecksumOffloadIPv4", PO(TX4_IP), PO(RX4_IP), false, {"0", "1", "2", "3"}},
    {"*TCPChecksumOffloadIPv4", PO(TX4_TCP), PO(RX4_TCP), false, {"0", "1", "2", "3"}},
    {"*TCPChecksumOffloadIPv6", PO(TX6_TCP), PO(RX6_TCP), false, {"0", "1", "2", "3"}},
    {"*UDPChecksumOffloadIPv4", PO(TX4_UDP), PO(RX4_UDP), false, {"0", "1", "2", "3"}},
    {"*UDPChecksumOffloadIPv6", PO(TX6_UDP), PO(RX6_UDP), false, {"0", "1", "2", "3"}},
    {"*LsoV2IPv4", PO(LSO4), 0, false, {"0", "1"}},
    {"*LsoV2IPv6", PO(LSO6), 0, false, {"0", "1"}},
    {"*RscIPv4", PO(RSC4), 0, false, {"0", "1"}},
    {"*RscIPv6", PO(RSC6), 0, false, {"0", "1"}},
    {"*UsoIPv4", PO(USO4), 0, true, {"0", "1"}},
    {"*UsoIPv6", PO(USO6), 0, true, {"0", "1"}},
    {"Offload.TxChecksum", PO_TX_CSUM, 0, false, {"0", "31"}},
    {"Offload.RxCS", 0, PO_RX_CSUM, false, {"0", "31"}},
    {"Offload.TxLSO", PO(LSO4) | PO(LSO6), 0, false, {"0", "2"}},
};

/* The offloads keyword K at VALUE turns off. */
static uint32_t po_off(const struct po_keyword *k, const char *value)
{
    unsigned v = (unsigned)strtoul(value, NULL, 10);
    if (k->tx != 0 && k->rx != 0)
        return (v & 1 ? 0 : k->tx) | (v & 2 ? 0 : k->rx);
    return v != 0 ? 0 : k->tx | k->rx;
}

/* The current offload configuration as PO bits. */
static uint32_t po_current(const struct vw_ndis_offload_stats *os)
{
    static const struct {
        unsigned bit, word, field;
    } f[] = {{PO_TX4_IP, 0, VW_CSUM_FIELD_IP},   {PO_TX4_TCP, 0, VW_CSUM_FIELD_TCP},
             {PO_TX4_UDP, 0, VW_CSUM_FIELD_UDP}, {PO_TX6_TCP, 2, VW_CSUM_FIELD_TCP},
             {PO_TX6_UDP, 2, VW_CSUM_FIELD_UDP}, {PO_RX4_IP, 1, VW_CSUM_FIELD_IP},
             {PO_RX4_TCP, 1, VW_CSUM_FIELD_TCP}, {PO_RX4_UDP, 1, VW_CSUM_FIELD_UDP},
             {PO_RX6_TCP, 3, VW_CSUM_FIELD_TCP}, {PO_RX6_UDP, 3, VW_CSUM_FIELD_UDP}};
    uint32_t on = 0;
    for (unsigned i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        if (VW_CSUM_FIELD(os->cur_csum[f[i].word], f[i].field) != 0)
            on |= 1u << f[i].bit;
    on |= (os->cur_lso_max[0] ? PO(LSO4) : 0) | (os->cur_lso_max[1] ? PO(LSO6) : 0);
    on |= (os->cur_rsc[0] ? PO(RSC4) : 0) | (os->cur_rsc[1] ? PO(RSC6) : 0);
    on |= (os->cur_uso_max[0] ? PO(USO4) : 0) | (os->cur_uso_max[1] ? PO(USO6) : 0);
    return on;
}

/* One IPV/PROTO packet sent asking for the transmit checksums ON has (the
 * rest the stack filled in): on the wire, the packet with every checksum
 * right, byte for byte. */
static void po_tx_csum(struct vm *vm, struct nk_rig *r, uint32_t on, int ipv, uint8_t proto)
{
    static uint8_t right[1514], sent[1514];
    unsigned bit =
        ipv == 4 ? (proto == 6 ? PO_TX4_TCP : PO_TX4_UDP) : (proto == 6 ? PO_TX6_TCP : PO_TX6_UDP);
    bool l4 = on >> bit & 1, ip = ipv == 4 && (on & PO(TX4_IP));
    unsigned len = ndis_frame_build(right, ipv, proto, 300, 5000, nk_peer, nk_mac, false);
    struct ndis_frame p;
    if (!ndis_frame_parse(right, len, &p))
        return;
    memcpy(sent, right, len);
    struct vw_ndis_tx_info info = {0};
    if (l4 || ip)
        info.csum = ipv == 4 ? VW_CSUM_TX_IS_IPV4 : VW_CSUM_TX_IS_IPV6;
    if (l4) { /* the stack leaves the field for the miniport */
        info.csum |= proto == 6 ? VW_CSUM_TX_TCP | (uint32_t)p.l4 << 16 : VW_CSUM_TX_UDP;
        memset(sent + p.l4 + (proto == 6 ? 16 : 6), 0, 2);
    }
    if (ip) {
        info.csum |= VW_CSUM_TX_IP;
        memset(sent + p.l3 + 10, 0, 2);
    }
    const uint8_t *frames[1] = {sent};
    struct nk_mark m = nk_mark(vm);
    if (!vw_ndis_send_info(vm, frames, &len, &info, 1))
        return;
    VW_EXPECT(vm, nk_wait_completed_since(vm, m, 1) == 1, "IPv%d/%u send not completed", ipv,
              proto);
    struct vmodel_net_frame w;
    bool got = vmodel_net_wire_take(r->net->model, &w);
    VW_EXPECT(vm, got && w.len == len && memcmp(w.data, right, len) == 0,
              "IPv%d/%u sent asking 0x%08x: the wire has %s", ipv, proto, info.csum,
              got ? "another frame (a checksum not right)" : "nothing");
}

/* One right IPV/PROTO packet received: the succeeded bits of the receive
 * checksums on, no bit of one off. */
static void po_rx_csum(struct vm *vm, struct nk_rig *r, uint32_t on, int ipv, uint8_t proto)
{
    static uint8_t f[1514];
    unsigned len = ndis_frame_build(f, ipv, proto, 300, 6000, nk_mac, nk_peer, false);
    unsigned bit =
        ipv == 4 ? (proto == 6 ? PO_RX4_TCP : PO_RX4_UDP) : (proto == 6 ? PO_RX6_TCP : PO_RX6_UDP);
    uint32_t ok = proto == 6 ? VW_CSUM_RX_TCP_SUCCEEDED : VW_CSUM_RX_UDP_SUCCEEDED;
    uint32_t any = ok | (proto == 6 ? VW_CSUM_RX_TCP_FAILED : VW_CSUM_RX_UDP_FAILED);
    uint32_t ip_any = VW_CSUM_RX_IP_SUCCEEDED | VW_CSUM_RX_IP_FAILED;
    struct nk_mark m = nk_mark(vm);
    vmodel_net_wire_inject(r->net->model, f, len, NULL);
    VW_EXPECT(vm, nk_wait_indicated_since(vm, m, 1) == 1, "IPv%d/%u frame not indicated", ipv,
              proto);
    struct vw_ndis_offload_stats os;
    vw_ndis_offload_stats(vm, &os);
    uint32_t v = os.last_rx_csum;
    bool l4_on = on >> bit & 1, ip_on = ipv == 4 && (on & PO(RX4_IP));
    VW_EXPECT(vm, l4_on ? (v & any) == ok : (v & any) == 0,
              "IPv%d/%u received with %s %s: checksum information 0x%08x", ipv, proto,
              po_names[bit], l4_on ? "on" : "off", v);
    VW_EXPECT(vm, ipv == 6 || (ip_on ? (v & ip_any) == VW_CSUM_RX_IP_SUCCEEDED : !(v & ip_any)),
              "IPv4/%u received with its IP checksum %s: checksum information 0x%08x", proto,
              ip_on ? "on" : "off", v);
    vw_ndis_return_all(vm);
}

/* An LSOv2 (USO: UDP) send over IPV of 4 MSS: 4 segments on the wire. */
static void po_large_send(struct vm *vm, struct nk_rig *r, int ipv, bool uso)
{
    static uint8_t f[8000];
    unsigned l4h = uso ? 8 : 20, hl = 14 + (ipv == 4 ? 20 : 40) + l4h;
    unsigned mss = 1500 - (ipv == 4 ? 20 : 40) - l4h;
    unsigned len = ndis_frame_build(f, ipv, uso ? 17 : 6, 4 * mss, 7100, nk_peer, nk_mac, true);
    struct vw_ndis_tx_info info = {0};
    uint32_t v = mss | (hl - l4h) << 20 | (ipv == 6 ? 1u << 31 : 0);
    if (uso)
        info.uso = v;
    else
        info.lso = v | VW_LSO_V2_TYPE << 30;
    if (!nk_send_one_done(vm, f, len, &info, "the large send"))
        return;
    struct vmodel_net_frame w;
    unsigned n = 0;
    while (!vm->failed && vmodel_net_wire_take(r->net->model, &w)) {
        struct ndis_frame p;
        VW_EXPECT(vm,
                  w.len == hl + mss && ndis_frame_parse(w.data, w.len, &p) &&
                      ndis_frame_l4_csum_ok(w.data, &p) &&
                      memcmp(w.data + hl, f + hl + n * mss, mss) == 0,
                  "%s IPv%d segment %u (%u bytes) is not the next MSS", uso ? "USO" : "LSOv2", ipv,
                  n, w.len);
        n++;
    }
    VW_EXPECT(vm, n == 4, "%s IPv%d: %u segments of 4", uso ? "USO" : "LSOv2", ipv, n);
}

/* A 10-segment coalesced TCP frame over IPV from the device: one unit of 10
 * with RSC on; 10 frames (the device segmented it) with it off. */
static void po_rsc(struct vm *vm, struct nk_rig *r, uint32_t on, int ipv)
{
    static uint8_t f[16000];
    unsigned mss = ipv == 4 ? 1460 : 1440;
    unsigned len = ndis_frame_build(f, ipv, 6, 10 * mss, 4100, nk_mac, nk_peer, false);
    struct vmodel_net_rx_opts c = {.queue = -1,
                                   .gso_type = ipv == 4 ? VIRTIO_NET_HDR_GSO_TCPV4
                                                        : VIRTIO_NET_HDR_GSO_TCPV6,
                                   .gso_size = (uint16_t)mss,
                                   .segments = 10};
    bool rsc = on & (ipv == 4 ? PO(RSC4) : PO(RSC6));
    struct vw_ndis_offload_stats a, b;
    vw_ndis_offload_stats(vm, &a);
    struct nk_mark m = nk_mark(vm);
    vmodel_net_wire_inject(r->net->model, f, len, &c);
    unsigned n = nk_wait_indicated_since(vm, m, rsc ? 1 : 10);
    vw_ndis_offload_stats(vm, &b);
    VW_EXPECT(vm,
              rsc ? n == 1 && b.rx_coalesced == a.rx_coalesced + 1 &&
                        b.rx_segments == a.rx_segments + 10
                  : n == 10 && b.rx_coalesced == a.rx_coalesced,
              "RSC IPv%d %s: %u indicated, %u coalesced of %u segments", ipv, rsc ? "on" : "off", n,
              b.rx_coalesced - a.rx_coalesced, b.rx_segments - a.rx_segments);
    vw_ndis_return_all(vm);
}

/* The offloads ON implies off with keyword K's OFF: LSOv2 of a version
 * whose TCP transmit checksum is off (network/combining-types-of-task-offloads:
 * an LSOv2-capable adapter must support TCP and IP checksum transmit
 * offload). */
static uint32_t po_implied(uint32_t off)
{
    return (off & PO(TX4_TCP) ? PO(LSO4) : 0) | (off & PO(TX6_TCP) ? PO(LSO6) : 0);
}

/* Keyword K at VALUE on the adapter R runs (InitializeEx read it): the
 * configuration, then the traffic. */
static void po_value(struct vm *vm, struct nk_rig *r, const struct po_keyword *k, const char *value)
{
    struct vw_ndis_offload_stats os;
    vw_ndis_offload_stats(vm, &os);
    uint32_t off = po_off(k, value) | (k->uso ? 0 : PO_USO);
    uint32_t on = po_current(&os), want = PO_ALL & ~(off | po_implied(off));
    vw_log(vm, "netkvm %s %s: offloads on 0x%04x, 0x%04x expected", k->name, value, on, want);
    for (unsigned b = 0; b < PO_COUNT; b++)
        VW_EXPECT(vm, (on >> b & 1) == (want >> b & 1), "%s %s: %s %s, %s expected", k->name, value,
                  po_names[b], on >> b & 1 ? "on" : "off", want >> b & 1 ? "on" : "off");
    char finding[96];
    snprintf(finding, sizeof(finding), "%s: '%s'", k->name, value);
    VW_EXPECT(vm, vm->log == NULL || strstr(vm->log, finding) == NULL,
              "the valid %s %s was logged as a finding", k->name, value);
    for (int ipv = 4; ipv <= 6 && !vm->failed; ipv += 2)
        for (uint8_t proto = 6; proto <= 17 && !vm->failed; proto += 11) {
            po_tx_csum(vm, r, on, ipv, proto);
            po_rx_csum(vm, r, on, ipv, proto);
        }
    for (int ipv = 4; ipv <= 6 && !vm->failed; ipv += 2) {
        if (on & (ipv == 4 ? PO(LSO4) : PO(LSO6)))
            po_large_send(vm, r, ipv, false);
        if (on & (ipv == 4 ? PO(USO4) : PO(USO6)))
            po_large_send(vm, r, ipv, true);
        po_rsc(vm, r, on, ipv);
    }
    const struct vmodel_net_stats *ms = vmodel_net_stats(r->net->model);
    VW_EXPECT(vm, ms->rule_errors == 0, "model: %s", ms->last_rule);
}

/* Keyword I of po_keywords at each of its values: netkvm up with the
 * first, then halted, the keyword changed and initialized again for each
 * next one (as a property change in the adapter's advanced tab does). */
static void po_run(struct vm *vm, unsigned i, bool plant)
{
    const struct po_keyword *k = &po_keywords[i];
    if (plant)
        vw_ndis_plant_keyword_lost(vm, k->name);
    const char *const kw[] = {k->name, k->values[0], NULL};
    uint64_t extra = 1ull << VIRTIO_NET_F_RSC_EXT | (k->uso ? 1ull << VIRTIO_NET_F_HOST_USO : 0);
    struct nk_rig r;
    if (!nkoff_up_image(vm, &r, k->uso ? "netkvm683" : NULL, extra, 0, 0, kw))
        return;
    po_value(vm, &r, k, k->values[0]);
    for (unsigned v = 1; v < 4 && k->values[v] != NULL && !vm->failed; v++) {
        if (!vw_ndis_pause(vm) || !vw_ndis_halt(vm))
            return;
        vw_ndis_keyword(vm, k->name, k->values[v]);
        if (!vw_ndis_initialize(vm) || !vw_ndis_restart(vm))
            return;
        po_value(vm, &r, k, k->values[v]);
    }
    nk_down(vm, &r);
}

#define PO_SCENARIO(name, i)                                                                       \
    VW_SCENARIO("netkvm", netkvm_params_offload_##name, NULL)                                      \
    {                                                                                              \
        po_run(vm, i, false);                                                                      \
    }
#define PO_SCENARIO_683(name, i)                                                                   \
    VW_SCENARIO_ON("netkvm", netkvm683_params_offload_##name, NULL,                                \
                   VW_ARCH_BIT(VW_AMD64) | VW_ARCH_BIT(VW_ARM64))                                  \
    {                                                                                              \
        po_run(vm, i, false);                                                                      \
    }

PO_SCENARIO(ip_checksum_ipv4, 0)
PO_SCENARIO(tcp_checksum_ipv4, 1)
PO_SCENARIO(tcp_checksum_ipv6, 2)
PO_SCENARIO(udp_checksum_ipv4, 3)
PO_SCENARIO(udp_checksum_ipv6, 4)
PO_SCENARIO(lsov2_ipv4, 5)
PO_SCENARIO(lsov2_ipv6, 6)
PO_SCENARIO(rsc_ipv4, 7)
PO_SCENARIO(rsc_ipv6, 8)
PO_SCENARIO_683(uso_ipv4, 9)
PO_SCENARIO_683(uso_ipv6, 10)
PO_SCENARIO(legacy_tx_checksum, 11)
PO_SCENARIO(legacy_rx_checksum, 12)
PO_SCENARIO(legacy_tx_lso, 13)

/* Planted: *TCPChecksumOffloadIPv4 set but never delivered (NdisReadConfiguration
 * answers it not present): the offload stays on and the scenario above must fail. */
VW_SCENARIO("netkvm", netkvm_params_offload_tcp_checksum_ipv4_planted_not_delivered,
            "*TCPChecksumOffloadIPv4 0: IPv4 TX TCP checksum on, off expected")
{
    po_run(vm, 1, true);
}
