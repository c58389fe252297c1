/*
 * ivshmem: finding the BARs, the MDL over the shared memory, interrupts.
 */
#include "ivshmem.h"

/* BAR0 (registers) and BAR2 (shared memory).  The framework matched the
 * ranges to their BARs through PCI configuration space. IRQL: PASSIVE_LEVEL. */
static NTSTATUS IvshmemFindBars(PIVSHMEM_DEVICE Ivshmem, PVW_RESOURCES Resources)
{
    PVW_RANGE regs = NULL, shmem = NULL;

    for (ULONG i = 0; i < Resources->RangeCount; i++) {
        PVW_RANGE range = &Resources->Ranges[i];
        if (range->IsPort)
            continue;
        if (range->PciBar == 0)
            regs = range;
        else if (range->PciBar == 2)
            shmem = range;
    }
    if (regs == NULL || regs->Length < IVSHMEM_REGS_LENGTH) {
        VwError(Ivshmem->Device, "no register BAR0 of %u bytes", IVSHMEM_REGS_LENGTH);
        return STATUS_DEVICE_CONFIGURATION_ERROR;
    }
    /* An MDL describes at most 4 GB less a page. */
    if (shmem == NULL || shmem->Length < PAGE_SIZE || (shmem->Length & (PAGE_SIZE - 1)) != 0 ||
        shmem->Length > MAXULONG - PAGE_SIZE + 1) {
        VwError(Ivshmem->Device, "shared memory BAR2 %s (0x%lx bytes)",
                shmem == NULL ? "missing" : "of an unusable size", shmem ? shmem->Length : 0);
        return STATUS_DEVICE_CONFIGURATION_ERROR;
    }
    Ivshmem->Regs = (PUCHAR)regs->Va;
    Ivshmem->Shmem = (PUCHAR)shmem->Va;
    Ivshmem->ShmemStart = shmem->Start;
    Ivshmem->ShmemLength = shmem->Length;
    return STATUS_SUCCESS;
}

/* START: find the BARs, describe the shared memory with an MDL, read the vectors. IRQL:
 * PASSIVE_LEVEL. */
NTSTATUS IvshmemPrepareHardware(PVW_DEVICE Device, PVW_RESOURCES Resources)
{
    PIVSHMEM_DEVICE ivshmem = IvshmemFromDevice(Device);
    NTSTATUS status = IvshmemFindBars(ivshmem, Resources);
    if (!NT_SUCCESS(status))
        return status;

    PMDL mdl = IoAllocateMdl(ivshmem->Shmem, ivshmem->ShmemLength, FALSE, FALSE, NULL);
    if (mdl == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    MmBuildMdlForNonPagedPool(mdl);

    IvshmemLockMaps(ivshmem);
    ivshmem->Mdl = mdl;
    ivshmem->MapsBlocked = FALSE;
    IvshmemUnlockMaps(ivshmem);

    if (Resources->MessageBased) {
        ivshmem->Vectors = Resources->MessageCount;
    } else if (Resources->HasInterrupt) {
        /* Revision 0 INTx: unmask the peer interrupt. */
        ivshmem->Vectors = 1;
        WRITE_REGISTER_ULONG((PULONG)(ivshmem->Regs + IVSHMEM_REG_INTR_MASK), 1);
    } else {
        ivshmem->Vectors = 0;
    }
    VwInfo(Device, "%lu bytes of shared memory, %lu interrupt vector(s)", ivshmem->ShmemLength,
           ivshmem->Vectors);
    return STATUS_SUCCESS;
}

/* The BARs go after this.  QUERY_STOP and QUERY_REMOVE fail while the
 * memory is mapped, so a mapping is still here only on surprise removal
 * (or a STOP without its query): a user mapping is undone now, in its
 * process, since the BAR range may go to another device; a kernel
 * client's view is its own and stays until it releases it (a kernel
 * client must handle the device's removal notification). IRQL: PASSIVE_LEVEL. */
VOID IvshmemReleaseHardware(PVW_DEVICE Device)
{
    PIVSHMEM_DEVICE ivshmem = IvshmemFromDevice(Device);

    if (ivshmem->Regs != NULL && Device->PnpState != VwSurpriseRemoved && ivshmem->Vectors != 0 &&
        !Device->Resources.MessageBased)
        WRITE_REGISTER_ULONG((PULONG)(ivshmem->Regs + IVSHMEM_REG_INTR_MASK), 0);
    IvshmemLockMaps(ivshmem);
    if (ivshmem->MappedVa != NULL && !ivshmem->MapIsKernel) {
        VwInfo(Device, "shared memory still mapped by a process: unmapped");
        IvshmemUndoMapping(ivshmem);
    } else if (ivshmem->MappedVa != NULL) {
        VwInfo(Device, "a kernel client's view stays until it releases it");
    }
    if (ivshmem->Mdl != NULL)
        IoFreeMdl(ivshmem->Mdl);
    ivshmem->Mdl = NULL;
    IvshmemUnlockMaps(ivshmem);
    ivshmem->Regs = NULL;
    ivshmem->Shmem = NULL;
    ivshmem->ShmemLength = 0;
    ivshmem->Vectors = 0;
}

/* This VM's peer id from IVPosition (not ready until the server answered, revision 0). IRQL <=
 * DISPATCH_LEVEL. */
NTSTATUS IvshmemPeerId(PIVSHMEM_DEVICE Ivshmem, PUSHORT PeerId)
{
    LONG position = (LONG)READ_REGISTER_ULONG((PULONG)(Ivshmem->Regs + IVSHMEM_REG_IV_POSITION));

    if (position < 0)
        return STATUS_DEVICE_NOT_READY; /* revision 0, server not answered yet */
    if (position > 0xffff) {
        VwError(Ivshmem->Device, "IVPosition 0x%lx is not a peer id", (ULONG)position);
        return STATUS_DEVICE_DATA_ERROR;
    }
    *PeerId = (USHORT)position;
    return STATUS_SUCCESS;
}

/* Claim the device's interrupt (a line: only when its status says so) for the DPC. IRQL: DIRQL. */
BOOLEAN IvshmemIsr(PVW_DEVICE Device, ULONG MessageId, PBOOLEAN QueueDpc)
{
    PIVSHMEM_DEVICE ivshmem = IvshmemFromDevice(Device);

    (void)MessageId;
    if (!Device->Resources.MessageBased) {
        /* A shared line: reading the status acknowledges; zero = not ours. */
        if (READ_REGISTER_ULONG((PULONG)(ivshmem->Regs + IVSHMEM_REG_INTR_STATUS)) == 0)
            return FALSE;
    }
    *QueueDpc = TRUE;
    return TRUE;
}

/* Set the user events registered for the vector that fired. IRQL: DISPATCH_LEVEL. */
VOID IvshmemDpc(PVW_DEVICE Device, ULONG MessageId)
{
    /* A line cannot tell the vector: revision 0 devices only have one. */
    IvshmemSignalVector(IvshmemFromDevice(Device), Device->Resources.MessageBased ? MessageId : 0);
}
