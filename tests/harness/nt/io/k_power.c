/*
 * The power manager's rules on how power IRPs end.  A driver can fail an
 * IRP_MN_QUERY_POWER but not an IRP_MN_SET_POWER:
 *   - system power states: "A driver can fail an IRP_MN_QUERY_POWER request
 *     but cannot fail IRP_MN_SET_POWER." (Power IRPs for the System);
 *     "The driver cannot fail a system set-power IRP." (Handling a System
 *     Set-Power IRP in a Bus Driver);
 *   - device power states: a device set-power IRP "requests a change of
 *     state" that function and filter drivers carry out and pass down
 *     (Handling IRP_MN_SET_POWER for Device Power States); only a query
 *     may be refused (Handling IRP_MN_QUERY_POWER for Device Power
 *     States), so a function driver failing one breaks the sequence the
 *     power manager and the policy owner rely on (issue 20).
 * Every power IRP the harness sends or the driver requests
 * (PoRequestPowerIrp) is checked when it completes.
 */
#include "kernel.h"
#include "vw_irp.h"

void vw_power_check_final(struct vm *vm, unsigned minor, unsigned type, unsigned state,
                          uint32_t status)
{
    if (vm->failed || minor != VW_IRP_MN_SET_POWER || VW_NT_SUCCESS(status))
        return;
    if (type == 0)
        vw_fail(vm,
                "power: IRP_MN_SET_POWER for system state S%u completed with 0x%08x: a "
                "driver cannot fail a system set-power IRP",
                state > 0 ? state - 1 : 0, status);
    else
        vw_fail(vm,
                "power: IRP_MN_SET_POWER for device state D%u completed with 0x%08x: a "
                "function driver must not fail a device set-power IRP",
                state > 0 ? state - 1 : 0, status);
}
