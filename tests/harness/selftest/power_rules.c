/*
 * Power IRP rules (k_power.c) with badpower: failing a device query is
 * allowed, failing a device set-power is flagged.
 */
#include "kernel.h"
#include "scenario.h"

static gva_t start(struct vm *vm)
{
    if (!vw_driver_load(vm, "badpower"))
        return 0;
    gva_t pdo = vw_pdo_create(vm, VW_PCI_BUS, NULL, 0);
    vw_add_device(vm, pdo);
    VW_EXPECT(vm, vw_pnp(vm, pdo, VW_IRP_MN_START_DEVICE) == VW_STATUS_SUCCESS, "start failed");
    return pdo;
}

VW_SCENARIO("harness", power_query_may_fail, NULL)
{
    gva_t pdo = start(vm);
    VW_EXPECT(vm, !VW_NT_SUCCESS(vw_power_query(vm, pdo, 1, 4)), "the D3 query succeeded");
    VW_EXPECT(vm, vw_power_set_device(vm, pdo, 1) == VW_STATUS_SUCCESS, "D0 failed");
    VW_EXPECT(vm, vw_pnp(vm, pdo, VW_IRP_MN_REMOVE_DEVICE) == VW_STATUS_SUCCESS, "remove");
    vw_driver_unload(vm);
}

VW_SCENARIO("harness", checker_set_power_failed, "must not fail a device set-power IRP")
{
    gva_t pdo = start(vm);
    vw_power_set_device(vm, pdo, 4); /* D3 */
    vw_pnp(vm, pdo, VW_IRP_MN_REMOVE_DEVICE);
    vw_driver_unload(vm);
}
