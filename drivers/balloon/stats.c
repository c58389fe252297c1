/*
 * balloon: memory statistics for the stats queue (spec 5.5.6.3): MEMTOT
 * gathered in the kernel, the rest from the guest tools' service if one
 * runs (ioctl.c).
 *
 * Only values a documented kernel interface gives are reported:
 *   MEMTOT  total memory, the sum of MmGetPhysicalMemoryRangesEx2's ranges
 *           (Windows 10 2004 and later, found with MmGetSystemRoutineAddress
 *           so that the driver still loads on 1507).
 * Free and available memory have no documented kernel source (the
 * ZwQuerySystemInformation classes that carry them are undocumented), so
 * they are not reported by the driver itself; the guest tools' service
 * may add them, and the other statistics Windows gives, through
 * IOCTL_BALLOON_SET_STATS (ioctl.c).  Without MEMTOT the driver does not
 * offer to negotiate STATS_VQ at all.
 *
 * Protocol (spec 5.5.6.3.1): the driver keeps one buffer in the queue;
 * when the device uses it, the work item refreshes it and adds it again.
 */
#include "balloon.h"

typedef PPHYSICAL_MEMORY_RANGE NTAPI BALLOON_RANGES_FN(PVOID PartitionObject, ULONG Flags);

/* Ranges are bounded: a sane system has a few dozen. */
#define BALLOON_MAX_RANGES 4096

/* Pages of physical memory, from MmGetPhysicalMemoryRangesEx2 when the kernel has it. IRQL:
 * PASSIVE_LEVEL. */
static ULONG64 BalloonCountPages(PBALLOON_DEVICE b)
{
    BALLOON_RANGES_FN *ranges = (BALLOON_RANGES_FN *)b->RangesRoutine;
    ULONG64 pages = 0;

    if (ranges == NULL)
        return 0;
    PPHYSICAL_MEMORY_RANGE r = ranges(NULL, 0);
    if (r == NULL)
        return 0;
    for (ULONG i = 0; i < BALLOON_MAX_RANGES; i++) {
        if (r[i].BaseAddress.QuadPart == 0 && r[i].NumberOfBytes.QuadPart == 0)
            break;
        if (r[i].NumberOfBytes.QuadPart > 0)
            pages += (ULONG64)r[i].NumberOfBytes.QuadPart >> PAGE_SHIFT;
    }
    ExFreePool(r);
    return pages;
}

/* Find how much memory the guest has (the target's bound and MEMTOT). IRQL: PASSIVE_LEVEL. */
VOID BalloonFindMemorySize(PBALLOON_DEVICE b)
{
    UNICODE_STRING name;

    RtlInitUnicodeString(&name, L"MmGetPhysicalMemoryRangesEx2");
    b->RangesRoutine = MmGetSystemRoutineAddress(&name);
    b->TotalPages = BalloonCountPages(b);
    if (b->TotalPages == 0)
        VwInfo(b->Device, "total memory unknown: no statistics, no cap on the balloon");
}

/* Fill the statistics buffer (MEMTOT and the service's figures) and give it to the device. IRQL:
 * PASSIVE_LEVEL. */
VOID BalloonPostStats(PBALLOON_DEVICE b)
{
    BALLOON_STAT *stats = b->StatsBuffer.va;
    ULONG n = 0;
    BOOLEAN kick = FALSE;
    KIRQL irql;
    int rc;

    BALLOON_STAT user[BALLOON_USER_STATS_MAX];
    ULONG users;

    ULONG64 pages = BalloonCountPages(b);
    if (pages != 0)
        b->TotalPages = pages; /* memory may have been hot-added */
    stats[n].Tag = VIRTIO_BALLOON_S_MEMTOT;
    stats[n].Value = b->TotalPages << PAGE_SHIFT;
    n++;
    /* The service's figures, as they were when it last sent them. */
    KeAcquireSpinLock(&b->Lock, &irql);
    users = b->UserStatsCount;
    RtlCopyMemory(user, b->UserStats, users * sizeof(BALLOON_STAT));
    KeReleaseSpinLock(&b->Lock, irql);
    for (ULONG i = 0; i < users && n < BALLOON_STATS_MAX; i++)
        stats[n++] = user[i];

    struct virtqueue_sg sg = {.addr = b->StatsBuffer.pa, .len = n * sizeof(BALLOON_STAT)};
    KeAcquireSpinLock(&b->Lock, &irql);
    if (!b->QueuesReady || b->StatsPosted) {
        KeReleaseSpinLock(&b->Lock, irql);
        return;
    }
    rc = virtqueue_add(&b->Stats, &sg, 1, 0, b);
    if (rc == 0) {
        b->StatsPosted = TRUE;
        kick = virtqueue_kick_prepare(&b->Stats);
    }
    KeReleaseSpinLock(&b->Lock, irql);
    if (kick)
        virtqueue_notify(&b->Stats);
}
