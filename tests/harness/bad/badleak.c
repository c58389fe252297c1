/*
 * Planted bug for the leak checker: a device object (pool) created in
 * DriverEntry and never deleted.
 */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD BadLeakUnload;

static VOID NTAPI BadLeakUnload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject; /* forgets IoDeleteDevice */
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PDEVICE_OBJECT device;

    (void)RegistryPath;
    DriverObject->DriverUnload = BadLeakUnload;
    return IoCreateDevice(DriverObject, 64, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
}
