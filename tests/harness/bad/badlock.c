/*
 * Planted bug for the spin-lock balance checker: DriverEntry returns with a
 * spin lock still held (an early return that skips the release).
 */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD BadLockUnload;
static KSPIN_LOCK BadLock;

static VOID NTAPI BadLockUnload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject;
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    KIRQL old;

    (void)RegistryPath;
    DriverObject->DriverUnload = BadLockUnload;
    KeInitializeSpinLock(&BadLock);
    KeAcquireSpinLock(&BadLock, &old);
    if (DriverObject->DriverStart != NULL) /* always: the bug */
        return STATUS_SUCCESS;
    KeReleaseSpinLock(&BadLock, old);
    return STATUS_SUCCESS;
}
