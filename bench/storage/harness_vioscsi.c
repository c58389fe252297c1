/*
 * bench/storage for vioscsi (issue 15, "Benchmark"): per 4 KiB write at
 * queue depth 1, 32 and 256 with 1, 4 and 16 request queues (as many
 * CPUs), against the in-process SCSI target (mem_target) and against tgt
 * (the runner's tgtd, drivers/vioscsi/tests/tgt_shared.c) at QD 32:
 * notifications the device saw, interrupts it raised, descriptors it
 * walked and driver instructions (counted by the emulator over the driver
 * image, StartIo to completion) per request, the most requests outstanding at the miniport
 * and the maximum transfer StorPort was told.  Requests come from every
 * CPU in turn; scsiasync_*: the model serves its request queues on its
 * own schedule.  Group "bench-storage": run only by `make bench-storage`.
 */
#include <stdlib.h>
#include <string.h>
#include "../../drivers/vioscsi/tests/vioscsi_test.h"
#include "bench_io.h"
#include "cpu.h"

/* Notifications the virtio-scsi model saw so far. */
static uint64_t scsi_notifications(const void *ctx)
{
    const struct sc_host *h = ctx;
    return vmodel_stats(h->scsi->dev->model)->notifies;
}

/* Measure on a started adapter at T:L (bench_io.h) */
static void scsi_measure(struct vm *vm, struct sc_host *h, const char *backend, unsigned queues,
                         unsigned qd, uint8_t t, uint8_t l, uint32_t blocks)
{
    uint8_t tur[6] = {0};
    if (!sc_ok(vm, t, l, tur, 6, NULL, 0, false, "TEST UNIT READY"))
        return;
    vw_stor_address(vm, t, l);
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    struct bench_probe p = {scsi_notifications, h, h->scsi->dev->model};
    bench_measure(vm, &p, backend, queues, qd, blocks, st.max_transfer);
}

/* The common options: QUEUES request queues and CPUs, 256-slot rings */
static void scsi_opts(struct vm *vm, struct sc_opts *o, unsigned queues)
{
    vw_cpus_set(vm, queues);
    sc_defaults(o);
    o->sc.num_queues = queues;
    o->sc.cmd_per_lun = BENCH_MAX_QD;
    o->queue_max = 256;
    o->targets = 1;
    o->luns = 1;
    o->blocks = 8192;
    o->timeout_s = 30;
}

static void bench_scsi_mem(struct vm *vm, unsigned queues, unsigned qd, bool async,
                           unsigned holdoff)
{
    struct sc_opts o;
    struct sc_host h;
    char name[32];
    bench_holdoff(vm, holdoff, async ? "scsiasync" : "scsimem", name, sizeof(name));
    scsi_opts(vm, &o, queues);
    memset(&h, 0, sizeof(h));
    h.mem = mem_target_create(o.targets, o.luns, o.blocks);
    if (h.mem == NULL) {
        vw_fail(vm, "cannot create the in-process SCSI target");
        return;
    }
    struct vw_scsi_config c = sc_function(&o);
    h.scsi = vw_scsi_create(vm, &c, mem_target_base(h.mem), false);
    /* virtio-scsi queues: control 0, event 1, requests from 2 (spec 5.6.2);
     * ASYNC: the device serves them on its own schedule (bench_async). */
    if (async && h.scsi != NULL)
        bench_async(h.scsi->dev->model, 2, queues);
    if (h.scsi != NULL && bench_start_counted(vm, h.scsi->dev->pdo, "vioscsi")) {
        h.started = true;
        scsi_measure(vm, &h, name, queues, qd, 0, 0, (uint32_t)o.blocks);
    }
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

#define SCSI_BENCH_HOLDOFF(Q, D, H)                                                                \
    VW_SCENARIO("bench-storage", scsimem_h##H##_q##Q##_qd##D, NULL)                                \
    {                                                                                              \
        bench_scsi_mem(vm, Q, D, false, H);                                                        \
    }                                                                                              \
    VW_SCENARIO("bench-storage", scsiasync_h##H##_q##Q##_qd##D, NULL)                              \
    {                                                                                              \
        bench_scsi_mem(vm, Q, D, true, H);                                                         \
    }
#define SCSI_BENCH(Q, D)                                                                           \
    VW_SCENARIO("bench-storage", scsimem_q##Q##_qd##D, NULL)                                       \
    {                                                                                              \
        bench_scsi_mem(vm, Q, D, false, 0);                                                        \
    }                                                                                              \
    VW_SCENARIO("bench-storage", scsiasync_q##Q##_qd##D, NULL)                                     \
    {                                                                                              \
        bench_scsi_mem(vm, Q, D, true, 0);                                                         \
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
/* QD 32 per queue (fio's iodepth per job): 4 x 32 and 16 x 32 at once */
SCSI_BENCH(4, 128)
SCSI_BENCH(16, 512)

SCSI_BENCH_HOLDOFF(1, 1, 100)
SCSI_BENCH_HOLDOFF(1, 32, 100)
SCSI_BENCH_HOLDOFF(1, 256, 100)
SCSI_BENCH_HOLDOFF(4, 1, 100)
SCSI_BENCH_HOLDOFF(4, 32, 100)
SCSI_BENCH_HOLDOFF(4, 128, 100)
SCSI_BENCH_HOLDOFF(4, 256, 100)
SCSI_BENCH_HOLDOFF(16, 1, 100)
SCSI_BENCH_HOLDOFF(16, 32, 100)
SCSI_BENCH_HOLDOFF(16, 256, 100)
SCSI_BENCH_HOLDOFF(16, 512, 100)
SCSI_BENCH_HOLDOFF(1, 1, 1000)
SCSI_BENCH_HOLDOFF(1, 32, 1000)
SCSI_BENCH_HOLDOFF(1, 256, 1000)
SCSI_BENCH_HOLDOFF(4, 32, 1000)
SCSI_BENCH_HOLDOFF(4, 128, 1000)
SCSI_BENCH_HOLDOFF(16, 32, 1000)
SCSI_BENCH_HOLDOFF(16, 512, 1000)

VW_SCENARIO("bench-storage", scsitgt_q1_qd32, NULL)
{
    bench_scsi_tgt(vm, 1, 32);
}

VW_SCENARIO("bench-storage", scsitgt_q4_qd32, NULL)
{
    bench_scsi_tgt(vm, 4, 32);
}
