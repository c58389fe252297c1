/*
 * NDIS OS services for the virtio core (see virtio_ndis.h).
 */
#include "virtio_ndis.h"

#define VW_NDIS(ctx) ((PVW_NDIS_VIRTIO)(ctx))

/* Register access.  A port "address" is the port number NDIS mapped; ARM64
 * has no port space (no port BAR is ever mapped there). */
#if defined(_M_ARM64)
#define VW_NDIS_ON_PORT(space, stmt) (void)(space);
#else
#define VW_NDIS_ON_PORT(space, stmt)                                                               \
    if ((space) == VIRTIO_SPACE_PORT)                                                              \
        stmt;
#endif

#define VW_NDIS_ACCESSORS(BITS, TYPE)                                                              \
    /* IRQL: any. one access of the register's width. */                                           \
    static uint##BITS##_t VwNdisRead##BITS(void *ctx, uint8_t space, uintptr_t addr)               \
    {                                                                                              \
        (void)ctx;                                                                                 \
        VW_NDIS_ON_PORT(space, return READ_PORT_##TYPE((P##TYPE)addr))                             \
        return READ_REGISTER_##TYPE((P##TYPE)addr);                                                \
    }                                                                                              \
    /* IRQL: any. one access of the register's width. */                                           \
    static void VwNdisWrite##BITS(void *ctx, uint8_t space, uintptr_t addr, uint##BITS##_t val)    \
    {                                                                                              \
        (void)ctx;                                                                                 \
        VW_NDIS_ON_PORT(space, {                                                                   \
            WRITE_PORT_##TYPE((P##TYPE)addr, val);                                                 \
            return;                                                                                \
        })                                                                                         \
        WRITE_REGISTER_##TYPE((P##TYPE)addr, val);                                                 \
    }

VW_NDIS_ACCESSORS(8, UCHAR)
VW_NDIS_ACCESSORS(16, USHORT)
VW_NDIS_ACCESSORS(32, ULONG)

/* IRQL: any. configuration space from the copy VwNdisVirtioMap read; beyond
 * it all ones, which the capability walk takes as "no capability". */
static void VwNdisPciRead(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    PVW_NDIS_VIRTIO v = VW_NDIS(ctx);
    if (off > v->PciConfigLength || len > v->PciConfigLength - off)
        RtlFillMemory(buf, len, 0xff);
    else
        RtlCopyMemory(buf, v->PciConfig + off, len);
}

/* IRQL: any. length and space of a mapped BAR. */
static int VwNdisBarInfo(void *ctx, unsigned bar, uint64_t *len, uint8_t *space)
{
    PVW_NDIS_VIRTIO v = VW_NDIS(ctx);
    if (bar >= VW_NDIS_BARS || v->Bars[bar].Va == NULL)
        return VIRTIO_ENODEV;
    *len = v->Bars[bar].Length;
    *space = v->Bars[bar].InIo ? VIRTIO_SPACE_PORT : VIRTIO_SPACE_MMIO;
    return 0;
}

/* IRQL: any. an address inside a BAR mapped whole by VwNdisVirtioMap. */
static int VwNdisBarMap(void *ctx, unsigned bar, uint64_t offset, uint32_t len, uintptr_t *addr)
{
    PVW_NDIS_VIRTIO v = VW_NDIS(ctx);
    if (bar >= VW_NDIS_BARS || v->Bars[bar].Va == NULL || offset > v->Bars[bar].Length ||
        len > v->Bars[bar].Length - offset)
        return VIRTIO_ERANGE;
    *addr = (uintptr_t)v->Bars[bar].Va + (uintptr_t)offset;
    return 0;
}

/* IRQL: PASSIVE_LEVEL. shared memory for the core (queues set up unplanned). */
static int VwNdisDmaAlloc(void *ctx, size_t size, size_t align, struct virtio_dma *dma)
{
    /* NdisMAllocateSharedMemory gives page-aligned blocks: any ring alignment holds */
    if (align > PAGE_SIZE)
        return VIRTIO_ENOMEM;
    return VwNdisShared(VW_NDIS(ctx), size, dma);
}

/* IRQL: PASSIVE_LEVEL. free shared memory of the core. */
static void VwNdisDmaFree(void *ctx, struct virtio_dma *dma)
{
    VwNdisSharedFree(VW_NDIS(ctx), dma);
}

/* IRQL <= DISPATCH_LEVEL. private memory for the core. */
static void *VwNdisMemAlloc(void *ctx, size_t size)
{
    if (size > MAXULONG)
        return NULL;
    return VwNdisAlloc(VW_NDIS(ctx), (ULONG)size);
}

/* IRQL <= DISPATCH_LEVEL. free private memory of the core. */
static void VwNdisMemFree(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    VwNdisFree(ptr, (ULONG)size);
}

/* IRQL: any. a busy wait (the core waits only for a reset to settle). */
static void VwNdisDelay(void *ctx, uint32_t us)
{
    (void)ctx;
    KeStallExecutionProcessor(us);
}

/* IRQL: any. count and log a device protocol violation. */
static void VwNdisReport(void *ctx, int queue, enum virtio_violation why)
{
    VW_NDIS(ctx)->Violations++;
    DbgPrint("virtio: device violated the specification: queue %d, reason %d\n", queue, (int)why);
}

static const struct virtio_os_ops VwNdisOps = {
    .read8 = VwNdisRead8,
    .read16 = VwNdisRead16,
    .read32 = VwNdisRead32,
    .write8 = VwNdisWrite8,
    .write16 = VwNdisWrite16,
    .write32 = VwNdisWrite32,
    .pci_read = VwNdisPciRead,
    .bar_info = VwNdisBarInfo,
    .bar_map = VwNdisBarMap,
    .bar_unmap = NULL,
    .dma_alloc = VwNdisDmaAlloc,
    .dma_free = VwNdisDmaFree,
    .mem_alloc = VwNdisMemAlloc,
    .mem_free = VwNdisMemFree,
    .delay_us = VwNdisDelay,
    .report = VwNdisReport,
};

/* IRQL <= DISPATCH_LEVEL: see virtio_ndis.h. */
PVOID VwNdisAlloc(PVW_NDIS_VIRTIO Virtio, ULONG Size)
{
    if (Size == 0)
        return NULL;
    PVOID p =
        NdisAllocateMemoryWithTagPriority(Virtio->Adapter, Size, VW_NDIS_TAG, NormalPoolPriority);
    if (p != NULL)
        RtlZeroMemory(p, Size);
    return p;
}

/* IRQL <= DISPATCH_LEVEL: see virtio_ndis.h. */
void VwNdisFree(PVOID Ptr, ULONG Size)
{
    if (Ptr != NULL)
        NdisFreeMemory(Ptr, Size, 0);
}

/* IRQL: PASSIVE_LEVEL. see virtio_ndis.h. */
int VwNdisShared(PVW_NDIS_VIRTIO Virtio, size_t Size, struct virtio_dma *Dma)
{
    PVOID va = NULL;
    NDIS_PHYSICAL_ADDRESS pa;
    Dma->va = NULL;
    if (Size == 0 || Size > MAXULONG)
        return VIRTIO_ENOMEM;
    pa.QuadPart = 0;
    NdisMAllocateSharedMemory(Virtio->Adapter, (ULONG)Size, FALSE, &va, &pa);
    if (va == NULL)
        return VIRTIO_ENOMEM;
    RtlZeroMemory(va, Size);
    Dma->va = va;
    Dma->pa = (uint64_t)pa.QuadPart;
    Dma->size = Size;
    Dma->handle = NULL;
    return 0;
}

/* IRQL: PASSIVE_LEVEL. see virtio_ndis.h. */
void VwNdisSharedFree(PVW_NDIS_VIRTIO Virtio, struct virtio_dma *Dma)
{
    NDIS_PHYSICAL_ADDRESS pa;
    if (Dma->va == NULL)
        return;
    pa.QuadPart = (LONGLONG)Dma->pa;
    NdisMFreeSharedMemory(Virtio->Adapter, (ULONG)Dma->size, FALSE, Dma->va, pa);
    Dma->va = NULL;
}

/* IRQL: PASSIVE_LEVEL. map one memory or port resource as the given BAR. */
static NDIS_STATUS VwNdisMapBar(PVW_NDIS_VIRTIO Virtio, int bar,
                                const CM_PARTIAL_RESOURCE_DESCRIPTOR *d)
{
    BOOLEAN io = d->Type == CmResourceTypePort;
    uint64_t start = io ? (uint64_t)d->u.Port.Start.QuadPart : (uint64_t)d->u.Memory.Start.QuadPart;
    ULONG length = io ? d->u.Port.Length : d->u.Memory.Length;
    if (bar < 0 || length == 0 || Virtio->Bars[bar].Va != NULL)
        return NDIS_STATUS_SUCCESS; /* not a BAR of ours: ignored */
    PVOID va = NULL;
    NDIS_STATUS st;
    if (io) {
#if defined(_M_ARM64)
        return NDIS_STATUS_SUCCESS; /* no port space */
#else
        if (start > MAXULONG)
            return NDIS_STATUS_SUCCESS;
        st = NdisMRegisterIoPortRange(&va, Virtio->Adapter, (UINT)start, length);
#endif
    } else {
        st = NdisMMapIoSpace(&va, Virtio->Adapter, d->u.Memory.Start, length);
    }
    if (st != NDIS_STATUS_SUCCESS || va == NULL)
        return NDIS_STATUS_RESOURCES;
    Virtio->Bars[bar].Va = va;
    Virtio->Bars[bar].Length = length;
    Virtio->Bars[bar].Start = (ULONG)start;
    Virtio->Bars[bar].InIo = io;
    return NDIS_STATUS_SUCCESS;
}

/* IRQL: PASSIVE_LEVEL. the BAR register holding a resource's start, or -1. */
static int VwNdisBarOf(PVW_NDIS_VIRTIO Virtio, const CM_PARTIAL_RESOURCE_DESCRIPTOR *d)
{
    BOOLEAN io = d->Type == CmResourceTypePort;
    uint64_t start = io ? (uint64_t)d->u.Port.Start.QuadPart : (uint64_t)d->u.Memory.Start.QuadPart;
    return virtio_pci_bar_of(&Virtio->Os, start, io);
}

/* IRQL: PASSIVE_LEVEL. bit n set when BAR n is mapped. */
static uint32_t VwNdisBarsTaken(const VW_NDIS_VIRTIO *Virtio)
{
    uint32_t taken = 0;
    for (unsigned bar = 0; bar < VW_NDIS_BARS; bar++)
        if (Virtio->Bars[bar].Va != NULL)
            taken |= 1u << bar;
    return taken;
}

/* IRQL: PASSIVE_LEVEL. see virtio_ndis.h. */
void VwNdisVirtioUnmap(PVW_NDIS_VIRTIO Virtio)
{
    if (Virtio->Probed) {
        virtio_pci_release(&Virtio->Dev);
        Virtio->Probed = FALSE;
    }
    for (unsigned bar = 0; bar < VW_NDIS_BARS; bar++) {
        VW_NDIS_BAR *b = &Virtio->Bars[bar];
        if (b->Va == NULL)
            continue;
#if !defined(_M_ARM64)
        if (b->InIo)
            NdisMDeregisterIoPortRange(Virtio->Adapter, b->Start, b->Length, b->Va);
        else
#endif
            NdisMUnmapIoSpace(Virtio->Adapter, b->Va, b->Length);
        b->Va = NULL;
    }
}

/* IRQL: PASSIVE_LEVEL. see virtio_ndis.h. */
NDIS_STATUS VwNdisVirtioMap(PVW_NDIS_VIRTIO Virtio, NDIS_HANDLE Adapter,
                            PNDIS_RESOURCE_LIST Resources)
{
    RtlZeroMemory(Virtio, sizeof(*Virtio));
    Virtio->Adapter = Adapter;
    Virtio->Os.ops = &VwNdisOps;
    Virtio->Os.ctx = Virtio;

    Virtio->PciConfigLength = NdisMGetBusData(Adapter, PCI_WHICHSPACE_CONFIG, 0, Virtio->PciConfig,
                                              VW_NDIS_PCI_CONFIG_BYTES);
    if (Virtio->PciConfigLength < 0x40 || Virtio->PciConfigLength > VW_NDIS_PCI_CONFIG_BYTES) {
        DbgPrint("virtio: no PCI configuration space (%lu bytes)\n", Virtio->PciConfigLength);
        Virtio->PciConfigLength = 0;
        return NDIS_STATUS_ADAPTER_NOT_FOUND;
    }
    /* MiniportInitializeEx gets only the translated resources: a memory or
     * port range whose start is in a BAR register is that BAR. */
    ULONG count = Resources != NULL ? Resources->Count : 0;
    NDIS_STATUS st = NDIS_STATUS_SUCCESS;
    for (ULONG i = 0; i < count && st == NDIS_STATUS_SUCCESS; i++) {
        const CM_PARTIAL_RESOURCE_DESCRIPTOR *d = &Resources->PartialDescriptors[i];
        if (d->Type == CmResourceTypeMemory || d->Type == CmResourceTypePort)
            st = VwNdisMapBar(Virtio, VwNdisBarOf(Virtio, d), d);
    }
    /* Where port space is translated into memory space (ARM64), an I/O BAR
     * comes as a memory range at a CPU address no BAR register holds: the
     * memory ranges left over go, in list order, to the I/O BARs left over. */
    for (ULONG i = 0; i < count && st == NDIS_STATUS_SUCCESS; i++) {
        const CM_PARTIAL_RESOURCE_DESCRIPTOR *d = &Resources->PartialDescriptors[i];
        if (d->Type != CmResourceTypeMemory || VwNdisBarOf(Virtio, d) >= 0)
            continue;
        int bar = virtio_pci_io_bar_left(&Virtio->Os, VwNdisBarsTaken(Virtio));
        if (bar < 0)
            break;
        st = VwNdisMapBar(Virtio, bar, d);
    }
    if (st != NDIS_STATUS_SUCCESS) {
        VwNdisVirtioUnmap(Virtio);
        return NDIS_STATUS_RESOURCES;
    }
    int rc = virtio_pci_probe(&Virtio->Dev, &Virtio->Os, VIRTIO_PCI_MODE_AUTO);
    if (rc != 0) {
        DbgPrint("virtio: no usable virtio transport (%d)\n", rc);
        VwNdisVirtioUnmap(Virtio);
        return NDIS_STATUS_ADAPTER_NOT_FOUND;
    }
    Virtio->Probed = TRUE;
    return NDIS_STATUS_SUCCESS;
}
