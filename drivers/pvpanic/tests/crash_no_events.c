/* Nothing supported: no callbacks are registered and a crash writes nothing. */
#include "pvpanic_test.h"

VW_SCENARIO("pvpanic", crash_no_events, NULL)
{
    struct vw_pvpanic *dev = pvpanic_started(vm, PVPANIC_ACPI, 0x0);
    if (dev == NULL)
        return;
    vw_crash(vm, 0xdeaddead, true);
    VW_EXPECT(vm, dev->reg.write_count == 0, "%u byte(s) written to a device that supports nothing",
              dev->reg.write_count);
}
