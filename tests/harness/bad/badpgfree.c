/*
 * Planted bug for the page free checker: the pages of one MDL given back
 * twice with MmFreePagesFromMdl.
 */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD BadPgFreeUnload;

static VOID NTAPI BadPgFreeUnload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject;
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PHYSICAL_ADDRESS low = {.QuadPart = 0}, high = {.QuadPart = -1}, skip = {.QuadPart = 0};

    (void)RegistryPath;
    DriverObject->DriverUnload = BadPgFreeUnload;
    PMDL mdl =
        MmAllocatePagesForMdlEx(low, high, skip, 4 * PAGE_SIZE, MmCached, MM_DONT_ZERO_ALLOCATION);
    if (mdl == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    MmFreePagesFromMdl(mdl);
    MmFreePagesFromMdl(mdl); /* the second time */
    ExFreePool(mdl);
    return STATUS_SUCCESS;
}
