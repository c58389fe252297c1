/*
 * A StorPort miniport for the harness's stordisk PCI function
 * (port/storport/stordisk.h; not virtio, so it shares no reading with
 * viostor): finds its function through StorPortGetBusData (IDs, the MSI-X
 * capability), maps its BARs with StorPortGetDeviceBase, checks the ID
 * through a register and a port, and runs READ/WRITE(10) through request
 * descriptors in the uncached extension, one slot per outstanding request.
 * Completion in HwMSInterruptRoutine (per-message mode: each message's
 * slots under its own lock, StorPortAcquireMSISpinLock in HwStartIo) or in
 * HwInterrupt on the line; with "dpc=1" the ISR hands what finished to the
 * message's StorPort DPC, which completes it on the CPU that took the
 * interrupt.  Scenarios: selftest/storport_pci.c.
 * Built again as bad/badpcidisk.c with VWPCIDISK_PLANTED: "mode=N" in the
 * ArgumentString plants one bug (VWPCIDISK_BUG_*).
 */
#include <vw/storport.h>

#define SECTOR     512u
#define MAX_IO     16u
#define MAX_MSG    16u
#define MAX_SG     8u
#define DESC_BYTES 160u /* 32 + 16 * MAX_SG (stordisk.h) */
#define DISK_ID    0x44535756u

/* Registers (stordisk.h; our own copy of the numbers). */
#define REG_ID       0x00
#define REG_SECTORS  0x04
#define REG_DESC_LO  0x08
#define REG_DESC_HI  0x0c
#define REG_DOORBELL 0x10
#define REG_INT      0x14
#define REG_CONTROL  0x18
#define REG_CQ(m)    (0x100 + 4 * (m))
#define CQ_EMPTY     0xffffffffu

enum {
    VWPCIDISK_BUG_NONE,
    VWPCIDISK_BUG_EARLY_COMPLETE, /* a write completes at the doorbell, the device still busy */
    VWPCIDISK_BUG_MSI_RELOCK,     /* the ISR takes its own message's MSI lock */
    VWPCIDISK_BUG_MSI_LOCK_ALL,   /* StorPortAcquireMSISpinLock in InterruptSynchronizeAll mode */
    VWPCIDISK_BUG_TIMER_RELOCK,   /* HwTimer takes the StartIo lock StorPort holds */
    VWPCIDISK_BUG_UNMAPPED_DATA,  /* a write's DataBuffer read though it was never mapped */
    VWPCIDISK_BUG_RESET_POLLS,    /* HwResetBus waits for the ID a removed function never shows */
    VWPCIDISK_BUG_TOUCH_REMOVED,  /* HwResetBus resets the device it was told is gone */
    VWPCIDISK_BUG_DPC_AFTER_STOP, /* ScsiStopAdapter queues a DPC that reads the device */
    VWPCIDISK_BUG_CAPS_D1,        /* StorQueryCapabilities answered with DeviceD1 set */
    VWPCIDISK_BUG_RESET_LEAVES,   /* HwResetBus returns with the device still owning requests */
    VWPCIDISK_BUG_RESET_FALSE,    /* "late=1" whose timer never resets: requests never complete */
};

typedef struct _DESC {
    ULONG Op, Tag;
    ULONGLONG Lba;
    ULONG Sectors, Nsg, Status, Pad;
    struct {
        ULONGLONG Pa;
        ULONG Len, Pad;
    } Sg[MAX_SG];
} DESC, *PDESC;

typedef struct _SLOT {
    PVOID Srb; /* NULL: free; the message's lock (or the interrupt lock) guards it */
    BOOLEAN Early;
} SLOT;

typedef struct _VWPCI_EXT {
    volatile UCHAR *Regs; /* BAR0 */
    PULONG Port;          /* BAR1 (an I/O space device base) */
    PDESC Desc;           /* MAX_IO descriptors in the uncached extension */
    STOR_PHYSICAL_ADDRESS DescPa;
    ULONG Sectors, Messages, Next, Bug;
    BOOLEAN Line, PerMessage;
    SLOT Slots[MAX_IO];
    ULONG Completed, Spurious;
    BOOLEAN UseDpc, UseTimer, Dump;
    BOOLEAN LateReset; /* "late=1": HwResetBus returns FALSE, HwTimer resets 1 ms later */
    BOOLEAN WantConcurrent, Concurrent; /* "cc=1": concurrent channels, DPC redirection */
    ULONG TimerCalls;
    /* "sr=1": ScsiAdapterSurpriseRemoval claimed; Gone once it came. */
    BOOLEAN ClaimSurprise, Gone;
    STOR_DPC Dpc[MAX_MSG];
    PVOID Done[MAX_MSG][MAX_IO]; /* finished, for the DPC; the message's lock guards it */
    UCHAR DoneStatus[MAX_MSG][MAX_IO];
    ULONG DoneCount[MAX_MSG];
} VWPCI_EXT, *PVWPCI_EXT;

DRIVER_INITIALIZE DriverEntry;
static HW_FIND_ADAPTER PciFindAdapter;
static HW_INITIALIZE PciInitialize;
static HW_STARTIO PciStartIo;
static HW_INTERRUPT PciInterrupt;
static HW_MESSAGE_SIGNALED_INTERRUPT_ROUTINE PciMsiInterrupt;
static HW_RESET_BUS PciResetBus;
static HW_ADAPTER_CONTROL PciAdapterControl;
static HW_DPC_ROUTINE PciCompleteDpc;
static HW_TIMER PciTimer;
static HW_TIMER PciLateReset;

/* Any IRQL: the value after "KEY=" in ARGS (decimal), or 0. */
static ULONG ArgValue(PCHAR Args, const char *Key)
{
    for (PCHAR p = Args; p != NULL && *p != 0; p++) {
        const char *k = Key;
        PCHAR q = p;
        while (*k != 0 && *q == *k)
            q++, k++;
        if (*k == 0 && *q == '=') {
            ULONG v = 0;
            for (q++; *q >= '0' && *q <= '9'; q++)
                v = v * 10 + (ULONG)(*q - '0');
            return v;
        }
    }
    return 0;
}

/* Any IRQL: register access on BAR0. */
static ULONG Rd(PVWPCI_EXT Ext, ULONG Off)
{
    return StorPortReadRegisterUlong(Ext, (PULONG)(Ext->Regs + Off));
}

static VOID Wr(PVWPCI_EXT Ext, ULONG Off, ULONG Value)
{
    StorPortWriteRegisterUlong(Ext, (PULONG)(Ext->Regs + Off), Value);
}

/* PASSIVE_LEVEL: our function?  Its capabilities, BARs and disk size. */
static ULONG NTAPI PciFindAdapter(PVOID DeviceExtension, PVOID HwContext, PVOID BusInformation,
                                  PCHAR ArgumentString, PPORT_CONFIGURATION_INFORMATION ConfigInfo,
                                  PBOOLEAN Reserved3)
{
    PVWPCI_EXT ext = DeviceExtension;
    UCHAR cfg[256];
    UNREFERENCED_PARAMETER(HwContext);
    UNREFERENCED_PARAMETER(BusInformation);
    UNREFERENCED_PARAMETER(Reserved3);
#ifdef VWPCIDISK_PLANTED
    ext->Bug = ArgValue(ArgumentString, "mode");
#endif
    if (StorPortGetBusData(ext, PCIConfiguration, ConfigInfo->SystemIoBusNumber,
                           ConfigInfo->SlotNumber, cfg, sizeof(cfg)) != sizeof(cfg))
        return SP_RETURN_NOT_FOUND;
    if (cfg[0] != 0x36 || cfg[1] != 0x1b || cfg[2] != 0xfe || cfg[3] != 0x00)
        return SP_RETURN_NOT_FOUND;
    /* MSI-X present?  Walk the capability list (bounded: a hostile list
     * may loop). */
    BOOLEAN msix = FALSE;
    if (cfg[6] & 0x10)
        for (ULONG p = cfg[0x34] & 0xfc, n = 0; p >= 0x40 && p < 0xff && n < 48;
             p = cfg[p + 1] & 0xfc, n++)
            if (cfg[p] == 0x11)
                msix = TRUE;
    for (ULONG i = 0; i < ConfigInfo->NumberOfAccessRanges; i++) {
        ACCESS_RANGE *r = &(*ConfigInfo->AccessRanges)[i];
        if (r->RangeLength == 0)
            continue;
        PVOID base = StorPortGetDeviceBase(ext, ConfigInfo->AdapterInterfaceType,
                                           ConfigInfo->SystemIoBusNumber, r->RangeStart,
                                           r->RangeLength, (BOOLEAN)!r->RangeInMemory);
        if (r->RangeInMemory && r->RangeLength >= 0x1000)
            ext->Regs = base;
        else if (!r->RangeInMemory)
            ext->Port = base;
    }
    if (ext->Regs == NULL || ext->Port == NULL || Rd(ext, REG_ID) != DISK_ID ||
        StorPortReadPortUlong(ext, ext->Port) != DISK_ID)
        return SP_RETURN_NOT_FOUND;
    ext->Sectors = Rd(ext, REG_SECTORS);
    ext->Desc = StorPortGetUncachedExtension(ext, ConfigInfo, DESC_BYTES * MAX_IO);
    if (ext->Desc == NULL)
        return SP_RETURN_ERROR;
    ULONG len = 0;
    ext->DescPa = StorPortGetPhysicalAddress(ext, NULL, ext->Desc, &len);
    if (len < DESC_BYTES * MAX_IO)
        return SP_RETURN_ERROR; /* the descriptors must be contiguous */
    ConfigInfo->MaximumTransferLength = MAX_SG * 0x1000 - 0x1000;
    ConfigInfo->NumberOfPhysicalBreaks = MAX_SG - 1;
    ConfigInfo->NumberOfBuses = 1;
    ConfigInfo->MaximumNumberOfTargets = 1;
    ConfigInfo->MaximumNumberOfLogicalUnits = 1;
    ConfigInfo->ScatterGather = TRUE;
    ConfigInfo->Master = TRUE;
    ConfigInfo->SynchronizationModel = StorSynchronizeFullDuplex;
    /* The crash-dump copy ("dump=1", DumpMode set): polled through
     * HwInterrupt, no MSI routine, no DPCs or timers. */
    ext->Dump = ArgValue(ArgumentString, "dump") != 0 || ConfigInfo->DumpMode != 0;
    ext->Line = !msix || ext->Dump || ArgValue(ArgumentString, "line") != 0;
    if (!ext->Line) {
        ConfigInfo->HwMSInterruptRoutine = PciMsiInterrupt;
        ext->PerMessage = ext->Bug != VWPCIDISK_BUG_MSI_LOCK_ALL;
        ConfigInfo->InterruptSynchronizationMode =
            ext->PerMessage ? InterruptSynchronizePerMessage : InterruptSynchronizeAll;
    }
    ext->UseDpc = !ext->Dump && ArgValue(ArgumentString, "dpc") != 0;
    ext->ClaimSurprise = ArgValue(ArgumentString, "sr") != 0;
    ext->UseTimer = !ext->Dump && ArgValue(ArgumentString, "timer") != 0;
    ext->LateReset = !ext->Dump && ArgValue(ArgumentString, "late") != 0;
    ext->WantConcurrent = !ext->Dump && ArgValue(ArgumentString, "cc") != 0;
    for (ULONG m = 0; ext->UseDpc && m < MAX_MSG; m++)
        StorPortInitializeDpc(ext, &ext->Dpc[m], PciCompleteDpc);
    ConfigInfo->Dma64BitAddresses = SCSI_DMA64_MINIPORT_FULL64BIT_SUPPORTED;
    ConfigInfo->MaxNumberOfIO = MAX_IO;
    ConfigInfo->MaxIOsPerLun = MAX_IO;
    ConfigInfo->InitialLunQueueDepth = MAX_IO;
    return SP_RETURN_FOUND;
}

/* DIRQL, interrupt lock held: count the messages, enable the device. */
static BOOLEAN NTAPI PciInitialize(PVOID DeviceExtension)
{
    PVWPCI_EXT ext = DeviceExtension;
    MESSAGE_INTERRUPT_INFORMATION info;
    ext->Messages = 0;
    while (!ext->Line && ext->Messages < MAX_MSG &&
           StorPortGetMSIInfo(ext, ext->Messages, &info) == STOR_STATUS_SUCCESS)
        ext->Messages++;
    if (ext->Messages == 0)
        ext->Line = TRUE;
    /* "cc=1": HwStartIo on every CPU at once (each takes its message's
     * lock), completions redirected to the issuing CPU. */
    if (ext->WantConcurrent) {
        PERF_CONFIGURATION_DATA perf;
        RtlZeroMemory(&perf, sizeof(perf));
        perf.Version = STOR_PERF_VERSION;
        perf.Size = sizeof(perf);
        ULONG want = STOR_PERF_DPC_REDIRECTION | STOR_PERF_CONCURRENT_CHANNELS;
        if (StorPortInitializePerfOpts(ext, TRUE, &perf) == STOR_STATUS_SUCCESS &&
            (perf.Flags & want) == want) {
            perf.Flags = want;
            perf.ConcurrentChannels = MAX_IO;
            ext->Concurrent = StorPortInitializePerfOpts(ext, FALSE, &perf) == STOR_STATUS_SUCCESS;
        }
    }
    /* The dump copy takes the device over from the crashed instance: a
     * reset drops whatever that one left in flight. */
    if (ext->Dump)
        Wr(ext, REG_CONTROL, 0);
    Wr(ext, REG_CONTROL, 1);
    if (ext->UseTimer) /* a watchdog every millisecond, three times */
        StorPortNotification(RequestTimerCall, ext, PciTimer, 1000);
    return TRUE;
}

/* DISPATCH_LEVEL, StartIo lock held by StorPort: the watchdog. */
static VOID NTAPI PciTimer(PVOID DeviceExtension)
{
    PVWPCI_EXT ext = DeviceExtension;
    if (ext->Bug == VWPCIDISK_BUG_TIMER_RELOCK) {
        STOR_LOCK_HANDLE h;
        StorPortAcquireSpinLock(ext, StartIoLock, NULL, &h);
        StorPortReleaseSpinLock(ext, &h);
    }
    if (++ext->TimerCalls < 3)
        StorPortNotification(RequestTimerCall, ext, PciTimer, 1000);
}

static ULONG Be32(const UCHAR *p)
{
    return (ULONG)p[0] << 24 | (ULONG)p[1] << 16 | (ULONG)p[2] << 8 | p[3];
}

static VOID PutBe32(PUCHAR p, ULONG v)
{
    p[0] = (UCHAR)(v >> 24), p[1] = (UCHAR)(v >> 16), p[2] = (UCHAR)(v >> 8), p[3] = (UCHAR)v;
}

/* Any IRQL: hand SRB back with STATUS. */
static VOID Complete(PVWPCI_EXT Ext, PVOID Srb, UCHAR Status)
{
    SrbSetSrbStatus(Srb, Status);
    StorPortNotification(RequestComplete, Ext, Srb);
}

/* The message of slot S: slots are split between the messages, so each
 * message's lock guards its own. */
static ULONG SlotMessage(PVWPCI_EXT Ext, ULONG S)
{
    return Ext->Line ? 0 : S % Ext->Messages;
}

/* DISPATCH_LEVEL, StartIo lock held (none with concurrent channels): a
 * read or write to the device. */
static UCHAR Submit(PVWPCI_EXT ext, PVOID Srb, const UCHAR *Cdb)
{
    ULONG lba = Be32(Cdb + 2), blocks = (ULONG)Cdb[7] << 8 | Cdb[8];
    PSTOR_SCATTER_GATHER_LIST sg = StorPortGetScatterGatherList(ext, Srb);
    if (lba > ext->Sectors || blocks > ext->Sectors - lba ||
        SrbGetDataTransferLength(Srb) != blocks * SECTOR || sg == NULL ||
        sg->NumberOfElements > MAX_SG || blocks == 0)
        return SRB_STATUS_INVALID_REQUEST;
    if (ext->Bug == VWPCIDISK_BUG_UNMAPPED_DATA &&
        ((volatile UCHAR *)SrbGetDataBuffer(Srb))[0] == 0xee)
        return SRB_STATUS_ERROR;
    /* Concurrent channels: the slots of the message StorPort says suits
     * this CPU first, each slot under its message's lock (or the interrupt
     * lock): no StartIo lock serialises the CPUs, and Next is not shared. */
    ULONG first = ext->Next;
    STOR_LOCK_HANDLE h;
    if (ext->Concurrent && !ext->Line) {
        STARTIO_PERFORMANCE_PARAMETERS p;
        RtlZeroMemory(&p, sizeof(p));
        p.Size = sizeof(p);
        if (StorPortGetStartIoPerfParams(ext, Srb, &p) != STOR_STATUS_SUCCESS ||
            p.MessageNumber >= ext->Messages)
            return SRB_STATUS_ERROR;
        first = p.MessageNumber;
    }
    for (ULONG n = 0; n < MAX_IO; n++) {
        ULONG s = (first + n) % MAX_IO, m = SlotMessage(ext, s), old = 0;
        if (ext->PerMessage || ext->Bug == VWPCIDISK_BUG_MSI_LOCK_ALL)
            StorPortAcquireMSISpinLock(ext, m, &old);
        else if (ext->Concurrent)
            StorPortAcquireSpinLock(ext, InterruptLock, NULL, &h);
        BOOLEAN free = ext->Slots[s].Srb == NULL;
        if (free) {
            PDESC d = (PDESC)((PUCHAR)ext->Desc + DESC_BYTES * s);
            d->Op = Cdb[0] == 0x28 ? 1 : 2;
            d->Tag = s;
            d->Lba = lba;
            d->Sectors = blocks;
            d->Nsg = sg->NumberOfElements;
            d->Status = 0;
            for (ULONG i = 0; i < sg->NumberOfElements; i++) {
                d->Sg[i].Pa = (ULONGLONG)sg->List[i].PhysicalAddress.QuadPart;
                d->Sg[i].Len = sg->List[i].Length;
            }
            ext->Slots[s].Srb = Srb;
            ext->Slots[s].Early = ext->Bug == VWPCIDISK_BUG_EARLY_COMPLETE && d->Op == 2;
            ULONGLONG pa = (ULONGLONG)ext->DescPa.QuadPart + DESC_BYTES * s;
            Wr(ext, REG_DESC_LO, (ULONG)pa);
            Wr(ext, REG_DESC_HI, (ULONG)(pa >> 32));
            Wr(ext, REG_DOORBELL, m);
            if (!ext->Concurrent)
                ext->Next = s + 1;
        }
        if (ext->PerMessage || ext->Bug == VWPCIDISK_BUG_MSI_LOCK_ALL)
            StorPortReleaseMSISpinLock(ext, m, old);
        else if (ext->Concurrent)
            StorPortReleaseSpinLock(ext, &h);
        if (free) /* the bug: "done" before the device is */
            return ext->Slots[s].Early ? SRB_STATUS_SUCCESS : SRB_STATUS_PENDING;
    }
    return SRB_STATUS_BUSY;
}

/* DISPATCH_LEVEL, StartIo lock held. */
static BOOLEAN NTAPI PciStartIo(PVOID DeviceExtension, PVOID Srb)
{
    PVWPCI_EXT ext = DeviceExtension;
    UCHAR status = SRB_STATUS_INVALID_REQUEST, d[36] = {0};
    ULONG fn = SrbGetSrbFunction(Srb);
    if (fn == SRB_FUNCTION_RESET_LOGICAL_UNIT || fn == SRB_FUNCTION_RESET_DEVICE) {
        /* No LUN or target reset here ("if possible": srb/ns-srb-
         * _storage_request_block): refused, StorPort goes on to HwResetBus. */
        Complete(ext, Srb, SRB_STATUS_INVALID_REQUEST);
        return TRUE;
    }
    if (fn != SRB_FUNCTION_EXECUTE_SCSI) {
        /* A PnP SRB with STOR_DEVICE_CAPABILITIES_EX (24 bytes) is the
         * capabilities query; the RAM disk keeps StorPort's defaults. */
        if (ext->Bug == VWPCIDISK_BUG_CAPS_D1 && SrbGetSrbFunction(Srb) == SRB_FUNCTION_PNP &&
            SrbGetDataTransferLength(Srb) == 24)
            ((PUCHAR)SrbGetDataBuffer(Srb))[4] |= 1;
        Complete(ext, Srb, SRB_STATUS_SUCCESS);
        return TRUE;
    }
    PUCHAR cdb = SrbGetCdb(Srb), buf = SrbGetDataBuffer(Srb);
    ULONG room = SrbGetDataTransferLength(Srb);
    switch (cdb[0]) {
    case 0x00: /* TEST UNIT READY */
        status = SRB_STATUS_SUCCESS;
        break;
    case 0x12: /* INQUIRY, standard page only */
        if ((cdb[1] & 1) != 0 || room < 36)
            break;
        d[2] = 6, d[3] = 2, d[4] = 31;
        for (ULONG i = 0; i < 16; i++)
            d[8 + i] = (UCHAR) "VW      PCIDISK "[i];
        for (ULONG i = 0; i < 36; i++)
            buf[i] = d[i];
        SrbSetDataTransferLength(Srb, 36);
        status = SRB_STATUS_SUCCESS;
        break;
    case 0x25: /* READ CAPACITY(10) */
        if (room < 8)
            break;
        PutBe32(buf, ext->Sectors - 1), PutBe32(buf + 4, SECTOR);
        status = SRB_STATUS_SUCCESS;
        break;
    case 0x28: /* READ(10) */
    case 0x2a: /* WRITE(10) */
        status = Submit(ext, Srb, cdb);
        break;
    }
    if (status != SRB_STATUS_PENDING)
        Complete(ext, Srb, status);
    return TRUE;
}

/* DIRQL, the lock of message M (or the interrupt lock): complete what the
 * device finished on M; TRUE if there was any. */
static BOOLEAN Drain(PVWPCI_EXT ext, ULONG M)
{
    BOOLEAN any = FALSE;
    for (ULONG n = 0; n < MAX_IO + 1; n++) {
        ULONG tag = Rd(ext, REG_CQ(M));
        if (tag == CQ_EMPTY)
            break;
        any = TRUE;
        /* A tag from the device is checked before it is used. */
        if (tag >= MAX_IO || SlotMessage(ext, tag) != M || ext->Slots[tag].Srb == NULL) {
            ext->Spurious++;
            continue;
        }
        PVOID srb = ext->Slots[tag].Srb;
        PDESC d = (PDESC)((PUCHAR)ext->Desc + DESC_BYTES * tag);
        BOOLEAN early = ext->Slots[tag].Early;
        ext->Slots[tag].Srb = NULL;
        ext->Completed++;
        UCHAR status = d->Status == 1 ? SRB_STATUS_SUCCESS : SRB_STATUS_ERROR;
        if (early)
            continue;
        if (!ext->UseDpc) {
            Complete(ext, srb, status);
            continue;
        }
        ext->Done[M][ext->DoneCount[M]] = srb;
        ext->DoneStatus[M][ext->DoneCount[M]++] = status;
    }
    if (ext->UseDpc && ext->DoneCount[M] != 0)
        StorPortIssueDpc(ext, &ext->Dpc[M], (PVOID)(ULONG_PTR)M, NULL);
    return any;
}

/* DISPATCH_LEVEL, no lock, on the CPU whose ISR issued it: take what
 * message M finished (under its lock, or the interrupt lock when the
 * messages share one) and complete it outside the lock. */
static VOID NTAPI PciCompleteDpc(PSTOR_DPC Dpc, PVOID DeviceExtension, PVOID Arg1, PVOID Arg2)
{
    PVWPCI_EXT ext = DeviceExtension;
    ULONG m = (ULONG)(ULONG_PTR)Arg1, n, old = 0;
    PVOID srbs[MAX_IO];
    UCHAR status[MAX_IO];
    STOR_LOCK_HANDLE h;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Arg2);
    if (m >= MAX_MSG) { /* the planted DPC queued by ScsiStopAdapter */
        if (ext->Bug == VWPCIDISK_BUG_DPC_AFTER_STOP)
            (void)Rd(ext, REG_INT);
        return;
    }
    if (ext->PerMessage)
        StorPortAcquireMSISpinLock(ext, m, &old);
    else
        StorPortAcquireSpinLock(ext, InterruptLock, NULL, &h);
    n = ext->DoneCount[m];
    for (ULONG i = 0; i < n; i++)
        srbs[i] = ext->Done[m][i], status[i] = ext->DoneStatus[m][i];
    ext->DoneCount[m] = 0;
    if (ext->PerMessage)
        StorPortReleaseMSISpinLock(ext, m, old);
    else
        StorPortReleaseSpinLock(ext, &h);
    for (ULONG i = 0; i < n; i++)
        Complete(ext, srbs[i], status[i]);
}

/* DIRQL, interrupt lock held: the line. */
static BOOLEAN NTAPI PciInterrupt(PVOID DeviceExtension)
{
    PVWPCI_EXT ext = DeviceExtension;
    if (ext->Dump) /* polled: the device may signal nothing at all */
        return Drain(ext, 0);
    if (Rd(ext, REG_INT) == 0)
        return FALSE; /* not ours (a shared line) */
    Drain(ext, 0);
    return TRUE;
}

/* DIRQL, message M's lock held (per-message mode). */
static BOOLEAN NTAPI PciMsiInterrupt(PVOID DeviceExtension, ULONG MessageId)
{
    PVWPCI_EXT ext = DeviceExtension;
    if (MessageId >= ext->Messages)
        return FALSE;
    if (ext->Bug == VWPCIDISK_BUG_MSI_RELOCK) {
        ULONG old;
        StorPortAcquireMSISpinLock(ext, MessageId, &old);
        StorPortReleaseMSISpinLock(ext, MessageId, old);
    }
    return Drain(ext, MessageId);
}

static BOOLEAN ResetNow(PVWPCI_EXT ext);

/* DISPATCH_LEVEL, StartIo lock held (HwTimer): the reset HwResetBus put
 * off ("late=1"); the planted twin's mode 11 never does it. */
static VOID NTAPI PciLateReset(PVOID DeviceExtension)
{
    PVWPCI_EXT ext = DeviceExtension;
    if (ext->Bug != VWPCIDISK_BUG_RESET_FALSE)
        ResetNow(ext);
}

/* DISPATCH_LEVEL, StartIo lock held: reset the device, then every request
 * it had ends with BUS_RESET; with "late=1" the bus is not reset now
 * (FALSE) and HwTimer does it 1 ms later. */
static BOOLEAN NTAPI PciResetBus(PVOID DeviceExtension, ULONG PathId)
{
    PVWPCI_EXT ext = DeviceExtension;
    UNREFERENCED_PARAMETER(PathId);
    if (ext->LateReset && !ext->Gone) {
        StorPortNotification(RequestTimerCall, ext, PciLateReset, 1000);
        return FALSE;
    }
    return ResetNow(ext);
}

/* The reset itself; the interrupt lock keeps the ISRs out. */
static BOOLEAN ResetNow(PVWPCI_EXT ext)
{
    STOR_LOCK_HANDLE h;
    StorPortAcquireSpinLock(ext, InterruptLock, NULL, &h);
    /* A function StorPort said is gone is not touched: it answers nothing. */
    BOOLEAN touch = !ext->Gone || ext->Bug == VWPCIDISK_BUG_TOUCH_REMOVED;
    if (ext->Bug == VWPCIDISK_BUG_RESET_LEAVES) { /* StorPort completes what the device holds */
        StorPortReleaseSpinLock(ext, &h);
        return TRUE;
    }
    if (ext->Bug == VWPCIDISK_BUG_RESET_POLLS)
        for (ULONG i = 0; i < 100000 && Rd(ext, REG_ID) != DISK_ID; i++)
            ;
    if (touch)
        Wr(ext, REG_CONTROL, 0); /* the device drops what it had: nothing is its any more */
    for (ULONG s = 0; s < MAX_IO; s++)
        if (ext->Slots[s].Srb != NULL) {
            PVOID srb = ext->Slots[s].Srb;
            ext->Slots[s].Srb = NULL;
            Complete(ext, srb, SRB_STATUS_BUS_RESET);
        }
    /* Finished but not yet completed by a DPC: theirs is the device's answer. */
    for (ULONG m = 0; m < MAX_MSG; m++) {
        for (ULONG i = 0; i < ext->DoneCount[m]; i++)
            Complete(ext, ext->Done[m][i], ext->DoneStatus[m][i]);
        ext->DoneCount[m] = 0;
    }
    if (touch)
        Wr(ext, REG_CONTROL, 1);
    StorPortReleaseSpinLock(ext, &h);
    return TRUE;
}

/* PASSIVE_LEVEL (query, surprise removal) or DIRQL with the interrupt
 * lock (stop, restart). */
static SCSI_ADAPTER_CONTROL_STATUS NTAPI PciAdapterControl(PVOID DeviceExtension,
                                                           SCSI_ADAPTER_CONTROL_TYPE ControlType,
                                                           PVOID Parameters)
{
    PVWPCI_EXT ext = DeviceExtension;
    switch (ControlType) {
    case ScsiQuerySupportedControlTypes: {
        PSCSI_SUPPORTED_CONTROL_TYPE_LIST list = Parameters;
        ULONG max = list->MaxControlType;
        if (max > ScsiStopAdapter)
            list->SupportedTypeList[ScsiStopAdapter] = TRUE;
        if (max > ScsiRestartAdapter)
            list->SupportedTypeList[ScsiRestartAdapter] = TRUE;
        if (ext->ClaimSurprise && max > ScsiAdapterSurpriseRemoval)
            list->SupportedTypeList[ScsiAdapterSurpriseRemoval] = TRUE;
        return ScsiAdapterControlSuccess;
    }
    case ScsiAdapterSurpriseRemoval:
        ext->Gone = TRUE;
        return ScsiAdapterControlSuccess;
    case ScsiStopAdapter:
        if (!ext->Gone)
            Wr(ext, REG_CONTROL, 0);
        if (ext->Bug == VWPCIDISK_BUG_DPC_AFTER_STOP && ext->UseDpc)
            StorPortIssueDpc(ext, &ext->Dpc[0], (PVOID)(ULONG_PTR)MAX_MSG, NULL);
        return ScsiAdapterControlSuccess;
    case ScsiRestartAdapter:
        Wr(ext, REG_CONTROL, 1);
        return ScsiAdapterControlSuccess;
    default:
        return ScsiAdapterControlUnsuccessful;
    }
}

/* PASSIVE_LEVEL. */
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    HW_INITIALIZATION_DATA hw;
    RtlZeroMemory(&hw, sizeof(hw));
    hw.HwInitializationDataSize = sizeof(hw);
    hw.AdapterInterfaceType = PCIBus;
    hw.HwInitialize = PciInitialize;
    hw.HwStartIo = PciStartIo;
    hw.HwInterrupt = PciInterrupt;
    hw.HwFindAdapter = PciFindAdapter;
    hw.HwResetBus = PciResetBus;
    hw.HwAdapterControl = PciAdapterControl;
    hw.NumberOfAccessRanges = 2;
    hw.DeviceExtensionSize = sizeof(VWPCI_EXT);
    hw.SrbExtensionSize = 0;
    hw.MapBuffers = STOR_MAP_NON_READ_WRITE_BUFFERS;
    hw.NeedPhysicalAddresses = TRUE;
    hw.TaggedQueuing = TRUE;
    hw.AutoRequestSense = TRUE;
    hw.MultipleRequestPerLu = TRUE;
    hw.SrbTypeFlags = SRB_TYPE_FLAG_STORAGE_REQUEST_BLOCK;
    hw.AddressTypeFlags = ADDRESS_TYPE_FLAG_BTL8;
    return (NTSTATUS)StorPortInitialize(DriverObject, RegistryPath, &hw, NULL);
}
