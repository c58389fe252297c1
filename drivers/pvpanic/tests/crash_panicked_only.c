/* Only PANICKED supported: a crash with a dump still writes only PANICKED
 * (no CRASH_LOADED the device did not offer). */
#include "pvpanic_test.h"

VW_SCENARIO("pvpanic", crash_panicked_only, NULL)
{
    struct vw_pvpanic *dev = pvpanic_started(vm, PVPANIC_PCI, 0x1);
    if (dev == NULL)
        return;
    vw_crash(vm, 0xdeaddead, true);
    VW_EXPECT(vm, dev->reg.write_count == 1 && dev->reg.written[0] == QEMU_PVPANIC_PANICKED,
              "expected exactly one PANICKED write, got %u write(s), first 0x%02x",
              dev->reg.write_count, dev->reg.written[0]);
}
