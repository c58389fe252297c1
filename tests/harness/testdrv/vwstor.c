/*
 * A RAM-disk StorPort miniport with no device (not a virtio driver): the
 * purpose-built driver that exercises the harness's StorPort emulation
 * (port/storport/, scenarios in selftest/storport.c).  64 KiB of disk live
 * in the uncached extension; reads and writes are queued by HwStartIo and
 * completed by a StorPort DPC, everything else completes in HwStartIo.
 * ArgumentString "hang=1" holds reads until a bus reset (the time-out path);
 * "dump=1" is the crash-dump instance (inline completion, no DPC);
 * "pause=1" pauses the adapter at the first write and resumes it from the
 * DPC ("pause=2": never resumes, the 1 s pause runs out); "busy=N" answers
 * SRB_STATUS_BUSY to the first N writes HwStartIo gets; "lureset=N" and "devreset=N" say how it
 * answers a LUN or target reset SRB: 0 resets (every held request ends BUS_RESET, then the SRB
 * SUCCESS), 1 holds the SRB (only HwResetBus ends it), 2 fails it;
 * "pstall=1" with "config=1" busy-waits 5 ms in ScsiSetRunningConfig
 * (PASSIVE_LEVEL: allowed in 500 us steps); "sc=N" calls
 * StorPortStateChangeDetected(ChangedEntity N) at each TEST UNIT READY for
 * the SRB's address, and the vendor command 0xC0 reads back what it
 * returned and what HwStateChange saw (17 bytes: the last, whether its
 * Context and Address arrived as given).
 * Built again as bad/badstor.c with VWSTOR_PLANTED: "mode=N" in the
 * ArgumentString then plants one bug per checker (VWSTOR_BUG_*).
 */
#include <vw/storport.h>

#define SECTOR       512u
#define DISK_SECTORS 128u
#define DISK_BYTES   (SECTOR * DISK_SECTORS)
/* The dump copy's disk: within the 32 KiB a dump-mode miniport may ask for */
#define DUMP_SECTORS 32u
#define MAX_QUEUED   32u
#define MAX_IO       8u
#define SRBEXT_MAGIC 0x56535452u /* "VSTR" */

enum {
    VWSTOR_BUG_NONE,
    VWSTOR_BUG_DOUBLE_COMPLETE, /* the DPC completes its first request twice */
    VWSTOR_BUG_AFTER_RESET,     /* HwResetBus leaves its requests; the DPC completes them later */
    VWSTOR_BUG_RELOCK,          /* HwStartIo takes the StartIo lock StorPort already holds */
    VWSTOR_BUG_UNCACHED_LATE,   /* StorPortGetUncachedExtension from HwInitialize */
    VWSTOR_BUG_ISR_PAUSE,       /* StorPortPause (<= DISPATCH_LEVEL) from HwInterrupt */
    VWSTOR_BUG_CONTROL_OVERRUN, /* writes SupportedTypeList[MaxControlType] */
    VWSTOR_BUG_SENSE_OVERRUN,   /* 18 bytes of sense whatever SenseInfoBufferLength says */
    VWSTOR_BUG_SENSE_NO_BUFFER, /* AUTOSENSE_VALID on an SRB with no sense buffer */
    VWSTOR_BUG_REG_FOREIGN,     /* StorPortRegistryRead into the device extension */
    VWSTOR_BUG_REG_OVERLONG,    /* BufferLength larger than the registry buffer */
    VWSTOR_BUG_REG_LEAK,        /* the registry buffer never freed */
    VWSTOR_BUG_IOCTL_LENGTH,    /* SRB_IO_CONTROL.Length set past the buffer */
    VWSTOR_BUG_NO_RESTART,      /* ScsiRestartAdapter not claimed */
    VWSTOR_BUG_DUMP_MEMORY,     /* the dump copy asks for the whole 64 KiB disk */
    VWSTOR_BUG_LONG_STALL,      /* HwStartIo busy-waits 10 ms in 500 us stalls */
    VWSTOR_BUG_RESET_KEEPS,     /* a LUN reset SRB succeeds, the held reads stay held */
    VWSTOR_BUG_INIT_STALL,      /* HwInitialize busy-waits 2 ms (at DIRQL) */
    VWSTOR_BUG_STOP_STALL,      /* HwAdapterControl(ScsiStopAdapter) busy-waits 2 ms (DIRQL) */
    VWSTOR_BUG_DPC_STALL,       /* the DPC busy-waits 2 ms (DISPATCH_LEVEL) */
    VWSTOR_BUG_BUILDIO_STALL,   /* HwBuildIo busy-waits 2 ms (DISPATCH_LEVEL) */
    VWSTOR_BUG_WHOLE_MS,        /* HwFindAdapter stalls a full millisecond in one call */
    VWSTOR_BUG_SC_CDECL,        /* HwStateChange declared __cdecl (x86: pops no arguments) */
    VWSTOR_BUG_SC_SWAPPED,      /* HwStateChange reads Context and Address swapped */
};

/* How a LUN or target reset SRB is answered ("lureset=N", "devreset=N"). */
enum { RESET_DOES, RESET_HOLDS, RESET_FAILS };

typedef struct _VWSTOR_EXT {
    PUCHAR Disk;
    ULONG Sectors; /* of the disk in the uncached extension */
    STOR_DPC Dpc;
    BOOLEAN DpcReady, Dump, Hang, Stopped, PauseOnce, Paused;
    ULONG Bug;
    ULONG Queued, Held, Restarts;
    ULONG Messages, PerfFlags, LastCpu;
    ULONG RegScratch[4];     /* the planted foreign registry buffer */
    BOOLEAN UnitAttention;   /* "ua=1": the next read or write reports a reset */
    BOOLEAN NoInquiry;       /* "noinq=1": INQUIRY ends in a selection time-out (no target) */
    BOOLEAN Config;          /* "config=1": claims ScsiSetBootConfig/SetRunningConfig */
    BOOLEAN PassiveStall;    /* "pstall=1": ScsiSetRunningConfig busy-waits 5 ms */
    ULONG LuReset, DevReset; /* RESET_DOES, RESET_HOLDS or RESET_FAILS */
    PVOID Queue[MAX_QUEUED]; /* under the StartIo lock */
    PVOID HeldSrbs[MAX_QUEUED];
    /* "sc=N": the entity notified, the address given (it must stay until
     * HwStateChange), the last status returned, and what the callback
     * saw: its calls, Status, AddressType, target and LUN. */
    ULONG ScEntity, ScReturned, ScCalls, ScStatus;
    ULONG ScContext;       /* its address is the Context given; bits: Context, Address intact */
    ULONG BusyLeft;        /* "busy=N": writes still to answer BUSY */
    BOOLEAN PauseNoResume; /* "pause=2" */
    STOR_ADDR_BTL8 ScAddr;
    USHORT ScType;
    UCHAR ScTarget, ScLun;
} VWSTOR_EXT, *PVWSTOR_EXT;

typedef struct _VWSTOR_SRBEXT {
    ULONG Magic; /* written by HwBuildIo: StorPort never initialises it */
    ULONG Lba, Blocks;
} VWSTOR_SRBEXT, *PVWSTOR_SRBEXT;

/* Any IRQL: busy-wait US microseconds in 500 us stalls, each within the
 * documented limit (a device poll). */
static VOID BusyWait(ULONG Us)
{
    for (; Us >= 500; Us -= 500)
        StorPortStallExecution(500);
}

DRIVER_INITIALIZE DriverEntry;
static HW_FIND_ADAPTER StorFindAdapter;
static HW_INITIALIZE StorInitialize;
static HW_PASSIVE_INITIALIZE_ROUTINE StorPassiveInit;
static HW_BUILDIO StorBuildIo;
static HW_STARTIO StorStartIo;
static HW_INTERRUPT StorInterrupt;
static HW_MESSAGE_SIGNALED_INTERRUPT_ROUTINE StorMsiInterrupt;
static HW_RESET_BUS StorResetBus;
static HW_ADAPTER_CONTROL StorAdapterControl;
static HW_DPC_ROUTINE StorCompleteDpc;

/* Any IRQL: the value after "KEY=" in ARGS (a decimal digit string), or 0. */
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

/* Any IRQL: CHECK CONDITION with fixed-format sense KEY/ASC/ASCQ, as much
 * of it as SenseInfoBufferLength allows (lowered to what was written); the
 * SRB status to complete with. */
static UCHAR CheckCondition(PVWSTOR_EXT Ext, PVOID Srb, UCHAR Key, UCHAR Asc, UCHAR Ascq)
{
    PSRBEX_DATA_SCSI_CDB16 d =
        (PSRBEX_DATA_SCSI_CDB16)VwSrbExData((PSTORAGE_REQUEST_BLOCK)Srb, SrbExDataTypeScsiCdb16);
    UCHAR sense[48] = {0x70, 0, Key, 0, 0, 0, 0, 10, 0, 0, 0, 0, Asc, Ascq};
    SrbSetScsiStatus(Srb, 0x02); /* SCSISTAT_CHECK_CONDITION */
    if (d == NULL)
        return SRB_STATUS_ERROR;
    ULONG room = d->SenseInfoBufferLength, n = 18;
    if (Ext->Bug == VWSTOR_BUG_SENSE_OVERRUN)
        room = n = 18; /* the standard 18 bytes, whatever the buffer holds */
    if (d->SenseInfoBuffer == NULL || room == 0)
        return Ext->Bug == VWSTOR_BUG_SENSE_NO_BUFFER
                   ? SRB_STATUS_ERROR | SRB_STATUS_AUTOSENSE_VALID
                   : SRB_STATUS_ERROR;
    if (n > room)
        n = room;
    for (ULONG i = 0; i < n; i++)
        ((PUCHAR)d->SenseInfoBuffer)[i] = sense[i];
    if (Ext->Bug != VWSTOR_BUG_SENSE_OVERRUN)
        d->SenseInfoBufferLength = (UCHAR)n;
    return SRB_STATUS_ERROR | SRB_STATUS_AUTOSENSE_VALID;
}

/* Any IRQL: hand SRB back to StorPort with STATUS. */
static VOID Complete(PVWSTOR_EXT Ext, PVOID Srb, UCHAR Status)
{
    SrbSetSrbStatus(Srb, Status);
    StorPortNotification(RequestComplete, Ext, Srb);
}

/* PASSIVE_LEVEL: the DWORD NAME under Parameters\\Device (GLOBAL) or
 * Device0 through the registry buffer, or DEFAULT when it cannot be read. */
static ULONG RegistryDword(PVWSTOR_EXT Ext, const char *Name, ULONG Global, ULONG Default)
{
    ULONG len = sizeof(ULONG), value = Default;
    PUCHAR buf = StorPortAllocateRegistryBuffer(Ext, &len);
    if (buf == NULL)
        return Default;
    PUCHAR target = Ext->Bug == VWSTOR_BUG_REG_FOREIGN ? (PUCHAR)Ext->RegScratch : buf;
    ULONG room = Ext->Bug == VWSTOR_BUG_REG_OVERLONG ? len + 64 : len;
    if (StorPortRegistryRead(Ext, (PUCHAR)Name, Global, MINIPORT_REG_DWORD, target, &room) &&
        room == sizeof(ULONG))
        value = *(ULONG *)buf;
    if (Ext->Bug != VWSTOR_BUG_REG_LEAK)
        StorPortFreeRegistryBuffer(Ext, buf);
    return value;
}

/* PASSIVE_LEVEL: count this start in "VwstorStarts" (Device0). */
static VOID RegistryCountStart(PVWSTOR_EXT Ext)
{
    ULONG len = sizeof(ULONG), starts = RegistryDword(Ext, "VwstorStarts", 0, 0) + 1;
    PUCHAR buf = StorPortAllocateRegistryBuffer(Ext, &len);
    if (buf == NULL)
        return;
    *(ULONG *)buf = starts;
    StorPortRegistryWrite(Ext, (PUCHAR) "VwstorStarts", 0, MINIPORT_REG_DWORD, buf, sizeof(ULONG));
    StorPortFreeRegistryBuffer(Ext, buf);
}

/* PASSIVE_LEVEL (HIGH_LEVEL in dump mode): claim the "adapter". */
static ULONG NTAPI StorFindAdapter(PVOID DeviceExtension, PVOID HwContext, PVOID BusInformation,
                                   PCHAR ArgumentString, PPORT_CONFIGURATION_INFORMATION ConfigInfo,
                                   PBOOLEAN Reserved3)
{
    PVWSTOR_EXT ext = DeviceExtension;
    UNREFERENCED_PARAMETER(HwContext);
    UNREFERENCED_PARAMETER(BusInformation);
    UNREFERENCED_PARAMETER(Reserved3);
    ext->Dump = ArgValue(ArgumentString, "dump") != 0;
    ext->Hang = ArgValue(ArgumentString, "hang") != 0;
    ext->PauseOnce = ArgValue(ArgumentString, "pause") != 0;
#ifdef VWSTOR_PLANTED
    ext->Bug = ArgValue(ArgumentString, "mode");
#endif
    ext->UnitAttention = ArgValue(ArgumentString, "ua") != 0;
    ext->NoInquiry = ArgValue(ArgumentString, "noinq") != 0;
    ext->Config = ArgValue(ArgumentString, "config") != 0;
    ext->PassiveStall = ArgValue(ArgumentString, "pstall") != 0;
    ext->ScEntity = ArgValue(ArgumentString, "sc");
    ext->BusyLeft = ArgValue(ArgumentString, "busy");
    ext->PauseNoResume = ArgValue(ArgumentString, "pause") == 2;
    if (ext->Bug == VWSTOR_BUG_WHOLE_MS)
        StorPortStallExecution(1000);
    ext->LuReset = ArgValue(ArgumentString, "lureset");
    ext->DevReset = ArgValue(ArgumentString, "devreset");
    ConfigInfo->MaximumTransferLength = 16 * 1024;
    ConfigInfo->NumberOfPhysicalBreaks = 5;
    if (!ext->Dump) { /* the registry is PASSIVE_LEVEL only: never in dump mode */
        ULONG breaks = RegistryDword(ext, "PhysicalBreaks", 1, 5);
        if (breaks >= 1 && breaks <= 16)
            ConfigInfo->NumberOfPhysicalBreaks = breaks;
        RegistryCountStart(ext);
    }
    ConfigInfo->AlignmentMask = 3;
    ConfigInfo->NumberOfBuses = 1;
    ConfigInfo->MaximumNumberOfTargets = 1;
    ConfigInfo->MaximumNumberOfLogicalUnits = 1;
    ConfigInfo->ScatterGather = TRUE;
    ConfigInfo->Master = TRUE;
    ConfigInfo->CachesData = TRUE;
    ConfigInfo->SynchronizationModel = StorSynchronizeFullDuplex;
    ConfigInfo->HwMSInterruptRoutine = StorMsiInterrupt;
    ConfigInfo->InterruptSynchronizationMode = InterruptSynchronizePerMessage;
    ConfigInfo->Dma64BitAddresses = SCSI_DMA64_MINIPORT_FULL64BIT_SUPPORTED;
    ConfigInfo->MaxNumberOfIO = MAX_IO;
    ConfigInfo->MaxIOsPerLun = MAX_IO;
    ConfigInfo->InitialLunQueueDepth = MAX_IO;
    ext->Sectors = ext->Dump && ext->Bug != VWSTOR_BUG_DUMP_MEMORY ? DUMP_SECTORS : DISK_SECTORS;
    if (ext->Bug != VWSTOR_BUG_UNCACHED_LATE) {
        ext->Disk = StorPortGetUncachedExtension(ext, ConfigInfo, ext->Sectors * SECTOR);
        if (ext->Disk == NULL)
            return SP_RETURN_ERROR;
    }
    return SP_RETURN_FOUND;
}

/* DIRQL, interrupt lock held: the device is ready; DPCs come later. */
static BOOLEAN NTAPI StorInitialize(PVOID DeviceExtension)
{
    PVWSTOR_EXT ext = DeviceExtension;
    MESSAGE_INTERRUPT_INFORMATION info;
    if (ext->Bug == VWSTOR_BUG_UNCACHED_LATE)
        ext->Disk = StorPortGetUncachedExtension(ext, NULL, DISK_BYTES);
    if (ext->Bug == VWSTOR_BUG_INIT_STALL)
        BusyWait(2000);
    /* Count the granted messages as upstream does: ids 0, 1, ... until one fails. */
    for (ext->Messages = 0; ext->Messages < 16; ext->Messages++)
        if (StorPortGetMSIInfo(ext, ext->Messages, &info) != STOR_STATUS_SUCCESS)
            break;
    if (!ext->Dump && !ext->DpcReady)
        return StorPortEnablePassiveInitialization(ext, StorPassiveInit);
    return TRUE;
}

/* PASSIVE_LEVEL: where StorPortInitializeDpc belongs. */
static BOOLEAN NTAPI StorPassiveInit(PVOID DeviceExtension)
{
    PVWSTOR_EXT ext = DeviceExtension;
    PERF_CONFIGURATION_DATA perf;
    RtlZeroMemory(&perf, sizeof(perf));
    perf.Version = STOR_PERF_VERSION;
    perf.Size = sizeof(perf);
    /* Query, then ask for DPC redirection only (no concurrent StartIo). */
    if (StorPortInitializePerfOpts(ext, TRUE, &perf) == STOR_STATUS_SUCCESS &&
        (perf.Flags & STOR_PERF_DPC_REDIRECTION)) {
        perf.Flags = STOR_PERF_DPC_REDIRECTION;
        if (StorPortInitializePerfOpts(ext, FALSE, &perf) == STOR_STATUS_SUCCESS)
            ext->PerfFlags = perf.Flags;
    }
    StorPortInitializeDpc(ext, &ext->Dpc, StorCompleteDpc);
    ext->DpcReady = TRUE;
    return TRUE;
}

static ULONG Be32(const UCHAR *p)
{
    return (ULONG)p[0] << 24 | (ULONG)p[1] << 16 | (ULONG)p[2] << 8 | p[3];
}

static VOID PutBe32(PUCHAR p, ULONG v)
{
    p[0] = (UCHAR)(v >> 24), p[1] = (UCHAR)(v >> 16), p[2] = (UCHAR)(v >> 8), p[3] = (UCHAR)v;
}

/* The LBA and block count of a READ/WRITE(10/16) or WRITE SAME(16) CDB. */
static BOOLEAN RwRange(const UCHAR *Cdb, ULONG *Lba, ULONG *Blocks)
{
    switch (Cdb[0]) {
    case 0x28: /* READ(10) */
    case 0x2a: /* WRITE(10) */
        *Lba = Be32(Cdb + 2), *Blocks = (ULONG)Cdb[7] << 8 | Cdb[8];
        return TRUE;
    case 0x88: /* READ(16) */
    case 0x8a: /* WRITE(16) */
    case 0x93: /* WRITE SAME(16) */
        if (Be32(Cdb + 2) != 0)
            return FALSE; /* beyond 2 TiB: not this disk */
        *Lba = Be32(Cdb + 6), *Blocks = Be32(Cdb + 10);
        return TRUE;
    }
    return FALSE;
}

/* DISPATCH_LEVEL, no lock: check the request, fill the SRB extension. */
static BOOLEAN NTAPI StorBuildIo(PVOID DeviceExtension, PVOID Srb)
{
    PVWSTOR_EXT ext = DeviceExtension;
    PVWSTOR_SRBEXT se = SrbGetMiniportContext(Srb);
    if (ext->Bug == VWSTOR_BUG_BUILDIO_STALL)
        BusyWait(2000);
    se->Magic = SRBEXT_MAGIC;
    se->Lba = se->Blocks = 0;
    if (SrbGetSrbFunction(Srb) != SRB_FUNCTION_EXECUTE_SCSI)
        return TRUE;
    PUCHAR cdb = SrbGetCdb(Srb);
    if (cdb == NULL) {
        Complete(ext, Srb, SRB_STATUS_BAD_SRB_BLOCK_LENGTH);
        return FALSE;
    }
    ULONG lba, blocks;
    if (RwRange(cdb, &lba, &blocks)) {
        if (lba > ext->Sectors || blocks > ext->Sectors - lba ||
            (cdb[0] != 0x93 && SrbGetDataTransferLength(Srb) != blocks * SECTOR)) {
            Complete(ext, Srb, SRB_STATUS_INVALID_REQUEST);
            return FALSE;
        }
        se->Lba = lba, se->Blocks = blocks;
    }
    return TRUE;
}

/* Any IRQL: copy LEN bytes of DATA into the reply buffer of SRB. */
static VOID Reply(PVOID Srb, const UCHAR *Data, ULONG Len)
{
    PUCHAR buf = SrbGetDataBuffer(Srb);
    ULONG room = SrbGetDataTransferLength(Srb);
    if (Len > room)
        Len = room;
    for (ULONG i = 0; i < Len; i++)
        buf[i] = Data[i];
    SrbSetDataTransferLength(Srb, Len);
    SrbSetSrbStatus(Srb, Len < room ? SRB_STATUS_DATA_OVERRUN : SRB_STATUS_SUCCESS);
}

/* INQUIRY: the standard page or VPD 0x00, 0x80, 0xB0. */
static UCHAR Inquiry(PVOID Srb, const UCHAR *Cdb)
{
    UCHAR d[64] = {0};
    ULONG n;
    if ((Cdb[1] & 1) == 0) {
        static const char id[] = "VW      RAMDISK         0001";
        d[2] = 6, d[3] = 2, d[4] = 31, d[7] = 0x02; /* SPC-4, CmdQue */
        for (n = 0; id[n] != 0; n++)
            d[8 + n] = (UCHAR)id[n];
        n = 36;
    } else if (Cdb[2] == 0x00) {
        d[1] = 0x00, d[3] = 3, d[4] = 0x00, d[5] = 0x80, d[6] = 0xb0;
        n = 7;
    } else if (Cdb[2] == 0x80) {
        static const char serial[] = "VWSTOR01";
        d[1] = 0x80, d[3] = 8;
        for (n = 0; n < 8; n++)
            d[4 + n] = (UCHAR)serial[n];
        n = 12;
    } else if (Cdb[2] == 0xb0) {
        d[1] = 0xb0, d[3] = 0x3c;
        PutBe32(d + 8, 32);            /* maximum transfer length, blocks */
        PutBe32(d + 20, DISK_SECTORS); /* maximum unmap LBA count */
        PutBe32(d + 24, 4);            /* maximum unmap descriptors */
        n = 64;
    } else {
        return SRB_STATUS_INVALID_REQUEST;
    }
    Reply(Srb, d, n);
    return SrbGetSrbStatus(Srb);
}

/* DISPATCH_LEVEL (under the StartIo lock) or HIGH_LEVEL (dump): one SCSI
 * command; returns its SRB status, or SRB_STATUS_PENDING when queued. */
/* DISPATCH_LEVEL, StartIo lock held by StorPort (storport/nc-storport-hw_state_change):
 * record what StorPort reports for the notification. */
static VOID NTAPI StorStateChange(PVOID DeviceExtension, PVOID Context, SHORT AddressType,
                                  PVOID Address, ULONG Status)
{
    PVWSTOR_EXT ext = DeviceExtension;
    PSTOR_ADDR_BTL8 a = Address;
    ext->ScCalls++;
    ext->ScStatus = Status;
    ext->ScType = (USHORT)AddressType;
    ext->ScTarget = a->Target, ext->ScLun = a->Lun;
    /* The address of ScContext is the Context given: both pointers back. */
    ext->ScContext = (Context == &ext->ScContext ? 1u : 0u) | (a == &ext->ScAddr ? 2u : 0u);
}

#ifdef VWSTOR_PLANTED
/* DISPATCH_LEVEL, planted (VWSTOR_BUG_SC_CDECL): the same callback with the caller popping
 * the arguments, which StorPort does not do on x86. */
static VOID __cdecl StorStateChangeCdecl(PVOID DeviceExtension, PVOID Context, SHORT AddressType,
                                         PVOID Address, ULONG Status)
{
    PVWSTOR_EXT ext = DeviceExtension;
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Address);
    ext->ScCalls++;
    ext->ScStatus = Status;
    ext->ScType = (USHORT)AddressType;
}

/* DISPATCH_LEVEL, planted (VWSTOR_BUG_SC_SWAPPED): Context and Address read from each
 * other's place. */
static VOID NTAPI StorStateChangeSwapped(PVOID DeviceExtension, PVOID Address, SHORT AddressType,
                                         PVOID Context, ULONG Status)
{
    StorStateChange(DeviceExtension, Context, AddressType, Address, Status);
}
#endif

/* DISPATCH_LEVEL: StorPortStateChangeDetected for the SRB's address
 * (StateChangeDetectedCall is the notification after ReleaseSpinLock,
 * storport/nf-storport-storportstatechangedetected; the address type
 * STOR_ADDRESS_TYPE_BTL8 is 1, storport/ns-storport-_stor_address). */
static VOID NotifyStateChange(PVWSTOR_EXT ext, PVOID Srb)
{
    UCHAR path, target, lun;
    ULONG status = STOR_STATUS_NOT_IMPLEMENTED;
    SrbGetPathTargetLun(Srb, &path, &target, &lun);
    ext->ScAddr.Type = 1;
    ext->ScAddr.Port = 0;
    ext->ScAddr.AddressLength = STOR_ADDR_BTL8_ADDRESS_LENGTH;
    ext->ScAddr.Path = path, ext->ScAddr.Target = target, ext->ScAddr.Lun = lun;
    PVOID callback = (PVOID)StorStateChange;
#ifdef VWSTOR_PLANTED
    if (ext->Bug == VWSTOR_BUG_SC_CDECL)
        callback = (PVOID)StorStateChangeCdecl;
    if (ext->Bug == VWSTOR_BUG_SC_SWAPPED)
        callback = (PVOID)StorStateChangeSwapped;
#endif
    StorPortNotification((SCSI_NOTIFICATION_TYPE)(ReleaseSpinLock + 1), ext, ext->ScEntity,
                         &ext->ScAddr, 0UL, callback, (PVOID)&ext->ScContext, &status);
    ext->ScReturned = status;
}

static UCHAR Execute(PVWSTOR_EXT ext, PVOID Srb)
{
    PUCHAR cdb = SrbGetCdb(Srb), buf = SrbGetDataBuffer(Srb);
    PVWSTOR_SRBEXT se = SrbGetMiniportContext(Srb);
    UCHAR d[32] = {0};
    switch (cdb[0]) {
    case 0x00: /* TEST UNIT READY */
        if (ext->ScEntity != 0)
            NotifyStateChange(ext, Srb);
        return SRB_STATUS_SUCCESS;
    case 0xc0: /* vendor: what the state change notification did */
        PutBe32(d, ext->ScReturned), PutBe32(d + 4, ext->ScCalls), PutBe32(d + 8, ext->ScStatus);
        d[12] = (UCHAR)(ext->ScType >> 8), d[13] = (UCHAR)ext->ScType;
        d[14] = ext->ScTarget, d[15] = ext->ScLun;
        d[16] = (UCHAR)ext->ScContext;
        Reply(Srb, d, 17);
        return SrbGetSrbStatus(Srb);
    case 0x35: /* SYNCHRONIZE CACHE(10) */
        return SRB_STATUS_SUCCESS;
    case 0x12:
        return ext->NoInquiry ? SRB_STATUS_SELECTION_TIMEOUT : Inquiry(Srb, cdb);
    case 0x25: /* READ CAPACITY(10) */
        PutBe32(d, ext->Sectors - 1), PutBe32(d + 4, SECTOR);
        Reply(Srb, d, 8);
        return SrbGetSrbStatus(Srb);
    case 0x9e: /* READ CAPACITY(16) */
        if ((cdb[1] & 0x1f) != 0x10)
            return SRB_STATUS_INVALID_REQUEST;
        PutBe32(d + 4, ext->Sectors - 1), PutBe32(d + 8, SECTOR);
        d[14] = 0x80; /* LBPME: UNMAP works */
        Reply(Srb, d, 32);
        return SrbGetSrbStatus(Srb);
    case 0x1a: /* MODE SENSE(6): the caching page, write cache on */
        d[0] = 23, d[4] = 0x08, d[5] = 18, d[6] = 0x04;
        Reply(Srb, d, 24);
        return SrbGetSrbStatus(Srb);
    case 0x42: { /* UNMAP: 8-byte header, 16-byte descriptors */
        ULONG len = SrbGetDataTransferLength(Srb);
        for (ULONG off = 8; off + 16 <= len; off += 16) {
            ULONG lba = Be32(buf + off + 4), blocks = Be32(buf + off + 8);
            if (Be32(buf + off) != 0 || lba > ext->Sectors || blocks > ext->Sectors - lba)
                return SRB_STATUS_INVALID_REQUEST;
            for (ULONG i = 0; i < blocks * SECTOR; i++)
                ext->Disk[lba * SECTOR + i] = 0;
        }
        return SRB_STATUS_SUCCESS;
    }
    case 0x93: /* WRITE SAME(16): UNMAP bit zeroes, else the block repeated */
        for (ULONG i = 0; i < se->Blocks * SECTOR; i++)
            ext->Disk[se->Lba * SECTOR + i] = (cdb[1] & 0x08) ? 0 : buf[i % SECTOR];
        return SRB_STATUS_SUCCESS;
    case 0x28:
    case 0x88:
    case 0x2a:
    case 0x8a: {
        if (ext->UnitAttention) { /* POWER ON, RESET, OR BUS DEVICE RESET OCCURRED */
            ext->UnitAttention = FALSE;
            return CheckCondition(ext, Srb, 0x6, 0x29, 0x00);
        }
        /* The SG list must describe the whole transfer. */
        PSTOR_SCATTER_GATHER_LIST sg = StorPortGetScatterGatherList(ext, Srb);
        ULONG total = 0;
        for (ULONG i = 0; sg != NULL && i < sg->NumberOfElements; i++)
            total += sg->List[i].Length;
        if (total != SrbGetDataTransferLength(Srb))
            return SRB_STATUS_ERROR;
        PUCHAR disk = ext->Disk + se->Lba * SECTOR;
        BOOLEAN write = (cdb[0] & 0x0f) == 0x0a;
        for (ULONG i = 0; i < total; i++) {
            if (write)
                disk[i] = buf[i];
            else
                buf[i] = disk[i];
        }
        if (ext->Dump)
            return SRB_STATUS_SUCCESS;
        if (ext->Hang && !write && ext->Held < MAX_QUEUED) {
            ext->HeldSrbs[ext->Held++] = Srb;
            return SRB_STATUS_PENDING;
        }
        if (ext->Queued == MAX_QUEUED)
            return SRB_STATUS_BUSY;
        if (write && ext->BusyLeft > 0) {
            ext->BusyLeft--;
            return SRB_STATUS_BUSY;
        }
        if (write && ext->PauseOnce) {
            ext->PauseOnce = FALSE;
            ext->Paused = StorPortPause(ext, 1) && !ext->PauseNoResume;
        }
        ext->Queue[ext->Queued++] = Srb;
        StorPortIssueDpc(ext, &ext->Dpc, NULL, NULL);
        return SRB_STATUS_PENDING;
    }
    }
    /* ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE: never a guess. */
    return CheckCondition(ext, Srb, 0x5, 0x20, 0x00);
}

/* DISPATCH_LEVEL: SRB_FUNCTION_PNP (srb/ns-srb-_srbex_data_pnp): the
 * removal, stop and capability queries succeed, the rest is refused. */
static UCHAR PnpRequest(PVOID Srb)
{
    PSRBEX_DATA_PNP p = (PSRBEX_DATA_PNP)VwSrbExData((PSTORAGE_REQUEST_BLOCK)Srb, SrbExDataTypePnp);
    if (p == NULL)
        return SRB_STATUS_BAD_SRB_BLOCK_LENGTH;
    switch (p->PnPAction) {
    case StorQueryCapabilities:
    case StorRemoveDevice:
    case StorSurpriseRemoval:
    case StorStopDevice:
        return SRB_STATUS_SUCCESS;
    default:
        return SRB_STATUS_INVALID_REQUEST;
    }
}

/* DISPATCH_LEVEL: SRB_FUNCTION_POWER (srb/ns-srb-_srbex_data_power):
 * D0 to D3 accepted, anything else refused. */
static UCHAR PowerRequest(PVOID Srb)
{
    PSRBEX_DATA_POWER p =
        (PSRBEX_DATA_POWER)VwSrbExData((PSTORAGE_REQUEST_BLOCK)Srb, SrbExDataTypePower);
    if (p == NULL)
        return SRB_STATUS_BAD_SRB_BLOCK_LENGTH;
    return p->DevicePowerState >= StorPowerDeviceD0 && p->DevicePowerState <= StorPowerDeviceD3
               ? SRB_STATUS_SUCCESS
               : SRB_STATUS_INVALID_REQUEST;
}

/* DISPATCH_LEVEL: SRB_FUNCTION_IO_CONTROL (storport/ns-storport-
 * _srb_io_control): signature "VWSTOR", code 1 adds one to every payload
 * byte; other signatures or codes are refused. */
static UCHAR IoControl(PVWSTOR_EXT Ext, PVOID Srb)
{
    PSRB_IO_CONTROL h = SrbGetDataBuffer(Srb);
    ULONG len = SrbGetDataTransferLength(Srb);
    static const UCHAR sig[8] = {'V', 'W', 'S', 'T', 'O', 'R', 0, 0};
    if (h == NULL || len < sizeof(*h) || h->HeaderLength != sizeof(*h) ||
        h->Length > len - sizeof(*h))
        return SRB_STATUS_INVALID_REQUEST;
    for (ULONG i = 0; i < 8; i++)
        if (h->Signature[i] != sig[i])
            return SRB_STATUS_INVALID_REQUEST;
    if (h->ControlCode != 1)
        return SRB_STATUS_INVALID_REQUEST;
    for (ULONG i = 0; i < h->Length; i++)
        ((PUCHAR)(h + 1))[i]++;
    h->ReturnCode = 0;
    if (Ext->Bug == VWSTOR_BUG_IOCTL_LENGTH)
        h->Length = len; /* header included: past the payload */
    return SRB_STATUS_SUCCESS;
}

/* DISPATCH_LEVEL, StartIo lock held: a LUN or target reset SRB (the
 * disk is one LU of one target, so both reset all of it), answered as
 * "lureset=N"/"devreset=N" say; the SRB's status or PENDING. */
static UCHAR ResetRequest(PVWSTOR_EXT Ext, PVOID Srb)
{
    ULONG how =
        SrbGetSrbFunction(Srb) == SRB_FUNCTION_RESET_LOGICAL_UNIT ? Ext->LuReset : Ext->DevReset;
    if (how == RESET_FAILS)
        return SRB_STATUS_ERROR;
    if (how == RESET_HOLDS && Ext->Held < MAX_QUEUED) {
        Ext->HeldSrbs[Ext->Held++] = Srb;
        return SRB_STATUS_PENDING;
    }
    if (Ext->Bug == VWSTOR_BUG_RESET_KEEPS)
        return SRB_STATUS_SUCCESS; /* the bug: the held reads stay held */
    StorResetBus(Ext, 0);
    return SRB_STATUS_SUCCESS;
}

/* DISPATCH_LEVEL, StartIo lock held by StorPort. */
static BOOLEAN NTAPI StorStartIo(PVOID DeviceExtension, PVOID Srb)
{
    PVWSTOR_EXT ext = DeviceExtension;
    PVWSTOR_SRBEXT se = SrbGetMiniportContext(Srb);
    UCHAR status = SRB_STATUS_BAD_FUNCTION;
    PROCESSOR_NUMBER pn;
    if (StorPortGetCurrentProcessorNumber(ext, &pn) == STOR_STATUS_SUCCESS)
        ext->LastCpu = pn.Group * 64u + pn.Number;
    if (ext->Bug == VWSTOR_BUG_LONG_STALL)
        BusyWait(10000);
    if (ext->Bug == VWSTOR_BUG_RELOCK) {
        STOR_LOCK_HANDLE h;
        StorPortAcquireSpinLock(ext, StartIoLock, NULL, &h);
        StorPortReleaseSpinLock(ext, &h);
    }
    switch (SrbGetSrbFunction(Srb)) {
    case SRB_FUNCTION_EXECUTE_SCSI:
        status = se->Magic == SRBEXT_MAGIC ? Execute(ext, Srb) : SRB_STATUS_ERROR;
        break;
    case SRB_FUNCTION_FLUSH:
    case SRB_FUNCTION_SHUTDOWN:
        status = SRB_STATUS_SUCCESS;
        break;
    case SRB_FUNCTION_PNP:
        status = PnpRequest(Srb);
        break;
    case SRB_FUNCTION_POWER:
        status = PowerRequest(Srb);
        break;
    case SRB_FUNCTION_IO_CONTROL:
        status = IoControl(ext, Srb);
        break;
    case SRB_FUNCTION_RESET_BUS:
        StorResetBus(ext, 0);
        status = SRB_STATUS_SUCCESS;
        break;
    case SRB_FUNCTION_RESET_DEVICE:
    case SRB_FUNCTION_RESET_LOGICAL_UNIT:
        status = ResetRequest(ext, Srb);
        break;
    }
    if (status != SRB_STATUS_PENDING)
        Complete(ext, Srb, status);
    return TRUE;
}

/* DISPATCH_LEVEL, no lock: complete what HwStartIo queued. */
static VOID NTAPI StorCompleteDpc(PSTOR_DPC Dpc, PVOID DeviceExtension, PVOID Arg1, PVOID Arg2)
{
    PVWSTOR_EXT ext = DeviceExtension;
    PVOID done[MAX_QUEUED];
    ULONG n;
    STOR_LOCK_HANDLE h;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Arg1);
    UNREFERENCED_PARAMETER(Arg2);
    StorPortAcquireSpinLock(ext, StartIoLock, NULL, &h);
    n = ext->Queued;
    for (ULONG i = 0; i < n; i++)
        done[i] = ext->Queue[i];
    ext->Queued = 0;
    StorPortReleaseSpinLock(ext, &h);
    for (ULONG i = 0; i < n; i++)
        Complete(ext, done[i], SRB_STATUS_SUCCESS);
    if (ext->Paused) {
        ext->Paused = FALSE;
        StorPortResume(ext);
    }
    if (ext->Bug == VWSTOR_BUG_DOUBLE_COMPLETE && n > 0)
        Complete(ext, done[0], SRB_STATUS_SUCCESS);
    if (ext->Bug == VWSTOR_BUG_DPC_STALL)
        BusyWait(2000);
}

/* DIRQL, interrupt lock held: there is no device, so never ours. */
static BOOLEAN NTAPI StorInterrupt(PVOID DeviceExtension)
{
    PVWSTOR_EXT ext = DeviceExtension;
    if (ext->Bug == VWSTOR_BUG_ISR_PAUSE)
        StorPortPause(ext, 1);
    return FALSE;
}

/* DIRQL, this message's lock held: no device, never ours. */
static BOOLEAN NTAPI StorMsiInterrupt(PVOID DeviceExtension, ULONG MessageId)
{
    UNREFERENCED_PARAMETER(DeviceExtension);
    UNREFERENCED_PARAMETER(MessageId);
    return FALSE;
}

/* DISPATCH_LEVEL, StartIo lock held: every request in flight ends with
 * BUS_RESET (storport/nc-storport-hw_reset_bus). */
static BOOLEAN NTAPI StorResetBus(PVOID DeviceExtension, ULONG PathId)
{
    PVWSTOR_EXT ext = DeviceExtension;
    UNREFERENCED_PARAMETER(PathId);
    if (ext->Bug == VWSTOR_BUG_AFTER_RESET) {
        /* The bug: the held reads go to the DPC's queue, completed later. */
        for (ULONG i = 0; i < ext->Held && ext->Queued < MAX_QUEUED; i++)
            ext->Queue[ext->Queued++] = ext->HeldSrbs[i];
        ext->Held = 0;
        ext->Hang = FALSE;
        return TRUE;
    }
    for (ULONG i = 0; i < ext->Held; i++)
        Complete(ext, ext->HeldSrbs[i], SRB_STATUS_BUS_RESET);
    for (ULONG i = 0; i < ext->Queued; i++)
        Complete(ext, ext->Queue[i], SRB_STATUS_BUS_RESET);
    ext->Held = ext->Queued = 0;
    ext->Hang = FALSE;
    return TRUE;
}

/* PASSIVE_LEVEL (query) or DIRQL with the interrupt lock (stop, restart). */
static SCSI_ADAPTER_CONTROL_STATUS NTAPI StorAdapterControl(PVOID DeviceExtension,
                                                            SCSI_ADAPTER_CONTROL_TYPE ControlType,
                                                            PVOID Parameters)
{
    PVWSTOR_EXT ext = DeviceExtension;
    switch (ControlType) {
    case ScsiQuerySupportedControlTypes: {
        PSCSI_SUPPORTED_CONTROL_TYPE_LIST list = Parameters;
        ULONG max = list->MaxControlType;
        if (max > ScsiQuerySupportedControlTypes)
            list->SupportedTypeList[ScsiQuerySupportedControlTypes] = TRUE;
        if (max > ScsiStopAdapter)
            list->SupportedTypeList[ScsiStopAdapter] = TRUE;
        if (max > ScsiRestartAdapter && ext->Bug != VWSTOR_BUG_NO_RESTART)
            list->SupportedTypeList[ScsiRestartAdapter] = TRUE;
        if (max > ScsiSetRunningConfig && ext->Config) {
            list->SupportedTypeList[ScsiSetBootConfig] = TRUE;
            list->SupportedTypeList[ScsiSetRunningConfig] = TRUE;
        }
        if (ext->Bug == VWSTOR_BUG_CONTROL_OVERRUN)
            list->SupportedTypeList[max] = TRUE;
        return ScsiAdapterControlSuccess;
    }
    case ScsiStopAdapter:
        if (ext->Bug == VWSTOR_BUG_STOP_STALL)
            BusyWait(2000);
        ext->Stopped = TRUE;
        return ScsiAdapterControlSuccess;
    case ScsiRestartAdapter:
        ext->Stopped = FALSE;
        ext->Restarts++;
        return ScsiAdapterControlSuccess;
    case ScsiSetBootConfig: /* PASSIVE_LEVEL, after the stop */
        return ext->Stopped ? ScsiAdapterControlSuccess : ScsiAdapterControlUnsuccessful;
    case ScsiSetRunningConfig: /* PASSIVE_LEVEL, before the restart */
        if (ext->PassiveStall)
            BusyWait(5000);
        return ext->Stopped ? ScsiAdapterControlSuccess : ScsiAdapterControlUnsuccessful;
    default:
        return ScsiAdapterControlUnsuccessful;
    }
}

/* PASSIVE_LEVEL (both arguments NULL for the dump copy). */
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    HW_INITIALIZATION_DATA hw;
    RtlZeroMemory(&hw, sizeof(hw));
    hw.HwInitializationDataSize = sizeof(hw);
    hw.AdapterInterfaceType = PCIBus;
    hw.HwInitialize = StorInitialize;
    hw.HwStartIo = StorStartIo;
    hw.HwInterrupt = StorInterrupt;
    hw.HwFindAdapter = StorFindAdapter;
    hw.HwResetBus = StorResetBus;
    hw.HwAdapterControl = StorAdapterControl;
    hw.HwBuildIo = StorBuildIo;
    hw.DeviceExtensionSize = sizeof(VWSTOR_EXT);
    hw.SrbExtensionSize = sizeof(VWSTOR_SRBEXT);
    hw.MapBuffers = STOR_MAP_ALL_BUFFERS_INCLUDING_READ_WRITE;
    hw.NeedPhysicalAddresses = TRUE;
    hw.TaggedQueuing = TRUE;
    hw.AutoRequestSense = TRUE;
    hw.MultipleRequestPerLu = TRUE;
    hw.SrbTypeFlags = SRB_TYPE_FLAG_STORAGE_REQUEST_BLOCK;
    hw.AddressTypeFlags = ADDRESS_TYPE_FLAG_BTL8;
    return (NTSTATUS)StorPortInitialize(DriverObject, RegistryPath, &hw, NULL);
}
