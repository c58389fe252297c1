/*
 * ndis.sys as an NDIS 6 miniport sees it: registration, attributes, pools
 * and NBLs, send completion, receive indications, OID and pause/restart
 * completion, status indications, memory and NDIS spin locks, each with
 * the checks its page documents (learn.microsoft.com/windows-hardware/
 * drivers/ddi/ndis/<page>, written ndis/<page>; network/<page> for the
 * conceptual pages).  Each export's IRQL bound is in the table below.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "layout.h"
#include "ram.h"
#include "vw_mm.h"

static struct vw_api_group ndis_group;

struct ndis_state *ndis_state(struct vm *vm)
{
    return vw_port_state(vm, &ndis_group, sizeof(struct ndis_state));
}

const char *ndis_state_name(enum vw_ndis_adapter_state st)
{
    static const char *const names[] = {"Halted",     "Initializing", "Paused",
                                        "Restarting", "Running",      "Pausing"};
    return names[st];
}

struct ndis_nbl *ndis_find_nbl(struct ndis_state *s, gva_t nbl)
{
    for (unsigned i = 0; i < NDIS_MAX_NBLS; i++)
        if (s->nbls[i].owner != NBL_FREE && s->nbls[i].nbl == nbl)
            return &s->nbls[i];
    return NULL;
}

static struct ndis_pool *find_pool(struct ndis_state *s, gva_t h)
{
    for (unsigned i = 0; i < NDIS_MAX_POOLS; i++)
        if (h != 0 && s->pools[i].handle == h)
            return &s->pools[i];
    return NULL;
}

bool ndis_call(struct vm *vm, gva_t fn, unsigned irql, unsigned n, const uint64_t *args,
               uint64_t *ret)
{
    unsigned saved = vm->irql;
    vm->irql = irql;
    uint64_t r = 0;
    bool ok = vw_call(vm, fn, n, args, &r);
    if (ok && !vm->failed && vm->irql != irql)
        vw_fail(vm, "ndis: a miniport handler returned at IRQL %u, entered at %u", vm->irql, irql);
    vm->irql = saved;
    if (ret)
        *ret = r;
    return ok && !vm->failed;
}

gva_t ndis_mdl_build(struct vm *vm, gva_t va, uint32_t len)
{
    const uint64_t page = 4096;
    uint64_t pages = ((va & (page - 1)) + len + page - 1) / page;
    uint64_t size = VW_SIZEOF(vm, MDL) + pages * vm->ptr_size;
    gva_t mdl = vw_pool_alloc(vm, size, NDIS_TAG, "NDIS MDL", false);
    if (mdl == 0)
        return 0;
    vw_wr(vm, mdl + VW_OFFSET(vm, MDL, Size), size, 2);
    vw_wr(vm, mdl + VW_OFFSET(vm, MDL, MdlFlags), VW_MDL_SOURCE_IS_NONPAGED_POOL, 2);
    vw_wrptr(vm, mdl + VW_OFFSET(vm, MDL, StartVa), va & ~(page - 1));
    vw_wr(vm, mdl + VW_OFFSET(vm, MDL, ByteOffset), va & (page - 1), 4);
    vw_wr(vm, mdl + VW_OFFSET(vm, MDL, ByteCount), len, 4);
    vw_wrptr(vm, mdl + VW_OFFSET(vm, MDL, MappedSystemVa), va);
    for (uint64_t i = 0; i < pages; i++)
        vw_wrptr(vm, mdl + VW_SIZEOF(vm, MDL) + i * vm->ptr_size,
                 vw_ram_pa(vm, (va & ~(page - 1)) + i * page) / page);
    return mdl;
}

gva_t ndis_nbl_alloc(struct vm *vm, gva_t pool, bool protocol, gva_t mdl, uint64_t len)
{
    struct ndis_state *s = ndis_state(vm);
    struct ndis_nbl *slot = NULL;
    for (unsigned i = 0; i < NDIS_MAX_NBLS && slot == NULL; i++)
        if (s->nbls[i].owner == NBL_FREE)
            slot = &s->nbls[i];
    if (slot == NULL) {
        vw_fail(vm, "harness: more than %u NBLs at once (not modelled)", NDIS_MAX_NBLS);
        return 0;
    }
    uint64_t nbl_size =
        VW_OFFSET(vm, NET_BUFFER_LIST, NetBufferListInfo) + NDIS_NBL_INFO_SLOTS * vm->ptr_size;
    nbl_size = (nbl_size + 15) & ~15ull;
    uint64_t nb_size = mdl != 0 || len != 0 ? VW_SIZEOF(vm, NET_BUFFER) : 0;
    gva_t nbl = vw_pool_alloc(vm, nbl_size + nb_size, NDIS_TAG, "NET_BUFFER_LIST", false);
    if (nbl == 0)
        return 0;
    vw_wrptr(vm, nbl + VW_OFFSET(vm, NET_BUFFER_LIST, NdisPoolHandle), pool);
    if (nb_size != 0) {
        gva_t nb = nbl + nbl_size;
        vw_wrptr(vm, nbl + VW_OFFSET(vm, NET_BUFFER_LIST, FirstNetBuffer), nb);
        vw_wrptr(vm, nb + VW_OFFSET(vm, NET_BUFFER, MdlChain), mdl);
        vw_wrptr(vm, nb + VW_OFFSET(vm, NET_BUFFER, CurrentMdl), mdl);
        vw_wr(vm, nb + VW_OFFSET(vm, NET_BUFFER, DataLength), len, vm->ptr_size);
        vw_wrptr(vm, nb + VW_OFFSET(vm, NET_BUFFER, NdisPoolHandle), pool);
    }
    *slot = (struct ndis_nbl){.nbl = nbl,
                              .pool = pool,
                              .owner = protocol ? NBL_SEND_DONE : NBL_MINIPORT,
                              .protocol = protocol};
    return nbl;
}

void ndis_nbl_free(struct vm *vm, struct ndis_nbl *r)
{
    vw_pool_free(vm, r->nbl, "NdisFreeNetBufferList");
    memset(r, 0, sizeof(*r));
}

/* ---- Registration (ndis/nf-ndis-ndismregisterminiportdriver) ------------ */

/* (DriverObject, RegistryPath, MiniportDriverContext, Characteristics,
 * &NdisMiniportDriverHandle).  NDIS checks the header and the version and
 * refuses a driver without the handlers every miniport must have
 * (ndis/ns-ndis-_ndis_miniport_driver_characteristics: InitializeHandlerEx,
 * HaltHandlerEx, PauseHandler, RestartHandler, OidRequestHandler,
 * SendNetBufferListsHandler, ReturnNetBufferListsHandler, CancelSendHandler,
 * DevicePnPEventNotifyHandler, ShutdownHandlerEx, CancelOidRequestHandler,
 * UnloadHandler), then calls SetOptions during the call. */
static void vw_NdisMRegisterMiniportDriver(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    gva_t drv = vw_arg(vm, api, 0), ctx = vw_arg(vm, api, 2), ch = vw_arg(vm, api, 3);
    gva_t out = vw_arg(vm, api, 4);
#define CH(m)  vw_rdptr(vm, ch + VW_OFFSET(vm, NDIS_MINIPORT_DRIVER_CHARACTERISTICS, m))
#define CH8(m) (unsigned)vw_rd(vm, ch + VW_OFFSET(vm, NDIS_MINIPORT_DRIVER_CHARACTERISTICS, m), 1)
    unsigned type = (unsigned)vw_rd(vm, ch, 1), rev = (unsigned)vw_rd(vm, ch + 1, 1);
    unsigned size = (unsigned)vw_rd(vm, ch + 2, 2);
    uint64_t need =
        rev >= 3 ? VW_SIZEOF(vm, NDIS_MINIPORT_DRIVER_CHARACTERISTICS)
        : rev == 2
            ? VW_OFFSET(vm, NDIS_MINIPORT_DRIVER_CHARACTERISTICS, SynchronousOidRequestHandler)
            : VW_OFFSET(vm, NDIS_MINIPORT_DRIVER_CHARACTERISTICS, DirectOidRequestHandler);
    if (s->registered) {
        vw_fail(vm, "NdisMRegisterMiniportDriver called twice");
        vw_set_return(vm, VW_NDIS_STATUS_FAILURE);
        return;
    }
    if (type != VW_NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS || rev < 1 || size < need) {
        vw_fail(vm,
                "NdisMRegisterMiniportDriver: header type 0x%x revision %u size %u (needs "
                "NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS and the revision's size %" PRIu64
                ")",
                type, rev, size, need);
        vw_set_return(vm, VW_NDIS_STATUS_BAD_CHARACTERISTICS);
        return;
    }
    /* NDIS 6.x; this emulation is an NDIS 6.85 system (ndis/nf-ndis-ndisgetversion). */
    if (CH8(MajorNdisVersion) != 6 || CH8(MinorNdisVersion) > 85) {
        vw_fail(vm, "NdisMRegisterMiniportDriver: NDIS version %u.%u (the system is 6.85)",
                CH8(MajorNdisVersion), CH8(MinorNdisVersion));
        vw_set_return(vm, VW_NDIS_STATUS_BAD_VERSION);
        return;
    }
    ndis_version_set(vm, CH8(MajorNdisVersion), CH8(MinorNdisVersion));
    if (!ndis_version_allows(vm, NDIS_REV_CHARACTERISTICS, rev, "NdisMRegisterMiniportDriver")) {
        vw_set_return(vm, VW_NDIS_STATUS_BAD_CHARACTERISTICS);
        return;
    }
    static const char *const required[] = {"InitializeHandlerEx",
                                           "HaltHandlerEx",
                                           "PauseHandler",
                                           "RestartHandler",
                                           "OidRequestHandler",
                                           "SendNetBufferListsHandler",
                                           "ReturnNetBufferListsHandler",
                                           "CancelSendHandler",
                                           "DevicePnPEventNotifyHandler",
                                           "ShutdownHandlerEx",
                                           "CancelOidRequestHandler",
                                           "UnloadHandler"};
    gva_t got[12] = {CH(InitializeHandlerEx),
                     CH(HaltHandlerEx),
                     CH(PauseHandler),
                     CH(RestartHandler),
                     CH(OidRequestHandler),
                     CH(SendNetBufferListsHandler),
                     CH(ReturnNetBufferListsHandler),
                     CH(CancelSendHandler),
                     CH(DevicePnPEventNotifyHandler),
                     CH(ShutdownHandlerEx),
                     CH(CancelOidRequestHandler),
                     CH(UnloadHandler)};
    for (unsigned i = 0; i < 12; i++)
        if (got[i] == 0) {
            vw_fail(vm, "NdisMRegisterMiniportDriver: no %s", required[i]);
            vw_set_return(vm, VW_NDIS_STATUS_BAD_CHARACTERISTICS);
            return;
        }
    s->h_init = got[0], s->h_halt = got[1], s->h_pause = got[2], s->h_restart = got[3];
    s->h_oid = got[4], s->h_send = got[5], s->h_return = got[6], s->h_cancel_send = got[7];
    s->h_pnp = got[8], s->h_shutdown = got[9], s->h_cancel_oid = got[10], s->h_unload = got[11];
    s->h_hang = CH(CheckForHangHandlerEx), s->h_reset = CH(ResetHandlerEx);
    gva_t set_options = CH(SetOptionsHandler);
#undef CH
#undef CH8
    s->registered = true;
    s->driver_context = ctx;
    s->driver_handle = vw_kalloc(vm, 16);
    vw_wrptr(vm, out, s->driver_handle);
    /* NDIS owns the driver object's unload and calls MiniportDriverUnload
     * from it (ndis/nc-ndis-miniport_unload). */
    vw_wrptr(vm, drv + VW_OFFSET(vm, DRIVER_OBJECT, DriverUnload), s->h_unload);
    if (set_options != 0) {
        uint64_t args[2] = {s->driver_handle, ctx}, r = 0;
        if (!ndis_call(vm, set_options, VW_PASSIVE_LEVEL, 2, args, &r))
            return;
        if ((uint32_t)r != VW_NDIS_STATUS_SUCCESS) {
            s->registered = false;
            vw_set_return(vm, r);
            return;
        }
    }
    vw_set_return(vm, VW_NDIS_STATUS_SUCCESS);
}

static void vw_NdisMDeregisterMiniportDriver(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    if (!s->registered || vw_arg(vm, api, 0) != s->driver_handle)
        vw_fail(vm, "NdisMDeregisterMiniportDriver: 0x%" PRIx64 " is not the driver handle",
                vw_arg(vm, api, 0));
    else if (s->state != VW_NDIS_HALTED)
        vw_fail(vm, "NdisMDeregisterMiniportDriver with the adapter %s", ndis_state_name(s->state));
    s->registered = false;
}

/* ndis/nf-ndis-ndisgetversion: major << 16 | minor. */
static void vw_NdisGetVersion(struct vm *vm, const struct vw_api *api)
{
    (void)api;
    vw_set_return(vm, (6u << 16) | 85u);
}

bool ndis_check_adapter(struct vm *vm, gva_t h, const char *who)
{
    struct ndis_state *s = ndis_state(vm);
    if (s->adapter == 0 || h != s->adapter) {
        vw_fail(vm, "%s: 0x%" PRIx64 " is not the adapter handle NDIS gave InitializeEx", who, h);
        return false;
    }
    return true;
}

/* ndis/nf-ndis-ndismsetminiportattributes: only from InitializeEx; the
 * registration attributes come first, then the general ones, which are
 * mandatory, before any other (ndis/nc-ndis-miniport_initialize). */
static void vw_NdisMSetMiniportAttributes(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    gva_t a = vw_arg(vm, api, 1);
    if (!ndis_check_adapter(vm, vw_arg(vm, api, 0), api->name))
        return;
    if (s->state != VW_NDIS_INITIALIZING) {
        vw_fail(vm, "NdisMSetMiniportAttributes with the adapter %s (InitializeEx only)",
                ndis_state_name(s->state));
        return;
    }
    unsigned type = (unsigned)vw_rd(vm, a, 1), size = (unsigned)vw_rd(vm, a + 2, 2);
    if (type == VW_NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES) {
        if (size < VW_SIZEOF(vm, NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES)) {
            vw_fail(vm, "NdisMSetMiniportAttributes: registration attributes of size %u", size);
            vw_set_return(vm, VW_NDIS_STATUS_INVALID_PARAMETER);
            return;
        }
#define RA(m) (a + VW_OFFSET(vm, NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, m))
        s->context = vw_rdptr(vm, RA(MiniportAdapterContext));
        s->reg_flags = (uint32_t)vw_rd(vm, RA(AttributeFlags), 4);
#undef RA
        s->reg_attrs = true;
    } else if (!s->reg_attrs) {
        vw_fail(vm, "NdisMSetMiniportAttributes: type 0x%x before the registration attributes",
                type);
        vw_set_return(vm, VW_NDIS_STATUS_INVALID_PARAMETER);
        return;
    } else if (type == VW_NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES) {
#define GA(m) (a + VW_OFFSET(vm, NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, m))
        unsigned len = (unsigned)vw_rd(vm, GA(MacAddressLength), 2);
        if (size < VW_OFFSET(vm, NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, AutoNegotiationFlags) ||
            len != 6) {
            vw_fail(vm, "NdisMSetMiniportAttributes: general attributes size %u, MAC length %u",
                    size, len);
            vw_set_return(vm, VW_NDIS_STATUS_INVALID_PARAMETER);
            return;
        }
        vw_read(vm, GA(CurrentMacAddress), s->mac, 6);
        s->mtu = (uint32_t)vw_rd(vm, GA(MtuSize), 4);
        s->stats.media_connect = (uint32_t)vw_rd(vm, GA(MediaConnectState), 4);
        s->stats.duplex = (uint32_t)vw_rd(vm, GA(MediaDuplexState), 4);
        s->stats.xmit_speed = vw_rd(vm, GA(XmitLinkSpeed), 8);
        s->stats.rcv_speed = vw_rd(vm, GA(RcvLinkSpeed), 8);
        s->mac_options = (uint32_t)vw_rd(vm, GA(MacOptions), 4);
        gva_t pm = size >= VW_OFFSET(vm, NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES,
                                     PowerManagementCapabilitiesEx) +
                               vm->ptr_size
                       ? vw_rdptr(vm, GA(PowerManagementCapabilitiesEx))
                       : 0;
        if (!ndis_rss_capabilities(vm, vw_rdptr(vm, GA(RecvScaleCapabilities))) ||
            !ndis_pm_capabilities(vm, pm)) {
            vw_set_return(vm, VW_NDIS_STATUS_INVALID_PARAMETER);
            return;
        }
#undef GA
        s->gen_attrs = true;
    } else if (!s->gen_attrs) {
        vw_fail(vm, "NdisMSetMiniportAttributes: type 0x%x before the general attributes", type);
        vw_set_return(vm, VW_NDIS_STATUS_INVALID_PARAMETER);
        return;
    }
    if (type == VW_NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES &&
        !ndis_offload_attributes(vm, a)) {
        vw_set_return(vm, VW_NDIS_STATUS_INVALID_PARAMETER);
        return;
    }
    vw_set_return(vm, VW_NDIS_STATUS_SUCCESS);
}

/* ---- Pools (ndis/nf-ndis-ndisallocatenetbufferlistpool and the NBL
 * allocation pages) ----------------------------------------------------- */

static void vw_NdisAllocateNetBufferListPool(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    gva_t p = vw_arg(vm, api, 1);
#define PP(m, n) vw_rd(vm, p + VW_OFFSET(vm, NET_BUFFER_LIST_POOL_PARAMETERS, m), n)
    if (vw_rd(vm, p, 1) != VW_NDIS_OBJECT_TYPE_DEFAULT || PP(ContextSize, 2) != 0) {
        vw_fail(vm,
                "NdisAllocateNetBufferListPool: header type 0x%x, ContextSize %u (the "
                "emulation allocates no NBL contexts)",
                (unsigned)vw_rd(vm, p, 1), (unsigned)PP(ContextSize, 2));
        vw_set_return(vm, 0);
        return;
    }
    if (ndis_fault(vm, VW_NDIS_ALLOC_NBL_POOL)) {
        vw_set_return(vm, 0);
        return;
    }
    for (unsigned i = 0; i < NDIS_MAX_POOLS; i++)
        if (s->pools[i].handle == 0) {
            s->pools[i] = (struct ndis_pool){.handle = vw_kalloc(vm, 16),
                                             .nbl_pool = true,
                                             .alloc_nb = PP(fAllocateNetBuffer, 1) != 0};
            vw_set_return(vm, s->pools[i].handle);
            return;
        }
#undef PP
    vw_fail(vm, "harness: more than %u NBL pools (not modelled)", NDIS_MAX_POOLS);
    vw_set_return(vm, 0);
}

/* A pool is freed with nothing allocated from it (ndis/nf-ndis-ndisfreenetbufferlistpool:
 * "free all NET_BUFFER_LIST structures ... before"). */
static void vw_NdisFreeNetBufferListPool(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    struct ndis_pool *p = find_pool(s, vw_arg(vm, api, 0));
    if (p == NULL) {
        vw_fail(vm, "NdisFreeNetBufferListPool: 0x%" PRIx64 " is no pool", vw_arg(vm, api, 0));
        return;
    }
    if (p->live != 0) {
        vw_fail(vm, "NdisFreeNetBufferListPool with %u NBLs still allocated from it", p->live);
        return;
    }
    memset(p, 0, sizeof(*p));
}

static void alloc_from(struct vm *vm, const struct vw_api *api, bool with_nb)
{
    struct ndis_state *s = ndis_state(vm);
    gva_t h = vw_arg(vm, api, 0);
    struct ndis_pool *p = find_pool(s, h);
    if (p == NULL || !p->nbl_pool) {
        vw_fail(vm, "%s: 0x%" PRIx64 " is no NBL pool", api->name, h);
        vw_set_return(vm, 0);
        return;
    }
    if (with_nb && !p->alloc_nb) {
        vw_fail(vm, "%s from a pool made without fAllocateNetBuffer", api->name);
        vw_set_return(vm, 0);
        return;
    }
    if ((vw_arg(vm, api, 1) & 0xffff) != 0) {
        vw_fail(vm, "%s: ContextSize %u (not modelled)", api->name,
                (unsigned)(vw_arg(vm, api, 1) & 0xffff));
        vw_set_return(vm, 0);
        return;
    }
    if (ndis_fault(vm, with_nb ? VW_NDIS_ALLOC_NB_AND_NBL : VW_NDIS_ALLOC_NBL)) {
        vw_set_return(vm, 0);
        return;
    }
    gva_t mdl = with_nb ? vw_arg(vm, api, 3) : 0;
    uint64_t len = with_nb ? vw_arg(vm, api, 5) : 0;
    if (with_nb && vm->ptr_size == 4)
        len &= 0xffffffffu;
    gva_t nbl = ndis_nbl_alloc(vm, h, false, mdl, len);
    if (nbl != 0 && with_nb) {
        gva_t nb = vw_rdptr(vm, nbl + VW_OFFSET(vm, NET_BUFFER_LIST, FirstNetBuffer));
        vw_wr(vm, nb + VW_OFFSET(vm, NET_BUFFER, DataOffset), vw_arg(vm, api, 4), 4);
        vw_wr(vm, nb + VW_OFFSET(vm, NET_BUFFER, CurrentMdlOffset), vw_arg(vm, api, 4), 4);
    }
    if (nbl != 0)
        p->live++;
    vw_set_return(vm, nbl);
}

/* (PoolHandle, ContextSize, ContextBackFill, MdlChain, DataOffset, DataLength) */
static void vw_NdisAllocateNetBufferAndNetBufferList(struct vm *vm, const struct vw_api *api)
{
    alloc_from(vm, api, true);
}

static void vw_NdisAllocateNetBufferList(struct vm *vm, const struct vw_api *api)
{
    alloc_from(vm, api, false);
}

/* Only an NBL the miniport owns may be freed: not one NDIS still has
 * (indicated and not returned), nor one of the protocol's. */
static void vw_NdisFreeNetBufferList(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    struct ndis_nbl *r = ndis_find_nbl(s, vw_arg(vm, api, 0));
    if (r == NULL || r->protocol) {
        vw_fail(vm, "NdisFreeNetBufferList: 0x%" PRIx64 " is no NBL the miniport allocated",
                vw_arg(vm, api, 0));
        return;
    }
    if (r->owner != NBL_MINIPORT) {
        vw_fail(vm,
                "NdisFreeNetBufferList: NBL 0x%" PRIx64 " is still held by the protocol "
                "(indicated, not returned)",
                r->nbl);
        return;
    }
    struct ndis_pool *p = find_pool(s, r->pool);
    if (p != NULL)
        p->live--;
    ndis_nbl_free(vm, r);
}

/* ndis/nf-ndis-ndisallocatemdl: a nonpaged-pool MDL mapped at VA. */
static void vw_NdisAllocateMdl(struct vm *vm, const struct vw_api *api)
{
    gva_t va = vw_arg(vm, api, 1);
    uint32_t len = (uint32_t)vw_arg(vm, api, 2);
    if (ndis_fault(vm, VW_NDIS_ALLOC_MDL))
        len = 0;
    vw_set_return(vm, len == 0 ? 0 : ndis_mdl_build(vm, va, len));
}

static void vw_NdisFreeMdl(struct vm *vm, const struct vw_api *api)
{
    vw_pool_free(vm, vw_arg(vm, api, 0), "NdisFreeMdl");
}

/* ndis/nf-ndis-ndisgetdatabuffer: (NetBuffer, BytesNeeded, Storage,
 * AlignMultiple, AlignOffset).  A pointer into the current MDL when the
 * bytes are contiguous there, else a copy into Storage (NULL without it);
 * NULL when the NB holds fewer than BytesNeeded bytes. */
static void vw_NdisGetDataBuffer(struct vm *vm, const struct vw_api *api)
{
    gva_t nb = vw_arg(vm, api, 0), storage = vw_arg(vm, api, 2);
    uint32_t need = (uint32_t)vw_arg(vm, api, 1);
    uint64_t len = vw_rd(vm, nb + VW_OFFSET(vm, NET_BUFFER, DataLength), 4);
    gva_t mdl = vw_rdptr(vm, nb + VW_OFFSET(vm, NET_BUFFER, CurrentMdl));
    uint64_t off = vw_rd(vm, nb + VW_OFFSET(vm, NET_BUFFER, CurrentMdlOffset), 4);
    if (need == 0 || need > len || mdl == 0) {
        vw_set_return(vm, 0);
        return;
    }
    gva_t va = vw_rdptr(vm, mdl + VW_OFFSET(vm, MDL, MappedSystemVa));
    uint64_t cnt = vw_rd(vm, mdl + VW_OFFSET(vm, MDL, ByteCount), 4);
    if (off + need <= cnt) {
        vw_set_return(vm, va + off);
        return;
    }
    if (storage == 0) {
        vw_set_return(vm, 0);
        return;
    }
    uint8_t tmp[4096];
    uint32_t got = 0;
    while (mdl != 0 && got < need) {
        va = vw_rdptr(vm, mdl + VW_OFFSET(vm, MDL, MappedSystemVa));
        cnt = vw_rd(vm, mdl + VW_OFFSET(vm, MDL, ByteCount), 4);
        uint64_t take = cnt > off ? cnt - off : 0;
        if (take > need - got)
            take = need - got;
        if (take > sizeof(tmp))
            take = sizeof(tmp);
        vw_read(vm, va + off, tmp, take);
        vw_write(vm, storage + got, tmp, take);
        got += (uint32_t)take;
        off = 0;
        mdl = vw_rdptr(vm, mdl + VW_OFFSET(vm, MDL, Next));
    }
    vw_set_return(vm, got == need ? storage : 0);
}

/* ndis/nf-ndis-ndisallocatememorywithtagpriority: nonpaged pool of the driver. */
static void vw_NdisAllocateMemoryWithTagPriority(struct vm *vm, const struct vw_api *api)
{
    uint32_t len = (uint32_t)vw_arg(vm, api, 1), tag = (uint32_t)vw_arg(vm, api, 2);
    if (ndis_fault(vm, VW_NDIS_ALLOC_MEMORY))
        len = 0;
    vw_set_return(vm, len == 0 ? 0 : vw_pool_alloc(vm, len, tag, "NDIS memory", true));
}

static void vw_NdisFreeMemory(struct vm *vm, const struct vw_api *api)
{
    vw_pool_free(vm, vw_arg(vm, api, 0), "NdisFreeMemory");
}

/* ---- NDIS spin locks (ndis/nf-ndis-ndisacquirespinlock and the Dpr forms):
 * the KSPIN_LOCK word is a kernel lock; OldIrql is kept in the structure. */
static void spin(struct vm *vm, const struct vw_api *api, bool take, bool dpr)
{
    gva_t l = vw_arg(vm, api, 0);
    gva_t old_at = l + VW_OFFSET(vm, NDIS_SPIN_LOCK, OldIrql);
    if (dpr && vm->irql != VW_DISPATCH_LEVEL) {
        vw_fail(vm, "IRQL: %s at IRQL %u (DISPATCH_LEVEL only)", api->name, vm->irql);
        return;
    }
    if (take) {
        unsigned old = vm->irql;
        vw_spinlock_note(vm, l, true, api->name);
        if (vm->failed || vw_cpu_lock_holder(vm, l) != (int)vw_cpu_current(vm))
            return; /* spins: the import runs again when the holder releases */
        if (!dpr) {
            vw_wr(vm, old_at, old, 1);
            vm->irql = VW_DISPATCH_LEVEL;
        }
        return;
    }
    unsigned old = (unsigned)vw_rd(vm, old_at, 1);
    vw_spinlock_note(vm, l, false, api->name);
    if (!dpr && !vm->failed)
        vw_irql_set(vm, old, api->name);
}

static void vw_NdisAllocateSpinLock(struct vm *vm, const struct vw_api *api)
{
    vw_wrptr(vm, vw_arg(vm, api, 0), 0);
}
static void vw_NdisFreeSpinLock(struct vm *vm, const struct vw_api *api)
{
    (void)vm, (void)api;
}
static void vw_NdisAcquireSpinLock(struct vm *vm, const struct vw_api *api)
{
    spin(vm, api, true, false);
}
static void vw_NdisReleaseSpinLock(struct vm *vm, const struct vw_api *api)
{
    spin(vm, api, false, false);
}
static void vw_NdisDprAcquireSpinLock(struct vm *vm, const struct vw_api *api)
{
    spin(vm, api, true, true);
}
static void vw_NdisDprReleaseSpinLock(struct vm *vm, const struct vw_api *api)
{
    spin(vm, api, false, true);
}

/* ---- Data path, completions and status (adapter.c) ---------------------- */
void ndis_send_complete(struct vm *vm, const struct vw_api *api);
void ndis_indicate_receive(struct vm *vm, const struct vw_api *api);
void ndis_oid_complete(struct vm *vm, const struct vw_api *api);
void ndis_pause_complete(struct vm *vm, const struct vw_api *api);
void ndis_restart_complete(struct vm *vm, const struct vw_api *api);
void ndis_indicate_status(struct vm *vm, const struct vw_api *api);

/* After a failed MiniportInitializeEx: no NBL pool or NBL of the miniport
 * left (ndis/nc-ndis-miniport_initialize: it releases what it allocated);
 * false, the run failed, naming the first. */
bool ndis_pools_after_failed_init(struct vm *vm)
{
    struct ndis_state *s = ndis_state(vm);
    if (s->fault.plant_leak) /* planted: a pool the miniport seems to have kept */
        for (unsigned i = 0; i < NDIS_MAX_POOLS; i++)
            if (s->pools[i].handle == 0) {
                s->pools[i] = (struct ndis_pool){.handle = vw_kalloc(vm, 16), .nbl_pool = true};
                break;
            }
    for (unsigned i = 0; i < NDIS_MAX_NBLS; i++)
        if (s->nbls[i].owner != NBL_FREE && !s->nbls[i].protocol) {
            vw_fail(vm, "MiniportInitializeEx failed and left NET_BUFFER_LIST 0x%" PRIx64,
                    s->nbls[i].nbl);
            return false;
        }
    for (unsigned i = 0; i < NDIS_MAX_POOLS; i++)
        if (s->pools[i].handle != 0) {
            vw_fail(vm, "MiniportInitializeEx failed and left NBL pool 0x%" PRIx64,
                    s->pools[i].handle);
            return false;
        }
    return true;
}

/* At unload: pools and NBLs the miniport left (NBLs the protocol layer
 * owns are the harness's and freed here). */
static unsigned ndis_report_leaks(struct vm *vm)
{
    struct ndis_state *s = ndis_state(vm);
    unsigned n = 0;
    for (unsigned i = 0; i < NDIS_MAX_NBLS; i++)
        if (s->nbls[i].owner != NBL_FREE && !s->nbls[i].protocol) {
            vw_log(vm, "leak: NET_BUFFER_LIST 0x%" PRIx64 " never freed", s->nbls[i].nbl);
            n++;
        }
    for (unsigned i = 0; i < NDIS_MAX_POOLS; i++)
        if (s->pools[i].handle != 0) {
            vw_log(vm, "leak: NBL pool 0x%" PRIx64 " never freed", s->pools[i].handle);
            n++;
        }
    if (s->registered) {
        vw_log(vm, "leak: the miniport driver never called NdisMDeregisterMiniportDriver");
        n++;
    }
    return n;
}

#define P VW_PASSIVE_LEVEL
#define D VW_DISPATCH_LEVEL
static const struct vw_api ndis_apis[] = {
    {"NdisMRegisterMiniportDriver", VW_ALL_ARCHES, VW_STDCALL, 5, 0, P,
     vw_NdisMRegisterMiniportDriver},
    {"NdisMDeregisterMiniportDriver", VW_ALL_ARCHES, VW_STDCALL, 1, 0, P,
     vw_NdisMDeregisterMiniportDriver},
    {"NdisGetVersion", VW_ALL_ARCHES, VW_STDCALL, 0, 0, VW_HIGH_LEVEL, vw_NdisGetVersion},
    {"NdisMSetMiniportAttributes", VW_ALL_ARCHES, VW_STDCALL, 2, 0, P,
     vw_NdisMSetMiniportAttributes},
    {"NdisMSendNetBufferListsComplete", VW_ALL_ARCHES, VW_STDCALL, 3, 0, D, ndis_send_complete},
    {"NdisMIndicateReceiveNetBufferLists", VW_ALL_ARCHES, VW_STDCALL, 5, 0, D,
     ndis_indicate_receive},
    {"NdisMOidRequestComplete", VW_ALL_ARCHES, VW_STDCALL, 3, 0, D, ndis_oid_complete},
    {"NdisMPauseComplete", VW_ALL_ARCHES, VW_STDCALL, 1, 0, D, ndis_pause_complete},
    {"NdisMRestartComplete", VW_ALL_ARCHES, VW_STDCALL, 2, 0, D, ndis_restart_complete},
    {"NdisMResetComplete", VW_ALL_ARCHES, VW_STDCALL, 3, 0, D, ndis_reset_complete},
    {"NdisMIndicateStatusEx", VW_ALL_ARCHES, VW_STDCALL, 2, 0, D, ndis_indicate_status},
    {"NdisAllocateNetBufferListPool", VW_ALL_ARCHES, VW_STDCALL, 2, 0, D,
     vw_NdisAllocateNetBufferListPool},
    {"NdisFreeNetBufferListPool", VW_ALL_ARCHES, VW_STDCALL, 1, 0, D, vw_NdisFreeNetBufferListPool},
    {"NdisAllocateNetBufferAndNetBufferList", VW_ALL_ARCHES, VW_STDCALL, 6, 0, D,
     vw_NdisAllocateNetBufferAndNetBufferList},
    {"NdisAllocateNetBufferList", VW_ALL_ARCHES, VW_STDCALL, 3, 0, D, vw_NdisAllocateNetBufferList},
    {"NdisFreeNetBufferList", VW_ALL_ARCHES, VW_STDCALL, 1, 0, D, vw_NdisFreeNetBufferList},
    {"NdisAllocateMdl", VW_ALL_ARCHES, VW_STDCALL, 3, 0, D, vw_NdisAllocateMdl},
    {"NdisFreeMdl", VW_ALL_ARCHES, VW_STDCALL, 1, 0, D, vw_NdisFreeMdl},
    {"NdisGetDataBuffer", VW_ALL_ARCHES, VW_STDCALL, 5, 0, D, vw_NdisGetDataBuffer},
    {"NdisAllocateMemoryWithTagPriority", VW_ALL_ARCHES, VW_STDCALL, 4, 0, D,
     vw_NdisAllocateMemoryWithTagPriority},
    {"NdisFreeMemory", VW_ALL_ARCHES, VW_STDCALL, 3, 0, D, vw_NdisFreeMemory},
    {"NdisAllocateSpinLock", VW_ALL_ARCHES, VW_STDCALL, 1, 0, D, vw_NdisAllocateSpinLock},
    {"NdisFreeSpinLock", VW_ALL_ARCHES, VW_STDCALL, 1, 0, D, vw_NdisFreeSpinLock},
    {"NdisAcquireSpinLock", VW_ALL_ARCHES, VW_STDCALL, 1, 0, D, vw_NdisAcquireSpinLock},
    {"NdisReleaseSpinLock", VW_ALL_ARCHES, VW_STDCALL, 1, 0, D, vw_NdisReleaseSpinLock},
    {"NdisDprAcquireSpinLock", VW_ALL_ARCHES, VW_STDCALL, 1, 0, D, vw_NdisDprAcquireSpinLock},
    {"NdisDprReleaseSpinLock", VW_ALL_ARCHES, VW_STDCALL, 1, 0, D, vw_NdisDprReleaseSpinLock},
};
#undef P
#undef D

VW_API_GROUP(ndis, ndis_apis, .report_leaks = ndis_report_leaks)
