/*
 * viorng: the driver object (everything else is the vwdm framework's).
 */
#include <vw/compiler.h>
#include "viorng.h"

/* Initialise the device's locks and events and register its device interface. IRQL: PASSIVE_LEVEL.
 */
static NTSTATUS ViorngAddDevice(PVW_DEVICE Device)
{
    PVIORNG_DEVICE rng = ViorngFromDevice(Device);

    KeInitializeSpinLock(&rng->Lock);
    KeInitializeEvent(&rng->RequestLock, SynchronizationEvent, TRUE);
    KeInitializeEvent(&rng->StateLock, SynchronizationEvent, TRUE);
    KeInitializeEvent(&rng->Completed, NotificationEvent, FALSE);
    return STATUS_SUCCESS;
}

static const GUID ViorngInterface = VIORNG_INTERFACE_GUID_INIT;

static const VW_DRIVER_CONFIG ViorngConfig = {
    .Name = "viorng",
    .PoolTag = VIORNG_POOL_TAG,
    .ContextSize = sizeof(VIORNG_DEVICE),
    .DeviceType = FILE_DEVICE_UNKNOWN,
    .DeviceFlags = DO_BUFFERED_IO,
    .Interface = &ViorngInterface,
    .AddDevice = ViorngAddDevice,
    .PrepareHardware = ViorngPrepareHardware,
    .ReleaseHardware = ViorngReleaseHardware,
    .D0Entry = ViorngD0Entry,
    .D0Exit = ViorngD0Exit,
    .Isr = ViorngIsr,
    .Dpc = ViorngDpc,
    .Dispatch =
        {
            [IRP_MJ_CREATE] = ViorngDispatchCreateClose,
            [IRP_MJ_CLOSE] = ViorngDispatchCreateClose,
            [IRP_MJ_READ] = ViorngDispatchRead,
            [IRP_MJ_DEVICE_CONTROL] = ViorngDispatchIoctl,
        },
};

DRIVER_INITIALIZE DriverEntry;

/* Driver entry: hand viorng's configuration to the WDM framework. IRQL: PASSIVE_LEVEL. */
VW_INIT_CODE NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    return VwDriverInitialize(DriverObject, &ViorngConfig);
}
