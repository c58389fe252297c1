/*
 * vioinput: life under hidclass.sys.
 *
 * DriverEntry registers with HidRegisterMinidriver (devices are not polled:
 * the device sends events when it has them).  hidclass then takes over the
 * driver object: it creates the FDO itself, attached to the PDO, and calls
 * our AddDevice with it; every IRP for the FDO reaches our dispatch
 * routines through hidclass.  That differs from the vwdm framework's
 * model in three ways, handled here instead of in common/wdm:
 *   - our state is at HID_DEVICE_EXTENSION.MiniDeviceExtension, not at the
 *     FDO's DeviceExtension;
 *   - REMOVE does not detach or delete the FDO (hidclass does that after we
 *     return), and nothing is created or attached in AddDevice;
 *   - hidclass is the power policy owner: system power IRPs just go down;
 *     device power IRPs still bring the hardware down before D1-D3 and up
 *     after D0 like the framework does.
 * The hardware half of START/STOP (resources, interrupts, the callbacks in
 * VioinputConfig) is the framework's, through VwStartHardware and
 * VwStopHardware; IRP helpers come from common/wdm/irp.c.
 */
#include <vw/compiler.h>
#include <wdm/irp.h>
#include "vioinput.h"

static DRIVER_ADD_DEVICE VioinputAddDevice;
static DRIVER_UNLOAD VioinputUnload;
static DRIVER_DISPATCH VioinputDispatchPnp;
static DRIVER_DISPATCH VioinputDispatchPower;
static DRIVER_DISPATCH VioinputDispatchInternal;
static DRIVER_DISPATCH VioinputDispatchPassDown;
static DRIVER_DISPATCH VioinputDispatchCreateClose;
static IO_WORKITEM_ROUTINE VioinputPowerWork;

const VW_DRIVER_CONFIG VioinputConfig = {
    .Name = "vioinput",
    .PoolTag = VIOINPUT_POOL_TAG,
    .ContextSize = sizeof(VIOINPUT_DEVICE),
    .PrepareHardware = VioinputPrepareHardware,
    .ReleaseHardware = VioinputReleaseHardware,
    .D0Entry = VioinputD0Entry,
    .D0Exit = VioinputD0Exit,
    .Isr = VioinputIsr,
    .Dpc = VioinputDpc,
};

/* Size of the minidriver extension: the framework header and vioinput's state. IRQL: any. */
static ULONG VioinputExtensionSize(void)
{
    return (ULONG)((sizeof(VW_DEVICE) + 15) & ~(SIZE_T)15) + sizeof(VIOINPUT_DEVICE);
}

/* AddDevice under hidclass: set up the framework's device in the minidriver extension. IRQL:
 * PASSIVE_LEVEL. */
static NTSTATUS NTAPI VioinputAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Fdo)
{
    PVW_HID_DEVICE_EXTENSION hid = (PVW_HID_DEVICE_EXTENSION)Fdo->DeviceExtension;
    PVW_DEVICE device = (PVW_DEVICE)hid->MiniDeviceExtension;

    (void)DriverObject;
    RtlZeroMemory(device, VioinputExtensionSize());
    device->Self = Fdo;
    device->Pdo = hid->PhysicalDeviceObject;
    device->Lower = hid->NextDeviceObject;
    device->Config = &VioinputConfig;
    device->PnpState = VwNotStarted;
    device->DevicePower = PowerDeviceD3;
    device->SystemPower = PowerSystemWorking;
    IoInitializeRemoveLock(&device->RemoveLock, VIOINPUT_POOL_TAG, 0, 0);
    VwRequestsInitialize(device);

    PVIOINPUT_DEVICE input = VioinputFromDevice(device);
    KeInitializeSpinLock(&input->Lock);
    InitializeListHead(&input->Reads);
    KeInitializeEvent(&input->RestartIdle, NotificationEvent, TRUE);
    KeInitializeEvent(&input->StateLock, SynchronizationEvent, TRUE);
    input->Removed = TRUE; /* until START */
    input->PowerItem = IoAllocateWorkItem(Fdo);
    if (input->PowerItem == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    Fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

/* Driver unload: nothing to free (hidclass removed every device first). IRQL: PASSIVE_LEVEL. */
static VOID NTAPI VioinputUnload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject; /* hidclass removed every device first */
}

/* Stop (or removal): no more reads, hardware down. IRQL: PASSIVE_LEVEL. */
static VOID VioinputStop(PVW_DEVICE Device, VW_PNP_STATE State)
{
    PVIOINPUT_DEVICE input = VioinputFromDevice(Device);
    KIRQL irql;

    /* hidclass's requests still inside our dispatch (an LED report on its
     * way to the status queue) leave before the hardware goes. */
    VwRequestsRundown(Device, State == VwStopped ? STATUS_DEVICE_NOT_READY : STATUS_DELETE_PENDING);
    KeAcquireSpinLock(&input->Lock, &irql);
    input->Removed = TRUE;
    KeReleaseSpinLock(&input->Lock, irql);
    VioinputFailReads(Device, STATUS_DEVICE_NOT_CONNECTED);
    if (Device->PnpState == VwStarted || Device->PnpState == VwStopPending ||
        Device->PnpState == VwRemovePending)
        VwStopHardware(Device);
    Device->PnpState = State;
}

/* PnP for the FDO hidclass owns: start, stop, removal through the framework's hardware half. IRQL:
 * PASSIVE_LEVEL. */
static NTSTATUS NTAPI VioinputDispatchPnp(PDEVICE_OBJECT Fdo, PIRP Irp)
{
    PVW_DEVICE device = VioinputDeviceFromFdo(Fdo);
    PVIOINPUT_DEVICE input = VioinputFromDevice(device);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status;
    KIRQL irql;

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
            KeAcquireSpinLock(&input->Lock, &irql);
            input->Removed = FALSE;
            KeReleaseSpinLock(&input->Lock, irql);
            VwRequestsOpen(device);
        }
        VwCompleteIrp(Irp, status, 0);
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
        VioinputStop(device, VwStopped);
        Irp->IoStatus.Status = STATUS_SUCCESS;
        break;

    case IRP_MN_SURPRISE_REMOVAL:
        VioinputStop(device, VwSurpriseRemoved);
        Irp->IoStatus.Status = STATUS_SUCCESS;
        break;

    case IRP_MN_REMOVE_DEVICE:
        VioinputStop(device, VwDeleted);
        Irp->IoStatus.Status = STATUS_SUCCESS;
        status = VwPassIrpDown(device->Lower, Irp);
        /* Requests in flight finish before hidclass deletes the FDO (and
         * our state with it); the FDO itself is hidclass's to delete. */
        IoReleaseRemoveLockAndWait(&device->RemoveLock, Irp);
        IoFreeWorkItem(input->PowerItem);
        input->PowerItem = NULL;
        return status;

    default:
        break;
    }
    status = VwPassIrpDown(device->Lower, Irp);
    IoReleaseRemoveLock(&device->RemoveLock, Irp);
    return status;
}

/* A device set-power IRP, where blocking is allowed (PASSIVE_LEVEL): the
 * hardware leaves D0 before the IRP goes down and enters it after the bus
 * has powered up.  Never failed by us ("a driver can fail
 * IRP_MN_QUERY_POWER but cannot fail IRP_MN_SET_POWER",
 * learn.microsoft.com/windows-hardware/drivers/kernel/power-irps-for-the-
 * system): the status is the bus driver's; a device that does not come
 * back stays unusable (reads fail) until it restarts. IRQL: PASSIVE_LEVEL. */
static NTSTATUS VioinputDevicePower(PVW_DEVICE Device, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    DEVICE_POWER_STATE target = stack->Parameters.Power.State.DeviceState;
    DEVICE_POWER_STATE previous = Device->DevicePower;
    NTSTATUS status;

    if (target == PowerDeviceD0 && previous != PowerDeviceD0) {
        status = VwForwardIrpAndWait(Device->Lower, Irp);
        if (NT_SUCCESS(status)) {
            Device->DevicePower = PowerDeviceD0;
            if (Device->HardwarePrepared) {
                NTSTATUS entry = VioinputD0Entry(Device, previous);
                if (!NT_SUCCESS(entry))
                    VwError(Device, "D0Entry failed 0x%08lx: no input until a restart", entry);
            }
        }
        PoStartNextPowerIrp(Irp);
        VwCompleteIrp(Irp, status, 0);
        IoReleaseRemoveLock(&Device->RemoveLock, Irp);
        return status;
    }
    if (target != PowerDeviceD0 && previous == PowerDeviceD0) {
        if (Device->HardwarePrepared)
            VioinputD0Exit(Device, target);
        Device->DevicePower = target;
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    status = VwPassPowerIrpDown(Device->Lower, Irp);
    IoReleaseRemoveLock(&Device->RemoveLock, Irp);
    return status;
}

/* PASSIVE_LEVEL worker: the set-power IRP that arrived where we could not
 * block. IRQL: PASSIVE_LEVEL. */
static VOID NTAPI VioinputPowerWork(PDEVICE_OBJECT Fdo, PVOID Context)
{
    VioinputDevicePower(VioinputDeviceFromFdo(Fdo), (PIRP)Context);
}

/* Device power.  hidclass owns the FDO and sets its flags, not us: only a
 * stack whose device objects are DO_POWER_PAGABLE is promised its power
 * IRPs at PASSIVE_LEVEL (learn.microsoft.com/windows-hardware/drivers/
 * kernel/irp-mn-set-power); otherwise they may come at DISPATCH_LEVEL,
 * where D0Entry/D0Exit (which wait and allocate) must not run.  So we do
 * not assume either: at PASSIVE_LEVEL the IRP is handled inline, above it
 * on a work item (PASSIVE_LEVEL) and the IRP is pending meanwhile.  System
 * power is hidclass's business (the HID minidriver passes it down). IRQL <= DISPATCH_LEVEL. */
static NTSTATUS NTAPI VioinputDispatchPower(PDEVICE_OBJECT Fdo, PIRP Irp)
{
    PVW_DEVICE device = VioinputDeviceFromFdo(Fdo);
    PVIOINPUT_DEVICE input = VioinputFromDevice(device);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status;

    status = IoAcquireRemoveLock(&device->RemoveLock, Irp);
    if (!NT_SUCCESS(status)) {
        PoStartNextPowerIrp(Irp);
        return VwCompleteIrp(Irp, status, 0);
    }
    if (stack->MinorFunction == IRP_MN_SET_POWER &&
        stack->Parameters.Power.Type == DevicePowerState) {
        if (KeGetCurrentIrql() == PASSIVE_LEVEL)
            return VioinputDevicePower(device, Irp);
        IoMarkIrpPending(Irp);
        IoQueueWorkItem(input->PowerItem, VioinputPowerWork, DelayedWorkQueue, Irp);
        return STATUS_PENDING;
    }
    status = VwPassPowerIrpDown(device->Lower, Irp);
    IoReleaseRemoveLock(&device->RemoveLock, Irp);
    return status;
}

/* IRP_MJ_CREATE / IRP_MJ_CLOSE: hidclass never sends them to the minidriver
 * (the FDO cannot be opened), but "a HID minidriver must supply the
 * following dispatch routines: create, close, internal device control,
 * system control, Plug and Play, and power management"
 * (learn.microsoft.com/windows-hardware/drivers/hid/minidriver-operations):
 * a stub that succeeds. IRQL: PASSIVE_LEVEL. */
static NTSTATUS NTAPI VioinputDispatchCreateClose(PDEVICE_OBJECT Fdo, PIRP Irp)
{
    (void)Fdo;
    return VwCompleteIrp(Irp, STATUS_SUCCESS, 0);
}

/* hidclass's requests: IRP_MJ_INTERNAL_DEVICE_CONTROL (hid.c). IRQL <= DISPATCH_LEVEL. */
static NTSTATUS NTAPI VioinputDispatchInternal(PDEVICE_OBJECT Fdo, PIRP Irp)
{
    PVW_DEVICE device = VioinputDeviceFromFdo(Fdo);
    NTSTATUS status = IoAcquireRemoveLock(&device->RemoveLock, Irp);

    if (!NT_SUCCESS(status))
        return VwCompleteIrp(Irp, status, 0);
    if (!VwEnterRequest(device))
        return VwCompleteRequest(device, Irp, device->GateStatus, 0);
    status = VioinputInternalIoctl(device, Irp);
    VwLeaveRequest(device); /* counted in the rundown of STOP and removal */
    return status;
}

/* Anything else (WMI) belongs to the bus driver below. IRQL: PASSIVE_LEVEL. */
static NTSTATUS NTAPI VioinputDispatchPassDown(PDEVICE_OBJECT Fdo, PIRP Irp)
{
    PVW_DEVICE device = VioinputDeviceFromFdo(Fdo);
    NTSTATUS status = IoAcquireRemoveLock(&device->RemoveLock, Irp);

    if (!NT_SUCCESS(status))
        return VwCompleteIrp(Irp, status, 0);
    status = VwPassIrpDown(device->Lower, Irp);
    IoReleaseRemoveLock(&device->RemoveLock, Irp);
    return status;
}

DRIVER_INITIALIZE DriverEntry;

/* Driver entry: register with hidclass as a HID minidriver. IRQL: PASSIVE_LEVEL. */
VW_INIT_CODE NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    VW_HID_MINIDRIVER_REGISTRATION reg;

    /* hidclass keeps these and routes the FDO's IRPs to them. */
    DriverObject->DriverExtension->AddDevice = VioinputAddDevice;
    DriverObject->DriverUnload = VioinputUnload;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = VioinputDispatchCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = VioinputDispatchCreateClose;
    DriverObject->MajorFunction[IRP_MJ_PNP] = VioinputDispatchPnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = VioinputDispatchPower;
    DriverObject->MajorFunction[IRP_MJ_INTERNAL_DEVICE_CONTROL] = VioinputDispatchInternal;
    DriverObject->MajorFunction[IRP_MJ_SYSTEM_CONTROL] = VioinputDispatchPassDown;

    RtlZeroMemory(&reg, sizeof(reg));
    reg.Revision = VW_HID_REVISION;
    reg.DriverObject = DriverObject;
    reg.RegistryPath = RegistryPath;
    reg.DeviceExtensionSize = VioinputExtensionSize();
    reg.DevicesArePolled = FALSE;
    NTSTATUS status = HidRegisterMinidriver(&reg);
    if (!NT_SUCCESS(status))
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                   "vioinput: HidRegisterMinidriver failed 0x%08lx\n", status);
    return status;
}
