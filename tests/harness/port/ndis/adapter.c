/*
 * The NDIS adapter: its life cycle as network/miniport-adapter-states-and-
 * operations draws it (Halted -> Initializing -> Paused -> Restarting ->
 * Running -> Pausing -> Paused -> Halted), the protocol layer's sends and
 * the miniport's receive indications, OID requests, and the checkers on
 * each completion: every sent NBL completed exactly once, indications only
 * in Running (or Restarting/Pausing), received NBLs back before the pause
 * completes, OID completion only for a pended request, once.
 */
#include <inttypes.h>
#include <string.h>
#include "internal.h"
#include "layout.h"
#include "pnp.h"

static gva_t port_alloc(struct vm *vm, uint64_t len, const char *kind)
{
    gva_t va = vw_pool_alloc(vm, len ? len : 1, NDIS_TAG, kind, false);
    if (va == 0)
        vw_fail(vm, "ndis: no pool for %s", kind);
    return va;
}

static void hdr(struct vm *vm, gva_t at, unsigned type, unsigned rev, uint64_t size)
{
    vw_wr(vm, at, type, 1);
    vw_wr(vm, at + 1, rev, 1);
    vw_wr(vm, at + 2, size, 2);
}

static bool registered(struct vm *vm, struct ndis_state *s)
{
    if (!s->registered)
        vw_fail(vm, "ndis: the driver never registered with NdisMRegisterMiniportDriver");
    return s->registered;
}

/* The indicated NBLs the protocol still holds. */
static unsigned held(struct ndis_state *s)
{
    unsigned n = 0;
    for (unsigned i = 0; i < NDIS_MAX_NBLS; i++)
        n += s->nbls[i].owner == NBL_PROTOCOL_HELD;
    return n;
}

static unsigned sends_outstanding(struct ndis_state *s)
{
    unsigned n = 0;
    for (unsigned i = 0; i < NDIS_MAX_NBLS; i++)
        n += s->nbls[i].owner == NBL_SENT;
    return n;
}

/* MiniportInitializeEx at PASSIVE (ndis/nc-ndis-miniport_initialize) with
 * the PCI function's translated resources (none for a software adapter);
 * success leaves it Paused, failure Halted (STATUS NULL: the run failed;
 * else STATUS gets it and what the miniport still holds is checked). */
static bool initialize(struct vm *vm, uint32_t *status)
{
    struct ndis_state *s = ndis_state(vm);
    if (!registered(vm, s))
        return false;
    if (s->state != VW_NDIS_HALTED) {
        vw_fail(vm, "harness: initialize with the adapter %s", ndis_state_name(s->state));
        return false;
    }
    s->adapter = vw_kalloc(vm, 64);
    s->resources = ndis_hw_resources(vm);
    s->init_params = port_alloc(vm, VW_SIZEOF(vm, NDIS_MINIPORT_INIT_PARAMETERS), "init params");
    if (vm->failed || s->resources == 0)
        return false;
    hdr(vm, s->init_params, VW_NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS, 1,
        VW_SIZEOF(vm, NDIS_MINIPORT_INIT_PARAMETERS));
    vw_wrptr(vm, s->init_params + VW_OFFSET(vm, NDIS_MINIPORT_INIT_PARAMETERS, AllocatedResources),
             s->resources);
    vw_wr(vm, s->init_params + VW_OFFSET(vm, NDIS_MINIPORT_INIT_PARAMETERS, IfIndex), 7, 4);
    s->state = VW_NDIS_INITIALIZING;
    s->reg_attrs = s->gen_attrs = false;
    ndis_bind_reset(vm);
    uint64_t args[3] = {s->adapter, s->driver_context, s->init_params}, r = 0;
    if (!ndis_call(vm, s->h_init, VW_PASSIVE_LEVEL, 3, args, &r))
        return false;
    if ((uint32_t)r != VW_NDIS_STATUS_SUCCESS) {
        s->state = VW_NDIS_HALTED;
        if (status == NULL) {
            vw_fail(vm, "ndis: MiniportInitializeEx returned 0x%08x", (uint32_t)r);
            return false;
        }
        /* ndis/nc-ndis-miniport_initialize: a miniport that fails must
         * release what it allocated; NDIS calls no MiniportHaltEx. */
        *status = (uint32_t)r;
        vw_pool_free(vm, s->init_params, "init params");
        if (s->pdo == 0)
            vw_pool_free(vm, s->resources, "NDIS resource list");
        s->init_params = s->resources = 0;
        vw_log(vm, "ndis: MiniportInitializeEx failed with 0x%08x; checking it released all",
               (uint32_t)r);
        return !vm->failed && ndis_hw_after_halt(vm) && ndis_dma_after_halt(vm) &&
               ndis_config_after_halt(vm) && ndis_timer_after_halt(vm) &&
               ndis_pools_after_failed_init(vm);
    }
    if (status != NULL)
        *status = VW_NDIS_STATUS_SUCCESS;
    if (!s->reg_attrs || !s->gen_attrs) {
        vw_fail(vm,
                "ndis: MiniportInitializeEx succeeded without %s attributes (mandatory: "
                "ndis/nc-ndis-miniport_initialize)",
                s->reg_attrs ? "general" : "registration");
        return false;
    }
    s->state = VW_NDIS_PAUSED;
    return vw_dpc_drain(vm) || !vm->failed;
}

/* MiniportInitializeEx at PASSIVE_LEVEL; the adapter is Paused after it. */
bool vw_ndis_initialize(struct vm *vm)
{
    return initialize(vm, NULL);
}

/* MiniportInitializeEx, which may fail: STATUS gets its status. */
bool vw_ndis_initialize_status(struct vm *vm, uint32_t *status)
{
    return initialize(vm, status);
}

/* MiniportRestart at PASSIVE (ndis/nc-ndis-miniport_restart): SUCCESS, or
 * PENDING and NdisMRestartComplete later. */
bool vw_ndis_restart(struct vm *vm)
{
    struct ndis_state *s = ndis_state(vm);
    if (s->state != VW_NDIS_PAUSED || s->low_power) {
        vw_fail(vm, "harness: restart with the adapter %s%s", ndis_state_name(s->state),
                s->low_power ? " in D3" : "");
        return false;
    }
    gva_t p = port_alloc(vm, VW_SIZEOF(vm, NDIS_MINIPORT_RESTART_PARAMETERS), "restart params");
    if (p == 0)
        return false;
    hdr(vm, p, VW_NDIS_OBJECT_TYPE_DEFAULT, 1, VW_SIZEOF(vm, NDIS_MINIPORT_RESTART_PARAMETERS));
    s->state = VW_NDIS_RESTARTING;
    s->restart_done = false;
    uint64_t args[2] = {s->context, p}, r = 0;
    bool ok = ndis_call(vm, s->h_restart, VW_PASSIVE_LEVEL, 2, args, &r);
    vw_pool_free(vm, p, "restart params");
    if (!ok)
        return false;
    if ((uint32_t)r == VW_NDIS_STATUS_PENDING) {
        vw_dpc_drain(vm);
        if (!s->restart_done && !vm->failed)
            vw_fail(vm, "ndis: MiniportRestart pended and never called NdisMRestartComplete");
        r = s->restart_status;
    }
    if (vm->failed)
        return false;
    s->state = (uint32_t)r == VW_NDIS_STATUS_SUCCESS ? VW_NDIS_RUNNING : VW_NDIS_PAUSED;
    return s->state == VW_NDIS_RUNNING && ndis_bind(vm);
}

/* Called when the pause finishes: nothing may be outstanding then
 * (network/pausing-an-adapter: every send completed, every indicate call
 * returned, every indicated NBL back through MiniportReturnNetBufferLists). */
static void pause_finished(struct vm *vm, struct ndis_state *s, const char *how)
{
    unsigned sends = sends_outstanding(s), rx = held(s);
    if (sends != 0 || rx != 0 || s->indicating != 0) {
        vw_fail(vm,
                "ndis: pause completed (%s) with %u send NBL(s) not completed and %u indicated "
                "NBL(s) not returned (network/pausing-an-adapter)",
                how, sends, rx + s->indicating);
        return;
    }
    s->pause_done = true;
    s->state = VW_NDIS_PAUSED;
}

bool vw_ndis_pause(struct vm *vm)
{
    struct ndis_state *s = ndis_state(vm);
    if (s->state != VW_NDIS_RUNNING) {
        vw_fail(vm, "harness: pause with the adapter %s", ndis_state_name(s->state));
        return false;
    }
    gva_t p = port_alloc(vm, VW_SIZEOF(vm, NDIS_MINIPORT_PAUSE_PARAMETERS), "pause params");
    if (p == 0)
        return false;
    hdr(vm, p, VW_NDIS_OBJECT_TYPE_DEFAULT, 1, VW_SIZEOF(vm, NDIS_MINIPORT_PAUSE_PARAMETERS));
    vw_wr(vm, p + VW_OFFSET(vm, NDIS_MINIPORT_PAUSE_PARAMETERS, PauseReason), 1, 4);
    s->state = VW_NDIS_PAUSING;
    s->pause_done = false;
    uint64_t args[2] = {s->context, p}, r = 0;
    bool ok = ndis_call(vm, s->h_pause, VW_PASSIVE_LEVEL, 2, args, &r);
    vw_pool_free(vm, p, "pause params");
    if (!ok)
        return false;
    if ((uint32_t)r == VW_NDIS_STATUS_SUCCESS) {
        pause_finished(vm, s, "MiniportPause returned NDIS_STATUS_SUCCESS");
    } else if ((uint32_t)r == VW_NDIS_STATUS_PENDING) {
        s->stats.pause_pended++;
        /* The protocol returns what it holds; the miniport then completes,
         * once the sends still at the device came back too
         * (network/pausing-an-adapter): devices run for up to 1 s. */
        if (!vw_ndis_return_all(vm))
            return false;
        vw_dpc_drain(vm);
        for (unsigned i = 0; i < 1000 && !s->pause_done && !vm->failed; i++)
            vw_run_for(vm, 10000);
        if (!s->pause_done && !vm->failed)
            vw_fail(vm,
                    "ndis: MiniportPause pended and never called NdisMPauseComplete "
                    "(%u sends outstanding after 1 s)",
                    s->stats.sent - s->stats.send_completed);
    } else {
        vw_fail(vm, "ndis: MiniportPause returned 0x%08x (SUCCESS or PENDING only)", (uint32_t)r);
    }
    return !vm->failed;
}

void ndis_pause_complete(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    if (!(vw_arg(vm, api, 0) == s->adapter) && !vm->failed) {
        vw_fail(vm, "NdisMPauseComplete: not the adapter handle");
        return;
    }
    if (s->state != VW_NDIS_PAUSING || s->pause_done) {
        vw_fail(vm, "NdisMPauseComplete with the adapter %s (only for a pended MiniportPause)",
                ndis_state_name(s->state));
        return;
    }
    pause_finished(vm, s, "NdisMPauseComplete");
}

void ndis_restart_complete(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    if (s->state != VW_NDIS_RESTARTING || s->restart_done) {
        vw_fail(vm,
                "NdisMRestartComplete with the adapter %s (only for a pended "
                "MiniportRestart)",
                ndis_state_name(s->state));
        return;
    }
    s->restart_done = true;
    s->restart_status = (uint32_t)vw_arg(vm, api, 1);
}

/* MiniportHaltEx from Paused only (network/halting-a-miniport-adapter);
 * then the miniport must have freed its pools (the unload leak report
 * names what is left). */
bool vw_ndis_halt(struct vm *vm)
{
    struct ndis_state *s = ndis_state(vm);
    if (s->state != VW_NDIS_PAUSED) {
        vw_fail(vm, "harness: halt with the adapter %s", ndis_state_name(s->state));
        return false;
    }
    s->in_d3 = false; /* halting a D3 adapter: NDIS's business, not checked */
    /* NdisHaltDeviceInstanceDeInitialized unless a surprise removal said otherwise. */
    uint64_t args[2] = {s->context, s->halt_action ? s->halt_action : 1};
    s->halt_action = 0;
    if (!ndis_call(vm, s->h_halt, VW_PASSIVE_LEVEL, 2, args, NULL))
        return false;
    s->state = VW_NDIS_HALTED;
    for (unsigned i = 0; i < NDIS_MAX_NBLS; i++)
        if (s->nbls[i].owner != NBL_FREE && s->nbls[i].protocol) {
            ndis_send_mdls_free(vm, s->nbls[i].mdl);
            ndis_nbl_free(vm, &s->nbls[i]);
        }
    vw_pool_free(vm, s->init_params, "init params");
    if (s->pdo == 0)
        vw_pool_free(vm, s->resources, "NDIS resource list");
    s->init_params = s->resources = 0;
    return !vm->failed && ndis_hw_after_halt(vm) && ndis_dma_after_halt(vm) &&
           ndis_config_after_halt(vm) && ndis_timer_after_halt(vm);
}

/* Surprise removal (network/handling-the-surprise-removal-of-a-nic):
 * MiniportDevicePnPEventNotify with NdisDevicePnPEventSurpriseRemoved at
 * PASSIVE, then a pause when the adapter runs, then MiniportHaltEx with
 * NdisHaltDeviceSurpriseRemoved. */
bool vw_ndis_surprise_remove(struct vm *vm)
{
    struct ndis_state *s = ndis_state(vm);
    if (s->state == VW_NDIS_HALTED || s->state == VW_NDIS_INITIALIZING) {
        vw_fail(vm, "harness: surprise removal with the adapter %s", ndis_state_name(s->state));
        return false;
    }
    gva_t e = port_alloc(vm, VW_SIZEOF(vm, NET_DEVICE_PNP_EVENT), "PnP event");
    if (e == 0)
        return false;
    hdr(vm, e, VW_NDIS_OBJECT_TYPE_DEFAULT, 1, VW_SIZEOF(vm, NET_DEVICE_PNP_EVENT));
    vw_wr(vm, e + VW_OFFSET(vm, NET_DEVICE_PNP_EVENT, DevicePnPEvent), 2, 4);
    uint64_t args[2] = {s->context, e};
    bool ok = ndis_call(vm, s->h_pnp, VW_PASSIVE_LEVEL, 2, args, NULL);
    vw_pool_free(vm, e, "PnP event");
    if (!ok || (s->state == VW_NDIS_RUNNING && !vw_ndis_pause(vm)))
        return false;
    s->halt_action = 3; /* NdisHaltDeviceSurpriseRemoved */
    return vw_ndis_halt(vm);
}

/* The protocol's sends: one NBL per frame, chained, one call at DISPATCH
 * with NDIS_SEND_FLAGS_DISPATCH_LEVEL (ndis/nc-ndis-miniport_send_net_buffer_lists). */
bool vw_ndis_send(struct vm *vm, const uint8_t *const *frames, const unsigned *lens, unsigned count)
{
    return vw_ndis_send_info(vm, frames, lens, NULL, count);
}

/* The sends with their NBL information (checksum.c, lso.c, vlan.c say what
 * the stack would ask for). */
bool vw_ndis_send_info(struct vm *vm, const uint8_t *const *frames, const unsigned *lens,
                       const struct vw_ndis_tx_info *info, unsigned count)
{
    return vw_ndis_send_layout(vm, frames, lens, info, NULL, count);
}

/* MiniportSendNetBufferLists on the running CPU with the chain built, then
 * that CPU's DPCs. */
static bool send_call(struct vm *vm, void *arg)
{
    struct ndis_state *s = arg;
    uint64_t args[4] = {s->context, s->send_first, 0, 1 /* NDIS_SEND_FLAGS_DISPATCH_LEVEL */};
    if (!ndis_call(vm, s->h_send, VW_DISPATCH_LEVEL, 4, args, NULL))
        return false;
    vw_dpc_drain(vm);
    return !vm->failed;
}

/* The sends, each frame in LAY's MDLs (sendmdl.c). */
bool vw_ndis_send_layout(struct vm *vm, const uint8_t *const *frames, const unsigned *lens,
                         const struct vw_ndis_tx_info *info, const struct vw_ndis_layout *lay,
                         unsigned count)
{
    struct ndis_state *s = ndis_state(vm);
    if (s->state != VW_NDIS_RUNNING || s->resetting) {
        vw_fail(vm, "harness: send with the adapter %s%s (NDIS sends only while Running)",
                ndis_state_name(s->state), s->resetting ? ", resetting" : "");
        return false;
    }
    if (s->proto_pool == 0)
        s->proto_pool = vw_kalloc(vm, 16);
    gva_t first = 0, prev = 0;
    for (unsigned i = 0; info != NULL && i < count; i++)
        if (!ndis_checksum_tx_allowed(vm, frames[i], lens[i], info[i].csum) ||
            !ndis_lso_tx_allowed(vm, frames[i], lens[i], info[i].lso) ||
            !ndis_uso_tx_allowed(vm, frames[i], lens[i], info[i].uso) ||
            !ndis_vlan_tx_allowed(vm, info[i].vlan))
            return false;
    for (unsigned i = 0; i < count; i++) {
        gva_t mdl = ndis_send_mdls(vm, frames[i], lens[i], lay);
        gva_t nbl = mdl ? ndis_nbl_alloc(vm, s->proto_pool, true, mdl, lens[i]) : 0;
        if (nbl == 0) {
            ndis_send_mdls_free(vm, mdl);
            return false;
        }
        if (lay != NULL && lay->lead != 0) {
            gva_t nb = vw_rdptr(vm, nbl + VW_OFFSET(vm, NET_BUFFER_LIST, FirstNetBuffer));
            vw_wr(vm, nb + VW_OFFSET(vm, NET_BUFFER, DataOffset), lay->lead, 4);
            vw_wr(vm, nb + VW_OFFSET(vm, NET_BUFFER, CurrentMdlOffset), lay->lead, 4);
        }
        struct ndis_nbl *r = ndis_find_nbl(s, nbl);
        r->mdl = mdl, r->owner = NBL_SENT, r->len = lens[i];
        memcpy(r->dst, frames[i], lens[i] < 6 ? lens[i] : 6);
        vw_wrptr(vm, nbl + VW_OFFSET(vm, NET_BUFFER_LIST, SourceHandle), s->proto_pool);
        if (info != NULL) {
            ndis_nbl_set_info(vm, nbl, VW_NBL_INFO_TCP_IP_CHECKSUM, info[i].csum);
            ndis_nbl_set_info(vm, nbl, VW_NBL_INFO_TCP_LARGE_SEND, info[i].lso);
            ndis_nbl_set_info(vm, nbl, VW_NBL_INFO_IEEE8021Q, info[i].vlan);
            if (info[i].uso != 0)
                ndis_nbl_set_info(vm, nbl, ndis_uso_slot(vm), info[i].uso);
            r->lso = info[i].lso;
        }
        if (prev)
            vw_wrptr(vm, prev + VW_OFFSET(vm, NET_BUFFER_LIST, Next), nbl);
        else
            first = nbl;
        prev = nbl;
        s->stats.sent++;
    }
    s->send_first = first;
    return vw_cpu_run_as(vm, s->send_cpu < vw_cpu_count(vm) ? s->send_cpu : 0, send_call, s);
}

/* Which CPU the protocol's sends run on from now (the sender's: the
 * miniport's MiniportSendNetBufferLists runs there, its DPCs too). */
void vw_ndis_send_cpu(struct vm *vm, unsigned cpu)
{
    ndis_state(vm)->send_cpu = cpu;
}

/* ndis/nf-ndis-ndismsendnetbufferlistscomplete: each NBL NDIS sent, once,
 * with a final status; the DISPATCH flag only at DISPATCH_LEVEL. */
void ndis_send_complete(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    gva_t nbl = vw_arg(vm, api, 1);
    uint32_t flags = (uint32_t)vw_arg(vm, api, 2);
    if (vw_arg(vm, api, 0) != s->adapter) {
        vw_fail(vm, "NdisMSendNetBufferListsComplete: not the adapter handle");
        return;
    }
    if ((flags & VW_NDIS_FLAGS_DISPATCH_LEVEL) && vm->irql != VW_DISPATCH_LEVEL) {
        vw_fail(vm,
                "NdisMSendNetBufferListsComplete: NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL "
                "at IRQL %u",
                vm->irql);
        return;
    }
    if (nbl == 0) {
        vw_fail(vm, "NdisMSendNetBufferListsComplete with no NBL");
        return;
    }
    for (unsigned n = 0; nbl != 0 && !vm->failed; n++) {
        struct ndis_nbl *r = ndis_find_nbl(s, nbl);
        gva_t next = vw_rdptr(vm, nbl + VW_OFFSET(vm, NET_BUFFER_LIST, Next));
        if (r == NULL || !r->protocol) {
            vw_fail(vm, "NdisMSendNetBufferListsComplete: NBL 0x%" PRIx64 " was never sent", nbl);
            return;
        }
        if (r->owner != NBL_SENT) {
            vw_fail(vm, "NdisMSendNetBufferListsComplete: NBL 0x%" PRIx64 " completed twice", nbl);
            return;
        }
        uint32_t st = (uint32_t)vw_rd(vm, nbl + VW_OFFSET(vm, NET_BUFFER_LIST, Status), 4);
        if (st == VW_NDIS_STATUS_PENDING) {
            vw_fail(vm,
                    "NdisMSendNetBufferListsComplete: NBL 0x%" PRIx64 " with status "
                    "NDIS_STATUS_PENDING",
                    nbl);
            return;
        }
        /* ndis/nf-ndis-ndismfreenetbuffersglist: the lists go back before
         * the NBL does. */
        for (gva_t nb = vw_rdptr(vm, nbl + VW_OFFSET(vm, NET_BUFFER_LIST, FirstNetBuffer)); nb != 0;
             nb = vw_rdptr(vm, nb + VW_OFFSET(vm, NET_BUFFER, Next)))
            if (ndis_dma_nb_has_list(vm, nb)) {
                vw_fail(vm,
                        "NdisMSendNetBufferListsComplete: NBL 0x%" PRIx64 " completed with "
                        "the SG list of its NET_BUFFER 0x%" PRIx64 " not freed",
                        nbl, nb);
                return;
            }
        if (r->lso != 0 && st == VW_NDIS_STATUS_SUCCESS && !ndis_lso_completed(vm, nbl, r->lso))
            return;
        r->lso = 0;
        r->owner = NBL_SEND_DONE;
        if (st == VW_NDIS_STATUS_SUCCESS)
            ndis_stats_count(s, true, r->dst, r->len);
        s->stats.send_completed++;
        s->stats.send_failed += st != VW_NDIS_STATUS_SUCCESS;
        vw_wrptr(vm, nbl + VW_OFFSET(vm, NET_BUFFER_LIST, Next), 0);
        nbl = next;
        if (n > NDIS_MAX_NBLS) {
            vw_fail(vm, "NdisMSendNetBufferListsComplete: the NBL chain loops");
            return;
        }
    }
}

/* Copy the frame an NBL's first NB describes into the protocol's log (the
 * first 64), and count it for the statistics checker (stats.c). */
static void capture(struct vm *vm, struct ndis_state *s, gva_t nbl)
{
    gva_t nb = vw_rdptr(vm, nbl + VW_OFFSET(vm, NET_BUFFER_LIST, FirstNetBuffer));
    if (nb == 0)
        return;
    uint64_t len = vw_rd(vm, nb + VW_OFFSET(vm, NET_BUFFER, DataLength), 4);
    gva_t mdl = vw_rdptr(vm, nb + VW_OFFSET(vm, NET_BUFFER, CurrentMdl));
    uint64_t off = vw_rd(vm, nb + VW_OFFSET(vm, NET_BUFFER, CurrentMdlOffset), 4);
    unsigned got = 0;
    bool keep = s->nframes < NDIS_MAX_FRAMES;
    uint8_t *out = s->rx_scratch;
    unsigned cap = NDIS_RX_SCRATCH;
    while (mdl != 0 && got < len && got < cap) {
        gva_t va = vw_rdptr(vm, mdl + VW_OFFSET(vm, MDL, MappedSystemVa));
        uint64_t cnt = vw_rd(vm, mdl + VW_OFFSET(vm, MDL, ByteCount), 4);
        ndis_dma_mark_rx(s, va);
        uint64_t take = cnt > off ? cnt - off : 0;
        if (take > len - got)
            take = len - got;
        if (take > cap - got)
            take = cap - got;
        vw_read(vm, va + off, out + got, take);
        got += (unsigned)take;
        off = 0;
        mdl = vw_rdptr(vm, mdl + VW_OFFSET(vm, MDL, Next));
    }
    ndis_stats_count(s, false, out, (unsigned)len);
    if (s->ndigests < NDIS_MAX_DIGESTS) {
        uint32_t h = 2166136261u;
        for (unsigned i = 0; i < got; i++)
            h = (h ^ out[i]) * 16777619u;
        s->frame_full[s->ndigests] = got;
        s->frame_fnv[s->ndigests++] = h;
    }
    if (keep) {
        memcpy(s->frames[s->nframes], out, got < NDIS_FRAME_MAX ? got : NDIS_FRAME_MAX);
        s->frame_len[s->nframes++] = got < NDIS_FRAME_MAX ? got : NDIS_FRAME_MAX;
    }
    /* The offload information checked against the frame as received. */
    if (got == len)
        (void)(ndis_checksum_rx(vm, nbl, out, got) && ndis_rsc_rx(vm, nbl, out, got) &&
               ndis_vlan_rx(vm, nbl, out, got) && ndis_rss_rx(vm, nbl, out, got));
}

/* ndis/nf-ndis-ndismindicatereceivenetbufferlists: never while Paused or
 * Halted (network/miniport-adapter-states-and-operations); SourceHandle is
 * the adapter handle; NumberOfNetBufferLists is the chain's length; the
 * DISPATCH flag only at DISPATCH_LEVEL; with NDIS_RECEIVE_FLAGS_RESOURCES
 * the NBLs are the miniport's again on return, otherwise NDIS holds them
 * until MiniportReturnNetBufferLists. */
void ndis_indicate_receive(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    gva_t nbl = vw_arg(vm, api, 1);
    unsigned count = (unsigned)vw_arg(vm, api, 3);
    uint32_t flags = (uint32_t)vw_arg(vm, api, 4);
    if (vw_arg(vm, api, 0) != s->adapter) {
        vw_fail(vm, "NdisMIndicateReceiveNetBufferLists: not the adapter handle");
        return;
    }
    if (!ndis_power_allows_indication(vm, "NdisMIndicateReceiveNetBufferLists"))
        return;
    if (s->state != VW_NDIS_RUNNING && s->state != VW_NDIS_RESTARTING &&
        s->state != VW_NDIS_PAUSING) {
        vw_fail(vm,
                "NdisMIndicateReceiveNetBufferLists with the adapter %s (no indication "
                "while Paused or Halted)",
                ndis_state_name(s->state));
        return;
    }
    if (!ndis_filter_allows_indication(vm, "NdisMIndicateReceiveNetBufferLists"))
        return;
    if ((flags & VW_NDIS_FLAGS_DISPATCH_LEVEL) && vm->irql != VW_DISPATCH_LEVEL) {
        vw_fail(vm,
                "NdisMIndicateReceiveNetBufferLists: NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL at "
                "IRQL %u",
                vm->irql);
        return;
    }
    unsigned n = 0;
    for (gva_t p = nbl; p != 0 && n <= NDIS_MAX_NBLS;
         p = vw_rdptr(vm, p + VW_OFFSET(vm, NET_BUFFER_LIST, Next)), n++) {
        struct ndis_nbl *r = ndis_find_nbl(s, p);
        if (r == NULL || r->protocol) {
            vw_fail(vm,
                    "NdisMIndicateReceiveNetBufferLists: 0x%" PRIx64 " is no NBL from the "
                    "miniport's pools",
                    p);
            return;
        }
        if (r->owner != NBL_MINIPORT) {
            vw_fail(vm,
                    "NdisMIndicateReceiveNetBufferLists: NBL 0x%" PRIx64 " indicated again "
                    "before it was returned",
                    p);
            return;
        }
        if (vw_rdptr(vm, p + VW_OFFSET(vm, NET_BUFFER_LIST, SourceHandle)) != s->adapter) {
            vw_fail(vm,
                    "NdisMIndicateReceiveNetBufferLists: NBL 0x%" PRIx64 " SourceHandle is "
                    "not the adapter handle",
                    p);
            return;
        }
    }
    if (n != count) {
        vw_fail(vm,
                "NdisMIndicateReceiveNetBufferLists: NumberOfNetBufferLists %u, the chain "
                "has %u",
                count, n);
        return;
    }
    for (gva_t p = nbl; p != 0; p = vw_rdptr(vm, p + VW_OFFSET(vm, NET_BUFFER_LIST, Next))) {
        capture(vm, s, p);
        s->stats.indicated++;
        if (flags & VW_NDIS_RECEIVE_FLAGS_RESOURCES)
            s->stats.indicated_resources++;
        else
            ndis_find_nbl(s, p)->owner = NBL_PROTOCOL_HELD;
    }
}

/* The protocol gives back every NBL it holds, one MiniportReturnNetBufferLists
 * call at DISPATCH_LEVEL (ndis/nc-ndis-miniport_return_net_buffer_lists). */
bool vw_ndis_return_all(struct vm *vm)
{
    struct ndis_state *s = ndis_state(vm);
    gva_t first = 0, prev = 0;
    for (unsigned i = 0; i < NDIS_MAX_NBLS; i++) {
        if (s->nbls[i].owner != NBL_PROTOCOL_HELD)
            continue;
        gva_t nbl = s->nbls[i].nbl;
        s->nbls[i].owner = NBL_MINIPORT;
        vw_wrptr(vm, nbl + VW_OFFSET(vm, NET_BUFFER_LIST, Next), 0);
        if (prev)
            vw_wrptr(vm, prev + VW_OFFSET(vm, NET_BUFFER_LIST, Next), nbl);
        else
            first = nbl;
        prev = nbl;
        s->stats.returned++;
    }
    if (first == 0)
        return !vm->failed;
    uint64_t args[3] = {s->context, first, 1 /* NDIS_RETURN_FLAGS_DISPATCH_LEVEL */};
    return ndis_call(vm, s->h_return, VW_DISPATCH_LEVEL, 3, args, NULL);
}

/* The protocol gives back up to MAX (0: all) of the NBLs it holds, in an
 * order drawn from SEED, in one MiniportReturnNetBufferLists call at
 * DISPATCH_LEVEL: a chain may mix NBLs of any indications and queues
 * (ndis/nc-ndis-miniport_return_net_buffer_lists). */
bool vw_ndis_return_shuffled(struct vm *vm, uint32_t seed, unsigned max)
{
    struct ndis_state *s = ndis_state(vm);
    unsigned idx[NDIS_MAX_NBLS];
    unsigned n = 0;
    for (unsigned i = 0; i < NDIS_MAX_NBLS; i++)
        if (s->nbls[i].owner == NBL_PROTOCOL_HELD)
            idx[n++] = i;
    uint32_t x = seed | 1;
    for (unsigned i = n; i > 1; i--) { /* Fisher-Yates with xorshift32 */
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        unsigned j = x % i, t = idx[i - 1];
        idx[i - 1] = idx[j], idx[j] = t;
    }
    if (max != 0 && n > max)
        n = max;
    gva_t first = 0, prev = 0;
    for (unsigned k = 0; k < n; k++) {
        struct ndis_nbl *r = &s->nbls[idx[k]];
        r->owner = NBL_MINIPORT;
        vw_wrptr(vm, r->nbl + VW_OFFSET(vm, NET_BUFFER_LIST, Next), 0);
        if (prev)
            vw_wrptr(vm, prev + VW_OFFSET(vm, NET_BUFFER_LIST, Next), r->nbl);
        else
            first = r->nbl;
        prev = r->nbl;
        s->stats.returned++;
    }
    if (first == 0)
        return !vm->failed;
    uint64_t args[3] = {s->context, first, 1 /* NDIS_RETURN_FLAGS_DISPATCH_LEVEL */};
    return ndis_call(vm, s->h_return, VW_DISPATCH_LEVEL, 3, args, NULL);
}

unsigned vw_ndis_received(struct vm *vm, unsigned i, uint8_t *buf, unsigned cap)
{
    struct ndis_state *s = ndis_state(vm);
    if (i >= s->nframes)
        return 0;
    unsigned n = s->frame_len[i] < cap ? s->frame_len[i] : cap;
    memcpy(buf, s->frames[i], n);
    return s->frame_len[i];
}

/* Indication I's whole length and FNV-1a digest, taken at indication. */
bool vw_ndis_received_digest(struct vm *vm, unsigned i, unsigned *len, uint32_t *fnv)
{
    struct ndis_state *s = ndis_state(vm);
    if (i >= s->ndigests)
        return false;
    *len = s->frame_full[i];
    *fnv = s->frame_fnv[i];
    return true;
}

/* One regular OID request at PASSIVE (oidrequest/ns-oidrequest-ndis_oid_request;
 * regular requests are serialized: one at a time). */
bool vw_ndis_oid(struct vm *vm, bool set, uint32_t oid, void *buf, uint32_t len, uint32_t *status,
                 uint32_t *done)
{
    struct ndis_state *s = ndis_state(vm);
    if (s->state == VW_NDIS_HALTED || s->state == VW_NDIS_INITIALIZING || s->resetting) {
        vw_fail(vm, "harness: OID request with the adapter %s%s", ndis_state_name(s->state),
                s->resetting ? ", resetting" : "");
        return false;
    }
    gva_t req = port_alloc(vm, VW_SIZEOF(vm, NDIS_OID_REQUEST), "OID request");
    gva_t info = port_alloc(vm, len, "OID buffer");
    if (vm->failed)
        return false;
    hdr(vm, req, VW_NDIS_OBJECT_TYPE_OID_REQUEST, 1,
        VW_OFFSET(vm, NDIS_OID_REQUEST, Reserved2) + 2);
#define RQ(m) (req + VW_OFFSET(vm, NDIS_OID_REQUEST, m))
    vw_wr(vm, RQ(RequestType), set ? 1 : 0, 4);
    vw_wrptr(vm, RQ(RequestId), req);
    vw_wr(vm, RQ(DATA), oid, 4);
    vw_wrptr(vm, RQ(DATA.QUERY_INFORMATION.InformationBuffer), info);
    vw_wr(vm, RQ(DATA.QUERY_INFORMATION.InformationBufferLength), len, 4);
    /* a query's buffer carries its input too (OID_PNP_QUERY_POWER's state) */
    vw_write(vm, info, buf, len);
    s->oid_req = req;
    s->oid_pending = false;
    s->oid_done = false;
    uint32_t filter = 0;
    bool filter_set = set && oid == VW_OID_GEN_CURRENT_PACKET_FILTER && len >= 4;
    if (filter_set) {
        memcpy(&filter, buf, 4);
        ndis_filter_set_start(vm, filter);
    }
    uint64_t args[2] = {s->context, req}, r = 0;
    if (!ndis_call(vm, s->h_oid, VW_PASSIVE_LEVEL, 2, args, &r))
        return false;
    if ((uint32_t)r == VW_NDIS_STATUS_PENDING) {
        s->oid_pending = true;
        s->stats.oids_pended++;
        vw_dpc_drain(vm);
        if (!s->oid_done && !vm->failed)
            vw_fail(vm, "ndis: OID 0x%08x pended and never completed", oid);
        r = s->oid_status;
    } else if (s->oid_done) {
        vw_fail(vm,
                "ndis: OID 0x%08x completed with NdisMOidRequestComplete and returned "
                "0x%08x (only a pended request is completed)",
                oid, (uint32_t)r);
    }
    if (filter_set)
        ndis_filter_set_done(vm, filter, (uint32_t)r);
    if (vm->failed)
        return false;
    *status = (uint32_t)r;
    *done = (uint32_t)vw_rd(
        vm, set ? RQ(DATA.SET_INFORMATION.BytesRead) : RQ(DATA.QUERY_INFORMATION.BytesWritten), 4);
    if (!set && *done <= len)
        vw_read(vm, info, buf, *done);
#undef RQ
    s->oid_req = 0;
    vw_pool_free(vm, info, "OID buffer");
    vw_pool_free(vm, req, "OID request");
    return true;
}

/* ndis/nf-ndis-ndismoidrequestcomplete: for the request the miniport pended,
 * once, with a final status. */
void ndis_oid_complete(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    gva_t req = vw_arg(vm, api, 1);
    uint32_t st = (uint32_t)vw_arg(vm, api, 2);
    if (req == 0 || req != s->oid_req) {
        vw_fail(vm, "NdisMOidRequestComplete: 0x%" PRIx64 " is no OID request in flight", req);
        return;
    }
    if (s->oid_done) {
        vw_fail(vm, "NdisMOidRequestComplete: request 0x%" PRIx64 " completed twice", req);
        return;
    }
    if (st == VW_NDIS_STATUS_PENDING) {
        vw_fail(vm, "NdisMOidRequestComplete with NDIS_STATUS_PENDING");
        return;
    }
    s->oid_done = true;
    s->oid_status = st;
}

/* ndis/nf-ndis-ndismindicatestatusex: the adapter's, with a status
 * indication header; link state is counted. */
void ndis_indicate_status(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    gva_t ind = vw_arg(vm, api, 1);
    if (vw_arg(vm, api, 0) != s->adapter) {
        vw_fail(vm, "NdisMIndicateStatusEx: not the adapter handle");
        return;
    }
    if (vw_rd(vm, ind, 1) != VW_NDIS_OBJECT_TYPE_STATUS_INDICATION ||
        vw_rdptr(vm, ind + VW_OFFSET(vm, NDIS_STATUS_INDICATION, SourceHandle)) != s->adapter) {
        vw_fail(vm, "NdisMIndicateStatusEx: header type 0x%x or SourceHandle not the adapter",
                (unsigned)vw_rd(vm, ind, 1));
        return;
    }
    uint32_t code = (uint32_t)vw_rd(vm, ind + VW_OFFSET(vm, NDIS_STATUS_INDICATION, StatusCode), 4);
    if (code == VW_NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG)
        ndis_offload_indicated(
            vm, vw_rdptr(vm, ind + VW_OFFSET(vm, NDIS_STATUS_INDICATION, StatusBuffer)),
            (uint32_t)vw_rd(vm, ind + VW_OFFSET(vm, NDIS_STATUS_INDICATION, StatusBufferSize), 4));
    if (code != VW_NDIS_STATUS_LINK_STATE)
        return;
    s->stats.link_indications++;
    /* the buffer is an NDIS_LINK_STATE (ndis/ns-ndis-_ndis_link_state) */
    gva_t ls = vw_rdptr(vm, ind + VW_OFFSET(vm, NDIS_STATUS_INDICATION, StatusBuffer));
    uint32_t n =
        (uint32_t)vw_rd(vm, ind + VW_OFFSET(vm, NDIS_STATUS_INDICATION, StatusBufferSize), 4);
    if (ls != 0 && n >= VW_OFFSET(vm, NDIS_LINK_STATE, MediaDuplexState))
        s->stats.media_connect =
            (uint32_t)vw_rd(vm, ls + VW_OFFSET(vm, NDIS_LINK_STATE, MediaConnectState), 4);
    if (ls != 0 && n >= VW_OFFSET(vm, NDIS_LINK_STATE, RcvLinkSpeed) + 8) {
        s->stats.duplex =
            (uint32_t)vw_rd(vm, ls + VW_OFFSET(vm, NDIS_LINK_STATE, MediaDuplexState), 4);
        s->stats.xmit_speed = vw_rd(vm, ls + VW_OFFSET(vm, NDIS_LINK_STATE, XmitLinkSpeed), 8);
        s->stats.rcv_speed = vw_rd(vm, ls + VW_OFFSET(vm, NDIS_LINK_STATE, RcvLinkSpeed), 8);
    }
}

void vw_ndis_stats(struct vm *vm, struct vw_ndis_stats *out)
{
    struct ndis_state *s = ndis_state(vm);
    *out = s->stats;
    out->state = s->state;
    out->held = held(s);
    memcpy(out->mac, s->mac, 6);
    out->mtu = s->mtu;
    out->isr_calls = s->intr.isr_calls;
    out->dpc_calls = s->intr.dpc_calls;
    out->line_isr_calls = s->intr.line_isr_calls;
    out->line_declined = s->intr.line_declined;
    out->dpc_cpu_low = s->intr.dpc_cpu_low;
    out->dpc_cpu_high = s->intr.dpc_cpu_high;
    out->mac_options = s->mac_options;
}
