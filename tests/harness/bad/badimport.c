/*
 * Planted bug for the unimplemented-API checker: imports a routine the
 * harness does not implement (KeStallExecutionProcessor, for now; when the
 * harness gains it, pick another import it lacks).
 */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)DriverObject;
    (void)RegistryPath;
    KeStallExecutionProcessor(10);
    return STATUS_SUCCESS;
}
