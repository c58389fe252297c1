/*
 * bench/storage (issue 14, "Benchmark"): viostor under the StorPort
 * emulation, per 4 KiB write at queue depth 1, 32 and 256 with 1, 4 and 16
 * queues (as many CPUs), against the in-process blk model and against
 * qemu-storage-daemon: notifications, interrupts, descriptors the model
 * walked and driver instructions (counted by the emulator over the driver
 * image, StartIo to completion: HwBuildIo, HwStartIo, the MSI routine and
 * the DPC) per request,
 * outstanding requests reached and the maximum transfer (VPD 0xB0).
 * Requests come from every CPU in turn (vw_stor_submit_from).  Group
 * "bench-storage": run only by `make bench-storage`, never by the checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../tests/harness/selftest/blk_common.h"
#include "../../tests/models/virtio/vmodel_blk.h"
#include "cpu.h"
#include "dev_vhost.h"
#include "dev_virtio.h"
#include "port/storport/stor.h"
#include "bench_io.h"

struct bench_dev {
    struct vw_virtio *model;    /* the in-process blk model, or */
    struct vw_vhost_dev *vhost; /* qemu-storage-daemon */
};

/* Notifications the device saw so far. */
static uint64_t notifications(const void *ctx)
{
    const struct bench_dev *d = ctx;
    if (d->model)
        return vmodel_stats(d->model->model)->notifies;
    uint64_t n = 0;
    for (unsigned i = 0; i < d->vhost->p.queues; i++)
        n += d->vhost->q[i].kicks;
    return n;
}

/* Measure on a started adapter: the maximum transfer from VPD 0xB0, then
 * the common measurement (bench_io.h). */
static void measure(struct vm *vm, const struct bench_dev *d, const char *backend, unsigned queues,
                    unsigned qd)
{
    uint8_t vpd[64] = {0}, c[16] = {0x12, 0x01, 0xb0, 0, sizeof(vpd)};
    struct vw_stor_result r;
    if (!vw_stor_scsi(vm, c, 6, vpd, sizeof(vpd), true, &r))
        return;
    uint32_t max_blocks = (uint32_t)vpd[8] << 24 | vpd[9] << 16 | vpd[10] << 8 | vpd[11];
    struct bench_probe p = {notifications, d, d->model ? d->model->model : NULL};
    bench_measure(vm, &p, backend, queues, qd, BLK_SECTORS, max_blocks * 512);
}

/* The adapter on the in-process blk model with QUEUES queues and CPUs;
 * ASYNC: the device serves its queues on its own schedule (bench_async);
 * HOLDOFF: CompletionHoldoff in us (0: not set). */
static void bench_model(struct vm *vm, unsigned queues, unsigned qd, bool async, unsigned holdoff)
{
    char name[32];
    bench_holdoff(vm, holdoff, async ? "async" : "model", name, sizeof(name));
    char image[300];
    struct vmodel_blk blk = {.fd = -1};
    vw_cpus_set(vm, queues);
    struct vw_virtio_config cfg = {.transport = VMODEL_MODERN,
                                   .device_type = 2,
                                   .features =
                                       (1ull << 32) | (1ull << 29) | (1ull << 28) | (1ull << 12),
                                   .queues = (uint16_t)queues,
                                   .queue_max = 256,
                                   .msix = true,
                                   .seed = 0xbe4c,
                                   .device_cfg_len = 60};
    if (!blk_make_image(vm, "bench", image, sizeof(image)) ||
        vmodel_blk_open(&blk, image, false) != 0) {
        vw_fail(vm, "cannot create the disk image");
        goto out;
    }
    struct vw_virtio *dev = vw_virtio_create(vm, &cfg);
    if (dev == NULL)
        goto out;
    vmodel_set_handler(dev->model, vmodel_blk_handler, &blk);
    vmodel_blk_config(&blk, dev->model);
    uint8_t nq[2] = {(uint8_t)queues, (uint8_t)(queues >> 8)};
    vmodel_set_device_cfg(dev->model, 34, nq, 2);
    if (async)
        bench_async(dev->model, 0, queues);
    struct bench_dev d = {.model = dev};
    if (bench_start_counted(vm, dev->pdo, "viostor")) {
        measure(vm, &d, name, queues, qd);
        bench_finish(vm);
    }
out:
    vmodel_blk_close(&blk);
    unlink(image);
}

static void bench_qsd(struct vm *vm, unsigned queues, unsigned qd)
{
    char image[300];
    vw_cpus_set(vm, queues);
    if (!vw_vhost_require(vm, &vw_vhost_blk) || !blk_make_image(vm, "bench", image, sizeof(image)))
        return;
    struct vw_vhost_params p = {.target = image, .queues = (uint16_t)queues, .queue_max = 256};
    struct vw_vhost_dev *blk = vw_vhost_create(vm, &vw_vhost_blk, &p);
    if (blk != NULL) {
        struct bench_dev d = {.vhost = blk};
        if (bench_start_counted(vm, blk->dev->pdo, "viostor")) {
            measure(vm, &d, "qsd", queues, qd);
            bench_finish(vm);
        }
        vw_vhost_stop(blk);
    }
    unlink(image);
}

/* Model and async rows with CompletionHoldoff H (us) */
#define BENCH_HOLDOFF(Q, D, H)                                                                     \
    VW_SCENARIO("bench-storage", model_h##H##_q##Q##_qd##D, NULL)                                  \
    {                                                                                              \
        bench_model(vm, Q, D, false, H);                                                           \
    }                                                                                              \
    VW_SCENARIO("bench-storage", async_h##H##_q##Q##_qd##D, NULL)                                  \
    {                                                                                              \
        bench_model(vm, Q, D, true, H);                                                            \
    }

#define BENCH(Q, D)                                                                                \
    VW_SCENARIO("bench-storage", model_q##Q##_qd##D, NULL)                                         \
    {                                                                                              \
        bench_model(vm, Q, D, false, 0);                                                           \
    }                                                                                              \
    VW_SCENARIO("bench-storage", async_q##Q##_qd##D, NULL)                                         \
    {                                                                                              \
        bench_model(vm, Q, D, true, 0);                                                            \
    }                                                                                              \
    VW_SCENARIO("bench-storage", qsd_q##Q##_qd##D, NULL)                                           \
    {                                                                                              \
        bench_qsd(vm, Q, D);                                                                       \
    }

BENCH(1, 1)
BENCH(1, 32)
BENCH(1, 256)
BENCH(4, 1)
BENCH(4, 32)
BENCH(4, 256)
BENCH(16, 1)
BENCH(16, 32)
BENCH(16, 256)
/* QD 32 per queue (fio's iodepth per job): 4 x 32 and 16 x 32 at once */
BENCH(4, 128)
BENCH(16, 512)

BENCH_HOLDOFF(1, 1, 100)
BENCH_HOLDOFF(1, 32, 100)
BENCH_HOLDOFF(1, 256, 100)
BENCH_HOLDOFF(4, 1, 100)
BENCH_HOLDOFF(4, 32, 100)
BENCH_HOLDOFF(4, 128, 100)
BENCH_HOLDOFF(4, 256, 100)
BENCH_HOLDOFF(16, 1, 100)
BENCH_HOLDOFF(16, 32, 100)
BENCH_HOLDOFF(16, 256, 100)
BENCH_HOLDOFF(16, 512, 100)
BENCH_HOLDOFF(1, 1, 1000)
BENCH_HOLDOFF(1, 32, 1000)
BENCH_HOLDOFF(1, 256, 1000)
BENCH_HOLDOFF(4, 32, 1000)
BENCH_HOLDOFF(4, 128, 1000)
BENCH_HOLDOFF(16, 32, 1000)
BENCH_HOLDOFF(16, 512, 1000)
