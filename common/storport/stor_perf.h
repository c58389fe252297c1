/*
 * StorPort's performance options for a miniport with one request queue per
 * MSI-X message (storport/ns-storport-_perf_configuration_data,
 * nf-storport-storportinitializeperfopts), and the locks concurrent
 * channels call for.  With STOR_PERF_CONCURRENT_CHANNELS HwStartIo runs on
 * every CPU at once without the StartIo lock: a queue is then guarded by
 * its message's MSI spin lock (nf-storport-storportacquiremsispinlock),
 * and what the queues share by every message's lock, taken in message
 * order (VwStorLockAll), which excludes every queue's submission and
 * completion.  StorPortPause and StorPortResume are DISPATCH_LEVEL at
 * most: asked under those locks (DIRQL) they wait for VwStorUnlockAll.
 * Without concurrent channels the caller holds the StartIo lock instead
 * and the routines take nothing.
 */
#pragma once
#include <stdint.h>
#include <vw/storport.h>

#define VW_STOR_PERF_MAX_MESSAGES 72 /* a queue per CPU (64) and a few more */

typedef struct _VW_STOR_PERF {
    ULONG Flags;              /* STOR_PERF_* StorPort applied */
    ULONG Messages;           /* messages VwStorLockAll takes */
    BOOLEAN Concurrent;       /* STOR_PERF_CONCURRENT_CHANNELS applied */
    LONG PauseLater;          /* StorPortPause (+) / StorPortResume (-) due at VwStorUnlockAll */
    const uint16_t *QueueMsg; /* request queue q's message (the miniport's queue plan) */
} VW_STOR_PERF, *PVW_STOR_PERF;

/* The locks VwStorLockAll took, to give back */
typedef struct _VW_STOR_LOCKS {
    ULONG Count;
    ULONG OldIrql[VW_STOR_PERF_MAX_MESSAGES];
} VW_STOR_LOCKS, *PVW_STOR_LOCKS;

/* IRQL: DIRQL, interrupt lock (HwInitialize) or the passive routine: with
 * Messages MSI-X messages granted and Queues request queues, queue q on
 * message QueueMsg[q] (kept: VwStorLockQueue), query the options (highest
 * structure version first), then ask for DPC redirection and Queues
 * concurrent channels (none for one); with Each (queue q alone on message
 * QueueMsg[0] + q) the queues' message range.  Messages 0 (a line, or one
 * message for every queue): nothing is asked, the StartIo lock guards every
 * queue.  Not STOR_PERF_DPC_REDIRECTION_CURRENT_CPU: StorPort then completes
 * on the CPU that issued the request whichever CPU the queue's interrupt
 * came to.  What StorPort refuses is logged (Who names the driver) and left
 * off. */
VOID VwStorPerfInit(PVOID DeviceExtension, PVW_STOR_PERF Perf, ULONG Messages, ULONG Queues,
                    const uint16_t *QueueMsg, BOOLEAN Each, const char *Who);

/* IRQL: DISPATCH_LEVEL, concurrent channels: every message's lock in
 * message order (VwStorLockAll's slow half). */
VOID VwStorLockEvery(PVOID DeviceExtension, PVW_STOR_PERF Perf, PVW_STOR_LOCKS Locks);

/* IRQL: DIRQL (DISPATCH_LEVEL without concurrent channels): VwStorLockEvery's
 * locks back in reverse order, then the pauses and resumes asked meanwhile
 * (VwStorUnlockAll's slow half). */
VOID VwStorUnlockEvery(PVOID DeviceExtension, PVW_STOR_PERF Perf, PVW_STOR_LOCKS Locks);

/* IRQL: DISPATCH_LEVEL with the StartIo lock, or DIRQL under every message's
 * lock: StorPortPause (1 s), at once or at VwStorUnlockAll. */
VOID VwStorPause(PVOID DeviceExtension, PVW_STOR_PERF Perf);

/* IRQL: as VwStorPause: StorPortResume, at once or at VwStorUnlockAll. */
VOID VwStorResume(PVOID DeviceExtension, PVW_STOR_PERF Perf);

/* IRQL: DISPATCH_LEVEL, the StartIo lock (or, with concurrent channels,
 * every message's lock): an interrupt routine that began before now has
 * returned.  Without concurrent channels the interrupt lock is taken and
 * given back; with them the caller's message locks did that already. */
VOID VwStorSyncInterrupts(PVOID DeviceExtension, PVW_STOR_PERF Perf);

/* IRQL: DISPATCH_LEVEL: with concurrent channels every message's lock in
 * message order; else nothing (the caller holds the StartIo lock, and the
 * StartIo lock's path makes no call). */
FORCEINLINE VOID VwStorLockAll(PVOID DeviceExtension, PVW_STOR_PERF Perf, PVW_STOR_LOCKS Locks)
{
    Locks->Count = 0;
    if (Perf->Concurrent)
        VwStorLockEvery(DeviceExtension, Perf, Locks);
}

/* IRQL: DIRQL (DISPATCH_LEVEL without concurrent channels): VwStorLockAll's
 * locks back, then the pauses and resumes asked meanwhile. */
FORCEINLINE VOID VwStorUnlockAll(PVOID DeviceExtension, PVW_STOR_PERF Perf, PVW_STOR_LOCKS Locks)
{
    if (Locks->Count != 0 || Perf->PauseLater != 0)
        VwStorUnlockEvery(DeviceExtension, Perf, Locks);
}

/* IRQL: DISPATCH_LEVEL, concurrent channels only: take request queue Q's
 * lock (its message's MSI spin lock). */
FORCEINLINE VOID VwStorLockQueue(PVOID DeviceExtension, PVW_STOR_PERF Perf, ULONG Q, PULONG OldIrql)
{
    StorPortAcquireMSISpinLock(DeviceExtension, Perf->QueueMsg[Q], OldIrql);
}

/* IRQL: DIRQL: give request queue Q's lock back. */
FORCEINLINE VOID VwStorUnlockQueue(PVOID DeviceExtension, PVW_STOR_PERF Perf, ULONG Q,
                                   ULONG OldIrql)
{
    StorPortReleaseMSISpinLock(DeviceExtension, Perf->QueueMsg[Q], OldIrql);
}
