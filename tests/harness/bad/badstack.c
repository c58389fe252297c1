/*
 * Planted bug for the x86 stack-balance checker: the unload routine is
 * declared without NTAPI, so on x86 it is cdecl and leaves its argument on
 * the stack, while the I/O manager calls it as stdcall.  (On 64-bit arches
 * there is one convention, so this driver is built for x86 only.)
 */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;

static VOID BadStackUnload(PDRIVER_OBJECT DriverObject) /* the bug: no NTAPI */
{
    (void)DriverObject;
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    /* Through an integer: clang rightly refuses the direct cast. */
    DriverObject->DriverUnload = (PDRIVER_UNLOAD)(ULONG_PTR)BadStackUnload;
    return STATUS_SUCCESS;
}
