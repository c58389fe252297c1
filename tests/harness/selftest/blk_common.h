/*
 * Shared steps of the block scenarios (testdrv/vblk.sys against the
 * in-process model, blk_file.c, and against qemu-storage-daemon,
 * vhost_blk.c): a patterned disk image, sector reads and writes through the
 * driver's two IOCTLs.
 */
#pragma once
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "scenario.h"

#define VBLK_IOCTL_READ  0x222004u
#define VBLK_IOCTL_WRITE 0x222008u
#define BLK_SECTOR       512
#define BLK_SECTORS      2048

static inline uint8_t blk_pattern(unsigned sector, unsigned i)
{
    return (uint8_t)(sector * 7 + i * 13 + 1);
}

/* DIR/NAME-<pid>.img holding BLK_SECTORS patterned sectors. */
static inline bool blk_make_image(struct vm *vm, const char *name, char *path, size_t cap)
{
    char dir[200];
    snprintf(dir, sizeof(dir), "%s/vhost", vm->build_dir);
    mkdir(dir, 0755);
    snprintf(path, cap, "%s/%s-%d.img", dir, name, (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return false;
    uint8_t buf[BLK_SECTOR];
    bool ok = true;
    for (unsigned s = 0; s < BLK_SECTORS && ok; s++) {
        for (unsigned i = 0; i < BLK_SECTOR; i++)
            buf[i] = blk_pattern(s, i);
        ok = write(fd, buf, BLK_SECTOR) == BLK_SECTOR;
    }
    close(fd);
    return ok;
}

static inline uint32_t blk_read(struct vm *vm, gva_t pdo, uint64_t sector, uint8_t *out)
{
    uint64_t info = 0;
    uint32_t status = vw_ioctl(vm, pdo, VBLK_IOCTL_READ, &sector, 8, out, BLK_SECTOR, &info);
    if (status == 0 && info != BLK_SECTOR)
        vw_fail(vm, "reading sector %llu returned %llu bytes", (unsigned long long)sector,
                (unsigned long long)info);
    return status;
}

static inline uint32_t blk_write(struct vm *vm, gva_t pdo, uint64_t sector, const uint8_t *data)
{
    uint8_t req[8 + BLK_SECTOR];
    memcpy(req, &sector, 8);
    memcpy(req + 8, data, BLK_SECTOR);
    return vw_ioctl(vm, pdo, VBLK_IOCTL_WRITE, req, sizeof(req), NULL, 0, NULL);
}

/* Sectors 0, 100, 200 read as the pattern; sector 8 written lands in the
 * image file and reads back. */
static inline void blk_read_write_check(struct vm *vm, gva_t pdo, const char *image)
{
    uint8_t got[BLK_SECTOR], want[BLK_SECTOR];
    for (unsigned s = 0; s < 300 && !vm->failed; s += 100) {
        uint32_t status = blk_read(vm, pdo, s, got);
        VW_EXPECT(vm, status == 0, "reading sector %u: 0x%08x", s, status);
        for (unsigned i = 0; i < BLK_SECTOR; i++)
            want[i] = blk_pattern(s, i);
        VW_EXPECT(vm, memcmp(got, want, BLK_SECTOR) == 0, "sector %u differs from the image", s);
    }
    for (unsigned i = 0; i < BLK_SECTOR; i++)
        want[i] = (uint8_t)(0xa5 ^ i);
    uint32_t status = blk_write(vm, pdo, 8, want);
    VW_EXPECT(vm, status == 0, "writing sector 8: 0x%08x", status);
    int fd = open(image, O_RDONLY | O_CLOEXEC);
    VW_EXPECT(vm,
              fd >= 0 && pread(fd, got, BLK_SECTOR, 8 * BLK_SECTOR) == BLK_SECTOR &&
                  memcmp(got, want, BLK_SECTOR) == 0,
              "the image does not hold what was written to sector 8");
    if (fd >= 0)
        close(fd);
    status = blk_read(vm, pdo, 8, got);
    VW_EXPECT(vm, status == 0 && memcmp(got, want, BLK_SECTOR) == 0,
              "sector 8 reads back differently");
}
