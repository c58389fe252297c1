/*
 * Device parameters through IoOpenDeviceRegistryKey/ZwQueryValueKey/ZwClose
 * (testdrv/vwparam.c): a DWORD is read, a value of the wrong type and a
 * missing one give the defaults, and no key handle is left open.
 */
#include <string.h>
#include "scenario.h"
#include "vw_registry.h"

VW_SCENARIO("harness", registry_parameters, NULL)
{
    gva_t pdo = vw_pdo_create(vm, VW_PCI_BUS, NULL, 0);
    uint32_t answer = 42;
    vw_registry_set(vm, pdo, "Answer", VW_REG_DWORD, &answer, sizeof(answer));
    vw_registry_set(vm, pdo, "WrongType", VW_REG_SZ, "x\0\0", 4);
    if (!vw_driver_load(vm, "vwparam") || !vw_add_device(vm, pdo))
        return;
    VW_EXPECT(vm, vm->log && strstr(vm->log, "Answer=42 WrongType=5 Missing=7"),
              "device parameters not read as set");
    vw_pnp(vm, pdo, VW_IRP_MN_REMOVE_DEVICE);
    vw_driver_unload(vm);
}
