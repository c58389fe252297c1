/* Load, AddDevice and START on the PCI form (1B36:0011, BAR0 memory). */
#include "pvpanic_test.h"

VW_SCENARIO("pvpanic", start_pci, NULL)
{
    struct vw_pvpanic *dev = pvpanic_started(vm, PVPANIC_PCI, 0x3);
    if (dev)
        pvpanic_remove_and_unload(vm, dev, false);
}
