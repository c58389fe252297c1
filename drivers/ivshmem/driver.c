/*
 * ivshmem: the driver object (everything else is the vwdm framework's),
 * the device's security, and the PnP queries a mapping vetoes.
 */
#include <vw/compiler.h>
#include "ivshmem.h"

/* Security by default: only SYSTEM and Administrators may open the device
 * (a mapping of the shared memory is a window into another VM's memory);
 * the AllowUserAccess device parameter (ivshmem.inx) admits BUILTIN\Users.
 * The descriptor goes on the PDO, the object a create names (through the
 * device interface), as the PnP manager would place an INF's Security
 * value. IRQL: PASSIVE_LEVEL. */
static NTSTATUS IvshmemAddDevice(PVW_DEVICE Device)
{
    PIVSHMEM_DEVICE ivshmem = IvshmemFromDevice(Device);
    BOOLEAN users = VwReadDeviceParameter(Device, VW_ALLOW_USERS_PARAMETER, 0) == 1;

    ivshmem->Device = Device;
    KeInitializeEvent(&ivshmem->MapLock, SynchronizationEvent, TRUE);
    KeInitializeSpinLock(&ivshmem->EventLock);
    NTSTATUS status = VwSetDeviceSecurity(Device->Pdo, users, IVSHMEM_POOL_TAG);
    if (!NT_SUCCESS(status)) {
        VwError(Device, "setting the device's security failed 0x%08lx", status);
        return status;
    }
    if (users)
        VwInfo(Device, "AllowUserAccess: BUILTIN\\Users may open the device");
    IvshmemTrackDevice(ivshmem, TRUE);
    return STATUS_SUCCESS;
}

/* Stop tracking the device for process exits. IRQL: PASSIVE_LEVEL. */
static VOID IvshmemRemoveDevice(PVW_DEVICE Device)
{
    IvshmemTrackDevice(IvshmemFromDevice(Device), FALSE);
}

/* QUERY_STOP and QUERY_REMOVE fail while the shared memory is mapped (a
 * stop may move the BAR under it; the mapping is its owner's to end);
 * once they succeeded, no mapping is made until START or the CANCEL.
 * Everything else is the framework's.  IRQL: PASSIVE_LEVEL. */
static NTSTATUS NTAPI IvshmemDispatchPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UCHAR minor = IoGetCurrentIrpStackLocation(Irp)->MinorFunction;

    if (VwIsFdo(DeviceObject)) {
        PVW_DEVICE device = VwDeviceFromObject(DeviceObject);
        PIVSHMEM_DEVICE ivshmem = IvshmemFromDevice(device);
        switch (minor) {
        case IRP_MN_QUERY_STOP_DEVICE:
        case IRP_MN_QUERY_REMOVE_DEVICE:
            if (!IvshmemBlockMaps(ivshmem, TRUE)) {
                VwInfo(device, "shared memory mapped: stop/remove refused");
                Irp->IoStatus.Status = STATUS_DEVICE_BUSY;
                Irp->IoStatus.Information = 0;
                IoCompleteRequest(Irp, IO_NO_INCREMENT);
                return STATUS_DEVICE_BUSY;
            }
            break;
        case IRP_MN_CANCEL_STOP_DEVICE:
        case IRP_MN_CANCEL_REMOVE_DEVICE:
            IvshmemBlockMaps(ivshmem, FALSE);
            break;
        }
    }
    return VwDispatchPnp(DeviceObject, Irp);
}

/* Driver unload: stop watching process exits. IRQL: PASSIVE_LEVEL. */
static VOID NTAPI IvshmemUnload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject;
    IvshmemUnwatchProcesses();
}

static const GUID IvshmemInterface = IVSHMEM_INTERFACE_GUID_INIT;

static const VW_DRIVER_CONFIG IvshmemConfig = {
    .Name = "ivshmem",
    .PoolTag = IVSHMEM_POOL_TAG,
    .ContextSize = sizeof(IVSHMEM_DEVICE),
    .DeviceType = FILE_DEVICE_UNKNOWN,
    .DeviceFlags = DO_BUFFERED_IO,
    .Interface = &IvshmemInterface,
    .AddDevice = IvshmemAddDevice,
    .RemoveDevice = IvshmemRemoveDevice,
    .PrepareHardware = IvshmemPrepareHardware,
    .ReleaseHardware = IvshmemReleaseHardware,
    .Isr = IvshmemIsr,
    .Dpc = IvshmemDpc,
    .Dispatch =
        {
            [IRP_MJ_CREATE] = IvshmemDispatchCreate,
            [IRP_MJ_CLEANUP] = IvshmemDispatchCleanup,
            [IRP_MJ_CLOSE] = IvshmemDispatchClose,
            [IRP_MJ_DEVICE_CONTROL] = IvshmemDispatchIoctl,
        },
};

DRIVER_INITIALIZE DriverEntry;

/* Driver entry: watch process exits (to undo mappings), then hand the configuration to the
 * framework. IRQL: PASSIVE_LEVEL. */
VW_INIT_CODE NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    NTSTATUS status = IvshmemWatchProcesses();
    if (!NT_SUCCESS(status))
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                   "ivshmem: no process-notify routine (0x%08lx): user mappings are refused\n",
                   status);
    status = VwDriverInitialize(DriverObject, &IvshmemConfig);
    if (!NT_SUCCESS(status)) {
        IvshmemUnwatchProcesses();
        return status;
    }
    DriverObject->MajorFunction[IRP_MJ_PNP] = IvshmemDispatchPnp;
    DriverObject->DriverUnload = IvshmemUnload;
    return STATUS_SUCCESS;
}
