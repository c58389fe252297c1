/*
 * The stall rule: how long a miniport may busy-wait in StorPortStallExecution.
 *
 * Each delay "must be less than a full millisecond"
 * (storport/nf-storport-storportstallexecution), in every routine.  At
 * DISPATCH_LEVEL or above the CPU runs nothing else while it stalls, and
 * every routine StorPort calls there is documented at that IRQL: HwInitialize
 * and HwAdapterControl(ScsiStopAdapter, ScsiRestartAdapter) at DIRQL
 * (storport/nc-storport-hw_initialize, the IRQL table of
 * storport/nc-storport-hw_adapter_control), HwInterrupt and the MSI routine
 * at DIRQL, HwBuildIo, HwStartIo (which must not wait at all:
 * devtest/storport-spnowait lists StorPortStallExecution), HwResetBus,
 * HwTimer and the DPC routines at DISPATCH_LEVEL.  The harness's rule: what
 * one call of a routine stalls while at DISPATCH_LEVEL or above, summed,
 * is at most 1 ms; a DPC routine run by StorPortIssueDpc counts as a call of
 * its own.  At PASSIVE_LEVEL (HwFindAdapter, the passive initialization,
 * HwAdapterControl's other types) other threads run meanwhile, so only the
 * per-delay limit applies.  Dump copies are exempt from the sum: the
 * crashed or hibernating system has nothing else to run, and polling is
 * their way.
 */
#include "internal.h"

#include <inttypes.h>
#include <string.h>

#define STOR_STALL_LIMIT_US 1000u

/* Where the IRQL StorPort calls CTX at is documented. */
static const char *ctx_page(enum stor_ctx ctx)
{
    switch (ctx) {
    case CTX_HW_INITIALIZE:
        return "storport/nc-storport-hw_initialize";
    case CTX_BUILDIO:
        return "storport/nc-storport-hw_buildio";
    case CTX_STARTIO:
        return "storport/nc-storport-hw_startio, devtest/storport-spnowait";
    case CTX_INTERRUPT:
        return "storport/nc-storport-hw_interrupt";
    case CTX_DPC:
        return "storport/nc-storport-hw_dpc_routine";
    case CTX_RESET_BUS:
        return "storport/nc-storport-hw_reset_bus";
    case CTX_ADAPTER_CONTROL:
        return "storport/nc-storport-hw_adapter_control";
    case CTX_TIMER:
        return "storport/nc-storport-hw_timer";
    case CTX_STATE_CHANGE:
        return "storport/nc-storport-hw_state_change";
    default:
        return "a spin lock the routine took";
    }
}

/* The adapter whose routine runs on this CPU (the dump copy's while it
 * runs; DPCs are the normal adapter's), or NULL. */
static struct stor_adapter *running_adapter(struct vm *vm)
{
    struct stor_state *s = stor_state(vm);
    if (s->dumpcopy.registered && stor_cpu(vm, &s->dumpcopy)->ctx != CTX_NONE)
        return &s->dumpcopy;
    return s->normal.registered ? &s->normal : NULL;
}

/* A routine's call starts on this CPU: nothing stalled yet. */
void stor_stall_begin(struct vm *vm, struct stor_cpu *c)
{
    c->stalled_us = 0;
    c->dpc_at_entry = vw_cpu_dpc_running(vm);
}

/* StorPortStallExecution(US) on this CPU: charged to the routine or DPC
 * running here, checked against both limits. */
void stor_stall(struct vm *vm, uint32_t us)
{
    struct stor_adapter *a = running_adapter(vm);
    if (a == NULL)
        return;
    struct stor_state *s = stor_state(vm);
    struct stor_cpu *c = stor_cpu(vm, a);
    uint64_t dpc = vw_cpu_dpc_running(vm);
    enum stor_ctx ctx = c->ctx;
    uint64_t *sum = NULL;
    if (ctx != CTX_NONE && dpc == c->dpc_at_entry) {
        sum = &c->stalled_us;
    } else if (dpc != 0) { /* a DPC, maybe run inside a routine's call */
        ctx = CTX_DPC;
        if (c->dpc_id != dpc) {
            c->dpc_id = dpc;
            c->dpc_stalled_us = 0;
        }
        sum = &c->dpc_stalled_us;
    }
    const char *who = ctx == CTX_NONE ? "no StorPort routine" : stor_ctx_name(ctx);
    const char *control = ctx == CTX_ADAPTER_CONTROL ? a->control_name : NULL;
    if (us >= STOR_STALL_LIMIT_US) {
        vw_fail(vm,
                "storport: StorPortStallExecution(%u) in %s%s%s%s: the delay must be less than a "
                "full millisecond (storport/nf-storport-storportstallexecution)",
                us, who, control ? "(" : "", control ? control : "", control ? ")" : "");
        return;
    }
    if (sum == NULL || vm->irql < VW_DISPATCH_LEVEL || a->dump)
        return;
    *sum += us;
    if (*sum > a->stats.long_stall_us) {
        a->stats.long_stall_us = (unsigned)*sum;
        a->stats.long_stall_routine = stor_ctx_name(ctx);
    }
    uint64_t limit = STOR_STALL_LIMIT_US;
    if (s->stall_allow[ctx] > limit)
        limit = s->stall_allow[ctx];
    if (*sum <= limit)
        return;
    vw_fail(vm,
            "storport: %s%s%s%s stalled %" PRIu64 " us in one call at IRQL %u "
            "(StorPortStallExecution summed; at DISPATCH_LEVEL or above a call may busy-wait "
            "%u us in all: storport/nf-storport-storportstallexecution, %s)",
            who, control ? "(" : "", control ? control : "", control ? ")" : "", *sum, vm->irql,
            STOR_STALL_LIMIT_US, ctx_page(ctx));
}

/* Let one call of ROUTINE stall US in all (a driver's known wait). */
void vw_stor_stall_allow(struct vm *vm, const char *routine, unsigned us)
{
    struct stor_state *s = stor_state(vm);
    for (unsigned ctx = CTX_FIND_ADAPTER; ctx <= CTX_STATE_CHANGE; ctx++)
        if (strcmp(stor_ctx_name((enum stor_ctx)ctx), routine) == 0) {
            s->stall_allow[ctx] = us;
            return;
        }
    vw_fail(vm, "harness: vw_stor_stall_allow: no StorPort routine named %s", routine);
}
