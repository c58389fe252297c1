/*
 * The vhost-user tier: testdrv/vblk.sys reads and writes sectors of a disk
 * image that qemu-storage-daemon serves (dev_vhost_blk.h).  Skipped, with a
 * log line, when the daemon is not installed (Debian qemu-system-common).
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "dev_vhost_blk.h"
#include "scenario.h"

#define VBLK_IOCTL_READ  0x222004u
#define VBLK_IOCTL_WRITE 0x222008u
#define SECTOR           512
#define SECTORS          2048

static uint8_t pattern(unsigned sector, unsigned i)
{
    return (uint8_t)(sector * 7 + i * 13 + 1);
}

static bool make_image(struct vm *vm, char *path, size_t cap)
{
    snprintf(path, cap, "%s/vhost/disk-%d.img", vm->build_dir, (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return false;
    uint8_t buf[SECTOR];
    bool ok = true;
    for (unsigned s = 0; s < SECTORS && ok; s++) {
        for (unsigned i = 0; i < SECTOR; i++)
            buf[i] = pattern(s, i);
        ok = write(fd, buf, SECTOR) == SECTOR;
    }
    close(fd);
    return ok;
}

static void read_sector(struct vm *vm, gva_t pdo, uint64_t sector, uint8_t *out)
{
    uint64_t info = 0;
    uint32_t status = vw_ioctl(vm, pdo, VBLK_IOCTL_READ, &sector, 8, out, SECTOR, &info);
    VW_EXPECT(vm, status == 0 && info == SECTOR, "reading sector %llu: 0x%08x, %llu bytes",
              (unsigned long long)sector, status, (unsigned long long)info);
}

VW_SCENARIO("vhost", blk_read_write_sectors, NULL)
{
    char image[300];
    if (!vw_vhost_blk_available()) {
        vw_log(vm, "skipped: qemu-storage-daemon is not installed (qemu-system-common)");
        return;
    }
    char dir[200];
    snprintf(dir, sizeof(dir), "%s/vhost", vm->build_dir);
    mkdir(dir, 0755);
    VW_EXPECT(vm, make_image(vm, image, sizeof(image)), "cannot create the disk image");
    struct vw_vhost_blk *blk = vm->failed ? NULL : vw_vhost_blk_create(vm, image);
    if (blk == NULL || !vw_driver_load(vm, "vblk") || !vw_add_device(vm, blk->dev->pdo))
        goto out;
    gva_t pdo = blk->dev->pdo;
    VW_EXPECT(vm, vw_pnp(vm, pdo, VW_IRP_MN_START_DEVICE) == 0, "START_DEVICE failed");
    VW_EXPECT(vm, vw_create(vm, pdo) == 0, "IRP_MJ_CREATE failed");

    uint8_t got[SECTOR], want[SECTOR];
    for (uint64_t s = 0; s < 3 && !vm->failed; s++) {
        read_sector(vm, pdo, s * 100, got);
        for (unsigned i = 0; i < SECTOR; i++)
            want[i] = pattern((unsigned)s * 100, i);
        VW_EXPECT(vm, memcmp(got, want, SECTOR) == 0, "sector %llu differs from the image",
                  (unsigned long long)s * 100);
    }
    /* Write sector 8; the image file and a read through the driver agree. */
    uint8_t req[8 + SECTOR];
    uint64_t sector = 8;
    memcpy(req, &sector, 8);
    for (unsigned i = 0; i < SECTOR; i++)
        req[8 + i] = (uint8_t)(0xa5 ^ i);
    uint32_t status = vw_ioctl(vm, pdo, VBLK_IOCTL_WRITE, req, sizeof(req), NULL, 0, NULL);
    VW_EXPECT(vm, status == 0, "writing sector 8: 0x%08x", status);
    int fd = open(image, O_RDONLY | O_CLOEXEC);
    VW_EXPECT(vm,
              fd >= 0 && pread(fd, got, SECTOR, 8 * SECTOR) == SECTOR &&
                  memcmp(got, req + 8, SECTOR) == 0,
              "the image does not hold what was written to sector 8");
    if (fd >= 0)
        close(fd);
    read_sector(vm, pdo, 8, got);
    VW_EXPECT(vm, memcmp(got, req + 8, SECTOR) == 0, "sector 8 reads back differently");

    VW_EXPECT(vm, vw_close(vm, pdo) == 0, "IRP_MJ_CLOSE failed");
    vw_pnp(vm, pdo, VW_IRP_MN_REMOVE_DEVICE);
    vw_driver_unload(vm);
out:
    unlink(image);
}
