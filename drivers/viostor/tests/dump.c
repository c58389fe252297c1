/*
 * The crash-dump copy (vw_stor_dump): viostor's second image, HwFindAdapter
 * with "dump=1" at HIGH_LEVEL on the same function, one queue, polled
 * through HwInterrupt; it writes a sector and reads it back while the
 * crashed instance had writes outstanding on a slow device (taken, due in
 * 100 s; the dump copy's reset drops them), and the dump sector lands in
 * the image file.
 */
#include "viostor_test.h"

/* Started, then the crash: 6 writes of the crashed instance taken by the
 * device and due in 100 s (what comes after, the dump's, is quick again),
 * and the dump copy writes sector 1000 (0x5d) and reads it back.  False if
 * the run failed. */
static bool dump_crash(struct vm *vm, struct vs_disk *d, uint64_t features, uint16_t queues)
{
    struct vs_opts o = {.features = features, .queues = queues};
    if (!vs_start(vm, d, &o))
        return false;
    vw_virtio_delay(d->dev, -1, 100 * VS_SECOND, 100 * VS_SECOND, false);
    if (!vw_stor_submit_writes(vm, 6, 900, 0x11))
        return false;
    vw_virtio_delay(d->dev, -1, 0, VW_VIRTIO_DELAY_MAX, false);
    VW_EXPECT(vm, vmodel_pending(d->dev->model, 0) > 0, "the device holds none of the writes");
    return !vm->failed && vw_stor_dump(vm, 1000, 0x5d);
}

static void dump_run(struct vm *vm, uint64_t features, uint16_t queues)
{
    struct vs_disk d;
    if (!dump_crash(vm, &d, features, queues))
        goto out;
    uint8_t file[512], want[512];
    memset(want, 0x5d, sizeof(want));
    VW_EXPECT(vm, vs_image_read(&d, 1000, file, 512) && memcmp(file, want, 512) == 0,
              "the dump sector is not in the image file");
    /* The machine restarts after a dump: the function goes with it, before
     * StorPort frees the rings the dump copy left live. */
    vw_virtio_unplug(d.dev);
out:
    vs_finish(vm, &d);
}

VW_SCENARIO("viostor", dump_with_io_outstanding, NULL)
{
    dump_run(vm, VS_F_DEFAULT, 1);
}

VW_SCENARIO("viostor", dump_four_queues_packed, NULL)
{
    dump_run(vm, VS_F_DEFAULT | VS_F_PACKED, 4);
}

/* A crash dump, the restart, then hibernation: Windows loads the dump copy
 * at the crash and, after the machine restarted with a fresh viostor, a
 * separate hibernation copy (storage/crash-dump-filter-drivers: the
 * "dump_" and "hiber_" prefixes name two loads of the miniport).  Each
 * copy is a new image at its own base; the dump sector is still there for
 * the restarted instance, and the hibernation file is read back after the
 * resume. */
static void dump_reboot_hibernate(struct vm *vm, uint64_t features, uint16_t queues)
{
    struct vs_disk d;
    if (!dump_crash(vm, &d, features, queues))
        goto out;
    /* The restart resets the function before anything is freed. */
    vw_virtio_platform_reset(d.dev);
    if (!vw_stor_reboot(vm))
        goto out;
    struct vw_stor_config sc = {.timeout_s = 10};
    if (!vw_stor_start(vm, &sc))
        goto out;
    uint8_t cdb[16], sector[512];
    vs_rw16(cdb, false, 1000, 1, false);
    if (!vs_ok(vm, cdb, 16, sector, sizeof(sector), true, "READ of the dump after the restart"))
        goto out;
    for (unsigned i = 0; i < sizeof(sector) && !vm->failed; i++)
        VW_EXPECT(vm, sector[i] == 0x5d, "dump byte %u after the restart: 0x%02x", i, sector[i]);
    if (!vw_stor_hibernate(vm, 2000, 4, 0x70))
        goto out;
    VW_EXPECT(vm, vm->image_copies == 2, "%u second images loaded, not 2 (dump, hibernation)",
              vm->image_copies);
    static uint8_t in[4 * 512];
    vs_rw16(cdb, false, 2000, 4, false);
    if (vs_ok(vm, cdb, 16, in, sizeof(in), true, "READ of the hibernation file after the resume"))
        for (unsigned i = 0; i < sizeof(in) && !vm->failed; i++)
            VW_EXPECT(vm, in[i] == (uint8_t)(0x70 + i / 512), "hibernation file byte %u: 0x%02x", i,
                      in[i]);
out:
    vs_finish(vm, &d);
}

VW_SCENARIO("viostor", dump_reboot_hibernate, NULL)
{
    dump_reboot_hibernate(vm, VS_F_DEFAULT, 1);
}

VW_SCENARIO("viostor", dump_reboot_hibernate_four_queues_packed, NULL)
{
    dump_reboot_hibernate(vm, VS_F_DEFAULT | VS_F_PACKED, 4);
}
