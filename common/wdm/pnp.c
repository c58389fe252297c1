/*
 * vwdm: Plug and Play (see vwdm.h for the callbacks it drives).
 *
 * START goes to the bus driver first; once it succeeds the resources are
 * mapped, the driver prepares its hardware, interrupts are connected and the
 * device enters D0.  STOP, SURPRISE_REMOVAL and REMOVE undo exactly what
 * START did, in reverse order (VwStopHardware), whatever state it reached,
 * after the dispatch routines in flight have left (rundown.c).
 */
#include "vwdm.h"
#include "irp.h"

/* {496B8280-6F25-11D0-BEAF-08002BE2092F}, wdmguid.h */
static const GUID VwGuidBusInterfaceStandard = {
    0x496b8280, 0x6f25, 0x11d0, {0xbe, 0xaf, 0x08, 0x00, 0x2b, 0xe2, 0x09, 0x2f}};

/* Ask the stack for the bus driver's configuration-space access.  Not every
 * bus offers it (ACPI devices do not); that is not an error. IRQL: PASSIVE_LEVEL. */
static VOID VwQueryBusInterface(PVW_DEVICE Device)
{
    PDEVICE_OBJECT top = IoGetAttachedDeviceReference(Device->Self);
    IO_STATUS_BLOCK iosb;
    KEVENT done;
    NTSTATUS status;

    KeInitializeEvent(&done, NotificationEvent, FALSE);
    PIRP irp = IoBuildSynchronousFsdRequest(IRP_MJ_PNP, top, NULL, 0, NULL, &done, &iosb);
    if (irp == NULL)
        goto out;
    irp->IoStatus.Status = STATUS_NOT_SUPPORTED;
    PIO_STACK_LOCATION stack = IoGetNextIrpStackLocation(irp);
    stack->MinorFunction = IRP_MN_QUERY_INTERFACE;
    stack->Parameters.QueryInterface.InterfaceType = &VwGuidBusInterfaceStandard;
    stack->Parameters.QueryInterface.Size = sizeof(Device->Bus);
    stack->Parameters.QueryInterface.Version = 1;
    stack->Parameters.QueryInterface.Interface = (PINTERFACE)&Device->Bus;
    stack->Parameters.QueryInterface.InterfaceSpecificData = NULL;
    status = IoCallDriver(top, irp);
    if (status == STATUS_PENDING) {
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
        status = iosb.Status;
    }
    Device->HaveBus = NT_SUCCESS(status) && Device->Bus.GetBusData != NULL;
out:
    ObDereferenceObject(top);
}

/* Drop the reference on the bus interface VwQueryBusInterface took. IRQL: PASSIVE_LEVEL. */
static VOID VwReleaseBusInterface(PVW_DEVICE Device)
{
    if (Device->HaveBus && Device->Bus.InterfaceDereference != NULL)
        Device->Bus.InterfaceDereference(Device->Bus.Context);
    Device->HaveBus = FALSE;
}

/* Read PCI configuration space through the bus interface; returns the bytes read (0 without one).
 * IRQL <= DISPATCH_LEVEL. */
ULONG VwReadPciConfig(PVW_DEVICE Device, ULONG Offset, PVOID Buffer, ULONG Length)
{
    if (!Device->HaveBus)
        return 0;
    return Device->Bus.GetBusData(Device->Bus.Context, PCI_WHICHSPACE_CONFIG, Buffer, Offset,
                                  Length);
}

/* QUERY_STOP/QUERY_REMOVE remember the state to return to; CANCEL_STOP /
 * CANCEL_REMOVE go back to it (only from the pending state the query set,
 * since a cancel may arrive without its query). IRQL: PASSIVE_LEVEL. */
VOID VwPnpQueryOrCancel(PVW_DEVICE Device, UCHAR Minor)
{
    switch (Minor) {
    case IRP_MN_QUERY_STOP_DEVICE:
    case IRP_MN_QUERY_REMOVE_DEVICE:
        Device->PreviousPnpState = Device->PnpState;
        Device->PnpState = Minor == IRP_MN_QUERY_STOP_DEVICE ? VwStopPending : VwRemovePending;
        break;
    default:
        if (Device->PnpState == VwStopPending || Device->PnpState == VwRemovePending)
            Device->PnpState = Device->PreviousPnpState;
        break;
    }
}

/* Undo START, from whatever point it reached. IRQL: PASSIVE_LEVEL. */
VOID VwStopHardware(PVW_DEVICE Device)
{
    const VW_DRIVER_CONFIG *config = Device->Config;

    if (Device->DevicePower == PowerDeviceD0) {
        if (config->D0Exit != NULL)
            config->D0Exit(Device, VW_POWER_DEVICE_D3_FINAL);
        Device->DevicePower = PowerDeviceD3;
        POWER_STATE state = {.DeviceState = PowerDeviceD3};
        PoSetPowerState(Device->Self, DevicePowerState, state);
    }
    VwDisconnectInterrupts(Device);
    if (Device->HardwarePrepared && config->ReleaseHardware != NULL)
        config->ReleaseHardware(Device);
    Device->HardwarePrepared = FALSE;
    VwUnmapResources(Device);
    VwReleaseBusInterface(Device);
}

/* IRP_MN_START_DEVICE after the lower drivers: map resources, connect interrupts, enter D0, open
 * requests. IRQL: PASSIVE_LEVEL. */
NTSTATUS VwStartHardware(PVW_DEVICE Device, PIO_STACK_LOCATION Stack)
{
    const VW_DRIVER_CONFIG *config = Device->Config;
    NTSTATUS status;

    VwQueryBusInterface(Device);
    status = VwMapResources(Device, Stack->Parameters.StartDevice.AllocatedResources,
                            Stack->Parameters.StartDevice.AllocatedResourcesTranslated);
    if (!NT_SUCCESS(status))
        goto fail;
    if (config->PrepareHardware != NULL) {
        status = config->PrepareHardware(Device, &Device->Resources);
        if (!NT_SUCCESS(status))
            goto fail;
    }
    Device->HardwarePrepared = TRUE;
    if (config->Isr != NULL) {
        status = VwConnectInterrupts(Device);
        if (!NT_SUCCESS(status))
            goto fail;
    }
    if (config->D0Entry != NULL) {
        status = config->D0Entry(Device, PowerDeviceD3);
        if (!NT_SUCCESS(status))
            goto fail;
    }
    Device->DevicePower = PowerDeviceD0;
    POWER_STATE state = {.DeviceState = PowerDeviceD0};
    PoSetPowerState(Device->Self, DevicePowerState, state);
    return STATUS_SUCCESS;

fail:
    VwError(Device, "start failed 0x%08lx", status);
    VwStopHardware(Device);
    return status;
}

/* Enable or disable the device interface the driver registered, if any. IRQL: PASSIVE_LEVEL. */
static VOID VwSetInterface(PVW_DEVICE Device, BOOLEAN Enable)
{
    if (Device->InterfaceName.Buffer != NULL)
        IoSetDeviceInterfaceState(&Device->InterfaceName, Enable);
}

/* The bus driver reports which D-state each S-state allows; power.c uses it
 * to pick the device state for a system transition. IRQL: PASSIVE_LEVEL. */
static VOID VwRecordCapabilities(PVW_DEVICE Device, PIO_STACK_LOCATION Stack)
{
    PDEVICE_CAPABILITIES caps = Stack->Parameters.DeviceCapabilities.Capabilities;
    for (ULONG s = 0; s < POWER_SYSTEM_MAXIMUM; s++) {
        DEVICE_POWER_STATE d = caps->DeviceState[s];
        Device->SystemToDevice[s] =
            (d > PowerDeviceUnspecified && d < PowerDeviceMaximum) ? d : PowerDeviceD3;
    }
    Device->SystemToDevice[PowerSystemWorking] = PowerDeviceD0;
}

/* PnP dispatch: start, stop, remove and their queries for the FDO, passed down in the documented
 * order. IRQL: PASSIVE_LEVEL. */
NTSTATUS NTAPI VwDispatchPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PVW_DEVICE device = VwDeviceFromObject(DeviceObject);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status;

    /* A driver's own (non-PnP) device objects get no PnP requests to act on. */
    if (!VwIsFdo(DeviceObject))
        return VwCompleteIrp(Irp, Irp->IoStatus.Status, 0);
    status = IoAcquireRemoveLock(&device->RemoveLock, Irp);
    if (!NT_SUCCESS(status))
        return VwCompleteIrp(Irp, status, 0);

    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
        status = VwForwardIrpAndWait(device->Lower, Irp);
        if (NT_SUCCESS(status))
            status = VwStartHardware(device, stack);
        if (NT_SUCCESS(status)) {
            device->PnpState = VwStarted;
            VwRequestsOpen(device);
            VwSetInterface(device, TRUE);
        }
        VwCompleteIrp(Irp, status, 0);
        IoReleaseRemoveLock(&device->RemoveLock, Irp);
        return status;

    case IRP_MN_QUERY_CAPABILITIES:
        status = VwForwardIrpAndWait(device->Lower, Irp);
        if (NT_SUCCESS(status))
            VwRecordCapabilities(device, stack);
        VwCompleteIrp(Irp, status, Irp->IoStatus.Information);
        IoReleaseRemoveLock(&device->RemoveLock, Irp);
        return status;

    case IRP_MN_QUERY_STOP_DEVICE:
    case IRP_MN_QUERY_REMOVE_DEVICE:
    case IRP_MN_CANCEL_STOP_DEVICE:
    case IRP_MN_CANCEL_REMOVE_DEVICE:
        VwPnpQueryOrCancel(device, stack->MinorFunction);
        Irp->IoStatus.Status = STATUS_SUCCESS;
        break;

    case IRP_MN_STOP_DEVICE:
        /* No dispatch routine may still touch the hardware (rundown.c). */
        VwRequestsRundown(device, STATUS_DEVICE_NOT_READY);
        VwStopHardware(device);
        device->PnpState = VwStopped;
        Irp->IoStatus.Status = STATUS_SUCCESS;
        break;

    case IRP_MN_SURPRISE_REMOVAL:
        device->PnpState = VwSurpriseRemoved;
        VwRequestsRundown(device, STATUS_DELETE_PENDING);
        VwSetInterface(device, FALSE);
        VwStopHardware(device);
        Irp->IoStatus.Status = STATUS_SUCCESS;
        break;

    case IRP_MN_REMOVE_DEVICE:
        if (device->PnpState != VwSurpriseRemoved) {
            VwRequestsRundown(device, STATUS_DELETE_PENDING);
            VwSetInterface(device, FALSE);
            VwStopHardware(device);
        }
        device->PnpState = VwDeleted;
        Irp->IoStatus.Status = STATUS_SUCCESS;
        status = VwPassIrpDown(device->Lower, Irp);
        /* Wait for every request in flight before the state goes away. */
        IoReleaseRemoveLockAndWait(&device->RemoveLock, Irp);
        if (device->Config->RemoveDevice != NULL)
            device->Config->RemoveDevice(device);
        RtlFreeUnicodeString(&device->InterfaceName);
        IoDetachDevice(device->Lower);
        IoDeleteDevice(DeviceObject);
        return status;

    default:
        break;
    }
    status = VwPassIrpDown(device->Lower, Irp);
    IoReleaseRemoveLock(&device->RemoveLock, Irp);
    return status;
}
