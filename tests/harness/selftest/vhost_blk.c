/*
 * The vhost-user tier, block: testdrv/vblk.sys reads and writes sectors of a
 * disk image that qemu-storage-daemon serves with 4 queues through the
 * generic front end (dev_vhost.h), each queue with its own kick, call and
 * MSI-X message, with and without EVENT_IDX.  Every sector written is
 * compared with the image file on the host.  A missing daemon is a
 * failure, never a pass: `make` installs it (Debian qemu-system-common).
 */
#include "blk_common.h"
#include "dev_vhost.h"

#define VBLK_IOCTL_INFO 0x22200cu
#define BLK_QUEUES      4
#define F_EVENT_IDX     29
#define F_RING_PACKED   34

struct vblk_info {
    uint64_t features;
    uint32_t queues;
    uint32_t completed[4];
};

/* Sectors 16..23 (two per queue) written with a fresh pattern land in the
 * image file and read back. */
static void write_every_queue(struct vm *vm, gva_t pdo, const char *image)
{
    uint8_t want[BLK_SECTOR], got[BLK_SECTOR];
    int fd = open(image, O_RDONLY | O_CLOEXEC);
    VW_EXPECT(vm, fd >= 0, "cannot open the image");
    for (unsigned s = 16; s < 24 && !vm->failed; s++) {
        for (unsigned i = 0; i < BLK_SECTOR; i++)
            want[i] = (uint8_t)(s * 31 + i * 5 + 3);
        uint32_t status = blk_write(vm, pdo, s, want);
        VW_EXPECT(vm, status == 0, "writing sector %u: 0x%08x", s, status);
        VW_EXPECT(vm,
                  pread(fd, got, BLK_SECTOR, (off_t)s * BLK_SECTOR) == BLK_SECTOR &&
                      memcmp(got, want, BLK_SECTOR) == 0,
                  "the image does not hold what was written to sector %u", s);
        status = blk_read(vm, pdo, s, got);
        VW_EXPECT(vm, status == 0 && memcmp(got, want, BLK_SECTOR) == 0,
                  "sector %u reads back differently", s);
    }
    if (fd >= 0)
        close(fd);
}

static void run(struct vm *vm, uint64_t withhold)
{
    char image[300];
    if (!vw_vhost_require(vm, &vw_vhost_blk))
        return;
    VW_EXPECT(vm, blk_make_image(vm, "disk", image, sizeof(image)), "cannot create the disk image");
    struct vw_vhost_params p = {
        .target = image, .queues = BLK_QUEUES, .queue_max = 128, .withhold = withhold};
    struct vw_vhost_dev *blk = vm->failed ? NULL : vw_vhost_create(vm, &vw_vhost_blk, &p);
    if (blk == NULL || !vw_driver_load(vm, "vblk") || !vw_add_device(vm, blk->dev->pdo))
        goto out;
    gva_t pdo = blk->dev->pdo;
    VW_EXPECT(vm, vw_pnp(vm, pdo, VW_IRP_MN_START_DEVICE) == 0, "START_DEVICE failed");
    VW_EXPECT(vm, vw_create(vm, pdo) == 0, "IRP_MJ_CREATE failed");
    blk_read_write_check(vm, pdo, image);
    write_every_queue(vm, pdo, image);

    struct vblk_info info = {0};
    uint64_t got = 0;
    VW_EXPECT(vm,
              vw_ioctl(vm, pdo, VBLK_IOCTL_INFO, NULL, 0, &info, sizeof(info), &got) == 0 &&
                  got == sizeof(info),
              "VBLK_IOCTL_INFO failed");
    bool event_idx = !(withhold >> F_EVENT_IDX & 1);
    VW_EXPECT(vm, info.queues == BLK_QUEUES, "the driver uses %u queues, not %u", info.queues,
              BLK_QUEUES);
    VW_EXPECT(vm, (info.features >> F_EVENT_IDX & 1) == event_idx,
              "EVENT_IDX negotiated: %d, offered: %d", (int)(info.features >> F_EVENT_IDX & 1),
              event_idx);
    for (unsigned i = 0; i < BLK_QUEUES && !vm->failed; i++) {
        VW_EXPECT(vm, info.completed[i] >= 2 && blk->q[i].kicks > 0 && blk->q[i].calls > 0,
                  "queue %u: %u completions, %llu kicks, %llu calls", i, info.completed[i],
                  (unsigned long long)blk->q[i].kicks, (unsigned long long)blk->q[i].calls);
        VW_EXPECT(vm, blk->q[i].vector == i, "queue %u raised MSI-X message %u", i,
                  blk->q[i].vector);
    }
    VW_EXPECT(vm, vw_close(vm, pdo) == 0, "IRP_MJ_CLOSE failed");
    vw_pnp(vm, pdo, VW_IRP_MN_REMOVE_DEVICE);
    vw_driver_unload(vm);
    vw_vhost_stop(blk);
out:
    unlink(image);
}

VW_SCENARIO("vhost", blk_4q_split_event_idx, NULL)
{
    run(vm, 0);
}

VW_SCENARIO("vhost", blk_4q_split_no_event_idx, NULL)
{
    run(vm, 1ull << F_EVENT_IDX);
}

/* Planted back ends: one that is not installed and one that exits before
 * serving its socket each fail the run with one clear error. */
static void argv_only(const struct vw_vhost_dev *d, const char **argv, char *store, size_t cap)
{
    (void)store;
    (void)cap;
    argv[0] = d->type->program;
    argv[1] = NULL;
}

static const struct vw_vhost_type missing = {
    .name = "missing", .program = "vw-no-such-backend", .package = "none", .argv = argv_only};
static const struct vw_vhost_type exits = {
    .name = "exits", .program = "false", .package = "coreutils", .argv = argv_only};

VW_SCENARIO("vhost", checker_backend_missing, "vw-no-such-backend is not installed")
{
    vw_vhost_require(vm, &missing);
}

VW_SCENARIO("vhost", checker_backend_exits, "false exited (status 1) before serving")
{
    struct vw_vhost_params p = {.queues = 1};
    if (vw_vhost_require(vm, &exits))
        vw_vhost_create(vm, &exits, &p);
}
