/*
 * Every run seed is another device behaviour: the same virtio-blk device
 * (configured seed 0xb1c, asynchronous completion 0..50 us) created under
 * run seeds 0, 1 and 2 completes testdrv/vblk.sys's reads after other
 * delays.  The three devices live in one machine, made one after another
 * as the runner makes a run's devices after vw_run_seed, and are read with
 * every scheduling point taken (scheduling seed 0), so only the device
 * streams can tell them apart.  Planted: with the streams fixed (the
 * derivation before the run seed reached the devices) the three are one.
 */
#include "../../models/virtio/vmodel_blk.h"
#include "blk_common.h"
#include "dev_virtio.h"
#include "kernel.h"

#define RUNS  3  /* run seeds 0, 1, 2 */
#define READS 24 /* reads timed on each device */

/* Per run seed: the virtual time each read took, in 100 ns. */
static void time_reads(struct vm *vm, bool fixed)
{
    char image[300];
    struct vmodel_blk blk[RUNS] = {{.fd = -1}, {.fd = -1}, {.fd = -1}};
    struct vw_virtio *dev[RUNS] = {0};
    static uint64_t took[RUNS][READS];
    const uint64_t run = vm->k->run_seed;
    if (!blk_make_image(vm, "seeds", image, sizeof(image))) {
        vw_fail(vm, "cannot create the disk image");
        return;
    }
    vw_device_seed_fixed(vm, fixed);
    for (unsigned s = 0; s < RUNS && !vm->failed; s++) {
        struct vw_virtio_config cfg = {
            .transport = VMODEL_MODERN,
            .device_type = 2,       /* block */
            .features = 1ull << 32, /* VERSION_1 */
            .queues = 1,
            .queue_max = 64,
            .msix = true,
            .seed = 0xb1c,
            .device_cfg_len = 60,
        };
        vw_run_seed(vm, s);
        dev[s] = vw_virtio_create(vm, &cfg);
        if (dev[s] == NULL || vmodel_blk_open(&blk[s], image, true) != 0) {
            vw_fail(vm, "cannot make device %u", s);
            break;
        }
        vmodel_set_handler(dev[s]->model, vmodel_blk_handler, &blk[s]);
        vmodel_blk_config(&blk[s], dev[s]->model);
    }
    vw_run_seed(vm, run);
    vw_sched_seed(vm, 0); /* every point: the device streams alone differ */
    if (!vm->failed && vw_driver_load(vm, "vblk")) {
        for (unsigned s = 0; s < RUNS && !vm->failed; s++) {
            VW_EXPECT(vm, vw_add_device(vm, dev[s]->pdo), "AddDevice of device %u failed", s);
            VW_EXPECT(vm, vw_pnp(vm, dev[s]->pdo, VW_IRP_MN_START_DEVICE) == 0,
                      "START_DEVICE of device %u failed", s);
            VW_EXPECT(vm, vw_create(vm, dev[s]->pdo) == 0, "IRP_MJ_CREATE on device %u failed", s);
            uint8_t buf[BLK_SECTOR];
            for (unsigned i = 0; i < READS && !vm->failed; i++) {
                uint64_t t0 = vm->k->interrupt_time;
                VW_EXPECT(vm, blk_read(vm, dev[s]->pdo, i, buf) == 0 && buf[0] == blk_pattern(i, 0),
                          "device %u: reading sector %u failed", s, i);
                took[s][i] = vm->k->interrupt_time - t0;
            }
            VW_EXPECT(vm, vw_close(vm, dev[s]->pdo) == 0, "IRP_MJ_CLOSE on device %u failed", s);
        }
        for (unsigned s = 0; s < RUNS; s++)
            if (dev[s] != NULL && !vm->failed)
                vw_pnp(vm, dev[s]->pdo, VW_IRP_MN_REMOVE_DEVICE);
        vw_driver_unload(vm);
    }
    for (unsigned s = 0; s < RUNS; s++)
        vmodel_blk_close(&blk[s]);
    unlink(image);
    for (unsigned a = 0; a < RUNS && !vm->failed; a++) {
        vw_log(vm, "run seed %u: reads took %llu %llu %llu %llu ... (100 ns)", a,
               (unsigned long long)took[a][0], (unsigned long long)took[a][1],
               (unsigned long long)took[a][2], (unsigned long long)took[a][3]);
        for (unsigned b = a + 1; b < RUNS && !vm->failed; b++)
            VW_EXPECT(vm, memcmp(took[a], took[b], sizeof(took[a])) != 0,
                      "device streams identical under run seeds %u and %u: %u reads took the "
                      "same virtual times",
                      a, b, READS);
    }
}

VW_SCENARIO("harness", device_streams_follow_run_seed, NULL)
{
    time_reads(vm, false);
}

VW_SCENARIO("harness", checker_device_streams_fixed, "device streams identical under run seeds")
{
    time_reads(vm, true);
}
