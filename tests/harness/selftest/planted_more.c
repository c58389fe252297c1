/*
 * More checkers and their planted-bug drivers (tests/harness/bad/): pool
 * guard pages (use after free), IRPs never completed, deadlocks.  Each
 * scenario passes only when the run fails with the checker's message.
 */
#include "scenario.h"
#include "watchdog.h"

/* badpool's bugs, chosen by the processor count (bad/badpool.c). */
static void badpool_with(struct vm *vm, unsigned cpus)
{
    if (vw_cpus_set(vm, cpus))
        vw_driver_load(vm, "badpool");
}

/* The fault names the freed block and where the driver allocated it. */
VW_SCENARIO("harness", checker_use_after_free, "(freed pool block of 64 bytes allocated at image+")
{
    badpool_with(vm, 4); /* whatever CPUS the run has */
}

VW_SCENARIO("harness", checker_pool_overrun,
            "(past the end of pool block of 64 bytes allocated at image+")
{
    badpool_with(vm, 1);
}

VW_SCENARIO("harness", checker_pool_read_after_free, "unmapped read of 4 bytes at 0x")
{
    badpool_with(vm, 2);
}

VW_SCENARIO("harness", checker_pool_double_free, "is not an allocated pool block")
{
    badpool_with(vm, 3);
}

VW_SCENARIO("harness", checker_pool_freed_to_kernel, "kernel write of")
{
    badpool_with(vm, 5);
}

/* A routine that never returns is stopped after its CPU-time budget: a
 * planted 0.25 s, not the standard 5 s, which every run of this scenario
 * spent in full (45 CPU-s of check-harness's three seeds); the stop is the
 * same code either way. */
VW_SCENARIO("harness", checker_call_never_returns, "budget of 0.25 s CPU time")
{
    if (vw_watchdog_plant_cpu_budget(vm, 250ull * 1000 * 1000))
        vw_driver_load(vm, "badspin");
}

VW_SCENARIO("harness", checker_irp_not_completed, "but was never completed")
{
    gva_t pdo = vw_pdo_create(vm, VW_PCI_BUS, NULL, 0);
    if (vw_driver_load(vm, "badirp") && vw_add_device(vm, pdo))
        vw_create(vm, pdo);
}

VW_SCENARIO("harness", checker_deadlock, "deadlock: KeWaitForSingleObject")
{
    vw_driver_load(vm, "baddeadlock");
}

VW_SCENARIO_ON("harness", checker_x86_stack_balance, "x86 stack imbalance", VW_ARCH_BIT(VW_X86))
{
    if (vw_driver_load(vm, "badstack"))
        vw_driver_unload(vm);
}
