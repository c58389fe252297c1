/* Surprise removal: the callbacks go with the device, so a later crash
 * writes nothing; REMOVE and unload then leave nothing behind. */
#include "pvpanic_test.h"

VW_SCENARIO("pvpanic", surprise_removal, NULL)
{
    struct vw_pvpanic *dev = pvpanic_started(vm, PVPANIC_PCI, 0x3);
    if (dev == NULL)
        return;
    uint32_t status = vw_pnp(vm, dev->pdo, VW_IRP_MN_SURPRISE_REMOVAL);
    VW_EXPECT(vm, status == 0, "SURPRISE_REMOVAL failed: 0x%08x", status);
    vw_crash(vm, 0xdeaddead, false);
    VW_EXPECT(vm, dev->reg.write_count == 0, "%u byte(s) written after surprise removal",
              dev->reg.write_count);
    pvpanic_remove_and_unload(vm, dev, true);
}
