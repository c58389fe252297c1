/*
 * fwcfg: bringing the device up and down.
 *
 * PrepareHardware takes the device's range, checks that it is a fw_cfg
 * with DMA, and looks for etc/vmcoreinfo; only when that file exists does
 * it get a DMA adapter and the common buffer.  D0Entry publishes the
 * note; ReleaseHardware withdraws it and frees the buffer.  Without the
 * file (QEMU without -device vmcoreinfo) the device starts and does
 * nothing.
 */
#include "fwcfg.h"

static const char FwCfgSignature[4] = {'Q', 'E', 'M', 'U'};

/* Pick the first register range large enough for fw_cfg (ports not on arm64). IRQL: PASSIVE_LEVEL.
 */
static NTSTATUS FwCfgTakeRange(PFWCFG_DEVICE Fw, PVW_RESOURCES Resources)
{
    for (ULONG i = 0; i < Resources->RangeCount; i++) {
        PVW_RANGE range = &Resources->Ranges[i];
        ULONG needed = range->IsPort ? FWCFG_PORT_LENGTH : FWCFG_MMIO_LENGTH;
#if defined(_M_ARM64)
        if (range->IsPort)
            continue;
#endif
        if (range->Length < needed) {
            VwError(Fw->Device, "%s range of %lu bytes has no DMA register (%lu needed)",
                    range->IsPort ? "port" : "memory", range->Length, needed);
            return STATUS_DEVICE_CONFIGURATION_ERROR;
        }
        Fw->Base = (PUCHAR)range->Va;
        Fw->IsPort = range->IsPort;
        return STATUS_SUCCESS;
    }
    VwError(Fw->Device, "no register range");
    return STATUS_DEVICE_CONFIGURATION_ERROR;
}

/* Check the "QEMU" signature and that the device offers DMA. IRQL: PASSIVE_LEVEL. */
static NTSTATUS FwCfgCheckDevice(PFWCFG_DEVICE Fw)
{
    char signature[4];
    ULONG features = 0;

    FwCfgSelect(Fw, FWCFG_KEY_SIGNATURE);
    FwCfgReadData(Fw, signature, sizeof(signature));
    BOOLEAN same = TRUE;
    for (ULONG i = 0; i < sizeof(signature); i++)
        same = same && signature[i] == FwCfgSignature[i];
    if (!same) {
        VwError(Fw->Device, "signature %02x %02x %02x %02x is not \"QEMU\"", (UCHAR)signature[0],
                (UCHAR)signature[1], (UCHAR)signature[2], (UCHAR)signature[3]);
        return STATUS_DEVICE_CONFIGURATION_ERROR;
    }
    FwCfgSelect(Fw, FWCFG_KEY_ID);
    FwCfgReadData(Fw, &features, sizeof(features)); /* little-endian, as the CPU */
    if (!(features & FWCFG_ID_DMA)) {
        VwError(Fw->Device, "no DMA interface (features 0x%08lx)", features);
        return STATUS_NOT_SUPPORTED;
    }
    ULONGLONG dma = FwCfgReadDmaRegister(Fw);
    if (dma != FWCFG_DMA_SIGNATURE) {
        VwError(Fw->Device, "DMA register reads 0x%llx, not \"QEMU CFG\"", (unsigned long long)dma);
        return STATUS_NOT_SUPPORTED;
    }
    return STATUS_SUCCESS;
}

/* Get a DMA adapter and the common buffer for DMA descriptors, the note and vmcoreinfo. IRQL:
 * PASSIVE_LEVEL. */
static NTSTATUS FwCfgAllocateDma(PFWCFG_DEVICE Fw)
{
    DEVICE_DESCRIPTION desc;
    ULONG mapRegisters = 0;

    RtlZeroMemory(&desc, sizeof(desc));
    desc.Version = DEVICE_DESCRIPTION_VERSION2;
    desc.Master = TRUE;
    desc.ScatterGather = TRUE;
    desc.Dma32BitAddresses = TRUE;
    desc.Dma64BitAddresses = TRUE;
    desc.InterfaceType = ACPIBus;
    desc.MaximumLength = sizeof(FWCFG_DMA_AREA);
    Fw->Dma = IoGetDmaAdapter(Fw->Device->Pdo, &desc, &mapRegisters);
    if (Fw->Dma == NULL) {
        VwError(Fw->Device, "no DMA adapter");
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Fw->Area = (FWCFG_DMA_AREA *)Fw->Dma->DmaOperations->AllocateCommonBuffer(
        Fw->Dma, sizeof(FWCFG_DMA_AREA), &Fw->AreaPa, FALSE);
    if (Fw->Area == NULL) {
        VwError(Fw->Device, "no common buffer");
        Fw->Dma->DmaOperations->PutDmaAdapter(Fw->Dma);
        Fw->Dma = NULL;
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    RtlZeroMemory(Fw->Area, sizeof(*Fw->Area));
    return STATUS_SUCCESS;
}

/* START: take the range, check the device, find etc/vmcoreinfo and set up DMA. IRQL: PASSIVE_LEVEL.
 */
NTSTATUS FwCfgPrepareHardware(PVW_DEVICE Device, PVW_RESOURCES Resources)
{
    PFWCFG_DEVICE fw = FwCfgFromDevice(Device);
    NTSTATUS status;

    RtlZeroMemory(fw, sizeof(*fw));
    fw->Device = Device;
    status = FwCfgTakeRange(fw, Resources);
    if (!NT_SUCCESS(status))
        return status;
    status = FwCfgCheckDevice(fw);
    if (!NT_SUCCESS(status))
        return status;
    status = FwCfgFindFile(fw, FWCFG_VMCOREINFO_NAME, sizeof(FWCFG_VMCOREINFO), &fw->VmcoreinfoKey,
                           &fw->HaveVmcoreinfo);
    if (!NT_SUCCESS(status))
        return status;
    if (!fw->HaveVmcoreinfo) {
        VwInfo(Device, "no %s (QEMU without -device vmcoreinfo): nothing to do",
               FWCFG_VMCOREINFO_NAME);
        return STATUS_SUCCESS;
    }
    return FwCfgAllocateDma(fw);
}

/* STOP/REMOVE: withdraw the note and free the DMA buffer and adapter. IRQL: PASSIVE_LEVEL. */
VOID FwCfgReleaseHardware(PVW_DEVICE Device)
{
    PFWCFG_DEVICE fw = FwCfgFromDevice(Device);

    if (fw->Area != NULL) {
        FwCfgWithdrawVmcoreinfo(fw);
        fw->Dma->DmaOperations->FreeCommonBuffer(fw->Dma, sizeof(FWCFG_DMA_AREA), fw->AreaPa,
                                                 fw->Area, FALSE);
        fw->Area = NULL;
    }
    if (fw->Dma != NULL)
        fw->Dma->DmaOperations->PutDmaAdapter(fw->Dma);
    fw->Dma = NULL;
}

/* D0: publish the VMCOREINFO note again (the host may have been reset meanwhile). IRQL:
 * PASSIVE_LEVEL. */
NTSTATUS FwCfgD0Entry(PVW_DEVICE Device, DEVICE_POWER_STATE Previous)
{
    PFWCFG_DEVICE fw = FwCfgFromDevice(Device);

    (void)Previous;
    if (!fw->HaveVmcoreinfo)
        return STATUS_SUCCESS;
    return FwCfgPublishVmcoreinfo(fw);
}
