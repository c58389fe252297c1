/*
 * A reader's restart against a power-down on another thread: the device
 * keeps a read past its 5 s bound, the reader restarts the device, and a
 * D3 lands inside that restart after it decided to rebuild the ring (at
 * its last spin-lock acquisition: vw_preempt_at_import).  The power-down must
 * win or wait: once both are done the device is reset and stays so, a
 * read in D3 fails at once without touching it, and D0 brings reads
 * back.  Without StateLock the restart publishes a ring the D3 reset
 * under it, and the next read restarts the device while in D3.
 */
#include "viorng_test.h"

#define SPIN_ACQUIRE "KeAcquireSpinLockRaiseToDpc|KfAcquireSpinLock"

struct race {
    struct vw_virtio *dev;
    bool d3_done;
};

static void d3_now(struct vm *vm, void *ctx)
{
    struct race *r = ctx;
    VW_EXPECT(vm, vw_power_set_device(vm, r->dev->pdo, 4) == 0, "D3 failed");
    r->d3_done = true;
}

/* Runs inside the read's wait for the device: arm the preemption for the
 * restart that follows the time-out (its first acquisition decides, the
 * second publishes). */
static void arm(struct vm *vm, void *ctx)
{
    vw_preempt_at_import(vm, SPIN_ACQUIRE, 2, d3_now, ctx);
}

VW_SCENARIO("viorng", d3_inside_reader_restart, NULL)
{
    struct vw_virtio *dev = viorng_device(vm, VMODEL_MODERN, true, 0);
    if (!viorng_start(vm, dev))
        return;
    struct race r = {dev, false};
    dev->hold = true;
    vw_on_next_wait(vm, arm, &r);
    uint8_t buf[64];
    uint64_t info = 0;
    uint32_t status = vw_ioctl(vm, dev->pdo, VIORNG_IOCTL_READ, NULL, 0, buf, 64, &info);
    VW_EXPECT(vm, status == VW_STATUS_IO_TIMEOUT, "held read: 0x%08x", status);
    vw_preempt_finish(vm);
    VW_EXPECT(vm, r.d3_done, "the D3 never landed inside the restart");
    dev->hold = false;
    VW_EXPECT(vm, vmodel_status(dev->model) == 0, "the device runs in D3 (status 0x%02x)",
              vmodel_status(dev->model));
    uint64_t before = vm->k->interrupt_time;
    status = vw_ioctl(vm, dev->pdo, VIORNG_IOCTL_READ, NULL, 0, buf, 64, &info);
    VW_EXPECT(vm, status == VW_STATUS_DEVICE_NOT_READY, "read in D3: 0x%08x", status);
    VW_EXPECT(vm, vm->k->interrupt_time - before < 10000000, "read in D3 waited %llu ms",
              (unsigned long long)(vm->k->interrupt_time - before) / 10000);
    VW_EXPECT(vm, vmodel_status(dev->model) == 0, "a read in D3 restarted the device (0x%02x)",
              vmodel_status(dev->model));
    VW_EXPECT(vm, vw_power_set_device(vm, dev->pdo, 1) == 0, "D0 failed");
    viorng_read_expect(vm, dev, 32);
    viorng_finish(vm, dev);
}
