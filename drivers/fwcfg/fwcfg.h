/*
 * fwcfg: publishes a Windows crash-dump header to QEMU through the fw_cfg
 * device (ACPI QEMU0002), so that the host's `dump-guest-memory` can write
 * a dump WinDbg opens.
 *
 * The fw_cfg device (QEMU docs/specs/fw_cfg.rst) is a selector register, a
 * byte-stream data register and a DMA address register.  Its file
 * directory names the item "etc/vmcoreinfo" (present when QEMU runs with
 * -device vmcoreinfo, docs/specs/vmcoreinfo.rst): 16 bytes, little-endian,
 * { host_format, guest_format, size, paddr }.  The driver builds an ELF note
 * named "VMCOREINFO" whose contents are the header KeInitializeCrashDumpHeader
 * returns, in a common buffer, and writes the item through DMA to point at
 * it.  The item is withdrawn (guest_format NONE) before the buffer is freed.
 *
 * Everything the device returns is checked: the signature, the DMA feature
 * and DMA register signature, the directory count, each entry (name
 * NUL-terminated, selector in the file range, the size of our item), and
 * every DMA operation's completion, which is polled for a bounded time.
 */
#pragma once
#include <wdm/vwdm.h>

#define FWCFG_POOL_TAG 'gfCF'

/* Register offsets in the device's range: I/O ports on x86/amd64 (selector
 * 16-bit little-endian, data 8-bit), memory on arm64 (selector 16-bit
 * big-endian); the DMA address register is 64-bit big-endian on both,
 * written high half first, the low-half write starting the operation. */
#define FWCFG_PORT_SELECTOR 0x0
#define FWCFG_PORT_DATA     0x1
#define FWCFG_PORT_DMA      0x4
#define FWCFG_PORT_LENGTH   0xc /* with the DMA register */
#define FWCFG_MMIO_DATA     0x0
#define FWCFG_MMIO_SELECTOR 0x8
#define FWCFG_MMIO_DMA      0x10
#define FWCFG_MMIO_LENGTH   0x18

/* Items. */
#define FWCFG_KEY_SIGNATURE  0x0000 /* "QEMU" */
#define FWCFG_KEY_ID         0x0001 /* feature bits, 32-bit little-endian */
#define FWCFG_KEY_FILE_DIR   0x0019
#define FWCFG_KEY_FILE_FIRST 0x0020
#define FWCFG_KEY_INDEX_MASK 0x3fff /* bit 15 = arch-specific, bit 14 = legacy write */
#define FWCFG_ID_DMA         0x00000002
#define FWCFG_DMA_SIGNATURE  0x51454d5520434647ull /* "QEMU CFG", read from the DMA register */

/* The directory: a 32-bit big-endian count, then entries of 64 bytes.  At
 * most one entry per file key (0x0020-0x3fff): a larger count is a lie. */
#define FWCFG_FILE_NAME_SIZE 56
#define FWCFG_MAX_FILES      (FWCFG_KEY_INDEX_MASK + 1 - FWCFG_KEY_FILE_FIRST)

#pragma pack(push, 1)
typedef struct _FWCFG_FILE {
    ULONG SizeBe;
    USHORT SelectBe;
    USHORT Reserved;
    CHAR Name[FWCFG_FILE_NAME_SIZE];
} FWCFG_FILE;

/* DMA descriptor, big-endian; the device clears Control when done, or sets
 * ERROR. */
typedef struct _FWCFG_DMA_ACCESS {
    ULONG ControlBe;
    ULONG LengthBe;
    ULONGLONG AddressBe;
} FWCFG_DMA_ACCESS;

/* etc/vmcoreinfo, little-endian. */
typedef struct _FWCFG_VMCOREINFO {
    USHORT HostFormat;
    USHORT GuestFormat;
    ULONG Size;
    ULONGLONG Paddr;
} FWCFG_VMCOREINFO;
#pragma pack(pop)

#define FWCFG_DMA_ERROR  0x01
#define FWCFG_DMA_READ   0x02
#define FWCFG_DMA_SKIP   0x04
#define FWCFG_DMA_SELECT 0x08
#define FWCFG_DMA_WRITE  0x10

/* A DMA operation is synchronous in QEMU; one that has not finished after
 * FWCFG_DMA_POLLS polls FWCFG_DMA_POLL_US apart (10 ms) never will. */
#define FWCFG_DMA_POLLS   1000
#define FWCFG_DMA_POLL_US 10

#define FWCFG_VMCOREINFO_NAME        "etc/vmcoreinfo"
#define FWCFG_VMCOREINFO_FORMAT_NONE 0
#define FWCFG_VMCOREINFO_FORMAT_ELF  1

/* The ELF note: Elf64_Nhdr (the same three 32-bit words as Elf32_Nhdr),
 * the name "VMCOREINFO" with its NUL padded to 4 bytes, then the dump
 * header.  DUMP_HEADER32 is one page, DUMP_HEADER64 two. */
#define FWCFG_NOTE_NAME      "VMCOREINFO"
#define FWCFG_NOTE_NAME_SIZE 12 /* sizeof "VMCOREINFO" = 11, rounded up to 4 */
#if defined(_M_IX86)
#define FWCFG_DUMP_HEADER_SIZE 0x1000
#else
#define FWCFG_DUMP_HEADER_SIZE 0x2000
#endif
#define DUMP_TYPE_FULL 1

typedef struct _FWCFG_NOTE {
    ULONG NameSize;
    ULONG DescSize;
    ULONG Type;
    CHAR Name[FWCFG_NOTE_NAME_SIZE];
    UCHAR Desc[FWCFG_DUMP_HEADER_SIZE];
} FWCFG_NOTE;

/* Everything the device reads or writes by DMA, in one common buffer. */
typedef struct _FWCFG_DMA_AREA {
    FWCFG_DMA_ACCESS Access;
    FWCFG_VMCOREINFO Info;
    FWCFG_NOTE Note;
} FWCFG_DMA_AREA;

typedef struct _FWCFG_DEVICE {
    PVW_DEVICE Device;
    PUCHAR Base; /* port number or mapped MMIO */
    BOOLEAN IsPort;

    BOOLEAN HaveVmcoreinfo; /* the directory lists etc/vmcoreinfo */
    USHORT VmcoreinfoKey;

    PDMA_ADAPTER Dma;
    FWCFG_DMA_AREA *Area;
    PHYSICAL_ADDRESS AreaPa;
    BOOLEAN Published; /* the host holds a pointer into Area */
    USHORT HostFormat; /* as read from the item; written back unchanged */
} FWCFG_DEVICE, *PFWCFG_DEVICE;

/* fwcfg's state behind the framework's device header. IRQL: any. */
static inline PFWCFG_DEVICE FwCfgFromDevice(PVW_DEVICE Device)
{
    return (PFWCFG_DEVICE)VwDeviceContext(Device);
}

/* Documented (wdm.h in recent WDKs, ntoskrnl export), missing from mingw. */
NTKERNELAPI NTSTATUS NTAPI KeInitializeCrashDumpHeader(ULONG DumpType, ULONG Flags, PVOID Buffer,
                                                       ULONG BufferSize, PULONG BufferNeeded);

/* access.c: the registers */
VOID FwCfgSelect(PFWCFG_DEVICE Fw, USHORT Key);
VOID FwCfgReadData(PFWCFG_DEVICE Fw, PVOID Buffer, ULONG Length);
ULONGLONG FwCfgReadDmaRegister(PFWCFG_DEVICE Fw);
VOID FwCfgWriteDmaRegister(PFWCFG_DEVICE Fw, ULONGLONG Value);

/* directory.c */
NTSTATUS FwCfgFindFile(PFWCFG_DEVICE Fw, const char *Name, ULONG Size, PUSHORT Key, PBOOLEAN Found);

/* dma.c */
NTSTATUS FwCfgDmaTransfer(PFWCFG_DEVICE Fw, USHORT Key, ULONG Control, ULONGLONG Pa, ULONG Length);

/* vmcoreinfo.c */
NTSTATUS FwCfgPublishVmcoreinfo(PFWCFG_DEVICE Fw);
VOID FwCfgWithdrawVmcoreinfo(PFWCFG_DEVICE Fw);

/* device.c */
NTSTATUS FwCfgPrepareHardware(PVW_DEVICE Device, PVW_RESOURCES Resources);
VOID FwCfgReleaseHardware(PVW_DEVICE Device);
NTSTATUS FwCfgD0Entry(PVW_DEVICE Device, DEVICE_POWER_STATE Previous);

/* Orders memory against the device: the descriptor before the register
 * write that starts DMA, the control word read after it. IRQL: any. */
static inline VOID FwCfgMemoryBarrier(VOID)
{
#if defined(_M_ARM64)
    __asm__ __volatile__("dsb sy" ::: "memory");
#else
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

/* CPU order to big-endian (and back) for 32-bit fw_cfg fields. IRQL: any. */
static inline ULONG FwCfgBe32(ULONG v)
{
    return __builtin_bswap32(v);
}
/* CPU order to big-endian (and back) for 16-bit fw_cfg fields. IRQL: any. */
static inline USHORT FwCfgBe16(USHORT v)
{
    return __builtin_bswap16(v);
}
/* CPU order to big-endian (and back) for 64-bit fw_cfg fields. IRQL: any. */
static inline ULONGLONG FwCfgBe64(ULONGLONG v)
{
    return __builtin_bswap64(v);
}
