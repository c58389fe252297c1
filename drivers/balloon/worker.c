/*
 * balloon: the work item that moves the balloon towards the host's target.
 *
 * One IO_WORKITEM per device.  It is queued (never twice) by the DPC on a
 * configuration change or a used stats buffer, and by the one-shot timer;
 * while it runs, new causes set WorkAgain and it runs once more.  Each run
 * does at most BALLOON_STEPS_PER_RUN steps of at most BALLOON_CHUNK pages,
 * then queues itself again, so that D0Exit (which clears Running and waits
 * for WorkIdle) never waits long.
 */
#include "balloon.h"

static IO_WORKITEM_ROUTINE BalloonWork;

/* Queue the work item, or ask the running one to go again (Lock held). IRQL: DISPATCH_LEVEL. */
VOID BalloonQueueWorkLocked(PBALLOON_DEVICE b)
{
    if (!b->Running)
        return;
    if (b->WorkRunning) {
        b->WorkAgain = TRUE;
        return;
    }
    if (b->WorkQueued)
        return;
    b->WorkQueued = TRUE;
    KeClearEvent(&b->WorkIdle);
    IoQueueWorkItem(b->WorkItem, BalloonWork, DelayedWorkQueue, b);
}

/* Retry timer: queue the worker again after a failed or partial step. IRQL: DISPATCH_LEVEL. */
VOID BalloonTimerDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PBALLOON_DEVICE b = Context;

    (void)Dpc;
    (void)Arg1;
    (void)Arg2;
    KeAcquireSpinLockAtDpcLevel(&b->Lock);
    BalloonQueueWorkLocked(b);
    KeReleaseSpinLockFromDpcLevel(&b->Lock);
}

/* Arm the retry timer for Ms milliseconds. IRQL <= DISPATCH_LEVEL. */
static VOID BalloonArmTimer(PBALLOON_DEVICE b, ULONG Ms)
{
    LARGE_INTEGER due = {.QuadPart = -(LONGLONG)Ms * 10000};
    KeSetTimer(&b->Timer, due, &b->TimerDpc);
}

/* Stop the work for D0Exit: nothing queued or running afterwards. IRQL: PASSIVE_LEVEL. */
VOID BalloonStopWork(PBALLOON_DEVICE b)
{
    KIRQL irql;

    KeAcquireSpinLock(&b->Lock, &irql);
    b->Running = FALSE;
    KeReleaseSpinLock(&b->Lock, irql);
    /* The work item may still arm the timer until it is idle; the timer
     * DPC queues nothing once Running is clear. */
    KeWaitForSingleObject(&b->WorkIdle, Executive, KernelMode, FALSE, NULL);
    KeCancelTimer(&b->Timer);
    KeFlushQueuedDpcs();
}

/* Report the pages held to the device's `actual` field when it changed. IRQL: PASSIVE_LEVEL. */
VOID BalloonWriteActual(PBALLOON_DEVICE b)
{
    uint32_t actual = b->Pages;

    if (actual == b->Reported)
        return;
    if (virtio_config_write(&b->Virtio.Dev, BALLOON_CFG_ACTUAL, &actual, sizeof(actual)) == 0)
        b->Reported = actual;
}

/* Send the first Count frame numbers of PfnBuffer on Queue and wait,
 * bounded, for the device to use them. IRQL: PASSIVE_LEVEL. */
BALLOON_XFER BalloonTransfer(PBALLOON_DEVICE b, struct virtqueue *Queue, ULONG Count)
{
    struct virtqueue_sg sg = {.addr = b->PfnBuffer.pa, .len = Count * sizeof(ULONG)};
    LARGE_INTEGER slice = {.QuadPart = -(LONGLONG)BALLOON_WAIT_SLICE_MS * 10000};
    BOOLEAN kick = FALSE, done = FALSE, broken = FALSE;
    KIRQL irql;
    int rc;

    KeAcquireSpinLock(&b->Lock, &irql);
    if (!b->QueuesReady || b->Abandon || b->Failed || b->RequestBroken || b->RestartNeeded) {
        KeReleaseSpinLock(&b->Lock, irql);
        return BalloonXferNotSent;
    }
    b->RequestDone = FALSE;
    KeClearEvent(&b->RequestWake);
    rc = virtqueue_add(Queue, &sg, 1, 0, b);
    if (rc == 0)
        kick = virtqueue_kick_prepare(Queue);
    KeReleaseSpinLock(&b->Lock, irql);
    if (rc != 0)
        return BalloonXferNotSent;
    if (kick)
        virtqueue_notify(Queue);

    for (ULONG waited = 0; waited < BALLOON_REQUEST_TIMEOUT_MS; waited += BALLOON_WAIT_SLICE_MS) {
        KeWaitForSingleObject(&b->RequestWake, Executive, KernelMode, FALSE, &slice);
        KeAcquireSpinLock(&b->Lock, &irql);
        done = b->RequestDone;
        broken = b->RequestBroken || b->Abandon;
        KeReleaseSpinLock(&b->Lock, irql);
        if (done || broken)
            break;
        if (virtio_device_needs_reset(&b->Virtio.Dev))
            break; /* gone or NEEDS_RESET: the work item restarts it */
    }
    if (done && !broken)
        return BalloonXferDone;
    if (!done && !broken)
        VwError(b->Device, "the device did not use a request on queue %u in %u ms", Queue->index,
                BALLOON_REQUEST_TIMEOUT_MS);
    KeAcquireSpinLock(&b->Lock, &irql);
    b->RestartNeeded = TRUE;
    KeReleaseSpinLock(&b->Lock, irql);
    return BalloonXferLost;
}

/* Whether Windows signals low memory (DEFLATE_ON_OOM). IRQL <= DISPATCH_LEVEL. */
static BOOLEAN BalloonLowMemory(PBALLOON_DEVICE b)
{
    return b->LowMemory != NULL && KeReadStateEvent(b->LowMemory) != 0;
}

/* The host's target, bounded by what the guest can give. IRQL: PASSIVE_LEVEL. */
static ULONG BalloonTarget(PBALLOON_DEVICE b)
{
    uint32_t target = 0;

    if (virtio_config_read(&b->Virtio.Dev, BALLOON_CFG_NUM_PAGES, &target, sizeof(target)) != 0)
        return b->Pages; /* config never settled: stay where we are */
    if (b->TotalPages != 0) {
        ULONG64 cap = b->TotalPages - (b->TotalPages >> BALLOON_RESERVE_SHIFT);
        if (target > cap) {
            if (!b->CapLogged)
                VwError(b->Device, "host asks for %u pages, more than the guest can give; %llu",
                        target, (unsigned long long)cap);
            b->CapLogged = TRUE;
            target = (uint32_t)cap;
        }
    }
    return target;
}

/* One run: restart if needed, statistics, then bounded steps. IRQL: PASSIVE_LEVEL. */
static VOID BalloonRun(PBALLOON_DEVICE b)
{
    BOOLEAN retry = FALSE, more = FALSE;
    KIRQL irql;

    KeAcquireSpinLock(&b->Lock, &irql);
    BOOLEAN restart = b->RestartNeeded && !b->Abandon && !b->Failed;
    BOOLEAN stats = b->StatsUsed;
    b->StatsUsed = FALSE;
    KeReleaseSpinLock(&b->Lock, irql);
    if (restart && !BalloonRestart(b))
        return;
    if (b->Failed || b->Abandon)
        return;
    if (stats && b->HasStats)
        BalloonPostStats(b);

    for (ULONG step = 0;; step++) {
        if (!b->Running || b->Failed || b->RestartNeeded)
            break;
        if (step == BALLOON_STEPS_PER_RUN) {
            more = TRUE;
            break;
        }
        BOOLEAN low = BalloonLowMemory(b);
        ULONG target = BalloonTarget(b);
        NTSTATUS status;
        if (low && b->OomDeflate && b->Pages > 0) {
            /* Guest stability first (spec 5.5.6.1): one chunk per period. */
            VwInfo(b->Device, "low memory: deflating");
            status = BalloonDeflateStep(b, BALLOON_CHUNK, TRUE);
            BalloonWriteActual(b);
            retry = TRUE;
            break;
        }
        if (target > b->Pages) {
            if (low) {
                retry = TRUE; /* no inflating while memory is low */
                break;
            }
            status = BalloonInflateStep(b, target - b->Pages);
            if (!NT_SUCCESS(status)) {
                retry = status == STATUS_INSUFFICIENT_RESOURCES;
                BalloonWriteActual(b);
                break;
            }
        } else if (target < b->Pages) {
            status = BalloonDeflateStep(b, b->Pages - target, TRUE);
            if (!NT_SUCCESS(status)) {
                BalloonWriteActual(b);
                break;
            }
        } else {
            BalloonWriteActual(b);
            break;
        }
        BalloonWriteActual(b);
    }
    KeAcquireSpinLock(&b->Lock, &irql);
    if (more || b->RestartNeeded)
        b->WorkAgain = TRUE;
    KeReleaseSpinLock(&b->Lock, irql);
    /* Watch memory pressure while the balloon holds pages it may give. */
    if (retry || (b->OomDeflate && b->Pages > 0 && b->LowMemory != NULL))
        BalloonArmTimer(b, BALLOON_RETRY_MS);
}

/* The work item: run the balloon towards its target until nothing more is asked. IRQL:
 * PASSIVE_LEVEL. */
static VOID BalloonWork(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PBALLOON_DEVICE b = Context;
    KIRQL irql;

    (void)DeviceObject;
    KeAcquireSpinLock(&b->Lock, &irql);
    b->WorkQueued = FALSE;
    b->WorkRunning = TRUE;
    for (ULONG runs = 0;; runs++) {
        if (runs == BALLOON_RUNS_PER_ITEM) {
            KeSetTimer(&b->Timer, (LARGE_INTEGER){.QuadPart = -BALLOON_RESUME_MS * 10000LL},
                       &b->TimerDpc);
            break;
        }
        b->WorkAgain = FALSE;
        BOOLEAN run = b->Running;
        KeReleaseSpinLock(&b->Lock, irql);
        if (run)
            BalloonRun(b);
        KeAcquireSpinLock(&b->Lock, &irql);
        if (!b->WorkAgain || !b->Running)
            break;
    }
    b->WorkAgain = FALSE;
    b->WorkRunning = FALSE;
    KeSetEvent(&b->WorkIdle, IO_NO_INCREMENT, FALSE);
    KeReleaseSpinLock(&b->Lock, irql);
}
