/*
 * Planted bugs for the checks that came with named devices and pending
 * requests: a symbolic link left at unload, a cancel routine that keeps
 * the cancel spin lock, a request a driver keeps for ever.
 */
#include "scenario.h"

VW_SCENARIO("harness", checker_link_leak, "leaks at unload: 1 symbolic link(s)")
{
    VW_EXPECT(vm, vw_driver_load(vm, "badlink"), "badlink did not load");
    VW_EXPECT(vm, vw_object_lookup(vm, "\\GLOBAL??\\BadLink") != 0, "the link does not resolve");
    vw_driver_unload(vm);
}

VW_SCENARIO("harness", checker_cancel_lock, "returned holding the cancel spin lock")
{
    if (!vw_driver_load(vm, "badcancel"))
        return;
    gva_t dev = vw_object_lookup(vm, "\\Device\\BadCancel");
    VW_EXPECT(vm, dev != 0, "no \\Device\\BadCancel");
    static struct vw_async rd;
    static char buf[8];
    vw_request_start(vm, dev, VW_IRP_MJ_READ, NULL, buf, sizeof(buf), &rd);
    vw_request_cancel(vm, &rd);
}

VW_SCENARIO("harness", checker_request_never_completed, "never completed at unload")
{
    if (!vw_driver_load(vm, "badcancel"))
        return;
    gva_t dev = vw_object_lookup(vm, "\\Device\\BadCancel");
    static struct vw_async rd;
    static char buf[8];
    vw_request_start(vm, dev, VW_IRP_MJ_READ, NULL, buf, sizeof(buf), &rd);
    vw_driver_unload(vm);
}

/* The same request left pending by a scenario that never unloads: the end
 * of the scenario reports it (its record on the scenario's stack is gone). */
VW_SCENARIO("harness", checker_request_pending_at_end, "never completed at the end of the scenario")
{
    if (!vw_driver_load(vm, "badcancel"))
        return;
    gva_t dev = vw_object_lookup(vm, "\\Device\\BadCancel");
    struct vw_async rd;
    char buf[8];
    vw_request_start(vm, dev, VW_IRP_MJ_READ, NULL, buf, sizeof(buf), &rd);
}
