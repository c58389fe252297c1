/*
 * The Policies tab's "Turn off Windows write-cache buffer flushing on the
 * device" as disk.sys applies it (vw_stor_cache_power_protected): with
 * the box clear, IRP_MJ_FLUSH_BUFFERS becomes SYNCHRONIZE CACHE and a
 * write-through write carries FUA, each reaching viostor's device as a
 * VIRTIO_BLK_T_FLUSH; with it checked, disk.sys sends neither, so the
 * device sees no FLUSH at all.  Counted at the device (vmodel_blk).
 */
#include "viostor_test.h"

/* One flush request and one write-through write; the device's FLUSHes. */
static uint64_t flushes_for(struct vm *vm, struct vs_disk *d, uint64_t lba, bool *sent, bool *fua)
{
    uint64_t before = d->blk.flushes;
    struct vw_stor_result r;
    if (!vw_stor_flush_buffers(vm, sent, &r) || vm->failed)
        return 0;
    VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS,
              "flush buffers: SRB 0x%02x", r.srb_status);
    uint8_t buf[512];
    vs_fill(buf, sizeof(buf), lba, 4);
    if (!vw_stor_write_through(vm, lba, 1, buf, sizeof(buf), fua, &r) || vm->failed)
        return 0;
    VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS,
              "write-through: SRB 0x%02x", r.srb_status);
    uint8_t file[512];
    VW_EXPECT(vm, vs_image_read(d, lba, file, sizeof(file)) && memcmp(file, buf, 512) == 0,
              "the write-through write is not in the file");
    return d->blk.flushes - before;
}

/* Flushing on then off: what reaches the device each time. */
static void flush_policy(struct vm *vm)
{
    struct vs_disk d;
    struct vs_opts o = {0};
    bool sent = false, fua = false;
    if (!vs_start(vm, &d, &o))
        goto out;
    uint64_t n = flushes_for(vm, &d, 60, &sent, &fua);
    vw_log(vm, "flushing on: SYNCHRONIZE CACHE sent %u, FUA %u, %llu device FLUSHes", sent, fua,
           (unsigned long long)n);
    VW_EXPECT(vm, sent && fua && n == 2,
              "flushing on: sent %u, FUA %u, %llu FLUSHes at the device (2: the flush and the "
              "FUA write's)",
              sent, fua, (unsigned long long)n);
    vw_stor_cache_power_protected(vm, true);
    n = flushes_for(vm, &d, 61, &sent, &fua);
    vw_log(vm, "flushing off: SYNCHRONIZE CACHE sent %u, FUA %u, %llu device FLUSHes", sent, fua,
           (unsigned long long)n);
    VW_EXPECT(vm, !sent && !fua && n == 0,
              "write-cache buffer flushing off: sent %u, FUA %u, %llu FLUSHes at the device", sent,
              fua, (unsigned long long)n);
out:
    vs_finish(vm, &d);
}

VW_SCENARIO("viostor", cache_flush_policy, NULL)
{
    flush_policy(vm);
}

/* Planted twin: a SYNCHRONIZE CACHE sent while the box is checked reaches
 * the device as a FLUSH, and the device's count names it. */
VW_SCENARIO("viostor", checker_cache_flush_policy_flush_sent, "write-cache buffer flushing off")
{
    vw_stor_plant_class_bug(vm, VW_STOR_PLANT_FLUSH_CHECKED);
    flush_policy(vm);
}
