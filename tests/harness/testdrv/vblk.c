/*
 * Test driver for the vhost-user tier: the smallest virtio-blk driver on the
 * WDM framework and the virtio core.  One request at a time through one
 * common buffer; sectors are read and written with two buffered IOCTLs:
 *   VBLK_IOCTL_READ   in: ULONGLONG sector          out: 512 bytes
 *   VBLK_IOCTL_WRITE  in: ULONGLONG sector + 512 bytes
 */
#include <wdm/virtio_wdm.h>

#define VBLK_TAG         'lbWV'
#define VBLK_IOCTL_READ  CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define VBLK_IOCTL_WRITE CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define SECTOR           512
#define HDR_OFF          0
#define DATA_OFF         512
#define STATUS_OFF       1024
#define VIRTIO_BLK_T_IN  0
#define VIRTIO_BLK_T_OUT 1

typedef struct _VBLK {
    VW_VIRTIO Virtio;
    struct virtqueue Queue;
    BOOLEAN QueueReady;
    struct virtio_dma Buffer;
    KSPIN_LOCK Lock;
    KEVENT Done;
    ULONG DoneLength;
} VBLK, *PVBLK;

static PVBLK VblkFrom(PVW_DEVICE Device)
{
    return (PVBLK)VwDeviceContext(Device);
}

static NTSTATUS VblkAddDevice(PVW_DEVICE Device)
{
    PVBLK b = VblkFrom(Device);
    KeInitializeSpinLock(&b->Lock);
    KeInitializeEvent(&b->Done, NotificationEvent, FALSE);
    return STATUS_SUCCESS;
}

static NTSTATUS VblkPrepareHardware(PVW_DEVICE Device, PVW_RESOURCES Resources)
{
    PVBLK b = VblkFrom(Device);
    (void)Resources;
    NTSTATUS status = VwVirtioStart(&b->Virtio, Device, VBLK_TAG);
    if (!NT_SUCCESS(status))
        return status;
    const struct virtio_os *os = &b->Virtio.Os;
    if (os->ops->dma_alloc(os->ctx, 4096, 0, &b->Buffer) != 0) {
        VwVirtioStop(&b->Virtio);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    return STATUS_SUCCESS;
}

static VOID VblkReleaseHardware(PVW_DEVICE Device)
{
    PVBLK b = VblkFrom(Device);
    const struct virtio_os *os = &b->Virtio.Os;
    if (b->Buffer.va != NULL)
        os->ops->dma_free(os->ctx, &b->Buffer);
    VwVirtioStop(&b->Virtio);
}

static NTSTATUS VblkD0Exit(PVW_DEVICE Device, DEVICE_POWER_STATE Target)
{
    PVBLK b = VblkFrom(Device);
    KIRQL irql;
    (void)Target;
    KeAcquireSpinLock(&b->Lock, &irql);
    BOOLEAN had = b->QueueReady;
    b->QueueReady = FALSE;
    KeReleaseSpinLock(&b->Lock, irql);
    VwVirtioReset(&b->Virtio);
    if (had) {
        while (virtqueue_detach_unused(&b->Queue) != NULL)
            ;
        virtio_queue_teardown(&b->Virtio.Dev, &b->Queue);
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
    int rc = virtio_negotiate(dev, VIRTIO_BIT(VIRTIO_F_VERSION_1), &features);
    if (rc == 0 && dev->msix)
        rc = virtio_set_config_vector(dev, VIRTIO_MSI_NO_VECTOR);
    struct virtio_queue_config qcfg = {.index = 0,
                                       .msix_vector = dev->msix ? 0 : VIRTIO_MSI_NO_VECTOR};
    if (rc == 0)
        rc = virtio_queue_setup(dev, &b->Queue, &qcfg);
    if (rc == 0) {
        KeAcquireSpinLock(&b->Lock, &irql);
        b->QueueReady = TRUE;
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

static VOID VblkDpc(PVW_DEVICE Device, ULONG MessageId)
{
    PVBLK b = VblkFrom(Device);
    uint32_t len;
    BOOLEAN done = FALSE;
    (void)MessageId;
    KeAcquireSpinLockAtDpcLevel(&b->Lock);
    if (b->QueueReady)
        while (virtqueue_get(&b->Queue, &len) != NULL) {
            b->DoneLength = len;
            done = TRUE;
        }
    KeReleaseSpinLockFromDpcLevel(&b->Lock);
    if (done)
        KeSetEvent(&b->Done, IO_NO_INCREMENT, FALSE);
}

/* One request: header, data, status; PASSIVE_LEVEL. */
static NTSTATUS VblkRequest(PVBLK b, ULONG Type, ULONGLONG Sector)
{
    PUCHAR buf = (PUCHAR)b->Buffer.va;
    LARGE_INTEGER timeout = {.QuadPart = -50000000LL};
    struct virtqueue_sg sg[3] = {{b->Buffer.pa + HDR_OFF, 16},
                                 {b->Buffer.pa + DATA_OFF, SECTOR},
                                 {b->Buffer.pa + STATUS_OFF, 1}};
    KIRQL irql;
    BOOLEAN kick = FALSE;
    int rc = VIRTIO_ENODEV;

    *(PULONG)(buf + HDR_OFF) = Type;
    *(PULONG)(buf + HDR_OFF + 4) = 0;
    *(PULONGLONG)(buf + HDR_OFF + 8) = Sector;
    buf[STATUS_OFF] = 0xff;
    KeClearEvent(&b->Done);
    KeAcquireSpinLock(&b->Lock, &irql);
    if (b->QueueReady) {
        rc = virtqueue_add(&b->Queue, sg, Type == VIRTIO_BLK_T_OUT ? 2 : 1,
                           Type == VIRTIO_BLK_T_OUT ? 1 : 2, b);
        kick = rc == 0 && virtqueue_kick_prepare(&b->Queue);
    }
    KeReleaseSpinLock(&b->Lock, irql);
    if (rc != 0)
        return VwVirtioStatus(rc);
    if (kick)
        virtqueue_notify(&b->Queue);
    if (KeWaitForSingleObject(&b->Done, Executive, KernelMode, FALSE, &timeout) != STATUS_SUCCESS)
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
    ULONGLONG sector;
    NTSTATUS status;

    if (code == VBLK_IOCTL_READ && in >= 8 && out >= SECTOR) {
        RtlCopyMemory(&sector, sys, 8);
        status = VblkRequest(b, VIRTIO_BLK_T_IN, sector);
        if (NT_SUCCESS(status))
            RtlCopyMemory(sys, (PUCHAR)b->Buffer.va + DATA_OFF, SECTOR);
        return VwCompleteRequest(device, Irp, status, NT_SUCCESS(status) ? SECTOR : 0);
    }
    if (code == VBLK_IOCTL_WRITE && in >= 8 + SECTOR) {
        RtlCopyMemory(&sector, sys, 8);
        RtlCopyMemory((PUCHAR)b->Buffer.va + DATA_OFF, sys + 8, SECTOR);
        status = VblkRequest(b, VIRTIO_BLK_T_OUT, sector);
        return VwCompleteRequest(device, Irp, status, 0);
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
