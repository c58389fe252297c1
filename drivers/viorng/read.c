/*
 * viorng: serving reads (ReadFile and IOCTL_VIORNG_READ).
 *
 * One read at a time owns the bounce buffer: it posts the buffer, kicks the
 * device and waits, bounded, for the DPC.  A device that does not answer in
 * time, or that broke the ring protocol, is restarted (reset, renegotiate,
 * fresh ring) and the read fails; the next read may succeed.
 */
#include "viorng.h"

/* Restart's callback for the request given up on: the reader itself, nothing to free. IRQL:
 * PASSIVE_LEVEL. */
static void ViorngCancel(void *ctx, struct virtqueue *vq, void *cookie)
{
    (void)ctx;
    (void)vq;
    (void)cookie; /* the only request is the reader that is restarting */
}

/* PASSIVE_LEVEL, holding RequestLock.  Under StateLock: a D3 (or, without
 * the framework's rundown, a STOP) on another thread takes the device down
 * and releases its registers and buffers; deciding and rebuilding under
 * the same lock as D0Exit/ReleaseHardware means the restart either comes
 * first (and the power-down takes the restarted device down) or finds the
 * queue gone and leaves the device to the next D0Entry. IRQL: PASSIVE_LEVEL. */
static VOID ViorngRestart(PVW_DEVICE Device)
{
    PVIORNG_DEVICE rng = ViorngFromDevice(Device);
    struct virtqueue *queues[] = {&rng->Queue};
    KIRQL irql;

    ViorngLock(&rng->StateLock);
    KeAcquireSpinLock(&rng->Lock, &irql);
    BOOLEAN hadQueue = rng->QueueReady;
    rng->Ready = FALSE;
    rng->QueueReady = FALSE;  /* keeps the DPC away while the ring is rebuilt */
    rng->ResetNeeded = FALSE; /* the restart is the reset it asked for */
    KeReleaseSpinLock(&rng->Lock, irql);
    if (!hadQueue)
        goto out;

    int rc = virtio_device_restart(&rng->Virtio.Dev, queues, 1, ViorngCancel, rng);
    if (rc != 0) {
        VwError(Device, "restart failed (%d): reads fail until the device restarts", rc);
        virtio_device_fail(&rng->Virtio.Dev);
        /* The queue memory is freed by D0Exit/teardown: mark it as ours. */
        KeAcquireSpinLock(&rng->Lock, &irql);
        rng->QueueReady = TRUE;
        KeReleaseSpinLock(&rng->Lock, irql);
        goto out;
    }
    KeAcquireSpinLock(&rng->Lock, &irql);
    rng->QueueReady = TRUE;
    rng->Ready = TRUE;
    KeReleaseSpinLock(&rng->Lock, irql);
out:
    ViorngUnlock(&rng->StateLock);
}

/* One request: post the buffer and wait, bounded, for the device.  *Reset
 * says the device asked for a reset instead of answering (RequestLock held).
 * IRQL: PASSIVE_LEVEL. */
static NTSTATUS ViorngReadOnce(PVW_DEVICE Device, PVOID Out, ULONG Size, PULONG Written,
                               PBOOLEAN Reset)
{
    PVIORNG_DEVICE rng = ViorngFromDevice(Device);
    LARGE_INTEGER timeout = {.QuadPart = -(LONGLONG)VIORNG_TIMEOUT_MS * 10000};
    struct virtqueue_sg sg = {.addr = rng->Buffer.pa, .len = Size};
    NTSTATUS status;
    KIRQL irql;
    BOOLEAN notify = FALSE;
    int rc;

    *Reset = FALSE;
    KeClearEvent(&rng->Completed);
    rng->CompletedLength = 0;
    rng->CompletedBroken = FALSE;
    KeAcquireSpinLock(&rng->Lock, &irql);
    if (!rng->Ready) {
        rc = VIRTIO_ENODEV;
    } else {
        rc = virtqueue_add(&rng->Queue, &sg, 0, 1, rng);
        notify = rc == 0 && virtqueue_kick_prepare(&rng->Queue);
    }
    KeReleaseSpinLock(&rng->Lock, irql);
    if (rc != 0)
        return rc == VIRTIO_ENODEV ? STATUS_DEVICE_NOT_READY : VwVirtioStatus(rc);
    if (notify)
        virtqueue_notify(&rng->Queue);

    /* Woken early by a STOP or removal (VwWaitInRequest): the buffer stays
     * posted; D0Exit resets the device, which gives it back. */
    status = VwWaitInRequest(Device, &rng->Completed, &timeout);
    KeAcquireSpinLock(&rng->Lock, &irql);
    *Reset = NT_SUCCESS(status) && rng->ResetNeeded;
    KeReleaseSpinLock(&rng->Lock, irql);
    if (status == STATUS_TIMEOUT) {
        VwError(Device, "no answer in %u ms: restarting the device", VIORNG_TIMEOUT_MS);
        ViorngRestart(Device);
        return STATUS_IO_TIMEOUT;
    }
    if (!NT_SUCCESS(status))
        return status; /* the gate's: STATUS_DEVICE_NOT_READY or STATUS_DELETE_PENDING */
    if (*Reset) {
        VwError(Device, "the device needs a reset: restarting it");
        ViorngRestart(Device);
        return STATUS_IO_DEVICE_ERROR;
    }
    if (rng->CompletedBroken) {
        ViorngRestart(Device);
        return STATUS_DEVICE_PROTOCOL_ERROR;
    }
    /* The core guarantees CompletedLength <= size (posted writable). */
    RtlCopyMemory(Out, rng->Buffer.va, rng->CompletedLength);
    *Written = rng->CompletedLength;
    return STATUS_SUCCESS;
}

/* Fill Out with up to VIORNG_MAX_READ random bytes from the device, waiting bounded, restarting a
 * broken device; a device that asked for a reset is restarted and asked once more. IRQL:
 * PASSIVE_LEVEL. */
static NTSTATUS ViorngRead(PVW_DEVICE Device, PVOID Out, ULONG Length, PULONG Written)
{
    PVIORNG_DEVICE rng = ViorngFromDevice(Device);
    ULONG size = Length < VIORNG_MAX_READ ? Length : VIORNG_MAX_READ;
    NTSTATUS status = STATUS_SUCCESS;
    BOOLEAN reset = FALSE;
    KIRQL irql;

    *Written = 0;
    if (size == 0)
        return STATUS_SUCCESS;
    ViorngLock(&rng->RequestLock);
    /* NEEDS_RESET announced while no read waited: a fresh device first. */
    KeAcquireSpinLock(&rng->Lock, &irql);
    BOOLEAN pending = rng->ResetNeeded && rng->Ready;
    KeReleaseSpinLock(&rng->Lock, irql);
    if (pending)
        ViorngRestart(Device);
    for (ULONG attempt = 0; attempt < 2; attempt++) {
        status = ViorngReadOnce(Device, Out, size, Written, &reset);
        if (!reset)
            break;
    }
    ViorngUnlock(&rng->RequestLock);
    return status;
}

/* IRP_MJ_READ: random bytes into the buffered I/O buffer. IRQL: PASSIVE_LEVEL. */
NTSTATUS NTAPI ViorngDispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PVW_DEVICE device = VwDeviceFromObject(DeviceObject);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG written = 0;

    NTSTATUS status = ViorngRead(device, Irp->AssociatedIrp.SystemBuffer,
                                 stack->Parameters.Read.Length, &written);
    return VwCompleteRequest(device, Irp, status, written);
}

/* IOCTL_VIORNG_READ: random bytes for the CNG provider. IRQL: PASSIVE_LEVEL. */
NTSTATUS NTAPI ViorngDispatchIoctl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PVW_DEVICE device = VwDeviceFromObject(DeviceObject);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG written = 0;
    NTSTATUS status;

    if (stack->Parameters.DeviceIoControl.IoControlCode != IOCTL_VIORNG_READ)
        return VwCompleteRequest(device, Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    status = ViorngRead(device, Irp->AssociatedIrp.SystemBuffer,
                        stack->Parameters.DeviceIoControl.OutputBufferLength, &written);
    return VwCompleteRequest(device, Irp, status, written);
}

/* IRP_MJ_CREATE and IRP_MJ_CLOSE: nothing to do. IRQL: PASSIVE_LEVEL. */
NTSTATUS NTAPI ViorngDispatchCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    return VwCompleteRequest(VwDeviceFromObject(DeviceObject), Irp, STATUS_SUCCESS, 0);
}
