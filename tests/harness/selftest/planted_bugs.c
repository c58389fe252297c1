/*
 * Each checker must flag its planted-bug driver (tests/harness/bad/): these
 * scenarios pass only when the run fails with the checker's message.
 */
#include "scenario.h"

VW_SCENARIO("harness", checker_irql, "IRQL: IoCreateDevice called at IRQL 2")
{
    vw_driver_load(vm, "badirql");
}

VW_SCENARIO("harness", checker_leak, "leaks at unload: 1 pool block")
{
    if (vw_driver_load(vm, "badleak"))
        vw_driver_unload(vm);
}

/* The same leak in a scenario that never unloads: the end of every
 * scenario unloads what is still loaded and runs the leak checks. */
VW_SCENARIO("harness", checker_leak_without_unload, "leaks at unload: 1 pool block")
{
    vw_driver_load(vm, "badleak");
}

/* badimport imports ZwClose, which the harness has; the scenario hides it so
 * that the checker keeps its target however the API table grows. */
VW_SCENARIO("harness", checker_unimplemented, "unimplemented imports (1): ntoskrnl.exe!ZwClose")
{
    vm->hidden_api = "ZwClose";
    vw_driver_load(vm, "badimport");
}

VW_SCENARIO("harness", checker_spinlock, "spin lock balance: routine image+")
{
    vw_driver_load(vm, "badlock");
}

/* The bug-check plug-in group's unload check (port/bugcheck/). */
VW_SCENARIO("harness", checker_bugcheck_registered, "1 registration(s) such as bug-check callbacks")
{
    if (vw_driver_load(vm, "badbugcheck"))
        vw_driver_unload(vm);
}
