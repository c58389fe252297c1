/*
 * Planted bug for the timer leak check: a periodic timer with a DPC set in
 * DriverEntry and never cancelled, so it would fire into the unloaded image.
 */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD BadTimerUnload;
static KDEFERRED_ROUTINE BadTimerDpc;

static KTIMER Timer;
static KDPC Dpc;

static VOID NTAPI BadTimerDpc(PKDPC Object, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    (void)Object, (void)Context, (void)Arg1, (void)Arg2;
}

static VOID NTAPI BadTimerUnload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject; /* forgets KeCancelTimer */
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    LARGE_INTEGER due;

    (void)RegistryPath;
    DriverObject->DriverUnload = BadTimerUnload;
    KeInitializeDpc(&Dpc, BadTimerDpc, NULL);
    KeInitializeTimer(&Timer);
    due.QuadPart = -10000; /* 1 ms, then every 5 ms */
    KeSetTimerEx(&Timer, due, 5, &Dpc);
    return STATUS_SUCCESS;
}
