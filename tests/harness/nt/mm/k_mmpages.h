/*
 * Physical pages handed to the driver with MmAllocatePagesForMdlEx and
 * taken back with MmFreePagesFromMdl (k_mmpages.c).  They come from the
 * top VW_MM_PAGES_BYTES of guest RAM, which pool and DMA memory never use,
 * and are not mapped in the pool window: a driver that touches a page it
 * gave to a balloon faults.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "ram.h"

#define VW_MM_PAGE_COUNT (unsigned)(VW_MM_PAGES_BYTES >> 12)

struct vw_mm_mdl {
    gva_t mdl;
    uint32_t *pfns; /* what the kernel put in the MDL, to check it comes back */
    unsigned pages;
    bool live; /* pages not yet freed */
};

struct vw_mm_pages {
    uint16_t owner[VW_MM_PAGE_COUNT]; /* 0 free, else MDL record index + 1 */
    unsigned allocated;               /* pages the driver holds now */
    unsigned available;               /* scenario: pages still obtainable */
    unsigned cursor;                  /* next page to try */
    uint64_t total_allocated, total_freed;
    struct vw_mm_mdl *mdls;
    unsigned mdl_count, mdl_cap;
    /* A device model told of each page given back (the balloon checks
     * that the host heard of it first). */
    void (*on_free)(struct vm *vm, void *ctx, uint64_t pfn);
    void *on_free_ctx;
};

struct vm;
/* The page record, created on first use. */
struct vw_mm_pages *vw_mm_pages(struct vm *vm);
/* Scenario: how many more pages MmAllocatePagesForMdlEx may hand out. */
void vw_mm_set_available(struct vm *vm, unsigned pages);
/* True when PFN (4 KiB units) is a page the driver holds from an MDL. */
bool vw_mm_page_held(struct vm *vm, uint64_t pfn);
unsigned vw_mm_pages_report_leaks(struct vm *vm);
