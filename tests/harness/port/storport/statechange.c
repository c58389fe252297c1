/*
 * StorPortStateChangeDetected (storport/nf-storport-storportstatechangedetected):
 * a miniport tells StorPort that a LUN, a target or the bus changed;
 * StorPort re-enumerates that entity and then calls the miniport's
 * HwStateChange, if it gave one, at DISPATCH_LEVEL holding the StartIo
 * lock (storport/nc-storport-hw_state_change).  One notification at a
 * time: another before the callback is refused with STOR_STATUS_BUSY; a
 * ChangedEntity with none of the three flags (or others), or an address
 * that is not BTL8, is STOR_STATUS_INVALID_PARAMETER.  Of several flags
 * the larger one wins (the page's remarks): the bus over the target over
 * the LUN.  The re-enumeration runs when the scenario asks
 * (vw_stor_state_change, at PASSIVE_LEVEL as StorPort's enumeration
 * does), never inside the notification, which may come at any IRQL.
 */
#include <inttypes.h>
#include <string.h>
#include "internal.h"

/* Any IRQL: record the notification; the ULONG status written through
 * the last argument (the storport.h wrapper passes &Status). */
void stor_state_change_notify(struct vm *vm, struct stor_adapter *a, const struct vw_api *api,
                              unsigned v)
{
    uint32_t entity = (uint32_t)vw_slot(vm, api, v);
    gva_t addr = vw_slot(vm, api, v + 1);
    gva_t callback = vw_slot(vm, api, v + 3), context = vw_slot(vm, api, v + 4);
    gva_t status = vw_slot(vm, api, v + 5);
    uint32_t st = STOR_STATUS_SUCCESS;
    uint32_t all = STATE_CHANGE_LUN | STATE_CHANGE_TARGET | STATE_CHANGE_BUS;
    if (a->dump) {
        vw_fail(vm, "StorPortStateChangeDetected in dump mode: the dump port enumerates nothing");
        return;
    }
    if (a->sc.pending) {
        st = STOR_STATUS_BUSY;
        a->stats.state_changes_busy++;
    } else if (entity == 0 || (entity & ~all) != 0 || addr == 0 ||
               vw_rd(vm, addr, 2) != STOR_ADDRESS_TYPE_BTL8) { /* Type, the first member */
        st = STOR_STATUS_INVALID_PARAMETER;
        a->stats.state_changes_refused++;
    } else {
        a->sc.pending = true;
        a->sc.entity = entity;
        a->sc.addr = addr;
        a->sc.addr_type = STOR_ADDRESS_TYPE_BTL8;
        a->sc.target = (uint8_t)vw_rd(vm, addr + VW_OFFSET(vm, STOR_ADDR_BTL8, Target), 1);
        a->sc.lun = (uint8_t)vw_rd(vm, addr + VW_OFFSET(vm, STOR_ADDR_BTL8, Lun), 1);
        a->sc.callback = callback;
        a->sc.context = context;
        a->stats.state_changes++;
    }
    vw_log(vm, "storport: StorPortStateChangeDetected(entity 0x%x, %u:%u) = 0x%08x", entity,
           a->sc.target, a->sc.lun, st);
    if (status != 0)
        vw_wr(vm, status, st, 4);
}

bool vw_stor_state_change(struct vm *vm, struct vw_stor_state_change *out)
{
    struct stor_adapter *a = &stor_state(vm)->normal;
    memset(out, 0, sizeof(*out));
    if (!a->started || !a->sc.pending)
        return true; /* nothing notified */
    out->ran = true;
    out->entity = a->sc.entity;
    out->target = a->sc.target;
    out->lun = a->sc.lun;
    /* The larger flag wins: the bus (target 0), a whole target (from its
     * LUN 0), or the one LUN. */
    uint8_t target = a->sc.target, lun = a->sc.lun;
    if (a->sc.entity & STATE_CHANGE_BUS)
        target = 0, lun = 0;
    else if (a->sc.entity & STATE_CHANGE_TARGET)
        lun = 0;
    if (!stor_rescan_at(vm, target, lun, &out->found))
        return false;
    /* The address stays the miniport's until the callback (the page:
     * "Address value cannot change until the callback ... is invoked"). */
    a->sc.pending = false;
    if (a->sc.callback != 0) {
        uint64_t args[5] = {a->ext, a->sc.context, a->sc.addr_type, a->sc.addr,
                            STOR_STATUS_SUCCESS};
        out->callback_ran = true;
        if (!stor_call(vm, a, CTX_STATE_CHANGE, VW_DISPATCH_LEVEL, LOCK_BIT(LOCK_STARTIO),
                       a->sc.callback, 5, args, NULL))
            return false;
    }
    return !vm->failed;
}
