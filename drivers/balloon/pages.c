/*
 * balloon: the pages in the balloon.
 *
 * Pages come from MmAllocatePagesForMdlEx, BALLOON_CHUNK at a time, below
 * BALLOON_MAX_PA so that each 4 KiB frame number fits the device's 32 bits,
 * not zeroed (nobody reads them).  Each MDL is one chunk of the balloon,
 * chained through MDL->Next.  They go back with MmFreePagesFromMdl and the
 * MDL itself with ExFreePool, as the documentation asks.
 *
 * A chunk goes back whole, so a deflate may overshoot the target by less
 * than a chunk; the next inflate step takes the difference again.  The
 * chunk chosen is the largest that does not overshoot, else the smallest.
 */
#include "balloon.h"

/* Number of pages an MDL chunk of the balloon holds. IRQL: any. */
static ULONG BalloonChunkPages(PMDL Mdl)
{
    return MmGetMdlByteCount(Mdl) >> PAGE_SHIFT;
}

/* Copy a chunk's frame numbers into the DMA buffer; FALSE if one does not
 * fit the device's 32 bits (never, given the allocation's upper bound). IRQL: any. */
static BOOLEAN BalloonFillPfns(PBALLOON_DEVICE b, PMDL Mdl, ULONG Count)
{
    PPFN_NUMBER pfns = MmGetMdlPfnArray(Mdl);
    ULONG *out = b->PfnBuffer.va;

    for (ULONG i = 0; i < Count; i++) {
        ULONG64 pfn = (ULONG64)pfns[i] << PAGE_SHIFT >> BALLOON_PFN_SHIFT;
        if (pfn > 0xffffffffull)
            return FALSE;
        out[i] = (ULONG)pfn;
    }
    return TRUE;
}

/* Give a chunk's pages back to Windows and free its MDL. IRQL <= APC_LEVEL. */
static VOID BalloonReturnChunk(PMDL Mdl)
{
    MmFreePagesFromMdl(Mdl);
    ExFreePool(Mdl);
}

/* Take one chunk of pages from Windows and tell the device of them (inflate). IRQL: PASSIVE_LEVEL.
 */
NTSTATUS BalloonInflateStep(PBALLOON_DEVICE b, ULONG Want)
{
    PHYSICAL_ADDRESS low = {.QuadPart = 0}, high = {.QuadPart = BALLOON_MAX_PA};
    PHYSICAL_ADDRESS skip = {.QuadPart = 0};
    ULONG count;

    if (Want > BALLOON_CHUNK)
        Want = BALLOON_CHUNK;
    PMDL mdl = MmAllocatePagesForMdlEx(low, high, skip, (SIZE_T)Want << PAGE_SHIFT, MmCached,
                                       MM_DONT_ZERO_ALLOCATION);
    if (mdl == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    /* Fewer pages than asked is normal when memory is short. */
    count = BalloonChunkPages(mdl);
    if (count == 0 || count > Want || !BalloonFillPfns(b, mdl, count)) {
        BalloonReturnChunk(mdl);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    switch (BalloonTransfer(b, &b->Inflate, count)) {
    case BalloonXferNotSent:
        BalloonReturnChunk(mdl);
        return STATUS_DEVICE_NOT_READY;
    case BalloonXferLost:
    case BalloonXferDone:
        /* Pages the device may have taken stay out of Windows' use. */
        mdl->Next = b->Chunks;
        b->Chunks = mdl;
        b->Pages += count;
        break;
    }
    return count < Want ? STATUS_INSUFFICIENT_RESOURCES : STATUS_SUCCESS;
}

/* Unlink the chunk that best deflates Want pages. IRQL: PASSIVE_LEVEL. */
static PMDL BalloonPickChunk(PBALLOON_DEVICE b, ULONG Want)
{
    PMDL *best = NULL, *smallest = NULL;

    for (PMDL *link = &b->Chunks; *link != NULL; link = &(*link)->Next) {
        ULONG n = BalloonChunkPages(*link);
        if (n <= Want && (best == NULL || n > BalloonChunkPages(*best)))
            best = link;
        if (smallest == NULL || n < BalloonChunkPages(*smallest))
            smallest = link;
    }
    PMDL *pick = best != NULL ? best : smallest;
    if (pick == NULL)
        return NULL;
    PMDL mdl = *pick;
    *pick = mdl->Next;
    mdl->Next = NULL;
    return mdl;
}

/* Give one chunk back; with Tell the host hears of it first (and must,
 * under MUST_TELL_HOST, before Windows may use the pages). IRQL: PASSIVE_LEVEL. */
NTSTATUS BalloonDeflateStep(PBALLOON_DEVICE b, ULONG Want, BOOLEAN Tell)
{
    PMDL mdl = BalloonPickChunk(b, Want);
    if (mdl == NULL)
        return STATUS_SUCCESS;
    ULONG count = BalloonChunkPages(mdl);
    if (Tell) {
        BALLOON_XFER x = BalloonFillPfns(b, mdl, count) ? BalloonTransfer(b, &b->Deflate, count)
                                                        : BalloonXferNotSent;
        if (x != BalloonXferDone && b->TellHost) {
            mdl->Next = b->Chunks; /* kept until the host can be told */
            b->Chunks = mdl;
            return STATUS_DEVICE_NOT_READY;
        }
    }
    b->Pages -= count;
    BalloonReturnChunk(mdl);
    return STATUS_SUCCESS;
}

/* STOP/REMOVE with a working device: tell it about every page. IRQL: PASSIVE_LEVEL. */
VOID BalloonDeflateAll(PBALLOON_DEVICE b)
{
    /* Bounded: each step removes a chunk or stops. */
    while (b->Chunks != NULL && !b->Abandon && !b->Failed) {
        if (!NT_SUCCESS(BalloonDeflateStep(b, ~0u, TRUE)))
            break;
        BalloonWriteActual(b);
    }
}

/* Every page back to Windows without the device (removed, reset, failed). IRQL: PASSIVE_LEVEL. */
VOID BalloonFreeAll(PBALLOON_DEVICE b)
{
    if (b->Chunks != NULL)
        VwInfo(b->Device, "returning %lu pages without telling the device", b->Pages);
    while (b->Chunks != NULL) {
        PMDL mdl = b->Chunks;
        b->Chunks = mdl->Next;
        mdl->Next = NULL;
        BalloonReturnChunk(mdl);
    }
    b->Pages = 0;
}
