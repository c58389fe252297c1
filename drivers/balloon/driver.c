/*
 * balloon: the driver object and per-device software state (the vwdm
 * framework does Plug and Play and power).
 */
#include <vw/compiler.h>
#include "balloon.h"

/* Initialise the balloon's locks, events, timer and work item, and register its device interface.
 * IRQL: PASSIVE_LEVEL. */
static NTSTATUS BalloonAddDevice(PVW_DEVICE Device)
{
    PBALLOON_DEVICE b = BalloonFromDevice(Device);
    UNICODE_STRING name;

    b->Device = Device;
    KeInitializeSpinLock(&b->Lock);
    KeInitializeEvent(&b->WorkIdle, NotificationEvent, TRUE);
    KeInitializeEvent(&b->RequestWake, SynchronizationEvent, FALSE);
    KeInitializeTimerEx(&b->Timer, NotificationTimer);
    KeInitializeDpc(&b->TimerDpc, BalloonTimerDpc, b);
    b->WorkItem = IoAllocateWorkItem(Device->Self);
    if (b->WorkItem == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    /* The standard event Windows signals while free memory is low: no
     * inflating then, and with DEFLATE_ON_OOM pages go back. */
    RtlInitUnicodeString(&name, L"\\KernelObjects\\LowMemoryCondition");
    b->LowMemory = IoCreateNotificationEvent(&name, &b->LowMemoryHandle);
    if (b->LowMemory == NULL)
        VwError(Device, "no low-memory event: the balloon cannot react to memory pressure");
    BalloonFindMemorySize(b);
    return STATUS_SUCCESS;
}

/* Free what BalloonAddDevice made. IRQL: PASSIVE_LEVEL. */
static VOID BalloonRemoveDevice(PVW_DEVICE Device)
{
    PBALLOON_DEVICE b = BalloonFromDevice(Device);

    if (b->WorkItem != NULL)
        IoFreeWorkItem(b->WorkItem);
    b->WorkItem = NULL;
    if (b->LowMemory != NULL)
        ZwClose(b->LowMemoryHandle);
    b->LowMemory = NULL;
}

static const GUID BalloonInterface = BALLOON_INTERFACE_GUID_INIT;

static const VW_DRIVER_CONFIG BalloonConfig = {
    .Name = "balloon",
    .PoolTag = BALLOON_POOL_TAG,
    .ContextSize = sizeof(BALLOON_DEVICE),
    .DeviceType = FILE_DEVICE_UNKNOWN,
    .DeviceFlags = DO_BUFFERED_IO,
    .Interface = &BalloonInterface,
    .AddDevice = BalloonAddDevice,
    .RemoveDevice = BalloonRemoveDevice,
    .PrepareHardware = BalloonPrepareHardware,
    .ReleaseHardware = BalloonReleaseHardware,
    .D0Entry = BalloonD0Entry,
    .D0Exit = BalloonD0Exit,
    .Isr = BalloonIsr,
    .Dpc = BalloonDpc,
    .Dispatch =
        {
            [IRP_MJ_CREATE] = BalloonDispatchCreateClose,
            [IRP_MJ_CLOSE] = BalloonDispatchCreateClose,
            [IRP_MJ_CLEANUP] = BalloonDispatchCleanup,
            [IRP_MJ_DEVICE_CONTROL] = BalloonDispatchIoctl,
        },
};

DRIVER_INITIALIZE DriverEntry;

/* Driver entry: hand the balloon's configuration to the WDM framework. IRQL: PASSIVE_LEVEL. */
VW_INIT_CODE NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    return VwDriverInitialize(DriverObject, &BalloonConfig);
}
