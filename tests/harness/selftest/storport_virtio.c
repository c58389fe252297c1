/*
 * The virtio device's claim on memory that StorPort checks at every
 * RequestComplete (vw_virtio_owns, registered by dev_virtio through
 * vw_stor_add_owner_check): while testdrv/vblk.sys waits for a read the
 * device holds, the device claims the request's memory; once the read
 * completed, it claims nothing.
 */
#include <stdio.h>
#include "../../models/virtio/vmodel_blk.h"
#include "blk_common.h"
#include "dev_virtio.h"

struct claim {
    struct vw_virtio *dev;
    bool checked, owned;
    char what[160];
};

/* The "other thread" at the driver's wait: what does the device own? */
static void look(struct vm *vm, void *ctx)
{
    struct claim *c = ctx;
    c->checked = true;
    c->owned = vw_virtio_owns(vm, c->dev, 0, 1ull << 40, c->what, sizeof(c->what));
}

/* vblk on a device offering FEATURES: a held read claimed, then nothing. */
static void claim_run(struct vm *vm, uint64_t features)
{
    char image[300];
    struct vmodel_blk blk = {.fd = -1};
    struct vw_virtio_config cfg = {.transport = VMODEL_MODERN,
                                   .device_type = 2,
                                   .features = features,
                                   .queues = 1,
                                   .queue_max = 64,
                                   .msix = true,
                                   .seed = 0xc1a,
                                   .device_cfg_len = 60};
    if (!blk_make_image(vm, "claim", image, sizeof(image)) ||
        vmodel_blk_open(&blk, image, false) != 0) {
        vw_fail(vm, "cannot create the disk image");
        goto out;
    }
    struct vw_virtio *dev = vw_virtio_create(vm, &cfg);
    if (dev == NULL)
        goto out;
    vmodel_set_handler(dev->model, vmodel_blk_handler, &blk);
    vmodel_blk_config(&blk, dev->model);
    if (!vw_driver_load(vm, "vblk") || !vw_add_device(vm, dev->pdo))
        goto out;
    VW_EXPECT(vm, vw_pnp(vm, dev->pdo, VW_IRP_MN_START_DEVICE) == 0, "START_DEVICE failed");
    VW_EXPECT(vm, vw_create(vm, dev->pdo) == 0, "IRP_MJ_CREATE failed");
    struct claim c = {.dev = dev};
    uint8_t buf[BLK_SECTOR];
    vw_virtio_hang_queue(dev, 0, 10000); /* 1 ms: held across the driver's wait */
    vw_on_next_wait(vm, look, &c);
    VW_EXPECT(vm, blk_read(vm, dev->pdo, 3, buf) == 0 && buf[0] == blk_pattern(3, 0),
              "the held read did not complete with the sector");
    VW_EXPECT(vm, (vmodel_driver_features(dev->model) & features) == features,
              "vblk took features 0x%llx of 0x%llx",
              (unsigned long long)vmodel_driver_features(dev->model), (unsigned long long)features);
    VW_EXPECT(vm, c.checked && c.owned, "while the read was held the device claimed nothing");
    if (c.owned)
        vw_log(vm, "claimed while held: %s", c.what);
    char what[160];
    VW_EXPECT(vm, !vw_virtio_owns(vm, dev, 0, 1ull << 40, what, sizeof(what)),
              "after the read completed the device still claims %s", what);
    VW_EXPECT(vm, vw_close(vm, dev->pdo) == 0, "IRP_MJ_CLOSE failed");
    vw_pnp(vm, dev->pdo, VW_IRP_MN_REMOVE_DEVICE);
    vw_driver_unload(vm);
out:
    vmodel_blk_close(&blk);
    unlink(image);
}

VW_SCENARIO("harness", storport_virtio_device_claim, NULL)
{
    claim_run(vm, (1ull << 32) | (1ull << 29));
}

/* Packed: the held chain is claimed from the model's copy of it, by buffer */
VW_SCENARIO("harness", storport_virtio_device_claim_packed, NULL)
{
    claim_run(vm, (1ull << 32) | (1ull << 29) | (1ull << 34));
}
