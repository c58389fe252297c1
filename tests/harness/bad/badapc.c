/*
 * Planted bug for the event-as-lock check: \Device\BadApc serialises its
 * IOCTLs with a synchronization event used as a lock (wait to take it,
 * KeSetEvent to give it back).  IOCTL_LOCKED does so with normal kernel
 * APCs enabled, in the caller's thread: a kernel APC suspending that
 * thread while it holds the event blocks every other caller.
 * IOCTL_LOCKED_CR takes it inside KeEnterCriticalRegion, as it must.
 */
#include <ntddk.h>

#define IOCTL_LOCKED    CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_LOCKED_CR CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD BadApcUnload;
static DRIVER_DISPATCH BadApcDispatch;

static KEVENT Lock;
static ULONG Counter;

/* PASSIVE_LEVEL, in the caller's thread. */
static NTSTATUS NTAPI BadApcDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_SUCCESS;

    (void)DeviceObject;
    if (stack->MajorFunction == IRP_MJ_DEVICE_CONTROL) {
        ULONG code = stack->Parameters.DeviceIoControl.IoControlCode;
        BOOLEAN region = code == IOCTL_LOCKED_CR;
        if (region)
            KeEnterCriticalRegion();
        KeWaitForSingleObject(&Lock, Executive, KernelMode, FALSE, NULL);
        Counter++;
        KeSetEvent(&Lock, IO_NO_INCREMENT, FALSE);
        if (region)
            KeLeaveCriticalRegion();
    }
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

static VOID NTAPI BadApcUnload(PDRIVER_OBJECT DriverObject)
{
    IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name;
    PDEVICE_OBJECT device;

    (void)RegistryPath;
    DriverObject->DriverUnload = BadApcUnload;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = BadApcDispatch;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = BadApcDispatch;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = BadApcDispatch;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = BadApcDispatch;
    KeInitializeEvent(&Lock, SynchronizationEvent, TRUE);
    RtlInitUnicodeString(&name, L"\\Device\\BadApc");
    return IoCreateDevice(DriverObject, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
}
