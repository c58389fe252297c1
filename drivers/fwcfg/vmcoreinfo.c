/*
 * fwcfg: the VMCOREINFO note and the etc/vmcoreinfo item that points at it.
 *
 * Publishing: read the item to learn the host's format (it must offer
 * ELF), build the note (name "VMCOREINFO", contents the crash-dump header
 * from KeInitializeCrashDumpHeader) in the common buffer, then write
 * { guest_format ELF, size, paddr } to the item.  QEMU copies the note at
 * dump time and fills the bug-check fields itself, so the header needs no
 * refresh at bug check; it is rebuilt at every D0 entry (the header must
 * be recreated when RAM changes, e.g. across hibernation).
 *
 * Withdrawing: write guest_format NONE, so that the host stops reading the
 * buffer before it is freed.  Every write carries host_format back as read,
 * since the guest's write replaces the whole item until the next reset.
 */
#include "fwcfg.h"

/* Bus address of a field inside the DMA area. IRQL: any. */
static ULONGLONG FwCfgAreaPa(PFWCFG_DEVICE Fw, ULONG Offset)
{
    return (ULONGLONG)Fw->AreaPa.QuadPart + Offset;
}

/* Write the vmcoreinfo descriptor (note address and size) to the device. IRQL: PASSIVE_LEVEL. */
static NTSTATUS FwCfgWriteInfo(PFWCFG_DEVICE Fw)
{
    return FwCfgDmaTransfer(Fw, Fw->VmcoreinfoKey, FWCFG_DMA_WRITE,
                            FwCfgAreaPa(Fw, FIELD_OFFSET(FWCFG_DMA_AREA, Info)),
                            sizeof(FWCFG_VMCOREINFO));
}

/* Build the ELF note VMCOREINFO holding the crash dump header the kernel gives. IRQL:
 * PASSIVE_LEVEL. */
static NTSTATUS FwCfgBuildNote(PFWCFG_DEVICE Fw)
{
    FWCFG_NOTE *note = &Fw->Area->Note;
    ULONG needed = 0;

    RtlZeroMemory(note, sizeof(*note));
    note->NameSize = sizeof(FWCFG_NOTE_NAME);
    note->DescSize = FWCFG_DUMP_HEADER_SIZE;
    note->Type = 0;
    RtlCopyMemory(note->Name, FWCFG_NOTE_NAME, sizeof(FWCFG_NOTE_NAME));
    NTSTATUS status =
        KeInitializeCrashDumpHeader(DUMP_TYPE_FULL, 0, note->Desc, sizeof(note->Desc), &needed);
    if (!NT_SUCCESS(status)) {
        VwError(Fw->Device, "no crash-dump header (0x%08lx, %lu bytes needed, %u available)",
                status, needed, FWCFG_DUMP_HEADER_SIZE);
        return status;
    }
    return STATUS_SUCCESS;
}

/* Point etc/vmcoreinfo at a freshly built note, if the host accepts the format. IRQL:
 * PASSIVE_LEVEL. */
NTSTATUS FwCfgPublishVmcoreinfo(PFWCFG_DEVICE Fw)
{
    FWCFG_VMCOREINFO *info = &Fw->Area->Info;
    NTSTATUS status;

    RtlZeroMemory(info, sizeof(*info));
    status = FwCfgDmaTransfer(Fw, Fw->VmcoreinfoKey, FWCFG_DMA_READ,
                              FwCfgAreaPa(Fw, FIELD_OFFSET(FWCFG_DMA_AREA, Info)), sizeof(*info));
    if (!NT_SUCCESS(status))
        return status;
    /* The whole item is written back, host_format included: keep the
     * host's value so that a later read (next D0 entry) still sees it. */
    Fw->HostFormat = info->HostFormat;
    if (info->HostFormat != FWCFG_VMCOREINFO_FORMAT_ELF) {
        VwInfo(Fw->Device, "host vmcoreinfo format %u is not ELF: nothing published",
               info->HostFormat);
        return STATUS_SUCCESS;
    }

    status = FwCfgBuildNote(Fw);
    if (!NT_SUCCESS(status))
        return status;
    RtlZeroMemory(info, sizeof(*info));
    info->HostFormat = Fw->HostFormat;
    info->GuestFormat = FWCFG_VMCOREINFO_FORMAT_ELF;
    info->Size = sizeof(FWCFG_NOTE);
    info->Paddr = FwCfgAreaPa(Fw, FIELD_OFFSET(FWCFG_DMA_AREA, Note));
    /* From the moment the write is started the host may use the note. */
    Fw->Published = TRUE;
    status = FwCfgWriteInfo(Fw);
    if (status == STATUS_IO_DEVICE_ERROR)
        Fw->Published = FALSE; /* QEMU drops a failed write entirely */
    if (!NT_SUCCESS(status))
        return status;
    VwInfo(Fw->Device, "vmcoreinfo published: %lu-byte note at 0x%llx", info->Size,
           (unsigned long long)info->Paddr);
    return STATUS_SUCCESS;
}

/* Tell the host the note is gone before its buffer is freed. IRQL: PASSIVE_LEVEL. */
VOID FwCfgWithdrawVmcoreinfo(PFWCFG_DEVICE Fw)
{
    if (!Fw->Published)
        return;
    Fw->Published = FALSE;
    /* A surprise-removed device is gone: nothing to tell it. */
    if (Fw->Device->PnpState == VwSurpriseRemoved)
        return;
    RtlZeroMemory(&Fw->Area->Info, sizeof(Fw->Area->Info));
    Fw->Area->Info.HostFormat = Fw->HostFormat;
    if (!NT_SUCCESS(FwCfgWriteInfo(Fw)))
        VwError(Fw->Device, "vmcoreinfo could not be withdrawn");
}
