/*
 * ndis.sys's DMA for a bus-master miniport: scatter/gather DMA
 * (ndis/nf-ndis-ndismregisterscattergatherdma, ndis/nf-ndis-
 * ndismallocatenetbuffersglist, ndis/nc-ndis-miniport_process_sg_list,
 * ndis/nf-ndis-ndismfreenetbuffersglist) and shared memory
 * (ndis/nf-ndis-ndismallocatesharedmemory, ndis/nf-ndis-ndismfreesharedmemory).
 * Every SG list's pages and every shared block are announced to the device
 * models as DMA memory while they live, so a virtio function behind the
 * adapter accepts the miniport's descriptors.  Checked: a list freed twice
 * or never allocated, an NBL completed while one of its NET_BUFFERs still
 * has a list, lists and shared memory left at halt.
 */
#include <inttypes.h>
#include <string.h>
#include "internal.h"
#include "layout.h"
#include "ram.h"

#define PAGE 0x1000ull
/* Elements one NET_BUFFER's list may have: NDIS itself sets no such bound (a chain of 80
 * MDLs makes 80 or more); the miniport copes or fails the NBL.  Beyond it the run fails. */
#define SG_MAX_ELEMENTS 512

static uint64_t list_size(struct vm *vm, unsigned elements)
{
    return VW_OFFSET(vm, SCATTER_GATHER_LIST, Elements) +
           (uint64_t)elements * VW_SIZEOF(vm, SCATTER_GATHER_ELEMENT);
}

/* (MiniportAdapterHandle, DmaDescription, &NdisMiniportDmaHandle), from
 * InitializeEx: NDIS writes ScatterGatherListSize, the size of a list for
 * the largest mapping (MaximumPhysicalMapping bytes on any page boundary). */
static void vw_NdisMRegisterScatterGatherDma(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    gva_t d = vw_arg(vm, api, 1), out = vw_arg(vm, api, 2), h = vw_arg(vm, api, 0);
    vw_set_return(vm, VW_NDIS_STATUS_FAILURE); /* after the arguments: x0 on arm64 */
    if (!ndis_check_adapter(vm, h, api->name))
        return;
    if (s->state != VW_NDIS_INITIALIZING || s->dma_registered) {
        vw_fail(vm,
                "NdisMRegisterScatterGatherDma with the adapter %s%s (once, from "
                "MiniportInitializeEx)",
                ndis_state_name(s->state), s->dma_registered ? ", registered already" : "");
        return;
    }
#define SD(m) (d + VW_OFFSET(vm, NDIS_SG_DMA_DESCRIPTION, m))
    unsigned type = (unsigned)vw_rd(vm, d, 1), size = (unsigned)vw_rd(vm, d + 2, 2);
    uint32_t max = (uint32_t)vw_rd(vm, SD(MaximumPhysicalMapping), 4);
    gva_t process = vw_rdptr(vm, SD(ProcessSGListHandler));
    if (type != VW_NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION ||
        size < VW_SIZEOF(vm, NDIS_SG_DMA_DESCRIPTION) || max == 0 || process == 0) {
        vw_fail(vm,
                "NdisMRegisterScatterGatherDma: header type 0x%x size %u, MaximumPhysicalMapping "
                "%u, ProcessSGListHandler %s",
                type, size, max, process ? "set" : "missing");
        vw_set_return(vm, VW_NDIS_STATUS_INVALID_PARAMETER);
        return;
    }
    s->dma_registered = true;
    s->dma_handle = vw_kalloc(vm, 16);
    s->process_sg = process;
    s->shmem_complete = vw_rdptr(vm, SD(SharedMemAllocateCompleteHandler));
    s->max_mapping = max;
    vw_wr(vm, SD(ScatterGatherListSize), list_size(vm, max / PAGE + 2), 4);
#undef SD
    vw_wrptr(vm, out, s->dma_handle);
    vw_set_return(vm, VW_NDIS_STATUS_SUCCESS);
}

static bool dma_handle(struct vm *vm, gva_t h, const char *who)
{
    struct ndis_state *s = ndis_state(vm);
    if (!s->dma_registered || h != s->dma_handle) {
        vw_fail(vm, "%s: 0x%" PRIx64 " is no registered DMA handle", who, h);
        return false;
    }
    return true;
}

/* ndis/nf-ndis-ndismderegisterscattergatherdma: with no list outstanding. */
static void vw_NdisMDeregisterScatterGatherDma(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    if (!dma_handle(vm, vw_arg(vm, api, 0), api->name))
        return;
    for (unsigned i = 0; i < NDIS_MAX_SGLS; i++)
        if (s->sgls[i].live) {
            vw_fail(vm, "NdisMDeregisterScatterGatherDma with the SG list 0x%" PRIx64 " not freed",
                    s->sgls[i].sgl);
            return;
        }
    s->dma_registered = false;
}

static void announce(struct vm *vm, gva_t sgl, bool add)
{
    unsigned n = (unsigned)vw_rd(vm, sgl + VW_OFFSET(vm, SCATTER_GATHER_LIST, NumberOfElements), 4);
    for (unsigned i = 0; i < n; i++) {
        gva_t e = sgl + list_size(vm, i);
        vw_dma_announce(vm, vw_rd(vm, e + VW_OFFSET(vm, SCATTER_GATHER_ELEMENT, Address), 8),
                        vw_rd(vm, e + VW_OFFSET(vm, SCATTER_GATHER_ELEMENT, Length), 4), add);
    }
}

/* (NdisMiniportDmaHandle, NetBuffer, Context, Flags, ScatterGatherListBuffer,
 * ScatterGatherListBufferSize) at DISPATCH_LEVEL: the list of the NB's data
 * (from CurrentMdl, CurrentMdlOffset bytes in, DataLength bytes) in the
 * miniport's buffer when it is large enough, else in NDIS's memory; the
 * miniport's ProcessSGList runs at DISPATCH_LEVEL before this returns. */
static void vw_NdisMAllocateNetBufferSGList(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    gva_t nb = vw_arg(vm, api, 1), ctx = vw_arg(vm, api, 2), buf = vw_arg(vm, api, 4);
    uint32_t buf_len = (uint32_t)vw_arg(vm, api, 5);
    gva_t h = vw_arg(vm, api, 0);
    vw_set_return(vm, VW_NDIS_STATUS_FAILURE);
    if (!dma_handle(vm, h, api->name))
        return;
    struct ndis_sgl *slot = NULL;
    for (unsigned i = 0; i < NDIS_MAX_SGLS; i++) {
        if (s->sgls[i].live && s->sgls[i].nb == nb) {
            vw_fail(vm,
                    "NdisMAllocateNetBufferSGList: NET_BUFFER 0x%" PRIx64 " has an SG list "
                    "already (one per NET_BUFFER until NdisMFreeNetBufferSGList)",
                    nb);
            return;
        }
        if (slot == NULL && !s->sgls[i].live)
            slot = &s->sgls[i];
    }
    if (slot == NULL) {
        vw_fail(vm, "harness: hard limit: %u SG lists at once", NDIS_MAX_SGLS);
        return;
    }
    if (ndis_fault(vm, VW_NDIS_ALLOC_SG_LIST)) {
        vw_set_return(vm, VW_NDIS_STATUS_RESOURCES);
        return;
    }
    gva_t mdl = vw_rdptr(vm, nb + VW_OFFSET(vm, NET_BUFFER, CurrentMdl));
    uint64_t off = vw_rd(vm, nb + VW_OFFSET(vm, NET_BUFFER, CurrentMdlOffset), 4);
    uint64_t len = vw_rd(vm, nb + VW_OFFSET(vm, NET_BUFFER, DataLength), 4);
    gva_t va = vw_rdptr(vm, mdl + VW_OFFSET(vm, MDL, StartVa)) +
               vw_rd(vm, mdl + VW_OFFSET(vm, MDL, ByteOffset), 4) + off;
    uint64_t pa[SG_MAX_ELEMENTS], plen[SG_MAX_ELEMENTS];
    unsigned n = len ? vw_mdl_phys(vm, mdl, va, len, pa, plen, SG_MAX_ELEMENTS, api->name) : 0;
    if (n == 0) {
        if (!vm->failed)
            vw_fail(vm, "NdisMAllocateNetBufferSGList: a NET_BUFFER with no data");
        return;
    }
    uint64_t size = list_size(vm, n);
    bool allocated = buf == 0 || buf_len < size;
    if (allocated)
        buf = vw_pool_alloc(vm, size, NDIS_TAG, "NDIS SG list", false);
    if (buf == 0) {
        vw_set_return(vm, VW_NDIS_STATUS_RESOURCES);
        return;
    }
    vw_wr(vm, buf + VW_OFFSET(vm, SCATTER_GATHER_LIST, NumberOfElements), n, 4);
    for (unsigned i = 0; i < n; i++) {
        gva_t e = buf + list_size(vm, i);
        vw_wr(vm, e + VW_OFFSET(vm, SCATTER_GATHER_ELEMENT, Address), pa[i], 8);
        vw_wr(vm, e + VW_OFFSET(vm, SCATTER_GATHER_ELEMENT, Length), plen[i], 4);
    }
    *slot = (struct ndis_sgl){.sgl = buf, .nb = nb, .allocated = allocated, .live = true};
    announce(vm, buf, true);
    uint64_t args[4] = {s->pdo, 0, buf, ctx};
    if (!ndis_call(vm, s->process_sg, VW_DISPATCH_LEVEL, 4, args, NULL))
        return;
    vw_set_return(vm, VW_NDIS_STATUS_SUCCESS);
}

/* (NdisMiniportDmaHandle, pSGL, NetBuffer) at DISPATCH_LEVEL: a list
 * NdisMAllocateNetBufferSGList gave for that NB, once. */
static void vw_NdisMFreeNetBufferSGList(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    gva_t sgl = vw_arg(vm, api, 1), nb = vw_arg(vm, api, 2);
    if (!dma_handle(vm, vw_arg(vm, api, 0), api->name))
        return;
    for (unsigned i = 0; i < NDIS_MAX_SGLS; i++) {
        struct ndis_sgl *l = &s->sgls[i];
        if (!l->live || l->sgl != sgl)
            continue;
        if (l->nb != nb) {
            vw_fail(vm,
                    "NdisMFreeNetBufferSGList: SG list 0x%" PRIx64 " belongs to NET_BUFFER "
                    "0x%" PRIx64 ", not 0x%" PRIx64,
                    sgl, l->nb, nb);
            return;
        }
        announce(vm, sgl, false);
        if (l->allocated)
            vw_pool_free(vm, sgl, "NdisMFreeNetBufferSGList");
        memset(l, 0, sizeof(*l));
        return;
    }
    vw_fail(vm,
            "NdisMFreeNetBufferSGList: 0x%" PRIx64 " is no SG list outstanding (freed twice, or "
            "never allocated)",
            sgl);
}

bool ndis_dma_nb_has_list(struct vm *vm, gva_t nb)
{
    struct ndis_state *s = ndis_state(vm);
    for (unsigned i = 0; i < NDIS_MAX_SGLS; i++)
        if (s->sgls[i].live && s->sgls[i].nb == nb)
            return true;
    return false;
}

/* ---- Shared memory: (MiniportAdapterHandle, Length, Cached,
 * &VirtualAddress, &PhysicalAddress) at PASSIVE_LEVEL, after
 * NdisMRegisterScatterGatherDma (the page: "must call
 * NdisMRegisterScatterGatherDma ... before"); page-aligned, physically
 * contiguous, a DMA region of the device models until freed. ----------- */
static void vw_NdisMAllocateSharedMemory(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    uint32_t len = (uint32_t)vw_arg(vm, api, 1);
    gva_t out_va = vw_arg(vm, api, 3), out_pa = vw_arg(vm, api, 4);
    if (!ndis_check_adapter(vm, vw_arg(vm, api, 0), api->name))
        return;
    vw_wrptr(vm, out_va, 0);
    if (!s->dma_registered) {
        vw_fail(vm, "NdisMAllocateSharedMemory before NdisMRegisterScatterGatherDma");
        return;
    }
    struct ndis_shmem *slot = NULL;
    for (unsigned i = 0; i < NDIS_MAX_SHMEM && slot == NULL; i++)
        if (!s->shmem[i].live)
            slot = &s->shmem[i];
    if (slot == NULL) {
        vw_fail(vm, "harness: hard limit: %u shared memory blocks", NDIS_MAX_SHMEM);
        return;
    }
    if (len == 0 || ndis_fault(vm, VW_NDIS_ALLOC_SHARED))
        return;
    uint64_t rounded = (len + PAGE - 1) & ~(PAGE - 1);
    gva_t va = vw_pool_alloc(vm, rounded, NDIS_TAG, "NDIS shared memory", false);
    if (va == 0)
        return;
    uint64_t pa = vw_ram_pa(vm, va);
    *slot = (struct ndis_shmem){.va = va, .pa = pa, .len = len, .live = true};
    vw_dma_announce(vm, pa, len, true);
    vw_wrptr(vm, out_va, va);
    vw_wr(vm, out_pa, pa, 8);
}

/* (MiniportAdapterHandle, Length, Cached, VirtualAddress, PhysicalAddress):
 * exactly what the allocation gave. */
static void vw_NdisMFreeSharedMemory(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    uint32_t len = (uint32_t)vw_arg(vm, api, 1);
    gva_t va = vw_arg(vm, api, 3);
    uint64_t pa = vw_arg(vm, api, 4);
    if (!ndis_check_adapter(vm, vw_arg(vm, api, 0), api->name))
        return;
    for (unsigned i = 0; i < NDIS_MAX_SHMEM; i++) {
        struct ndis_shmem *b = &s->shmem[i];
        if (!b->live || b->va != va)
            continue;
        if (b->len != len || b->pa != pa) {
            vw_fail(vm,
                    "NdisMFreeSharedMemory(0x%" PRIx64 "): length %u and address 0x%" PRIx64
                    " differ from the allocation's %" PRIu64 " and 0x%" PRIx64,
                    va, len, pa, b->len, b->pa);
            return;
        }
        vw_dma_announce(vm, b->pa, b->len, false);
        vw_pool_free(vm, va, "NdisMFreeSharedMemory");
        memset(b, 0, sizeof(*b));
        return;
    }
    vw_fail(vm, "NdisMFreeSharedMemory: 0x%" PRIx64 " is no shared memory (freed twice?)", va);
}

void ndis_dma_mark_rx(struct ndis_state *s, gva_t va)
{
    for (unsigned i = 0; i < NDIS_MAX_SHMEM; i++)
        if (s->shmem[i].live && va >= s->shmem[i].va && va - s->shmem[i].va < s->shmem[i].len) {
            s->shmem[i].rx = true;
            return;
        }
}

void vw_ndis_shared_memory(struct vm *vm, struct vw_ndis_shared *out, bool clear)
{
    struct ndis_state *s = ndis_state(vm);
    memset(out, 0, sizeof(*out));
    for (unsigned i = 0; i < NDIS_MAX_SHMEM; i++) {
        struct ndis_shmem *b = &s->shmem[i];
        if (!b->live)
            continue;
        uint64_t bytes = (b->len + PAGE - 1) & ~(PAGE - 1); /* what the pool gave */
        out->blocks++, out->bytes += bytes;
        if (b->rx)
            out->rx_blocks++, out->rx_bytes += bytes;
        if (clear)
            b->rx = false;
    }
}

bool ndis_dma_after_halt(struct vm *vm)
{
    struct ndis_state *s = ndis_state(vm);
    const char *left = NULL;
    uint64_t what = 0;
    for (unsigned i = 0; i < NDIS_MAX_SGLS && left == NULL; i++)
        if (s->sgls[i].live)
            left = "the SG list", what = s->sgls[i].sgl;
    for (unsigned i = 0; i < NDIS_MAX_SHMEM && left == NULL; i++)
        if (s->shmem[i].live)
            left = "the shared memory", what = s->shmem[i].va;
    if (left == NULL && s->dma_registered)
        left = "scatter/gather DMA registered, handle", what = s->dma_handle;
    if (left != NULL) {
        vw_fail(vm,
                "ndis: MiniportHaltEx returned with %s 0x%" PRIx64 " not freed: halt frees "
                "every resource (network/halting-a-miniport-adapter)",
                left, what);
        return false;
    }
    return true;
}

#define P VW_PASSIVE_LEVEL
#define D VW_DISPATCH_LEVEL
static const struct vw_api dma_apis[] = {
    {"NdisMRegisterScatterGatherDma", VW_ALL_ARCHES, VW_STDCALL, 3, 0, P,
     vw_NdisMRegisterScatterGatherDma},
    {"NdisMDeregisterScatterGatherDma", VW_ALL_ARCHES, VW_STDCALL, 1, 0, P,
     vw_NdisMDeregisterScatterGatherDma},
    {"NdisMAllocateNetBufferSGList", VW_ALL_ARCHES, VW_STDCALL, 6, 0, D,
     vw_NdisMAllocateNetBufferSGList},
    {"NdisMFreeNetBufferSGList", VW_ALL_ARCHES, VW_STDCALL, 3, 0, D, vw_NdisMFreeNetBufferSGList},
    {"NdisMAllocateSharedMemory", VW_ALL_ARCHES, VW_STDCALL, 5, 0, P, vw_NdisMAllocateSharedMemory},
    {"NdisMFreeSharedMemory", VW_ALL_ARCHES, VW_STDCALL, 5, 1u << 4, P, vw_NdisMFreeSharedMemory},
};
#undef P
#undef D

VW_API_GROUP(ndis_dma, dma_apis)
