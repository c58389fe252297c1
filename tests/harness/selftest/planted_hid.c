/*
 * The hidclass emulation's checks must flag badhid's planted bugs
 * (tests/harness/bad/badhid.c): a malformed report descriptor, an input
 * report of the wrong length, a cancel routine that keeps the cancel lock.
 */
#include "scenario.h"

static void run(struct vm *vm, uint32_t bug, bool remove)
{
    if (!vw_driver_load(vm, "badhid"))
        return;
    gva_t pdo = vw_pdo_create(vm, VW_PCI_BUS, NULL, 0);
    vw_registry_set(vm, pdo, "Bug", 4 /* REG_DWORD */, &bug, sizeof(bug));
    if (!vw_add_device(vm, pdo))
        return;
    vw_pnp(vm, pdo, VW_IRP_MN_START_DEVICE);
    if (remove)
        vw_pnp(vm, pdo, VW_IRP_MN_REMOVE_DEVICE);
}

VW_SCENARIO("harness", checker_hid_descriptor,
            "report descriptor rejected: 1 collection(s) left open")
{
    run(vm, 1, false);
}

VW_SCENARIO("harness", checker_hid_report, "bad input report: input report 1 has 1 bytes")
{
    run(vm, 2, false);
}

VW_SCENARIO("harness", checker_cancel_lock, "returned holding the cancel spin lock")
{
    run(vm, 3, true);
}

/* hid/minidriver-operations: "A HID minidriver must supply the following
 * dispatch routines: create, close, ..." */
VW_SCENARIO("harness", checker_hid_no_create_stub, "supplies no IRP_MJ_CREATE dispatch routine")
{
    vw_driver_load(vm, "badhidstub");
}
