/*
 * Planted bugs for the pool's guards, one per processor count (the
 * scenario sets it, as for badcpu): the pool arena is one unicorn mapping,
 * and every access to a page the pool has not handed out (a guard page, a
 * freed block) must still fault and name the block.
 *   4 (the default): a block written after it was freed
 *   1: a write just past the end of a block (its trailing guard page)
 *   2: a block read after it was freed
 *   3: a block freed twice
 *   5: a freed block handed to the kernel (KeInitializeEvent writes it)
 */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;

/* Runs the bug the processor count picks (PASSIVE_LEVEL). */
NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    volatile ULONG *block;
    ULONG mode = KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS);
    ULONG sink;

    (void)DriverObject;
    (void)RegistryPath;
    block = ExAllocatePoolWithTag(NonPagedPoolNx, 64, 'lpVW');
    if (block == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (mode == 1) {
        block[16] = 1; /* the bug: one ULONG past the 64 bytes */
        ExFreePoolWithTag((PVOID)block, 'lpVW');
        return STATUS_SUCCESS;
    }
    ExFreePoolWithTag((PVOID)block, 'lpVW');
    switch (mode) {
    case 2:
        sink = block[1]; /* the bug */
        return sink == 0x5a5a ? STATUS_UNSUCCESSFUL : STATUS_SUCCESS;
    case 3:
        ExFreePoolWithTag((PVOID)block, 'lpVW'); /* the bug */
        return STATUS_SUCCESS;
    case 5:
        KeInitializeEvent((PKEVENT)block, NotificationEvent, FALSE); /* the bug */
        return STATUS_SUCCESS;
    default:
        block[1] = 1; /* the bug */
        return STATUS_SUCCESS;
    }
}
