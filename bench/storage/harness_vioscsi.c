/*
 * bench/storage for vioscsi (issue 15, "Benchmark"): per 4 KiB write at
 * queue depth 1, 32 and 256 with 1, 4 and 16 request queues (as many
 * CPUs), against the in-process SCSI target (mem_target) and against tgt
 * (the runner's tgtd, drivers/vioscsi/tests/tgt_shared.c) at QD 32:
 * notifications the device saw, interrupts it raised and driver
 * instructions (counted by the emulator over the driver image, StartIo to
 * completion) per request, the most requests outstanding at the miniport
 * and the maximum transfer StorPort was told.  Requests come from every
 * CPU in turn.  Group "bench-storage": run only by `make bench-storage`.
 */
#include <stdlib.h>
#include "../../drivers/vioscsi/tests/vioscsi_test.h"
#include "cpu.h"

#define SB_BLOCK  4096u
#define SB_MAX_QD 256u

/* COUNT 4 KiB WRITE(10)s at QD to T:L from LBA (wrapping within BLOCKS) */
static bool scsi_writes(struct vm *vm, unsigned count, unsigned qd, uint32_t lba, uint32_t blocks)
{
    static uint8_t cdbs[SB_MAX_QD][16], data[SB_BLOCK];
    static uint8_t *bufs[SB_MAX_QD];
    static unsigned lens[SB_MAX_QD];
    static uint32_t sizes[SB_MAX_QD];
    static bool in[SB_MAX_QD];
    static struct vw_stor_result res[SB_MAX_QD];
    for (unsigned done = 0; done < count; done += qd) {
        for (unsigned i = 0; i < qd; i++, lba = (lba + SB_BLOCK / 512) % (blocks - 8)) {
            memset(cdbs[i], 0, 16);
            cdbs[i][0] = 0x2a;
            sc_put_be(cdbs[i] + 2, lba, 4);
            cdbs[i][8] = SB_BLOCK / 512;
            bufs[i] = data, lens[i] = 10, sizes[i] = SB_BLOCK, in[i] = false;
        }
        if (!vw_stor_scsi_batch(vm, qd, (const uint8_t(*)[16])cdbs, lens, bufs, sizes, in, res))
            return false;
        for (unsigned i = 0; i < qd; i++)
            VW_EXPECT(vm, (res[i].srb_status & SC_SRB_MASK) == SC_SRB_SUCCESS,
                      "write: SRB status 0x%02x", res[i].srb_status);
    }
    return !vm->failed;
}

/* vioscsi loaded on H's function, instructions counted from then on, started */
static bool scsi_boot_counted(struct vm *vm, struct sc_host *h)
{
    vw_stor_attach_pci(vm, h->scsi->dev->pdo);
    struct vw_stor_config cfg = {.timeout_s = 30};
    if (!vw_driver_load(vm, "vioscsi"))
        return false;
    if (!vw_cpu_count_insns(vm)) {
        vw_fail(vm, "cannot count the driver's instructions");
        return false;
    }
    if (!vw_stor_start(vm, &cfg))
        return false;
    h->started = true;
    vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
    return true;
}

/* Measure on a started adapter at T:L and log one BENCH line */
static void scsi_measure(struct vm *vm, struct sc_host *h, const char *backend, unsigned queues,
                         unsigned qd, uint8_t t, uint8_t l, uint32_t blocks)
{
    uint8_t tur[6] = {0};
    if (!sc_ok(vm, t, l, tur, 6, NULL, 0, false, "TEST UNIT READY"))
        return;
    vw_stor_address(vm, t, l);
    if (!scsi_writes(vm, 1, 1, 0, blocks))
        return;
    unsigned count = qd == 1 ? 32 : qd == 32 ? 64 : 256;
    struct vw_stor_stats s0, s1;
    vw_stor_stats(vm, &s0);
    const struct vmodel_stats *ms = vmodel_stats(h->scsi->dev->model);
    uint64_t n0 = ms->notifies, i0 = vm->insns;
    if (!scsi_writes(vm, count, qd, 64, blocks))
        return;
    vw_stor_stats(vm, &s1);
    double n = count;
    vw_log(vm,
           "BENCH %s queues %u qd %u: %u requests, %.3f notifications, %.3f interrupts, %.0f "
           "driver instructions per request, %u outstanding at most, max transfer %u bytes",
           backend, queues, qd, count, (double)(ms->notifies - n0) / n,
           (double)(s1.device_interrupts - s0.device_interrupts) / n, (double)(vm->insns - i0) / n,
           s1.max_outstanding, s1.max_transfer);
}

/* The common options: QUEUES request queues and CPUs, 256-slot rings */
static void scsi_opts(struct vm *vm, struct sc_opts *o, unsigned queues)
{
    vw_cpus_set(vm, queues);
    sc_defaults(o);
    o->sc.num_queues = queues;
    o->sc.cmd_per_lun = SB_MAX_QD;
    o->queue_max = 256;
    o->targets = 1;
    o->luns = 1;
    o->blocks = 8192;
    o->timeout_s = 30;
}

static void bench_scsi_mem(struct vm *vm, unsigned queues, unsigned qd)
{
    struct sc_opts o;
    struct sc_host h;
    scsi_opts(vm, &o, queues);
    memset(&h, 0, sizeof(h));
    h.mem = mem_target_create(o.targets, o.luns, o.blocks);
    if (h.mem == NULL) {
        vw_fail(vm, "cannot create the in-process SCSI target");
        return;
    }
    struct vw_scsi_config c = sc_function(&o);
    h.scsi = vw_scsi_create(vm, &c, mem_target_base(h.mem), false);
    if (h.scsi != NULL && scsi_boot_counted(vm, &h))
        scsi_measure(vm, &h, "scsimem", queues, qd, 0, 0, (uint32_t)o.blocks);
    sc_finish(vm, &h);
}

/* tgt: the LUN is 4 MiB (SC_TGT_LUN_BYTES) */
static void bench_scsi_tgt(struct vm *vm, unsigned queues, unsigned qd)
{
    struct sc_opts o;
    struct sc_host h;
    scsi_opts(vm, &o, queues);
    /* sc_start_tgt boots without counting: count from after the start */
    if (sc_start_tgt(vm, &h, &o)) {
        if (!vw_cpu_count_insns(vm))
            vw_fail(vm, "cannot count the driver's instructions");
        vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
        scsi_measure(vm, &h, "scsitgt", queues, qd, 0, 1, SC_TGT_LUN_BYTES / 512);
    }
    sc_finish(vm, &h);
}

#define SCSI_BENCH(Q, D)                                                                           \
    VW_SCENARIO("bench-storage", scsimem_q##Q##_qd##D, NULL)                                       \
    {                                                                                              \
        bench_scsi_mem(vm, Q, D);                                                                  \
    }

SCSI_BENCH(1, 1)
SCSI_BENCH(1, 32)
SCSI_BENCH(1, 256)
SCSI_BENCH(4, 1)
SCSI_BENCH(4, 32)
SCSI_BENCH(4, 256)
SCSI_BENCH(16, 1)
SCSI_BENCH(16, 32)
SCSI_BENCH(16, 256)

VW_SCENARIO("bench-storage", scsitgt_q1_qd32, NULL)
{
    bench_scsi_tgt(vm, 1, 32);
}

VW_SCENARIO("bench-storage", scsitgt_q4_qd32, NULL)
{
    bench_scsi_tgt(vm, 4, 32);
}
