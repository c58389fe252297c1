/*
 * Pool, in guest RAM (ram.h): every block gets its own pages, ends at a page end (rounded to 16
 * bytes) and has an unmapped guard page on each side, so overruns, underruns
 * and use after free fault at once.  Addresses are never reused.
 */
#include <inttypes.h>
#include <stdlib.h>
#include "abi.h"
#include "kernel.h"
#include "ram.h"

#define PAGE 0x1000ull

gva_t vw_pool_alloc(struct vm *vm, uint64_t size, uint32_t tag, const char *kind, bool driver_owned)
{
    struct vw_kernel *k = vm->k;
    if (size == 0 || size > (64u << 20))
        return 0;
    if (k->pool_count == k->pool_cap) {
        unsigned cap = k->pool_cap ? 2 * k->pool_cap : 64;
        struct vw_pool_block *pool = realloc(k->pool, cap * sizeof(*pool));
        if (pool == NULL)
            return 0;
        k->pool = pool;
        k->pool_cap = cap;
    }
    uint64_t rounded = (size + 15) & ~15ull;
    uint64_t pages_len = (rounded + PAGE - 1) & ~(PAGE - 1);
    gva_t pages = k->pool_next + PAGE; /* leading guard page */
    if (!vw_ram_map(vm, pages, pages_len))
        return 0;
    k->pool_next = pages + pages_len; /* next block's leading guard is our trailing one */
    struct vw_pool_block *b = &k->pool[k->pool_count++];
    *b = (struct vw_pool_block){.va = pages + pages_len - rounded,
                                .pages = pages,
                                .size = size,
                                .pages_len = pages_len,
                                .tag = tag,
                                .caller = vm->depth ? vw_return_address(vm) : 0,
                                .kind = kind,
                                .driver_owned = driver_owned,
                                .live = true};
    return b->va;
}

/* The live block at VA, or NULL (any IRQL: harness-side only).  Blocks are
 * appended in address order (pool_next only grows, addresses are never
 * reused), so a binary search finds it; a linear scan was O(blocks) per
 * free, and a run's blocks grow with every request. */
static struct vw_pool_block *find_live(struct vm *vm, gva_t va)
{
    unsigned count = vm->k->pool_count;
    if (vm->k->pool_plant_search_skips_last && count > 0)
        count--;
    unsigned lo = 0, hi = count;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (vm->k->pool[mid].va < va)
            lo = mid + 1;
        else
            hi = mid;
    }
    struct vw_pool_block *b = lo < count ? &vm->k->pool[lo] : NULL;
    return b != NULL && b->va == va && b->live ? b : NULL;
}

/* The planted twin's knob: find_live searches all blocks but the newest. */
void vw_pool_plant_search_skips_last(struct vm *vm)
{
    vm->k->pool_plant_search_skips_last = true;
}

bool vw_pool_free(struct vm *vm, gva_t va, const char *who)
{
    struct vw_pool_block *b = find_live(vm, va);
    if (b == NULL) {
        vw_fail(vm, "%s: 0x%" PRIx64 " is not an allocated pool block%s", who, va,
                vw_kernel_describe_address(vm, va));
        return false;
    }
    if (vw_dpc_queued_in(vm, b->va, b->size)) {
        vw_fail(vm, "%s frees a %s that holds a queued DPC", who, b->kind);
        return false;
    }
    if (vw_timer_set_in(vm, b->va, b->size)) {
        vw_fail(vm, "%s frees a %s that holds a set timer (or its DPC)", who, b->kind);
        return false;
    }
    if (vw_workitem_queued_in(vm, b->va, b->size)) {
        vw_fail(vm, "%s frees a %s that holds a queued work item", who, b->kind);
        return false;
    }
    /* Freeing memory a plug-in still uses (a registered callback record:
     * the kernel would call into freed memory at the next bug check). */
    const char *what = vw_api_groups_holding(vm, b->va, b->size);
    if (what != NULL) {
        vw_fail(vm, "%s frees a %s that holds %s", who, b->kind, what);
        return false;
    }
    b->live = false;
    vw_ram_unmap(vm, b->pages, b->pages_len);
    return true;
}

unsigned vw_pool_report_leaks(struct vm *vm)
{
    unsigned leaks = 0;
    char w[48];
    for (unsigned i = 0; i < vm->k->pool_count; i++) {
        const struct vw_pool_block *b = &vm->k->pool[i];
        if (!b->live || !b->driver_owned)
            continue;
        leaks++;
        vw_log(vm, "leak: %s, %" PRIu64 " bytes, tag '%.4s', allocated at %s", b->kind, b->size,
               (const char *)&b->tag, vw_where(vm, b->caller, w));
    }
    return leaks;
}

static void allocate(struct vm *vm, uint64_t size, uint32_t tag)
{
    gva_t va = vw_pool_alloc(vm, size, tag, "pool", true);
    vw_set_return(vm, va);
}

void vw_ExAllocatePoolWithTag(struct vm *vm, const struct vw_api *api)
{
    allocate(vm, vw_arg(vm, api, 1), (uint32_t)vw_arg(vm, api, 2));
}

void vw_ExAllocatePool2(struct vm *vm, const struct vw_api *api)
{
    /* ExAllocatePool2 zeroes unless POOL_FLAG_UNINITIALIZED; fresh pages
     * are zero anyway. */
    allocate(vm, vw_arg(vm, api, 1), (uint32_t)vw_arg(vm, api, 2));
}

/* Only blocks from the pool allocators go back with ExFreePool*. */
static bool is_pool(struct vm *vm, const struct vw_pool_block *b, const char *who)
{
    if (b != NULL && !b->driver_owned) {
        vw_fail(vm, "%s of a %s, which the pool did not allocate", who, b->kind);
        return false;
    }
    return true;
}

void vw_ExFreePoolWithTag(struct vm *vm, const struct vw_api *api)
{
    gva_t va = vw_arg(vm, api, 0);
    uint32_t tag = (uint32_t)vw_arg(vm, api, 1);
    struct vw_pool_block *b = find_live(vm, va);
    if (!is_pool(vm, b, "ExFreePoolWithTag"))
        return;
    if (b != NULL && tag != 0 && b->tag != tag) {
        vw_fail(vm, "ExFreePoolWithTag: tag '%.4s' does not match the allocation's '%.4s'",
                (const char *)&tag, (const char *)&b->tag);
        return;
    }
    vw_pool_free(vm, va, "ExFreePoolWithTag");
}

void vw_ExFreePool(struct vm *vm, const struct vw_api *api)
{
    if (!is_pool(vm, find_live(vm, vw_arg(vm, api, 0)), "ExFreePool"))
        return;
    vw_pool_free(vm, vw_arg(vm, api, 0), "ExFreePool");
}
