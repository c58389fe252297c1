/*
 * A device that breaks the ring protocol must cost the read, not memory:
 * more bytes reported than posted, a used id never handed out, a device that
 * never answers.  Each read fails cleanly, the device restarts, and the next
 * read works again; unload finds nothing leaked.
 */
#include "viorng_test.h"

static void misbehave_once(struct vm *vm, uint32_t evil, uint32_t expect_status)
{
    struct vw_virtio *dev = viorng_device(vm, VMODEL_MODERN, true, 0);
    if (!viorng_start(vm, dev))
        return;
    viorng_read_expect(vm, dev, 64);
    struct vmodel_behaviour bad = {.evil = evil};
    vmodel_set_behaviour(dev->model, &bad);
    uint8_t buf[256];
    uint64_t info = 0;
    uint32_t status = vw_ioctl(vm, dev->pdo, VIORNG_IOCTL_READ, NULL, 0, buf, 256, &info);
    VW_EXPECT(vm, status == expect_status,
              "read from a misbehaving device: 0x%08x, expected 0x%08x", status, expect_status);
    VW_EXPECT(vm, info == 0, "read from a misbehaving device returned %llu bytes",
              (unsigned long long)info);
    struct vmodel_behaviour good = {0};
    vmodel_set_behaviour(dev->model, &good);
    viorng_read_expect(vm, dev, 128); /* the restarted device works */
    viorng_finish(vm, dev);
}

VW_SCENARIO("viorng", device_reports_too_many_bytes, NULL)
{
    misbehave_once(vm, VMODEL_EVIL_BAD_LEN, VW_STATUS_DEVICE_PROTOCOL_ERROR);
}

VW_SCENARIO("viorng", device_returns_bad_used_id, NULL)
{
    misbehave_once(vm, VMODEL_EVIL_BAD_ID, VW_STATUS_DEVICE_PROTOCOL_ERROR);
}

VW_SCENARIO("viorng", device_returns_idle_used_id, NULL)
{
    misbehave_once(vm, VMODEL_EVIL_IDLE_ID, VW_STATUS_DEVICE_PROTOCOL_ERROR);
}

/* A hung device: the read times out after 5 s of virtual time. */
VW_SCENARIO("viorng", device_never_answers, NULL)
{
    struct vw_virtio *dev = viorng_device(vm, VMODEL_MODERN, false, 0);
    if (!viorng_start(vm, dev))
        return;
    dev->hold = true;
    uint8_t buf[32];
    uint64_t info = 0, t0 = vm->k->interrupt_time;
    uint32_t status = vw_ioctl(vm, dev->pdo, VIORNG_IOCTL_READ, NULL, 0, buf, 32, &info);
    VW_EXPECT(vm, status == VW_STATUS_IO_TIMEOUT, "read from a hung device: 0x%08x", status);
    VW_EXPECT(vm, vm->k->interrupt_time - t0 >= 5000 * 10000ull, "timed out after %llu ms",
              (unsigned long long)(vm->k->interrupt_time - t0) / 10000);
    dev->hold = false;
    viorng_read_expect(vm, dev, 32);
    viorng_finish(vm, dev);
}
