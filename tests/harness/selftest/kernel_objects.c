/*
 * Timers, waits, work items and MDLs (testdrv/vwkern.c checks them from
 * inside, against the virtual clock), and the planted bugs their checkers
 * must catch (bad/badtimer.c, bad/badwork.c).
 */
#include "kernel.h"
#include "scenario.h"

#define MS 10000ull /* 100 ns units */

VW_SCENARIO("harness", kernel_objects, NULL)
{
    uint64_t start = vm->k->interrupt_time;
    if (!vw_driver_load(vm, "vwkern"))
        return;
    /* DriverEntry's checks take exactly this much virtual time:
     * 10 + 5 + 20 + 9 + 3 (timers, delay) + 4 (wait any) + 2 (work item)
     * + 4 (four answers of the system thread). */
    VW_EXPECT(vm, vm->k->interrupt_time - start == 57 * MS,
              "DriverEntry took %llu units of virtual time, expected %llu",
              (unsigned long long)(vm->k->interrupt_time - start), 57 * MS);
    VW_EXPECT(vm, vm->k->work_items_run == 2, "%u work items ran, expected 2",
              vm->k->work_items_run);
    /* The periodic ticker (10 ms) fires 10 times in 100 ms of idle time;
     * DriverUnload checks the count. */
    unsigned fired = vm->k->timers_fired;
    vw_run_for(vm, 100 * MS);
    VW_EXPECT(vm, vm->k->timers_fired - fired == 10, "%u timer expiries in 100 ms, expected 10",
              vm->k->timers_fired - fired);
    vw_driver_unload(vm);
}

VW_SCENARIO("harness", checker_timer_leak, "leaks at unload: 1 timer(s) still set")
{
    if (vw_driver_load(vm, "badtimer")) {
        vw_run_for(vm, 20 * MS);
        vw_driver_unload(vm);
    }
}

VW_SCENARIO("harness", checker_work_item_freed, "IoFreeWorkItem of work item")
{
    vw_driver_load(vm, "badwork");
}

VW_SCENARIO("harness", checker_thread_leak, "1 system thread(s) running")
{
    if (vw_driver_load(vm, "badthread"))
        vw_driver_unload(vm);
}
