/*
 * HwTimer on the kernel's clock: RequestTimerCall arms a KTIMER whose
 * KDPC calls HwTimer when it is due, so the timer runs whenever virtual
 * time runs (a scenario idling with vw_run_for, any wait of the driver),
 * not only while the class layer waits for a request
 * (storport/nc-storport-hw_timer: StorPort calls it "after the interval
 * specified" in the RequestTimerCall notification).  The class layer's
 * wait still calls it when due (stor_run_timer is one shot: whichever
 * path comes first runs it).  Planted: vw_stor_plant_timer_waits_only
 * (HwTimer only in the class layer's wait, as before this file).
 */
#include "internal.h"

static vw_api_fn stor_timer_dpc;
static const struct vw_api timer_dpc_api = {"storport HwTimer DPC", VW_ALL_ARCHES, VW_STDCALL, 4, 0,
                                            VW_HIGH_LEVEL,          stor_timer_dpc};

/* The KTIMER and KDPC in one pool block, made on first use. */
static bool timer_objects(struct vm *vm, struct stor_adapter *a)
{
    if (a->tdpc != 0)
        return true;
    uint64_t tsize = (VW_SIZEOF(vm, KTIMER) + 15) & ~15ull;
    gva_t block = vw_pool_alloc(vm, tsize + VW_SIZEOF(vm, KDPC), VW_TAG('S', 't', 'o', 'r'),
                                "StorPort HwTimer timer", false);
    if (block == 0) {
        vw_fail(vm, "storport: no pool for the HwTimer timer");
        return false;
    }
    a->ttimer = block;
    a->tdpc = block + tsize;
    vw_wrptr(vm, a->tdpc + VW_OFFSET(vm, KDPC, DeferredRoutine),
             vw_kernel_routine(vm, &timer_dpc_api));
    vw_wrptr(vm, a->tdpc + VW_OFFSET(vm, KDPC, DeferredContext), a->ext);
    return true;
}

void stor_timer_arm(struct vm *vm, struct stor_adapter *a)
{
    if (a->dump || stor_state(vm)->plant_timer_waits_only)
        return;
    if (a->timer == 0) {
        if (a->ttimer != 0)
            vw_timer_cancel(vm, a->ttimer);
        return;
    }
    if (timer_objects(vm, a))
        vw_timer_set_at(vm, a->ttimer, a->timer_due, a->tdpc);
}

/* DISPATCH_LEVEL (args: KDPC, device extension, two system arguments):
 * HwTimer if it is still due (the class layer's wait may have run it). */
static void stor_timer_dpc(struct vm *vm, const struct vw_api *api)
{
    struct stor_adapter *a = stor_by_ext(vm, vw_arg(vm, api, 1), api->name);
    if (a == NULL || !a->started || a->crashed || a->powered_down)
        return; /* stopped: nothing reaches the miniport (the wait runs it after the restart) */
    stor_run_timer(vm, a);
}

void stor_timer_free(struct vm *vm, struct stor_adapter *a)
{
    if (a->tdpc == 0)
        return;
    vw_timer_cancel(vm, a->ttimer);
    vw_cpu_dpc_queued_in(vm, 0, 0, true, a->tdpc);
    vw_timer_set_in(vm, a->ttimer, 1); /* forget it: the memory goes */
    vw_pool_free(vm, a->ttimer, "storport");
    a->ttimer = a->tdpc = 0;
    a->timer = 0;
}

void vw_stor_plant_timer_late(struct vm *vm, unsigned times)
{
    stor_state(vm)->plant_timer_late = times;
}

void vw_stor_plant_timer_waits_only(struct vm *vm)
{
    stor_state(vm)->plant_timer_waits_only = true;
}
