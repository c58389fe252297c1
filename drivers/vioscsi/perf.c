/*
 * vioscsi: StorPort's performance options (common/storport/stor_perf.h)
 * for the request queues.  With a message per request queue or request
 * queues sharing messages vioscsi asks for concurrent channels (HwStartIo
 * on every CPU at once, no StartIo lock) and DPC redirection (each
 * completion runs on the CPU that issued the command, which put it on its
 * own request queue); with a message per request queue also for their
 * message range.  A
 * request queue is then guarded by its message's MSI spin lock; the
 * control and event queues, and what the queues share, by every message's
 * lock.  Without them (a line, one message for everything, a dump copy,
 * StorPort refused) the StartIo lock guards everything.
 */
#include "vioscsi.h"

/* IRQL: DIRQL, interrupt lock (HwInitialize): see vioscsi.h. */
VOID VioscsiPerfInit(PVIOSCSI Scsi)
{
    RtlZeroMemory(&Scsi->Perf, sizeof(Scsi->Perf));
    if (Scsi->Dump || Scsi->Messages == 0 || !Scsi->Virtio.Dev.msix ||
        Scsi->Plan.mode == VSCSI_MSG_ALL_ONE) {
        if (!Scsi->Dump)
            DbgPrint("vioscsi: one message for every queue: no concurrent channels\n");
        return;
    }
    /* Request queue q alone on message queue_msg[0] + q: the range is every
     * request queue's message */
    BOOLEAN each = Scsi->Plan.mode == VSCSI_MSG_ONE_EACH;
    ULONG first = Scsi->Plan.queue_msg[0];
    VwStorPerfInit(Scsi, &Scsi->Perf, Scsi->Messages, Scsi->NumQueues, first,
                   each ? first + Scsi->NumQueues - 1 : 0, "vioscsi");
}

/* IRQL: DISPATCH_LEVEL or above: see vioscsi.h.  The CPU's own request queue
 * (CPU mod queues); StorPort completes on this CPU whichever CPU the
 * queue's message interrupts (as viostor: see its perf.c). */
ULONG VioscsiPickQueue(PVIOSCSI Scsi, PVOID Srb)
{
    UNREFERENCED_PARAMETER(Srb);
    return VwStorCpuQueue(Scsi, Scsi->NumQueues);
}

/* IRQL: DISPATCH_LEVEL: see vioscsi.h. */
VOID VioscsiLockQueue(PVIOSCSI Scsi, ULONG Q, PULONG OldIrql)
{
    StorPortAcquireMSISpinLock(Scsi, Scsi->Plan.queue_msg[Q], OldIrql);
}

/* IRQL: DIRQL: see vioscsi.h. */
VOID VioscsiUnlockQueue(PVIOSCSI Scsi, ULONG Q, ULONG OldIrql)
{
    StorPortReleaseMSISpinLock(Scsi, Scsi->Plan.queue_msg[Q], OldIrql);
}
