/*
 * The page checkers (k_mmpages.c) and the balloon device model's
 * MUST_TELL_HOST check (dev_balloon.c) must each flag their planted bug.
 */
#include "dev_balloon.h"
#include "scenario.h"

VW_SCENARIO("harness", checker_page_leak,
            "1 MDL(s) of pages from MmAllocatePagesForMdlEx never given back")
{
    if (vw_driver_load(vm, "badpgleak"))
        vw_driver_unload(vm);
}

VW_SCENARIO("harness", checker_page_double_free, "MmFreePagesFromMdl(0x")
{
    vw_driver_load(vm, "badpgfree");
}

VW_SCENARIO("harness", checker_balloon_tell_host, "before the host was told (MUST_TELL_HOST)")
{
    struct vw_balloon *b =
        vw_balloon_create(vm, VMODEL_MODERN, true, VMODEL_BALLOON_F_MUST_TELL_HOST);
    if (b == NULL || !vw_driver_load(vm, "badballoon") || !vw_add_device(vm, b->dev->pdo))
        return;
    if (vw_pnp(vm, b->dev->pdo, VW_IRP_MN_START_DEVICE) != 0)
        return;
    vw_balloon_set_target(b, 300);
    vw_run_for(vm, 10000000ull);
    vw_balloon_set_target(b, 0);
    vw_run_for(vm, 10000000ull);
}
