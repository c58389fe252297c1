/*
 * Surprise removal of the adapter (IRP_MN_SURPRISE_REMOVAL, then
 * IRP_MN_REMOVE_DEVICE through vw_stor_remove).  The function is gone:
 * its registers read all ones and it answers nothing.  What the miniport
 * had at the device never completes by itself, so each such request runs
 * into its time-out, StorPort calls HwResetBus, and what the miniport left
 * StorPort ends with SRB_STATUS_BUS_RESET (storport/nc-storport-hw_reset_bus)
 * -- once each, never after that reset, never while a device still owns its
 * buffers (the checkers of adapter.c and exports.c).  The emulation claims
 * no ScsiAdapterSurpriseRemoval call: that control type (16) lies past the
 * MaxControlType the query offers (storport/ne-storport-scsi_adapter_control_type).
 * The rule checked here: after the removal no miniport routine may wait
 * on the function (a poll of a register that reads all ones forever):
 * "any attempts to access the hardware should not wait indefinitely, but
 * should be subject to time-outs" (wdf/surprise-removal-sequence), so more
 * than VW_STOR_REMOVED_ACCESS_LIMIT register accesses in one call fail the
 * run by name.
 */
#include "internal.h"

bool stor_removed_access(struct vm *vm, struct stor_adapter *a, const char *who)
{
    a->stats.removed_accesses++;
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
    a->surprise_removed = true;
    struct stor_req *left[STOR_MAX_REQ];
    unsigned count = 0;
    for (unsigned i = 0; i < STOR_MAX_REQ; i++) {
        struct stor_req *r = &a->reqs[i];
        if (r->state == REQ_AT_MINIPORT)
            a->stats.removed_outstanding++;
        if (r->state == REQ_PENDING || r->state == REQ_AT_MINIPORT)
            left[count++] = r;
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
