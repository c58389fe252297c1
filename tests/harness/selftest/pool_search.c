/*
 * The pool finds a block by binary search over its blocks, which are
 * appended in address order (nt/mm/k_pool.c find_live, h-runcpu's cut of a
 * scan per free).  Harness-side blocks freed in an order that visits the
 * first, the newest and every other block must each be found, and a free
 * of an address inside a block refused.  Planted: a search one block short
 * never finds the newest block, whose free is refused.
 */
#include "kernel.h"
#include "scenario.h"

#define BLOCKS 97u /* prime: STRIDE visits every index */
#define STRIDE 38u
#define TAG    0x74735756u /* 'VWst' */

/* Allocate BLOCKS blocks of mixed sizes and free them in a stride order. */
static void free_in_stride_order(struct vm *vm)
{
    gva_t va[BLOCKS];
    for (unsigned i = 0; i < BLOCKS; i++) {
        va[i] = vw_pool_alloc(vm, 16 + 61u * i, TAG, "pool", false);
        if (va[i] == 0) {
            vw_fail(vm, "harness: pool block %u of %u not allocated", i, BLOCKS);
            return;
        }
    }
    for (unsigned i = 0; i < BLOCKS && !vm->failed; i++)
        vw_pool_free(vm, va[(i * STRIDE) % BLOCKS], "pool_search");
}

VW_SCENARIO_NO_DRIVER("harness", pool_search_finds_every_block)
{
    free_in_stride_order(vm);
}

/* Planted: the search one short refuses the newest block's free. */
VW_SCENARIO("harness", checker_pool_search_skips_last, "pool_search: 0x")
{
    vw_pool_plant_search_skips_last(vm);
    free_in_stride_order(vm);
}

/* A free of an address 16 bytes into a live block is refused (a search
 * that answered with the enclosing block would free it). */
VW_SCENARIO("harness", checker_pool_free_inside_block, "is not an allocated pool block")
{
    gva_t va = vw_pool_alloc(vm, 64, TAG, "pool", false);
    if (va != 0)
        vw_pool_free(vm, va + 16, "pool_search");
}
