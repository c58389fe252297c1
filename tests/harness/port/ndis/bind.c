/*
 * The protocol binding and its packet filter (network/oid-gen-current-packet-filter):
 * when MiniportInitializeEx is called the miniport's packet filter is zero and
 * receive indications are disabled; after it returned, a bound protocol sets
 * OID_GEN_CURRENT_PACKET_FILTER to a nonzero value, which enables them.  The
 * emulation's protocol binds as TCP/IP does, after the first restart since
 * InitializeEx and before any traffic, with DIRECTED | MULTICAST | BROADCAST.
 * The multicast list starts empty (network/oid-802-3-multicast-list: NDIS
 * does not set it at bind), so no OID_802_3_MULTICAST_LIST is sent here.
 * Checked: no receive indication while the filter is zero.
 */
#include "internal.h"

#define BIND_FILTER                                                                                \
    (VW_NDIS_PACKET_TYPE_DIRECTED | VW_NDIS_PACKET_TYPE_MULTICAST | VW_NDIS_PACKET_TYPE_BROADCAST)

/* MiniportInitializeEx is about to run: no binding, the filter is zero. */
void ndis_bind_reset(struct vm *vm)
{
    struct ndis_state *s = ndis_state(vm);
    s->bound = false;
    s->filter = s->filter_next = 0;
}

/* After a restart reached Running: the first one since InitializeEx binds
 * the protocol, which sets its packet filter (a mandatory set for NDIS 6
 * miniports); false when the run failed. */
bool ndis_bind(struct vm *vm)
{
    struct ndis_state *s = ndis_state(vm);
    if (s->bound)
        return !vm->failed;
    s->bound = true;
    uint32_t filter = BIND_FILTER, st = 0, done = 0;
    if (!vw_ndis_oid(vm, true, VW_OID_GEN_CURRENT_PACKET_FILTER, &filter, 4, &st, &done))
        return false;
    if (st != VW_NDIS_STATUS_SUCCESS)
        vw_fail(vm,
                "ndis: the protocol's OID_GEN_CURRENT_PACKET_FILTER set 0x%x at bind returned "
                "0x%08x (the set is mandatory for NDIS 6 miniports: "
                "network/oid-gen-current-packet-filter)",
                filter, st);
    return !vm->failed;
}

/* vw_ndis_oid sends a set of FILTER: a nonzero one enables indications from
 * the moment the miniport has it; a zero one disables them once it completed. */
void ndis_filter_set_start(struct vm *vm, uint32_t filter)
{
    ndis_state(vm)->filter_next = filter;
}

/* The set of FILTER completed with STATUS: on success it is the filter now. */
void ndis_filter_set_done(struct vm *vm, uint32_t filter, uint32_t status)
{
    struct ndis_state *s = ndis_state(vm);
    s->filter_next = 0;
    if (status == VW_NDIS_STATUS_SUCCESS)
        s->filter = filter;
}

/* False, the run failed, when WHO indicates a receive while the packet
 * filter is zero and no nonzero set is in flight. */
bool ndis_filter_allows_indication(struct vm *vm, const char *who)
{
    struct ndis_state *s = ndis_state(vm);
    if (s->filter != 0 || s->filter_next != 0)
        return true;
    vw_fail(vm,
            "%s with the packet filter 0 (%s: receive indications are disabled until a "
            "protocol sets a nonzero OID_GEN_CURRENT_PACKET_FILTER: "
            "network/oid-gen-current-packet-filter)",
            who,
            s->bound ? "the protocol set it to 0" : "no protocol has set one since InitializeEx");
    return false;
}

uint32_t vw_ndis_packet_filter(struct vm *vm)
{
    return ndis_state(vm)->filter;
}
