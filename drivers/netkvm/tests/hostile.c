/*
 * NetKVM on a device whose configuration breaks virtio 1.2 5.1.4.1
 * (max_virtqueue_pairs 0 or 0x8001, mtu 0 or 67) or offers a MAC no adapter
 * may use (zero or multicast: IEEE 802 individual addresses), and on a
 * receive path the protocol starves.  Each hostile value ends in the
 * fallback drivers/netkvm/README.md documents (one pair without MQ, MTU 1500
 * without F_MTU, a locally administered unicast address) with frames still
 * flowing and no rule of the device broken; a starved receive ring recovers
 * once the protocol returns what it holds, nothing dropped.
 */
#include "layout.h"
#include "nk_harness.h"

#define HS_LEN 100

/* One frame each way on a running adapter, byte for byte. */
static void hs_one_each_way(struct vm *vm, struct nk_rig *r, const uint8_t *mac)
{
    uint8_t f[HS_LEN], got[HS_LEN];
    nk_frame(f, HS_LEN, nk_peer, mac, 1);
    if (!nk_send_one_intact(vm, r, f, HS_LEN))
        return;
    nk_frame(f, HS_LEN, mac, nk_peer, 2);
    struct nk_mark m = nk_mark(vm);
    VW_EXPECT(vm, vmodel_net_wire_inject(r->net->model, f, HS_LEN, NULL) >= 0,
              "the device filtered the frame to %02x:..:%02x", mac[0], mac[5]);
    VW_EXPECT(vm,
              nk_wait_indicated_since(vm, m, 1) == 1 &&
                  vw_ndis_received(vm, m.indicated, got, sizeof(got)) == HS_LEN &&
                  memcmp(got, f, HS_LEN) == 0,
              "the frame received was not indicated intact");
    vw_ndis_return_all(vm);
    const struct vmodel_net_stats *mst = vmodel_net_stats(r->net->model);
    VW_EXPECT(vm, mst->rule_errors == 0, "model: %s", mst->last_rule);
}

/* max_virtqueue_pairs PAIRS (MQ offered) on 4 CPUs: one pair, frames flow. */
static void hs_pairs(struct vm *vm, uint16_t pairs)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .pairs = pairs, .raw_pairs = true, .cpus = 4};
    if (!nk_up(vm, &r, &o))
        return;
    const struct vmodel_net_state *ms = vmodel_net_state(r.net->model);
    VW_EXPECT(vm, ms->pairs <= 1, "max_virtqueue_pairs 0x%x: the device runs %u pairs", pairs,
              ms->pairs);
    hs_one_each_way(vm, &r, nk_mac);
    nk_down(vm, &r);
}

/* MAC BAD in the configuration: the adapter's address is unicast, not
 * zero, locally administered, and every OID and attribute agree. */
static void hs_mac(struct vm *vm, const uint8_t *bad)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .mac = bad};
    if (!nk_up(vm, &r, &o))
        return;
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    static const uint8_t zero[6] = {0};
    VW_EXPECT(vm, (st.mac[0] & 3) == 2 && memcmp(st.mac, zero, 6) != 0,
              "device MAC %02x:..:%02x: the adapter uses %02x:%02x:%02x:%02x:%02x:%02x", bad[0],
              bad[5], st.mac[0], st.mac[1], st.mac[2], st.mac[3], st.mac[4], st.mac[5]);
    uint8_t cur[6] = {0}, perm[6] = {0};
    uint32_t status = 1, done = 0;
    VW_EXPECT(vm,
              vw_ndis_oid(vm, false, VW_OID_802_3_CURRENT_ADDRESS, cur, 6, &status, &done) &&
                  status == 0 && memcmp(cur, st.mac, 6) == 0,
              "OID_802_3_CURRENT_ADDRESS is not the general attributes' address");
    VW_EXPECT(vm,
              vw_ndis_oid(vm, false, VW_OID_802_3_PERMANENT_ADDRESS, perm, 6, &status, &done) &&
                  status == 0 && (perm[0] & 1) == 0,
              "OID_802_3_PERMANENT_ADDRESS is a group address");
    nk_down_clean(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_hostile_pairs_0, NULL)
{
    hs_pairs(vm, 0);
}

/* Above the 0x8000 the spec allows: MQ must not stay negotiated, or the
 * control queue the driver uses (2) is a receive queue (spec 5.1.2). */
VW_SCENARIO("netkvm", netkvm_hostile_pairs_0x8001, NULL)
{
    hs_pairs(vm, 0x8001);
}

#define HS_FULL 1514 /* a 1500-byte MTU's largest frame */

/* mtu MTU (F_MTU offered) outside 68..65535: the adapter reports 1500 and
 * a 1514-byte frame goes out, which the device allows only once F_MTU is
 * not negotiated (spec 5.1.6.2: no packet larger than mtu). */
static void hs_mtu(struct vm *vm, uint16_t mtu)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .mtu = mtu, .raw_mtu = true};
    if (!nk_up(vm, &r, &o))
        return;
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.mtu == 1500, "mtu %u: general attributes' MTU %u", mtu, st.mtu);
    static uint8_t f[HS_FULL];
    nk_frame(f, HS_FULL, nk_peer, nk_mac, 7);
    if (!nk_send_one_intact(vm, &r, f, HS_FULL))
        return;
    const struct vmodel_net_stats *mst = vmodel_net_stats(r.net->model);
    VW_EXPECT(vm, mst->rule_errors == 0, "mtu %u: model: %s", mtu, mst->last_rule);
    hs_one_each_way(vm, &r, nk_mac);
    nk_down(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_hostile_mtu_0, NULL)
{
    hs_mtu(vm, 0);
}

VW_SCENARIO("netkvm", netkvm_hostile_mtu_67, NULL)
{
    hs_mtu(vm, 67);
}

VW_SCENARIO("netkvm", netkvm_hostile_mac_zero, NULL)
{
    static const uint8_t zero[6] = {0};
    hs_mac(vm, zero);
}

VW_SCENARIO("netkvm", netkvm_hostile_mac_multicast, NULL)
{
    static const uint8_t group[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x42};
    hs_mac(vm, group);
}

#define HS_RING  64 /* receive buffers: one per slot */
#define HS_FLOOD 100

/* The protocol keeps every NBL it may keep (not those indicated with
 * NDIS_RECEIVE_FLAGS_RESOURCES: ndis/nf-ndis-ndismindicatereceivenetbufferlists)
 * while 100 frames arrive on a ring of 64; then returns them.  Every frame
 * is indicated, none is dropped at the device, the low-buffer condition is
 * reported with RESOURCES, and frames flow after the returns. */
VW_SCENARIO("netkvm", netkvm_rx_starvation_recovers, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .shape = {.queue_max = HS_RING}};
    if (!nk_up(vm, &r, &o))
        return;
    uint8_t f[HS_LEN];
    struct nk_mark m = nk_mark(vm);
    for (unsigned k = 0; k < HS_FLOOD && !vm->failed; k++) {
        nk_frame(f, HS_LEN, nk_mac, nk_peer, k);
        VW_EXPECT(vm, vmodel_net_wire_inject(r.net->model, f, HS_LEN, NULL) >= 0,
                  "the model dropped frame %u", k);
        if (k % 8 == 7)
            vw_run_for(vm, 200);
    }
    unsigned n = nk_wait_indicated_since(vm, m, HS_FLOOD);
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    const struct vmodel_net_stats *mst = vmodel_net_stats(r.net->model);
    vw_log(vm,
           "netkvm starvation: %u indicated, %u with RESOURCES, %u held, %u waiting at the "
           "device, %llu dropped there",
           n, st.indicated_resources, st.held, vmodel_net_rx_waiting(r.net->model, -1),
           (unsigned long long)mst->rx_dropped_no_buffer);
    VW_EXPECT(vm, st.held < HS_RING, "the protocol holds %u NBLs on a ring of %u", st.held,
              HS_RING);
    VW_EXPECT(vm, st.indicated_resources > 0,
              "%u frames indicated with %u held and none with NDIS_RECEIVE_FLAGS_RESOURCES", n,
              st.held);
    /* The returns: what still waits at the device comes in */
    vw_ndis_return_all(vm);
    n = nk_wait_indicated_since(vm, m, HS_FLOOD);
    VW_EXPECT(vm, n == HS_FLOOD, "%u of %u frames indicated after the returns", n, HS_FLOOD);
    uint8_t got[HS_LEN];
    /* The protocol layer keeps copies of the first 64 indications */
    for (unsigned k = 0; k < n && k < 64 && !vm->failed; k++) {
        nk_frame(f, HS_LEN, nk_mac, nk_peer, k);
        VW_EXPECT(
            vm, vw_ndis_received(vm, k, got, sizeof(got)) == HS_LEN && memcmp(got, f, HS_LEN) == 0,
            "indication %u is not frame %u", k, k);
    }
    vw_ndis_return_all(vm);
    VW_EXPECT(vm, mst->rx_dropped_no_buffer == 0 && mst->rule_errors == 0,
              "model: %llu frames dropped for want of a buffer, %s",
              (unsigned long long)mst->rx_dropped_no_buffer, mst->last_rule);
    nk_frame(f, HS_LEN, nk_mac, nk_peer, 999);
    VW_EXPECT(vm,
              vmodel_net_wire_inject(r.net->model, f, HS_LEN, NULL) >= 0 &&
                  nk_wait_indicated_since(vm, m, HS_FLOOD + 1) == HS_FLOOD + 1,
              "no frame after the recovery");
    vw_ndis_return_all(vm);
    nk_down(vm, &r);
}

#define HS_BURST_HOLD 2000 /* 200 us of virtual time: beyond any seeded completion delay */

/* 100 frames arrive at once on a ring of 64 (the device keeps the rest
 * until buffers come back): the ring runs empty, which the driver counts
 * (OID_GEN_RCV_NO_BUFFER may count the times a frame was missed:
 * network/oid-gen-rcv-no-buffer); all 100 are indicated intact as buffers
 * return.  No frame was discarded, so ifInDiscards stays 0.  The receive
 * queue's used entries are held back until the device has filled every
 * buffer, so the driver meets its 64 used at once with none posted, at
 * every seed (with the device's seeded completion delays alone, it kept up
 * with the device at seed 4 and never ran empty). */
VW_SCENARIO("netkvm", netkvm_rx_burst_shortage_counted, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .shape = {.queue_max = HS_RING}};
    if (!nk_up(vm, &r, &o))
        return;
    uint8_t f[HS_LEN], got[HS_LEN];
    struct nk_mark m = nk_mark(vm);
    vw_virtio_hang_queue(r.net->dev, 0, HS_BURST_HOLD); /* receiveq1 (5.1.2) */
    for (unsigned k = 0; k < HS_FLOOD && !vm->failed; k++) {
        nk_frame(f, HS_LEN, nk_mac, nk_peer, k);
        VW_EXPECT(vm, vmodel_net_wire_inject(r.net->model, f, HS_LEN, NULL) >= 0,
                  "the model dropped frame %u", k);
    }
    vw_run_for(vm, HS_BURST_HOLD / 2);
    unsigned early = nk_mark(vm).indicated - m.indicated;
    unsigned waiting = vmodel_net_rx_waiting(r.net->model, -1);
    vw_log(vm, "netkvm burst: %u frames still at the device while its used entries wait", waiting);
    VW_EXPECT(vm, early == 0 && waiting < HS_FLOOD,
              "while the used entries wait: %u indicated, %u of %u frames not placed", early,
              waiting, HS_FLOOD);
    unsigned n = 0;
    for (unsigned round = 0; round < 8 && n < HS_FLOOD && !vm->failed; round++) {
        n = nk_wait_indicated_since(vm, m, HS_FLOOD);
        vw_ndis_return_all(vm);
    }
    VW_EXPECT(vm, n == HS_FLOOD, "%u of %u frames indicated", n, HS_FLOOD);
    for (unsigned k = 0; k < n && k < 64 && !vm->failed; k++) {
        nk_frame(f, HS_LEN, nk_mac, nk_peer, k);
        VW_EXPECT(
            vm, vw_ndis_received(vm, k, got, sizeof(got)) == HS_LEN && memcmp(got, f, HS_LEN) == 0,
            "indication %u is not frame %u", k, k);
    }
    uint64_t no_buffer = 0;
    uint32_t status = 1, done = 0;
    VW_EXPECT(vm,
              vw_ndis_oid(vm, false, VW_OID_GEN_RCV_NO_BUFFER, &no_buffer, 8, &status, &done) &&
                  status == 0 && no_buffer >= 1,
              "OID_GEN_RCV_NO_BUFFER %llu (status 0x%08x) after the ring ran empty",
              (unsigned long long)no_buffer, status);
    /* drivers/netkvm/README.md: a shortage is counted and logged */
    VW_EXPECT(vm, vm->log != NULL && strstr(vm->log, "short of buffers") != NULL,
              "the shortage was not logged");
    uint8_t info[256] = {0};
    unsigned size = VW_SIZEOF(vm, NDIS_STATISTICS_INFO);
    uint64_t discards = 0;
    VW_EXPECT(vm,
              vw_ndis_oid(vm, false, VW_OID_GEN_STATISTICS, info, size, &status, &done) &&
                  status == 0,
              "OID_GEN_STATISTICS: status 0x%08x", status);
    memcpy(&discards, info + VW_OFFSET(vm, NDIS_STATISTICS_INFO, ifInDiscards), 8);
    const struct vmodel_net_stats *mst = vmodel_net_stats(r.net->model);
    vw_log(vm, "netkvm burst: RCV_NO_BUFFER %llu, ifInDiscards %llu, %llu dropped at the device",
           (unsigned long long)no_buffer, (unsigned long long)discards,
           (unsigned long long)mst->rx_dropped_no_buffer);
    VW_EXPECT(vm, mst->rx_dropped_no_buffer == 0 && mst->rule_errors == 0,
              "model: %llu frames dropped for want of a buffer, %s",
              (unsigned long long)mst->rx_dropped_no_buffer, mst->last_rule);
    VW_EXPECT(vm, discards == 0, "ifInDiscards %llu with every frame indicated",
              (unsigned long long)discards);
    nk_down(vm, &r);
}
