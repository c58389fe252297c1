/*
 * vioser: the driver object, the FDO's software state and its removal.
 * Requests to the port device objects go to VioserDispatchPort (io.c).
 */
#include <vw/compiler.h>
#include "vioser.h"

/* Guards VIOSER_PORT_EXT.Owner: a port object may outlive its FDO. */
KSPIN_LOCK VioserGlobalLock;
static LONG VioserInstances;

/* Initialise the device's locks, instance number, port security and sync work item. IRQL:
 * PASSIVE_LEVEL. */
static NTSTATUS VioserAddDevice(PVW_DEVICE Device)
{
    PVIOSER_DEVICE dev = VioserFromDevice(Device);

    dev->Vw = Device;
    dev->Instance = (ULONG)InterlockedIncrement(&VioserInstances) - 1;
    /* Ports are for SYSTEM and Administrators (the guest agent is a
     * service) unless the INF's AllowUserAccess admits BUILTIN\Users. */
    dev->AllowUsers = VwReadDeviceParameter(Device, VW_ALLOW_USERS_PARAMETER, 0) == 1;
    KeInitializeSpinLock(&dev->Lock);
    KeInitializeEvent(&dev->PortMutex, SynchronizationEvent, TRUE);
    KeInitializeEvent(&dev->StateMutex, SynchronizationEvent, TRUE);
    for (ULONG i = 0; i < VIOSER_MAX_PORTS; i++) {
        dev->Ports[i].Id = i;
        InitializeListHead(&dev->Ports[i].Reads);
        InitializeListHead(&dev->Ports[i].Writes);
    }
    dev->SyncItem = IoAllocateWorkItem(Device->Self);
    return dev->SyncItem != NULL ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}

/* After the remove lock drained: no request, DPC or work item is left. IRQL: PASSIVE_LEVEL. */
static VOID VioserRemoveDevice(PVW_DEVICE Device)
{
    PVIOSER_DEVICE dev = VioserFromDevice(Device);

    VioserSyncPorts(dev, TRUE);
    if (dev->SyncItem != NULL)
        IoFreeWorkItem(dev->SyncItem);
}

static const VW_DRIVER_CONFIG VioserConfig = {
    .Name = "vioser",
    .PoolTag = VIOSER_POOL_TAG,
    .ContextSize = sizeof(VIOSER_DEVICE),
    .DeviceType = FILE_DEVICE_UNKNOWN,
    .DeviceFlags = DO_BUFFERED_IO,
    .AddDevice = VioserAddDevice,
    .RemoveDevice = VioserRemoveDevice,
    .PrepareHardware = VioserPrepareHardware,
    .ReleaseHardware = VioserReleaseHardware,
    .D0Entry = VioserD0Entry,
    .D0Exit = VioserD0Exit,
    .Isr = VioserIsr,
    .Dpc = VioserDpc,
    /* The FDO itself takes no requests: user mode talks to the ports. */
    .ChildDispatch = VioserDispatchPort,
};

DRIVER_INITIALIZE DriverEntry;

/* Driver entry: hand vioser's configuration to the WDM framework. IRQL: PASSIVE_LEVEL. */
VW_INIT_CODE NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    KeInitializeSpinLock(&VioserGlobalLock);
    return VwDriverInitialize(DriverObject, &VioserConfig);
}
