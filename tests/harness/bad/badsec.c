/*
 * Planted bug for the security check: \Device\BadSecOpen is a named device
 * object created with IoCreateDevice and nothing else, so it keeps the
 * default security descriptor (read and write for everyone).  Beside it,
 * the right way for a driver that names its own device objects:
 * \Device\BadSecLocked gets a DACL of SYSTEM and Administrators only
 * (ObOpenObjectByPointer + ZwSetSecurityObject, SIDs from SeExports).  A
 * PnP device (AddDevice) takes its security from the registry.  IOCTL_READ
 * needs FILE_READ_ACCESS, IOCTL_WRITE FILE_WRITE_ACCESS; IOCTL_CREATES
 * returns how many IRP_MJ_CREATE the driver saw.
 */
#include <ntifs.h>

#define IOCTL_READ    CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_READ_ACCESS)
#define IOCTL_WRITE   CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_WRITE_ACCESS)
#define IOCTL_CREATES CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_BUFFERED, FILE_ANY_ACCESS)

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD BadSecUnload;
static DRIVER_ADD_DEVICE BadSecAddDevice;
static DRIVER_DISPATCH BadSecDispatch;

static PDEVICE_OBJECT Open, Locked;
static LONG Creates;

typedef struct {
    PDEVICE_OBJECT Lower;
} BADSEC_EXTENSION;

/* SYSTEM and Administrators: GENERIC_ALL; nobody else.  PASSIVE_LEVEL. */
static NTSTATUS BadSecLock(PDEVICE_OBJECT Device)
{
    SECURITY_DESCRIPTOR sd;
    UCHAR buffer[128];
    PACL acl = (PACL)buffer;
    HANDLE handle;
    NTSTATUS status = RtlCreateSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION);

    if (NT_SUCCESS(status))
        status = RtlCreateAcl(acl, sizeof(buffer), ACL_REVISION);
    if (NT_SUCCESS(status))
        status =
            RtlAddAccessAllowedAce(acl, ACL_REVISION, GENERIC_ALL, SeExports->SeLocalSystemSid);
    if (NT_SUCCESS(status))
        status =
            RtlAddAccessAllowedAce(acl, ACL_REVISION, GENERIC_ALL, SeExports->SeAliasAdminsSid);
    if (NT_SUCCESS(status))
        status = RtlSetDaclSecurityDescriptor(&sd, TRUE, acl, FALSE);
    if (!NT_SUCCESS(status))
        return status;
    status = ObOpenObjectByPointer(Device, OBJ_KERNEL_HANDLE, NULL, WRITE_DAC, NULL, KernelMode,
                                   &handle);
    if (!NT_SUCCESS(status))
        return status;
    status = ZwSetSecurityObject(handle, DACL_SECURITY_INFORMATION, &sd);
    ZwClose(handle);
    return status;
}

static NTSTATUS NTAPI BadSecDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_SUCCESS;

    Irp->IoStatus.Information = 0;
    switch (stack->MajorFunction) {
    case IRP_MJ_CREATE:
        InterlockedIncrement(&Creates);
        break;
    case IRP_MJ_DEVICE_CONTROL:
        if (stack->Parameters.DeviceIoControl.IoControlCode == IOCTL_CREATES &&
            stack->Parameters.DeviceIoControl.OutputBufferLength >= sizeof(LONG)) {
            *(LONG *)Irp->AssociatedIrp.SystemBuffer = Creates;
            Irp->IoStatus.Information = sizeof(LONG);
        }
        break;
    case IRP_MJ_PNP:
        if (stack->MinorFunction == IRP_MN_REMOVE_DEVICE) {
            BADSEC_EXTENSION *ext = DeviceObject->DeviceExtension;
            IoDetachDevice(ext->Lower);
            IoDeleteDevice(DeviceObject);
        }
        break;
    default:
        break;
    }
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

static NTSTATUS NTAPI BadSecAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo)
{
    PDEVICE_OBJECT fdo;
    NTSTATUS status = IoCreateDevice(DriverObject, sizeof(BADSEC_EXTENSION), NULL,
                                     FILE_DEVICE_UNKNOWN, 0, FALSE, &fdo);

    if (!NT_SUCCESS(status))
        return status;
    ((BADSEC_EXTENSION *)fdo->DeviceExtension)->Lower = IoAttachDeviceToDeviceStack(fdo, Pdo);
    fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

static VOID NTAPI BadSecUnload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject;
    IoDeleteDevice(Open);
    IoDeleteDevice(Locked);
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING open, locked;
    NTSTATUS status;

    (void)RegistryPath;
    DriverObject->DriverUnload = BadSecUnload;
    DriverObject->DriverExtension->AddDevice = BadSecAddDevice;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = BadSecDispatch;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = BadSecDispatch;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = BadSecDispatch;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = BadSecDispatch;
    DriverObject->MajorFunction[IRP_MJ_PNP] = BadSecDispatch;
    RtlInitUnicodeString(&open, L"\\Device\\BadSecOpen");
    RtlInitUnicodeString(&locked, L"\\Device\\BadSecLocked");
    status = IoCreateDevice(DriverObject, 0, &open, FILE_DEVICE_UNKNOWN, 0, FALSE, &Open);
    if (!NT_SUCCESS(status))
        return status;
    status = IoCreateDevice(DriverObject, 0, &locked, FILE_DEVICE_UNKNOWN, 0, FALSE, &Locked);
    if (NT_SUCCESS(status)) {
        status = BadSecLock(Locked);
        if (!NT_SUCCESS(status))
            IoDeleteDevice(Locked);
    }
    if (!NT_SUCCESS(status))
        IoDeleteDevice(Open);
    return status;
}
