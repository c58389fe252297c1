/*
 * Test driver for the block scenarios (the in-process model and the
 * vhost-user tier): the smallest virtio-blk driver on the WDM framework and
 * the virtio core.  It negotiates what the device offers of packed rings,
 * EVENT_IDX and multiqueue (up to VBLK_MAX_QUEUES, one MSI-X message each);
 * a request goes to queue sector % queues, one at a time per queue through
 * the queue's common buffer.  Buffered IOCTLs:
 *   VBLK_IOCTL_READ   in: ULONGLONG sector          out: 512 bytes
 *   VBLK_IOCTL_WRITE  in: ULONGLONG sector + 512 bytes
 *   VBLK_IOCTL_INFO   out: VBLK_INFO (negotiated features, requests per queue)
 */
#include <wdm/virtio_wdm.h>

#define VBLK_TAG           'lbWV'
#define VBLK_IOCTL_READ    CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define VBLK_IOCTL_WRITE   CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define VBLK_IOCTL_INFO    CTL_CODE(FILE_DEVICE_UNKNOWN, 0x803, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define VBLK_MAX_QUEUES    4
#define VIRTIO_BLK_F_MQ    12
#define BLK_CFG_NUM_QUEUES 34 /* le16 num_queues in virtio_blk_config */
#define SECTOR             512
#define HDR_OFF            0
#define DATA_OFF           512
#define STATUS_OFF         1024
#define VIRTIO_BLK_T_IN    0
#define VIRTIO_BLK_T_OUT   1

typedef struct _VBLK_INFO {
    ULONGLONG Features;
    ULONG Queues;
    ULONG Completed[VBLK_MAX_QUEUES];
} VBLK_INFO;

typedef struct _VBLK_QUEUE {
    struct virtqueue Queue;
    struct virtio_dma Buffer;
    KEVENT Done;
    ULONG Completed;
} VBLK_QUEUE;

typedef struct _VBLK {
    VW_VIRTIO Virtio;
    VBLK_QUEUE Q[VBLK_MAX_QUEUES];
    ULONG Queues;    /* set up (0 while the device is not in D0) */
    ULONG MaxQueues; /* buffers allocated */
    ULONGLONG Features;
    KSPIN_LOCK Lock;
} VBLK, *PVBLK;

static PVBLK VblkFrom(PVW_DEVICE Device)
{
    return (PVBLK)VwDeviceContext(Device);
}

static NTSTATUS VblkAddDevice(PVW_DEVICE Device)
{
    PVBLK b = VblkFrom(Device);
    KeInitializeSpinLock(&b->Lock);
    for (ULONG i = 0; i < VBLK_MAX_QUEUES; i++)
        KeInitializeEvent(&b->Q[i].Done, NotificationEvent, FALSE);
    return STATUS_SUCCESS;
}

static VOID VblkReleaseHardware(PVW_DEVICE Device);

static NTSTATUS VblkPrepareHardware(PVW_DEVICE Device, PVW_RESOURCES Resources)
{
    PVBLK b = VblkFrom(Device);
    NTSTATUS status = VwVirtioStart(&b->Virtio, Device, VBLK_TAG);
    if (!NT_SUCCESS(status))
        return status;
    /* One message per queue when MSI-X gives enough, else one queue. */
    b->MaxQueues = 1;
    if (b->Virtio.Dev.msix && Resources->MessageCount > 1)
        b->MaxQueues =
            Resources->MessageCount < VBLK_MAX_QUEUES ? Resources->MessageCount : VBLK_MAX_QUEUES;
    const struct virtio_os *os = &b->Virtio.Os;
    for (ULONG i = 0; i < b->MaxQueues; i++)
        if (os->ops->dma_alloc(os->ctx, 4096, 0, &b->Q[i].Buffer) != 0) {
            VblkReleaseHardware(Device);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
    return STATUS_SUCCESS;
}

static VOID VblkReleaseHardware(PVW_DEVICE Device)
{
    PVBLK b = VblkFrom(Device);
    const struct virtio_os *os = &b->Virtio.Os;
    for (ULONG i = 0; i < VBLK_MAX_QUEUES; i++)
        if (b->Q[i].Buffer.va != NULL) {
            os->ops->dma_free(os->ctx, &b->Q[i].Buffer);
            b->Q[i].Buffer.va = NULL;
        }
    VwVirtioStop(&b->Virtio);
}

static NTSTATUS VblkD0Exit(PVW_DEVICE Device, DEVICE_POWER_STATE Target)
{
    PVBLK b = VblkFrom(Device);
    KIRQL irql;
    (void)Target;
    KeAcquireSpinLock(&b->Lock, &irql);
    ULONG had = b->Queues;
    b->Queues = 0;
    KeReleaseSpinLock(&b->Lock, irql);
    VwVirtioReset(&b->Virtio);
    for (ULONG i = 0; i < had; i++) {
        while (virtqueue_detach_unused(&b->Q[i].Queue) != NULL)
            ;
        virtio_queue_teardown(&b->Virtio.Dev, &b->Q[i].Queue);
    }
    return STATUS_SUCCESS;
}

static NTSTATUS VblkD0Entry(PVW_DEVICE Device, DEVICE_POWER_STATE Previous)
{
    PVBLK b = VblkFrom(Device);
    struct virtio_device *dev = &b->Virtio.Dev;
    uint64_t features;
    KIRQL irql;
    (void)Previous;
    ULONG queues = 1, ready = 0;
    int rc = virtio_negotiate(dev,
                              VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_RING_PACKED) |
                                  VIRTIO_BIT(VIRTIO_F_EVENT_IDX) | VIRTIO_BIT(VIRTIO_BLK_F_MQ),
                              &features);
    if (rc == 0 && (features & VIRTIO_BIT(VIRTIO_BLK_F_MQ))) {
        uint16_t n = 0; /* device-supplied: bounded by what was allocated */
        rc = virtio_config_read(dev, BLK_CFG_NUM_QUEUES, &n, 2);
        queues = n == 0 ? 1 : n < b->MaxQueues ? n : b->MaxQueues;
    }
    if (rc == 0 && dev->msix)
        rc = virtio_set_config_vector(dev, VIRTIO_MSI_NO_VECTOR);
    for (; rc == 0 && ready < queues; ready++) {
        struct virtio_queue_config qcfg = {.index = (uint16_t)ready,
                                           .msix_vector =
                                               dev->msix ? (uint16_t)ready : VIRTIO_MSI_NO_VECTOR};
        rc = virtio_queue_setup(dev, &b->Q[ready].Queue, &qcfg);
        if (rc != 0)
            break;
    }
    if (rc != 0)
        for (ULONG i = 0; i < ready; i++)
            virtio_queue_teardown(dev, &b->Q[i].Queue);
    if (rc == 0) {
        KeAcquireSpinLock(&b->Lock, &irql);
        b->Queues = queues;
        b->Features = features;
        KeReleaseSpinLock(&b->Lock, irql);
        rc = virtio_device_ready(dev);
        if (rc != 0)
            VblkD0Exit(Device, PowerDeviceD3);
    }
    if (rc != 0)
        virtio_device_fail(dev);
    return VwVirtioStatus(rc);
}

static BOOLEAN VblkIsr(PVW_DEVICE Device, ULONG MessageId, PBOOLEAN QueueDpc)
{
    PVBLK b = VblkFrom(Device);
    (void)MessageId;
    if (!b->Virtio.Dev.msix && virtio_isr_read(&b->Virtio.Dev) == 0)
        return FALSE;
    *QueueDpc = TRUE;
    return TRUE;
}

/* Completions of the message's queue (every queue with a line); DISPATCH_LEVEL. */
static VOID VblkDpc(PVW_DEVICE Device, ULONG MessageId)
{
    PVBLK b = VblkFrom(Device);
    uint32_t len;
    BOOLEAN done[VBLK_MAX_QUEUES] = {FALSE};
    KeAcquireSpinLockAtDpcLevel(&b->Lock);
    for (ULONG i = 0; i < b->Queues; i++) {
        if (b->Virtio.Dev.msix && i != MessageId)
            continue;
        /* Re-armed and looked at again: a completion that raced the
         * re-arm is not left waiting for an interrupt that never comes. */
        struct virtqueue *vq = &b->Q[i].Queue;
        virtqueue_disable_cb(vq);
        for (;;) {
            while (virtqueue_get(vq, &len) != NULL) {
                b->Q[i].Completed++;
                done[i] = TRUE;
            }
            if (virtqueue_enable_cb(vq))
                break;
            virtqueue_disable_cb(vq);
        }
    }
    KeReleaseSpinLockFromDpcLevel(&b->Lock);
    for (ULONG i = 0; i < VBLK_MAX_QUEUES; i++)
        if (done[i])
            KeSetEvent(&b->Q[i].Done, IO_NO_INCREMENT, FALSE);
}

/* One request on queue Q: header, data, status; PASSIVE_LEVEL.  Requests
 * come one at a time (the scenarios' IOCTLs are synchronous). */
static NTSTATUS VblkRequest(PVBLK b, ULONG Q, ULONG Type, ULONGLONG Sector)
{
    VBLK_QUEUE *q = &b->Q[Q];
    PUCHAR buf = (PUCHAR)q->Buffer.va;
    LARGE_INTEGER timeout = {.QuadPart = -50000000LL};
    struct virtqueue_sg sg[3] = {{q->Buffer.pa + HDR_OFF, 16},
                                 {q->Buffer.pa + DATA_OFF, SECTOR},
                                 {q->Buffer.pa + STATUS_OFF, 1}};
    KIRQL irql;
    BOOLEAN kick = FALSE;
    int rc = VIRTIO_ENODEV;

    if (buf == NULL)
        return STATUS_DEVICE_NOT_READY;
    *(PULONG)(buf + HDR_OFF) = Type;
    *(PULONG)(buf + HDR_OFF + 4) = 0;
    *(PULONGLONG)(buf + HDR_OFF + 8) = Sector;
    buf[STATUS_OFF] = 0xff;
    KeClearEvent(&q->Done);
    KeAcquireSpinLock(&b->Lock, &irql);
    if (Q < b->Queues) {
        rc = virtqueue_add(&q->Queue, sg, Type == VIRTIO_BLK_T_OUT ? 2 : 1,
                           Type == VIRTIO_BLK_T_OUT ? 1 : 2, b);
        kick = rc == 0 && virtqueue_kick_prepare(&q->Queue);
    }
    KeReleaseSpinLock(&b->Lock, irql);
    if (rc != 0)
        return VwVirtioStatus(rc);
    if (kick)
        virtqueue_notify(&q->Queue);
    if (KeWaitForSingleObject(&q->Done, Executive, KernelMode, FALSE, &timeout) != STATUS_SUCCESS)
        return STATUS_IO_TIMEOUT;
    return buf[STATUS_OFF] == 0 ? STATUS_SUCCESS : STATUS_IO_DEVICE_ERROR;
}

static NTSTATUS NTAPI VblkIoctl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PVW_DEVICE device = VwDeviceFromObject(DeviceObject);
    PVBLK b = VblkFrom(device);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG code = stack->Parameters.DeviceIoControl.IoControlCode;
    ULONG in = stack->Parameters.DeviceIoControl.InputBufferLength;
    ULONG out = stack->Parameters.DeviceIoControl.OutputBufferLength;
    PUCHAR sys = (PUCHAR)Irp->AssociatedIrp.SystemBuffer;
    ULONGLONG sector = 0;
    NTSTATUS status;
    ULONG queues = b->Queues;

    if (in >= 8)
        RtlCopyMemory(&sector, sys, 8);
    ULONG q = queues ? (ULONG)(sector % queues) : 0;
    if (code == VBLK_IOCTL_READ && in >= 8 && out >= SECTOR) {
        status = VblkRequest(b, q, VIRTIO_BLK_T_IN, sector);
        if (NT_SUCCESS(status))
            RtlCopyMemory(sys, (PUCHAR)b->Q[q].Buffer.va + DATA_OFF, SECTOR);
        return VwCompleteRequest(device, Irp, status, NT_SUCCESS(status) ? SECTOR : 0);
    }
    if (code == VBLK_IOCTL_WRITE && in >= 8 + SECTOR && b->Q[q].Buffer.va != NULL) {
        RtlCopyMemory((PUCHAR)b->Q[q].Buffer.va + DATA_OFF, sys + 8, SECTOR);
        status = VblkRequest(b, q, VIRTIO_BLK_T_OUT, sector);
        return VwCompleteRequest(device, Irp, status, 0);
    }
    if (code == VBLK_IOCTL_INFO && out >= sizeof(VBLK_INFO)) {
        VBLK_INFO info = {.Features = b->Features, .Queues = queues};
        for (ULONG i = 0; i < VBLK_MAX_QUEUES; i++)
            info.Completed[i] = b->Q[i].Completed;
        RtlCopyMemory(sys, &info, sizeof(info));
        return VwCompleteRequest(device, Irp, STATUS_SUCCESS, sizeof(info));
    }
    return VwCompleteRequest(device, Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
}

static NTSTATUS NTAPI VblkCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    return VwCompleteRequest(VwDeviceFromObject(DeviceObject), Irp, STATUS_SUCCESS, 0);
}

static const VW_DRIVER_CONFIG VblkConfig = {
    .Name = "vblk",
    .PoolTag = VBLK_TAG,
    .ContextSize = sizeof(VBLK),
    .DeviceType = FILE_DEVICE_UNKNOWN,
    .DeviceFlags = DO_BUFFERED_IO,
    .AddDevice = VblkAddDevice,
    .PrepareHardware = VblkPrepareHardware,
    .ReleaseHardware = VblkReleaseHardware,
    .D0Entry = VblkD0Entry,
    .D0Exit = VblkD0Exit,
    .Isr = VblkIsr,
    .Dpc = VblkDpc,
    .Dispatch =
        {
            [IRP_MJ_CREATE] = VblkCreateClose,
            [IRP_MJ_CLOSE] = VblkCreateClose,
            [IRP_MJ_DEVICE_CONTROL] = VblkIoctl,
        },
};

DRIVER_INITIALIZE DriverEntry;

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    return VwDriverInitialize(DriverObject, &VblkConfig);
}
