/*
 * ivshmem: the driver object (everything else is the vwdm framework's).
 */
#include <vw/compiler.h>
#include "ivshmem.h"

static NTSTATUS IvshmemAddDevice(PVW_DEVICE Device)
{
    PIVSHMEM_DEVICE ivshmem = IvshmemFromDevice(Device);

    ivshmem->Device = Device;
    KeInitializeEvent(&ivshmem->MapLock, SynchronizationEvent, TRUE);
    KeInitializeSpinLock(&ivshmem->EventLock);
    return STATUS_SUCCESS;
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

VW_INIT_CODE NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    return VwDriverInitialize(DriverObject, &IvshmemConfig);
}
