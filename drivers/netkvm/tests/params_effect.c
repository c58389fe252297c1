/*
 * NetKVM's advanced properties (the adapter's registry keywords, set
 * before InitializeEx) seen by what they change, not by the driver's word:
 * RxCapacity 16 posts 16 receive buffers on a ring of 64 (40 frames
 * arriving while the receive queue's used entries are held: 24 wait at the
 * device), TxCapacity 16 keeps at most 16 sends at the device (32 sent
 * while the transmit queue is held: 16 on the wire, the rest after, in
 * order), *NumRssQueues 2 runs 2 of 4 pairs (the device's VQ_PAIRS_SET and
 * the RSS capabilities' receive queues), MinRxBufferPercent 100 makes 9
 * held of 64 a shortage OID_GEN_RCV_NO_BUFFER counts (0: none), and the
 * checksum, LSOv2 and RSC
 * keywords at 0 take those offloads out of the default configuration the
 * offload attributes report.  A value out of range or not in the INF's
 * enumeration (RxCapacity 20, *NumRssQueues 129, *TCPChecksumOffloadIPv4
 * 7, MinRxBufferPercent 101) is the default, with a log line naming it (drivers/netkvm/README.md:
 * "Name: 'value' ...").
 */
#include "nkoff.h"

#define PE_RING  64
#define PE_FLOOD 40
#define PE_LEN   100
#define PE_HOLD  2000 /* 200 us */

/* 40 frames arrive while the receive queue's used entries are held: how
 * many wait at the device for a buffer; then all are indicated intact. */
static unsigned pe_rx_waiting(struct vm *vm, struct nk_rig *r)
{
    uint8_t f[PE_LEN];
    struct nk_mark m = nk_mark(vm);
    vw_virtio_hang_queue(r->net->dev, 0, PE_HOLD);
    for (unsigned k = 0; k < PE_FLOOD && !vm->failed; k++) {
        nk_frame(f, PE_LEN, nk_mac, nk_peer, k);
        vmodel_net_wire_inject(r->net->model, f, PE_LEN, NULL);
    }
    vw_run_for(vm, PE_HOLD / 2);
    unsigned waiting = vmodel_net_rx_waiting(r->net->model, -1);
    unsigned n = 0;
    for (unsigned round = 0; round < 8 && n < PE_FLOOD && !vm->failed; round++) {
        n = nk_wait_indicated_since(vm, m, PE_FLOOD);
        vw_ndis_return_all(vm);
    }
    VW_EXPECT(vm, n == PE_FLOOD, "%u of %u frames indicated", n, PE_FLOOD);
    nk_expect_received(vm, m.indicated, PE_LEN, 0, n, "the flood");
    return waiting;
}

/* RxCapacity VALUE on a ring of 64: WANT frames of 40 wait at the device
 * (LOST: the emulation's planted bug, the keyword never delivered). */
static void pe_rx_capacity(struct vm *vm, const char *value, unsigned want, const char *logged,
                           bool lost)
{
    const char *const kw[] = {"RxCapacity", value, NULL};
    struct nk_rig r;
    if (lost)
        vw_ndis_plant_keyword_lost(vm, "RxCapacity");
    struct nk_opts o = {.mrg_rxbuf = true, .shape = {.queue_max = PE_RING}, .keywords = kw};
    if (!nk_up(vm, &r, &o))
        return;
    unsigned waiting = pe_rx_waiting(vm, &r);
    vw_log(vm, "netkvm RxCapacity %s: %u of %u frames waited for a buffer", value, waiting,
           PE_FLOOD);
    VW_EXPECT(vm, waiting == want, "RxCapacity %s: %u frames waited at the device, %u expected",
              value, waiting, want);
    VW_EXPECT(vm, logged == NULL || nk_logged(vm, logged), "no log line '%s'", logged);
    nk_down(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_params_rx_capacity_16, NULL)
{
    pe_rx_capacity(vm, "16", PE_FLOOD - 16, NULL, false);
}

/* Planted: RxCapacity 16 set but never delivered (NdisReadConfiguration
 * answers it not present): the driver's default posts the whole ring, none
 * wait, and the scenario above must fail. */
VW_SCENARIO("netkvm", netkvm_params_rx_capacity_16_planted_not_delivered,
            "RxCapacity 16: 0 frames waited at the device, 24 expected")
{
    pe_rx_capacity(vm, "16", PE_FLOOD - 16, NULL, true);
}

/* RxCapacity 32 (the next power of two): 8 of 40 wait. */
VW_SCENARIO("netkvm", netkvm_params_rx_capacity_32, NULL)
{
    pe_rx_capacity(vm, "32", PE_FLOOD - 32, NULL, false);
}

/* RxCapacity 4096 (the maximum) on a ring of 64: held within the ring, none wait. */
VW_SCENARIO("netkvm", netkvm_params_rx_capacity_max_within_ring, NULL)
{
    pe_rx_capacity(vm, "4096", 0, NULL, false);
}

/* 20 is not in the enumeration: the default (1024, held within the ring). */
VW_SCENARIO("netkvm", netkvm_params_rx_capacity_invalid_default, NULL)
{
    pe_rx_capacity(vm, "20", 0, "RxCapacity: '20'", false);
}

/* TxCapacity VALUE: 32 sends while the transmit queue's used entries are
 * held; WANT of them at the device (on the wire) meanwhile, all 32 after. */
static void pe_tx_capacity(struct vm *vm, const char *value, unsigned want)
{
    const char *const kw[] = {"TxCapacity", value, NULL};
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .shape = {.queue_max = PE_RING}, .keywords = kw};
    if (!nk_up(vm, &r, &o))
        return;
    static uint8_t buf[2 * NK_SEND_MAX * PE_LEN];
    struct nk_mark m = nk_mark(vm);
    vw_virtio_hang_queue(r.net->dev, 1, PE_HOLD);
    nk_send_frames(vm, buf, PE_LEN, 0, NK_SEND_MAX);
    nk_send_frames(vm, buf + NK_SEND_MAX * PE_LEN, PE_LEN, NK_SEND_MAX, NK_SEND_MAX);
    vw_run_for(vm, PE_HOLD / 4);
    unsigned early = (unsigned)vmodel_net_stats(r.net->model)->tx_frames;
    vw_log(vm, "netkvm TxCapacity %s: %u of %u sends at the device while it holds them", value,
           early, 2 * NK_SEND_MAX);
    VW_EXPECT(vm, early == want, "TxCapacity %s: %u sends at the device, %u expected", value, early,
              want);
    VW_EXPECT(vm, nk_wait_completed_since(vm, m, 2 * NK_SEND_MAX) == 2 * NK_SEND_MAX,
              "not every send completed");
    nk_expect_wire(vm, &r, PE_LEN, 0, 2 * NK_SEND_MAX);
    nk_down(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_params_tx_capacity_16, NULL)
{
    pe_tx_capacity(vm, "16", 16);
}

VW_SCENARIO("netkvm", netkvm_params_tx_capacity_default, NULL)
{
    pe_tx_capacity(vm, "1024", 2 * NK_SEND_MAX);
}

/* TxCapacity 17 (not a power of two): the default, every send at the
 * device, and the value logged. */
VW_SCENARIO("netkvm", netkvm_params_tx_capacity_invalid_default, NULL)
{
    pe_tx_capacity(vm, "17", 2 * NK_SEND_MAX);
    VW_EXPECT(vm, nk_logged(vm, "TxCapacity: '17'"), "no log line naming TxCapacity '17'");
}

/* *NumRssQueues VALUE with 4 pairs offered on 4 CPUs: WANT pairs run. */
static void pe_rss_queues(struct vm *vm, const char *value, unsigned want, const char *logged)
{
    const char *const kw[] = {"*NumRssQueues", value, NULL};
    struct nk_rig r;
    struct nk_opts o = {
        .mrg_rxbuf = true, .pairs = 4, .cpus = 4, .shape = {.queue_max = PE_RING}, .keywords = kw};
    if (!nk_up(vm, &r, &o))
        return;
    const struct vmodel_net_state *ms = vmodel_net_state(r.net->model);
    struct vw_ndis_offload_stats os;
    vw_ndis_offload_stats(vm, &os);
    vw_log(vm, "netkvm *NumRssQueues %s: %u pairs at the device, %u RSS receive queues", value,
           ms->pairs, os.rss_queues);
    VW_EXPECT(vm, ms->pairs == want && os.rss_caps && os.rss_queues == want,
              "*NumRssQueues %s: %u pairs, %u RSS queues (caps %d), %u expected", value, ms->pairs,
              os.rss_queues, os.rss_caps, want);
    VW_EXPECT(vm, logged == NULL || nk_logged(vm, logged), "no log line '%s'", logged);
    nk_down(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_params_num_rss_queues_2, NULL)
{
    pe_rss_queues(vm, "2", 2, NULL);
}

/* The minimum: one pair of the 4. */
VW_SCENARIO("netkvm", netkvm_params_num_rss_queues_1, NULL)
{
    pe_rss_queues(vm, "1", 1, NULL);
}

VW_SCENARIO("netkvm", netkvm_params_num_rss_queues_invalid_default, NULL)
{
    pe_rss_queues(vm, "129", 4, "*NumRssQueues: '129'");
}

#define PE_TCP(w) ((w) >> 4 & 3) /* TcpChecksum in a checksum word */
#define PE_UDP(w) ((w) >> 6 & 3)

/* The offload keywords KW on a device offering every offload; the default
 * configuration the offload attributes reported. */
static bool pe_offloads(struct vm *vm, const char *const *kw, struct vw_ndis_offload_stats *os)
{
    struct nk_rig r;
    if (!nkoff_up(vm, &r, 0, 0, 0, kw))
        return false;
    vw_ndis_offload_stats(vm, os);
    vw_log(vm, "netkvm offloads: checksums 0x%03x 0x%03x 0x%03x 0x%03x, LSOv2 %u %u, RSC %d %d",
           os->cur_csum[0], os->cur_csum[1], os->cur_csum[2], os->cur_csum[3], os->cur_lso_max[0],
           os->cur_lso_max[1], os->cur_rsc[0], os->cur_rsc[1]);
    nk_down(vm, &r);
    return !vm->failed;
}

/* Every offload keyword at its default: TCP/UDP checksums both ways, LSOv2
 * and RSC for both versions in the default configuration. */
VW_SCENARIO("netkvm", netkvm_params_offloads_default_on, NULL)
{
    struct vw_ndis_offload_stats os;
    if (!pe_offloads(vm, NULL, &os))
        return;
    for (unsigned i = 0; i < 4; i++)
        VW_EXPECT(vm, PE_TCP(os.cur_csum[i]) != 0 && PE_UDP(os.cur_csum[i]) != 0,
                  "checksum word %u: 0x%03x without TCP or UDP", i, os.cur_csum[i]);
    VW_EXPECT(vm,
              os.cur_lso_max[0] != 0 && os.cur_lso_max[1] != 0 && os.cur_rsc[0] && os.cur_rsc[1],
              "LSOv2 %u/%u, RSC %d/%d by default", os.cur_lso_max[0], os.cur_lso_max[1],
              os.cur_rsc[0], os.cur_rsc[1]);
}

/* The standardized keywords at 0 (Disabled): those offloads are not in the
 * default configuration; the others stay. */
VW_SCENARIO("netkvm", netkvm_params_offloads_keywords_off, NULL)
{
    static const char *const kw[] = {"*TCPChecksumOffloadIPv4",
                                     "0",
                                     "*UDPChecksumOffloadIPv6",
                                     "0",
                                     "*LsoV2IPv4",
                                     "0",
                                     "*RscIPv6",
                                     "0",
                                     NULL};
    struct vw_ndis_offload_stats os;
    if (!pe_offloads(vm, kw, &os))
        return;
    VW_EXPECT(vm, PE_TCP(os.cur_csum[0]) == 0 && PE_TCP(os.cur_csum[1]) == 0,
              "*TCPChecksumOffloadIPv4 0: IPv4 TCP checksums 0x%03x 0x%03x", os.cur_csum[0],
              os.cur_csum[1]);
    VW_EXPECT(vm, PE_UDP(os.cur_csum[2]) == 0 && PE_UDP(os.cur_csum[3]) == 0,
              "*UDPChecksumOffloadIPv6 0: IPv6 UDP checksums 0x%03x 0x%03x", os.cur_csum[2],
              os.cur_csum[3]);
    VW_EXPECT(vm, PE_UDP(os.cur_csum[0]) != 0 && PE_TCP(os.cur_csum[2]) != 0,
              "the other checksums went too: 0x%03x 0x%03x", os.cur_csum[0], os.cur_csum[2]);
    VW_EXPECT(vm, os.cur_lso_max[0] == 0 && os.cur_lso_max[1] != 0,
              "*LsoV2IPv4 0: LSOv2 IPv4 %u, IPv6 %u", os.cur_lso_max[0], os.cur_lso_max[1]);
    VW_EXPECT(vm, os.cur_rsc[0] && !os.cur_rsc[1], "*RscIPv6 0: RSC IPv4 %d, IPv6 %d",
              os.cur_rsc[0], os.cur_rsc[1]);
}

/* 7 is not a value of the checksum enumeration (0..3): the default (Rx & Tx). */
VW_SCENARIO("netkvm", netkvm_params_offload_invalid_default, NULL)
{
    static const char *const kw[] = {"*TCPChecksumOffloadIPv4", "7", NULL};
    struct vw_ndis_offload_stats os;
    if (!pe_offloads(vm, kw, &os))
        return;
    VW_EXPECT(vm, PE_TCP(os.cur_csum[0]) != 0 && PE_TCP(os.cur_csum[1]) != 0,
              "*TCPChecksumOffloadIPv4 7: IPv4 TCP checksums 0x%03x 0x%03x", os.cur_csum[0],
              os.cur_csum[1]);
    VW_EXPECT(vm, nk_logged(vm, "*TCPChecksumOffloadIPv4: '7'"),
              "no log line naming *TCPChecksumOffloadIPv4 '7'");
}

/* MinRxBufferPercent VALUE on a ring of 64: 8 frames indicated and held by
 * the protocol, then one more arrives; OID_GEN_RCV_NO_BUFFER counts a
 * shortage exactly when fewer than VALUE % of the buffers are posted
 * (drivers/netkvm/README.md: fewer posted than MinRxBufferPercent with
 * none to post is a shortage, counted and logged). */
static void pe_min_rx(struct vm *vm, const char *value, bool shortage, const char *logged)
{
    const char *const kw[] = {"MinRxBufferPercent", value, NULL};
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .shape = {.queue_max = PE_RING}, .keywords = kw};
    if (!nk_up(vm, &r, &o))
        return;
    struct nk_mark m = nk_mark(vm);
    nk_inject_frames(vm, &r, PE_LEN, 0, 8);
    VW_EXPECT(vm, nk_wait_indicated_since(vm, m, 8) == 8, "8 frames not indicated");
    nk_inject_frames(vm, &r, PE_LEN, 8, 1);
    VW_EXPECT(vm, nk_wait_indicated_since(vm, m, 9) == 9, "the ninth frame not indicated");
    uint64_t no_buffer = 0;
    uint32_t status = 1, done = 0;
    VW_EXPECT(vm,
              vw_ndis_oid(vm, false, VW_OID_GEN_RCV_NO_BUFFER, &no_buffer, 8, &status, &done) &&
                  status == 0,
              "OID_GEN_RCV_NO_BUFFER: 0x%08x", status);
    vw_log(vm, "netkvm MinRxBufferPercent %s: RCV_NO_BUFFER %llu with 9 of 64 held", value,
           (unsigned long long)no_buffer);
    VW_EXPECT(vm, (no_buffer != 0) == shortage,
              "MinRxBufferPercent %s: RCV_NO_BUFFER %llu with 9 of 64 buffers held", value,
              (unsigned long long)no_buffer);
    VW_EXPECT(vm, logged == NULL || nk_logged(vm, logged), "no log line '%s'", logged);
    vw_ndis_return_all(vm);
    nk_down(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_params_min_rx_buffer_percent_100, NULL)
{
    pe_min_rx(vm, "100", true, NULL);
}

VW_SCENARIO("netkvm", netkvm_params_min_rx_buffer_percent_default, NULL)
{
    pe_min_rx(vm, "0", false, NULL);
}

/* 101 is out of range (0..100): the default, 0, and a log line. */
VW_SCENARIO("netkvm", netkvm_params_min_rx_buffer_percent_invalid_default, NULL)
{
    pe_min_rx(vm, "101", false, "MinRxBufferPercent: '101'");
}

/* The NDIS 6.83 build with HOST_USO offered: USO for both versions in the
 * default configuration, and *UsoIPv6 0 takes IPv6's out, IPv4's stays. */
static void pe_uso(struct vm *vm, const char *const *kw, bool v6)
{
    struct nk_rig r;
    if (!nkoff_up_image(vm, &r, "netkvm683", 1ull << VIRTIO_NET_F_HOST_USO, 0, 0, kw))
        return;
    struct vw_ndis_offload_stats os;
    vw_ndis_offload_stats(vm, &os);
    vw_log(vm, "netkvm683 USO: IPv4 %u, IPv6 %u", os.cur_uso_max[0], os.cur_uso_max[1]);
    VW_EXPECT(vm, os.cur_uso_max[0] != 0 && (os.cur_uso_max[1] != 0) == v6,
              "USO IPv4 %u, IPv6 %u (IPv6 expected %s)", os.cur_uso_max[0], os.cur_uso_max[1],
              v6 ? "on" : "off");
    nk_down(vm, &r);
}

VW_SCENARIO_ON("netkvm", netkvm683_params_uso_default_on, NULL,
               VW_ARCH_BIT(VW_AMD64) | VW_ARCH_BIT(VW_ARM64))
{
    pe_uso(vm, NULL, true);
}

VW_SCENARIO_ON("netkvm", netkvm683_params_uso_ipv6_off, NULL,
               VW_ARCH_BIT(VW_AMD64) | VW_ARCH_BIT(VW_ARM64))
{
    static const char *const kw[] = {"*UsoIPv6", "0", NULL};
    pe_uso(vm, kw, false);
}
