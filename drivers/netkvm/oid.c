/*
 * oid.c - OID requests: the mandatory queries and sets of an NDIS 6
 * Ethernet miniport, every OID_GEN_* statistic (64-bit, or 32-bit when the
 * buffer holds only that), the 802.3 addresses and multicast list, the
 * packet filter (sent to the device through the control queue) and the
 * power OIDs.  Every request completes synchronously.
 */
#include "netkvm.h"

const NDIS_OID NkSupportedOids[] = {
    OID_GEN_SUPPORTED_LIST,
    OID_GEN_HARDWARE_STATUS,
    OID_GEN_MEDIA_SUPPORTED,
    OID_GEN_MEDIA_IN_USE,
    OID_GEN_MAXIMUM_LOOKAHEAD,
    OID_GEN_MAXIMUM_FRAME_SIZE,
    OID_GEN_LINK_SPEED,
    OID_GEN_TRANSMIT_BUFFER_SPACE,
    OID_GEN_RECEIVE_BUFFER_SPACE,
    OID_GEN_TRANSMIT_BLOCK_SIZE,
    OID_GEN_RECEIVE_BLOCK_SIZE,
    OID_GEN_VENDOR_ID,
    OID_GEN_VENDOR_DESCRIPTION,
    OID_GEN_CURRENT_PACKET_FILTER,
    OID_GEN_CURRENT_LOOKAHEAD,
    OID_GEN_DRIVER_VERSION,
    OID_GEN_MAXIMUM_TOTAL_SIZE,
    OID_GEN_MAC_OPTIONS,
    OID_GEN_MEDIA_CONNECT_STATUS,
    OID_GEN_MAXIMUM_SEND_PACKETS,
    OID_GEN_VENDOR_DRIVER_VERSION,
    OID_GEN_LINK_PARAMETERS,
    OID_GEN_INTERRUPT_MODERATION,
    OID_GEN_XMIT_OK,
    OID_GEN_RCV_OK,
    OID_GEN_XMIT_ERROR,
    OID_GEN_RCV_ERROR,
    OID_GEN_RCV_NO_BUFFER,
    OID_GEN_STATISTICS,
    OID_GEN_DIRECTED_BYTES_XMIT,
    OID_GEN_DIRECTED_FRAMES_XMIT,
    OID_GEN_MULTICAST_BYTES_XMIT,
    OID_GEN_MULTICAST_FRAMES_XMIT,
    OID_GEN_BROADCAST_BYTES_XMIT,
    OID_GEN_BROADCAST_FRAMES_XMIT,
    OID_GEN_DIRECTED_BYTES_RCV,
    OID_GEN_DIRECTED_FRAMES_RCV,
    OID_GEN_MULTICAST_BYTES_RCV,
    OID_GEN_MULTICAST_FRAMES_RCV,
    OID_GEN_BROADCAST_BYTES_RCV,
    OID_GEN_BROADCAST_FRAMES_RCV,
    OID_GEN_RCV_CRC_ERROR,
    OID_GEN_TRANSMIT_QUEUE_LENGTH,
    OID_GEN_BYTES_RCV,
    OID_GEN_BYTES_XMIT,
    OID_GEN_RCV_DISCARDS,
    OID_GEN_XMIT_DISCARDS,
    OID_802_3_PERMANENT_ADDRESS,
    OID_802_3_CURRENT_ADDRESS,
    OID_802_3_MULTICAST_LIST,
    OID_TCP_OFFLOAD_PARAMETERS,
    OID_OFFLOAD_ENCAPSULATION,
    OID_802_3_MAXIMUM_LIST_SIZE,
    OID_PNP_SET_POWER,
    OID_PNP_QUERY_POWER,
    OID_GEN_NETWORK_LAYER_ADDRESSES,
    OID_GEN_RECEIVE_SCALE_CAPABILITIES,
    OID_GEN_RECEIVE_SCALE_PARAMETERS,
    OID_TCP_RSC_STATISTICS,
};
const ULONG NkSupportedOidCount = sizeof(NkSupportedOids) / sizeof(NkSupportedOids[0]);

static const char NkVendorDescription[] = "virtio-win NetKVM (virtio-net)";

/* IRQL: any. the sum of three counters (directed, multicast, broadcast). */
static ULONG64 NkSum3(const LONG64 *v)
{
    return (ULONG64)v[0] + (ULONG64)v[1] + (ULONG64)v[2];
}

/* IRQL <= DISPATCH_LEVEL. the errors and discards as NDIS reports them
 * (nk_stats: RFC 2863's, each dropped frame in one of the two). */
static void NkIfCounts(PNK_ADAPTER a, struct nk_if_counts *o)
{
    const NK_STATS *s = &a->Stats;
    struct nk_counts c = {(uint64_t)s->RxErrors, (uint64_t)s->RxDiscards, (uint64_t)s->TxErrors,
                          (uint64_t)s->TxDiscards};
    nk_stats_if(&c, o);
}

/* IRQL <= DISPATCH_LEVEL. a statistics counter: TRUE if oid is one. */
static BOOLEAN NkStatistic(PNK_ADAPTER a, NDIS_OID oid, ULONG64 *v)
{
    const NK_STATS *s = &a->Stats;
    struct nk_if_counts ic;
    NkIfCounts(a, &ic);
    switch (oid) {
    case OID_GEN_XMIT_OK:
        *v = NkSum3(s->TxFrames);
        return TRUE;
    case OID_GEN_RCV_OK:
        *v = NkSum3(s->RxFrames);
        return TRUE;
    case OID_GEN_XMIT_ERROR:
        *v = ic.out_errors;
        return TRUE;
    case OID_GEN_RCV_ERROR:
    case OID_GEN_RCV_CRC_ERROR:
        *v = oid == OID_GEN_RCV_ERROR ? ic.in_errors : 0;
        return TRUE;
    case OID_GEN_RCV_NO_BUFFER:
        *v = (ULONG64)s->RxNoBuffer;
        return TRUE;
    case OID_GEN_RCV_DISCARDS: /* ifInDiscards: neither errors nor a ring run empty */
        *v = ic.in_discards;
        return TRUE;
    case OID_GEN_XMIT_DISCARDS:
        *v = ic.out_discards;
        return TRUE;
    case OID_GEN_BYTES_XMIT:
        *v = NkSum3(s->TxBytes);
        return TRUE;
    case OID_GEN_BYTES_RCV:
        *v = NkSum3(s->RxBytes);
        return TRUE;
    case OID_GEN_TRANSMIT_QUEUE_LENGTH:
        *v = (ULONG64)a->TxOut;
        return TRUE;
    default:
        break;
    }
    if (oid >= OID_GEN_DIRECTED_BYTES_XMIT && oid <= OID_GEN_BROADCAST_FRAMES_RCV) {
        ULONG i = oid - OID_GEN_DIRECTED_BYTES_XMIT; /* pairs of bytes, frames */
        ULONG cls = (i / 2) % 3;
        BOOLEAN rcv = i >= 6, frames = i & 1;
        const LONG64 *arr =
            rcv ? (frames ? s->RxFrames : s->RxBytes) : (frames ? s->TxFrames : s->TxBytes);
        *v = (ULONG64)arr[cls];
        return TRUE;
    }
    return FALSE;
}

/* IRQL <= DISPATCH_LEVEL. OID_GEN_STATISTICS. */
static void NkFillStatistics(PNK_ADAPTER a, NDIS_STATISTICS_INFO *st)
{
    const NK_STATS *s = &a->Stats;
    RtlZeroMemory(st, sizeof(*st));
    NK_HEADER(st->Header, NDIS_OBJECT_TYPE_DEFAULT, NDIS_STATISTICS_INFO_REVISION_1, sizeof(*st));
    st->SupportedStatistics = 0x003F87FF; /* every NDIS_STATISTICS_FLAGS_VALID_* bit */
    struct nk_if_counts ic;
    NkIfCounts(a, &ic);
    /* Errors and discards apart (nk_stats); a ring that ran empty
     * (RxNoBuffer) lost no frame the driver saw */
    st->ifInDiscards = ic.in_discards;
    st->ifInErrors = ic.in_errors;
    st->ifHCInOctets = NkSum3(s->RxBytes);
    st->ifHCInUcastPkts = (ULONG64)s->RxFrames[0];
    st->ifHCInMulticastPkts = (ULONG64)s->RxFrames[1];
    st->ifHCInBroadcastPkts = (ULONG64)s->RxFrames[2];
    st->ifHCOutOctets = NkSum3(s->TxBytes);
    st->ifHCOutUcastPkts = (ULONG64)s->TxFrames[0];
    st->ifHCOutMulticastPkts = (ULONG64)s->TxFrames[1];
    st->ifHCOutBroadcastPkts = (ULONG64)s->TxFrames[2];
    st->ifOutErrors = ic.out_errors;
    st->ifOutDiscards = ic.out_discards;
    st->ifHCInUcastOctets = (ULONG64)s->RxBytes[0];
    st->ifHCInMulticastOctets = (ULONG64)s->RxBytes[1];
    st->ifHCInBroadcastOctets = (ULONG64)s->RxBytes[2];
    st->ifHCOutUcastOctets = (ULONG64)s->TxBytes[0];
    st->ifHCOutMulticastOctets = (ULONG64)s->TxBytes[1];
    st->ifHCOutBroadcastOctets = (ULONG64)s->TxBytes[2];
}

/* IRQL: PASSIVE_LEVEL. copy an answer, or say how much room it needs. */
static NDIS_STATUS NkAnswer(PNDIS_OID_REQUEST r, const void *data, ULONG len)
{
    if (r->DATA.QUERY_INFORMATION.InformationBufferLength < len) {
        r->DATA.QUERY_INFORMATION.BytesNeeded = len;
        return NDIS_STATUS_BUFFER_TOO_SHORT;
    }
    if (len != 0)
        RtlCopyMemory(r->DATA.QUERY_INFORMATION.InformationBuffer, data, len);
    r->DATA.QUERY_INFORMATION.BytesWritten = len;
    return NDIS_STATUS_SUCCESS;
}

/* IRQL: PASSIVE_LEVEL. a query. */
static NDIS_STATUS NkQuery(PNK_ADAPTER a, PNDIS_OID_REQUEST r)
{
    NDIS_OID oid = r->DATA.QUERY_INFORMATION.Oid;
    ULONG u = 0;
    ULONG64 v = 0;
    if (NkStatistic(a, oid, &v)) {
        /* 64-bit, or its low half when the buffer is 32 bits (NDIS 6 statistics rule) */
        if (r->DATA.QUERY_INFORMATION.InformationBufferLength >= sizeof(v) ||
            r->DATA.QUERY_INFORMATION.InformationBufferLength < sizeof(u)) {
            NDIS_STATUS st = NkAnswer(r, &v, sizeof(v));
            return st;
        }
        u = (ULONG)v;
        NDIS_STATUS st = NkAnswer(r, &u, sizeof(u));
        r->DATA.QUERY_INFORMATION.BytesNeeded = sizeof(v);
        return st;
    }
    switch (oid) {
    case OID_GEN_SUPPORTED_LIST:
        return NkAnswer(r, NkSupportedOids, NkSupportedOidCount * sizeof(NDIS_OID));
    case OID_GEN_HARDWARE_STATUS:
        u = 0; /* NdisHardwareStatusReady */
        break;
    case OID_GEN_MEDIA_SUPPORTED:
    case OID_GEN_MEDIA_IN_USE:
        u = NdisMedium802_3;
        break;
    case OID_GEN_MAXIMUM_LOOKAHEAD:
    case OID_GEN_CURRENT_LOOKAHEAD:
    case OID_GEN_MAXIMUM_FRAME_SIZE:
        u = a->Cfg.mtu;
        break;
    case OID_GEN_MAXIMUM_TOTAL_SIZE:
    case OID_GEN_TRANSMIT_BLOCK_SIZE:
    case OID_GEN_RECEIVE_BLOCK_SIZE:
        u = a->MaxFrame;
        break;
    case OID_GEN_LINK_SPEED:
        u = (ULONG)(a->Cfg.speed_bps / 100); /* units of 100 bit/s */
        break;
    case OID_GEN_TRANSMIT_BUFFER_SPACE:
        u = a->Pairs != 0 ? a->Tx[0].Count * a->MaxFrame * a->Pairs : 0;
        break;
    case OID_GEN_RECEIVE_BUFFER_SPACE:
        u = a->Pairs != 0 ? (ULONG)(a->Rx[0].Plan.bytes * a->Pairs) : 0;
        break;
    case OID_GEN_VENDOR_ID:
        u = (ULONG)a->Cfg.mac[0] | (ULONG)a->Cfg.mac[1] << 8 | (ULONG)a->Cfg.mac[2] << 16;
        break;
    case OID_GEN_VENDOR_DESCRIPTION:
        return NkAnswer(r, NkVendorDescription, sizeof(NkVendorDescription));
    case OID_GEN_CURRENT_PACKET_FILTER:
        u = a->PacketFilter;
        break;
    case OID_GEN_DRIVER_VERSION: {
        USHORT ver = NK_NDIS_MAJOR << 8 | NK_NDIS_MINOR;
        return NkAnswer(r, &ver, sizeof(ver));
    }
    case OID_GEN_VENDOR_DRIVER_VERSION:
        u = NK_DRV_MAJOR << 16 | NK_DRV_MINOR;
        break;
    case OID_GEN_MAC_OPTIONS:
        u = NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA | NDIS_MAC_OPTION_TRANSFERS_NOT_PEND |
            NDIS_MAC_OPTION_NO_LOOPBACK | NDIS_MAC_OPTION_FULL_DUPLEX;
        break;
    case OID_GEN_MEDIA_CONNECT_STATUS:
        u = a->LinkUp ? 0 : 1; /* NdisMediaStateConnected, Disconnected */
        break;
    case OID_GEN_MAXIMUM_SEND_PACKETS:
        u = a->Pairs != 0 ? a->Tx[0].Count : 1;
        break;
    case OID_GEN_INTERRUPT_MODERATION: {
        NDIS_INTERRUPT_MODERATION_PARAMETERS m;
        RtlZeroMemory(&m, sizeof(m));
        NK_HEADER(m.Header, NDIS_OBJECT_TYPE_DEFAULT,
                  NDIS_INTERRUPT_MODERATION_PARAMETERS_REVISION_1, sizeof(m));
        m.InterruptModeration = NdisInterruptModerationNotSupported;
        return NkAnswer(r, &m, sizeof(m));
    }
    case OID_GEN_STATISTICS: {
        NDIS_STATISTICS_INFO st;
        NkFillStatistics(a, &st);
        return NkAnswer(r, &st, sizeof(st));
    }
    case OID_TCP_RSC_STATISTICS: {
        /* network/oid-tcp-rsc-statistics: a miniport that provides RSC must
         * answer it (0 while RSC never ran); counted per coalesced unit
         * indicated (rx.c NkRxCount) */
        NDIS_RSC_STATISTICS_INFO rs;
        RtlZeroMemory(&rs, sizeof(rs));
        NK_HEADER(rs.Header, NDIS_OBJECT_TYPE_DEFAULT, NDIS_RSC_STATISTICS_REVISION_1,
                  NDIS_SIZEOF_RSC_STATISTICS_REVISION_1);
        rs.CoalescedPkts = (ULONG64)a->Stats.RscPkts;
        rs.CoalescedOctets = (ULONG64)a->Stats.RscOctets;
        rs.CoalesceEvents = (ULONG64)a->Stats.RscEvents;
        return NkAnswer(r, &rs, NDIS_SIZEOF_RSC_STATISTICS_REVISION_1);
    }
    case OID_GEN_RECEIVE_SCALE_CAPABILITIES: {
        PNDIS_RECEIVE_SCALE_CAPABILITIES caps = NkRssCapabilities(a);
        if (caps == NULL)
            return NDIS_STATUS_NOT_SUPPORTED;
        return NkAnswer(r, caps, caps->Header.Size);
    }
    case OID_GEN_RECEIVE_SCALE_PARAMETERS:
        return NkRssQueryParameters(a, r);
    case OID_802_3_PERMANENT_ADDRESS:
        return NkAnswer(r, a->Cfg.mac, NK_ETH_ALEN);
    case OID_802_3_CURRENT_ADDRESS:
        return NkAnswer(r, a->CurrentMac, NK_ETH_ALEN);
    case OID_802_3_MULTICAST_LIST:
        return NkAnswer(r, a->Mcast, a->McastCount * NK_ETH_ALEN);
    case OID_802_3_MAXIMUM_LIST_SIZE:
        u = NK_MCAST_MAX;
        break;
    case OID_PNP_QUERY_POWER:
        return NDIS_STATUS_SUCCESS;
    default:
        return NDIS_STATUS_NOT_SUPPORTED;
    }
    return NkAnswer(r, &u, sizeof(u));
}

/* IRQL: PASSIVE_LEVEL. a set. */
static NDIS_STATUS NkSet(PNK_ADAPTER a, PNDIS_OID_REQUEST r)
{
    PVOID buf = r->DATA.SET_INFORMATION.InformationBuffer;
    ULONG len = r->DATA.SET_INFORMATION.InformationBufferLength;
    ULONG u, count;
    UCHAR old[NK_MCAST_MAX][NK_ETH_ALEN];
    switch (r->DATA.SET_INFORMATION.Oid) {
    case OID_GEN_CURRENT_PACKET_FILTER:
        if (len < sizeof(ULONG)) {
            r->DATA.SET_INFORMATION.BytesNeeded = sizeof(ULONG);
            return NDIS_STATUS_INVALID_LENGTH;
        }
        RtlCopyMemory(&u, buf, sizeof(u));
        if (u & ~(ULONG)(NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_MULTICAST |
                         NDIS_PACKET_TYPE_ALL_MULTICAST | NDIS_PACKET_TYPE_BROADCAST |
                         NDIS_PACKET_TYPE_PROMISCUOUS))
            return NDIS_STATUS_NOT_SUPPORTED;
        ULONG was = a->PacketFilter;
        a->PacketFilter = u;
        if (!NkRxFilterPublish(a)) {
            a->PacketFilter = was; /* frames keep the old filter */
            return NDIS_STATUS_RESOURCES;
        }
        NkCtrlApplyFilter(a);
        r->DATA.SET_INFORMATION.BytesRead = sizeof(u);
        return NDIS_STATUS_SUCCESS;
    case OID_GEN_CURRENT_LOOKAHEAD:
        if (len < sizeof(ULONG)) {
            r->DATA.SET_INFORMATION.BytesNeeded = sizeof(ULONG);
            return NDIS_STATUS_INVALID_LENGTH;
        }
        RtlCopyMemory(&u, buf, sizeof(u));
        if (u > a->Cfg.mtu)
            return NDIS_STATUS_INVALID_DATA;
        r->DATA.SET_INFORMATION.BytesRead = sizeof(u);
        return NDIS_STATUS_SUCCESS; /* whole frames are always indicated */
    case OID_802_3_MULTICAST_LIST:
        if (len % NK_ETH_ALEN != 0)
            return NDIS_STATUS_INVALID_LENGTH;
        if (len / NK_ETH_ALEN > NK_MCAST_MAX)
            return NDIS_STATUS_INVALID_DATA; /* NDIS_STATUS_MULTICAST_FULL */
        RtlCopyMemory(old, a->Mcast, sizeof(old));
        count = a->McastCount;
        RtlCopyMemory(a->Mcast, buf, len);
        a->McastCount = len / NK_ETH_ALEN;
        if (!NkRxFilterPublish(a)) {
            /* Frames keep the old list: so do the query and the device */
            RtlCopyMemory(a->Mcast, old, sizeof(old));
            a->McastCount = count;
            return NDIS_STATUS_RESOURCES;
        }
        NkCtrlApplyFilter(a);
        r->DATA.SET_INFORMATION.BytesRead = len;
        return NDIS_STATUS_SUCCESS;
    case OID_GEN_INTERRUPT_MODERATION:
        if (len < sizeof(NDIS_INTERRUPT_MODERATION_PARAMETERS)) {
            r->DATA.SET_INFORMATION.BytesNeeded = sizeof(NDIS_INTERRUPT_MODERATION_PARAMETERS);
            return NDIS_STATUS_INVALID_LENGTH;
        }
        return NDIS_STATUS_INVALID_DATA; /* moderation is not supported */
    case OID_GEN_LINK_PARAMETERS:
        if (len < sizeof(NDIS_LINK_PARAMETERS)) {
            r->DATA.SET_INFORMATION.BytesNeeded = sizeof(NDIS_LINK_PARAMETERS);
            return NDIS_STATUS_INVALID_LENGTH;
        }
        r->DATA.SET_INFORMATION.BytesRead = sizeof(NDIS_LINK_PARAMETERS);
        return NDIS_STATUS_SUCCESS; /* a virtual link has nothing to negotiate */
    case OID_TCP_OFFLOAD_PARAMETERS:
        return NkOffloadSetParameters(a, r);
    case OID_OFFLOAD_ENCAPSULATION:
        return NkOffloadSetEncapsulation(a, r);
    case OID_GEN_RECEIVE_SCALE_PARAMETERS:
        return NkRssSetParameters(a, r);
    case OID_GEN_NETWORK_LAYER_ADDRESSES:
        return NkAnnounceSetAddresses(a, r);
    case OID_PNP_SET_POWER:
        return NkPowerSet(a, r);
    default:
        return NDIS_STATUS_NOT_SUPPORTED;
    }
}

/* IRQL: PASSIVE_LEVEL. MiniportOidRequest: answered here, never pended. */
NDIS_STATUS NTAPI NkOidRequest(NDIS_HANDLE Context, PNDIS_OID_REQUEST Request)
{
    PNK_ADAPTER a = (PNK_ADAPTER)Context;
    switch (Request->RequestType) {
    case NdisRequestQueryInformation:
    case NdisRequestQueryStatistics:
        return NkQuery(a, Request);
    case NdisRequestSetInformation:
        return NkSet(a, Request);
    default:
        return NDIS_STATUS_NOT_SUPPORTED;
    }
}

/* IRQL <= DISPATCH_LEVEL. nothing is ever pended, so nothing to cancel. */
VOID NTAPI NkCancelOid(NDIS_HANDLE Context, PVOID RequestId)
{
    (void)Context, (void)RequestId;
}
