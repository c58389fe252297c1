/*
 * ivshmem: the one mapping of the shared memory, into the requesting
 * process (or the kernel, for a kernel-mode caller).
 *
 * A kernel-mode caller (REQUEST_KMAP) gets the driver's own kernel mapping
 * (uncached): an MDL built by MmBuildMdlForNonPagedPool must not be mapped
 * into system space again (Microsoft's rule; upstream maps it anyway).
 *
 * MmMapLockedPagesSpecifyCache raises an exception when a user mapping
 * fails; upstream catches it with __try, which our x86 toolchain cannot
 * compile (clang SEH on i686 mingw), so the call is made without it: a
 * failure (user address space exhausted) is not caught on any arch.
 */
#include "ivshmem.h"

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

NTSTATUS IvshmemMap(PIVSHMEM_DEVICE Ivshmem, PFILE_OBJECT Owner, KPROCESSOR_MODE Mode,
                    UCHAR CacheMode, PVOID *Va)
{
    MEMORY_CACHING_TYPE type;
    NTSTATUS status = IvshmemCacheType(CacheMode, &type);

    *Va = NULL;
    if (!NT_SUCCESS(status))
        return status;
    KeWaitForSingleObject(&Ivshmem->MapLock, Executive, KernelMode, FALSE, NULL);
    if (Ivshmem->Mdl == NULL) {
        status = STATUS_DEVICE_NOT_READY;
    } else if (Ivshmem->MappedVa != NULL) {
        status = STATUS_DEVICE_ALREADY_ATTACHED; /* one mapping at a time */
    } else if (Mode == KernelMode) {
        Ivshmem->MappedVa = Ivshmem->Shmem;
        Ivshmem->MapMdl = NULL; /* nothing to unmap */
        Ivshmem->MapOwner = Owner;
        *Va = Ivshmem->Shmem;
    } else {
        /* 0x40000000 = MdlMappingNoExecute: data, never code. */
        PVOID va = MmMapLockedPagesSpecifyCache(Ivshmem->Mdl, Mode, type, NULL, FALSE,
                                                NormalPagePriority | 0x40000000);
        if (va == NULL) {
            status = STATUS_INSUFFICIENT_RESOURCES;
        } else {
            Ivshmem->MappedVa = va;
            Ivshmem->MapMdl = Ivshmem->Mdl;
            Ivshmem->MapOwner = Owner;
            *Va = va;
        }
    }
    KeSetEvent(&Ivshmem->MapLock, IO_NO_INCREMENT, FALSE);
    return status;
}

/* In the owner's process (RELEASE_MMAP or its handle's cleanup). */
NTSTATUS IvshmemUnmap(PIVSHMEM_DEVICE Ivshmem, PFILE_OBJECT Owner)
{
    NTSTATUS status = STATUS_SUCCESS;

    KeWaitForSingleObject(&Ivshmem->MapLock, Executive, KernelMode, FALSE, NULL);
    if (Ivshmem->MappedVa == NULL) {
        status = STATUS_INVALID_DEVICE_REQUEST;
    } else if (Ivshmem->MapOwner != Owner) {
        status = STATUS_INVALID_HANDLE;
    } else {
        if (Ivshmem->MapMdl != NULL) {
            MmUnmapLockedPages(Ivshmem->MappedVa, Ivshmem->MapMdl);
            /* The hardware went while mapped: its MDL was left for us. */
            if (Ivshmem->MapMdl != Ivshmem->Mdl)
                IoFreeMdl(Ivshmem->MapMdl);
        }
        Ivshmem->MappedVa = NULL;
        Ivshmem->MapMdl = NULL;
        Ivshmem->MapOwner = NULL;
    }
    KeSetEvent(&Ivshmem->MapLock, IO_NO_INCREMENT, FALSE);
    return status;
}
