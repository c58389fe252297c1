/* Both events supported, crash dump enabled: the dump announces
 * CRASH_LOADED exactly once (though called per dump block) and PANICKED is
 * never written, so the host lets the dump finish. */
#include "pvpanic_test.h"

VW_SCENARIO("pvpanic", crash_with_dump, NULL)
{
    struct vw_pvpanic *dev = pvpanic_started(vm, PVPANIC_PCI, 0x3);
    if (dev == NULL)
        return;
    vw_crash(vm, 0xdeaddead, true);
    VW_EXPECT(vm, qemu_pvpanic_writes_of(&dev->reg, QEMU_PVPANIC_CRASH_LOADED) == 1,
              "CRASH_LOADED written %u times, expected once",
              qemu_pvpanic_writes_of(&dev->reg, QEMU_PVPANIC_CRASH_LOADED));
    VW_EXPECT(vm, dev->reg.write_count == 1, "%u bytes written, expected only CRASH_LOADED",
              dev->reg.write_count);
}
