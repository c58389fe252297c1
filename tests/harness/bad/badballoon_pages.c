/*
 * Planted bug for the balloon device model's MUST_TELL_HOST check: the
 * balloon driver with its pages.c replaced by this one, whose deflate
 * gives the pages back to Windows before telling the host.  Everything
 * else is the real driver.
 */
#include "../../../drivers/balloon/balloon.h"

static VOID ReturnChunk(PMDL Mdl)
{
    MmFreePagesFromMdl(Mdl);
    ExFreePool(Mdl);
}

NTSTATUS BalloonInflateStep(PBALLOON_DEVICE b, ULONG Want)
{
    PHYSICAL_ADDRESS low = {.QuadPart = 0}, high = {.QuadPart = BALLOON_MAX_PA};
    PHYSICAL_ADDRESS skip = {.QuadPart = 0};

    if (Want > BALLOON_CHUNK)
        Want = BALLOON_CHUNK;
    PMDL mdl = MmAllocatePagesForMdlEx(low, high, skip, (SIZE_T)Want << PAGE_SHIFT, MmCached,
                                       MM_DONT_ZERO_ALLOCATION);
    if (mdl == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    ULONG count = MmGetMdlByteCount(mdl) >> PAGE_SHIFT;
    PPFN_NUMBER pfns = MmGetMdlPfnArray(mdl);
    for (ULONG i = 0; i < count; i++)
        ((ULONG *)b->PfnBuffer.va)[i] = (ULONG)pfns[i];
    if (BalloonTransfer(b, &b->Inflate, count) == BalloonXferNotSent) {
        ReturnChunk(mdl);
        return STATUS_DEVICE_NOT_READY;
    }
    mdl->Next = b->Chunks;
    b->Chunks = mdl;
    b->Pages += count;
    return STATUS_SUCCESS;
}

NTSTATUS BalloonDeflateStep(PBALLOON_DEVICE b, ULONG Want, BOOLEAN Tell)
{
    (void)Want;
    PMDL mdl = b->Chunks;
    if (mdl == NULL)
        return STATUS_SUCCESS;
    b->Chunks = mdl->Next;
    ULONG count = MmGetMdlByteCount(mdl) >> PAGE_SHIFT;
    PPFN_NUMBER pfns = MmGetMdlPfnArray(mdl);
    for (ULONG i = 0; i < count; i++)
        ((ULONG *)b->PfnBuffer.va)[i] = (ULONG)pfns[i];
    b->Pages -= count;
    ReturnChunk(mdl); /* the bug: before the host hears of it */
    if (Tell)
        BalloonTransfer(b, &b->Deflate, count);
    return STATUS_SUCCESS;
}

VOID BalloonDeflateAll(PBALLOON_DEVICE b)
{
    while (b->Chunks != NULL)
        BalloonDeflateStep(b, ~0u, TRUE);
}

VOID BalloonFreeAll(PBALLOON_DEVICE b)
{
    while (b->Chunks != NULL) {
        PMDL mdl = b->Chunks;
        b->Chunks = mdl->Next;
        ReturnChunk(mdl);
    }
    b->Pages = 0;
}
