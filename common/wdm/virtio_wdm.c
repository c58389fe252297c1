/*
 * WDM OS services for the virtio core (see virtio_wdm.h).
 */
#include "virtio_wdm.h"

#define VW_CTX(ctx) ((PVW_VIRTIO)(ctx))

/* Register access.  A port "address" is the port number.  ARM64 has no port
 * space (the resource code never hands out port ranges there), so the port
 * branch exists only on x86 and amd64.  The x86 prototypes lack volatile, so
 * pointers are passed plain: the accessors make exactly one access of the
 * register's width. */
#if defined(_M_ARM64)
#define VW_ON_PORT(space, stmt) (void)(space);
#else
#define VW_ON_PORT(space, stmt)                                                                    \
    if ((space) == VIRTIO_SPACE_PORT)                                                              \
        stmt;
#endif

#define VW_REGISTER_ACCESSORS(BITS, TYPE)                                                          \
    static uint##BITS##_t VwRead##BITS(void *ctx, uint8_t space, uintptr_t addr)                   \
    {                                                                                              \
        (void)ctx;                                                                                 \
        VW_ON_PORT(space, return READ_PORT_##TYPE((P##TYPE)addr))                                  \
        return READ_REGISTER_##TYPE((P##TYPE)addr);                                                \
    }                                                                                              \
    static void VwWrite##BITS(void *ctx, uint8_t space, uintptr_t addr, uint##BITS##_t val)        \
    {                                                                                              \
        (void)ctx;                                                                                 \
        VW_ON_PORT(space, {                                                                        \
            WRITE_PORT_##TYPE((P##TYPE)addr, val);                                                 \
            return;                                                                                \
        })                                                                                         \
        WRITE_REGISTER_##TYPE((P##TYPE)addr, val);                                                 \
    }

VW_REGISTER_ACCESSORS(8, UCHAR)
VW_REGISTER_ACCESSORS(16, USHORT)
VW_REGISTER_ACCESSORS(32, ULONG)

/* 64-bit fields as two 32-bit accesses, low half first, which the
 * specification allows (4.1.3.1) and every platform supports. IRQL: any. */

/* Configuration space: a short read (not on PCI) reads as all ones, which
 * the capability walk treats as "no capability". IRQL <= DISPATCH_LEVEL. */
static void VwPciRead(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    if (VwReadPciConfig(VW_CTX(ctx)->Device, off, buf, len) != len)
        RtlFillMemory(buf, len, 0xff);
}

/* The mapped range that holds PCI BAR number bar, or NULL. IRQL: any. */
static PVW_RANGE VwFindBar(PVW_VIRTIO Virtio, unsigned bar)
{
    PVW_RESOURCES res = &Virtio->Device->Resources;
    for (ULONG i = 0; i < res->RangeCount; i++)
        if (res->Ranges[i].PciBar == (LONG)bar)
            return &res->Ranges[i];
    return NULL;
}

/* Tell the virtio core a BAR's length and whether it is port or memory space. IRQL: any. */
static int VwBarInfo(void *ctx, unsigned bar, uint64_t *len, uint8_t *space)
{
    PVW_RANGE range = VwFindBar(VW_CTX(ctx), bar);
    if (range == NULL)
        return VIRTIO_ENODEV;
    *len = range->Length;
    *space = range->IsPort ? VIRTIO_SPACE_PORT : VIRTIO_SPACE_MMIO;
    return 0;
}

/* The framework mapped each BAR whole; the core checked offset + len
 * against the length bar_info gave. IRQL: any. */
static int VwBarMap(void *ctx, unsigned bar, uint64_t offset, uint32_t len, uintptr_t *addr)
{
    PVW_RANGE range = VwFindBar(VW_CTX(ctx), bar);
    if (range == NULL || offset > range->Length || len > range->Length - offset)
        return VIRTIO_ERANGE;
    *addr = (uintptr_t)range->Va + (uintptr_t)offset;
    return 0;
}

/* Common buffer from the device's DMA adapter, zeroed, for rings and device-visible memory. IRQL:
 * PASSIVE_LEVEL. */
static int VwDmaAlloc(void *ctx, size_t size, size_t align, struct virtio_dma *dma)
{
    PVW_VIRTIO virtio = VW_CTX(ctx);
    PHYSICAL_ADDRESS pa;

    if (size == 0 || size > MAXULONG)
        return VIRTIO_EINVAL;
    PVOID va =
        virtio->Dma->DmaOperations->AllocateCommonBuffer(virtio->Dma, (ULONG)size, &pa, TRUE);
    if (va == NULL)
        return VIRTIO_ENOMEM;
    /* Common buffers start on a page; refuse rather than misalign a ring. */
    if (align != 0 && ((uint64_t)pa.QuadPart & (align - 1)) != 0) {
        virtio->Dma->DmaOperations->FreeCommonBuffer(virtio->Dma, (ULONG)size, pa, va, TRUE);
        return VIRTIO_ENOMEM;
    }
    RtlZeroMemory(va, size);
    dma->va = va;
    dma->pa = (uint64_t)pa.QuadPart;
    dma->size = size;
    dma->handle = NULL;
    return 0;
}

/* Give a common buffer back to the DMA adapter. IRQL: PASSIVE_LEVEL. */
static void VwDmaFree(void *ctx, struct virtio_dma *dma)
{
    PVW_VIRTIO virtio = VW_CTX(ctx);
    PHYSICAL_ADDRESS pa;

    if (dma->va == NULL)
        return;
    pa.QuadPart = (LONGLONG)dma->pa;
    virtio->Dma->DmaOperations->FreeCommonBuffer(virtio->Dma, (ULONG)dma->size, pa, dma->va, TRUE);
    dma->va = NULL;
}

/* Zeroed non-paged memory for the virtio core's own state. IRQL <= DISPATCH_LEVEL. */
static void *VwMemAlloc(void *ctx, size_t size)
{
    PVOID p = ExAllocatePoolWithTag(NonPagedPoolNx, size, VW_CTX(ctx)->PoolTag);
    if (p != NULL)
        RtlZeroMemory(p, size);
    return p;
}

/* Free memory VwMemAlloc gave. IRQL <= DISPATCH_LEVEL. */
static void VwMemFree(void *ctx, void *ptr, size_t size)
{
    (void)size;
    if (ptr != NULL)
        ExFreePoolWithTag(ptr, VW_CTX(ctx)->PoolTag);
}

/* Busy-wait for the virtio core (the reset poll). IRQL: any. */
static void VwDelay(void *ctx, uint32_t us)
{
    (void)ctx;
    KeStallExecutionProcessor(us);
}

/* Log a device's violation of the virtio specification. IRQL <= DISPATCH_LEVEL. */
static void VwReport(void *ctx, int queue, enum virtio_violation why)
{
    VwError(VW_CTX(ctx)->Device, "device violated the virtio specification: queue %d, reason %d",
            queue, (int)why);
}

static const struct virtio_os_ops VwVirtioOps = {
    .read8 = VwRead8,
    .read16 = VwRead16,
    .read32 = VwRead32,
    .write8 = VwWrite8,
    .write16 = VwWrite16,
    .write32 = VwWrite32,
    .pci_read = VwPciRead,
    .bar_info = VwBarInfo,
    .bar_map = VwBarMap,
    .bar_unmap = NULL,
    .dma_alloc = VwDmaAlloc,
    .dma_free = VwDmaFree,
    .mem_alloc = VwMemAlloc,
    .mem_free = VwMemFree,
    .delay_us = VwDelay,
    .report = VwReport,
};

/* Turn a virtio core error code into the NTSTATUS a driver returns. IRQL: any. */
NTSTATUS VwVirtioStatus(int rc)
{
    switch (rc) {
    case 0:
        return STATUS_SUCCESS;
    case VIRTIO_ENOMEM:
        return STATUS_INSUFFICIENT_RESOURCES;
    case VIRTIO_ENODEV:
        return STATUS_NO_SUCH_DEVICE;
    case VIRTIO_ENOTSUP:
        return STATUS_NOT_SUPPORTED;
    case VIRTIO_ETIMEDOUT:
        return STATUS_IO_TIMEOUT;
    default:
        return STATUS_DEVICE_PROTOCOL_ERROR;
    }
}

/* Bind a started device to the virtio core: DMA adapter, transport probe over the mapped BARs.
 * IRQL: PASSIVE_LEVEL. */
NTSTATUS VwVirtioStart(PVW_VIRTIO Virtio, PVW_DEVICE Device, ULONG PoolTag)
{
    DEVICE_DESCRIPTION desc;
    ULONG mapRegisters = 0;

    RtlZeroMemory(Virtio, sizeof(*Virtio));
    Virtio->Device = Device;
    Virtio->PoolTag = PoolTag;
    Virtio->Os.ops = &VwVirtioOps;
    Virtio->Os.ctx = Virtio;

    /* A bus-master, 64-bit, scatter-gather device on PCI. */
    RtlZeroMemory(&desc, sizeof(desc));
    desc.Version = DEVICE_DESCRIPTION_VERSION2;
    desc.Master = TRUE;
    desc.ScatterGather = TRUE;
    desc.Dma32BitAddresses = TRUE;
    desc.Dma64BitAddresses = TRUE;
    desc.InterfaceType = PCIBus;
    desc.MaximumLength = 0x100000;
    Virtio->Dma = IoGetDmaAdapter(Device->Pdo, &desc, &mapRegisters);
    if (Virtio->Dma == NULL) {
        VwError(Device, "no DMA adapter");
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    int rc = virtio_pci_probe(&Virtio->Dev, &Virtio->Os, VIRTIO_PCI_MODE_AUTO);
    if (rc != 0) {
        VwError(Device, "no usable virtio transport (%d)", rc);
        Virtio->Dma->DmaOperations->PutDmaAdapter(Virtio->Dma);
        Virtio->Dma = NULL;
        return VwVirtioStatus(rc);
    }
    Virtio->Probed = TRUE;
    VwInfo(Device, "virtio %s transport, device type %u", Virtio->Dev.ops->name,
           Virtio->Dev.device_type);
    return STATUS_SUCCESS;
}

/* Reset the virtio device, if it was probed. IRQL <= DISPATCH_LEVEL. */
VOID VwVirtioReset(PVW_VIRTIO Virtio)
{
    if (Virtio->Probed)
        virtio_device_reset(&Virtio->Dev);
}

/* Undo VwVirtioStart: release the transport and the DMA adapter. IRQL: PASSIVE_LEVEL. */
VOID VwVirtioStop(PVW_VIRTIO Virtio)
{
    if (Virtio->Probed)
        virtio_pci_release(&Virtio->Dev);
    Virtio->Probed = FALSE;
    if (Virtio->Dma != NULL)
        Virtio->Dma->DmaOperations->PutDmaAdapter(Virtio->Dma);
    Virtio->Dma = NULL;
}
