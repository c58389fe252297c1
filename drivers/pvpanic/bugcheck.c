/*
 * Reporting a crash to the host.
 *
 * Windows writes the crash dump first and calls the plain bug-check
 * callbacks afterwards; the dump-I/O reason callback runs for every block of
 * the dump while it is being written.  So:
 *  - the first dump-I/O call writes CRASH_LOADED: the host learns of the
 *    crash but must let the guest finish its dump (QEMU only logs it);
 *  - the bug-check callback writes PANICKED, on which the host may stop the
 *    VM, but only when no dump was announced: after a dump Windows reboots
 *    by itself, and stopping it then would defeat the dump's purpose.
 * Each event is written only if the device said it supports it.
 */
#include "pvpanic.h"

static KBUGCHECK_CALLBACK_ROUTINE PvPanicOnBugCheck;
static KBUGCHECK_REASON_CALLBACK_ROUTINE PvPanicOnDumpIo;

static UCHAR PvPanicComponent[] = "pvpanic";

/* Bug-check callback: tell the host PANICKED unless a crash dump was announced. IRQL: HIGH_LEVEL.
 */
static VOID NTAPI PvPanicOnBugCheck(PVOID Buffer, ULONG Length)
{
    PPVPANIC_DEVICE device = (PPVPANIC_DEVICE)Buffer;

    if (Buffer == NULL || Length != sizeof(PVPANIC_DEVICE))
        return;
    if ((device->SupportedEvents & PVPANIC_PANICKED) && !device->CrashLoadedSent)
        PvPanicWriteRegister(&device->Register, PVPANIC_PANICKED);
}

/* Dump-I/O callback: tell the host CRASH_LOADED once, when Windows starts writing a dump. IRQL:
 * HIGH_LEVEL. */
static VOID NTAPI PvPanicOnDumpIo(KBUGCHECK_CALLBACK_REASON Reason,
                                  struct _KBUGCHECK_REASON_CALLBACK_RECORD *Record, PVOID Data,
                                  ULONG DataLength)
{
    PPVPANIC_DEVICE device = CONTAINING_RECORD(Record, PVPANIC_DEVICE, DumpIoRecord);

    (void)Data;
    (void)DataLength;
    if (Reason != KbCallbackDumpIo || device->CrashLoadedSent)
        return;
    if (device->SupportedEvents & PVPANIC_CRASH_LOADED) {
        PvPanicWriteRegister(&device->Register, PVPANIC_CRASH_LOADED);
        device->CrashLoadedSent = TRUE;
    }
}

/* Register the bug-check and dump-I/O callbacks for the events the device supports. IRQL:
 * PASSIVE_LEVEL. */
VOID PvPanicRegisterCallbacks(PPVPANIC_DEVICE Device)
{
    Device->CrashLoadedSent = FALSE;
    if (Device->SupportedEvents & PVPANIC_PANICKED) {
        PKBUGCHECK_CALLBACK_RECORD record = &Device->BugCheckRecord;
        KeInitializeCallbackRecord(record); /* mingw's macro needs a plain name */
        Device->BugCheckRegistered = KeRegisterBugCheckCallback(
            &Device->BugCheckRecord, PvPanicOnBugCheck, Device, sizeof(*Device), PvPanicComponent);
        if (!Device->BugCheckRegistered)
            PvPanicLog(DPFLTR_ERROR_LEVEL, "bug-check callback registration failed\n");
    }
    if (Device->SupportedEvents & PVPANIC_CRASH_LOADED) {
        PKBUGCHECK_REASON_CALLBACK_RECORD record = &Device->DumpIoRecord;
        KeInitializeCallbackRecord(record);
        Device->DumpIoRegistered = KeRegisterBugCheckReasonCallback(
            &Device->DumpIoRecord, PvPanicOnDumpIo, KbCallbackDumpIo, PvPanicComponent);
        if (!Device->DumpIoRegistered)
            PvPanicLog(DPFLTR_ERROR_LEVEL, "dump callback registration failed\n");
    }
}

/* Deregister the callbacks PvPanicRegisterCallbacks registered. IRQL: PASSIVE_LEVEL. */
VOID PvPanicDeregisterCallbacks(PPVPANIC_DEVICE Device)
{
    if (Device->BugCheckRegistered)
        KeDeregisterBugCheckCallback(&Device->BugCheckRecord);
    if (Device->DumpIoRegistered)
        KeDeregisterBugCheckReasonCallback(&Device->DumpIoRecord);
    Device->BugCheckRegistered = FALSE;
    Device->DumpIoRegistered = FALSE;
}
