/*
 * The part of bench-storage both rigs share (bench_io.h): the write
 * batches, the counted start and the BENCH line.
 */
#include "bench_io.h"
#include <stdio.h>
#include <string.h>
#include "../../tests/models/virtio/vmodel.h"
#include "cpu.h"
#include "port/storport/stor.h"
#include "scenario.h"
#include "vw_registry.h"

void bench_holdoff(struct vm *vm, unsigned us, const char *base, char *name, size_t cap)
{
    if (us == 0) {
        snprintf(name, cap, "%s", base);
        return;
    }
    uint32_t v = us;
    vw_stor_registry_set(vm, true, "CompletionHoldoff", VW_REG_DWORD, &v, 4);
    snprintf(name, cap, "%s+h%u", base, us);
}

bool bench_writes(struct vm *vm, unsigned count, unsigned qd, uint32_t lba, uint32_t blocks)
{
    static uint8_t cdbs[BENCH_MAX_QD][16], data[BENCH_BLOCK];
    static uint8_t *bufs[BENCH_MAX_QD];
    static unsigned lens[BENCH_MAX_QD];
    static uint32_t sizes[BENCH_MAX_QD];
    static bool in[BENCH_MAX_QD];
    static struct vw_stor_result res[BENCH_MAX_QD];
    for (unsigned done = 0; done < count; done += qd) {
        for (unsigned i = 0; i < qd; i++, lba = (lba + BENCH_BLOCK / 512) % (blocks - 8)) {
            memset(cdbs[i], 0, 16);
            cdbs[i][0] = 0x2a;
            cdbs[i][2] = (uint8_t)(lba >> 24), cdbs[i][3] = (uint8_t)(lba >> 16);
            cdbs[i][4] = (uint8_t)(lba >> 8), cdbs[i][5] = (uint8_t)lba;
            cdbs[i][8] = BENCH_BLOCK / 512;
            bufs[i] = data, lens[i] = 10, sizes[i] = BENCH_BLOCK, in[i] = false;
        }
        if (!vw_stor_scsi_batch(vm, qd, (const uint8_t(*)[16])cdbs, lens, bufs, sizes, in, res))
            return false;
        for (unsigned i = 0; i < qd; i++)
            VW_EXPECT(vm, (res[i].srb_status & 0x3f) == 1, "write: SRB status 0x%02x",
                      res[i].srb_status);
    }
    return !vm->failed;
}

void bench_async(struct vmodel *model, uint16_t first, unsigned count)
{
    for (unsigned q = 0; q < count; q++)
        vmodel_queue_service(model, (uint16_t)(first + q), BENCH_ASYNC_PERIOD);
}

void bench_finish(struct vm *vm)
{
    if (!vm->failed && vw_stor_remove(vm))
        vw_driver_unload(vm);
}

bool bench_start_counted(struct vm *vm, gva_t pdo, const char *driver)
{
    vw_stor_attach_pci(vm, pdo);
    struct vw_stor_config cfg = {.timeout_s = 30};
    if (!vw_driver_load(vm, driver))
        return false;
    if (!vw_cpu_count_insns(vm)) {
        vw_fail(vm, "cannot count the driver's instructions");
        return false;
    }
    if (!vw_stor_start(vm, &cfg))
        return false;
    /* Request i from CPU i mod CPUS, as the I/O of a busy machine comes:
     * each queue gets its share, so outstanding can reach ring x queues. */
    vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
    return true;
}

void bench_measure(struct vm *vm, const struct bench_probe *p, const char *backend, unsigned queues,
                   unsigned qd, uint32_t blocks, uint32_t max_transfer)
{
    if (!bench_writes(vm, 1, 1, 0, blocks))
        return;
    unsigned count = qd == 1 ? 32 : qd == 32 ? 64 : qd <= 256 ? 256 : 512;
    struct vw_stor_stats s0, s1;
    vw_stor_latency_restart(vm);
    vw_stor_stats(vm, &s0);
    const struct vmodel_stats *ms = p->model ? vmodel_stats(p->model) : NULL;
    uint64_t n0 = p->notifications(p->ctx), i0 = vm->insns;
    uint64_t d0 = ms ? ms->descriptors : 0, r0 = ms ? ms->ring_descriptors : 0;
    if (!bench_writes(vm, count, qd, 64, blocks))
        return;
    vw_stor_stats(vm, &s1);
    double n = count;
    char descs[64] = "- descriptors (- in the ring)"; /* an external back end walks them */
    if (ms)
        snprintf(descs, sizeof(descs), "%.2f descriptors (%.2f in the ring)",
                 (double)(ms->descriptors - d0) / n, (double)(ms->ring_descriptors - r0) / n);
    vw_log(
        vm,
        "BENCH %s queues %u qd %u: %u requests, %.3f notifications, %.3f interrupts, %s, "
        "%.0f driver instructions per request, %u outstanding at most, max transfer %u bytes, "
        "latency %.1f us mean %.1f us max",
        backend, queues, qd, count, (double)(p->notifications(p->ctx) - n0) / n,
        (double)(s1.device_interrupts - s0.device_interrupts) / n, descs,
        (double)(vm->insns - i0) / n, s1.max_outstanding, max_transfer,
        (double)(s1.latency_sum - s0.latency_sum) / 10.0 /
            (double)(s1.latency_count > s0.latency_count ? s1.latency_count - s0.latency_count : 1),
        (double)s1.latency_max / 10.0);
}
