/*
 * Scatter/gather DMA: the adapter's GetScatterGatherList,
 * BuildScatterGatherList, PutScatterGatherList, CalculateScatterGatherList
 * and GetDmaAlignment.  A list describes an MDL chain's physical runs
 * (guest RAM offsets, k_mdl.c); while it lives its pages are DMA-able, so
 * the device models accept descriptors there; PutScatterGatherList takes
 * that away again (and frees a list the kernel allocated), so a device
 * pointed at an element after the put is caught by the DMA-bounds check.
 * Lists not put at unload or at PutDmaAdapter are reported.
 */
#include <inttypes.h>
#include <stdlib.h>
#include "abi.h"
#include "kernel.h"
#include "layout.h"
#include "vw_ntstatus.h"

#define MAX_LISTS    32
#define MAX_ELEMENTS 64
#define MAX_RANGES   128
#define PAGE         ((uint64_t)0x1000)

struct sg_list {
    gva_t list, adapter;
    bool live, kernel_allocated;
    unsigned count;
    uint64_t pa[MAX_ELEMENTS], len[MAX_ELEMENTS];
};

/* DMA-able ranges announced for live lists, counted (two lists may
 * describe the same buffer). */
struct sg_range {
    uint64_t pa, len;
    unsigned refs;
};

struct vw_sg_state {
    struct sg_list lists[MAX_LISTS];
    unsigned list_count;
    struct sg_range ranges[MAX_RANGES];
    unsigned range_count;
};

static struct vw_sg_state *state(struct vm *vm)
{
    if (vm->k->sg == NULL) {
        vm->k->sg = calloc(1, sizeof(*vm->k->sg));
        if (vm->k->sg != NULL)
            vw_kernel_keep(vm, vm->k->sg);
    }
    return vm->k->sg;
}

/* Inside a live common buffer: DMA-able anyway, nothing to announce. */
static bool in_common_buffer(struct vm *vm, uint64_t pa, uint64_t len)
{
    for (unsigned i = 0; i < vm->k->buffer_count; i++) {
        const struct vw_common_buffer *b = &vm->k->buffers[i];
        if (b->live && pa >= b->pa && pa + len <= b->pa + b->len)
            return true;
    }
    return false;
}

static void range_ref(struct vm *vm, struct vw_sg_state *s, uint64_t pa, uint64_t len, bool add)
{
    if (in_common_buffer(vm, pa, len))
        return;
    for (unsigned i = 0; i < s->range_count; i++) {
        struct sg_range *r = &s->ranges[i];
        if (r->pa != pa || r->len != len)
            continue;
        if (add) {
            r->refs++;
        } else if (--r->refs == 0) {
            vw_dma_announce(vm, pa, len, false);
            *r = s->ranges[--s->range_count];
        }
        return;
    }
    if (!add)
        return;
    if (s->range_count == MAX_RANGES) {
        vw_fail(vm, "harness: too many scatter/gather ranges");
        return;
    }
    s->ranges[s->range_count++] = (struct sg_range){pa, len, 1};
    vw_dma_announce(vm, pa, len, true);
}

static uint64_t list_size(struct vm *vm, unsigned elements)
{
    return VW_OFFSET(vm, SCATTER_GATHER_LIST, Elements) +
           (uint64_t)elements * VW_SIZEOF(vm, SCATTER_GATHER_ELEMENT);
}

static bool is_adapter(struct vm *vm, gva_t adapter, const char *who)
{
    for (unsigned i = 0; i < vm->k->adapter_count; i++)
        if (vm->k->adapters[i].obj == adapter && vm->k->adapters[i].live)
            return true;
    vw_fail(vm, "%s: 0x%" PRIx64 " is not a live DMA adapter", who, adapter);
    return false;
}

/* Common part of Get/Build: (Adapter, DeviceObject, Mdl, CurrentVa, Length,
 * ExecutionRoutine, Context, WriteToDevice[, Buffer, BufferLength]). */
static void make_list(struct vm *vm, const struct vw_api *api, gva_t buffer, uint64_t buffer_len)
{
    struct vw_sg_state *s = state(vm);
    gva_t adapter = vw_arg(vm, api, 0), device = vw_arg(vm, api, 1), mdl = vw_arg(vm, api, 2);
    gva_t va = vw_arg(vm, api, 3), routine = vw_arg(vm, api, 5), context = vw_arg(vm, api, 6);
    uint64_t len = (uint32_t)vw_arg(vm, api, 4);
    if (s == NULL || !is_adapter(vm, adapter, api->name))
        return;
    if (vm->irql != VW_DISPATCH_LEVEL) {
        vw_fail(vm, "IRQL: %s at IRQL %u (must be DISPATCH_LEVEL)", api->name, vm->irql);
        return;
    }
    if (s->list_count == MAX_LISTS) {
        vw_fail(vm, "harness: hard limit: more than %u scatter/gather lists", MAX_LISTS);
        return;
    }
    struct sg_list *l = &s->lists[s->list_count];
    *l = (struct sg_list){.adapter = adapter};
    l->count = vw_mdl_phys(vm, mdl, va, len, l->pa, l->len, MAX_ELEMENTS, api->name);
    if (l->count == 0) {
        if (!vm->failed)
            vw_fail(vm, "%s: an empty transfer", api->name);
        return;
    }
    uint64_t size = list_size(vm, l->count);
    if (buffer == 0) {
        buffer = vw_pool_alloc(vm, size, VW_TAG('S', 'c', 'G', 'l'), "scatter/gather list", false);
        l->kernel_allocated = true;
        if (buffer == 0) {
            vw_set_return(vm, VW_STATUS_INSUFFICIENT_RESOURCES);
            return;
        }
    } else if (buffer_len < size) {
        vw_set_return(vm, VW_STATUS_BUFFER_TOO_SMALL);
        return;
    }
    l->list = buffer;
    l->live = true;
    s->list_count++;
    vw_wr(vm, buffer + VW_OFFSET(vm, SCATTER_GATHER_LIST, NumberOfElements), l->count, 4);
    for (unsigned i = 0; i < l->count; i++) {
        gva_t e = buffer + list_size(vm, i);
        vw_wr(vm, e + VW_OFFSET(vm, SCATTER_GATHER_ELEMENT, Address), l->pa[i], 8);
        vw_wr(vm, e + VW_OFFSET(vm, SCATTER_GATHER_ELEMENT, Length), l->len[i], 4);
        range_ref(vm, s, l->pa[i], l->len[i], true);
    }
    /* DRIVER_LIST_CONTROL(DeviceObject, Irp, ScatterGather, Context), at
     * DISPATCH_LEVEL, before the call returns (map registers are free). */
    uint64_t args[4] = {device, 0, buffer, context};
    vw_call(vm, routine, 4, args, NULL);
    if (!vm->failed)
        vw_set_return(vm, VW_STATUS_SUCCESS);
}

static void GetScatterGatherList(struct vm *vm, const struct vw_api *api)
{
    make_list(vm, api, 0, 0);
}

static void BuildScatterGatherList(struct vm *vm, const struct vw_api *api)
{
    gva_t buffer = vw_arg(vm, api, 8);
    if (buffer == 0) {
        vw_fail(vm, "BuildScatterGatherList without a buffer");
        return;
    }
    make_list(vm, api, buffer, (uint32_t)vw_arg(vm, api, 9));
}

/* (Adapter, ScatterGather, WriteToDevice) */
static void PutScatterGatherList(struct vm *vm, const struct vw_api *api)
{
    struct vw_sg_state *s = state(vm);
    gva_t list = vw_arg(vm, api, 1);
    if (s == NULL)
        return;
    if (vm->irql != VW_DISPATCH_LEVEL) {
        vw_fail(vm, "IRQL: PutScatterGatherList at IRQL %u (must be DISPATCH_LEVEL)", vm->irql);
        return;
    }
    for (unsigned i = 0; i < s->list_count; i++) {
        struct sg_list *l = &s->lists[i];
        if (!l->live || l->list != list)
            continue;
        for (unsigned e = 0; e < l->count; e++)
            range_ref(vm, s, l->pa[e], l->len[e], false);
        if (l->kernel_allocated)
            vw_pool_free(vm, list, "PutScatterGatherList");
        *l = s->lists[--s->list_count];
        return;
    }
    vw_fail(vm, "PutScatterGatherList: 0x%" PRIx64 " is not a live scatter/gather list", list);
}

/* (Adapter, Mdl, CurrentVa, Length, ScatterGatherListSize,
 * NumberOfMapRegisters): an upper bound, one element per page spanned. */
static void CalculateScatterGatherList(struct vm *vm, const struct vw_api *api)
{
    gva_t va = vw_arg(vm, api, 2), size = vw_arg(vm, api, 4), regs = vw_arg(vm, api, 5);
    uint64_t len = (uint32_t)vw_arg(vm, api, 3);
    if (!is_adapter(vm, vw_arg(vm, api, 0), "CalculateScatterGatherList"))
        return;
    uint64_t pages = ((va & (PAGE - 1)) + len + PAGE - 1) / PAGE;
    vw_wr(vm, size, list_size(vm, (unsigned)pages), 4);
    if (regs != 0)
        vw_wr(vm, regs, pages, 4);
    vw_set_return(vm, VW_STATUS_SUCCESS);
}

/* Any byte alignment: the device models take any address. */
static void GetDmaAlignment(struct vm *vm, const struct vw_api *api)
{
    (void)api;
    vw_set_return(vm, 1);
}

static const struct vw_api ops[] = {
    {"DMA_OPERATIONS.GetScatterGatherList", VW_ALL_ARCHES, VW_STDCALL, 8, 0, VW_DISPATCH_LEVEL,
     GetScatterGatherList},
    {"DMA_OPERATIONS.PutScatterGatherList", VW_ALL_ARCHES, VW_STDCALL, 3, 0, VW_DISPATCH_LEVEL,
     PutScatterGatherList},
    {"DMA_OPERATIONS.BuildScatterGatherList", VW_ALL_ARCHES, VW_STDCALL, 10, 0, VW_DISPATCH_LEVEL,
     BuildScatterGatherList},
    {"DMA_OPERATIONS.CalculateScatterGatherList", VW_ALL_ARCHES, VW_STDCALL, 6, 0,
     VW_DISPATCH_LEVEL, CalculateScatterGatherList},
    {"DMA_OPERATIONS.GetDmaAlignment", VW_ALL_ARCHES, VW_STDCALL, 1, 0, VW_DISPATCH_LEVEL,
     GetDmaAlignment},
};

void vw_sg_fill_ops(struct vm *vm, gva_t dmaops)
{
    vw_wrptr(vm, dmaops + VW_OFFSET(vm, DMA_OPERATIONS, GetScatterGatherList),
             vw_kernel_routine(vm, &ops[0]));
    vw_wrptr(vm, dmaops + VW_OFFSET(vm, DMA_OPERATIONS, PutScatterGatherList),
             vw_kernel_routine(vm, &ops[1]));
    vw_wrptr(vm, dmaops + VW_OFFSET(vm, DMA_OPERATIONS, BuildScatterGatherList),
             vw_kernel_routine(vm, &ops[2]));
    vw_wrptr(vm, dmaops + VW_OFFSET(vm, DMA_OPERATIONS, CalculateScatterGatherList),
             vw_kernel_routine(vm, &ops[3]));
    vw_wrptr(vm, dmaops + VW_OFFSET(vm, DMA_OPERATIONS, GetDmaAlignment),
             vw_kernel_routine(vm, &ops[4]));
}

bool vw_sg_outstanding(struct vm *vm, gva_t adapter)
{
    const struct vw_sg_state *s = vm->k->sg;
    for (unsigned i = 0; s != NULL && i < s->list_count; i++)
        if (s->lists[i].live && s->lists[i].adapter == adapter)
            return true;
    return false;
}

unsigned vw_sg_report_leaks(struct vm *vm)
{
    const struct vw_sg_state *s = vm->k->sg;
    unsigned n = 0;
    for (unsigned i = 0; s != NULL && i < s->list_count; i++)
        if (s->lists[i].live) {
            vw_log(vm, "leak: scatter/gather list 0x%" PRIx64 " never put", s->lists[i].list);
            n++;
        }
    return n;
}
