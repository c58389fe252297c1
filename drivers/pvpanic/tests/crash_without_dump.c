/* Both events supported, no crash dump: only PANICKED, once. */
#include "pvpanic_test.h"

VW_SCENARIO("pvpanic", crash_without_dump, NULL)
{
    struct vw_pvpanic *dev = pvpanic_started(vm, PVPANIC_ACPI, 0x3);
    if (dev == NULL)
        return;
    vw_crash(vm, 0xdeaddead, false);
    VW_EXPECT(vm, dev->reg.write_count == 1 && dev->reg.written[0] == QEMU_PVPANIC_PANICKED,
              "expected exactly one PANICKED write, got %u write(s), first 0x%02x",
              dev->reg.write_count, dev->reg.written[0]);
}
