/*
 * Device power for the adapter, in the order NDIS follows without
 * NDIS_MINIPORT_ATTRIBUTES_NO_PAUSE_ON_SUSPEND (network/oid-pnp-set-power:
 * the stack is paused first): from Paused, OID_PNP_QUERY_POWER then
 * OID_PNP_SET_POWER for D3; OID_PNP_SET_POWER for D0 (never queried:
 * network/oid-pnp-query-power), then the scenario restarts.  Checked: the
 * query answers NDIS_STATUS_SUCCESS ("any other return code is an error"),
 * and from the D3 set request until the D0 one the miniport indicates no
 * receive (before D3 it stops the receive engine and disables interrupts:
 * network/oid-pnp-set-power).
 */
#include <inttypes.h>
#include "bus.h"
#include "internal.h"

/* The bus guard: no register access from the D3 set request's completion
 * until the D0 one (the device is powered down: network/oid-pnp-set-power,
 * network/low-power-states-for-a-network-adapter). */
static void d3_guard(struct vm *vm, bool port, uint64_t addr, bool write)
{
    if (!ndis_state(vm)->in_d3 || vm->failed)
        return;
    vw_fail(vm,
            "ndis: %s %s at 0x%" PRIx64 " with the adapter in D3 (after OID_PNP_SET_POWER to D3 "
            "completed, the device is powered down until the D0 request: "
            "network/oid-pnp-set-power)",
            port ? "port" : "register", write ? "write" : "read", addr);
}

bool vw_ndis_set_power(struct vm *vm, bool d3, uint32_t *status)
{
    struct ndis_state *s = ndis_state(vm);
    if (s->state != VW_NDIS_PAUSED || s->low_power == d3) {
        vw_fail(vm, "harness: set power %s with the adapter %s%s", d3 ? "D3" : "D0",
                ndis_state_name(s->state), s->low_power == d3 ? " already there" : "");
        return false;
    }
    uint32_t dstate = d3 ? VW_NDIS_DEVICE_STATE_D3 : VW_NDIS_DEVICE_STATE_D0, st = 0, done = 0;
    if (d3) {
        if (!vw_ndis_oid(vm, false, VW_OID_PNP_QUERY_POWER, &dstate, 4, &st, &done))
            return false;
        if (st != VW_NDIS_STATUS_SUCCESS) {
            vw_fail(vm,
                    "ndis: OID_PNP_QUERY_POWER for D3 returned 0x%08x (miniports always return "
                    "NDIS_STATUS_SUCCESS: network/oid-pnp-query-power)",
                    st);
            return false;
        }
        s->low_power = true; /* from the set request on */
    }
    s->in_d3 = false; /* the D0 request may wake the device */
    if (!vw_ndis_oid(vm, true, VW_OID_PNP_SET_POWER, &dstate, 4, &st, &done))
        return false;
    if (!d3)
        s->low_power = false;
    if (d3 && st == VW_NDIS_STATUS_SUCCESS) {
        s->in_d3 = true;
        vw_bus_set_guard(vm, d3_guard);
    }
    *status = st;
    return true;
}

bool ndis_power_allows_indication(struct vm *vm, const char *who)
{
    if (!ndis_state(vm)->low_power)
        return true;
    vw_fail(vm,
            "%s with the adapter in D3 (set to a low-power state, the miniport stops its "
            "receive engine: network/oid-pnp-set-power)",
            who);
    return false;
}

/* The general attributes' PowerManagementCapabilitiesEx
 * (ntddndis/ns-ntddndis-_ndis_pm_capabilities): header
 * NDIS_OBJECT_TYPE_DEFAULT, revision 1 or 2 of its size, and each minimum
 * wake-up state an NDIS_DEVICE_POWER_STATE (Unspecified through D3). */
bool ndis_pm_capabilities(struct vm *vm, gva_t pm)
{
    if (pm == 0)
        return true;
    unsigned type = (unsigned)vw_rd(vm, pm, 1), rev = (unsigned)vw_rd(vm, pm + 1, 1);
    unsigned size = (unsigned)vw_rd(vm, pm + 2, 2);
    const char *why = NULL;
    uint32_t bad = 0;
    if (type != VW_NDIS_OBJECT_TYPE_DEFAULT || rev < VW_NDIS_PM_CAPABILITIES_REVISION_1 ||
        rev > VW_NDIS_PM_CAPABILITIES_REVISION_2 ||
        size < (rev == 1 ? VW_NDIS_SIZEOF_PM_CAPABILITIES_REVISION_1
                         : VW_NDIS_SIZEOF_PM_CAPABILITIES_REVISION_2))
        why = "header is not NDIS_OBJECT_TYPE_DEFAULT revision 1 or 2 of its size";
    for (unsigned i = 0; why == NULL && i < 3; i++)
        if ((bad = (uint32_t)vw_rd(vm, pm + VW_NDIS_PM_CAPABILITIES_MIN_WAKE_UP + 4 * i, 4)) >=
            VW_NDIS_DEVICE_STATE_MAXIMUM)
            why = "a minimum wake-up state is no NDIS_DEVICE_POWER_STATE";
    if (why == NULL)
        return true;
    vw_fail(vm,
            "NdisMSetMiniportAttributes: PowerManagementCapabilitiesEx (type 0x%x revision %u "
            "size %u, state %u): %s (ntddndis/ns-ntddndis-_ndis_pm_capabilities)",
            type, rev, size, bad, why);
    return false;
}
