/*
 * StorPort's answer to a request's time-out, the multi-tier reset
 * (storage/multi-tier-reset-in-storport: "attempt to reset the logical
 * unit.  If this fails, Storport attempts to reset the device.  Finally,
 * if this approach also fails, Storport resets the bus"):
 *   1. SRB_FUNCTION_RESET_LOGICAL_UNIT for the timed-out request's LU,
 *   2. SRB_FUNCTION_RESET_DEVICE for its target,
 *   3. HwResetBus.
 * Each reset SRB goes through HwBuildIo and HwStartIo past the queue
 * gate (the queues hold every other request meanwhile) and has its own
 * time-out, the adapter's TimeOutValue (the page gives none).  A tier
 * fails when its SRB completes with any status but SUCCESS or times out.
 * A reset SRB completed with SUCCESS while a request of its scope that
 * HwStartIo had before it is still at the miniport fails the run: "The
 * HBA miniport driver should complete any active requests for the
 * logical unit" / "for the target controller"
 * (srb/ns-srb-_storage_request_block, SrbFunction).
 */
#include <inttypes.h>
#include "internal.h"

/* Whether Q is in the scope of reset SRB R (its LU, or its whole target). */
static bool in_scope(const struct stor_req *r, const struct stor_req *q)
{
    return q->target == r->target && (r->function == SRB_FUNCTION_RESET_DEVICE || q->lun == r->lun);
}

bool stor_reset_scope_done(struct vm *vm, struct stor_adapter *a, const struct stor_req *r)
{
    bool lu = r->function == SRB_FUNCTION_RESET_LU;
    /* "with the reset SRB": completions already at the miniport's DPCs
     * (another queue's DPC may run after the reset SRB's) count. */
    for (unsigned i = 0; i < 1000 && !vm->failed && (stor_run_dpcs(vm, a) || vw_sched_settle(vm));
         i++)
        ;
    for (unsigned i = 0; i < STOR_MAX_REQ && !vm->failed; i++) {
        const struct stor_req *q = &a->reqs[i];
        if (q == r || q->state != REQ_AT_MINIPORT || q->start_seq > r->start_seq || !in_scope(r, q))
            continue;
        vw_fail(vm,
                "storport: %s for %u:%u completed SUCCESS while SRB 0x%" PRIx64
                " of %s %u:%u is still at the miniport (\"should complete any active requests "
                "for the %s\": srb/ns-srb-_storage_request_block, SRB_FUNCTION_RESET_%s)",
                lu ? "LUN reset" : "target reset", r->target, r->lun, q->srb,
                lu ? "that LU" : "that target", q->target, q->lun,
                lu ? "logical unit" : "target controller", lu ? "LOGICAL_UNIT" : "DEVICE");
        return false;
    }
    return !vm->failed;
}

/* One tier: reset SRB FUNCTION for R's address, started at once and
 * waited for until its own deadline.  True when it completed SUCCESS. */
static bool reset_srb(struct vm *vm, struct stor_adapter *a, struct stor_req *r, uint32_t function)
{
    const char *name = function == SRB_FUNCTION_RESET_LU ? "LUN reset" : "target reset";
    struct stor_req *s = stor_new_srb(vm, a, function, r->target, r->lun);
    if (s == NULL)
        return false;
    s->port_reset = true;
    vw_log(vm, "storport: %s of %u:%u (SRB 0x%" PRIx64 ")", name, r->target, r->lun, s->srb);
    a->resetting = true;
    stor_start_one(vm, a, s);
    bool late = false;
    bool ok = !vm->failed && stor_wait_deadline(vm, a, s, &late);
    a->resetting = false;
    if (!ok)
        return false;
    if (late) { /* left at the miniport: a later tier or HwResetBus ends it */
        vw_log(vm, "storport: %s timed out", name);
        return false;
    }
    uint8_t status = s->status & SRB_STATUS_MASK;
    if (status != SRB_STATUS_SUCCESS) {
        stor_free_request(vm, s);
        vw_log(vm, "storport: %s failed (SRB status 0x%02x)", name, status);
        return false;
    }
    ok = stor_reset_scope_done(vm, a, s);
    stor_free_request(vm, s);
    if (!ok)
        return false;
    vw_log(vm, "storport: %s ended the time-out", name);
    return true;
}

/* HwResetBus at DISPATCH_LEVEL under the StartIo lock; when it returns
 * TRUE, what it left outstanding StorPort completes with BUS_RESET itself (a request a device
 * still owns fails the run, as a miniport's completion would), and a later
 * completion of it is a bug (storport/nc-storport-hw_reset_bus). */
static void reset_bus(struct vm *vm, struct stor_adapter *a)
{
    uint64_t argv[2] = {a->ext, 0}, ret = 0;
    a->stats.resets++;
    vw_log(vm, "storport: bus reset (event 129): HwResetBus");
    if (!stor_call(vm, a, CTX_RESET_BUS, VW_DISPATCH_LEVEL, LOCK_BIT(LOCK_STARTIO), a->reset_bus, 2,
                   argv, &ret))
        return;
    /* "If the bus is successfully reset, HwStorResetBus returns TRUE":
     * FALSE says it was not (a device still resetting), so what is at the
     * miniport stays the miniport's to complete; each gets one more
     * TimeOutValue (stor_timeout fails the run if it passes again). */
    if ((ret & 0xff) == 0) {
        vw_log(vm, "storport: HwResetBus returned FALSE: requests left with the miniport");
        uint64_t until = vm->k->interrupt_time + a->timeout_s * 10000000ull;
        for (unsigned i = 0; i < STOR_MAX_REQ; i++) {
            struct stor_req *r = &a->reqs[i];
            if (r->state != REQ_AT_MINIPORT || r->port_reset)
                continue;
            r->reset_refused = true;
            if (r->deadline < until)
                r->deadline = until;
        }
        return;
    }
    for (unsigned i = 0; i < STOR_MAX_REQ; i++) {
        struct stor_req *r = &a->reqs[i];
        if (r->state == REQ_AT_MINIPORT) {
            vw_log(vm, "storport: HwResetBus left SRB 0x%" PRIx64 "; completed with BUS_RESET",
                   r->srb);
            /* StorPort's completion hands the buffers back to the class
             * driver: HwResetBus must have stopped the device using them. */
            if (!stor_check_device_released(vm, a, r))
                return;
            r->state = REQ_RETURNED_BY_RESET;
            r->status = SRB_STATUS_BUS_RESET;
            if (!r->port_reset)
                stor_count(a, r, -1);
        }
    }
}

void stor_timeout(struct vm *vm, struct stor_adapter *a, struct stor_req *r)
{
    if (r->reset_refused) {
        vw_fail(vm,
                "storport: SRB 0x%" PRIx64 " never completed: still at the miniport a full "
                "time-out after HwResetBus returned FALSE",
                r->srb);
        return;
    }
    a->stats.timeouts++;
    vw_log(vm, "storport: SRB 0x%" PRIx64 " of %u:%u timed out (event 129)", r->srb, r->target,
           r->lun);
    unsigned tier = 0;
    a->stats.lun_resets++;
    if (reset_srb(vm, a, r, SRB_FUNCTION_RESET_LU)) {
        tier = VW_STOR_TIER_LUN;
    } else if (!vm->failed) {
        a->stats.target_resets++;
        if (reset_srb(vm, a, r, SRB_FUNCTION_RESET_DEVICE))
            tier = VW_STOR_TIER_TARGET;
    }
    if (tier == 0 && !vm->failed) {
        reset_bus(vm, a);
        tier = VW_STOR_TIER_BUS;
    }
    a->stats.last_tier = tier;
    /* Reset SRBs that timed out and were completed later: nobody
     * collects them. */
    for (unsigned i = 0; i < STOR_MAX_REQ; i++)
        if (a->reqs[i].port_reset && a->reqs[i].state == REQ_COMPLETED && !a->reqs[i].busy_waiting)
            stor_free_request(vm, &a->reqs[i]);
}
