/*
 * viostor: requests out.  The interrupt routines queue the DPC of each
 * queue on their message; the DPC completes, under the StartIo lock, what
 * the device gave back (a FUA write first gets its FLUSH).  A reset
 * completes a request only once the device has been reset, so nothing it
 * still owned is ever handed back; a dump copy polls from HwInterrupt.
 */
#include "viostor.h"

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: one request the device gave back. */
static VOID ViostorFinish(PVIOSTOR Stor, PVIOSTOR_SRBEXT X, uint32_t Written)
{
    struct vblk_cmd cmd;
    UCHAR status = X->Status;

    if (X->Stage == VIOSTOR_STAGE_IO && X->Io.fua && status == VIRTIO_BLK_S_OK) {
        X->Stage = VIOSTOR_STAGE_FLUSH;
        UCHAR rc = ViostorSubmit(Stor, X);
        if (rc == SRB_STATUS_PENDING)
            return;
        ViostorComplete(Stor, X->Srb, rc, NULL);
        return;
    }
    RtlZeroMemory(&cmd, sizeof(cmd));
    cmd.io = X->Io;
    if (X->Stage == VIOSTOR_STAGE_FLUSH) {
        /* The write is done; the outcome is the flush's */
        cmd.io.type = VIRTIO_BLK_T_FLUSH;
        cmd.io.bytes = 0;
    }
    vblk_scsi_complete(&cmd, status, Written);
    if (cmd.status == SCSI_STATUS_GOOD)
        cmd.data_len = X->Io.bytes;
    ViostorComplete(Stor, X->Srb, SRB_STATUS_SUCCESS, &cmd);
}

/* IRQL: DISPATCH_LEVEL or above, queue Q's lock, or the StartIo lock, or a dump
 * copy: see viostor.h. */
BOOLEAN ViostorDrainQueue(PVIOSTOR Stor, ULONG Q)
{
    struct virtqueue *vq = &Stor->Queues[Q].Vq;
    uint32_t len;
    ULONG got = 0;

    /* A removed device's requests are ViostorGone's to complete (it waits
     * for this lock): a FUA write's FLUSH would notify the gone function */
    if (!Stor->Ready || Stor->Removed)
        return FALSE;
    for (;;) {
        PVOID cookie;
        while (!Stor->Removed && (cookie = virtqueue_get(vq, &len)) != NULL) {
            got++;
            /* GET_ID is on queue 0: only its drain sees it */
            if (cookie == Stor->IdDma.va)
                ViostorIdDone(Stor, len);
            else
                ViostorFinish(Stor, cookie, len);
        }
        if (Stor->Removed)
            return FALSE;
        if (virtqueue_broken(vq))
            return TRUE;
        /* CompletionHoldoff: maybe the interrupt at the last held request's end */
        if (VwStorHoldoffEnable(&Stor->Virtio.Holdoff, Q, vq, got))
            return FALSE;
        virtqueue_disable_cb(vq);
    }
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock (or a dump copy): see viostor.h. */
VOID ViostorDrain(PVIOSTOR Stor, ULONG Q)
{
    if (ViostorDrainQueue(Stor, Q)) {
        DbgPrint("viostor: queue %lu broken by the device: reset\n", Q);
        ViostorResetDevice(Stor);
    }
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: a request the reset took back. */
static void ViostorCancel(void *ctx, struct virtqueue *vq, void *cookie)
{
    PVIOSTOR stor = ctx;
    (void)vq;
    if (cookie == stor->IdDma.va) {
        /* Not asked again: the INQUIRYs that waited go without a serial */
        ViostorIdGiveUp(stor, SRB_STATUS_SUCCESS);
        stor->IdPending = FALSE;
        return;
    }
    PVIOSTOR_SRBEXT x = cookie;
    ViostorComplete(stor, x->Srb, SRB_STATUS_BUS_RESET, NULL);
}

/* IRQL: DISPATCH_LEVEL, StartIo lock: a request taken back from a removed device. */
static void ViostorCancelGone(void *ctx, struct virtqueue *vq, void *cookie)
{
    PVIOSTOR stor = ctx;
    (void)vq;
    if (cookie == stor->IdDma.va) {
        ViostorIdGiveUp(stor, SRB_STATUS_NO_DEVICE);
        stor->IdPending = FALSE;
        return;
    }
    PVIOSTOR_SRBEXT x = cookie;
    ViostorComplete(stor, x->Srb, SRB_STATUS_NO_DEVICE, NULL);
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: see viostor.h. */
VOID ViostorWaitReset(PVIOSTOR Stor, PVIOSTOR_SRBEXT X)
{
    X->NextWaiting = Stor->ResetWaiting;
    Stor->ResetWaiting = X;
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: complete the reset SRBs that
 * waited for the reset, with Status. */
static VOID ViostorEndWaiting(PVIOSTOR Stor, UCHAR Status)
{
    PVIOSTOR_SRBEXT x = Stor->ResetWaiting;

    Stor->ResetWaiting = NULL;
    while (x != NULL) {
        PVIOSTOR_SRBEXT next = x->NextWaiting;
        ViostorComplete(Stor, x->Srb, Status, NULL);
        x = next;
    }
}

/* IRQL: any, no lock: see viostor.h.  A full barrier: the store is seen by
 * every processor before anything this one does next. */
VOID ViostorMarkGone(PVIOSTOR Stor)
{
    InterlockedExchange(&Stor->Removed, TRUE);
}

/* IRQL: DISPATCH_LEVEL, StartIo lock: see viostor.h.  The function is gone,
 * so nothing it held can be written any more: the requests are taken from
 * the rings' own memory, with no register access and no reset. */
VOID ViostorGone(PVIOSTOR Stor)
{
    struct virtqueue *vqs[VBLK_MAX_QUEUES];

    ViostorMarkGone(Stor);
    /* An interrupt routine on another processor that read Removed before
     * the store may still be reading ISR status: the interrupt lock (every
     * message's, taken after the StartIo lock as StorPort orders them)
     * waits for it, and every interrupt after it sees Removed. */
    VwStorSyncInterrupts(Stor, &Stor->Perf);
    if (!Stor->Ready && !Stor->Resetting)
        return; /* taken back already, or a failed reset left nothing on the rings */
    BOOLEAN paused = Stor->Paused;
    Stor->Ready = FALSE;
    Stor->Resetting = Stor->Restarting = FALSE; /* the timer finds nothing to finish */
    Stor->Paused = FALSE;
    DbgPrint("viostor: surprise removal: the requests at the device end NO_DEVICE\n");
    for (ULONG q = 0; q < Stor->NumQueues; q++)
        vqs[q] = &Stor->Queues[q].Vq;
    VwStorDetachAll(vqs, Stor->NumQueues, ViostorCancelGone, Stor);
    ViostorEndWaiting(Stor, SRB_STATUS_NO_DEVICE);
    if (paused)
        VwStorResume(Stor, &Stor->Perf);
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: the device read 0 after its
 * reset (Rc 0), or never will: complete what it had BUS_RESET and bring it
 * back, or leave it failed; then the reset SRB that waited, and StorPort
 * resumes if it was paused for the reset. */
static BOOLEAN ViostorResetFinish(PVIOSTOR Stor, int Rc)
{
    struct virtqueue *vqs[VBLK_MAX_QUEUES];
    BOOLEAN paused = Stor->Paused;

    Stor->Resetting = FALSE;
    Stor->Paused = FALSE;
    for (ULONG q = 0; q < Stor->NumQueues; q++)
        vqs[q] = &Stor->Queues[q].Vq;
    if (Rc == 0)
        Rc = virtio_device_restart_finish(&Stor->Virtio.Dev, vqs, Stor->NumQueues, ViostorCancel,
                                          Stor);
    Stor->Ready = Rc == 0;
    if (Rc != 0) {
        /* The device may still own what it had: those requests stay
         * uncompleted here (StorPort ends them), the adapter is gone */
        DbgPrint("viostor: the device did not come back from a reset (%d)\n", Rc);
        virtio_device_fail(&Stor->Virtio.Dev);
        /* The INQUIRYs that waited for GET_ID are not at the device */
        ViostorIdGiveUp(Stor, SRB_STATUS_NO_DEVICE);
    }
    ViostorEndWaiting(Stor, Rc == 0 ? SRB_STATUS_SUCCESS : SRB_STATUS_ERROR);
    if (paused)
        VwStorResume(Stor, &Stor->Perf);
    return Rc == 0;
}

/* IRQL: DISPATCH_LEVEL, StartIo lock held by StorPort: a restart whose reset
 * the device is slow to finish: one step per period, 100 at most, then the
 * device is failed; StorPort resumes if a request paused it meanwhile. */
static VOID ViostorRestartTimer(PVIOSTOR Stor)
{
    int rc = VwStorResetWaited(&Stor->Virtio, ViostorRestartStep(Stor, FALSE), &Stor->ResetWaits);
    if (rc == VIRTIO_EAGAIN)
        return;
    if (rc == VIRTIO_ETIMEDOUT) {
        DbgPrint("viostor: the device did not finish its reset for the restart\n");
        virtio_device_fail(&Stor->Virtio.Dev);
        Stor->Ready = FALSE;
    }
    Stor->Resetting = Stor->Restarting = FALSE;
    ViostorEndWaiting(Stor, Stor->Ready ? SRB_STATUS_SUCCESS : SRB_STATUS_ERROR);
    if (Stor->Paused) {
        Stor->Paused = FALSE;
        VwStorResume(Stor, &Stor->Perf);
    }
}

/* IRQL: DISPATCH_LEVEL, StartIo lock or every queue's: see viostor.h.  A reset
 * the device is slow to finish: one read of its status per period, never a
 * wait; a reset the timer was armed for may have been finished by
 * HwResetBus, or ViostorGone took everything.  Otherwise the INQUIRYs that
 * waited for GET_ID have waited long enough (a reset replaced the period
 * they armed and answers them itself). */
static VOID ViostorTimerLocked(PVIOSTOR Stor)
{
    if (Stor->Removed)
        return;
    if (!Stor->Resetting) {
        if (Stor->IdWaiting != NULL && Stor->IdPending) {
            DbgPrint("viostor: no answer to GET_ID: no serial number\n");
            ViostorIdGiveUp(Stor, SRB_STATUS_SUCCESS);
        }
        return;
    }
    if (Stor->Restarting) {
        ViostorRestartTimer(Stor);
        return;
    }
    int rc = VwStorResetWaited(&Stor->Virtio, virtio_device_reset_poll(&Stor->Virtio.Dev),
                               &Stor->ResetWaits);
    if (rc == VIRTIO_EAGAIN)
        return;
    ViostorResetFinish(Stor, rc);
}

/* IRQL: DISPATCH_LEVEL, StartIo lock or every queue's: the queues whose
 * interrupt CompletionHoldoff put off are drained (a reset since took
 * their requests back: nothing is left to drain). */
static VOID ViostorDrainHeld(PVIOSTOR Stor)
{
    for (ULONG q = 0; q < Stor->NumQueues; q++)
        if (VwStorHoldoffTake(&Stor->Virtio.Holdoff, q) && Stor->Ready && !Stor->Removed)
            ViostorDrain(Stor, q);
}

/* IRQL: DISPATCH_LEVEL, StartIo lock held by StorPort, or none with
 * concurrent channels (every queue's taken here): the timer's work: the
 * held queues, then the other purposes when the call was theirs. */
VOID NTAPI ViostorTimer(PVOID DeviceExtension)
{
    PVIOSTOR stor = DeviceExtension;
    VW_STOR_LOCKS all;

    VwStorLockAll(stor, &stor->Perf, &all);
    BOOLEAN other = VwStorTimerFired(&stor->Virtio.Holdoff);
    ViostorDrainHeld(stor);
    if (other)
        ViostorTimerLocked(stor);
    VwStorTimerSettle(&stor->Virtio.Holdoff);
    VwStorUnlockAll(stor, &stor->Perf, &all);
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: see viostor.h.  A dump copy
 * has no timer and no stall limit: it waits as long as the core allows. */
BOOLEAN ViostorResetDevice(PVIOSTOR Stor)
{
    if (!Stor->Ready || Stor->Removed)
        return FALSE;
    Stor->Resets++;
    int rc = virtio_device_reset_start(&Stor->Virtio.Dev,
                                       Stor->Dump ? VIRTIO_RESET_POLLS : VW_STOR_RESET_POLLS);
    if (rc == VIRTIO_EAGAIN && Stor->Dump) {
        virtio_device_set_broken(&Stor->Virtio.Dev, VIRTIO_VIOL_RESET_TIMEOUT);
        rc = VIRTIO_ETIMEDOUT;
    }
    if (rc != VIRTIO_EAGAIN)
        return ViostorResetFinish(Stor, rc);
    /* Nothing is reinitialised, completed or submitted until it reads 0:
     * StorPort holds new requests (StorPortPause: the timer's bound and
     * more), the rings are left alone (Ready is FALSE) */
    DbgPrint("viostor: the device is slow to reset: finishing from the timer\n");
    Stor->Ready = FALSE;
    Stor->Resetting = TRUE;
    VwStorPause(Stor, &Stor->Perf);
    Stor->Paused = TRUE;
    VwStorResetArm(&Stor->Virtio, &Stor->ResetWaits);
    return TRUE;
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: see viostor.h.  What the
 * device already gave back ends with its own status first; a drain that
 * met a broken queue has reset the device already.  A slow reset under way
 * is polled once more; until the device reads 0 it may still use the rings
 * (virtio 1.2 2.4.1), so what it held stays at the miniport and the
 * timer's finish completes it (BUS_RESET), the waiting reset SRBs after. */
BOOLEAN ViostorResetAll(PVIOSTOR Stor)
{
    ULONG resets = Stor->Resets;

    if (Stor->Restarting)
        return TRUE; /* nothing at the device: the rings were empty at the stop */
    if (Stor->Resetting && !Stor->Removed) {
        int rc = virtio_device_reset_poll(&Stor->Virtio.Dev);
        return rc == VIRTIO_EAGAIN || ViostorResetFinish(Stor, rc);
    }
    if (!Stor->Ready || Stor->Removed)
        return TRUE; /* failed or gone: nothing to reset, what it held is StorPort's to end */
    for (ULONG q = 0; q < Stor->NumQueues && Stor->Ready && !Stor->Removed; q++)
        ViostorDrain(Stor, q);
    if (Stor->Resets != resets)
        return Stor->Ready || Stor->Resetting;
    return ViostorResetDevice(Stor);
}

/* IRQL: DISPATCH_LEVEL, StartIo lock held by StorPort: a bus reset (a request
 * timed out, or the class driver asked).  TRUE "if the bus is successfully
 * reset" (storport/nc-storport-hw_reset_bus): a device that has not read 0
 * within the 8 reads allowed here is not, and the requests it held end
 * BUS_RESET when the timer sees it read 0 (lead decision, NOTICE 03:22). */
BOOLEAN NTAPI ViostorResetBus(PVOID DeviceExtension, ULONG PathId)
{
    PVIOSTOR stor = DeviceExtension;
    VW_STOR_LOCKS all;
    UNREFERENCED_PARAMETER(PathId);

    /* StorPort holds the StartIo lock and every channel: the DPCs still
     * drain, so with concurrent channels every queue's lock too */
    VwStorLockAll(stor, &stor->Perf, &all);
    BOOLEAN ok = ViostorResetAll(stor) && !stor->Resetting;
    VwStorUnlockAll(stor, &stor->Perf, &all);
    return ok;
}

/* IRQL: DIRQL: what an interrupt stands for: DPCs for the queues on Message. */
static BOOLEAN ViostorDispatch(PVIOSTOR Stor, ULONG Message, BOOLEAN Line)
{
    if (Stor->Dump) {
        /* Polled by StorPort: no DPCs in a dump copy */
        ViostorDrain(Stor, 0);
        return TRUE;
    }
    if (Stor->Removed)
        return FALSE; /* a shared line: not ours, and the function reads all ones */
    uint8_t isr = virtio_isr_ack(&Stor->Virtio.Dev, (uint16_t)Message);
    if (isr == 0)
        return FALSE;
    if (!Stor->DpcReady)
        return TRUE; /* before the passive routine: the next interrupt drains */
    BOOLEAN any = Line || !Stor->Virtio.Dev.msix;
    if (isr & VIRTIO_PCI_ISR_CONFIG)
        StorPortIssueDpc(Stor, &Stor->ConfigDpc, NULL, NULL);
    if (!(isr & VIRTIO_PCI_ISR_QUEUE))
        return TRUE;
    if (!any && Stor->Plan.mode == VBLK_MSG_ONE_EACH) {
        /* Queue q alone on message q + 1: no walk over every queue per interrupt */
        ULONG q = Message - 1;
        if (Message != 0 && q < Stor->NumQueues)
            StorPortIssueDpc(Stor, &Stor->Queues[q].Dpc, (PVOID)(ULONG_PTR)q, NULL);
        return TRUE;
    }
    for (ULONG q = 0; q < Stor->NumQueues; q++)
        if (any || Stor->Plan.queue_msg[q] == Message)
            StorPortIssueDpc(Stor, &Stor->Queues[q].Dpc, (PVOID)(ULONG_PTR)q, NULL);
    return TRUE;
}

/* IRQL: DIRQL, interrupt lock held: a line interrupt, or a dump copy's poll. */
BOOLEAN NTAPI ViostorInterrupt(PVOID DeviceExtension)
{
    return ViostorDispatch(DeviceExtension, 0, TRUE);
}

/* IRQL: DIRQL, the message's lock held: a message-signalled interrupt. */
BOOLEAN NTAPI ViostorMsiInterrupt(PVOID DeviceExtension, ULONG MessageId)
{
    return ViostorDispatch(DeviceExtension, MessageId, FALSE);
}

/* IRQL: DISPATCH_LEVEL: complete what queue SystemArgument1 has finished, on
 * the CPU its message interrupted (the one that submitted, with a message
 * per CPU). */
VOID NTAPI ViostorQueueDpc(PSTOR_DPC Dpc, PVOID DeviceExtension, PVOID SystemArgument1,
                           PVOID SystemArgument2)
{
    PVIOSTOR stor = DeviceExtension;
    STOR_LOCK_HANDLE lock;
    ULONG q = (ULONG)(ULONG_PTR)SystemArgument1;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument2);

    if (q >= stor->NumQueues)
        return;
    if (!stor->Perf.Concurrent) {
        StorPortAcquireSpinLock(stor, StartIoLock, NULL, &lock);
        ViostorDrain(stor, q);
        StorPortReleaseSpinLock(stor, &lock);
        return;
    }
    /* This queue's lock only: the other queues drain on their CPUs */
    ULONG old;
    VwStorLockQueue(stor, &stor->Perf, q, &old);
    BOOLEAN broken = ViostorDrainQueue(stor, q);
    VwStorUnlockQueue(stor, &stor->Perf, q, old);
    if (!broken)
        return;
    /* A reset touches every queue: under every lock, if no one reset since */
    VW_STOR_LOCKS all;
    VwStorLockAll(stor, &stor->Perf, &all);
    if (stor->Ready && !stor->Removed && virtqueue_broken(&stor->Queues[q].Vq)) {
        DbgPrint("viostor: queue %lu broken by the device: reset\n", q);
        ViostorResetDevice(stor);
    }
    VwStorUnlockAll(stor, &stor->Perf, &all);
}

/* IRQL: DISPATCH_LEVEL: a configuration change: NEEDS_RESET, or a new capacity. */
VOID NTAPI ViostorConfigDpc(PSTOR_DPC Dpc, PVOID DeviceExtension, PVOID SystemArgument1,
                            PVOID SystemArgument2)
{
    PVIOSTOR stor = DeviceExtension;
    STOR_LOCK_HANDLE lock;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);

    VW_STOR_LOCKS all;
    BOOLEAN concurrent = stor->Perf.Concurrent;
    if (!concurrent)
        StorPortAcquireSpinLock(stor, StartIoLock, NULL, &lock);
    VwStorLockAll(stor, &stor->Perf, &all);
    if (stor->Removed || stor->Resetting) {
        /* nothing to read: the function is gone, or a reset is under way */
    } else if (virtio_device_needs_reset(&stor->Virtio.Dev)) {
        DbgPrint("viostor: the device needs a reset\n");
        ViostorResetDevice(stor);
    } else if (stor->Ready) {
        uint64_t blocks = stor->Disk.blocks;
        uint32_t bs = stor->Disk.blk_size;
        if (ViostorReadConfig(stor) && (stor->Disk.blocks != blocks || stor->Disk.blk_size != bs)) {
            DbgPrint("viostor: capacity now %llu blocks\n", (unsigned long long)stor->Disk.blocks);
            StorPortNotification(BusChangeDetected, stor, 0);
        }
    }
    VwStorUnlockAll(stor, &stor->Perf, &all);
    if (!concurrent)
        StorPortReleaseSpinLock(stor, &lock);
}
