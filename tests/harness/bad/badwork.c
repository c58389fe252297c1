/*
 * Planted bug for the work-item check: the item is freed while still
 * queued, so the worker thread would run it from freed memory.
 */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD BadWorkUnload;
static IO_WORKITEM_ROUTINE BadWorkRoutine;

static PDEVICE_OBJECT Device;

static VOID NTAPI BadWorkRoutine(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    (void)DeviceObject, (void)Context;
}

static VOID NTAPI BadWorkUnload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject;
    IoDeleteDevice(Device);
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    DriverObject->DriverUnload = BadWorkUnload;
    NTSTATUS status = IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &Device);
    if (!NT_SUCCESS(status))
        return status;
    PIO_WORKITEM item = IoAllocateWorkItem(Device);
    if (item == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    /* At DISPATCH_LEVEL no worker takes it between the two calls, whatever
     * the scheduling seed: the free is certainly before it ran. */
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    IoQueueWorkItem(item, BadWorkRoutine, DelayedWorkQueue, NULL);
    IoFreeWorkItem(item); /* before it ran */
    KeLowerIrql(old);
    return STATUS_SUCCESS;
}
