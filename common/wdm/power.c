/*
 * vwdm: power.  The framework is the device's power policy owner:
 *  - a system set-power IRP (S-IRP) goes down first; on its way back the
 *    device state for that system state (from the capabilities the bus
 *    reported; D0 for S0) is requested with PoRequestPowerIrp, and the S-IRP
 *    completes when that device IRP (D-IRP) has;
 *  - a D-IRP to D0 goes down first (the bus powers the slot), then the
 *    driver's D0Entry runs; a D-IRP to D1-D3 runs D0Exit first, then goes
 *    down.
 * The FDO is DO_POWER_PAGABLE, so both run at PASSIVE_LEVEL and may wait.
 * Since Windows Vista, IoCallDriver passes power IRPs; PoStartNextPowerIrp
 * is still called where the documented protocol asks for it.
 */
#include "vwdm.h"
#include "irp.h"

static IO_COMPLETION_ROUTINE VwSystemPowerDone;
static REQUEST_POWER_COMPLETE VwDevicePowerDone;

/* A device set-power IRP (PASSIVE_LEVEL: the FDO is DO_POWER_PAGABLE).
 * Never failed by us: "a driver can fail IRP_MN_QUERY_POWER but cannot fail
 * IRP_MN_SET_POWER" (learn.microsoft.com/windows-hardware/drivers/kernel/
 * power-irps-for-the-system, and .../handling-irp-mn-set-power-for-device-
 * power-states: the function driver passes it down).  The status is the
 * bus driver's; a device that fails to come back in D0Entry is the
 * driver's problem to report through its requests (they fail), not a
 * reason to fail the IRP. IRQL: PASSIVE_LEVEL. */
static NTSTATUS VwDevicePower(PVW_DEVICE Device, PIRP Irp, DEVICE_POWER_STATE Target)
{
    const VW_DRIVER_CONFIG *config = Device->Config;
    DEVICE_POWER_STATE previous = Device->DevicePower;
    POWER_STATE state = {.DeviceState = Target};
    NTSTATUS status;

    if (Target == PowerDeviceD0 && previous != PowerDeviceD0) {
        status = VwForwardIrpAndWait(Device->Lower, Irp);
        if (NT_SUCCESS(status)) {
            /* The bus powered the device: it is in D0 whatever D0Entry says. */
            Device->DevicePower = PowerDeviceD0;
            PoSetPowerState(Device->Self, DevicePowerState, state);
            if (Device->HardwarePrepared && config->D0Entry != NULL) {
                NTSTATUS entry = config->D0Entry(Device, previous);
                if (!NT_SUCCESS(entry))
                    VwError(Device, "D0Entry failed 0x%08lx: the device stays unusable", entry);
            }
        }
        PoStartNextPowerIrp(Irp);
        VwCompleteIrp(Irp, status, 0);
        IoReleaseRemoveLock(&Device->RemoveLock, Irp);
        return status;
    }
    if (Target != PowerDeviceD0 && previous == PowerDeviceD0) {
        if (Device->HardwarePrepared && config->D0Exit != NULL)
            config->D0Exit(Device, Target);
        Device->DevicePower = Target;
        PoSetPowerState(Device->Self, DevicePowerState, state);
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    status = VwPassPowerIrpDown(Device->Lower, Irp);
    IoReleaseRemoveLock(&Device->RemoveLock, Irp);
    return status;
}

/* The D-IRP we requested for an S-IRP has completed: finish the S-IRP. IRQL <= DISPATCH_LEVEL. */
static VOID NTAPI VwDevicePowerDone(PDEVICE_OBJECT DeviceObject, UCHAR MinorFunction,
                                    POWER_STATE PowerState, PVOID Context,
                                    PIO_STATUS_BLOCK IoStatus)
{
    PIRP sirp = (PIRP)Context;
    PVW_DEVICE device = VwDeviceFromObject(IoGetCurrentIrpStackLocation(sirp)->DeviceObject);

    (void)DeviceObject;
    (void)MinorFunction;
    (void)PowerState;
    /* The S-IRP keeps the status the lower drivers gave it: a system
     * set-power IRP is never failed (power-irps-for-the-system, cited at
     * VwDevicePower), whatever became of the device IRP. */
    if (!NT_SUCCESS(IoStatus->Status))
        VwError(device, "device power IRP for S%d failed 0x%08lx", (int)device->SystemPower - 1,
                IoStatus->Status);
    PoStartNextPowerIrp(sirp);
    IoCompleteRequest(sirp, IO_NO_INCREMENT);
    IoReleaseRemoveLock(&device->RemoveLock, sirp);
}

/* Completion of a system power IRP: request the device state that S-state allows, finishing the
 * S-IRP when it is done. IRQL <= DISPATCH_LEVEL. */
static NTSTATUS NTAPI VwSystemPowerDone(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PVW_DEVICE device = (PVW_DEVICE)Context;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    SYSTEM_POWER_STATE system = stack->Parameters.Power.State.SystemState;
    NTSTATUS status = Irp->IoStatus.Status;

    (void)DeviceObject;
    if (NT_SUCCESS(status) && system > PowerSystemUnspecified && system < PowerSystemMaximum) {
        POWER_STATE target;
        target.DeviceState =
            system == PowerSystemWorking ? PowerDeviceD0 : device->SystemToDevice[system];
        if (target.DeviceState == PowerDeviceUnspecified)
            target.DeviceState = PowerDeviceD3;
        device->SystemPower = system;
        status =
            PoRequestPowerIrp(device->Pdo, IRP_MN_SET_POWER, target, VwDevicePowerDone, Irp, NULL);
        if (NT_SUCCESS(status))
            return STATUS_MORE_PROCESSING_REQUIRED; /* VwDevicePowerDone completes it */
        /* No D-IRP: the S-IRP still completes with the lower drivers' status. */
        VwError(device, "PoRequestPowerIrp failed 0x%08lx", status);
    }
    /* VwDispatchPower already marked the IRP pending. */
    PoStartNextPowerIrp(Irp);
    IoReleaseRemoveLock(&device->RemoveLock, Irp);
    return STATUS_CONTINUE_COMPLETION;
}

/* Power dispatch: system IRPs become device IRPs, device IRPs run the driver's D0 entry and exit.
 * IRQL: PASSIVE_LEVEL. */
NTSTATUS NTAPI VwDispatchPower(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PVW_DEVICE device = VwDeviceFromObject(DeviceObject);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status;

    /* A driver's own (non-PnP) device objects get no power requests to act on. */
    if (!VwIsFdo(DeviceObject))
        return VwCompleteIrp(Irp, Irp->IoStatus.Status, 0);
    status = IoAcquireRemoveLock(&device->RemoveLock, Irp);
    if (!NT_SUCCESS(status)) {
        PoStartNextPowerIrp(Irp);
        return VwCompleteIrp(Irp, status, 0);
    }
    if (stack->MinorFunction == IRP_MN_SET_POWER) {
        if (stack->Parameters.Power.Type == DevicePowerState)
            return VwDevicePower(device, Irp, stack->Parameters.Power.State.DeviceState);
        if (stack->Parameters.Power.Type == SystemPowerState) {
            IoMarkIrpPending(Irp);
            IoCopyCurrentIrpStackLocationToNext(Irp);
            IoSetCompletionRoutine(Irp, VwSystemPowerDone, device, TRUE, TRUE, TRUE);
            PoCallDriver(device->Lower, Irp);
            return STATUS_PENDING;
        }
    }
    status = VwPassPowerIrpDown(device->Lower, Irp);
    IoReleaseRemoveLock(&device->RemoveLock, Irp);
    return status;
}
