/*
 * Set-power IRPs are never failed by a function driver: "a driver can fail
 * IRP_MN_QUERY_POWER but cannot fail IRP_MN_SET_POWER" (Microsoft, Power
 * IRPs for the System).  A device that refuses FEATURES_OK when it comes
 * back from sleep makes D0Entry fail: the S0 IRP and the D0 IRP still
 * succeed (the bus powered the device), reads fail cleanly, and the next
 * sleep/wake with a good device brings it back.
 */
#include "viorng_test.h"

static void refuse_features(struct vw_virtio *dev, bool refuse)
{
    struct vmodel_behaviour b = {.refuse_features_ok = refuse};
    vmodel_set_behaviour(dev->model, &b);
}

VW_SCENARIO("viorng", wake_with_failing_device_not_failed, NULL)
{
    struct vw_virtio *dev = viorng_device(vm, VMODEL_MODERN, true, 0);
    if (!viorng_start(vm, dev))
        return;
    viorng_read_expect(vm, dev, 16);
    VW_EXPECT(vm, vw_power_set_system(vm, dev->pdo, 4 /* S3 */) == 0, "S3 failed");
    refuse_features(dev, true);
    uint32_t status = vw_power_set_system(vm, dev->pdo, 1 /* S0 */);
    VW_EXPECT(vm, status == 0, "S0 set-power IRP failed with 0x%08x (must not fail)", status);
    uint8_t buf[16];
    uint64_t info = 0;
    status = vw_ioctl(vm, dev->pdo, VIORNG_IOCTL_READ, NULL, 0, buf, 16, &info);
    VW_EXPECT(vm, status != 0 && info == 0, "read from a device that failed to start: 0x%08x",
              status);

    /* Device power alone: D3, then D0 with the device still refusing. */
    VW_EXPECT(vm, vw_power_set_device(vm, dev->pdo, 4) == 0, "D3 failed");
    status = vw_power_set_device(vm, dev->pdo, 1);
    VW_EXPECT(vm, status == 0, "D0 set-power IRP failed with 0x%08x (must not fail)", status);

    /* A good device again: the next power cycle brings reads back. */
    refuse_features(dev, false);
    VW_EXPECT(vm, vw_power_set_device(vm, dev->pdo, 4) == 0, "D3 failed");
    VW_EXPECT(vm, vw_power_set_device(vm, dev->pdo, 1) == 0, "D0 failed");
    viorng_read_expect(vm, dev, 16);
    viorng_finish(vm, dev);
}
