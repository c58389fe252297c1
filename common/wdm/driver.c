/*
 * vwdm: driver object, AddDevice and request routing (see vwdm.h).
 */
#include <vw/compiler.h>
#include "vwdm.h"
#include "irp.h"

/* One configuration per driver image. */
static const VW_DRIVER_CONFIG *VwConfig;

static DRIVER_ADD_DEVICE VwAddDevice;
static DRIVER_UNLOAD VwUnload;
static DRIVER_DISPATCH VwDispatchRequest;
static DRIVER_DISPATCH VwDispatchSystemControl;

/* AddDevice: create the FDO with the driver's context behind the framework's header and attach it
 * to the PDO. IRQL: PASSIVE_LEVEL. */
static NTSTATUS NTAPI VwAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo)
{
    const VW_DRIVER_CONFIG *config = VwConfig;
    ULONG size = (ULONG)((sizeof(VW_DEVICE) + 15) & ~(SIZE_T)15) + config->ContextSize;
    PDEVICE_OBJECT fdo;
    PVW_DEVICE device;
    NTSTATUS status;

    status = IoCreateDevice(DriverObject, size, NULL, config->DeviceType,
                            config->Characteristics | FILE_DEVICE_SECURE_OPEN, FALSE, &fdo);
    if (!NT_SUCCESS(status))
        goto err_create;
    device = VwDeviceFromObject(fdo);
    RtlZeroMemory(device, size);
    device->Self = fdo;
    device->Pdo = Pdo;
    device->Config = config;
    device->PnpState = VwNotStarted;
    device->DevicePower = PowerDeviceD3;
    device->SystemPower = PowerSystemWorking;
    IoInitializeRemoveLock(&device->RemoveLock, config->PoolTag, 0, 0);
    VwRequestsInitialize(device);

    device->Lower = IoAttachDeviceToDeviceStack(fdo, Pdo);
    if (device->Lower == NULL) {
        status = STATUS_NO_SUCH_DEVICE;
        goto err_attach;
    }
    if (config->Interface != NULL) {
        status = IoRegisterDeviceInterface(Pdo, config->Interface, NULL, &device->InterfaceName);
        if (!NT_SUCCESS(status))
            goto err_interface;
    }
    if (config->AddDevice != NULL) {
        status = config->AddDevice(device);
        if (!NT_SUCCESS(status))
            goto err_callback;
    }
    fdo->Flags |= DO_POWER_PAGABLE | config->DeviceFlags;
    fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;

err_callback:
    RtlFreeUnicodeString(&device->InterfaceName);
err_interface:
    IoDetachDevice(device->Lower);
err_attach:
    IoDeleteDevice(fdo);
err_create:
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "%s: AddDevice failed 0x%08lx\n",
               config->Name, status);
    return status;
}

/* Driver unload: nothing left to free, PnP removed every device first. IRQL: PASSIVE_LEVEL. */
static VOID NTAPI VwUnload(PDRIVER_OBJECT DriverObject)
{
    /* PnP removes every device before unloading a PnP driver. */
    (void)DriverObject;
}

/* Complete a request the driver's handler took and release the remove lock it held. IRQL <=
 * DISPATCH_LEVEL. */
NTSTATUS VwCompleteRequest(PVW_DEVICE Device, PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    VwCompleteIrp(Irp, Status, Information);
    IoReleaseRemoveLock(&Device->RemoveLock, Irp);
    return Status;
}

/* Requests for the driver's handlers: only while the device is started,
 * each counted in the rundown (rundown.c) while its handler runs. IRQL <= DISPATCH_LEVEL. */
static NTSTATUS NTAPI VwDispatchRequest(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PVW_DEVICE device = VwDeviceFromObject(DeviceObject);
    UCHAR major = IoGetCurrentIrpStackLocation(Irp)->MajorFunction;
    NTSTATUS status;

    if (!VwIsFdo(DeviceObject)) {
        if (VwConfig->ChildDispatch != NULL)
            return VwConfig->ChildDispatch(DeviceObject, Irp);
        return VwCompleteIrp(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
    DRIVER_DISPATCH *handler = device->Config->Dispatch[major];
    status = IoAcquireRemoveLock(&device->RemoveLock, Irp);
    if (!NT_SUCCESS(status))
        return VwCompleteIrp(Irp, status, 0);
    if (handler == NULL)
        return VwCompleteRequest(device, Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    /* Closing a handle is always allowed, even after a removal. */
    if (major == IRP_MJ_CLOSE || major == IRP_MJ_CLEANUP)
        return handler(DeviceObject, Irp);
    if (!VwEnterRequest(device))
        return VwCompleteRequest(device, Irp, device->GateStatus, 0);
    if (device->PnpState != VwStarted)
        status = VwCompleteRequest(device, Irp, STATUS_DEVICE_NOT_READY, 0);
    else
        status = handler(DeviceObject, Irp);
    /* The device (not the IRP) is still ours: a rundown waits for this. */
    VwLeaveRequest(device);
    return status;
}

/* WMI requests belong to the bus driver below us. IRQL: PASSIVE_LEVEL. */
static NTSTATUS NTAPI VwDispatchSystemControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PVW_DEVICE device = VwDeviceFromObject(DeviceObject);
    NTSTATUS status;

    if (!VwIsFdo(DeviceObject))
        return VwCompleteIrp(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    status = IoAcquireRemoveLock(&device->RemoveLock, Irp);
    if (!NT_SUCCESS(status))
        return VwCompleteIrp(Irp, status, 0);
    status = VwPassIrpDown(device->Lower, Irp);
    IoReleaseRemoveLock(&device->RemoveLock, Irp);
    return status;
}

/* Fill the driver object's entry points with the framework's and keep the driver's configuration.
 * IRQL: PASSIVE_LEVEL. */
NTSTATUS VwDriverInitialize(PDRIVER_OBJECT DriverObject, const VW_DRIVER_CONFIG *Config)
{
    VwConfig = Config;
    DriverObject->DriverExtension->AddDevice = VwAddDevice;
    DriverObject->DriverUnload = VwUnload;
    for (ULONG major = 0; major <= IRP_MJ_MAXIMUM_FUNCTION; major++)
        DriverObject->MajorFunction[major] = VwDispatchRequest;
    DriverObject->MajorFunction[IRP_MJ_PNP] = VwDispatchPnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = VwDispatchPower;
    DriverObject->MajorFunction[IRP_MJ_SYSTEM_CONTROL] = VwDispatchSystemControl;
    return STATUS_SUCCESS;
}
