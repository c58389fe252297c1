/*
 * vioscsi on every CPU (CPUS=N; check-harness-cpus64 runs these at 64):
 * commands issued from every CPU at once (VW_STOR_CPU_SPREAD) to one LUN
 * of the in-process target, each started and completed on the CPU that
 * issued it (StorPort's DPC redirection, or the request queue's message
 * on that CPU), several HwStartIo at once on different request queues
 * (concurrent channels), every command answered once with its data right.
 * A device granted fewer messages than queues + 3 shares them (DPC
 * redirection without the message range); one message for everything
 * keeps the StartIo lock.
 */
#include "vioscsi_test.h"
#include "pnp/pnp.h"

#define CPU_REQS   64 /* the class layer's batch */
#define CPU_BLOCKS 8

/* StorPort's STOR_PERF_* (storport/ns-storport-_perf_configuration_data) */
#define SC_PERF_DPC_REDIRECTION          0x01u
#define SC_PERF_CONCURRENT_CHANNELS      0x02u
#define SC_PERF_INTERRUPT_MESSAGE_RANGES 0x04u

/* CPU_REQS writes then reads to 0:0 from every CPU; every result checked, the
 * data against what was written.  SAME_CPU: each completed where issued. */
static void cpus_rw(struct vm *vm, bool same_cpu, unsigned gen)
{
    static uint8_t out[CPU_REQS][CPU_BLOCKS * SC_BLOCK], in[CPU_REQS][CPU_BLOCKS * SC_BLOCK];
    uint8_t cdbs[CPU_REQS][16], *bufs[CPU_REQS];
    unsigned lens[CPU_REQS];
    uint32_t sizes[CPU_REQS];
    bool dir[CPU_REQS];
    struct vw_stor_result res[CPU_REQS];
    unsigned cpus = vw_cpu_count(vm);

    vw_stor_address(vm, 0, 0);
    vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
    for (unsigned pass = 0; pass < 2 && !vm->failed; pass++) {
        for (unsigned i = 0; i < CPU_REQS; i++) {
            unsigned blocks = 1 + i % CPU_BLOCKS;
            uint64_t lba = (uint64_t)i * 16;
            if (pass == 0)
                sc_fill(out[i], blocks * SC_BLOCK, 0, 0, lba, gen + i);
            memset(in[i], 0xcc, sizeof(in[i]));
            sc_rw16(cdbs[i], pass == 0, lba, blocks);
            bufs[i] = pass == 0 ? out[i] : in[i];
            lens[i] = 16, sizes[i] = blocks * SC_BLOCK, dir[i] = pass == 1;
            memset(&res[i], 0xff, sizeof(res[i])); /* an unanswered command shows */
        }
        if (!vw_stor_scsi_batch(vm, CPU_REQS, (const uint8_t(*)[16])cdbs, lens, bufs, sizes, dir,
                                res))
            return;
        unsigned moved = 0;
        for (unsigned i = 0; i < CPU_REQS && !vm->failed; i++) {
            VW_EXPECT(vm,
                      (res[i].srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS &&
                          res[i].scsi_status == 0 && res[i].transferred == sizes[i],
                      "%s %u: SRB 0x%02x, SCSI 0x%02x, %u of %u bytes", pass ? "read" : "write", i,
                      res[i].srb_status, res[i].scsi_status, res[i].transferred, sizes[i]);
            VW_EXPECT(vm, res[i].submit_cpu == i % cpus && res[i].start_cpu == res[i].submit_cpu,
                      "command %u issued on CPU %u, started on CPU %u (CPU %u expected)", i,
                      res[i].submit_cpu, res[i].start_cpu, i % cpus);
            if (res[i].complete_cpu != res[i].submit_cpu)
                moved++;
            if (same_cpu)
                VW_EXPECT(vm, res[i].complete_cpu == res[i].submit_cpu,
                          "%s %u issued on CPU %u completed on CPU %u", pass ? "read" : "write", i,
                          res[i].submit_cpu, res[i].complete_cpu);
        }
        vw_log(vm, "vioscsi cpus: %s: %u of %u completed on another CPU than they came from",
               pass ? "reads" : "writes", moved, CPU_REQS);
    }
    for (unsigned i = 0; i < CPU_REQS && !vm->failed; i++)
        VW_EXPECT(vm, memcmp(in[i], out[i], sizes[i]) == 0, "command %u read back wrong", i);
}

/* QUEUES request queues on MESSAGES vectors (0: one per queue, control,
 * event and configuration) */
static void cpus_run(struct vm *vm, uint16_t queues, uint16_t messages)
{
    struct sc_host h;
    struct sc_opts o;
    sc_defaults(&o);
    o.sc.num_queues = queues;
    o.msix_vectors = messages;
    o.queue_max = 64;
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    /* The unit attention a new I_T nexus reports first, taken as disk.sys does */
    uint8_t tur[6] = {0};
    if (!sc_ok(vm, 0, 0, tur, 6, NULL, 0, false, "TEST UNIT READY"))
        goto out;
    struct vw_stor_stats s0, s;
    vw_stor_stats(vm, &s0);
    unsigned cpus = vw_cpu_count(vm), nq = cpus < queues ? cpus : queues;
    bool each = messages == 0 || messages >= nq + 3, one = messages == 1;
    /* The choice logged: "N request queues on M message(s): one each/shared/all on one" */
    char line[64];
    snprintf(line, sizeof(line), "vioscsi: %u request queues on ", nq);
    stor_expect_logged(vm, line,
                       one    ? "message(s): all on one"
                       : each ? "message(s): one each"
                              : "message(s): shared");
    /* Concurrent channels only for more than one queue (one lock would
     * serialise them as the StartIo lock does) */
    unsigned want = one ? 0
                        : SC_PERF_DPC_REDIRECTION | (nq > 1 ? SC_PERF_CONCURRENT_CHANNELS : 0) |
                              (each ? SC_PERF_INTERRUPT_MESSAGE_RANGES : 0);
    unsigned mask =
        SC_PERF_DPC_REDIRECTION | SC_PERF_CONCURRENT_CHANNELS | SC_PERF_INTERRUPT_MESSAGE_RANGES;
    VW_EXPECT(vm, (s0.perf_flags & mask) == want, "performance options 0x%x (0x%x expected)",
              s0.perf_flags, want);
    cpus_rw(vm, !one, 1);
    /* Again at random scheduling points (seed 0 runs every other CPU's
     * submission at CPU 0's first point, before its HwStartIo), up to four
     * schedules until another CPU's HwStartIo entered CPU 0's */
    unsigned passes = 1;
    for (unsigned k = 0; k < (one || nq < 2 ? 1u : 4u) && !vm->failed; k++) {
        vw_stor_stats(vm, &s);
        if (k != 0 && s.max_concurrent_startio > 1)
            break;
        vw_sched_seed(vm, 0x5c51 + k);
        cpus_rw(vm, !one, 100 * (k + 2));
        passes++;
    }
    vw_stor_stats(vm, &s);
    vw_log(vm,
           "vioscsi cpus: %u CPUs, %u request queues: HwStartIo on CPUs 0x%x, at most %u at "
           "once, %u completed, %u DPCs",
           cpus, nq, s.startio_cpus, s.max_concurrent_startio, s.completed - s0.completed,
           s.dpcs_run - s0.dpcs_run);
    VW_EXPECT(vm, s.resets == 0, "%u bus resets", s.resets);
    VW_EXPECT(vm, s.completed - s0.completed == 2 * passes * CPU_REQS,
              "%u completions for %u commands", s.completed - s0.completed, 2 * passes * CPU_REQS);
    if (!one && nq > 1)
        VW_EXPECT(vm, s.max_concurrent_startio > 1,
                  "HwStartIo never ran on two CPUs at once (%u queues, concurrent channels)", nq);
    if (one)
        VW_EXPECT(vm, s.max_concurrent_startio <= 1, "HwStartIo ran %u at once without channels",
                  s.max_concurrent_startio);
out:
    sc_finish(vm, &h);
}

/* Four request queues, a message each (CPUS=4: one per CPU; 64: shared by 16) */
VW_SCENARIO("vioscsi", cpus_complete_on_submitting_cpu, NULL)
{
    cpus_run(vm, 4, 0);
}

/* Four request queues on five messages: configuration, control and event on
 * their own, the request queues sharing the rest */
VW_SCENARIO("vioscsi", cpus_fewer_messages_shared, NULL)
{
    cpus_run(vm, 4, 5);
}

/* One message for everything: no channels, the StartIo lock */
VW_SCENARIO("vioscsi", cpus_one_message, NULL)
{
    cpus_run(vm, 4, 1);
}
