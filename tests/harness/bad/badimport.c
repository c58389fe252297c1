/*
 * Planted bug for the unimplemented-API checker: imports a routine the
 * harness pretends not to have (its scenario hides ZwClose: see
 * selftest/planted_bugs.c).
 */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)DriverObject;
    (void)RegistryPath;
    ZwClose(NULL);
    return STATUS_SUCCESS;
}
