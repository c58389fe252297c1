/*
 * Surprise removal of the adapter (IRP_MN_SURPRISE_REMOVAL, then
 * IRP_MN_REMOVE_DEVICE through vw_stor_remove).  The function is gone:
 * its registers read all ones and it answers nothing.  What the miniport
 * had at the device never completes by itself, so each such request runs
 * into its time-out, StorPort calls HwResetBus, and what the miniport left
 * StorPort ends with SRB_STATUS_BUS_RESET (storport/nc-storport-hw_reset_bus)
 * -- once each, never after that reset, never while a device still owns its
 * buffers (the checkers of adapter.c and exports.c).  Before that the
 * disk's PDO hears of it (the PnP manager removes a device's children
 * before the device): SRB_FUNCTION_PNP StorSurpriseRemoval to the LUN
 * (srb/ns-srb-_srbex_data_pnp), then, when the query claimed it,
 * HwAdapterControl(ScsiAdapterSurpriseRemoval, NULL): "notifies the
 * miniport that the unit has been surprise-removed"
 * (storport/ne-storport-scsi_adapter_control_type).  From the entry of that
 * call on the miniport knows its function is gone: any register access
 * fails the run, and only those are counted as removed_accesses.  Before
 * it, nothing told the miniport (StorPort may still start requests it had
 * queued between the removal and the call, storport/nc-storport-hw_adapter_control:
 * the control is its first notice); those accesses read all ones or are
 * dropped, as on real hardware, and are counted as gone_accesses only.
 * For every access, and without the control type, the rule is: no miniport routine may wait
 * on the function (a poll of a register that reads all ones forever):
 * "any attempts to access the hardware should not wait indefinitely, but
 * should be subject to time-outs" (wdf/surprise-removal-sequence), so more
 * than VW_STOR_REMOVED_ACCESS_LIMIT register accesses in one call fail the
 * run by name.
 */
#include "internal.h"

bool stor_removed_access(struct vm *vm, struct stor_adapter *a, const char *who)
{
    a->stats.gone_accesses++;
    if (a->surprise_told) {
        a->stats.removed_accesses++;
        vw_fail(vm,
                "storport: register access (%s) to the surprise-removed adapter in %s after "
                "HwAdapterControl(ScsiAdapterSurpriseRemoval) told the miniport it is gone "
                "(counted from that call's entry; accesses before it are not held against it)",
                who, stor_ctx_name(stor_cpu(vm, a)->ctx));
        return false;
    }
    if (++a->removed_call_accesses <= VW_STOR_REMOVED_ACCESS_LIMIT)
        return true;
    vw_fail(vm,
            "storport: %u register accesses (%s) to the surprise-removed adapter in one call of "
            "%s: a wait on a device that is gone (limit %u)",
            a->removed_call_accesses, who, stor_ctx_name(stor_cpu(vm, a)->ctx),
            VW_STOR_REMOVED_ACCESS_LIMIT);
    return false;
}

void vw_stor_gone_access(struct vm *vm, const char *device)
{
    struct stor_adapter *a = &stor_state(vm)->normal;
    /* Before StorPort is told, nobody could know the function is gone. */
    if (a->registered && a->surprise_removed && !vm->failed)
        stor_removed_access(vm, a, device);
}

bool vw_stor_surprise_remove(struct vm *vm, struct vw_stor_result *res, unsigned cap, unsigned *n)
{
    struct stor_adapter *a = &stor_state(vm)->normal;
    *n = 0;
    if (!a->registered || !a->started) {
        vw_fail(vm, "storport: surprise removal of no started adapter");
        return false;
    }
    /* What was outstanding is taken before the miniport hears of the
     * removal: ScsiAdapterSurpriseRemoval is where it completes them */
    struct stor_req *left[STOR_MAX_REQ];
    unsigned count = 0;
    for (unsigned i = 0; i < STOR_MAX_REQ; i++) {
        struct stor_req *r = &a->reqs[i];
        if (r->state == REQ_AT_MINIPORT)
            a->stats.removed_outstanding++;
        if (stor_req_open(r))
            left[count++] = r;
    }
    a->surprise_removed = true;
    struct vw_stor_result pnp;
    if (!stor_pnp_lun(vm, a, STOR_PNP_SURPRISE_REMOVAL, &pnp))
        return false;
    if (a->supported[STOR_CONTROL_SURPRISE_REMOVAL]) {
        a->surprise_told = true;
        if (!stor_adapter_control(vm, a, STOR_CONTROL_SURPRISE_REMOVAL))
            return false;
        a->stats.control_surprise++;
    }
    vw_log(vm, "storport: surprise removal with %u requests outstanding", count);
    if (count != 0 && !stor_wait(vm, a, left, count))
        return false;
    for (unsigned i = 0; i < count; i++) {
        struct vw_stor_result r;
        stor_collect(vm, left[i], NULL, &r);
        if (*n < cap)
            res[(*n)++] = r;
    }
    return !vm->failed;
}

bool stor_pnp_lun(struct vm *vm, struct stor_adapter *a, unsigned action,
                  struct vw_stor_result *res)
{
    if (!vw_stor_pnp_srb(vm, action, false, res))
        return false;
    a->stats.pnp_srbs++;
    return true;
}

bool vw_stor_remove_lun(struct vm *vm, struct vw_stor_result *res)
{
    struct stor_adapter *a = &stor_state(vm)->normal;
    if (!a->registered || !a->started) {
        vw_fail(vm, "storport: a disk removed from no started adapter");
        return false;
    }
    return stor_pnp_lun(vm, a, STOR_PNP_REMOVE_DEVICE, res);
}
