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

VW_SCENARIO("harness", checker_unimplemented,
            "unimplemented imports (1): hal.dll!KeStallExecutionProcessor")
{
    vw_driver_load(vm, "badimport");
}
