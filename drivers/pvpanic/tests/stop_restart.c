/* STOP then START again (resource rebalance): the register is remapped and
 * the callbacks registered again, once; a power IRP passes through. */
#include "pvpanic_test.h"

VW_SCENARIO("pvpanic", stop_restart, NULL)
{
    struct vw_pvpanic *dev = pvpanic_started(vm, PVPANIC_PCI, 0x3);
    if (dev == NULL)
        return;
    uint32_t status = vw_pnp(vm, dev->pdo, VW_IRP_MN_QUERY_STOP_DEVICE);
    VW_EXPECT(vm, status == 0, "QUERY_STOP failed: 0x%08x", status);
    status = vw_pnp(vm, dev->pdo, VW_IRP_MN_STOP_DEVICE);
    VW_EXPECT(vm, status == 0, "STOP failed: 0x%08x", status);
    status = vw_pnp(vm, dev->pdo, VW_IRP_MN_START_DEVICE);
    VW_EXPECT(vm, status == 0, "second START failed: 0x%08x", status);
    status = vw_power_set_device(vm, dev->pdo, 1 /* PowerDeviceD0 */);
    VW_EXPECT(vm, status == 0, "power IRP failed: 0x%08x", status);
    vw_crash(vm, 0xdeaddead, false);
    VW_EXPECT(vm, dev->reg.write_count == 1 && dev->reg.written[0] == QEMU_PVPANIC_PANICKED,
              "expected one PANICKED after restart, got %u write(s)", dev->reg.write_count);
}
