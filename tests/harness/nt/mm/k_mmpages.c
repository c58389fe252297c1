/*
 * MmAllocatePagesForMdlEx / MmFreePagesFromMdl (see k_mmpages.h).
 *
 * Pages are picked with a stride through the page area, so an MDL's frame
 * numbers are scattered as on a real machine.  Checks: flags and caching
 * type are known values, IRQL at most APC_LEVEL unless MM_ALLOCATE_NO_WAIT,
 * an MDL goes back only once and only if it came from here, its byte count
 * and frame numbers unchanged; pages still held at unload are leaks.  The
 * MDL itself is pool: the driver frees it with ExFreePool afterwards.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "abi.h"
#include "k_mmpages.h"
#include "kernel.h"
#include "layout.h"
#include "vw_mm.h"

#define PAGE                0x1000ull
#define STRIDE              4099u /* odd: visits every page of the power-of-two area */
#define MM_KNOWN_FLAGS      0x1ffu
#define MM_MAX_CACHING_TYPE 2 /* MmNonCached, MmCached, MmWriteCombined */
#define MDL_TAG             VW_TAG('M', 'd', 'l', ' ')

struct vw_mm_pages *vw_mm_pages(struct vm *vm)
{
    struct vw_kernel *k = vm->k;
    if (k->mm_pages == NULL) {
        k->mm_pages = calloc(1, sizeof(*k->mm_pages));
        if (k->mm_pages == NULL)
            return NULL;
        k->mm_pages->available = VW_MM_PAGE_COUNT;
        vw_kernel_keep(vm, k->mm_pages);
    }
    return k->mm_pages;
}

static void free_mdl_records(void *p)
{
    struct vw_mm_pages *mp = p;
    for (unsigned i = 0; i < mp->mdl_count; i++)
        free(mp->mdls[i].pfns);
    free(mp->mdls);
}

void vw_mm_set_available(struct vm *vm, unsigned pages)
{
    struct vw_mm_pages *mp = vw_mm_pages(vm);
    if (mp != NULL)
        mp->available = pages;
}

bool vw_mm_page_held(struct vm *vm, uint64_t pfn)
{
    struct vw_mm_pages *mp = vw_mm_pages(vm);
    uint64_t pa = pfn << 12;
    if (mp == NULL || pa < VW_MM_PAGES_BASE || pa >= VW_RAM_SIZE)
        return false;
    return mp->owner[(pa - VW_MM_PAGES_BASE) >> 12] != 0;
}

static struct vw_mm_mdl *new_record(struct vm *vm, struct vw_mm_pages *mp)
{
    if (mp->mdl_count == mp->mdl_cap) {
        unsigned cap = mp->mdl_cap ? 2 * mp->mdl_cap : 64;
        if (cap > 0xfffe) {
            vw_fail(vm, "harness: too many MDLs from MmAllocatePagesForMdlEx");
            return NULL;
        }
        struct vw_mm_mdl *m = realloc(mp->mdls, cap * sizeof(*m));
        if (m == NULL)
            return NULL;
        if (mp->mdls == NULL)
            vw_kernel_keep_fn(vm, free_mdl_records, mp);
        mp->mdls = m;
        mp->mdl_cap = cap;
    }
    struct vw_mm_mdl *r = &mp->mdls[mp->mdl_count++];
    memset(r, 0, sizeof(*r));
    return r;
}

/* PMDL MmAllocatePagesForMdlEx(PHYSICAL_ADDRESS Low, PHYSICAL_ADDRESS High,
 *   PHYSICAL_ADDRESS Skip, SIZE_T TotalBytes, MEMORY_CACHING_TYPE, ULONG Flags) */
void vw_MmAllocatePagesForMdlEx(struct vm *vm, const struct vw_api *api)
{
    uint64_t low = vw_arg(vm, api, 0), high = vw_arg(vm, api, 1), skip = vw_arg(vm, api, 2);
    uint64_t bytes = vw_arg(vm, api, 3);
    uint32_t cache = (uint32_t)vw_arg(vm, api, 4), flags = (uint32_t)vw_arg(vm, api, 5);
    struct vw_mm_pages *mp = vw_mm_pages(vm);
    vw_set_return(vm, 0);
    if (mp == NULL)
        return;
    if (flags & ~MM_KNOWN_FLAGS) {
        vw_fail(vm, "MmAllocatePagesForMdlEx: unknown flags 0x%x", flags);
        return;
    }
    if (cache > MM_MAX_CACHING_TYPE) {
        vw_fail(vm, "MmAllocatePagesForMdlEx: caching type %u", cache);
        return;
    }
    if (!(flags & VW_MM_NO_WAIT) && vm->irql > VW_APC_LEVEL) {
        vw_fail(vm, "IRQL: MmAllocatePagesForMdlEx at IRQL %u without MM_ALLOCATE_NO_WAIT",
                vm->irql);
        return;
    }
    if (skip % PAGE != 0 || bytes == 0 || bytes > (4ull << 30) - PAGE) {
        vw_fail(vm, "MmAllocatePagesForMdlEx: skip 0x%" PRIx64 ", %" PRIu64 " bytes", skip, bytes);
        return;
    }
    unsigned want = (unsigned)((bytes + PAGE - 1) / PAGE), got = 0;
    uint32_t *pfns = calloc(want, sizeof(*pfns));
    if (pfns == NULL)
        return;
    for (unsigned tries = 0; tries < VW_MM_PAGE_COUNT && got < want && got < mp->available;
         tries++) {
        unsigned i = mp->cursor;
        mp->cursor = (mp->cursor + STRIDE) % VW_MM_PAGE_COUNT;
        uint64_t pa = VW_MM_PAGES_BASE + ((uint64_t)i << 12);
        if (mp->owner[i] != 0 || pa < low || pa + PAGE - 1 > high)
            continue;
        pfns[got++] = (uint32_t)(pa >> 12);
    }
    if (got == 0 || (got < want && (flags & VW_MM_FULLY_REQUIRED))) {
        free(pfns);
        return;
    }
    uint64_t mdl_size = VW_SIZEOF(vm, MDL) + (uint64_t)got * vm->ptr_size;
    gva_t mdl = vw_pool_alloc(vm, mdl_size, MDL_TAG, "MDL from MmAllocatePagesForMdlEx", true);
    struct vw_mm_mdl *r = mdl != 0 ? new_record(vm, mp) : NULL;
    if (r == NULL) {
        free(pfns);
        return;
    }
    *r = (struct vw_mm_mdl){.mdl = mdl, .pfns = pfns, .pages = got, .live = true};
    uint16_t owner = (uint16_t)(r - mp->mdls + 1);
    gva_t array = mdl + VW_SIZEOF(vm, MDL);
    for (unsigned i = 0; i < got; i++) {
        uint64_t pa = (uint64_t)pfns[i] << 12;
        mp->owner[(pa - VW_MM_PAGES_BASE) >> 12] = owner;
        /* Contents: zeroed unless the driver said it does not care. */
        memset(vw_ram_host(vm, pa, PAGE), (flags & VW_MM_DONT_ZERO) ? 0xa5 : 0, PAGE);
        vw_wr(vm, array + (uint64_t)i * vm->ptr_size, pfns[i], vm->ptr_size);
    }
    vw_wr(vm, mdl + VW_OFFSET(vm, MDL, Size), mdl_size, 2);
    vw_wr(vm, mdl + VW_OFFSET(vm, MDL, MdlFlags), VW_MDL_PAGES_LOCKED, 2);
    vw_wr(vm, mdl + VW_OFFSET(vm, MDL, ByteCount), (uint64_t)got * PAGE, 4);
    mp->allocated += got;
    mp->available -= got;
    mp->total_allocated += got;
    vw_set_return(vm, mdl);
}

void vw_MmFreePagesFromMdl(struct vm *vm, const struct vw_api *api)
{
    gva_t mdl = vw_arg(vm, api, 0);
    struct vw_mm_pages *mp = vw_mm_pages(vm);
    struct vw_mm_mdl *r = NULL;
    if (mp == NULL)
        return;
    for (unsigned i = 0; i < mp->mdl_count && r == NULL; i++)
        if (mp->mdls[i].mdl == mdl && mp->mdls[i].live)
            r = &mp->mdls[i];
    if (r == NULL) {
        vw_fail(vm,
                "MmFreePagesFromMdl(0x%" PRIx64 "): not an MDL from MmAllocatePagesForMdlEx "
                "whose pages are still allocated (double free?)",
                mdl);
        return;
    }
    uint64_t count = vw_rd(vm, mdl + VW_OFFSET(vm, MDL, ByteCount), 4);
    if (count != (uint64_t)r->pages * PAGE) {
        vw_fail(vm, "MmFreePagesFromMdl: the MDL's byte count changed (%" PRIu64 ", was %u pages)",
                count, r->pages);
        return;
    }
    gva_t array = mdl + VW_SIZEOF(vm, MDL);
    for (unsigned i = 0; i < r->pages; i++) {
        uint64_t pfn = vw_rd(vm, array + (uint64_t)i * vm->ptr_size, vm->ptr_size);
        if (pfn != r->pfns[i]) {
            vw_fail(vm,
                    "MmFreePagesFromMdl: frame number %u of the MDL changed (0x%" PRIx64
                    ", allocated 0x%x)",
                    i, pfn, r->pfns[i]);
            return;
        }
    }
    for (unsigned i = 0; i < r->pages && mp->on_free != NULL && !vm->failed; i++)
        mp->on_free(vm, mp->on_free_ctx, r->pfns[i]);
    if (vm->failed)
        return;
    for (unsigned i = 0; i < r->pages; i++)
        mp->owner[(((uint64_t)r->pfns[i] << 12) - VW_MM_PAGES_BASE) >> 12] = 0;
    mp->allocated -= r->pages;
    mp->available += r->pages;
    mp->total_freed += r->pages;
    r->live = false;
}

unsigned vw_mm_pages_report_leaks(struct vm *vm)
{
    struct vw_mm_pages *mp = vm->k->mm_pages;
    unsigned n = 0;
    if (mp == NULL)
        return 0;
    for (unsigned i = 0; i < mp->mdl_count; i++)
        if (mp->mdls[i].live) {
            vw_log(vm,
                   "leak: %u pages of MDL 0x%" PRIx64 " from MmAllocatePagesForMdlEx never "
                   "given back with MmFreePagesFromMdl",
                   mp->mdls[i].pages, mp->mdls[i].mdl);
            n++;
        }
    return n;
}
