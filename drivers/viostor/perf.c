/*
 * viostor: StorPort's performance options (common/storport/stor_perf.h).
 * With a message per queue or queues sharing messages viostor asks for
 * concurrent channels (HwStartIo on every CPU at once, no StartIo lock)
 * and DPC redirection (each completion runs on the CPU that issued the
 * request, which put it on its own queue); with a message per queue also
 * for the queues' message range.  A queue is then guarded by its message's MSI spin
 * lock, what the queues share by every message's lock.  Without them (a
 * line, one message for everything, a dump copy, StorPort refused) the
 * StartIo lock guards everything, as StorPort holds it for HwStartIo.
 */
#include "viostor.h"

/* IRQL: DIRQL, interrupt lock (HwInitialize): see viostor.h. */
VOID ViostorPerfInit(PVIOSTOR Stor)
{
    RtlZeroMemory(&Stor->Perf, sizeof(Stor->Perf));
    if (Stor->Dump || Stor->Messages == 0 || !Stor->Virtio.Dev.msix ||
        Stor->Plan.mode == VBLK_MSG_ALL_ONE) {
        if (!Stor->Dump)
            DbgPrint("viostor: one message for every queue: no concurrent channels\n");
        return;
    }
    /* Queue q alone on message q + 1: the range is every queue's message */
    BOOLEAN each = Stor->Plan.mode == VBLK_MSG_ONE_EACH;
    VwStorPerfInit(Stor, &Stor->Perf, Stor->Messages, Stor->NumQueues, 1,
                   each ? Stor->NumQueues : 0, "viostor");
}

/* IRQL: DISPATCH_LEVEL or above: see viostor.h.  The CPU's own queue (CPU
 * mod queues); StorPort completes on this CPU whichever CPU the queue's
 * message interrupts.  Not StorPortGetStartIoPerfParams' message: the
 * vhost-user back end of qsd_*_4q_* breaks a queue other than 0 after a
 * reset (FINDINGS.md), which that choice puts CPU 0's requests on. */
ULONG ViostorPickQueue(PVIOSTOR Stor, PVOID Srb)
{
    UNREFERENCED_PARAMETER(Srb);
    return VwStorCpuQueue(Stor, Stor->NumQueues);
}

/* IRQL: DISPATCH_LEVEL: see viostor.h. */
VOID ViostorLockQueue(PVIOSTOR Stor, ULONG Q, PULONG OldIrql)
{
    StorPortAcquireMSISpinLock(Stor, Stor->Plan.queue_msg[Q], OldIrql);
}

/* IRQL: DIRQL: see viostor.h. */
VOID ViostorUnlockQueue(PVIOSTOR Stor, ULONG Q, ULONG OldIrql)
{
    StorPortReleaseMSISpinLock(Stor, Stor->Plan.queue_msg[Q], OldIrql);
}
