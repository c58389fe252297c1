/*
 * balloon: statistics from the guest tools' service (balloon_ioctl.h).
 * User mode is not trusted: the request's size, every tag and every value
 * are checked before anything is kept, and a refused request changes
 * nothing.
 */
#include "balloon.h"

/* Whether the service may send this tag, and whether its value is bytes
 * of memory (bounded by the total). IRQL: any. */
static BOOLEAN BalloonUserTag(USHORT Tag, PBOOLEAN Memory)
{
    switch (Tag) {
    case VIRTIO_BALLOON_S_SWAP_IN:
    case VIRTIO_BALLOON_S_SWAP_OUT:
    case VIRTIO_BALLOON_S_MAJFLT:
    case VIRTIO_BALLOON_S_MINFLT:
        *Memory = FALSE;
        return TRUE;
    case VIRTIO_BALLOON_S_MEMFREE:
    case VIRTIO_BALLOON_S_AVAIL:
    case VIRTIO_BALLOON_S_CACHES:
        *Memory = TRUE;
        return TRUE;
    default:
        return FALSE;
    }
}

/* Checks the service's figures. IRQL: PASSIVE_LEVEL. */
static NTSTATUS BalloonCheckUserStats(PBALLOON_DEVICE b, const BALLOON_STAT *Stats, ULONG Count)
{
    ULONG seen = 0;
    ULONG64 total = b->TotalPages << PAGE_SHIFT;

    for (ULONG i = 0; i < Count; i++) {
        BOOLEAN memory;
        if (!BalloonUserTag(Stats[i].Tag, &memory)) {
            VwError(b->Device, "statistics: tag %u refused", Stats[i].Tag);
            return STATUS_INVALID_PARAMETER;
        }
        if (seen & (1u << Stats[i].Tag)) {
            VwError(b->Device, "statistics: tag %u given twice", Stats[i].Tag);
            return STATUS_INVALID_PARAMETER;
        }
        seen |= 1u << Stats[i].Tag;
        if (memory && total != 0 && Stats[i].Value > total) {
            VwError(b->Device, "statistics: tag %u above the total memory", Stats[i].Tag);
            return STATUS_INVALID_PARAMETER;
        }
    }
    return STATUS_SUCCESS;
}

/* IRP_MJ_DEVICE_CONTROL: IOCTL_BALLOON_SET_STATS. IRQL: PASSIVE_LEVEL. */
NTSTATUS NTAPI BalloonDispatchIoctl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PVW_DEVICE device = VwDeviceFromObject(DeviceObject);
    PBALLOON_DEVICE b = BalloonFromDevice(device);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG len = stack->Parameters.DeviceIoControl.InputBufferLength;
    BALLOON_STAT stats[BALLOON_USER_STATS_MAX];
    KIRQL irql;

    if (stack->Parameters.DeviceIoControl.IoControlCode != IOCTL_BALLOON_SET_STATS)
        return VwCompleteRequest(device, Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    if (len == 0 || len % sizeof(BALLOON_STAT) != 0 || len > sizeof(stats) ||
        Irp->AssociatedIrp.SystemBuffer == NULL)
        return VwCompleteRequest(device, Irp, STATUS_INVALID_PARAMETER, 0);
    /* One copy out of the request: what is checked is what is kept. */
    RtlCopyMemory(stats, Irp->AssociatedIrp.SystemBuffer, len);
    ULONG count = len / sizeof(BALLOON_STAT);
    NTSTATUS status = BalloonCheckUserStats(b, stats, count);
    if (NT_SUCCESS(status)) {
        KeAcquireSpinLock(&b->Lock, &irql);
        RtlCopyMemory(b->UserStats, stats, len);
        b->UserStatsCount = count;
        b->UserStatsFile = stack->FileObject;
        KeReleaseSpinLock(&b->Lock, irql);
    }
    return VwCompleteRequest(device, Irp, status, 0);
}

/* IRP_MJ_CREATE, IRP_MJ_CLOSE: nothing to do. IRQL: PASSIVE_LEVEL. */
NTSTATUS NTAPI BalloonDispatchCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    return VwCompleteRequest(VwDeviceFromObject(DeviceObject), Irp, STATUS_SUCCESS, 0);
}

/* IRP_MJ_CLEANUP (PASSIVE_LEVEL): the service's handle closed, so its
 * figures go; the driver reports MEMTOT alone again. IRQL: PASSIVE_LEVEL. */
NTSTATUS NTAPI BalloonDispatchCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PVW_DEVICE device = VwDeviceFromObject(DeviceObject);
    PBALLOON_DEVICE b = BalloonFromDevice(device);
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    KIRQL irql;

    KeAcquireSpinLock(&b->Lock, &irql);
    if (file != NULL && file == b->UserStatsFile) {
        b->UserStatsCount = 0;
        b->UserStatsFile = NULL;
    }
    KeReleaseSpinLock(&b->Lock, irql);
    return VwCompleteRequest(device, Irp, STATUS_SUCCESS, 0);
}
