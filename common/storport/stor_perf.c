/*
 * StorPort performance options and the locks of concurrent channels (see
 * stor_perf.h).
 */
#include "stor_perf.h"

/* IRQL: DIRQL or PASSIVE_LEVEL (HwInitialize, passive routine): see stor_perf.h. */
VOID VwStorPerfInit(PVOID DeviceExtension, PVW_STOR_PERF Perf, ULONG Messages, ULONG Queues,
                    const uint16_t *QueueMsg, BOOLEAN Each, const char *Who)
{
    PERF_CONFIGURATION_DATA perf;
    ULONG version, status = STOR_STATUS_UNSUCCESSFUL;
    ULONG channels = Queues, first = QueueMsg[0], last = Each ? first + Queues - 1 : 0;

    RtlZeroMemory(Perf, sizeof(*Perf));
    Perf->QueueMsg = QueueMsg;
    if (Messages == 0) {
        DbgPrint("%s: one message for every queue: no concurrent channels\n", Who);
        return;
    }
    for (version = STOR_PERF_VERSION; version >= 2; version--) {
        RtlZeroMemory(&perf, sizeof(perf));
        perf.Version = version;
        perf.Size = sizeof(perf);
        status = StorPortInitializePerfOpts(DeviceExtension, TRUE, &perf);
        if (status == STOR_STATUS_SUCCESS)
            break;
    }
    if (status != STOR_STATUS_SUCCESS) {
        DbgPrint("%s: StorPort offers no performance options (0x%lx)\n", Who, status);
        return;
    }
    ULONG offered = perf.Flags;
    /* One queue: its lock would serialise HwStartIo as the StartIo lock
     * StorPort takes anyway does, at two calls more per request */
    ULONG want = STOR_PERF_DPC_REDIRECTION | (channels > 1 ? STOR_PERF_CONCURRENT_CHANNELS : 0);
    if (last != 0)
        want |= STOR_PERF_INTERRUPT_MESSAGE_RANGES;
    want &= offered;
    /* Ranges need DPC redirection (ns-storport-_perf_configuration_data) */
    if (!(want & STOR_PERF_DPC_REDIRECTION))
        want &= ~STOR_PERF_INTERRUPT_MESSAGE_RANGES;
    RtlZeroMemory(&perf, sizeof(perf));
    perf.Version = version;
    perf.Size = sizeof(perf);
    perf.Flags = want;
    perf.ConcurrentChannels = channels;
    if (want & STOR_PERF_INTERRUPT_MESSAGE_RANGES) {
        perf.FirstRedirectionMessageNumber = first;
        perf.LastRedirectionMessageNumber = last;
    }
    status = StorPortInitializePerfOpts(DeviceExtension, FALSE, &perf);
    if (status != STOR_STATUS_SUCCESS) {
        DbgPrint("%s: StorPort refused performance options 0x%lx (0x%lx): the StartIo lock\n", Who,
                 want, status);
        return;
    }
    Perf->Flags = want;
    Perf->Messages = Messages < VW_STOR_PERF_MAX_MESSAGES ? Messages : VW_STOR_PERF_MAX_MESSAGES;
    Perf->Concurrent = (want & STOR_PERF_CONCURRENT_CHANNELS) != 0 && Perf->Messages != 0;
    DbgPrint("%s: performance options 0x%lx (offered 0x%lx, version %lu): %s\n", Who, want, offered,
             version, Perf->Concurrent ? "a lock per queue" : "the StartIo lock for every queue");
}

/* IRQL: DISPATCH_LEVEL: see stor_perf.h. */
VOID VwStorLockEvery(PVOID DeviceExtension, PVW_STOR_PERF Perf, PVW_STOR_LOCKS Locks)
{
    Locks->Count = 0;
    for (ULONG m = 0; m < Perf->Messages; m++) {
        StorPortAcquireMSISpinLock(DeviceExtension, m, &Locks->OldIrql[m]);
        Locks->Count = m + 1;
    }
}

/* IRQL: DIRQL or DISPATCH_LEVEL: see stor_perf.h. */
VOID VwStorUnlockEvery(PVOID DeviceExtension, PVW_STOR_PERF Perf, PVW_STOR_LOCKS Locks)
{
    LONG pauses = Perf->PauseLater;

    Perf->PauseLater = 0;
    while (Locks->Count != 0) {
        Locks->Count--;
        StorPortReleaseMSISpinLock(DeviceExtension, Locks->Count, Locks->OldIrql[Locks->Count]);
    }
    /* Back at DISPATCH_LEVEL: what the locked code asked of StorPort */
    for (; pauses > 0; pauses--)
        StorPortPause(DeviceExtension, 1);
    for (; pauses < 0; pauses++)
        StorPortResume(DeviceExtension);
}

/* IRQL: DISPATCH_LEVEL or DIRQL: see stor_perf.h. */
VOID VwStorPause(PVOID DeviceExtension, PVW_STOR_PERF Perf)
{
    if (Perf->Concurrent)
        Perf->PauseLater++;
    else
        StorPortPause(DeviceExtension, 1);
}

/* IRQL: DISPATCH_LEVEL or DIRQL: see stor_perf.h. */
VOID VwStorResume(PVOID DeviceExtension, PVW_STOR_PERF Perf)
{
    if (Perf->Concurrent)
        Perf->PauseLater--;
    else
        StorPortResume(DeviceExtension);
}

/* IRQL: DISPATCH_LEVEL, StartIo lock or every message's: see stor_perf.h. */
VOID VwStorSyncInterrupts(PVOID DeviceExtension, PVW_STOR_PERF Perf)
{
    STOR_LOCK_HANDLE lock;

    if (Perf->Concurrent)
        return; /* the caller holds every message's lock */
    /* Taken after the StartIo lock, as StorPort orders them */
    StorPortAcquireSpinLock(DeviceExtension, InterruptLock, NULL, &lock);
    StorPortReleaseSpinLock(DeviceExtension, &lock);
}
