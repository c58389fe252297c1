/*
 * bench/net against DPDK testpmd (issue 16, "Benchmark": "harness,
 * in-process model and testpmd"): NetKVM on one queue pair served over
 * vhost-user by testpmd's vhost PMD (macswap forwarding, --no-huge, the
 * fixture of drivers/netkvm/tests/testpmd.c; rings of 64), split and
 * packed.  Each batch of frames sent comes back MAC-swapped, so a packet
 * is a round trip: the kicks the transmit and the receive queue gave the
 * back end and the calls (interrupts) each got are counted apart, the
 * driver instructions together.  testpmd walks its rings itself, so no
 * descriptor count.  Real time: group "bench-net", run by `make
 * bench-net`, never by make check (which runs model_* only).
 */
#include "../../drivers/netkvm/tests/nk_harness.h"
#include "cpu.h"
#include "dev_vhost.h"

#define TPB_MAX 32

/* Lets testpmd and the DPCs run until N frames came back and N sends completed. */
static bool tpb_wait(struct vm *vm, unsigned n)
{
    struct vw_ndis_stats st;
    for (unsigned i = 0; i < 4000 && !vm->failed; i++) {
        vw_ndis_stats(vm, &st);
        if (st.indicated >= n && st.send_completed >= n)
            return true;
        vw_run_for(vm, 100);
    }
    vw_ndis_stats(vm, &st);
    vw_fail(vm, "%u of %u frames back, %u of %u sends completed", st.indicated, n,
            st.send_completed, n);
    return false;
}

/* COUNT frames of SIZE bytes out BATCH per call, each batch back before the next. */
static bool tpb_batches(struct vm *vm, const uint8_t *mac, unsigned size, unsigned batch,
                        unsigned count)
{
    static uint8_t f[TPB_MAX][1514];
    const uint8_t *all[TPB_MAX];
    unsigned lens[TPB_MAX];
    for (unsigned k = 0; k < batch; k++) {
        nk_frame(f[k], size, nk_peer, mac, k);
        all[k] = f[k], lens[k] = size;
    }
    struct vw_ndis_stats st;
    for (unsigned done = 0; done < count && !vm->failed; done += batch) {
        vw_ndis_stats(vm, &st);
        unsigned base = st.indicated > st.send_completed ? st.indicated : st.send_completed;
        if (!vw_ndis_send(vm, all, lens, batch) || !tpb_wait(vm, base + batch) ||
            !vw_ndis_return_all(vm))
            return false;
    }
    return !vm->failed;
}

static void tpb_run(struct vm *vm, bool packed)
{
    if (!vw_vhost_require(vm, &vw_vhost_net) || !vw_cpus_set(vm, 1))
        return;
    struct vw_vhost_params p = {.queues = 2,
                                .extra_queues = 1,
                                .queue_max = 64,
                                .withhold = packed ? 0 : 1ull << NK_F_RING_PACKED};
    struct vw_vhost_dev *net = vw_vhost_create(vm, &vw_vhost_net, &p);
    if (net == NULL)
        return;
    vw_ndis_attach_pci(vm, net->dev->pdo);
    if (vw_driver_load(vm, "netkvm") && vw_ndis_initialize(vm) && vw_ndis_restart(vm) &&
        vw_cpu_count_insns(vm)) {
        struct vw_ndis_stats st;
        vw_ndis_stats(vm, &st);
        static const unsigned sizes[2] = {64, 1514}, batches[3] = {1, 8, 32};
        for (unsigned si = 0; si < 2 && !vm->failed; si++)
            for (unsigned bi = 0; bi < 3 && !vm->failed; bi++) {
                unsigned size = sizes[si], b = batches[bi], n = b == 1 ? 32 : 4 * b;
                if (!tpb_batches(vm, st.mac, size, b, b)) /* warm */
                    break;
                uint64_t rk = net->q[0].kicks, tk = net->q[1].kicks, rc = net->q[0].calls,
                         tc = net->q[1].calls, x = vm->insns;
                if (!tpb_batches(vm, st.mac, size, b, n))
                    break;
                double d = n;
                vw_log(vm,
                       "BENCH testpmd %s pairs 1 size %u batch %u: %u round trips, %.3f tx and "
                       "%.3f rx notifications, %.3f tx and %.3f rx interrupts, %.0f driver "
                       "instructions per round trip",
                       packed ? "packed" : "split", size, b, n, (double)(net->q[1].kicks - tk) / d,
                       (double)(net->q[0].kicks - rk) / d, (double)(net->q[1].calls - tc) / d,
                       (double)(net->q[0].calls - rc) / d, (double)(vm->insns - x) / d);
            }
        if (!vm->failed && vw_ndis_pause(vm) && vw_ndis_halt(vm))
            vw_driver_unload(vm);
    }
    vw_vhost_stop(net);
}

VW_SCENARIO("bench-net", testpmd_split_p1, NULL)
{
    tpb_run(vm, false);
}

VW_SCENARIO("bench-net", testpmd_packed_p1, NULL)
{
    tpb_run(vm, true);
}
