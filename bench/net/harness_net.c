/*
 * bench/net (issue 16, "Benchmark"): NetKVM under the NDIS emulation on
 * the in-process virtio-net model (EVENT_IDX, indirect descriptors,
 * MRG_RXBUF, queue size 256, MSI-X), per packet for transmit and receive
 * apart: notifications the device got, interrupts it raised, descriptors
 * it walked (ring slots plus indirect-table entries) and driver
 * instructions (every instruction run inside netkvm.sys: the send and
 * return handlers, the ISR and the DPC; the emulator's code hook).  Frames
 * of 64 and 1514 bytes in batches of 1, 8, 32 and 64 NBLs per
 * MiniportSendNetBufferLists call (transmit) or frames arriving per
 * device burst (receive, returned to the miniport after each burst), on
 * 1 and 4 queue pairs (as many CPUs), split and packed rings, the model
 * serving a queue as soon as it is kicked ("sync") or as an I/O thread
 * that looks at most every 20 us ("async", vmodel_queue_service).  A 64
 * KiB LSOv2 send is counted per segment.  Receive memory: the shared
 * memory in which each queue's frames arrived (the emulation's
 * accounting of NdisMAllocateSharedMemory, every buffer cycled) at MTU
 * 1500 and 9000, with and without MRG_RXBUF, with and without the guest
 * TSO offloads that make non-merged buffers 64 KiB.  Group "bench-net"
 * (scenarios model_*; testpmd_* in harness_testpmd.c): run by `make
 * bench-net`; `make check-bench-net` runs model_* with VW_BENCH_SHORT=1
 * (batch 32 only) on every arch.  Every frame must arrive intact in
 * count; a measurement is printed as one "BENCH" line (run-bench.sh).
 */
#include <stdlib.h>
#include "../../drivers/netkvm/tests/nkoff.h"
#include "cpu.h"

#define BN_ASYNC_PERIOD 200 /* 20 us of virtual time (100 ns units) */
#define BN_MAX_BATCH    64

static const unsigned bn_sizes[2] = {64, 1514};
static const unsigned bn_batches[4] = {1, 8, 32, 64};

/* The short set of make check: batch 32 only. */
static bool bn_short(void)
{
    const char *e = getenv("VW_BENCH_SHORT");
    return e != NULL && strcmp(e, "1") == 0;
}

/* Packets measured for a batch size: 32 at batch 1, else 4 batches (64 at least). */
static unsigned bn_count(unsigned batch)
{
    return batch == 1 ? 32 : batch * 4 < 64 ? 64 : batch * 4;
}

struct bn_snap {
    uint64_t notifies, interrupts, descs, ring, insns;
};

static void bn_snap(struct vm *vm, struct nk_rig *r, struct bn_snap *s)
{
    const struct vmodel_stats *m = vmodel_stats(r->net->dev->model);
    *s = (struct bn_snap){m->notifies, m->interrupts, m->descriptors, m->ring_descriptors,
                          vm->insns};
}

/* One BENCH line: the counts between A and B per packet (N packets). */
static void bn_report(struct vm *vm, const char *what, const char *tag, unsigned size,
                      unsigned batch, unsigned n, const struct bn_snap *a, const struct bn_snap *b)
{
    double d = n;
    vw_log(vm,
           "BENCH %s %s size %u batch %u: %u packets, %.3f notifications, %.3f interrupts, "
           "%.2f descriptors (%.2f in the ring), %.0f driver instructions per packet",
           what, tag, size, batch, n, (double)(b->notifies - a->notifies) / d,
           (double)(b->interrupts - a->interrupts) / d, (double)(b->descs - a->descs) / d,
           (double)(b->ring - a->ring) / d, (double)(b->insns - a->insns) / d);
}

/* COUNT frames of SIZE bytes sent BATCH per call, each batch waited for;
 * every one must reach the wire intact and complete. */
static bool bn_send(struct vm *vm, struct nk_rig *r, unsigned size, unsigned batch, unsigned count)
{
    static uint8_t f[BN_MAX_BATCH][1514];
    const uint8_t *all[BN_MAX_BATCH];
    unsigned lens[BN_MAX_BATCH];
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    unsigned base = st.send_completed;
    for (unsigned k = 0; k < batch; k++) {
        nk_frame(f[k], size, nk_peer, nk_mac, k);
        all[k] = f[k];
        lens[k] = size;
    }
    unsigned wire = 0;
    for (unsigned done = 0; done < count && !vm->failed; done += batch) {
        if (!vw_ndis_send(vm, all, lens, batch))
            return false;
        unsigned got =
            nk_wait_completed_since(vm, (struct nk_mark){.completed = base}, done + batch);
        VW_EXPECT(vm, got == done + batch, "%u of %u sends completed", got, done + batch);
        struct vmodel_net_frame w;
        while (!vm->failed && vmodel_net_wire_take(r->net->model, &w)) {
            VW_EXPECT(vm, w.len == size && memcmp(w.data, f[wire % batch], size) == 0,
                      "wire frame %u: %u bytes, not the %u-byte frame sent", wire, w.len, size);
            wire++;
        }
    }
    VW_EXPECT(vm, wire == count, "%u frames on the wire, %u sent", wire, count);
    return !vm->failed;
}

/* COUNT frames of SIZE bytes arriving BATCH at a time, spread over PAIRS
 * receive queues; each burst is indicated whole, then returned. */
static bool bn_receive(struct vm *vm, struct nk_rig *r, unsigned pairs, unsigned size,
                       unsigned batch, unsigned count)
{
    static uint8_t f[1514], got[1514];
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    unsigned base = st.indicated;
    nk_frame(f, size, nk_mac, nk_peer, 3);
    for (unsigned done = 0; done < count && !vm->failed; done += batch) {
        for (unsigned k = 0; k < batch; k++) {
            struct vmodel_net_rx_opts o = {.queue = (int)((done + k) % pairs)};
            if (vmodel_net_wire_inject(r->net->model, f, size, &o) < 0) {
                vw_fail(vm, "the model dropped frame %u", done + k);
                return false;
            }
        }
        unsigned n = nk_wait_indicated_since(vm, (struct nk_mark){.indicated = base}, done + batch);
        VW_EXPECT(vm, n == done + batch, "%u of %u frames indicated", n, done + batch);
        /* the emulation keeps the first 64 frames indicated: those are checked */
        for (unsigned i = base + done; i < base + done + batch && i < 64 && !vm->failed; i++)
            VW_EXPECT(
                vm, vw_ndis_received(vm, i, got, sizeof(got)) == size && memcmp(got, f, size) == 0,
                "indicated frame %u is not the %u-byte frame injected", i, size);
        if (!vw_ndis_return_all(vm))
            return false;
    }
    const struct vmodel_net_stats *ms = vmodel_net_stats(r->net->model);
    VW_EXPECT(vm, ms->rx_dropped_no_buffer == 0 && ms->rule_errors == 0,
              "model: %llu dropped for want of a buffer, %llu rules broken (%s)",
              (unsigned long long)ms->rx_dropped_no_buffer, (unsigned long long)ms->rule_errors,
              ms->last_rule);
    return !vm->failed;
}

/* NetKVM up on PAIRS pairs (as many CPUs), instructions counted from here;
 * ASYNC: the device serves every queue on its own schedule. */
static bool bn_up(struct vm *vm, struct nk_rig *r, struct nk_opts *o, bool async)
{
    o->cpus = o->pairs > 1 ? o->pairs : 1;
    if (!nk_up(vm, r, o))
        return false;
    for (uint16_t q = 0; async && q < 2 * (o->pairs > 1 ? o->pairs : 1); q++)
        vmodel_queue_service(r->net->dev->model, q, BN_ASYNC_PERIOD);
    if (!vw_cpu_count_insns(vm)) {
        vw_fail(vm, "cannot count the driver's instructions");
        return false;
    }
    return true;
}

/* Transmit then receive at every size and batch; one line each. */
static void bn_packets(struct vm *vm, unsigned pairs, bool packed, bool async)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .packed = packed, .pairs = (uint16_t)pairs};
    if (!bn_up(vm, &r, &o, async))
        return;
    char tag[64];
    snprintf(tag, sizeof(tag), "%s pairs %u %s", packed ? "packed" : "split", pairs,
             async ? "async" : "sync");
    bool shrt = bn_short();
    for (unsigned s = 0; s < 2 && !vm->failed; s++)
        for (unsigned b = shrt ? 2 : 0; b < (shrt ? 3u : 4u) && !vm->failed; b++) {
            unsigned size = bn_sizes[s], batch = bn_batches[b], n = bn_count(batch);
            struct bn_snap a, z;
            /* one batch first: the queues warm, then the measured ones */
            if (!bn_send(vm, &r, size, batch, batch))
                return;
            bn_snap(vm, &r, &a);
            if (!bn_send(vm, &r, size, batch, n))
                return;
            bn_snap(vm, &r, &z);
            bn_report(vm, "tx", tag, size, batch, n, &a, &z);
            if (!bn_receive(vm, &r, pairs, size, batch, batch))
                return;
            bn_snap(vm, &r, &a);
            if (!bn_receive(vm, &r, pairs, size, batch, n))
                return;
            bn_snap(vm, &r, &z);
            bn_report(vm, "rx", tag, size, batch, n, &a, &z);
        }
    nk_down(vm, &r);
}

/* One 64 KiB LSOv2 send over IPv4 (MSS 1460), per wire segment; SENDS of them. */
static void bn_lso(struct vm *vm, bool async)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .add = NKOFF_FEATURES};
    if (!bn_up(vm, &r, &o, async) || !nkoff_enable(vm, false))
        return;
    static uint8_t f[65550];
    unsigned hl = 14 + 20 + 20, payload = 65535 - 40, sends = 4;
    unsigned len = ndis_frame_build(f, 4, 6, payload, 3000, nk_peer, nk_mac, true);
    const uint8_t *frames[1] = {f};
    struct vw_ndis_tx_info info = {.lso = 1460u | (hl - 20) << 20 | VW_LSO_V2_TYPE << 30};
    struct bn_snap a, z;
    unsigned segs = 0;
    for (unsigned i = 0; i <= sends && !vm->failed; i++) {
        if (i == 1)
            bn_snap(vm, &r, &a); /* the first send warms the queue */
        if (!vw_ndis_send_info(vm, frames, &len, &info, 1))
            return;
        VW_EXPECT(vm, nk_wait_completed_since(vm, (struct nk_mark){0}, i + 1) == i + 1,
                  "LSOv2 send %u did not complete", i);
        struct vmodel_net_frame w;
        unsigned n = 0;
        while (!vm->failed && vmodel_net_wire_take(r.net->model, &w))
            n++;
        VW_EXPECT(vm, n == (payload + 1459) / 1460, "LSOv2 send %u: %u segments", i, n);
        segs += i >= 1 ? n : 0;
    }
    if (vm->failed)
        return;
    bn_snap(vm, &r, &z);
    bn_report(vm, "lso", async ? "split pairs 1 async" : "split pairs 1 sync", 65535, 1, segs, &a,
              &z);
    nk_down(vm, &r);
}

/* Receive memory: each queue's frames arrive until every buffer it posted
 * has held one (more than the ring's 256); the shared blocks they lay in
 * are that queue's receive memory. */
static void bn_memory(struct vm *vm, unsigned pairs, bool mrg, bool tso, unsigned mtu)
{
    struct nk_rig r;
    char jumbo[16];
    snprintf(jumbo, sizeof(jumbo), "%u", mtu + 14);
    const char *const kw[] = {"*JumboPacket", jumbo, NULL};
    struct nk_opts o = {.mrg_rxbuf = mrg,
                        .pairs = (uint16_t)pairs,
                        .cpus = (uint16_t)pairs,
                        .mtu = (uint16_t)mtu,
                        .keywords = kw,
                        .add = tso ? 1ull << VIRTIO_NET_F_GUEST_CSUM |
                                         1ull << VIRTIO_NET_F_GUEST_TSO4 |
                                         1ull << VIRTIO_NET_F_GUEST_TSO6
                                   : 0};
    if (!nk_up(vm, &r, &o))
        return;
    uint64_t f = vmodel_driver_features(r.net->dev->model);
    VW_EXPECT(vm, (f >> VIRTIO_NET_F_MRG_RXBUF & 1) == mrg, "MRG_RXBUF negotiated %d, offered %d",
              (int)(f >> VIRTIO_NET_F_MRG_RXBUF & 1), mrg);
    struct vw_ndis_shared sh;
    vw_ndis_shared_memory(vm, &sh, true);
    uint64_t total = 0, lo = UINT64_MAX, hi = 0;
    unsigned blocks = 0;
    for (unsigned q = 0; q < pairs && !vm->failed; q++) {
        static uint8_t fr[64];
        nk_frame(fr, 64, nk_mac, nk_peer, q);
        struct vw_ndis_stats st;
        uint64_t seen = 0;
        /* 10 bursts of 32 pass every buffer of a 256-slot ring; 10 more
         * must find no block not seen yet (else the ring held more) */
        for (unsigned round = 0; round < 20 && !vm->failed; round++) {
            vw_ndis_stats(vm, &st);
            unsigned base = st.indicated;
            for (unsigned k = 0; k < 32; k++) {
                struct vmodel_net_rx_opts ro = {.queue = (int)q};
                vmodel_net_wire_inject(r.net->model, fr, 64, &ro);
            }
            unsigned n = nk_wait_indicated_since(vm, (struct nk_mark){.indicated = base}, 32);
            VW_EXPECT(vm, n == 32, "queue %u: %u of 32 frames indicated", q, n);
            vw_ndis_return_all(vm);
            vw_ndis_shared_memory(vm, &sh, false);
            if (round == 9)
                seen = sh.rx_bytes;
        }
        VW_EXPECT(vm, sh.rx_bytes == seen,
                  "queue %u: receive memory still growing after 320 frames (%llu, then %llu)", q,
                  (unsigned long long)seen, (unsigned long long)sh.rx_bytes);
        vw_ndis_shared_memory(vm, &sh, true);
        total += sh.rx_bytes, blocks += sh.rx_blocks;
        lo = sh.rx_bytes < lo ? sh.rx_bytes : lo;
        hi = sh.rx_bytes > hi ? sh.rx_bytes : hi;
    }
    if (vm->failed)
        return;
    vw_log(vm,
           "BENCH mem pairs %u mrg %d tso %d mtu %u: %llu to %llu receive bytes per queue, "
           "%llu in all (%u blocks), %llu bytes of shared memory in all (%u blocks)",
           pairs, mrg, tso, mtu, (unsigned long long)lo, (unsigned long long)hi,
           (unsigned long long)total, blocks, (unsigned long long)sh.bytes, sh.blocks);
    nk_down(vm, &r);
}

#define BN_PACKETS(P, RING, PACKED)                                                                \
    VW_SCENARIO("bench-net", model_net_##RING##_p##P##_sync, NULL)                                 \
    {                                                                                              \
        bn_packets(vm, P, PACKED, false);                                                          \
    }                                                                                              \
    VW_SCENARIO("bench-net", model_net_##RING##_p##P##_async, NULL)                                \
    {                                                                                              \
        bn_packets(vm, P, PACKED, true);                                                           \
    }

BN_PACKETS(1, split, false)
BN_PACKETS(4, split, false)
BN_PACKETS(1, packed, true)
BN_PACKETS(4, packed, true)

VW_SCENARIO("bench-net", model_lso_sync, NULL)
{
    bn_lso(vm, false);
}

VW_SCENARIO("bench-net", model_lso_async, NULL)
{
    bn_lso(vm, true);
}

#define BN_MEMORY(P, MTU)                                                                          \
    VW_SCENARIO("bench-net", model_mem_p##P##_mtu##MTU##_mrg, NULL)                                \
    {                                                                                              \
        bn_memory(vm, P, true, false, MTU);                                                        \
    }                                                                                              \
    VW_SCENARIO("bench-net", model_mem_p##P##_mtu##MTU##_nomrg, NULL)                              \
    {                                                                                              \
        bn_memory(vm, P, false, false, MTU);                                                       \
    }                                                                                              \
    VW_SCENARIO("bench-net", model_mem_p##P##_mtu##MTU##_mrg_tso, NULL)                            \
    {                                                                                              \
        bn_memory(vm, P, true, true, MTU);                                                         \
    }                                                                                              \
    VW_SCENARIO("bench-net", model_mem_p##P##_mtu##MTU##_nomrg_tso, NULL)                          \
    {                                                                                              \
        bn_memory(vm, P, false, true, MTU);                                                        \
    }

BN_MEMORY(1, 1500)
BN_MEMORY(1, 9000)
BN_MEMORY(4, 1500)
BN_MEMORY(4, 9000)
