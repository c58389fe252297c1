/*
 * Planted bug for the bug-check plug-in's unload check (port/bugcheck/):
 * a bug-check callback registered in DriverEntry and never deregistered,
 * so the next crash would call into the unloaded image.
 */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD BadBugCheckUnload;
static KBUGCHECK_CALLBACK_ROUTINE BadBugCheckCallback;

static KBUGCHECK_CALLBACK_RECORD Record;

static VOID NTAPI BadBugCheckCallback(PVOID Buffer, ULONG Length)
{
    (void)Buffer, (void)Length;
}

static VOID NTAPI BadBugCheckUnload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject; /* forgets KeDeregisterBugCheckCallback */
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    static UCHAR component[] = "badbugcheck";
    PKBUGCHECK_CALLBACK_RECORD record = &Record; /* the mingw macro needs a plain name */

    (void)RegistryPath;
    DriverObject->DriverUnload = BadBugCheckUnload;
    KeInitializeCallbackRecord(record);
    if (!KeRegisterBugCheckCallback(record, BadBugCheckCallback, NULL, 0, component))
        return STATUS_UNSUCCESSFUL;
    return STATUS_SUCCESS;
}
