/*
 * Shared steps of the pvpanic scenarios.
 */
#pragma once
#include "dev_pvpanic.h"
#include "scenario.h"

enum pvpanic_form { PVPANIC_ACPI, PVPANIC_PCI };

/* Device with SUPPORTED events, driver loaded, device added and started. */
static inline struct vw_pvpanic *pvpanic_started(struct vm *vm, enum pvpanic_form form,
                                                 uint8_t supported)
{
    struct vw_pvpanic *dev =
        form == PVPANIC_PCI ? vw_pvpanic_pci(vm, supported) : vw_pvpanic_acpi(vm, supported);
    if (dev == NULL || !vw_driver_load(vm, "pvpanic") || !vw_add_device(vm, dev->pdo))
        return NULL;
    uint32_t status = vw_pnp(vm, dev->pdo, VW_IRP_MN_START_DEVICE);
    VW_EXPECT(vm, status == 0, "START_DEVICE failed: 0x%08x", status);
    VW_EXPECT(vm, dev->reg.read_count == 1, "supported events read %u times, expected once",
              dev->reg.read_count);
    VW_EXPECT(vm, dev->reg.write_count == 0, "%u byte(s) written before any crash",
              dev->reg.write_count);
    return vm->failed ? NULL : dev;
}

/* REMOVE_DEVICE (after QUERY_REMOVE unless SURPRISED) and unload, clean. */
static inline void pvpanic_remove_and_unload(struct vm *vm, struct vw_pvpanic *dev, bool surprised)
{
    if (!surprised) {
        uint32_t status = vw_pnp(vm, dev->pdo, VW_IRP_MN_QUERY_REMOVE_DEVICE);
        VW_EXPECT(vm, status == 0, "QUERY_REMOVE failed: 0x%08x", status);
    }
    uint32_t status = vw_pnp(vm, dev->pdo, VW_IRP_MN_REMOVE_DEVICE);
    VW_EXPECT(vm, status == 0, "REMOVE_DEVICE failed: 0x%08x", status);
    vw_driver_unload(vm);
}
