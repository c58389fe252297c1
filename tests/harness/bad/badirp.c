/*
 * Planted bug for the IRP checker: IRP_MJ_CREATE returns success without
 * completing the IRP, which on Windows leaves the opener waiting forever.
 */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;
static DRIVER_ADD_DEVICE BadIrpAddDevice;
static DRIVER_DISPATCH BadIrpCreate;
static DRIVER_UNLOAD BadIrpUnload;

static NTSTATUS NTAPI BadIrpCreate(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    Irp->IoStatus.Status = STATUS_SUCCESS;
    return STATUS_SUCCESS; /* the bug: no IoCompleteRequest */
}

static NTSTATUS NTAPI BadIrpAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo)
{
    PDEVICE_OBJECT fdo;
    NTSTATUS status = IoCreateDevice(DriverObject, sizeof(PDEVICE_OBJECT), NULL,
                                     FILE_DEVICE_UNKNOWN, 0, FALSE, &fdo);

    if (!NT_SUCCESS(status))
        return status;
    *(PDEVICE_OBJECT *)fdo->DeviceExtension = IoAttachDeviceToDeviceStack(fdo, Pdo);
    fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

static VOID NTAPI BadIrpUnload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject;
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    DriverObject->DriverExtension->AddDevice = BadIrpAddDevice;
    DriverObject->DriverUnload = BadIrpUnload;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = BadIrpCreate;
    return STATUS_SUCCESS;
}
