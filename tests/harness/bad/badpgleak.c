/*
 * Planted bug for the page leak checker: pages from MmAllocatePagesForMdlEx
 * whose MDL is freed with ExFreePool, the pages never given back with
 * MmFreePagesFromMdl.
 */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD BadPgLeakUnload;

static VOID NTAPI BadPgLeakUnload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject;
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PHYSICAL_ADDRESS low = {.QuadPart = 0}, high = {.QuadPart = -1}, skip = {.QuadPart = 0};

    (void)RegistryPath;
    DriverObject->DriverUnload = BadPgLeakUnload;
    PMDL mdl = MmAllocatePagesForMdlEx(low, high, skip, 8 * PAGE_SIZE, MmCached, 0);
    if (mdl == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    ExFreePool(mdl); /* forgets MmFreePagesFromMdl */
    return STATUS_SUCCESS;
}
