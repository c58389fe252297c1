/*
 * Inflating and deflating on every transport and ring format: `actual`,
 * the device's pages and the driver's pages agree after each target, no
 * request carries more than one chunk, and REMOVE tells the device about
 * every page before it goes back to Windows.
 */
#include "balloon_test.h"

static void run(struct vm *vm, enum vmodel_transport t, bool msix, uint64_t features)
{
    struct vw_balloon *b = balloon_start(vm, t, msix, features);
    if (b == NULL)
        return;
    balloon_expect(vm, b, 0);
    balloon_target(vm, b, 1000);
    balloon_expect(vm, b, 1000);
    VW_EXPECT(vm, b->model.max_request_pages <= 256, "a request of %u pages",
              b->model.max_request_pages);
    balloon_target(vm, b, 600);
    balloon_expect(vm, b, 600);
    VW_EXPECT(vm, b->model.deflate_requests > 0, "no deflate request");
    balloon_target(vm, b, 1234);
    balloon_expect(vm, b, 1234);
    balloon_target(vm, b, 0);
    balloon_expect(vm, b, 0);
    balloon_target(vm, b, 300);
    balloon_expect(vm, b, 300);
    vw_pnp(vm, b->dev->pdo, VW_IRP_MN_REMOVE_DEVICE);
    VW_EXPECT(vm, b->model.pages == 0 && vw_balloon_actual(b) == 0,
              "after REMOVE the device holds %u pages, actual %u", b->model.pages,
              vw_balloon_actual(b));
    VW_EXPECT(vm, balloon_driver_pages(vm) == 0, "%u pages held after REMOVE",
              balloon_driver_pages(vm));
    vw_driver_unload(vm);
}

VW_SCENARIO("balloon", inflate_modern_msix, NULL)
{
    run(vm, VMODEL_MODERN, true, 0);
}

VW_SCENARIO("balloon", inflate_modern_intx, NULL)
{
    run(vm, VMODEL_MODERN, false, 0);
}

VW_SCENARIO("balloon", inflate_modern_packed_tell_host, NULL)
{
    run(vm, VMODEL_MODERN, true, F_RING_PACKED | VMODEL_BALLOON_F_MUST_TELL_HOST);
}

VW_SCENARIO("balloon", inflate_transitional_intx_tell_host, NULL)
{
    run(vm, VMODEL_TRANSITIONAL, false, VMODEL_BALLOON_F_MUST_TELL_HOST);
}

VW_SCENARIO("balloon", inflate_legacy_msix, NULL)
{
    run(vm, VMODEL_LEGACY, true, VMODEL_BALLOON_F_MUST_TELL_HOST);
}
