/*
 * fwcfg: the selector, data and DMA address registers, through I/O ports
 * (x86/amd64 PCs) or memory (arm64 virt, and any platform that gives a
 * memory range).  The byte order of each register is the spec's, see
 * fwcfg.h; callers work in CPU order.
 */
#include "fwcfg.h"

/* Select the fw_cfg item the data register streams next. IRQL <= DISPATCH_LEVEL. */
VOID FwCfgSelect(PFWCFG_DEVICE Fw, USHORT Key)
{
#if !defined(_M_ARM64)
    if (Fw->IsPort) {
        WRITE_PORT_USHORT((PUSHORT)(Fw->Base + FWCFG_PORT_SELECTOR), Key);
        return;
    }
#endif
    WRITE_REGISTER_USHORT((PUSHORT)(Fw->Base + FWCFG_MMIO_SELECTOR), FwCfgBe16(Key));
}

/* The data register streams the selected item; past its end it reads 0. IRQL <= DISPATCH_LEVEL. */
VOID FwCfgReadData(PFWCFG_DEVICE Fw, PVOID Buffer, ULONG Length)
{
    PUCHAR out = (PUCHAR)Buffer;

    for (ULONG i = 0; i < Length; i++) {
#if !defined(_M_ARM64)
        if (Fw->IsPort) {
            out[i] = READ_PORT_UCHAR(Fw->Base + FWCFG_PORT_DATA);
            continue;
        }
#endif
        out[i] = READ_REGISTER_UCHAR((PUCHAR)(Fw->Base + FWCFG_MMIO_DATA));
    }
}

/* Address of the DMA address register (port or MMIO layout). IRQL: any. */
static PUCHAR FwCfgDmaRegister(PFWCFG_DEVICE Fw)
{
    return Fw->Base + (Fw->IsPort ? FWCFG_PORT_DMA : FWCFG_MMIO_DMA);
}

/* Read a 32-bit device register (port or memory). IRQL <= DISPATCH_LEVEL. */
static ULONG FwCfgRead32(PFWCFG_DEVICE Fw, PUCHAR Address)
{
#if !defined(_M_ARM64)
    if (Fw->IsPort)
        return READ_PORT_ULONG((PULONG)Address);
#endif
    (void)Fw;
    return READ_REGISTER_ULONG((PULONG)Address);
}

/* Write a 32-bit device register (port or memory). IRQL <= DISPATCH_LEVEL. */
static VOID FwCfgWrite32(PFWCFG_DEVICE Fw, PUCHAR Address, ULONG Value)
{
#if !defined(_M_ARM64)
    if (Fw->IsPort) {
        WRITE_PORT_ULONG((PULONG)Address, Value);
        return;
    }
#endif
    (void)Fw;
    WRITE_REGISTER_ULONG((PULONG)Address, Value);
}

/* Two 32-bit big-endian halves, the most significant at the lower offset. IRQL <= DISPATCH_LEVEL.
 */
ULONGLONG FwCfgReadDmaRegister(PFWCFG_DEVICE Fw)
{
    PUCHAR reg = FwCfgDmaRegister(Fw);
    ULONGLONG high = FwCfgBe32(FwCfgRead32(Fw, reg));
    ULONGLONG low = FwCfgBe32(FwCfgRead32(Fw, reg + 4));
    return (high << 32) | low;
}

/* The write of the low half starts the operation, so it comes last. IRQL <= DISPATCH_LEVEL. */
VOID FwCfgWriteDmaRegister(PFWCFG_DEVICE Fw, ULONGLONG Value)
{
    PUCHAR reg = FwCfgDmaRegister(Fw);
    FwCfgWrite32(Fw, reg, FwCfgBe32((ULONG)(Value >> 32)));
    FwCfgWrite32(Fw, reg + 4, FwCfgBe32((ULONG)Value));
}
