/*
 * HwTimer while virtual time runs (port/storport/hwtimer.c): the PCI
 * disk's watchdog ("timer=1": RequestTimerCall of 1 ms from HwInitialize,
 * asked again twice from HwTimer) runs its three times while the scenario
 * idles with vw_run_for and nobody waits for a request; planted: the
 * emulation calling HwTimer only inside the class layer's wait.
 */
#include "stor_common.h"

/* 10 ms of idle time after the start: HwTimer has run three times. */
static void timer_idle(struct vm *vm)
{
    if (stor_start_pci(vm, "vwpcidisk", 2, "timer=1") == NULL)
        return;
    struct vw_stor_stats s0, s;
    vw_stor_stats(vm, &s0);
    vw_run_for(vm, 100000); /* 10 ms in 100 ns units */
    vw_stor_stats(vm, &s);
    vw_log(vm, "HwTimer: %u calls by the end of the start, %u after 10 ms idle", s0.timer_calls,
           s.timer_calls);
    VW_EXPECT(vm, s.timer_calls == 3,
              "HwTimer ran %u times after 10 ms idle (%u by the end of the start; want 3: "
              "1, 2 and 3 ms)",
              s.timer_calls, s0.timer_calls);
    stor_finish(vm);
}

VW_SCENARIO("vwpcidisk", storport_timer_runs_while_idle, NULL)
{
    timer_idle(vm);
}

VW_SCENARIO("vwpcidisk", checker_stor_timer_only_in_waits, "HwTimer ran ")
{
    vw_stor_plant_timer_waits_only(vm);
    timer_idle(vm);
}
