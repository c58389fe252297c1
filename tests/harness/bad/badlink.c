/*
 * Planted bug for the symbolic-link leak check: a named device object and
 * its \DosDevices\Global link made in DriverEntry; unload deletes the
 * device but forgets IoDeleteSymbolicLink.
 */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD BadLinkUnload;

static VOID NTAPI BadLinkUnload(PDRIVER_OBJECT DriverObject)
{
    IoDeleteDevice(DriverObject->DeviceObject); /* the link stays */
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name, link;
    PDEVICE_OBJECT device;
    NTSTATUS status;

    (void)RegistryPath;
    DriverObject->DriverUnload = BadLinkUnload;
    RtlInitUnicodeString(&name, L"\\Device\\BadLink");
    RtlInitUnicodeString(&link, L"\\DosDevices\\Global\\BadLink");
    status = IoCreateDevice(DriverObject, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status))
        return status;
    status = IoCreateSymbolicLink(&link, &name);
    if (!NT_SUCCESS(status))
        IoDeleteDevice(device);
    return status;
}
