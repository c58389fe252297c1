/*
 * NetKVM's control plane on the in-process net model, asserted against the
 * virtio spec 1.2 (5.1.6.5 control virtqueue) and Microsoft's NDIS pages:
 * the NDIS packet filter (network/oid-gen-current-packet-filter) becomes
 * VIRTIO_NET_CTRL_RX modes that the device then applies to the frames it
 * delivers; OID_802_3_MULTICAST_LIST (network/oid-802-3-multicast-list)
 * becomes the multicast half of VIRTIO_NET_CTRL_MAC_TABLE_SET; the
 * statistics (network/oid-gen-statistics, ntddndis/ns-ntddndis-_ndis_statistics_info)
 * count known traffic by class, frames and bytes; a device without
 * VIRTIO_NET_F_CTRL_VQ still carries frames.
 */
#include "layout.h"
#include "nk_harness.h"

#define CT_LEN 100

static const uint8_t ct_bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t ct_other[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0c}; /* not ours */
static const uint8_t ct_group[3][6] = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01},
                                       {0x33, 0x33, 0x00, 0x00, 0x00, 0x01},
                                       {0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e}};
static const uint8_t ct_unlisted[6] = {0x01, 0x00, 0x5e, 0x7f, 0x00, 0x09};

/* An OID set of a 32-bit value; its NDIS_STATUS. */
static uint32_t ct_set32(struct vm *vm, uint32_t oid, uint32_t v)
{
    uint32_t status = 1, done = 0;
    vw_ndis_oid(vm, true, oid, &v, 4, &status, &done);
    return status;
}

/* Injects one CT_LEN-byte frame to DST (frame K); whether the device took it. */
static bool ct_inject(struct nk_rig *r, const uint8_t *dst, unsigned k)
{
    uint8_t f[CT_LEN];
    nk_frame(f, CT_LEN, dst, nk_peer, k);
    return vmodel_net_wire_inject(r->net->model, f, CT_LEN, NULL) >= 0;
}

/* Offers one frame to each destination in DSTS; the indications that follow
 * must be exactly those whose bit is set in WANT, in order. */
static void ct_expect_delivery(struct vm *vm, struct nk_rig *r, const uint8_t (*dsts)[6],
                               unsigned n, unsigned want, const char *what)
{
    struct nk_mark m = nk_mark(vm);
    unsigned base = m.indicated, expect = 0;
    for (unsigned i = 0; i < n; i++) {
        bool took = ct_inject(r, dsts[i], base + i);
        VW_EXPECT(vm, took == (want >> i & 1), "%s: destination %u %s by the device", what, i,
                  took ? "accepted" : "filtered");
        expect += want >> i & 1;
    }
    nk_wait_indicated_since(vm, m, expect);
    /* Give a frame that should not come a chance to */
    vw_run_for(vm, 500);
    unsigned got = nk_mark(vm).indicated - base;
    VW_EXPECT(vm, got == expect, "%s: %u frames indicated, %u expected", what, got, expect);
    uint8_t buf[CT_LEN];
    for (unsigned i = 0, j = 0; i < n && !vm->failed; i++) {
        if (!(want >> i & 1))
            continue;
        unsigned len = vw_ndis_received(vm, base + j++, buf, sizeof(buf));
        VW_EXPECT(vm, len == CT_LEN && memcmp(buf, dsts[i], 6) == 0,
                  "%s: indication %u is not the frame to destination %u", what, j - 1, i);
    }
    vw_ndis_return_all(vm);
}

/* Sets the NDIS packet filter; the set must succeed. */
static void ct_filter(struct vm *vm, uint32_t filter)
{
    uint32_t status = ct_set32(vm, VW_OID_GEN_CURRENT_PACKET_FILTER, filter);
    VW_EXPECT(vm, status == 0, "OID_GEN_CURRENT_PACKET_FILTER 0x%x: status 0x%08x", filter, status);
}

/* Packet filter -> VIRTIO_NET_CTRL_RX (5.1.6.5.1, CTRL_RX and CTRL_RX_EXTRA
 * offered): promiscuous receives everything, all-multicast every group,
 * no BROADCAST bit means NOBCAST, and the device filters accordingly. */
VW_SCENARIO("netkvm", netkvm_packet_filter_ctrl_rx, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .add = 1ull << VIRTIO_NET_F_CTRL_RX_EXTRA};
    if (!nk_up(vm, &r, &o))
        return;
    const uint8_t dsts[4][6] = {
        {nk_mac[0], nk_mac[1], nk_mac[2], nk_mac[3], nk_mac[4], nk_mac[5]},
        {ct_bcast[0], ct_bcast[1], ct_bcast[2], ct_bcast[3], ct_bcast[4], ct_bcast[5]},
        {ct_unlisted[0], ct_unlisted[1], ct_unlisted[2], ct_unlisted[3], ct_unlisted[4],
         ct_unlisted[5]},
        {ct_other[0], ct_other[1], ct_other[2], ct_other[3], ct_other[4], ct_other[5]}};
    const struct vmodel_net_state *ms = vmodel_net_state(r.net->model);
    const struct vmodel_net_stats *mst = vmodel_net_stats(r.net->model);

    ct_filter(vm, VW_NDIS_PACKET_TYPE_DIRECTED | VW_NDIS_PACKET_TYPE_BROADCAST);
    VW_EXPECT(vm, !ms->promisc && !ms->allmulti && !ms->nobcast && !ms->nouni,
              "directed+broadcast: promisc %d allmulti %d nobcast %d nouni %d", ms->promisc,
              ms->allmulti, ms->nobcast, ms->nouni);
    ct_expect_delivery(vm, &r, dsts, 4, 0x3, "directed+broadcast");

    ct_filter(vm, VW_NDIS_PACKET_TYPE_DIRECTED | VW_NDIS_PACKET_TYPE_BROADCAST |
                      VW_NDIS_PACKET_TYPE_ALL_MULTICAST);
    VW_EXPECT(vm, ms->allmulti && !ms->promisc, "all-multicast: allmulti %d promisc %d",
              ms->allmulti, ms->promisc);
    ct_expect_delivery(vm, &r, dsts, 4, 0x7, "all-multicast");

    ct_filter(vm, VW_NDIS_PACKET_TYPE_DIRECTED | VW_NDIS_PACKET_TYPE_BROADCAST |
                      VW_NDIS_PACKET_TYPE_PROMISCUOUS);
    VW_EXPECT(vm, ms->promisc, "promiscuous: the device's PROMISC is off");
    ct_expect_delivery(vm, &r, dsts, 4, 0xf, "promiscuous");

    ct_filter(vm, VW_NDIS_PACKET_TYPE_DIRECTED);
    VW_EXPECT(vm, !ms->promisc && !ms->allmulti && ms->nobcast,
              "directed only: promisc %d allmulti %d nobcast %d", ms->promisc, ms->allmulti,
              ms->nobcast);
    ct_expect_delivery(vm, &r, dsts, 4, 0x1, "directed only");
    VW_EXPECT(vm, mst->ctrl_err == 0 && mst->rule_errors == 0,
              "model: %llu control commands refused, %s", (unsigned long long)mst->ctrl_err,
              mst->last_rule);
    nk_down(vm, &r);
}

/* OID_802_3_MULTICAST_LIST -> the MAC table's multicast entries (5.1.6.5.2):
 * with the MULTICAST filter the listed groups come in, an unlisted one does
 * not; a shorter list replaces the longer. */
VW_SCENARIO("netkvm", netkvm_multicast_list_mac_table, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true};
    if (!nk_up(vm, &r, &o))
        return;
    const struct vmodel_net_state *ms = vmodel_net_state(r.net->model);
    uint8_t list[3][6];
    memcpy(list, ct_group, sizeof(list));
    uint32_t status = 1, done = 0;
    ct_filter(vm, VW_NDIS_PACKET_TYPE_DIRECTED | VW_NDIS_PACKET_TYPE_MULTICAST);
    VW_EXPECT(vm,
              vw_ndis_oid(vm, true, VW_OID_802_3_MULTICAST_LIST, list, 18, &status, &done) &&
                  status == 0,
              "OID_802_3_MULTICAST_LIST of 3: status 0x%08x", status);
    bool same = ms->multi_count == 3;
    for (unsigned i = 0; i < 3 && same; i++)
        same = memcmp(ms->macs[ms->uni_count + i], ct_group[i], 6) == 0;
    VW_EXPECT(vm, same && !ms->allmulti && !ms->promisc,
              "the device's multicast table holds %u entries, not the 3 listed (allmulti %d)",
              ms->multi_count, ms->allmulti);
    const uint8_t dsts[4][6] = {{ct_group[0][0], ct_group[0][1], ct_group[0][2], ct_group[0][3],
                                 ct_group[0][4], ct_group[0][5]},
                                {ct_group[1][0], ct_group[1][1], ct_group[1][2], ct_group[1][3],
                                 ct_group[1][4], ct_group[1][5]},
                                {ct_group[2][0], ct_group[2][1], ct_group[2][2], ct_group[2][3],
                                 ct_group[2][4], ct_group[2][5]},
                                {ct_unlisted[0], ct_unlisted[1], ct_unlisted[2], ct_unlisted[3],
                                 ct_unlisted[4], ct_unlisted[5]}};
    ct_expect_delivery(vm, &r, dsts, 4, 0x7, "3 groups listed");
    VW_EXPECT(vm,
              vw_ndis_oid(vm, true, VW_OID_802_3_MULTICAST_LIST, list[1], 6, &status, &done) &&
                  status == 0,
              "OID_802_3_MULTICAST_LIST of 1: status 0x%08x", status);
    VW_EXPECT(vm, ms->multi_count == 1 && memcmp(ms->macs[ms->uni_count], ct_group[1], 6) == 0,
              "after a list of 1 the device's table holds %u entries", ms->multi_count);
    ct_expect_delivery(vm, &r, dsts, 4, 0x2, "1 group listed");
    VW_EXPECT(vm,
              vw_ndis_oid(vm, true, VW_OID_802_3_MULTICAST_LIST, list, 7, &status, &done) &&
                  status != 0,
              "a 7-byte multicast list was accepted");
    nk_down_clean(vm, &r);
}

/* Field I (0: ifInDiscards ... 17: ifHCOutBroadcastOctets) of an
 * NDIS_STATISTICS_INFO answer. */
static uint64_t ct_field(struct vm *vm, const uint8_t *info, unsigned i)
{
    uint64_t v;
    memcpy(&v, info + VW_OFFSET(vm, NDIS_STATISTICS_INFO, ifInDiscards) + 8u * i, 8);
    return v;
}

enum {
    CT_IN_OCTETS = 2,
    CT_IN_UCAST,
    CT_IN_MCAST,
    CT_IN_BCAST,
    CT_OUT_OCTETS,
    CT_OUT_UCAST,
    CT_OUT_MCAST,
    CT_OUT_BCAST,
    CT_IN_UCAST_OCTETS = 12,
    CT_IN_MCAST_OCTETS,
    CT_IN_BCAST_OCTETS,
    CT_OUT_UCAST_OCTETS,
    CT_OUT_MCAST_OCTETS,
    CT_OUT_BCAST_OCTETS,
};

/* OID_GEN_STATISTICS and the OID_GEN_* counters after known traffic:
 * received 3 directed, 2 multicast, 1 broadcast; sent 2 directed, 1
 * multicast, 3 broadcast; every class counted in frames and bytes. */
VW_SCENARIO("netkvm", netkvm_statistics_after_traffic, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true};
    if (!nk_up(vm, &r, &o))
        return;
    ct_filter(vm, VW_NDIS_PACKET_TYPE_DIRECTED | VW_NDIS_PACKET_TYPE_BROADCAST |
                      VW_NDIS_PACKET_TYPE_ALL_MULTICAST);
    static const unsigned rx_len[6] = {60, 100, 1514, 200, 300, 400},
                          tx_len[6] = {70, 80, 90, 1000, 1100, 1200};
    const uint8_t *rx_dst[6] = {nk_mac, nk_mac, nk_mac, ct_group[0], ct_group[1], ct_bcast};
    const uint8_t *tx_dst[6] = {nk_peer, nk_peer, ct_group[2], ct_bcast, ct_bcast, ct_bcast};
    static uint8_t f[6][1514];
    struct nk_mark m = nk_mark(vm);
    for (unsigned k = 0; k < 6 && !vm->failed; k++) {
        nk_frame(f[k], rx_len[k], rx_dst[k], nk_peer, k);
        VW_EXPECT(vm, vmodel_net_wire_inject(r.net->model, f[k], rx_len[k], NULL) >= 0,
                  "the model dropped frame %u", k);
    }
    VW_EXPECT(vm, nk_wait_indicated_since(vm, m, 6) == 6, "received frames not all indicated");
    vw_ndis_return_all(vm);
    const uint8_t *all[6];
    for (unsigned k = 0; k < 6; k++) {
        nk_frame(f[k], tx_len[k], tx_dst[k], nk_mac, k + 10);
        all[k] = f[k];
    }
    m = nk_mark(vm);
    vw_ndis_send(vm, all, tx_len, 6);
    VW_EXPECT(vm, nk_wait_completed_since(vm, m, 6) == 6, "sends not all completed");
    uint8_t info[256] = {0};
    uint32_t status = 1, done = 0;
    unsigned size = VW_SIZEOF(vm, NDIS_STATISTICS_INFO);
    VW_EXPECT(vm,
              vw_ndis_oid(vm, false, VW_OID_GEN_STATISTICS, info, size, &status, &done) &&
                  status == 0 && done == size,
              "OID_GEN_STATISTICS: status 0x%08x, %u of %u bytes", status, done, size);
    if (vm->failed)
        return;
    uint64_t want[18] = {0};
    want[CT_IN_UCAST] = 3, want[CT_IN_MCAST] = 2, want[CT_IN_BCAST] = 1;
    want[CT_OUT_UCAST] = 2, want[CT_OUT_MCAST] = 1, want[CT_OUT_BCAST] = 3;
    want[CT_IN_UCAST_OCTETS] = 60 + 100 + 1514, want[CT_IN_MCAST_OCTETS] = 500;
    want[CT_IN_BCAST_OCTETS] = 400;
    want[CT_OUT_UCAST_OCTETS] = 150, want[CT_OUT_MCAST_OCTETS] = 90;
    want[CT_OUT_BCAST_OCTETS] = 3300;
    want[CT_IN_OCTETS] = 60 + 100 + 1514 + 500 + 400;
    want[CT_OUT_OCTETS] = 150 + 90 + 3300;
    for (unsigned i = 0; i < 18 && !vm->failed; i++)
        VW_EXPECT(vm, ct_field(vm, info, i) == want[i],
                  "NDIS_STATISTICS_INFO field %u (0 = ifInDiscards): %llu, %llu expected", i,
                  (unsigned long long)ct_field(vm, info, i), (unsigned long long)want[i]);
    /* The single counters agree: OID_GEN_{DIRECTED,MULTICAST,BROADCAST}_
     * {BYTES,FRAMES}_{XMIT,RCV} (0x00020201..0x0002020C), XMIT_OK, RCV_OK,
     * BYTES_XMIT, BYTES_RCV. */
    static const unsigned from[12] = {CT_OUT_UCAST_OCTETS, CT_OUT_UCAST,        CT_OUT_MCAST_OCTETS,
                                      CT_OUT_MCAST,        CT_OUT_BCAST_OCTETS, CT_OUT_BCAST,
                                      CT_IN_UCAST_OCTETS,  CT_IN_UCAST,         CT_IN_MCAST_OCTETS,
                                      CT_IN_MCAST,         CT_IN_BCAST_OCTETS,  CT_IN_BCAST};
    for (unsigned i = 0; i < 12 && !vm->failed; i++) {
        uint64_t v = nk_query_u64(vm, VW_OID_GEN_DIRECTED_BYTES_XMIT + i);
        VW_EXPECT(vm, v == want[from[i]], "OID 0x%08x: %llu, %llu expected",
                  VW_OID_GEN_DIRECTED_BYTES_XMIT + i, (unsigned long long)v,
                  (unsigned long long)want[from[i]]);
    }
    VW_EXPECT(vm,
              nk_query_u64(vm, VW_OID_GEN_XMIT_OK) == 6 && nk_query_u64(vm, VW_OID_GEN_RCV_OK) == 6,
              "OID_GEN_XMIT_OK / RCV_OK not 6 each");
    VW_EXPECT(vm,
              nk_query_u64(vm, VW_OID_GEN_BYTES_XMIT) == want[CT_OUT_OCTETS] &&
                  nk_query_u64(vm, VW_OID_GEN_BYTES_RCV) == want[CT_IN_OCTETS],
              "OID_GEN_BYTES_XMIT / BYTES_RCV differ from the bytes moved");
    nk_down(vm, &r);
}

/* A device without VIRTIO_NET_F_CTRL_VQ (nor CTRL_RX, which needs it,
 * 5.1.3.1): initialisation, a packet filter set and frames each way work,
 * and nothing reaches a control queue. */
VW_SCENARIO("netkvm", netkvm_no_ctrl_vq, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true,
                        .drop = 1ull << VIRTIO_NET_F_CTRL_VQ | 1ull << VIRTIO_NET_F_CTRL_RX};
    if (!nk_up(vm, &r, &o))
        return;
    ct_filter(vm, VW_NDIS_PACKET_TYPE_DIRECTED | VW_NDIS_PACKET_TYPE_BROADCAST);
    uint8_t f[CT_LEN];
    nk_frame(f, CT_LEN, nk_peer, nk_mac, 1);
    if (!nk_send_one_intact(vm, &r, f, CT_LEN))
        return;
    struct nk_mark m = nk_mark(vm);
    VW_EXPECT(vm, ct_inject(&r, nk_mac, 2) && nk_wait_indicated_since(vm, m, 1) == 1,
              "a frame received was not indicated");
    vw_ndis_return_all(vm);
    const struct vmodel_net_stats *mst = vmodel_net_stats(r.net->model);
    VW_EXPECT(vm, mst->ctrl_ok + mst->ctrl_err == 0 && mst->rule_errors == 0,
              "model: %llu control commands, %s",
              (unsigned long long)(mst->ctrl_ok + mst->ctrl_err), mst->last_rule);
    VW_EXPECT(vm, !(vmodel_driver_features(r.net->dev->model) >> VIRTIO_NET_F_CTRL_VQ & 1),
              "CTRL_VQ negotiated without being offered");
    nk_down(vm, &r);
}
