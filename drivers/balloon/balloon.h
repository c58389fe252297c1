/*
 * balloon: virtio memory balloon (virtio-balloon, PCI 1AF4:1002
 * transitional, 1AF4:1045 modern; virtio spec 5.5).
 *
 * The host sets `num_pages` in the device configuration; the driver moves
 * the balloon towards it: inflating takes pages from Windows
 * (MmAllocatePagesForMdlEx) and tells the host their page frame numbers on
 * the inflate queue, deflating tells the host on the deflate queue and
 * gives the pages back (MmFreePagesFromMdl).  After each step `actual` in
 * the configuration says how many pages the balloon holds.
 *
 * All balloon work runs at PASSIVE_LEVEL in one work item (worker.c),
 * queued by the configuration-change interrupt, by a used stats buffer and
 * by a one-shot timer (retries after an allocation failure, low-memory
 * watch).  One PFN request is in flight at a time; the work item waits for
 * it, bounded.  The device is not trusted: num_pages is clamped to what the
 * guest has, every step is bounded, a broken queue or NEEDS_RESET restarts
 * the device (a bounded number of times, then the balloon stops), and a
 * request the device never finished leaves its pages in the balloon, where
 * they stay out of Windows' use until the device is stopped.
 *
 * Power: in D3 the balloon is kept (as Linux keeps it over suspend); on
 * D0 `actual` is written again and the work resumes.  STOP and REMOVE
 * deflate everything through the device first; SURPRISE_REMOVAL gives the
 * pages back without talking to the device.
 */
#pragma once
#include <wdm/virtio_wdm.h>

#include "balloon_ioctl.h"

#define BALLOON_POOL_TAG 'nlBV'

#define VIRTIO_ID_BALLOON 5

/* Feature bits (spec 5.5.3). */
#define VIRTIO_BALLOON_F_MUST_TELL_HOST 0
#define VIRTIO_BALLOON_F_STATS_VQ       1
#define VIRTIO_BALLOON_F_DEFLATE_ON_OOM 2

/* Device configuration (spec 5.5.4): little-endian even for legacy. */
#define BALLOON_CFG_NUM_PAGES 0
#define BALLOON_CFG_ACTUAL    4

/* Queues (spec 5.5.2). */
#define BALLOON_Q_INFLATE 0
#define BALLOON_Q_DEFLATE 1
#define BALLOON_Q_STATS   2

/* Memory statistics tags (spec 5.5.6.3). */
#define VIRTIO_BALLOON_S_SWAP_IN  0
#define VIRTIO_BALLOON_S_SWAP_OUT 1
#define VIRTIO_BALLOON_S_MAJFLT   2
#define VIRTIO_BALLOON_S_MINFLT   3
#define VIRTIO_BALLOON_S_MEMFREE  4
#define VIRTIO_BALLOON_S_MEMTOT   5
#define VIRTIO_BALLOON_S_AVAIL    6
#define VIRTIO_BALLOON_S_CACHES   7
/* MEMTOT and what the guest tools' service sends (balloon_ioctl.h). */
#define BALLOON_STATS_MAX (1 + BALLOON_USER_STATS_MAX)

#pragma pack(push, 1)
typedef struct _BALLOON_STAT {
    USHORT Tag;
    ULONG64 Value;
} BALLOON_STAT;
#pragma pack(pop)

/* The device counts in 4 KiB pages with 32-bit frame numbers (spec 5.5.6):
 * Windows pages are 4 KiB on x86, amd64 and arm64, and pages are taken
 * only below 16 TiB so that every frame number fits. */
#define BALLOON_PFN_SHIFT 12
#define BALLOON_MAX_PA    ((1ull << (32 + BALLOON_PFN_SHIFT)) - 1)

/* Pages per inflate/deflate request and per MDL. */
#define BALLOON_CHUNK 256
/* Steps per run, and runs per work item: more work after that resumes
 * from the timer, so a device that keeps asking (stats buffer used at
 * once, endless targets) costs bounded CPU. */
#define BALLOON_STEPS_PER_RUN 16
#define BALLOON_RUNS_PER_ITEM 4
#define BALLOON_RESUME_MS     10
/* A request the device does not finish in this time is given up. */
#define BALLOON_REQUEST_TIMEOUT_MS 2000
#define BALLOON_WAIT_SLICE_MS      100
/* Retry after an allocation failure, and the low-memory watch period. */
#define BALLOON_RETRY_MS 1000
/* Device restarts (NEEDS_RESET, broken queue) before the balloon stops. */
#define BALLOON_MAX_RESTARTS 3
/* Pages the balloon never takes: 1/16 of memory when the total is known. */
#define BALLOON_RESERVE_SHIFT 4

typedef enum _BALLOON_XFER {
    BalloonXferDone,    /* the device used the request */
    BalloonXferNotSent, /* never reached the device */
    BalloonXferLost,    /* posted, not finished (timeout, broken, removed) */
} BALLOON_XFER;

typedef struct _BALLOON_DEVICE {
    PVW_DEVICE Device;
    VW_VIRTIO Virtio;
    struct virtqueue Inflate, Deflate, Stats;
    ULONG Messages;   /* MSI-X messages assigned (0: line interrupt) */
    BOOLEAN TellHost; /* MUST_TELL_HOST negotiated */
    BOOLEAN HasStats; /* STATS_VQ negotiated */
    BOOLEAN OomDeflate;

    KSPIN_LOCK Lock;     /* everything below up to the balloon, with the DPC */
    BOOLEAN QueuesReady; /* the DPC may touch the queues */
    BOOLEAN Running;     /* D0 and DRIVER_OK: the work item may work */
    BOOLEAN Abandon;     /* surprise removal: no more device traffic */
    BOOLEAN Failed;      /* gave up on the device */
    BOOLEAN RestartNeeded;
    BOOLEAN StatsUsed;   /* the device returned the stats buffer */
    BOOLEAN StatsPosted; /* the stats buffer is in the queue */
    BOOLEAN RequestDone; /* the PFN request in flight came back */
    BOOLEAN RequestBroken;
    BOOLEAN WorkQueued, WorkRunning, WorkAgain;
    volatile LONG ConfigEvent; /* INTx ISR saw a configuration change */

    PIO_WORKITEM WorkItem;
    KEVENT WorkIdle;    /* notification: no work item queued or running */
    KEVENT RequestWake; /* synchronization: a PFN request came back */
    KTIMER Timer;
    KDPC TimerDpc;
    ULONG Restarts;

    struct virtio_dma PfnBuffer;   /* BALLOON_CHUNK 32-bit frame numbers */
    struct virtio_dma StatsBuffer; /* BALLOON_STATS_MAX tagged values */

    /* The balloon: MDLs from MmAllocatePagesForMdlEx chained through Next. */
    PMDL Chunks;
    ULONG Pages;
    ULONG Reported; /* last value written to `actual` */
    BOOLEAN CapLogged;

    /* Total memory in pages (0 = unknown), from MmGetPhysicalMemoryRangesEx2
     * when the running Windows has it (version 2004 and later). */
    PVOID RangesRoutine;
    ULONG64 TotalPages;

    /* Statistics from the guest tools' service (ioctl.c), under Lock;
     * they belong to the handle that set them and go when it closes. */
    BALLOON_STAT UserStats[BALLOON_USER_STATS_MAX];
    ULONG UserStatsCount;
    PFILE_OBJECT UserStatsFile;

    /* \KernelObjects\LowMemoryCondition */
    PKEVENT LowMemory;
    HANDLE LowMemoryHandle;
} BALLOON_DEVICE, *PBALLOON_DEVICE;

/* The balloon's state behind the framework's device header. IRQL: any. */
static inline PBALLOON_DEVICE BalloonFromDevice(PVW_DEVICE Device)
{
    return (PBALLOON_DEVICE)VwDeviceContext(Device);
}

/* device.c */
NTSTATUS BalloonPrepareHardware(PVW_DEVICE Device, PVW_RESOURCES Resources);
VOID BalloonReleaseHardware(PVW_DEVICE Device);
NTSTATUS BalloonD0Entry(PVW_DEVICE Device, DEVICE_POWER_STATE Previous);
NTSTATUS BalloonD0Exit(PVW_DEVICE Device, DEVICE_POWER_STATE Target);
BOOLEAN BalloonIsr(PVW_DEVICE Device, ULONG MessageId, PBOOLEAN QueueDpc);
VOID BalloonDpc(PVW_DEVICE Device, ULONG MessageId);
BOOLEAN BalloonRestart(PBALLOON_DEVICE Balloon);

/* worker.c */
VOID BalloonQueueWorkLocked(PBALLOON_DEVICE Balloon);
KDEFERRED_ROUTINE BalloonTimerDpc;
VOID BalloonStopWork(PBALLOON_DEVICE Balloon);
BALLOON_XFER BalloonTransfer(PBALLOON_DEVICE Balloon, struct virtqueue *Queue, ULONG Count);
VOID BalloonWriteActual(PBALLOON_DEVICE Balloon);

/* pages.c */
NTSTATUS BalloonInflateStep(PBALLOON_DEVICE Balloon, ULONG Want);
NTSTATUS BalloonDeflateStep(PBALLOON_DEVICE Balloon, ULONG Want, BOOLEAN Tell);
VOID BalloonDeflateAll(PBALLOON_DEVICE Balloon);
VOID BalloonFreeAll(PBALLOON_DEVICE Balloon);

/* stats.c */
VOID BalloonFindMemorySize(PBALLOON_DEVICE Balloon);
VOID BalloonPostStats(PBALLOON_DEVICE Balloon);

/* ioctl.c */
DRIVER_DISPATCH BalloonDispatchCreateClose;
DRIVER_DISPATCH BalloonDispatchCleanup;
DRIVER_DISPATCH BalloonDispatchIoctl;
