/*
 * Planted bug for PnP landing inside a dispatch routine: a function driver
 * whose IOCTL_UNTRACKED reads its registers with nothing holding off a
 * STOP, which unmaps them at once (MmUnmapIoSpace): a STOP that lands
 * inside that dispatch routine leaves it reading unmapped memory.
 * IOCTL_TRACKED counts itself in flight, and STOP waits for the count to
 * drop before it unmaps: the right way.
 */
#include <ntddk.h>

#define IOCTL_UNTRACKED CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_TRACKED   CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD BadStopUnload;
static DRIVER_ADD_DEVICE BadStopAddDevice;
static DRIVER_DISPATCH BadStopDispatch;

typedef struct {
    PDEVICE_OBJECT Lower;
    PULONG Regs;
    SIZE_T Length;
    LONG InFlight;
    BOOLEAN Stopping;
    KEVENT Idle; /* notification: signalled while nothing is in flight */
} BADSTOP;

/* PASSIVE_LEVEL: map the first memory range of the translated resources. */
static NTSTATUS BadStopStart(BADSTOP *dev, PIO_STACK_LOCATION stack)
{
    PCM_RESOURCE_LIST list = stack->Parameters.StartDevice.AllocatedResourcesTranslated;
    ULONG i;

    if (list == NULL || list->Count == 0)
        return STATUS_DEVICE_CONFIGURATION_ERROR;
    for (i = 0; i < list->List[0].PartialResourceList.Count; i++) {
        PCM_PARTIAL_RESOURCE_DESCRIPTOR d =
            &list->List[0].PartialResourceList.PartialDescriptors[i];
        if (d->Type != CmResourceTypeMemory)
            continue;
        dev->Length = d->u.Memory.Length;
        dev->Regs = MmMapIoSpace(d->u.Memory.Start, dev->Length, MmNonCached);
        dev->Stopping = FALSE;
        return dev->Regs != NULL ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
    }
    return STATUS_DEVICE_CONFIGURATION_ERROR;
}

static VOID BadStopRelease(BADSTOP *dev)
{
    if (dev->Regs != NULL) {
        MmUnmapIoSpace(dev->Regs, dev->Length);
        dev->Regs = NULL;
    }
}

static NTSTATUS NTAPI BadStopDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    BADSTOP *dev = DeviceObject->DeviceExtension;
    NTSTATUS status = STATUS_SUCCESS;
    ULONG_PTR info = 0;

    switch (stack->MajorFunction) {
    case IRP_MJ_PNP:
        switch (stack->MinorFunction) {
        case IRP_MN_START_DEVICE:
            status = BadStopStart(dev, stack);
            break;
        case IRP_MN_STOP_DEVICE:
            dev->Stopping = TRUE;
            KeWaitForSingleObject(&dev->Idle, Executive, KernelMode, FALSE, NULL);
            BadStopRelease(dev);
            break;
        case IRP_MN_REMOVE_DEVICE:
            BadStopRelease(dev);
            IoDetachDevice(dev->Lower);
            Irp->IoStatus.Status = STATUS_SUCCESS;
            IoCompleteRequest(Irp, IO_NO_INCREMENT);
            IoDeleteDevice(DeviceObject);
            return STATUS_SUCCESS;
        default:
            break;
        }
        break;
    case IRP_MJ_DEVICE_CONTROL:
        if (stack->Parameters.DeviceIoControl.IoControlCode == IOCTL_TRACKED) {
            if (dev->Stopping || dev->Regs == NULL) {
                status = STATUS_DEVICE_NOT_READY;
                break;
            }
            InterlockedIncrement(&dev->InFlight);
            KeClearEvent(&dev->Idle);
            KeStallExecutionProcessor(1);
            info = READ_REGISTER_ULONG(dev->Regs);
            if (InterlockedDecrement(&dev->InFlight) == 0)
                KeSetEvent(&dev->Idle, IO_NO_INCREMENT, FALSE);
        } else if (dev->Regs != NULL) {
            KeStallExecutionProcessor(1);
            info = READ_REGISTER_ULONG(dev->Regs); /* STOP may have unmapped it */
        } else {
            status = STATUS_DEVICE_NOT_READY;
        }
        info = 0;
        break;
    default:
        break;
    }
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = info;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

static NTSTATUS NTAPI BadStopAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo)
{
    PDEVICE_OBJECT fdo;
    BADSTOP *dev;
    NTSTATUS status =
        IoCreateDevice(DriverObject, sizeof(BADSTOP), NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &fdo);

    if (!NT_SUCCESS(status))
        return status;
    dev = fdo->DeviceExtension;
    RtlZeroMemory(dev, sizeof(*dev));
    KeInitializeEvent(&dev->Idle, NotificationEvent, TRUE);
    dev->Lower = IoAttachDeviceToDeviceStack(fdo, Pdo);
    fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

static VOID NTAPI BadStopUnload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject;
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    DriverObject->DriverUnload = BadStopUnload;
    DriverObject->DriverExtension->AddDevice = BadStopAddDevice;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = BadStopDispatch;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = BadStopDispatch;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = BadStopDispatch;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = BadStopDispatch;
    DriverObject->MajorFunction[IRP_MJ_PNP] = BadStopDispatch;
    return STATUS_SUCCESS;
}
