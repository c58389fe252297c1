/*
 * balloon: bringing the device up and down, its interrupt, and restarts.
 *
 * PrepareHardware finds the transport and allocates the two DMA buffers
 * (frame numbers, statistics); D0Entry negotiates, sets up the queues,
 * sets DRIVER_OK, reports `actual`, hands the device the statistics buffer
 * and starts the work; D0Exit stops the work and, when the device is
 * leaving for good (VW_POWER_DEVICE_D3_FINAL), empties the balloon through
 * it first, then resets it.
 */
#include "balloon.h"

#define BALLOON_FEATURES                                                                           \
    (VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM) |                       \
     VIRTIO_BIT(VIRTIO_F_RING_PACKED) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX) |                           \
     VIRTIO_BIT(VIRTIO_BALLOON_F_MUST_TELL_HOST) | VIRTIO_BIT(VIRTIO_BALLOON_F_DEFLATE_ON_OOM))

/* START: bind the virtio core, allocate the PFN and statistics buffers, find the memory size. IRQL:
 * PASSIVE_LEVEL. */
NTSTATUS BalloonPrepareHardware(PVW_DEVICE Device, PVW_RESOURCES Resources)
{
    PBALLOON_DEVICE b = BalloonFromDevice(Device);
    NTSTATUS status;

    b->Messages = Resources->MessageBased ? Resources->MessageCount : 0;
    status = VwVirtioStart(&b->Virtio, Device, BALLOON_POOL_TAG);
    if (!NT_SUCCESS(status))
        return status;
    if (b->Virtio.Dev.device_type != VIRTIO_ID_BALLOON) {
        VwError(Device, "virtio device type %u is not a memory balloon", b->Virtio.Dev.device_type);
        status = STATUS_DEVICE_CONFIGURATION_ERROR;
        goto fail;
    }
    if (virtio_config_len(&b->Virtio.Dev) < BALLOON_CFG_ACTUAL + 4) {
        VwError(Device, "device configuration too short (%u bytes)",
                virtio_config_len(&b->Virtio.Dev));
        status = STATUS_DEVICE_CONFIGURATION_ERROR;
        goto fail;
    }
    const struct virtio_os *os = &b->Virtio.Os;
    if (os->ops->dma_alloc(os->ctx, BALLOON_CHUNK * sizeof(ULONG), 0, &b->PfnBuffer) != 0 ||
        os->ops->dma_alloc(os->ctx, BALLOON_STATS_MAX * sizeof(BALLOON_STAT), 0, &b->StatsBuffer) !=
            0) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto fail;
    }
    b->Failed = FALSE;
    b->Abandon = FALSE;
    b->Restarts = 0;
    return STATUS_SUCCESS;

fail:
    BalloonReleaseHardware(Device);
    return status;
}

/* STOP/REMOVE: return any pages left to Windows and free the buffers. IRQL: PASSIVE_LEVEL. */
VOID BalloonReleaseHardware(PVW_DEVICE Device)
{
    PBALLOON_DEVICE b = BalloonFromDevice(Device);
    const struct virtio_os *os = &b->Virtio.Os;

    /* Normally empty by now (D0Exit); after a failed power-up the pages
     * still go back to Windows. */
    BalloonFreeAll(b);
    if (b->PfnBuffer.va != NULL)
        os->ops->dma_free(os->ctx, &b->PfnBuffer);
    if (b->StatsBuffer.va != NULL)
        os->ops->dma_free(os->ctx, &b->StatsBuffer);
    b->PfnBuffer.va = NULL;
    b->StatsBuffer.va = NULL;
    VwVirtioStop(&b->Virtio);
}

/* Queue vectors: configuration changes on message 0, the queues on message
 * 1 when there are two messages, else everything on message 0. IRQL: any. */
static USHORT BalloonQueueVector(PBALLOON_DEVICE b)
{
    if (!b->Virtio.Dev.msix)
        return VIRTIO_MSI_NO_VECTOR;
    return b->Messages >= 2 ? 1 : 0;
}

/* Create the inflate, deflate and (if negotiated) statistics queues on their MSI-X vectors. IRQL:
 * PASSIVE_LEVEL. */
static int BalloonSetupQueues(PBALLOON_DEVICE b)
{
    struct virtio_device *dev = &b->Virtio.Dev;
    struct virtqueue *queues[] = {&b->Inflate, &b->Deflate, &b->Stats};
    unsigned n = b->HasStats ? 3 : 2;
    int rc;

    for (unsigned i = 0; i < n; i++) {
        struct virtio_queue_config qcfg = {
            .index = (uint16_t)i,
            .msix_vector = BalloonQueueVector(b),
        };
        rc = virtio_queue_setup(dev, queues[i], &qcfg);
        if (rc != 0) {
            while (i-- > 0)
                virtio_queue_teardown(dev, queues[i]);
            return rc;
        }
    }
    return 0;
}

/* Free the queues' memory after a reset. IRQL: PASSIVE_LEVEL. */
static VOID BalloonTeardownQueues(PBALLOON_DEVICE b)
{
    struct virtio_device *dev = &b->Virtio.Dev;

    virtio_queue_teardown(dev, &b->Inflate);
    virtio_queue_teardown(dev, &b->Deflate);
    if (b->HasStats)
        virtio_queue_teardown(dev, &b->Stats);
}

/* D0: negotiate, set up the queues, report `actual`, start the worker. IRQL: PASSIVE_LEVEL. */
NTSTATUS BalloonD0Entry(PVW_DEVICE Device, DEVICE_POWER_STATE Previous)
{
    PBALLOON_DEVICE b = BalloonFromDevice(Device);
    struct virtio_device *dev = &b->Virtio.Dev;
    uint64_t wanted = BALLOON_FEATURES, features = 0;
    KIRQL irql;
    int rc;

    (void)Previous;
    /* Statistics only when there is an honest value to report. */
    if (b->TotalPages != 0)
        wanted |= VIRTIO_BIT(VIRTIO_BALLOON_F_STATS_VQ);
    rc = virtio_negotiate(dev, wanted, &features);
    if (rc != 0)
        goto fail;
    b->TellHost = virtio_has_feature(dev, VIRTIO_BALLOON_F_MUST_TELL_HOST);
    b->HasStats = virtio_has_feature(dev, VIRTIO_BALLOON_F_STATS_VQ);
    b->OomDeflate = virtio_has_feature(dev, VIRTIO_BALLOON_F_DEFLATE_ON_OOM);
    if (dev->msix) {
        rc = virtio_set_config_vector(dev, 0);
        if (rc != 0)
            goto fail;
    }
    rc = BalloonSetupQueues(b);
    if (rc != 0)
        goto fail;
    KeAcquireSpinLock(&b->Lock, &irql);
    b->QueuesReady = TRUE;
    b->StatsPosted = FALSE;
    b->StatsUsed = FALSE;
    b->RestartNeeded = FALSE;
    KeReleaseSpinLock(&b->Lock, irql);
    rc = virtio_device_ready(dev);
    if (rc != 0)
        goto fail_queues;
    /* After a power cycle the balloon we kept is reported again. */
    b->Reported = ~0u;
    BalloonWriteActual(b);
    if (b->HasStats)
        BalloonPostStats(b);
    KeAcquireSpinLock(&b->Lock, &irql);
    b->Running = TRUE;
    BalloonQueueWorkLocked(b);
    KeReleaseSpinLock(&b->Lock, irql);
    VwInfo(Device, "ready: features 0x%llx, %lu pages in the balloon", (unsigned long long)features,
           b->Pages);
    return STATUS_SUCCESS;

fail_queues:
    KeAcquireSpinLock(&b->Lock, &irql);
    b->QueuesReady = FALSE;
    KeReleaseSpinLock(&b->Lock, irql);
    VwVirtioReset(&b->Virtio);
    BalloonTeardownQueues(b);
fail:
    VwError(Device, "initialisation failed (%d)", rc);
    virtio_device_fail(dev);
    return VwVirtioStatus(rc);
}

/* Leaving D0: stop the worker, deflate (telling the device) unless it is gone, reset. IRQL:
 * PASSIVE_LEVEL. */
NTSTATUS BalloonD0Exit(PVW_DEVICE Device, DEVICE_POWER_STATE Target)
{
    PBALLOON_DEVICE b = BalloonFromDevice(Device);
    KIRQL irql;

    /* A surprise-removed device is gone: no request can finish. */
    if (Device->PnpState == VwSurpriseRemoved) {
        KeAcquireSpinLock(&b->Lock, &irql);
        b->Abandon = TRUE;
        KeReleaseSpinLock(&b->Lock, irql);
        KeSetEvent(&b->RequestWake, IO_NO_INCREMENT, FALSE);
    }
    BalloonStopWork(b);
    if (Target == VW_POWER_DEVICE_D3_FINAL)
        BalloonDeflateAll(b);

    KeAcquireSpinLock(&b->Lock, &irql);
    b->QueuesReady = FALSE;
    b->StatsPosted = FALSE;
    KeReleaseSpinLock(&b->Lock, irql);
    VwVirtioReset(&b->Virtio);
    /* After the reset the device owns nothing: the stats buffer and a
     * request given up on come back here. */
    while (virtqueue_detach_unused(&b->Inflate) != NULL)
        ;
    while (virtqueue_detach_unused(&b->Deflate) != NULL)
        ;
    if (b->HasStats)
        while (virtqueue_detach_unused(&b->Stats) != NULL)
            ;
    BalloonTeardownQueues(b);
    if (Target == VW_POWER_DEVICE_D3_FINAL)
        BalloonFreeAll(b); /* what the device could not be told about */
    return STATUS_SUCCESS;
}

/* Claim the device's interrupts; a configuration change (a new target, or DEVICE_NEEDS_RESET) is
 * noted for the DPC, which queues the worker to re-read the target or restart. IRQL: DIRQL. */
BOOLEAN BalloonIsr(PVW_DEVICE Device, ULONG MessageId, PBOOLEAN QueueDpc)
{
    PBALLOON_DEVICE b = BalloonFromDevice(Device);

    uint8_t isr = virtio_isr_ack(&b->Virtio.Dev, (uint16_t)MessageId);
    if (isr == 0)
        return FALSE;
    if (isr & VIRTIO_PCI_ISR_CONFIG)
        InterlockedExchange(&b->ConfigEvent, 1);
    *QueueDpc = TRUE;
    return TRUE;
}

/* Drain one PFN queue: the single request in flight came back. IRQL: DISPATCH_LEVEL. */
static BOOLEAN BalloonDrain(struct virtqueue *Queue, PBOOLEAN Broken)
{
    BOOLEAN done = FALSE;
    uint32_t len;

    virtqueue_disable_cb(Queue);
    for (;;) {
        while (virtqueue_get(Queue, &len) != NULL)
            done = TRUE;
        if (virtqueue_enable_cb(Queue))
            break;
        virtqueue_disable_cb(Queue);
    }
    if (virtqueue_broken(Queue))
        *Broken = TRUE;
    return done;
}

/* Completions of the PFN and statistics queues wake their waiter; a configuration change queues the
 * worker. IRQL: DISPATCH_LEVEL. */
VOID BalloonDpc(PVW_DEVICE Device, ULONG MessageId)
{
    PBALLOON_DEVICE b = BalloonFromDevice(Device);
    BOOLEAN config, wake = FALSE, broken = FALSE;

    /* Set by the ISR for the configuration vector (message 0, which a
     * single message shares with the queues) or the line's CONFIG bit. */
    (void)MessageId;
    config = InterlockedExchange(&b->ConfigEvent, 0) != 0;
    KeAcquireSpinLockAtDpcLevel(&b->Lock);
    if (b->QueuesReady) {
        if (BalloonDrain(&b->Inflate, &broken) | BalloonDrain(&b->Deflate, &broken))
            wake = TRUE;
        if (b->HasStats && BalloonDrain(&b->Stats, &broken)) {
            b->StatsPosted = FALSE;
            b->StatsUsed = TRUE;
            BalloonQueueWorkLocked(b);
        }
        if (broken) {
            b->RequestBroken = TRUE;
            b->RestartNeeded = TRUE;
            wake = TRUE;
            BalloonQueueWorkLocked(b);
        }
        if (wake)
            b->RequestDone = TRUE;
    }
    if (config && b->Running) {
        if (virtio_device_needs_reset(&b->Virtio.Dev))
            b->RestartNeeded = TRUE;
        BalloonQueueWorkLocked(b);
    }
    KeReleaseSpinLockFromDpcLevel(&b->Lock);
    if (wake)
        KeSetEvent(&b->RequestWake, IO_NO_INCREMENT, FALSE);
}

/* Restart's callback for a request given up on: nothing to free (the pages stay in the balloon).
 * IRQL: PASSIVE_LEVEL. */
static void BalloonCancel(void *Context, struct virtqueue *Queue, void *Cookie)
{
    (void)Context;
    (void)Queue;
    (void)Cookie; /* a PFN request given up on keeps its pages in the balloon */
}

/* Re-initialise the device after NEEDS_RESET or a broken queue (work item,
 * PASSIVE_LEVEL, no request in flight).  The pages stay in the balloon and
 * `actual` is reported again.  FALSE when the balloon had to stop. IRQL: PASSIVE_LEVEL. */
BOOLEAN BalloonRestart(PBALLOON_DEVICE b)
{
    struct virtio_device *dev = &b->Virtio.Dev;
    struct virtqueue *queues[] = {&b->Inflate, &b->Deflate, &b->Stats};
    KIRQL irql;
    int rc;

    KeAcquireSpinLock(&b->Lock, &irql);
    b->QueuesReady = FALSE;
    b->StatsPosted = FALSE;
    b->RestartNeeded = FALSE;
    KeReleaseSpinLock(&b->Lock, irql);
    if (b->Restarts >= BALLOON_MAX_RESTARTS) {
        VwError(b->Device, "device failed %lu times: the balloon stops", b->Restarts);
        rc = VIRTIO_EPROTO;
        goto fail;
    }
    b->Restarts++;
    VwError(b->Device, "device needs a reset (restart %lu)", b->Restarts);
    rc = virtio_device_restart(dev, queues, b->HasStats ? 3 : 2, BalloonCancel, b);
    if (rc != 0)
        goto fail;
    KeAcquireSpinLock(&b->Lock, &irql);
    b->QueuesReady = TRUE;
    b->RequestBroken = FALSE;
    KeReleaseSpinLock(&b->Lock, irql);
    b->Reported = ~0u;
    BalloonWriteActual(b);
    if (b->HasStats)
        BalloonPostStats(b);
    return TRUE;

fail:
    KeAcquireSpinLock(&b->Lock, &irql);
    b->Failed = TRUE;
    KeReleaseSpinLock(&b->Lock, irql);
    /* A reset device owns no buffer and stays quiet, whatever it did. */
    virtio_device_reset(dev);
    virtio_device_fail(dev);
    return FALSE;
}
