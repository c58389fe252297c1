/*
 * The vhost-user tier: testdrv/vblk.sys reads and writes sectors of a disk
 * image that qemu-storage-daemon serves (dev_vhost_blk.h).  A missing
 * daemon is a failure, never a pass: `make` installs it (Debian
 * qemu-system-common).
 */
#include "blk_common.h"
#include "dev_vhost_blk.h"

VW_SCENARIO("vhost", blk_read_write_sectors, NULL)
{
    char image[300];
    if (!vw_vhost_blk_available()) {
        VW_EXPECT(vm, false, "qemu-storage-daemon is not installed (Debian qemu-system-common)");
        return;
    }
    VW_EXPECT(vm, blk_make_image(vm, "disk", image, sizeof(image)), "cannot create the disk image");
    struct vw_vhost_blk *blk = vm->failed ? NULL : vw_vhost_blk_create(vm, image);
    if (blk == NULL || !vw_driver_load(vm, "vblk") || !vw_add_device(vm, blk->dev->pdo))
        goto out;
    gva_t pdo = blk->dev->pdo;
    VW_EXPECT(vm, vw_pnp(vm, pdo, VW_IRP_MN_START_DEVICE) == 0, "START_DEVICE failed");
    VW_EXPECT(vm, vw_create(vm, pdo) == 0, "IRP_MJ_CREATE failed");
    blk_read_write_check(vm, pdo, image);
    VW_EXPECT(vm, vw_close(vm, pdo) == 0, "IRP_MJ_CLOSE failed");
    vw_pnp(vm, pdo, VW_IRP_MN_REMOVE_DEVICE);
    vw_driver_unload(vm);
out:
    unlink(image);
}
