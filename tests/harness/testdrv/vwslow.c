/*
 * Test driver for the call budget's watchdog (selftest/watchdog.c):
 * DriverEntry makes one call to VwSelftestSlowCall, an import the harness
 * serves by sleeping over a second of real time, and fails unless the
 * answer is its argument plus one.
 */
#include <ntddk.h>

/* From the harness's vwselftest.sys (arch/<arch>/vwselftest.def). */
__declspec(dllimport) ULONG NTAPI VwSelftestSlowCall(ULONG Value);

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD SlowUnload;

/* Nothing to undo (PASSIVE_LEVEL). */
static VOID NTAPI SlowUnload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject;
}

/* One slow call, checked (PASSIVE_LEVEL). */
NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    DriverObject->DriverUnload = SlowUnload;
    return VwSelftestSlowCall(0x5a5a) == 0x5a5b ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
}
