/*
 * The crash-dump copy (vw_stor_dump): viostor's second image, HwFindAdapter
 * with "dump=1" at HIGH_LEVEL on the same function, one queue, polled
 * through HwInterrupt; it writes a sector and reads it back while the
 * crashed instance had writes outstanding on a slow device (taken, due in
 * 100 s; the dump copy's reset drops them), and the dump sector lands in
 * the image file.
 */
#include "viostor_test.h"

static void dump_run(struct vm *vm, uint64_t features, uint16_t queues)
{
    struct vs_disk d;
    struct vs_opts o = {.features = features, .queues = queues};
    if (!vs_start(vm, &d, &o))
        goto out;
    /* The crashed instance's writes are taken by the device and due in
     * 100 s; what comes after (the dump's) is quick again. */
    vw_virtio_delay(d.dev, -1, 100 * VS_SECOND, 100 * VS_SECOND, false);
    if (!vw_stor_submit_writes(vm, 6, 900, 0x11))
        goto out;
    vw_virtio_delay(d.dev, -1, 0, VW_VIRTIO_DELAY_MAX, false);
    VW_EXPECT(vm, vmodel_pending(d.dev->model, 0) > 0, "the device holds none of the writes");
    if (!vw_stor_dump(vm, 1000, 0x5d))
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
