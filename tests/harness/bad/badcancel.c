/*
 * Planted bug for the cancel checker: reads wait with a cancel routine
 * that completes the request but forgets IoReleaseCancelSpinLock.
 */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD BadCancelUnload;
static DRIVER_DISPATCH BadCancelRead;
static DRIVER_CANCEL BadCancelRoutine;

static VOID NTAPI BadCancelRoutine(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject; /* no IoReleaseCancelSpinLock(Irp->CancelIrql) */
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

static NTSTATUS NTAPI BadCancelRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    IoMarkIrpPending(Irp);
    IoSetCancelRoutine(Irp, BadCancelRoutine);
    return STATUS_PENDING;
}

static VOID NTAPI BadCancelUnload(PDRIVER_OBJECT DriverObject)
{
    IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name;
    PDEVICE_OBJECT device;

    (void)RegistryPath;
    DriverObject->DriverUnload = BadCancelUnload;
    DriverObject->MajorFunction[IRP_MJ_READ] = BadCancelRead;
    RtlInitUnicodeString(&name, L"\\Device\\BadCancel");
    return IoCreateDevice(DriverObject, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
}
