/*
 * Planted bug for the deadlock checker: DriverEntry waits without a
 * time-out on an event nobody will ever set.
 */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    KEVENT never;

    (void)DriverObject;
    (void)RegistryPath;
    KeInitializeEvent(&never, NotificationEvent, FALSE);
    KeWaitForSingleObject(&never, Executive, KernelMode, FALSE, NULL); /* the bug */
    return STATUS_SUCCESS;
}
