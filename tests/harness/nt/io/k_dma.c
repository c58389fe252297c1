/*
 * DMA: IoGetDmaAdapter hands out a DMA_ADAPTER whose DMA_OPERATIONS are
 * kernel routines (routine.c).  Common buffers come from guest RAM, page
 * aligned with guard pages around (they are pool blocks the driver cannot
 * free with ExFreePool); their logical address is the guest-physical one.
 * Every common buffer is announced to the device models (listeners), which
 * refuse descriptors pointing anywhere else (scatter/gather lists add
 * their pages while they live: k_sg.c).  Unload reports adapters not put
 * and buffers not freed.
 */
#include <inttypes.h>
#include "abi.h"
#include "kernel.h"
#include "layout.h"
#include "ram.h"

#define PAGE 0x1000ull

static struct vw_adapter *find_adapter(struct vm *vm, gva_t obj, const char *who)
{
    for (unsigned i = 0; i < vm->k->adapter_count; i++)
        if (vm->k->adapters[i].obj == obj && vm->k->adapters[i].live)
            return &vm->k->adapters[i];
    vw_fail(vm, "%s: 0x%" PRIx64 " is not a live DMA adapter", who, obj);
    return NULL;
}

void vw_dma_add_listener(struct vm *vm, vw_dma_listener_fn *fn, void *dev)
{
    struct vw_kernel *k = vm->k;
    if (VW_GROW(vm, k->dma_listeners, k->dma_listener_count, k->dma_listener_cap,
                "DMA listeners")) {
        k->dma_listeners[k->dma_listener_count].fn = fn;
        k->dma_listeners[k->dma_listener_count++].dev = dev;
    }
}

void vw_dma_announce(struct vm *vm, uint64_t pa, uint64_t len, bool add)
{
    for (unsigned i = 0; i < vm->k->dma_listener_count; i++)
        vm->k->dma_listeners[i].fn(vm, vm->k->dma_listeners[i].dev, pa, len, add);
}

static void AllocateCommonBuffer(struct vm *vm, const struct vw_api *api)
{
    struct vw_kernel *k = vm->k;
    gva_t adapter = vw_arg(vm, api, 0), out_pa = vw_arg(vm, api, 2);
    uint64_t len = (uint32_t)vw_arg(vm, api, 1);
    if (find_adapter(vm, adapter, "AllocateCommonBuffer") == NULL)
        return;
    /* A freed record is reused: drivers that restart their device
     * allocate and free rings many times. */
    unsigned slot = k->buffer_count;
    for (unsigned i = 0; i < k->buffer_count; i++)
        if (!k->buffers[i].live) {
            slot = i;
            break;
        }
    if (len == 0 || (slot == k->buffer_count &&
                     !VW_GROW(vm, k->buffers, k->buffer_count, k->buffer_cap, "common buffers"))) {
        vw_set_return(vm, 0);
        return;
    }
    uint64_t rounded = (len + PAGE - 1) & ~(PAGE - 1);
    gva_t va = vw_pool_alloc(vm, rounded, VW_TAG('D', 'm', 'a', ' '), "common buffer", false);
    if (va == 0) {
        vw_set_return(vm, 0);
        return;
    }
    uint64_t pa = vw_ram_pa(vm, va);
    if (slot == k->buffer_count)
        k->buffer_count++;
    k->buffers[slot] =
        (struct vw_common_buffer){.va = va, .adapter = adapter, .pa = pa, .len = len, .live = true};
    vw_wr(vm, out_pa, pa, 8);
    vw_dma_announce(vm, pa, len, true);
    vw_set_return(vm, va);
}

static void FreeCommonBuffer(struct vm *vm, const struct vw_api *api)
{
    gva_t adapter = vw_arg(vm, api, 0), va = vw_arg(vm, api, 3);
    uint64_t len = (uint32_t)vw_arg(vm, api, 1), pa = vw_arg(vm, api, 2);
    for (unsigned i = 0; i < vm->k->buffer_count; i++) {
        struct vw_common_buffer *b = &vm->k->buffers[i];
        if (!b->live || b->va != va)
            continue;
        if (b->pa != pa || b->len != len || b->adapter != adapter) {
            vw_fail(vm,
                    "FreeCommonBuffer: (len %" PRIu64 ", pa 0x%" PRIx64
                    ") does not match the allocation (len %" PRIu64 ", pa 0x%" PRIx64 ")",
                    len, pa, b->len, b->pa);
            return;
        }
        vw_dma_announce(vm, pa, len, false);
        b->live = false;
        vw_pool_free(vm, va, "FreeCommonBuffer");
        return;
    }
    vw_fail(vm, "FreeCommonBuffer: 0x%" PRIx64 " is not a common buffer", va);
}

static void PutDmaAdapter(struct vm *vm, const struct vw_api *api)
{
    struct vw_adapter *a = find_adapter(vm, vw_arg(vm, api, 0), "PutDmaAdapter");
    if (a == NULL)
        return;
    for (unsigned i = 0; i < vm->k->buffer_count; i++)
        if (vm->k->buffers[i].live && vm->k->buffers[i].adapter == a->obj) {
            vw_fail(vm, "PutDmaAdapter with common buffer 0x%" PRIx64 " still allocated",
                    vm->k->buffers[i].va);
            return;
        }
    if (vw_sg_outstanding(vm, a->obj)) {
        vw_fail(vm, "PutDmaAdapter with a scatter/gather list not put");
        return;
    }
    a->live = false;
}

static const struct vw_api ops[] = {
    {"DMA_OPERATIONS.PutDmaAdapter", VW_ALL_ARCHES, VW_STDCALL, 1, 0, VW_PASSIVE_LEVEL,
     PutDmaAdapter},
    {"DMA_OPERATIONS.AllocateCommonBuffer", VW_ALL_ARCHES, VW_STDCALL, 4, 0, VW_PASSIVE_LEVEL,
     AllocateCommonBuffer},
    {"DMA_OPERATIONS.FreeCommonBuffer", VW_ALL_ARCHES, VW_STDCALL, 5, 1u << 2, VW_PASSIVE_LEVEL,
     FreeCommonBuffer},
};

void vw_IoGetDmaAdapter(struct vm *vm, const struct vw_api *api)
{
    struct vw_kernel *k = vm->k;
    gva_t pdo = vw_arg(vm, api, 0), count = vw_arg(vm, api, 2);
    if (vw_pdo_find(vm, pdo) == NULL) {
        vw_fail(vm, "IoGetDmaAdapter: 0x%" PRIx64 " is not a PDO", pdo);
        return;
    }
    if (k->adapter_count == sizeof(k->adapters) / sizeof(k->adapters[0])) {
        vw_fail(vm, "harness: hard limit: more than %u DMA adapters", k->adapter_count);
        return;
    }
    /* The version-2 table (Windows 7), up to BuildMdlFromScatterGatherList;
     * Size says the later operations are absent.  (Not sizeof: Microsoft's
     * declaration has 39 operations, mingw-w64's these 15.) */
    uint64_t osize = VW_OFFSET(vm, DMA_OPERATIONS, BuildMdlFromScatterGatherList) + vm->ptr_size;
    gva_t adapter = vw_kalloc(vm, VW_SIZEOF(vm, DMA_ADAPTER) + 16 + osize);
    gva_t dmaops = adapter + ((VW_SIZEOF(vm, DMA_ADAPTER) + 15) & ~15ull);
    vw_wr(vm, adapter + VW_OFFSET(vm, DMA_ADAPTER, Version), 1, 2);
    vw_wr(vm, adapter + VW_OFFSET(vm, DMA_ADAPTER, Size), VW_SIZEOF(vm, DMA_ADAPTER), 2);
    vw_wrptr(vm, adapter + VW_OFFSET(vm, DMA_ADAPTER, DmaOperations), dmaops);
    /* The operations not modelled stay NULL: calling one faults at once. */
    vw_wr(vm, dmaops + VW_OFFSET(vm, DMA_OPERATIONS, Size), osize, 4);
    vw_wrptr(vm, dmaops + VW_OFFSET(vm, DMA_OPERATIONS, PutDmaAdapter),
             vw_kernel_routine(vm, &ops[0]));
    vw_wrptr(vm, dmaops + VW_OFFSET(vm, DMA_OPERATIONS, AllocateCommonBuffer),
             vw_kernel_routine(vm, &ops[1]));
    vw_wrptr(vm, dmaops + VW_OFFSET(vm, DMA_OPERATIONS, FreeCommonBuffer),
             vw_kernel_routine(vm, &ops[2]));
    vw_sg_fill_ops(vm, dmaops);
    if (count != 0)
        vw_wr(vm, count, 256, 4);
    k->adapters[k->adapter_count++] = (struct vw_adapter){adapter, pdo, true};
    vw_set_return(vm, adapter);
}

unsigned vw_dma_report_leaks(struct vm *vm)
{
    unsigned n = vw_sg_report_leaks(vm);
    for (unsigned i = 0; i < vm->k->buffer_count; i++)
        if (vm->k->buffers[i].live) {
            vw_log(vm, "leak: common buffer of %" PRIu64 " bytes at pa 0x%" PRIx64,
                   vm->k->buffers[i].len, vm->k->buffers[i].pa);
            n++;
        }
    for (unsigned i = 0; i < vm->k->adapter_count; i++)
        if (vm->k->adapters[i].live) {
            vw_log(vm, "leak: DMA adapter 0x%" PRIx64 " never put", vm->k->adapters[i].obj);
            n++;
        }
    return n;
}
