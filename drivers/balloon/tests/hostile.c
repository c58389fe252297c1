/*
 * A device that misbehaves: an absurd target is bounded by what the guest
 * can give; NEEDS_RESET restarts the device with the balloon kept; used
 * ids the driver never posted break the queue, the driver restarts a few
 * times and then stops the balloon with one clear error; a device that
 * breaks start-up fails START cleanly.  Every page still goes back to
 * Windows at REMOVE.
 */
#include "balloon_test.h"

VW_SCENARIO("balloon", hostile_absurd_target, NULL)
{
    struct vw_balloon *b = balloon_start(vm, VMODEL_MODERN, true, 0);
    if (b == NULL)
        return;
    vw_mm_set_available(vm, 3000); /* what Windows can spare */
    balloon_target(vm, b, 0xffffffffu);
    balloon_expect(vm, b, 3000);
    VW_EXPECT(vm, b->model.max_request_pages <= 256, "a request of %u pages",
              b->model.max_request_pages);
    balloon_target(vm, b, 100);
    balloon_expect(vm, b, 100);
    balloon_finish(vm, b);
}

VW_SCENARIO("balloon", hostile_needs_reset, NULL)
{
    struct vw_balloon *b = balloon_start(vm, VMODEL_MODERN, true, VMODEL_BALLOON_F_MUST_TELL_HOST);
    if (b == NULL)
        return;
    balloon_target(vm, b, 400);
    balloon_expect(vm, b, 400);
    vmodel_needs_reset(b->dev->model);
    vw_run_for(vm, SECOND);
    VW_EXPECT(vm, vmodel_status(b->dev->model) == 0x0f, "status 0x%02x after NEEDS_RESET",
              vmodel_status(b->dev->model));
    balloon_expect(vm, b, 400); /* kept, and reported again */
    balloon_target(vm, b, 800);
    balloon_expect(vm, b, 800);
    balloon_target(vm, b, 200);
    balloon_expect(vm, b, 200);
    balloon_finish(vm, b);
}

static void broken_queue(struct vm *vm, uint32_t evil)
{
    struct vw_balloon *b = balloon_start(vm, VMODEL_MODERN, true, VMODEL_BALLOON_F_MUST_TELL_HOST);
    if (b == NULL)
        return;
    balloon_target(vm, b, 500);
    balloon_expect(vm, b, 500);
    struct vmodel_behaviour bad = {.evil = evil};
    vmodel_set_behaviour(b->dev->model, &bad);
    balloon_target(vm, b, 1500);
    vw_run_for(vm, 30 * SECOND);
    VW_EXPECT(vm, vmodel_status(b->dev->model) & STATUS_FAILED,
              "the driver did not give up on the device (status 0x%02x)",
              vmodel_status(b->dev->model));
    VW_EXPECT(vm, balloon_driver_pages(vm) >= 500 && balloon_driver_pages(vm) <= 1500,
              "the driver holds %u pages", balloon_driver_pages(vm));
    balloon_finish(vm, b); /* pages back to Windows without the device */
}

VW_SCENARIO("balloon", hostile_bad_used_id, NULL)
{
    broken_queue(vm, VMODEL_EVIL_BAD_ID);
}

VW_SCENARIO("balloon", hostile_idle_used_id, NULL)
{
    broken_queue(vm, VMODEL_EVIL_IDLE_ID);
}

VW_SCENARIO("balloon", hostile_start_needs_reset, NULL)
{
    struct vw_balloon *b = vw_balloon_create(vm, VMODEL_MODERN, true, 0);
    if (b == NULL || !vw_driver_load(vm, "balloon") || !vw_add_device(vm, b->dev->pdo))
        return;
    struct vmodel_behaviour bad = {.evil = VMODEL_EVIL_NEEDS_RESET};
    vmodel_set_behaviour(b->dev->model, &bad);
    uint32_t status = vw_pnp(vm, b->dev->pdo, VW_IRP_MN_START_DEVICE);
    VW_EXPECT(vm, status != 0, "START on a device that breaks start-up succeeded");
    vw_pnp(vm, b->dev->pdo, VW_IRP_MN_REMOVE_DEVICE);
    vw_driver_unload(vm);
}
