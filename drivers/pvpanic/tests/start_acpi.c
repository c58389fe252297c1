/* Load, AddDevice and START on the ACPI form (port 0x505; memory on arm64). */
#include "pvpanic_test.h"

VW_SCENARIO("pvpanic", start_acpi, NULL)
{
    struct vw_pvpanic *dev = pvpanic_started(vm, PVPANIC_ACPI, 0x3);
    if (dev)
        pvpanic_remove_and_unload(vm, dev, false);
}
