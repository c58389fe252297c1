/*
 * vwdm: hardware resources.  Memory ranges are mapped uncached, port ranges
 * are used through READ/WRITE_PORT_* (or mapped when the platform translated
 * them into memory space), and each range is matched to its PCI BAR by
 * comparing the raw (bus) address with the BAR registers, which the virtio
 * transport needs to find its capability structures.
 */
#include "vwdm.h"

#define PCI_BAR0_OFFSET 0x10

/* Which PCI BAR holds a raw (bus-relative) range start, or -1. IRQL: PASSIVE_LEVEL. */
static LONG VwFindPciBar(PVW_DEVICE Device, ULONGLONG RawStart, BOOLEAN IsPort)
{
    ULONG bars[VW_MAX_BARS];

    if (VwReadPciConfig(Device, PCI_BAR0_OFFSET, bars, sizeof(bars)) != sizeof(bars))
        return -1;
    for (LONG i = 0; i < VW_MAX_BARS; i++) {
        ULONGLONG base;
        BOOLEAN port = (bars[i] & 1) != 0;
        if (port) {
            base = bars[i] & ~(ULONGLONG)3;
        } else {
            base = bars[i] & ~(ULONGLONG)0xf;
            /* A 64-bit memory BAR takes the next register as its high half. */
            if ((bars[i] & 0x6) == 0x4 && i + 1 < VW_MAX_BARS)
                base |= (ULONGLONG)bars[i + 1] << 32;
        }
        if (port == IsPort && base == RawStart && base != 0)
            return i;
        if (!port && (bars[i] & 0x6) == 0x4)
            i++;
    }
    return -1;
}

/* Record one port or memory range of the start resources, mapping memory ranges, with the BAR it
 * belongs to. IRQL: PASSIVE_LEVEL. */
static NTSTATUS VwAddRange(PVW_DEVICE Device, PCM_PARTIAL_RESOURCE_DESCRIPTOR Raw,
                           PCM_PARTIAL_RESOURCE_DESCRIPTOR Translated)
{
    PVW_RESOURCES res = &Device->Resources;
    ULONGLONG start = 0, rawStart = 0;
    ULONGLONG length = RtlCmDecodeMemIoResource(Translated, &start);
    BOOLEAN rawIsPort = Raw->Type == CmResourceTypePort;

    RtlCmDecodeMemIoResource(Raw, &rawStart);
    if (res->RangeCount == VW_MAX_BARS)
        return STATUS_SUCCESS; /* more ranges than a PCI function has: ignore */
    /* Lengths come from the device's BARs: refuse what cannot be mapped. */
    if (length == 0 || length > 0xffffffffULL) {
        VwError(Device, "range of length 0x%llx rejected", length);
        return STATUS_DEVICE_CONFIGURATION_ERROR;
    }

    PVW_RANGE range = &res->Ranges[res->RangeCount];
    range->Start.QuadPart = (LONGLONG)start;
    range->Length = (ULONG)length;
    range->PciBar = VwFindPciBar(Device, rawStart, rawIsPort);
    if (Translated->Type == CmResourceTypePort &&
        (Translated->Flags & CM_RESOURCE_PORT_IO) == CM_RESOURCE_PORT_IO) {
#if defined(_M_ARM64)
        VwError(Device, "I/O port range on ARM64 rejected");
        return STATUS_DEVICE_CONFIGURATION_ERROR;
#else
        range->Va = (PVOID)(ULONG_PTR)start;
        range->IsPort = TRUE;
#endif
    } else {
        range->Va = MmMapIoSpace(range->Start, range->Length, MmNonCached);
        if (range->Va == NULL)
            return STATUS_INSUFFICIENT_RESOURCES;
        range->Mapped = TRUE;
    }
    res->RangeCount++;
    return STATUS_SUCCESS;
}

/* Walk the raw and translated start resources: ranges mapped, the interrupt noted. IRQL:
 * PASSIVE_LEVEL. */
NTSTATUS VwMapResources(PVW_DEVICE Device, PCM_RESOURCE_LIST Raw, PCM_RESOURCE_LIST Translated)
{
    NTSTATUS status = STATUS_SUCCESS;

    RtlZeroMemory(&Device->Resources, sizeof(Device->Resources));
    if (Raw == NULL || Translated == NULL || Raw->Count == 0 || Translated->Count == 0)
        return STATUS_SUCCESS; /* a device without resources is valid */

    PCM_PARTIAL_RESOURCE_LIST raw = &Raw->List[0].PartialResourceList;
    PCM_PARTIAL_RESOURCE_LIST translated = &Translated->List[0].PartialResourceList;
    if (raw->Count != translated->Count)
        return STATUS_DEVICE_CONFIGURATION_ERROR;

    for (ULONG i = 0; i < translated->Count && NT_SUCCESS(status); i++) {
        PCM_PARTIAL_RESOURCE_DESCRIPTOR r = &raw->PartialDescriptors[i];
        PCM_PARTIAL_RESOURCE_DESCRIPTOR t = &translated->PartialDescriptors[i];

        switch (t->Type) {
        case CmResourceTypeMemory:
        case CmResourceTypeMemoryLarge:
        case CmResourceTypePort:
            status = VwAddRange(Device, r, t);
            break;
        case CmResourceTypeInterrupt:
            Device->Resources.HasInterrupt = TRUE;
            if (t->Flags & CM_RESOURCE_INTERRUPT_MESSAGE) {
                Device->Resources.MessageBased = TRUE;
                Device->Resources.MessageCount += r->u.MessageInterrupt.Raw.MessageCount;
            }
            break;
        default:
            break;
        }
    }
    if (!NT_SUCCESS(status))
        VwUnmapResources(Device);
    return status;
}

/* Unmap every range VwMapResources mapped and forget the resources. IRQL: PASSIVE_LEVEL. */
VOID VwUnmapResources(PVW_DEVICE Device)
{
    PVW_RESOURCES res = &Device->Resources;

    for (ULONG i = 0; i < res->RangeCount; i++)
        if (res->Ranges[i].Mapped)
            MmUnmapIoSpace(res->Ranges[i].Va, res->Ranges[i].Length);
    RtlZeroMemory(res, sizeof(*res));
}
