/* System sleep and wake through the framework's power policy (S3 -> D3,
 * S0 -> D0) on both forms: nothing is written to the register on the way,
 * and a crash after wake-up is still reported. */
#include "pvpanic_test.h"

static void sleep_wake_crash(struct vm *vm, enum pvpanic_form form)
{
    struct vw_pvpanic *dev = pvpanic_started(vm, form, 0x1);
    if (dev == NULL)
        return;
    VW_EXPECT(vm, vw_power_set_system(vm, dev->pdo, 4 /* S3 */) == 0, "S3 failed");
    VW_EXPECT(vm, vw_power_set_system(vm, dev->pdo, 1 /* S0 */) == 0, "S0 failed");
    VW_EXPECT(vm, dev->reg.write_count == 0, "%u byte(s) written across sleep",
              dev->reg.write_count);
    vw_crash(vm, 0xdeaddead, false);
    VW_EXPECT(vm, qemu_pvpanic_writes_of(&dev->reg, QEMU_PVPANIC_PANICKED) == 1,
              "PANICKED written %u times after wake-up, expected once",
              qemu_pvpanic_writes_of(&dev->reg, QEMU_PVPANIC_PANICKED));
}

VW_SCENARIO("pvpanic", sleep_wake_acpi, NULL)
{
    sleep_wake_crash(vm, PVPANIC_ACPI);
}

VW_SCENARIO("pvpanic", sleep_wake_pci, NULL)
{
    sleep_wake_crash(vm, PVPANIC_PCI);
}
