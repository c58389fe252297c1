/*
 * Removal and power: surprise removal while an inflate request waits on
 * the device (pages back to Windows without the device), D3 and back (the
 * balloon is kept, as Linux keeps it over suspend, and `actual` is
 * reported again), stop and restart (the balloon empties through the
 * device, then refills to the target).
 */
#include "balloon_test.h"

static void pull(struct vm *vm, void *ctx)
{
    struct vw_balloon *b = ctx;
    vw_virtio_unplug(b->dev);
    uint32_t status = vw_pnp(vm, b->dev->pdo, VW_IRP_MN_SURPRISE_REMOVAL);
    VW_EXPECT(vm, status == 0, "SURPRISE_REMOVAL failed with 0x%08x", status);
}

VW_SCENARIO("balloon", surprise_removal_mid_inflate, NULL)
{
    struct vw_balloon *b = balloon_start(vm, VMODEL_MODERN, true, VMODEL_BALLOON_F_MUST_TELL_HOST);
    if (b == NULL)
        return;
    balloon_target(vm, b, 300);
    balloon_expect(vm, b, 300);
    b->dev->hold = true; /* the next inflate request stays in flight */
    vw_on_next_wait(vm, pull, b);
    balloon_target(vm, b, 900);
    VW_EXPECT(vm, balloon_driver_pages(vm) == 0, "%u pages held after surprise removal",
              balloon_driver_pages(vm));
    vw_pnp(vm, b->dev->pdo, VW_IRP_MN_REMOVE_DEVICE);
    vw_driver_unload(vm);
}

VW_SCENARIO("balloon", power_d3_keeps_balloon, NULL)
{
    struct vw_balloon *b = balloon_start(vm, VMODEL_MODERN, true, VMODEL_BALLOON_F_STATS_VQ);
    if (b == NULL)
        return;
    balloon_target(vm, b, 600);
    balloon_expect(vm, b, 600);
    VW_EXPECT(vm, vw_power_set_device(vm, b->dev->pdo, 4) == 0, "D3 failed");
    VW_EXPECT(vm, vmodel_status(b->dev->model) == 0, "device not reset in D3 (status 0x%02x)",
              vmodel_status(b->dev->model));
    VW_EXPECT(vm, balloon_driver_pages(vm) == 600, "%u pages held in D3", balloon_driver_pages(vm));
    vmodel_set_device_cfg(b->dev->model, 4, &(uint32_t){0}, 4); /* forget actual */
    VW_EXPECT(vm, vw_power_set_device(vm, b->dev->pdo, 1) == 0, "D0 failed");
    vw_run_for(vm, SECOND);
    balloon_expect(vm, b, 600);
    balloon_target(vm, b, 200);
    balloon_expect(vm, b, 200);
    balloon_finish(vm, b);
}

VW_SCENARIO("balloon", stop_restart, NULL)
{
    struct vw_balloon *b = balloon_start(vm, VMODEL_TRANSITIONAL, false, 0);
    if (b == NULL)
        return;
    balloon_target(vm, b, 500);
    balloon_expect(vm, b, 500);
    VW_EXPECT(vm, vw_pnp(vm, b->dev->pdo, VW_IRP_MN_QUERY_STOP_DEVICE) == 0, "QUERY_STOP failed");
    VW_EXPECT(vm, vw_pnp(vm, b->dev->pdo, VW_IRP_MN_STOP_DEVICE) == 0, "STOP failed");
    balloon_expect(vm, b, 0);
    VW_EXPECT(vm, vw_pnp(vm, b->dev->pdo, VW_IRP_MN_START_DEVICE) == 0, "restart failed");
    vw_run_for(vm, 10 * SECOND);
    balloon_expect(vm, b, 500);
    balloon_finish(vm, b);
}
