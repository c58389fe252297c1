/*
 * Removal and power: surprise removal while a read waits on the device,
 * stop/restart, D3 and back, and unload without leaks.
 */
#include "viorng_test.h"

static void pull(struct vm *vm, void *ctx)
{
    struct vw_virtio *dev = ctx;
    vw_virtio_unplug(dev);
    uint64_t before = vm->k->interrupt_time;
    uint32_t status = vw_pnp(vm, dev->pdo, VW_IRP_MN_SURPRISE_REMOVAL);
    VW_EXPECT(vm, status == 0, "SURPRISE_REMOVAL failed with 0x%08x", status);
    /* Status reads 0xff from a removed function: the core gives up at once
     * instead of polling the reset for its 100 ms bound. */
    VW_EXPECT(vm, vm->k->interrupt_time - before < 10000 /* 1 ms */,
              "SURPRISE_REMOVAL took %llu us of stalls",
              (unsigned long long)(vm->k->interrupt_time - before) / 10);
}

VW_SCENARIO("viorng", surprise_removal_during_read, NULL)
{
    struct vw_virtio *dev = viorng_device(vm, VMODEL_MODERN, true, 0);
    if (!viorng_start(vm, dev))
        return;
    dev->hold = true; /* the request stays in flight */
    /* Another thread removes the device while the read waits for it (its
     * second wait: the first takes the request lock). */
    vw_preempt_at_import(vm, "KeWaitForSingleObject|KeWaitForMultipleObjects", 2, pull, dev);
    uint8_t buf[64];
    uint64_t info = 0;
    uint32_t status = vw_ioctl(vm, dev->pdo, VIORNG_IOCTL_READ, NULL, 0, buf, 64, &info);
    VW_EXPECT(vm, status != 0 && info == 0, "read across surprise removal: 0x%08x, %llu bytes",
              status, (unsigned long long)info);
    VW_EXPECT(vm, vw_preempt_finish(vm), "the removal never finished");
    /* Requests after removal fail without touching the device. */
    status = vw_ioctl(vm, dev->pdo, VIORNG_IOCTL_READ, NULL, 0, buf, 64, &info);
    VW_EXPECT(vm, status == VW_STATUS_DELETE_PENDING, "read after removal: 0x%08x", status);
    viorng_finish(vm, dev);
}

VW_SCENARIO("viorng", stop_restart, NULL)
{
    struct vw_virtio *dev = viorng_device(vm, VMODEL_TRANSITIONAL, false, 0);
    if (!viorng_start(vm, dev))
        return;
    viorng_read_expect(vm, dev, 100);
    VW_EXPECT(vm, vw_pnp(vm, dev->pdo, VW_IRP_MN_QUERY_STOP_DEVICE) == 0, "QUERY_STOP failed");
    VW_EXPECT(vm, vw_pnp(vm, dev->pdo, VW_IRP_MN_STOP_DEVICE) == 0, "STOP failed");
    VW_EXPECT(vm, vw_pnp(vm, dev->pdo, VW_IRP_MN_START_DEVICE) == 0, "restart failed");
    viorng_read_expect(vm, dev, 100);
    viorng_finish(vm, dev);
}

VW_SCENARIO("viorng", power_d3_and_back, NULL)
{
    struct vw_virtio *dev = viorng_device(vm, VMODEL_MODERN, true, 0);
    if (!viorng_start(vm, dev))
        return;
    viorng_read_expect(vm, dev, 10);
    VW_EXPECT(vm, vw_power_set_device(vm, dev->pdo, 4) == 0, "D3 failed");
    VW_EXPECT(vm, vmodel_status(dev->model) == 0, "device not reset in D3 (status 0x%02x)",
              vmodel_status(dev->model));
    VW_EXPECT(vm, vw_power_set_device(vm, dev->pdo, 1) == 0, "D0 failed");
    viorng_read_expect(vm, dev, 10);
    viorng_finish(vm, dev);
}

/* System sleep: the framework (power policy owner) turns S3 into D3 with
 * PoRequestPowerIrp, and S0 into D0; reads work again after wake-up. */
VW_SCENARIO("viorng", system_sleep_and_wake, NULL)
{
    struct vw_virtio *dev = viorng_device(vm, VMODEL_MODERN, true, 0);
    if (!viorng_start(vm, dev))
        return;
    viorng_read_expect(vm, dev, 10);
    VW_EXPECT(vm, vw_power_set_system(vm, dev->pdo, 4 /* S3 */) == 0, "S3 failed");
    VW_EXPECT(vm, vmodel_status(dev->model) == 0, "device not reset in S3 (status 0x%02x)",
              vmodel_status(dev->model));
    VW_EXPECT(vm, vw_power_set_system(vm, dev->pdo, 1 /* S0 */) == 0, "S0 failed");
    VW_EXPECT(vm, vmodel_status(dev->model) & 0x04, "device not running after S0");
    viorng_read_expect(vm, dev, 10);
    viorng_finish(vm, dev);
}
