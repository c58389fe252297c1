/*
 * The end of every scenario (pnp.h, vw_scenario_end): the checks a
 * scenario's own unload would make run whether or not it unloads.  A
 * driver still loaded is taken down the way Windows does when its devices
 * are disabled or unplugged and its service stops, so that what it leaks
 * or leaves pending is reported like at any unload.
 */
#include "kernel.h"
#include "pnp.h"
#include "process.h"

/* Remove PDO's stack as the PnP manager does: after a surprise removal
 * only REMOVE_DEVICE; otherwise QUERY_REMOVE first, and when the driver
 * refuses (a handle it counts, a mapping in use) the device goes away
 * anyway: SURPRISE_REMOVAL, then REMOVE_DEVICE. */
static void remove_stack(struct vm *vm, struct vw_pdo *pdo)
{
    if (!pdo->surprise_removed &&
        !VW_NT_SUCCESS(vw_pnp(vm, pdo->obj, VW_IRP_MN_QUERY_REMOVE_DEVICE))) {
        vw_log(vm, "scenario end: QUERY_REMOVE refused, the device is surprise-removed");
        vw_pnp(vm, pdo->obj, VW_IRP_MN_CANCEL_REMOVE_DEVICE);
        vw_pnp(vm, pdo->obj, VW_IRP_MN_SURPRISE_REMOVAL);
    }
    vw_pnp(vm, pdo->obj, VW_IRP_MN_REMOVE_DEVICE);
}

void vw_scenario_end(struct vm *vm)
{
    struct vw_kernel *k = vm->k;
    if (vm->failed || k->driver_state == VW_DRIVER_CRASHED)
        return;
    /* The scenario's records of requests it left pending are gone with its
     * stack frame: pending now is pending for ever. */
    unsigned pending = vw_async_report_pending(vm);
    if (pending) {
        vw_fail(vm, "%u request(s) never completed at the end of the scenario (details in the log)",
                pending);
        return;
    }
    if (k->driver_state != VW_DRIVER_LOADED)
        return;
    vw_log(vm, "scenario end: the driver is still loaded; its processes exit, its devices are "
               "removed and it is unloaded with the leak checks");
    for (unsigned p = VW_PROCESS_SCENARIO; p < VW_MAX_PROCESSES && !vm->failed; p++)
        if (vw_process_live(vm, p))
            vw_process_exit(vm, p);
    vw_run(vm);
    for (unsigned i = k->pdo_count; i-- > 0 && !vm->failed;)
        if (!k->pdos[i]->removed && vw_device_top(vm, k->pdos[i]->obj) != k->pdos[i]->obj)
            remove_stack(vm, k->pdos[i]);
    vw_run(vm);
    if (!vm->failed)
        vw_driver_unload(vm);
}
