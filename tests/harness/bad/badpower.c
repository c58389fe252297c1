/*
 * Planted bug for the power rules: a function driver that refuses to leave
 * D0 (IRP_MN_SET_POWER for D3 completed with STATUS_UNSUCCESSFUL), as if
 * it were a query.  Queries may be failed: IRP_MN_QUERY_POWER for D3 is
 * refused too, which is allowed.
 */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD BadPowerUnload;
static DRIVER_ADD_DEVICE BadPowerAddDevice;
static DRIVER_DISPATCH BadPowerDispatch;

typedef struct {
    PDEVICE_OBJECT Lower;
} BADPOWER_EXTENSION;

/* PASSIVE_LEVEL (PnP), <= DISPATCH_LEVEL (power). */
static NTSTATUS NTAPI BadPowerDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    BADPOWER_EXTENSION *ext = DeviceObject->DeviceExtension;
    NTSTATUS status = STATUS_SUCCESS;

    if (stack->MajorFunction == IRP_MJ_POWER &&
        (stack->MinorFunction == IRP_MN_SET_POWER || stack->MinorFunction == IRP_MN_QUERY_POWER) &&
        stack->Parameters.Power.Type == DevicePowerState &&
        stack->Parameters.Power.State.DeviceState == PowerDeviceD3)
        status = STATUS_UNSUCCESSFUL; /* wrong for SET_POWER */
    if (stack->MajorFunction == IRP_MJ_PNP && stack->MinorFunction == IRP_MN_REMOVE_DEVICE) {
        IoDetachDevice(ext->Lower);
        IoDeleteDevice(DeviceObject);
    }
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

static NTSTATUS NTAPI BadPowerAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo)
{
    PDEVICE_OBJECT fdo;
    NTSTATUS status = IoCreateDevice(DriverObject, sizeof(BADPOWER_EXTENSION), NULL,
                                     FILE_DEVICE_UNKNOWN, 0, FALSE, &fdo);

    if (!NT_SUCCESS(status))
        return status;
    ((BADPOWER_EXTENSION *)fdo->DeviceExtension)->Lower = IoAttachDeviceToDeviceStack(fdo, Pdo);
    fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

static VOID NTAPI BadPowerUnload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject;
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    DriverObject->DriverUnload = BadPowerUnload;
    DriverObject->DriverExtension->AddDevice = BadPowerAddDevice;
    DriverObject->MajorFunction[IRP_MJ_PNP] = BadPowerDispatch;
    DriverObject->MajorFunction[IRP_MJ_POWER] = BadPowerDispatch;
    return STATUS_SUCCESS;
}
