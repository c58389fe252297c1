/*
 * Routines every StorPort miniport of ours writes the same way (see stor_srb.h).
 */
#include "stor_srb.h"

/* IRQL: any. see stor_srb.h. */
PVOID VwStorSenseBuffer(PVOID Srb, PUCHAR *LengthField)
{
    if (!VwSrbIsEx(Srb)) {
        PSCSI_REQUEST_BLOCK s = Srb;
        *LengthField = &s->SenseInfoBufferLength;
        return s->SenseInfoBuffer;
    }
    PSRBEX_DATA_SCSI_CDB16 d =
        (PSRBEX_DATA_SCSI_CDB16)VwSrbExData((PSTORAGE_REQUEST_BLOCK)Srb, SrbExDataTypeScsiCdb16);
    if (d == NULL)
        return NULL;
    *LengthField = &d->SenseInfoBufferLength;
    return d->SenseInfoBuffer;
}

/* IRQL: DISPATCH_LEVEL or above: see stor_srb.h. */
int VwStorVaPieces(PVW_STOR_VIRTIO Virtio, PVOID Srb, PVOID Va, ULONG Len, struct virtqueue_req *Rq,
                   unsigned Flags)
{
    int n = 0;
    PUCHAR p = Va;

    while (Len != 0) {
        ULONG run = 0;
        uint64_t pa = VwStorPhysical(Virtio, Srb, p, &run);
        if (run == 0 || pa == 0)
            return -1;
        if (run > Len)
            run = Len;
        if (Rq != NULL)
            virtqueue_req_seg(Rq, pa, run, Flags);
        p += run, Len -= run, n++;
    }
    return n;
}

/* IRQL: DISPATCH_LEVEL or above: see stor_srb.h. */
int VwStorVaCount(PVW_STOR_VIRTIO Virtio, PVOID Srb, PVOID Va, ULONG Len, uint64_t *Pa)
{
    ULONG run = 0;
    uint64_t pa = VwStorPhysical(Virtio, Srb, Va, &run);

    *Pa = 0;
    if (run == 0 || pa == 0)
        return -1;
    if (run >= Len) {
        *Pa = pa; /* the usual case: one lookup for the count and the append */
        return 1;
    }
    return VwStorVaPieces(Virtio, Srb, Va, Len, NULL, 0);
}

/* IRQL: DISPATCH_LEVEL or above: see stor_srb.h. */
VOID VwStorVaAppend(PVW_STOR_VIRTIO Virtio, PVOID Srb, PVOID Va, ULONG Len, uint64_t Pa,
                    struct virtqueue_req *Rq, unsigned Flags)
{
    if (Pa != 0)
        virtqueue_req_seg(Rq, Pa, Len, Flags);
    else
        VwStorVaPieces(Virtio, Srb, Va, Len, Rq, Flags);
}

/* IRQL: DISPATCH_LEVEL or above: see stor_srb.h. */
ULONG VwStorCpuQueueOf(PVOID DeviceExtension, ULONG Queues)
{
    PROCESSOR_NUMBER pn;

    RtlZeroMemory(&pn, sizeof(pn));
    if (StorPortGetCurrentProcessorNumber(DeviceExtension, &pn) != STOR_STATUS_SUCCESS)
        return 0;
    return ((ULONG)pn.Group * 64 + pn.Number) % Queues;
}

/* IRQL: PASSIVE_LEVEL. see stor_srb.h. */
BOOLEAN VwStorRegistryDword(PVOID DeviceExtension, const char *Name, ULONG *Value)
{
    ULONG len = sizeof(ULONG);
    PUCHAR buf = StorPortAllocateRegistryBuffer(DeviceExtension, &len);
    BOOLEAN ok;

    if (buf == NULL)
        return FALSE;
    ok = len >= sizeof(ULONG);
    if (ok) {
        len = sizeof(ULONG);
        ok =
            StorPortRegistryRead(DeviceExtension, (PUCHAR)Name, 1, MINIPORT_REG_DWORD, buf, &len) &&
            len >= sizeof(ULONG);
    }
    if (ok)
        RtlCopyMemory(Value, buf, sizeof(ULONG));
    StorPortFreeRegistryBuffer(DeviceExtension, buf);
    return ok;
}

/* IRQL: any. see stor_srb.h. */
BOOLEAN VwStorArgSet(PCHAR Args, const char *Key)
{
    for (PCHAR p = Args; p != NULL && *p != 0; p++) {
        const char *k = Key;
        PCHAR q = p;
        while (*k != 0 && *q == *k)
            q++, k++;
        if (*k == 0 && *q == '=' && q[1] >= '1' && q[1] <= '9')
            return TRUE;
    }
    return FALSE;
}

/* IRQL: PASSIVE_LEVEL: see stor_srb.h. */
VOID VwStorInitData(PHW_INITIALIZATION_DATA Hw)
{
    RtlZeroMemory(Hw, sizeof(*Hw));
    Hw->HwInitializationDataSize = sizeof(*Hw);
    Hw->AdapterInterfaceType = PCIBus;
    Hw->NumberOfAccessRanges = 6; /* the six BARs a virtio PCI function may use */
    Hw->MapBuffers = STOR_MAP_NON_READ_WRITE_BUFFERS;
    Hw->NeedPhysicalAddresses = TRUE;
    Hw->TaggedQueuing = TRUE;
    Hw->AutoRequestSense = TRUE;
    Hw->MultipleRequestPerLu = TRUE;
    Hw->SrbTypeFlags = SRB_TYPE_FLAG_STORAGE_REQUEST_BLOCK;
    Hw->AddressTypeFlags = ADDRESS_TYPE_FLAG_BTL8;
}
