/*
 * NetKVM's receive ring run dry and filled again (drivers/netkvm/README.md,
 * rx.c: a shortage is counted and logged; buffers the ring did not take are
 * posted again from a timer, a bounded number of times; the returns refill).
 * Two ways to run it dry, with the NDIS emulation's allocation failures
 * (port/ndis/faults.c) for the allocations a miniport may make at run time:
 * the protocol holds every indicated NBL (network/receiving-data-in-an-ndis-
 * miniport: the miniport may not reuse a buffer before
 * MiniportReturnNetBufferLists), then returns them late; and every
 * allocation API failing for a window of virtual time while frames arrive.
 * Either way every frame is indicated once, in order, byte for byte, once
 * buffers come back; OID_GEN_STATISTICS agrees with what the protocol got;
 * the halt leaves nothing.  And MiniportInitializeEx with each allocation
 * API failing at its first, middle and last call fails and leaves nothing
 * (ndis/nc-ndis-miniport_initialize), then succeeds.
 */
#include "nkoff.h"

#define RF_RING  64
#define RF_LEN   100
#define RF_FLOOD 200 /* frames: more than the ring, fewer than the device's backlog (256) */

/* Every allocation API but NdisMAllocateNetBufferSGList (a send's) */
#define RF_ALLOCS (VW_NDIS_ALLOC_ALL & ~(1u << VW_NDIS_ALLOC_SG_LIST))

/* FNV-1a of frame K as nk_inject_frames builds it. */
static uint32_t rf_fnv(unsigned k)
{
    uint8_t f[RF_LEN];
    nk_frame(f, RF_LEN, nk_mac, nk_peer, k);
    return nk_fnv(f, RF_LEN);
}

/* Indications FROM.. are exactly frames 0..N-1, in order (none lost, none twice). */
static void rf_expect_sequence(struct vm *vm, unsigned from, unsigned n, const char *what)
{
    for (unsigned k = 0; k < n && !vm->failed; k++) {
        unsigned len = 0;
        uint32_t fnv = 0;
        VW_EXPECT(vm,
                  vw_ndis_received_digest(vm, from + k, &len, &fnv) && len == RF_LEN &&
                      fnv == rf_fnv(k),
                  "%s: indication %u is not frame %u (lost, repeated or out of order)", what, k, k);
    }
}

/* Lets 100 us of virtual time pass, returning nothing. */
static void rf_idle(struct vm *vm)
{
    for (int i = 0; i < 10 && !vm->failed; i++)
        vw_run_for(vm, 100);
}

/* The end of each run dry: the device dropped no frame for want of a
 * buffer and broke no rule, OID_GEN_STATISTICS agrees with what the
 * protocol got, the halt leaves nothing. */
static void rf_end(struct vm *vm, struct nk_rig *r)
{
    const struct vmodel_net_stats *ms = vmodel_net_stats(r->net->model);
    VW_EXPECT(vm, ms->rx_dropped_no_buffer == 0, "model: %llu frames dropped for want of a buffer",
              (unsigned long long)ms->rx_dropped_no_buffer);
    nk_down_counted(vm, r);
}

/* The ring held: 200 frames arrive while the protocol keeps every NBL
 * indicated without NDIS_RECEIVE_FLAGS_RESOURCES and every allocation API
 * fails (5 ms), so no buffer comes back or can be made.  The shortage is
 * counted (OID_GEN_RCV_NO_BUFFER) and the driver indicates the rest with
 * NDIS_RECEIVE_FLAGS_RESOURCES (ndis/nf-ndis-ndismindicatereceivenetbufferlists:
 * the miniport gets those NBLs back when the call returns), so fewer than
 * the ring stay held and the frames keep coming; the device drops none.
 * Returned late, the buffers carry 40 more: all 240 indicated once, in
 * order, byte for byte; OID_GEN_STATISTICS agrees; the halt is clean. */
static void rf_held_then_returned(struct vm *vm, bool mrg_rxbuf, bool packed, bool plant_dup)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = mrg_rxbuf, .packed = packed, .shape = {.queue_max = RF_RING}};
    if (!nk_up(vm, &r, &o))
        return;
    uint64_t nb0 = nk_query_u64(vm, VW_OID_GEN_RCV_NO_BUFFER);
    struct nk_mark m = nk_mark(vm);
    vw_ndis_fail_window(vm, RF_ALLOCS, 5000);
    if (plant_dup) { /* planted: frame 5 arrives twice, frame 6 never */
        nk_inject_frames(vm, &r, RF_LEN, 0, 6);
        nk_inject_frames(vm, &r, RF_LEN, 5, 1);
        nk_inject_frames(vm, &r, RF_LEN, 7, RF_FLOOD - 7);
    } else {
        nk_inject_frames(vm, &r, RF_LEN, 0, RF_FLOOD);
    }
    for (int i = 0; i < 5 && !vm->failed; i++)
        rf_idle(vm);
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    unsigned first = st.indicated - m.indicated;
    unsigned waiting = vmodel_net_rx_waiting(r.net->model, -1);
    uint64_t nb1 = nk_query_u64(vm, VW_OID_GEN_RCV_NO_BUFFER);
    vw_log(vm,
           "netkvm: ring of %u held: %u of %u indicated (%u with RESOURCES), %u held, %u waiting "
           "at the device, RCV_NO_BUFFER +%llu",
           RF_RING, first, RF_FLOOD, st.indicated_resources, st.held, waiting,
           (unsigned long long)(nb1 - nb0));
    VW_EXPECT(vm, st.held < RF_RING && st.indicated_resources > 0,
              "%u NBLs held, %u indicated with RESOURCES: the ring of %u ran dry", st.held,
              st.indicated_resources, RF_RING);
    VW_EXPECT(vm, nb1 > nb0, "the shortage was not counted in OID_GEN_RCV_NO_BUFFER");
    unsigned n = first;
    for (unsigned round = 0; round < 16 && n < RF_FLOOD && !vm->failed; round++) {
        vw_ndis_return_all(vm);
        n = nk_wait_indicated_since(vm, m, RF_FLOOD);
    }
    vw_ndis_return_all(vm);
    VW_EXPECT(vm, n == RF_FLOOD, "%u of %u frames indicated", n, RF_FLOOD);
    /* Back to normal: 40 more, none with RESOURCES while nothing is held */
    vw_ndis_stats(vm, &st);
    unsigned res = st.indicated_resources;
    nk_inject_frames(vm, &r, RF_LEN, RF_FLOOD, 40);
    n = nk_wait_indicated_since(vm, m, RF_FLOOD + 40);
    vw_ndis_return_all(vm);
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, n == RF_FLOOD + 40 && st.indicated_resources == res,
              "after the returns: %u of %u indicated, %u with RESOURCES", n, RF_FLOOD + 40,
              st.indicated_resources - res);
    rf_expect_sequence(vm, m.indicated, RF_FLOOD + 40, "held then returned");
    rf_end(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_rx_refill_held_then_returned, NULL)
{
    rf_held_then_returned(vm, true, false, false);
}

/* Planted: the device delivers frame 5 twice and never frame 6 (the count
 * right); the sequence check must fail. */
VW_SCENARIO("netkvm", netkvm_rx_refill_held_then_returned_planted_duplicate,
            "held then returned: indication 6 is not frame 6")
{
    rf_held_then_returned(vm, true, false, true);
}

/* The same on the packed ring, and without MRG_RXBUF (one buffer a frame). */
VW_SCENARIO("netkvm", netkvm_rx_refill_held_then_returned_packed, NULL)
{
    rf_held_then_returned(vm, true, true, false);
}

VW_SCENARIO("netkvm", netkvm_rx_refill_held_then_returned_no_mrg_rxbuf, NULL)
{
    rf_held_then_returned(vm, false, false, false);
}

/* What NetKVM allocates after InitializeEx (2 pairs, every offload,
 * GUEST_ANNOUNCE), through receive and send traffic, OID requests (offload
 * parameters, multicast list, RSS parameters, network addresses), an NDIS
 * reset, pause and restart, D3 and D0: send
 * SG lists (NdisMAllocateNetBufferSGList, one per send) and, before
 * d23925b, memory (NdisAllocateMemoryWithTagPriority) at the reset and at
 * D0; never an
 * NBL, MDL, pool or shared memory: its receive buffers are all made at
 * initialization, so no allocation failure reaches the receive refill
 * (netkvm_rx_refill_held_then_returned holds NBLs instead; alloc_faults.c
 * fails the reset's, D0's and the sends').  Should that change, this
 * fails, naming the API. */
VW_SCENARIO("netkvm", netkvm_alloc_run_time_calls, NULL)
{
    struct nk_rig r;
    if (!nkoff_up(vm, &r, 1ull << VIRTIO_NET_F_GUEST_ANNOUNCE, 2, 2, NULL) ||
        !nkoff_enable(vm, true))
        return;
    uint32_t status = 1, done = 0;
    static const uint8_t groups[2][6] = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01},
                                         {0x01, 0x00, 0x5e, 0x00, 0x00, 0x02}};
    VW_EXPECT(
        vm,
        vw_ndis_oid(vm, true, VW_OID_802_3_MULTICAST_LIST, (void *)groups, 12, &status, &done) &&
            status == 0,
        "multicast list: 0x%08x", status);
    uint8_t key[40];
    uint16_t table[128];
    for (unsigned i = 0; i < 40; i++)
        key[i] = (uint8_t)(i * 37 + 1);
    for (unsigned i = 0; i < 128; i++)
        table[i] = (uint16_t)(i % 2);
    VW_EXPECT(vm,
              vw_ndis_set_rss(vm, VW_NDIS_HASH_FUNCTION_TOEPLITZ | VW_NDIS_HASH_TCP_IPV4, key, 40,
                              table, 128, &status) &&
                  status == 0,
              "RSS parameters: 0x%08x", status);
    static const uint8_t ip4[1][4] = {{192, 0, 2, 7}};
    VW_EXPECT(vm, vw_ndis_set_network_addresses(vm, ip4, 1, NULL, 0, &status) && status == 0,
              "network addresses: 0x%08x", status);
    static uint8_t buf[NK_SEND_MAX * RF_LEN];
    for (unsigned round = 0; round < 4 && !vm->failed; round++) {
        struct nk_mark m = nk_mark(vm);
        nk_inject_frames(vm, &r, RF_LEN, round * 16, 16);
        nk_wait_indicated_since(vm, m, 16);
        nk_send_frames(vm, buf, RF_LEN, round * 16, 16);
        nk_wait_completed_since(vm, m, 16);
        vw_ndis_return_all(vm);
    }
    nk_query_u64(vm, VW_OID_GEN_RCV_NO_BUFFER);
    vw_ndis_check_statistics(vm);
    bool addressing = false;
    VW_EXPECT(vm, vw_ndis_reset(vm, &status, &addressing) && status == 0, "reset: 0x%08x", status);
    if (vm->failed || !vw_ndis_pause(vm) || !vw_ndis_set_power(vm, true, &status) ||
        !vw_ndis_set_power(vm, false, &status) || !vw_ndis_restart(vm))
        return;
    struct nk_mark m = nk_mark(vm);
    nk_inject_frames(vm, &r, RF_LEN, 0, 16);
    VW_EXPECT(vm, nk_wait_indicated_since(vm, m, 16) == 16, "frames after D0 not indicated");
    vw_ndis_return_all(vm);
    struct vw_ndis_alloc_calls c;
    vw_ndis_alloc_calls(vm, &c);
    for (unsigned a = 0; a < VW_NDIS_ALLOC_COUNT; a++) {
        vw_log(vm, "netkvm: %s: %u calls, %u after InitializeEx", vw_ndis_alloc_name(a), c.total[a],
               c.run_time[a]);
        VW_EXPECT(vm, a == VW_NDIS_ALLOC_SG_LIST || a == VW_NDIS_ALLOC_MEMORY || c.run_time[a] == 0,
                  "NetKVM calls %s at run time (%u times): drive its failure (rx_refill.c)",
                  vw_ndis_alloc_name(a), c.run_time[a]);
    }
    VW_EXPECT(vm, c.run_time[VW_NDIS_ALLOC_SG_LIST] >= 64, "%u SG lists for 64 sends",
              c.run_time[VW_NDIS_ALLOC_SG_LIST]);
    nk_down(vm, &r);
}

#define RF_FLOWS 240 /* TCP/IPv4 frames, one flow each */

/* Two pairs on two CPUs with the device's RSS over TCP/IPv4 (the table
 * alternating them): 240 frames of as many flows arrive in two halves while the
 * protocol holds what it gets and gives NBLs back 17 at a time in a
 * shuffled order (one return call mixing both queues' NBLs and many
 * indications, as NDIS may: ndis/nc-ndis-miniport_return_net_buffer_lists).
 * Every frame is indicated exactly once whatever queue it took, both
 * queues carried some, the device dropped none, OID_GEN_STATISTICS agrees,
 * the halt is clean. */
static void rf_two_queues(struct vm *vm, bool plant_dup)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true,
                        .pairs = 2,
                        .cpus = 2,
                        .add = 1ull << VIRTIO_NET_F_RSS | 1ull << VIRTIO_NET_F_HASH_REPORT,
                        .shape = {.queue_max = RF_RING}};
    if (!nk_up(vm, &r, &o))
        return;
    uint8_t key[40];
    uint16_t table[128];
    for (unsigned i = 0; i < 40; i++)
        key[i] = (uint8_t)(i * 29 + 3);
    for (unsigned i = 0; i < 128; i++)
        table[i] = (uint16_t)(i & 1);
    uint32_t status = 1;
    if (!vw_ndis_set_rss(vm, VW_NDIS_HASH_FUNCTION_TOEPLITZ | VW_NDIS_HASH_TCP_IPV4, key, 40, table,
                         128, &status))
        return;
    VW_EXPECT(vm, status == 0, "RSS parameters: 0x%08x", status);
    static uint8_t f[1514];
    static uint32_t fnv[RF_FLOWS];
    static bool seen[RF_FLOWS];
    unsigned len = 0;
    struct nk_mark m = nk_mark(vm);
    uint32_t seed = (uint32_t)(vm->k->run_seed * 2654435761u) ^ 0x5eed;
    for (unsigned half = 0; half < 2 && !vm->failed; half++) {
        for (unsigned k = half * RF_FLOWS / 2; k < (half + 1) * RF_FLOWS / 2; k++) {
            len = ndis_frame_build(f, 4, 6, 100, (uint16_t)(1000 + k), nk_mac, nk_peer, false);
            fnv[k] = nk_fnv(f, len);
            if (plant_dup && k == 6) /* planted: flow 5's frame again, flow 6's never */
                len = ndis_frame_build(f, 4, 6, 100, 1005, nk_mac, nk_peer, false);
            VW_EXPECT(vm, vmodel_net_wire_inject(r.net->model, f, len, NULL) >= 0,
                      "the model dropped frame %u", k);
        }
        for (unsigned round = 0; round < 64 && !vm->failed; round++) {
            rf_idle(vm);
            vw_ndis_return_shuffled(vm, seed + round * 7919u + half, 17);
        }
    }
    unsigned n = nk_wait_indicated_since(vm, m, RF_FLOWS);
    vw_ndis_return_all(vm);
    VW_EXPECT(vm, n == RF_FLOWS, "%u of %u frames indicated", n, RF_FLOWS);
    memset(seen, 0, sizeof(seen));
    for (unsigned i = 0; i < n && !vm->failed; i++) {
        unsigned l = 0;
        uint32_t h = 0;
        vw_ndis_received_digest(vm, m.indicated + i, &l, &h);
        unsigned k = 0;
        while (k < RF_FLOWS && !(fnv[k] == h && l == len))
            k++;
        VW_EXPECT(vm, k < RF_FLOWS && !seen[k], "indication %u is %s", i,
                  k < RF_FLOWS ? "a frame indicated twice" : "no frame sent");
        if (k < RF_FLOWS)
            seen[k] = true;
    }
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    const struct vmodel_net_stats *ms = vmodel_net_stats(r.net->model);
    vw_log(vm, "netkvm: two queues: %llu and %llu frames, %u indications with RESOURCES",
           (unsigned long long)ms->rx_per_queue[0], (unsigned long long)ms->rx_per_queue[1],
           st.indicated_resources);
    VW_EXPECT(vm, ms->rx_per_queue[0] > 0 && ms->rx_per_queue[1] > 0,
              "one queue carried everything: %llu and %llu",
              (unsigned long long)ms->rx_per_queue[0], (unsigned long long)ms->rx_per_queue[1]);
    rf_end(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_rx_refill_two_queues_shuffled_returns, NULL)
{
    rf_two_queues(vm, false);
}

/* Planted: flow 5's frame arrives twice and flow 6's never (the count
 * right); the exactly-once check must fail. */
VW_SCENARIO("netkvm", netkvm_rx_refill_two_queues_planted_duplicate, "a frame indicated twice")
{
    rf_two_queues(vm, true);
}
