/*
 * Planted bug for the pool guard pages: a block is written after it was
 * freed.  The harness never reuses pool addresses and unmaps freed blocks,
 * so the write must fault and be reported as a use after free.
 */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    volatile ULONG *block;

    (void)DriverObject;
    (void)RegistryPath;
    block = ExAllocatePoolWithTag(NonPagedPoolNx, 64, 'lpVW');
    if (block == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    ExFreePoolWithTag((PVOID)block, 'lpVW');
    block[1] = 1; /* the bug */
    return STATUS_SUCCESS;
}
