/*
 * Check-for-hang and reset as NDIS drives them
 * (network/miniport-adapter-check-for-hang-and-reset-operations):
 * MiniportCheckForHangEx at PASSIVE_LEVEL (ndis/nc-ndis-miniport_check_for_hang),
 * MiniportResetEx at DISPATCH_LEVEL, the highest its page allows
 * (ndis/nc-ndis-miniport_reset), with sends and OID requests held back
 * while it runs (network/reset: NDIS accepts none from the protocol then),
 * its status one the page lists, and NdisMResetComplete only for a reset
 * that pended, once (ndis/nf-ndis-ndismresetcomplete-r1).  With
 * AddressingReset TRUE NDIS restores the packet filter by an OID request.
 */
#include "internal.h"
#include "layout.h"
#include "pnp.h"

#define RESET_WAIT  10000 /* 1 ms of virtual time (100 ns units) between looks */
#define RESET_WAITS 1000  /* 1 s */

/* Is R a status MiniportResetEx may give (ndis/nc-ndis-miniport_reset)? */
static bool reset_status_listed(uint32_t r)
{
    return r == VW_NDIS_STATUS_SUCCESS || r == VW_NDIS_STATUS_PENDING ||
           r == VW_NDIS_STATUS_RESET_IN_PROGRESS || r == VW_NDIS_STATUS_SOFT_ERRORS ||
           r == VW_NDIS_STATUS_HARD_ERRORS || r == VW_NDIS_STATUS_NOT_RESETTABLE;
}

/* MiniportCheckForHangEx at PASSIVE_LEVEL, when the miniport has one. */
bool vw_ndis_check_for_hang(struct vm *vm, bool *hung)
{
    struct ndis_state *s = ndis_state(vm);
    *hung = false;
    if (s->h_hang == 0)
        return true;
    if (s->state != VW_NDIS_RUNNING && s->state != VW_NDIS_PAUSED) {
        vw_fail(vm, "harness: check for hang with the adapter %s", ndis_state_name(s->state));
        return false;
    }
    uint64_t args[1] = {s->context}, r = 0;
    if (!ndis_call(vm, s->h_hang, VW_PASSIVE_LEVEL, 1, args, &r))
        return false;
    *hung = (r & 0xff) != 0;
    return true;
}

/* NDIS's reset: MiniportResetEx at DISPATCH_LEVEL, its completion, the
 * addressing restored. */
bool vw_ndis_reset(struct vm *vm, uint32_t *status, bool *addressing)
{
    struct ndis_state *s = ndis_state(vm);
    *status = VW_NDIS_STATUS_FAILURE;
    *addressing = false;
    if (s->h_reset == 0) {
        vw_fail(vm, "harness: reset of a miniport without ResetHandlerEx");
        return false;
    }
    if (s->state != VW_NDIS_RUNNING && s->state != VW_NDIS_PAUSED) {
        vw_fail(vm, "harness: reset with the adapter %s", ndis_state_name(s->state));
        return false;
    }
    gva_t out = vw_pool_alloc(vm, 8, NDIS_TAG, "AddressingReset", false);
    if (out == 0) {
        vw_fail(vm, "ndis: no pool for AddressingReset");
        return false;
    }
    vw_wr(vm, out, 0, 1);
    s->resetting = true;
    s->reset_pended = false;
    s->reset_done = false;
    s->stats.resets++;
    uint64_t args[2] = {s->context, out}, r = 0;
    bool ok = ndis_call(vm, s->h_reset, VW_DISPATCH_LEVEL, 2, args, &r);
    uint32_t st = (uint32_t)r;
    if (ok && !reset_status_listed(st))
        vw_fail(vm,
                "ndis: MiniportResetEx returned 0x%08x (not a status ndis/nc-ndis-miniport_reset "
                "lists)",
                st);
    if (ok && !vm->failed && st == VW_NDIS_STATUS_PENDING) {
        s->reset_pended = true;
        vw_dpc_drain(vm);
        for (unsigned i = 0; i < RESET_WAITS && !s->reset_done && !vm->failed; i++)
            vw_run_for(vm, RESET_WAIT);
        if (!s->reset_done && !vm->failed)
            vw_fail(vm, "ndis: MiniportResetEx pended and never called NdisMResetComplete (1 s)");
        st = s->reset_status;
        vw_wr(vm, out, s->reset_addressing, 1);
    } else if (ok && s->reset_done && !vm->failed) {
        vw_fail(vm, "NdisMResetComplete for a reset that returned 0x%08x (only a pended one)", st);
    }
    *addressing = vw_rd(vm, out, 1) != 0;
    vw_pool_free(vm, out, "AddressingReset");
    s->resetting = false;
    vw_dpc_drain(vm);
    if (vm->failed)
        return false;
    *status = st;
    /* network/hardware-reset: with AddressingReset NDIS sets the addressing
     * state again by OID requests; the protocol's packet filter here. */
    if (*addressing && s->filter != 0) {
        uint32_t f = s->filter, fs = 1, done = 0;
        if (!vw_ndis_oid(vm, true, VW_OID_GEN_CURRENT_PACKET_FILTER, &f, 4, &fs, &done))
            return false;
        if (fs != VW_NDIS_STATUS_SUCCESS)
            vw_fail(vm, "ndis: the packet filter restored after the reset got 0x%08x", fs);
    }
    return !vm->failed;
}

/* NdisMResetComplete(MiniportAdapterHandle, Status, AddressingReset). */
void ndis_reset_complete(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    if (!ndis_check_adapter(vm, vw_arg(vm, api, 0), "NdisMResetComplete"))
        return;
    if (!s->resetting || s->reset_done) {
        vw_fail(vm, "NdisMResetComplete %s (only once, for a pended MiniportResetEx)",
                s->reset_done ? "twice" : "without a reset in progress");
        return;
    }
    uint32_t st = (uint32_t)vw_arg(vm, api, 1);
    if (st == VW_NDIS_STATUS_PENDING || !reset_status_listed(st)) {
        vw_fail(vm, "NdisMResetComplete with status 0x%08x (a final status the reset page lists)",
                st);
        return;
    }
    s->reset_done = true;
    s->reset_status = st;
    s->reset_addressing = (vw_arg(vm, api, 2) & 0xff) != 0;
}
