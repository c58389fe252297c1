/*
 * ivshmem: the one mapping of the shared memory, into the requesting
 * process or, for a kernel-mode caller, a kernel view of its own (the
 * ownership rules are in ivshmem.h).
 *
 * MmMapLockedPagesSpecifyCache(UserMode) does not return NULL when the
 * user mapping fails (the process's address space cannot take it): it
 * raises an exception, and an exception that finds no handler in the
 * driver's frames is bug check 0x1E/0x7E.  The call is therefore made
 * through VwMapLockedPagesUser (common/wdm/guard.c: a __try/__except built
 * for every arch) and a raised exception fails the request with
 * STATUS_INSUFFICIENT_RESOURCES.
 * Mapping a section with ZwMapViewOfSection returns an NTSTATUS instead,
 * but the only section over device memory is \Device\PhysicalMemory,
 * which drivers must not hand to user mode; the MDL mapping is what
 * Microsoft documents for this job (MmBuildMdlForNonPagedPool MDLs "can
 * be used" for mappings to user space).
 *
 * A kernel client gets its own MmMapIoSpace view (uncached, like the
 * driver's: two views of one range must agree on caching) rather than the
 * driver's, whose lifetime ends at ReleaseHardware; and never an MDL
 * mapping of a MmBuildMdlForNonPagedPool MDL into system space
 * (Microsoft's rule).
 */
#include <wdm/guard.h>
#include "ivshmem.h"

/* Inside a critical region: normal kernel APCs (thread suspension) are
 * off while the lock is held.  IRQL: PASSIVE_LEVEL. */
VOID IvshmemLockMaps(PIVSHMEM_DEVICE Ivshmem)
{
    KeEnterCriticalRegion();
    KeWaitForSingleObject(&Ivshmem->MapLock, Executive, KernelMode, FALSE, NULL);
}

/* Release MapLock and leave the critical region. IRQL: PASSIVE_LEVEL. */
VOID IvshmemUnlockMaps(PIVSHMEM_DEVICE Ivshmem)
{
    KeSetEvent(&Ivshmem->MapLock, IO_NO_INCREMENT, FALSE);
    KeLeaveCriticalRegion();
}

/* The memory caching type of an upstream cache mode, or an error for an unknown one. IRQL: any. */
static NTSTATUS IvshmemCacheType(UCHAR CacheMode, MEMORY_CACHING_TYPE *Type)
{
    switch (CacheMode) {
    case IVSHMEM_CACHE_NONCACHED:
        *Type = MmNonCached;
        return STATUS_SUCCESS;
    case IVSHMEM_CACHE_CACHED:
        *Type = MmCached;
        return STATUS_SUCCESS;
    case IVSHMEM_CACHE_WRITECOMBINED:
        *Type = MmWriteCombined;
        return STATUS_SUCCESS;
    }
    return STATUS_INVALID_PARAMETER;
}

/* In the requesting process.  0x40000000 = MdlMappingNoExecute: data,
 * never code. IRQL: PASSIVE_LEVEL. */
static NTSTATUS IvshmemMapUser(PIVSHMEM_DEVICE Ivshmem, MEMORY_CACHING_TYPE Type, PVOID *Va)
{
    PVOID va;

    if (!IvshmemWatchingProcesses())
        return STATUS_INSUFFICIENT_RESOURCES; /* its exit could not be undone */
    if (VwMapLockedPagesUser(Ivshmem->Mdl, Type, NormalPagePriority | 0x40000000, &va) != 0) {
        VwError(Ivshmem->Device, "user mapping failed (exception raised and handled)");
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (va == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    Ivshmem->MapProcess = IoGetCurrentProcess();
    Ivshmem->MapProcessId = PsGetCurrentProcessId();
    *Va = va;
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL, in the requesting process. IRQL: PASSIVE_LEVEL. */
NTSTATUS IvshmemMap(PIVSHMEM_DEVICE Ivshmem, PFILE_OBJECT Owner, KPROCESSOR_MODE Mode,
                    UCHAR CacheMode, PVOID *Va)
{
    MEMORY_CACHING_TYPE type;
    NTSTATUS status = IvshmemCacheType(CacheMode, &type);
    PVOID va = NULL;

    *Va = NULL;
    if (!NT_SUCCESS(status))
        return status;
    IvshmemLockMaps(Ivshmem);
    if (Ivshmem->Mdl == NULL || Ivshmem->MapsBlocked) {
        status = STATUS_DEVICE_NOT_READY;
    } else if (Ivshmem->MappedVa != NULL) {
        status = STATUS_DEVICE_ALREADY_ATTACHED; /* one mapping at a time */
    } else if (Mode == KernelMode) {
        va = MmMapIoSpace(Ivshmem->ShmemStart, Ivshmem->ShmemLength, MmNonCached);
        status = va != NULL ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
    } else {
        status = IvshmemMapUser(Ivshmem, type, &va);
    }
    if (NT_SUCCESS(status)) {
        Ivshmem->MappedVa = va;
        Ivshmem->MapIsKernel = Mode == KernelMode;
        Ivshmem->MapLength = Ivshmem->ShmemLength;
        Ivshmem->MapOwner = Owner;
        *Va = va;
    }
    IvshmemUnlockMaps(Ivshmem);
    return status;
}

/* Under MapLock, PASSIVE_LEVEL, in any process: the mapping goes, a user
 * one in its own process (attached to it when the caller is elsewhere). IRQL: PASSIVE_LEVEL. */
VOID IvshmemUndoMapping(PIVSHMEM_DEVICE Ivshmem)
{
    if (Ivshmem->MappedVa == NULL)
        return;
    if (Ivshmem->MapIsKernel) {
        MmUnmapIoSpace(Ivshmem->MappedVa, Ivshmem->MapLength);
    } else {
        KAPC_STATE apc;
        BOOLEAN attach = IoGetCurrentProcess() != Ivshmem->MapProcess;
        if (attach)
            KeStackAttachProcess((PKPROCESS)Ivshmem->MapProcess, &apc);
        MmUnmapLockedPages(Ivshmem->MappedVa, Ivshmem->Mdl);
        if (attach)
            KeUnstackDetachProcess(&apc);
    }
    Ivshmem->MappedVa = NULL;
    Ivshmem->MapIsKernel = FALSE;
    Ivshmem->MapLength = 0;
    Ivshmem->MapOwner = NULL;
    Ivshmem->MapProcess = NULL;
    Ivshmem->MapProcessId = NULL;
}

/* Whether FILE holds the mapping: read under MapLock, inside a critical
 * region like every other access to the mapping state (an unlocked read
 * races a RELEASE_MMAP or a cleanup of another thread).  IRQL: PASSIVE_LEVEL. */
BOOLEAN IvshmemIsMapOwner(PIVSHMEM_DEVICE Ivshmem, PFILE_OBJECT File)
{
    BOOLEAN owner;

    if (File == NULL)
        return FALSE;
    IvshmemLockMaps(Ivshmem);
    owner = Ivshmem->MappedVa != NULL && Ivshmem->MapOwner == File;
    IvshmemUnlockMaps(Ivshmem);
    return owner;
}

/* RELEASE_MMAP or the owner handle's cleanup, from whatever process holds
 * the handle.  IRQL: PASSIVE_LEVEL. */
NTSTATUS IvshmemUnmap(PIVSHMEM_DEVICE Ivshmem, PFILE_OBJECT Owner)
{
    NTSTATUS status = STATUS_SUCCESS;

    IvshmemLockMaps(Ivshmem);
    if (Ivshmem->MappedVa == NULL)
        status = STATUS_INVALID_DEVICE_REQUEST;
    else if (Ivshmem->MapOwner != Owner)
        status = STATUS_INVALID_HANDLE;
    else
        IvshmemUndoMapping(Ivshmem);
    IvshmemUnlockMaps(Ivshmem);
    return status;
}

/* QUERY_STOP/QUERY_REMOVE (Block TRUE): FALSE while a mapping exists;
 * otherwise no new mapping until START or CANCEL (Block FALSE). IRQL: PASSIVE_LEVEL. */
BOOLEAN IvshmemBlockMaps(PIVSHMEM_DEVICE Ivshmem, BOOLEAN Block)
{
    BOOLEAN done = TRUE;

    IvshmemLockMaps(Ivshmem);
    if (Block && Ivshmem->MappedVa != NULL)
        done = FALSE;
    else
        Ivshmem->MapsBlocked = Block;
    IvshmemUnlockMaps(Ivshmem);
    return done;
}
