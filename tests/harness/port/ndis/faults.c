/*
 * Allocation failures, by scenario: the NDIS allocation APIs a miniport
 * calls at initialization or at run time answer as they do when memory is short (NULL, no
 * shared memory, NDIS_STATUS_RESOURCES), for the next N calls or for every
 * call during a window of virtual time.  Each API's calls are counted, in
 * all and once the adapter left InitializeEx, so a scenario can see which
 * ones a miniport makes at run time.
 */
#include "internal.h"

static const char *const alloc_names[VW_NDIS_ALLOC_COUNT] = {
    [VW_NDIS_ALLOC_NBL_POOL] = "NdisAllocateNetBufferListPool",
    [VW_NDIS_ALLOC_NB_AND_NBL] = "NdisAllocateNetBufferAndNetBufferList",
    [VW_NDIS_ALLOC_NBL] = "NdisAllocateNetBufferList",
    [VW_NDIS_ALLOC_MDL] = "NdisAllocateMdl",
    [VW_NDIS_ALLOC_MEMORY] = "NdisAllocateMemoryWithTagPriority",
    [VW_NDIS_ALLOC_SHARED] = "NdisMAllocateSharedMemory",
    [VW_NDIS_ALLOC_SG_LIST] = "NdisMAllocateNetBufferSGList",
};

/* The API's name (for logs and scenario messages). */
const char *vw_ndis_alloc_name(enum vw_ndis_alloc a)
{
    return a < VW_NDIS_ALLOC_COUNT ? alloc_names[a] : "?";
}

/* After SKIP more calls of the APIs in MASK (bit 1 << enum vw_ndis_alloc)
 * the next N fail. */
void vw_ndis_fail_next(struct vm *vm, uint32_t mask, unsigned skip, unsigned n)
{
    struct ndis_state *s = ndis_state(vm);
    s->fault.next_mask = mask;
    s->fault.next_skip = skip;
    s->fault.next_left = n;
}

/* Every call of the APIs in MASK fails from now for US microseconds of
 * virtual time (interrupt time; 0 ends a window). */
void vw_ndis_fail_window(struct vm *vm, uint32_t mask, uint64_t us)
{
    struct ndis_state *s = ndis_state(vm);
    s->fault.window_mask = us != 0 ? mask : 0;
    s->fault.window_end = vm->k->interrupt_time + us * 10;
}

/* Planted emulation bug: the injection counts but never fails a call (a
 * scenario that relies on a failure must fail). */
void vw_ndis_plant_faults_off(struct vm *vm)
{
    ndis_state(vm)->fault.plant_off = true;
}

/* Planted emulation bug: after a failed InitializeEx the emulation leaves
 * an NBL pool as if the miniport had not freed it (the release check must
 * catch it). */
void vw_ndis_plant_init_leak(struct vm *vm)
{
    ndis_state(vm)->fault.plant_leak = true;
}

/* The calls counted so far. */
void vw_ndis_alloc_calls(struct vm *vm, struct vw_ndis_alloc_calls *out)
{
    *out = ndis_state(vm)->fault.calls;
}

/* Counts a call of A; true when it must fail (the caller answers as out of
 * memory; logged at the 1st, 2nd, 4th... failure of each API). */
bool ndis_fault(struct vm *vm, enum vw_ndis_alloc a)
{
    struct ndis_state *s = ndis_state(vm);
    struct ndis_faults *f = &s->fault;
    f->calls.total[a]++;
    if (s->state != VW_NDIS_INITIALIZING && s->state != VW_NDIS_HALTED)
        f->calls.run_time[a]++;
    bool fail = false;
    if ((f->next_mask >> a & 1) && f->next_skip > 0)
        f->next_skip--;
    else if ((f->next_mask >> a & 1) && f->next_left > 0) {
        f->next_left--;
        fail = true;
    }
    if ((f->window_mask >> a & 1) && vm->k->interrupt_time < f->window_end)
        fail = true;
    if (f->plant_off)
        fail = false;
    if (!fail)
        return false;
    unsigned n = ++f->calls.failed[a];
    if ((n & (n - 1)) == 0)
        vw_log(vm, "ndis: fault: %s fails (injected; %u so far)", alloc_names[a], n);
    return true;
}
