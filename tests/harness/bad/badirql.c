/*
 * Planted bug for the IRQL checker: IoCreateDevice (PASSIVE_LEVEL only)
 * called at DISPATCH_LEVEL.
 */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD BadIrqlUnload;

static VOID NTAPI BadIrqlUnload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject;
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PDEVICE_OBJECT device;
    KIRQL old;

    (void)RegistryPath;
    DriverObject->DriverUnload = BadIrqlUnload;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    NTSTATUS status = IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    KeLowerIrql(old);
    if (NT_SUCCESS(status))
        IoDeleteDevice(device);
    return STATUS_SUCCESS;
}
