/*
 * The StorPort emulation's stall rule on vioscsi's bus reset: one
 * HwResetBus call busy-waits (StorPortStallExecution summed) 1 ms at most,
 * as each stall must be less than a full millisecond at DISPATCH_LEVEL
 * (storport/nf-storport-storportstallexecution).  vioscsi's HwResetBus
 * waits for nothing (it resets the device when anything is still there),
 * so the rule holds with the reset TMFs rejected (the LUN and target reset
 * SRBs fail, the time-out reaches HwResetBus) and with them never answered
 * (the reset SRBs wait for vioscsi's own timer; StorPort's tiers:
 * storage/multi-tier-reset-in-storport); every other vioscsi scenario runs
 * under the rule as well.
 */
#include "vioscsi_test.h"

/* A READ whose response the target loses (TMF_NEVER: the reset TMFs are
 * never answered either; else rejected): its time-out ends, under the
 * rule, by HwResetBus when the TMFs are rejected. */
static void reset_under_rule(struct vm *vm, bool tmf_never)
{
    struct sc_host h;
    if (!sc_start_mem_2s(vm, &h))
        goto out;
    struct vw_stor_result r;
    uint64_t took;
    if (sc_lost_read(vm, &h, tmf_never, !tmf_never, &r, &took)) {
        struct vw_stor_stats st;
        vw_stor_stats(vm, &st);
        VW_EXPECT(vm,
                  st.timeouts >= 1 && (tmf_never || st.resets >= 1) &&
                      (r.srb_status & SRB_STATUS_MASK) != SRB_STATUS_SUCCESS,
                  "lost READ: %u time-outs (last tier %u), %u bus resets, SRB 0x%02x", st.timeouts,
                  st.last_tier, st.resets, r.srb_status);
    }
out:
    sc_finish(vm, &h);
}

VW_SCENARIO("vioscsi", reset_stall_answered, NULL)
{
    reset_under_rule(vm, false);
}

VW_SCENARIO("vioscsi", reset_stall_tmf_never, NULL)
{
    reset_under_rule(vm, true);
}
