/*
 * Planted bug for the driver-call budget (machine/abi.c): DriverEntry
 * never returns.  The harness must stop it after the call's CPU-time
 * budget and report a routine that did not return.
 */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;

/* Loops forever (PASSIVE_LEVEL): the bug. */
NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    volatile ULONG spins = 0;

    (void)DriverObject;
    (void)RegistryPath;
    for (;;)
        spins++;
    return STATUS_SUCCESS;
}
