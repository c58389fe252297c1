/*
 * Planted bug for the thread leak check: a system thread that waits for a
 * stop request nobody ever sends; DriverUnload forgets to stop it, so it
 * would go on running in the unloaded image.
 */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD BadThreadUnload;
static KSTART_ROUTINE BadThreadMain;

static KEVENT Started, StopRequest;

static VOID NTAPI BadThreadMain(PVOID Context)
{
    (void)Context;
    KeSetEvent(&Started, IO_NO_INCREMENT, FALSE);
    KeWaitForSingleObject(&StopRequest, Executive, KernelMode, FALSE, NULL);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static VOID NTAPI BadThreadUnload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject; /* forgets KeSetEvent(&StopRequest) and the wait for the thread */
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    HANDLE handle;

    (void)RegistryPath;
    DriverObject->DriverUnload = BadThreadUnload;
    KeInitializeEvent(&Started, NotificationEvent, FALSE);
    KeInitializeEvent(&StopRequest, NotificationEvent, FALSE);
    NTSTATUS status =
        PsCreateSystemThread(&handle, THREAD_ALL_ACCESS, NULL, NULL, NULL, BadThreadMain, NULL);
    if (!NT_SUCCESS(status))
        return status;
    ZwClose(handle);
    KeWaitForSingleObject(&Started, Executive, KernelMode, FALSE, NULL);
    return STATUS_SUCCESS;
}
