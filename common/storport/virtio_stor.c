/*
 * StorPort OS services for the virtio core (see virtio_stor.h).
 */
#include "virtio_stor.h"

#define VW_STOR(ctx) ((PVW_STOR_VIRTIO)(ctx))

/* Register access.  A port "address" is the port number; ARM64 has no port
 * space (no port ranges are ever mapped there). */
#if defined(_M_ARM64)
#define VW_STOR_ON_PORT(space, stmt) (void)(space);
#else
#define VW_STOR_ON_PORT(space, stmt)                                                               \
    if ((space) == VIRTIO_SPACE_PORT)                                                              \
        stmt;
#endif

#define VW_STOR_ACCESSORS(BITS, TYPE, NAME)                                                        \
    /* IRQL: any. one access of the register's width. */                                           \
    static uint##BITS##_t VwStorRead##BITS(void *ctx, uint8_t space, uintptr_t addr)               \
    {                                                                                              \
        (void)ctx;                                                                                 \
        VW_STOR_ON_PORT(                                                                           \
            space, return StorPortReadPort##NAME(VW_STOR(ctx)->DeviceExtension, (P##TYPE)addr))    \
        return StorPortReadRegister##NAME(VW_STOR(ctx)->DeviceExtension, (P##TYPE)addr);           \
    }                                                                                              \
    /* IRQL: any. one access of the register's width. */                                           \
    static void VwStorWrite##BITS(void *ctx, uint8_t space, uintptr_t addr, uint##BITS##_t val)    \
    {                                                                                              \
        (void)ctx;                                                                                 \
        VW_STOR_ON_PORT(space, {                                                                   \
            StorPortWritePort##NAME(VW_STOR(ctx)->DeviceExtension, (P##TYPE)addr, val);            \
            return;                                                                                \
        })                                                                                         \
        StorPortWriteRegister##NAME(VW_STOR(ctx)->DeviceExtension, (P##TYPE)addr, val);            \
    }

VW_STOR_ACCESSORS(8, UCHAR, Uchar)
VW_STOR_ACCESSORS(16, USHORT, Ushort)
VW_STOR_ACCESSORS(32, ULONG, Ulong)

/* IRQL: any. configuration space from the copy HwFindAdapter read; beyond
 * it all ones, which the capability walk takes as "no capability". */
static void VwStorPciRead(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    PVW_STOR_VIRTIO v = VW_STOR(ctx);
    if (off > v->PciConfigLength || len > v->PciConfigLength - off)
        RtlFillMemory(buf, len, 0xff);
    else
        RtlCopyMemory(buf, v->PciConfig + off, len);
}

/* IRQL: any. length and space of a mapped BAR. */
static int VwStorBarInfo(void *ctx, unsigned bar, uint64_t *len, uint8_t *space)
{
    PVW_STOR_VIRTIO v = VW_STOR(ctx);
    if (bar >= VW_STOR_BARS || v->Bars[bar].Va == NULL)
        return VIRTIO_ENODEV;
    *len = v->Bars[bar].Length;
    *space = v->Bars[bar].InIo ? VIRTIO_SPACE_PORT : VIRTIO_SPACE_MMIO;
    return 0;
}

/* IRQL: any. an address inside a BAR mapped whole by VwStorVirtioFind. */
static int VwStorBarMap(void *ctx, unsigned bar, uint64_t offset, uint32_t len, uintptr_t *addr)
{
    PVW_STOR_VIRTIO v = VW_STOR(ctx);
    if (bar >= VW_STOR_BARS || v->Bars[bar].Va == NULL || offset > v->Bars[bar].Length ||
        len > v->Bars[bar].Length - offset)
        return VIRTIO_ERANGE;
    *addr = (uintptr_t)v->Bars[bar].Va + (uintptr_t)offset;
    return 0;
}

/* IRQL: any. the bus address of Va and its contiguous length. */
uint64_t VwStorPhysical(PVW_STOR_VIRTIO Virtio, PVOID Srb, PVOID Va, ULONG *Length)
{
    STOR_PHYSICAL_ADDRESS pa = StorPortGetPhysicalAddress(Virtio->DeviceExtension, Srb, Va, Length);
    return (uint64_t)pa.QuadPart;
}

/* IRQL: any. carve a DMA block (see virtio_stor.h). */
int VwStorCarve(PVW_STOR_VIRTIO Virtio, size_t Size, size_t Align, struct virtio_dma *Dma)
{
    if (Virtio->Uncached == NULL || Size == 0 || Size > Virtio->UncachedSize)
        return VIRTIO_ENOMEM;
    if (Align == 0)
        Align = 1;
    /* Align the bus address: the extension starts on a page, so the
     * offsets line up with it, but the address is what the device sees */
    ULONG off = Virtio->UncachedUsed;
    ULONG contiguous = 0;
    uint64_t pa = VwStorPhysical(Virtio, NULL, Virtio->Uncached + off, &contiguous);
    size_t pad = (size_t)((Align - (pa & (Align - 1))) & (Align - 1));
    if (pad > Virtio->UncachedSize - off || Size > Virtio->UncachedSize - off - pad)
        return VIRTIO_ENOMEM;
    off += (ULONG)pad;
    pa = VwStorPhysical(Virtio, NULL, Virtio->Uncached + off, &contiguous);
    if (contiguous < Size)
        return VIRTIO_ENOMEM;
    Dma->va = Virtio->Uncached + off;
    Dma->pa = pa;
    Dma->size = Size;
    Dma->handle = NULL;
    RtlZeroMemory(Dma->va, Size);
    Virtio->UncachedUsed = off + (ULONG)Size;
    return 0;
}

/* IRQL: any. DMA memory for the core. */
static int VwStorDmaAlloc(void *ctx, size_t size, size_t align, struct virtio_dma *dma)
{
    return VwStorCarve(VW_STOR(ctx), size, align, dma);
}

/* IRQL: any. carved memory goes back with the adapter. */
static void VwStorDmaFree(void *ctx, struct virtio_dma *dma)
{
    (void)ctx;
    dma->va = NULL;
}

/* IRQL: any. private memory, carved like DMA memory (a dump copy has no pool). */
static void *VwStorMemAlloc(void *ctx, size_t size)
{
    struct virtio_dma dma;
    return VwStorCarve(VW_STOR(ctx), size, sizeof(void *), &dma) == 0 ? dma.va : NULL;
}

/* IRQL: any. see VwStorDmaFree. */
static void VwStorMemFree(void *ctx, void *ptr, size_t size)
{
    (void)ctx, (void)ptr, (void)size;
}

/* IRQL: any. a busy wait (StorPort miniports never sleep). */
static void VwStorDelay(void *ctx, uint32_t us)
{
    (void)ctx;
    StorPortStallExecution(us);
}

/* IRQL: any. count and log a device protocol violation. */
static void VwStorReport(void *ctx, int queue, enum virtio_violation why)
{
    /* queues drain on several CPUs at once under concurrent channels */
    InterlockedIncrement((LONG volatile *)&VW_STOR(ctx)->Violations);
    DbgPrint("virtio: device violated the specification: queue %d, reason %d\n", queue, (int)why);
}

static const struct virtio_os_ops VwStorOps = {
    .read8 = VwStorRead8,
    .read16 = VwStorRead16,
    .read32 = VwStorRead32,
    .write8 = VwStorWrite8,
    .write16 = VwStorWrite16,
    .write32 = VwStorWrite32,
    .pci_read = VwStorPciRead,
    .bar_info = VwStorBarInfo,
    .bar_map = VwStorBarMap,
    .bar_unmap = NULL,
    .dma_alloc = VwStorDmaAlloc,
    .dma_free = VwStorDmaFree,
    .mem_alloc = VwStorMemAlloc,
    .mem_free = VwStorMemFree,
    .delay_us = VwStorDelay,
    .report = VwStorReport,
};

/* IRQL: PASSIVE_LEVEL (HIGH_LEVEL in a dump copy), HwFindAdapter: see virtio_stor.h. */
ULONG VwStorVirtioFind(PVW_STOR_VIRTIO Virtio, PVOID DeviceExtension,
                       PPORT_CONFIGURATION_INFORMATION ConfigInfo)
{
    RtlZeroMemory(Virtio, sizeof(*Virtio));
    Virtio->DeviceExtension = DeviceExtension;
    Virtio->Os.ops = &VwStorOps;
    Virtio->Os.ctx = Virtio;

    Virtio->PciConfigLength =
        StorPortGetBusData(DeviceExtension, PCIConfiguration, ConfigInfo->SystemIoBusNumber,
                           ConfigInfo->SlotNumber, Virtio->PciConfig, VW_STOR_PCI_CONFIG_BYTES);
    if (Virtio->PciConfigLength < 0x40 || Virtio->PciConfigLength > VW_STOR_PCI_CONFIG_BYTES) {
        DbgPrint("virtio: no PCI configuration space (%lu bytes)\n", Virtio->PciConfigLength);
        Virtio->PciConfigLength = 0;
        return SP_RETURN_NOT_FOUND;
    }
    for (ULONG i = 0; i < ConfigInfo->NumberOfAccessRanges; i++) {
        ACCESS_RANGE *range = &(*ConfigInfo->AccessRanges)[i];
        int bar = virtio_pci_bar_of(&Virtio->Os, (uint64_t)range->RangeStart.QuadPart,
                                    !range->RangeInMemory);
        if (bar < 0 || range->RangeLength == 0)
            continue;
        PVOID va = StorPortGetDeviceBase(DeviceExtension, ConfigInfo->AdapterInterfaceType,
                                         ConfigInfo->SystemIoBusNumber, range->RangeStart,
                                         range->RangeLength, !range->RangeInMemory);
        if (va == NULL)
            continue;
        Virtio->Bars[bar].Va = va;
        Virtio->Bars[bar].Length = range->RangeLength;
        Virtio->Bars[bar].InIo = !range->RangeInMemory;
    }
    int rc = virtio_pci_probe(&Virtio->Dev, &Virtio->Os, VIRTIO_PCI_MODE_AUTO);
    if (rc != 0) {
        DbgPrint("virtio: no usable virtio transport (%d)\n", rc);
        return SP_RETURN_NOT_FOUND;
    }
    Virtio->Probed = TRUE;
    return SP_RETURN_FOUND;
}

/* HwFindAdapter only: see virtio_stor.h. */
BOOLEAN VwStorVirtioUncached(PVW_STOR_VIRTIO Virtio, PPORT_CONFIGURATION_INFORMATION ConfigInfo,
                             ULONG Size)
{
    if (Virtio->Uncached != NULL)
        return Size <= Virtio->UncachedSize;
    Virtio->Uncached = StorPortGetUncachedExtension(Virtio->DeviceExtension, ConfigInfo, Size);
    if (Virtio->Uncached == NULL)
        return FALSE;
    Virtio->UncachedSize = Size;
    Virtio->UncachedUsed = 0;
    return TRUE;
}

/* DIRQL, interrupt lock: see virtio_stor.h. */
VOID VwStorVirtioStop(PVW_STOR_VIRTIO Virtio)
{
    (void)virtio_device_reset_start(&Virtio->Dev, VW_STOR_RESET_POLLS);
}

/* DIRQL, or DISPATCH_LEVEL with the StartIo lock: the reset read Rc (0: the
 * device reads 0): negotiate the features it had, or leave it FAILED. */
static int VwStorVirtioRenegotiate(PVW_STOR_VIRTIO Virtio, uint64_t Wanted, int Rc)
{
    struct virtio_device *dev = &Virtio->Dev;
    uint64_t had = dev->features, got = 0;

    if (Rc == VIRTIO_EAGAIN)
        return Rc;
    if (Rc == 0 && (Rc = virtio_negotiate_from_reset(dev, Wanted, &got)) == 0 && got != had)
        Rc = VIRTIO_EPROTO;
    if (Rc != 0)
        virtio_device_fail(dev);
    return Rc;
}

/* DIRQL, interrupt lock: see virtio_stor.h. */
int VwStorVirtioRestart(PVW_STOR_VIRTIO Virtio, uint64_t Wanted)
{
    return VwStorVirtioRenegotiate(Virtio, Wanted,
                                   virtio_device_reset_start(&Virtio->Dev, VW_STOR_RESET_POLLS));
}

/* DISPATCH_LEVEL, StartIo lock: see virtio_stor.h. */
int VwStorVirtioRestartPoll(PVW_STOR_VIRTIO Virtio, uint64_t Wanted)
{
    return VwStorVirtioRenegotiate(Virtio, Wanted, virtio_device_reset_poll(&Virtio->Dev));
}

/* DISPATCH_LEVEL or above, StartIo lock: see virtio_stor.h. */
VOID VwStorResetArm(PVW_STOR_VIRTIO Virtio, PULONG Waits)
{
    *Waits = 0;
    VwStorTimerRequest(&Virtio->Holdoff, (ULONG)VW_STOR_RESET_PERIOD_US);
}

/* DISPATCH_LEVEL, StartIo lock (HwTimer): see virtio_stor.h. */
int VwStorResetWaited(PVW_STOR_VIRTIO Virtio, int Rc, PULONG Waits)
{
    if (Rc != VIRTIO_EAGAIN)
        return Rc;
    if (++*Waits < VW_STOR_RESET_PERIODS) {
        VwStorTimerRequest(&Virtio->Holdoff, (ULONG)VW_STOR_RESET_PERIOD_US);
        return VIRTIO_EAGAIN;
    }
    virtio_device_set_broken(&Virtio->Dev, VIRTIO_VIOL_RESET_TIMEOUT);
    return VIRTIO_ETIMEDOUT;
}
