/*
 * The in-process block device (tests/models/virtio/vmodel_blk.c, a disk image
 * file behind the device model): testdrv/vblk.sys reads and writes sectors
 * on every transport and both ring formats, deterministically; a request
 * past the end of the disk fails with the device's I/O error and the driver
 * goes on.
 */
#include "../../models/virtio/vmodel_blk.h"
#include "blk_common.h"
#include "dev_virtio.h"
#include "vw_ntstatus.h"

#define VIRTIO_ID_BLOCK 2
#define F_VERSION_1     (1ull << 32)
#define F_RING_PACKED   (1ull << 34)
#define F_EVENT_IDX     (1ull << 29)

static void run(struct vm *vm, enum vmodel_transport t, bool msix, uint64_t extra)
{
    char image[300];
    struct vmodel_blk blk = {.fd = -1};
    struct vw_virtio_config cfg = {
        .transport = t,
        .device_type = VIRTIO_ID_BLOCK,
        .features = (t == VMODEL_LEGACY ? 0 : F_VERSION_1) | F_EVENT_IDX | extra,
        .queues = 1,
        .queue_max = 64,
        .msix = msix,
        .seed = 0xb1c,
        .device_cfg_len = 60,
    };
    if (!blk_make_image(vm, "file", image, sizeof(image)) ||
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
    blk_read_write_check(vm, dev->pdo, image);

    uint8_t buf[BLK_SECTOR];
    uint32_t status = blk_read(vm, dev->pdo, BLK_SECTORS, buf);
    VW_EXPECT(vm, status == VW_STATUS_IO_DEVICE_ERROR,
              "reading past the end of the disk gave 0x%08x, not an I/O error", status);
    VW_EXPECT(vm, blk.errors == 1, "the device saw %llu bad requests, expected 1",
              (unsigned long long)blk.errors);
    VW_EXPECT(vm, blk_read(vm, dev->pdo, 1, buf) == 0 && buf[0] == blk_pattern(1, 0),
              "the driver does not recover from an I/O error");
    VW_EXPECT(vm, blk.reads == 5 && blk.writes == 1, "%llu reads and %llu writes, expected 5 and 1",
              (unsigned long long)blk.reads, (unsigned long long)blk.writes);

    /* The driver negotiates packed rings and EVENT_IDX where offered. */
    struct {
        uint64_t features;
        uint32_t queues, completed[4];
    } info = {0};
    uint64_t got = 0;
    VW_EXPECT(vm,
              vw_ioctl(vm, dev->pdo, 0x22200cu, NULL, 0, &info, sizeof(info), &got) == 0 &&
                  got == sizeof(info),
              "VBLK_IOCTL_INFO failed");
    uint64_t wanted = t == VMODEL_LEGACY ? F_EVENT_IDX : cfg.features;
    VW_EXPECT(vm,
              (info.features & (F_RING_PACKED | F_EVENT_IDX)) ==
                  (wanted & (F_RING_PACKED | F_EVENT_IDX)),
              "negotiated 0x%llx of offered 0x%llx", (unsigned long long)info.features,
              (unsigned long long)cfg.features);
    VW_EXPECT(vm, vw_close(vm, dev->pdo) == 0, "IRP_MJ_CLOSE failed");
    vw_pnp(vm, dev->pdo, VW_IRP_MN_REMOVE_DEVICE);
    vw_driver_unload(vm);
out:
    vmodel_blk_close(&blk);
    unlink(image);
}

VW_SCENARIO("harness", blk_file_modern_msix_split, NULL)
{
    run(vm, VMODEL_MODERN, true, 0);
}

VW_SCENARIO("harness", blk_file_modern_intx_packed, NULL)
{
    run(vm, VMODEL_MODERN, false, F_RING_PACKED);
}

VW_SCENARIO("harness", blk_file_legacy_intx, NULL)
{
    run(vm, VMODEL_LEGACY, false, 0);
}
