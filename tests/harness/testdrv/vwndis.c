/*
 * vwndis: a loopback NDIS 6.50 Ethernet miniport (not NetKVM) that proves
 * the harness's ndis.sys (tests/harness/port/ndis/): every frame sent comes
 * back as a receive indication from a pool of preallocated receive NBLs;
 * pause waits for the protocol to return them; a packet-filter set is
 * pended and completed from a DPC, and while the filter is 0 nothing is
 * indicated; restart arms a one-shot NDIS timer whose callback (DISPATCH)
 * queues an NDIS I/O work item (PASSIVE) that sleeps with NdisMSleep, each reporting its IRQL
 * through the vendor OID VW_OID_VWNDIS_TIMERS.  Built as badndis with VWNDIS_PLANTED, where the
 * vendor OID VW_OID_VWNDIS_PLANT picks one planted bug per checker.
 */
#include <ntddk.h>
#include <vw/compiler.h>
#include <vw/ndis.h>
#include "../include/vw_oid.h" /* the vendor OIDs, shared with the harness */
#include "ndistd.h"

#define TAG       VW_POOL_TAG('v', 'w', 'N', 'd')
#define RX_COUNT  16
#define FRAME_MAX 1514
#define MTU       1500
/* NDIS_DEVICE_POWER_STATE (network/oid-pnp-set-power) */
#define DEVICE_D0 1
#define DEVICE_D3 4
/* Timer and work item report (VW_OID_VWNDIS_TIMERS): fired, callback IRQL, ran, routine IRQL. */

enum state { ST_PAUSED, ST_RUNNING, ST_PAUSING };

typedef struct {
    NDIS_HANDLE handle, pool;
    NDIS_SPIN_LOCK lock;
    enum state state;
    PNET_BUFFER_LIST rx[RX_COUNT];
    PUCHAR rx_buf[RX_COUNT];
    PMDL rx_mdl[RX_COUNT];
    PNET_BUFFER_LIST free_rx; /* chained through NET_BUFFER_LIST_NEXT_NBL */
    ULONG rx_free_count, rx_out;
    PNDIS_OID_REQUEST pended_oid;
    KDPC oid_dpc;
    ULONG64 xmit_ok, rcv_ok;
    /* per destination class (directed, multicast, broadcast) */
    ULONG64 out_frames[3], out_bytes[3], in_frames[3], in_bytes[3];
    ULONG filter, plant;
    BOOLEAN removed;
    ULONG power; /* NDIS_DEVICE_POWER_STATE; 0 before any set power: D0 */
    ULONG power_sets;
    NDIS_OFFLOAD cur, hw; /* the current offload configuration, the hardware's */
    NDIS_HANDLE timer, work;
    ULONG timer_fired, timer_irql, work_ran, work_irql;
    volatile LONG work_queued; /* queued, its routine not run yet */
} ADAPTER;

static const UCHAR g_mac[6] = {0x02, 0x56, 0x57, 0x00, 0x00, 0x01};
static NDIS_OID g_oids[] = {OID_GEN_MAXIMUM_FRAME_SIZE,
                            OID_802_3_CURRENT_ADDRESS,
                            OID_GEN_CURRENT_PACKET_FILTER,
                            OID_GEN_XMIT_OK,
                            OID_GEN_RCV_OK,
                            OID_GEN_STATISTICS,
                            OID_PNP_QUERY_POWER,
                            OID_PNP_SET_POWER};

/* The destination class of a frame: 0 directed, 1 multicast, 2 broadcast
 * (any IRQL). */
static ULONG dest_class(const UCHAR *f)
{
    ULONG ones = 0;
    for (ULONG i = 0; i < 6; i++)
        ones += f[i] == 0xff;
    return ones == 6 ? 2 : (f[0] & 1) ? 1 : 0;
}

/* OID_GEN_STATISTICS's answer from the per-class counters (PASSIVE). */
static VOID fill_statistics(ADAPTER *a, NDIS_STATISTICS_INFO *si)
{
    RtlZeroMemory(si, sizeof(*si));
    si->Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    si->Header.Revision = NDIS_STATISTICS_INFO_REVISION_1;
    si->Header.Size = NDIS_SIZEOF_STATISTICS_INFO_REVISION_1;
    si->SupportedStatistics =
        NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_RCV |
        NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_RCV |
        NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_RCV | NDIS_STATISTICS_FLAGS_VALID_BYTES_RCV |
        NDIS_STATISTICS_FLAGS_VALID_RCV_DISCARDS | NDIS_STATISTICS_FLAGS_VALID_RCV_ERROR |
        NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_XMIT |
        NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_XMIT |
        NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_XMIT | NDIS_STATISTICS_FLAGS_VALID_BYTES_XMIT |
        NDIS_STATISTICS_FLAGS_VALID_XMIT_ERROR | NDIS_STATISTICS_FLAGS_VALID_XMIT_DISCARDS |
        NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_RCV |
        NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_RCV |
        NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_RCV |
        NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_XMIT |
        NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_XMIT |
        NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_XMIT;
    si->ifHCInUcastPkts = a->in_frames[0];
    si->ifHCInMulticastPkts = a->in_frames[1];
    si->ifHCInBroadcastPkts = a->in_frames[2];
    si->ifHCInUcastOctets = a->in_bytes[0];
    si->ifHCInMulticastOctets = a->in_bytes[1];
    si->ifHCInBroadcastOctets = a->in_bytes[2];
    si->ifHCInOctets = a->in_bytes[0] + a->in_bytes[1] + a->in_bytes[2];
    si->ifHCOutUcastPkts = a->out_frames[0];
    si->ifHCOutMulticastPkts = a->out_frames[1];
    si->ifHCOutBroadcastPkts = a->out_frames[2];
    si->ifHCOutUcastOctets = a->out_bytes[0];
    si->ifHCOutMulticastOctets = a->out_bytes[1];
    si->ifHCOutBroadcastOctets = a->out_bytes[2];
    si->ifHCOutOctets = a->out_bytes[0] + a->out_bytes[1] + a->out_bytes[2];
#ifdef VWNDIS_PLANTED
    if (a->plant == 10) { /* planted: counts received broadcasts as multicast */
        si->ifHCInMulticastPkts += si->ifHCInBroadcastPkts;
        si->ifHCInBroadcastPkts = 0;
    }
#endif
}

/* Frees the receive NBLs, buffers, MDLs and the pool (PASSIVE). */
static VOID free_rx(ADAPTER *a)
{
    for (ULONG i = 0; i < RX_COUNT; i++) {
        if (a->rx[i])
            NdisFreeNetBufferList(a->rx[i]);
        if (a->rx_mdl[i])
            NdisFreeMdl(a->rx_mdl[i]);
        if (a->rx_buf[i])
            NdisFreeMemory(a->rx_buf[i], FRAME_MAX, 0);
    }
    if (a->pool)
        NdisFreeNetBufferListPool(a->pool);
}

/* Completes the pended packet-filter set (DISPATCH). */
static VOID NTAPI oid_dpc(PKDPC dpc, PVOID ctx, PVOID a1, PVOID a2)
{
    ADAPTER *a = ctx;
    (void)dpc, (void)a1, (void)a2;
    PNDIS_OID_REQUEST r = a->pended_oid;
    a->pended_oid = NULL;
    if (r == NULL)
        return;
    a->filter = *(PULONG)r->DATA.SET_INFORMATION.InformationBuffer;
    r->DATA.SET_INFORMATION.BytesRead = sizeof(ULONG);
    NdisMOidRequestComplete(a->handle, r, NDIS_STATUS_SUCCESS);
#ifdef VWNDIS_PLANTED
    if (a->plant == 4) /* planted: completes the same request again */
        NdisMOidRequestComplete(a->handle, r, NDIS_STATUS_SUCCESS);
#endif
}

/* The work item's routine: records its IRQL and sleeps 100 us (PASSIVE). */
static VOID NTAPI work_routine(PVOID ctx, NDIS_HANDLE item)
{
    ADAPTER *a = ctx;
    (void)item;
    a->work_irql = KeGetCurrentIrql();
    NdisMSleep(100);
    a->work_ran++;
    a->work_queued = 0;
}

/* The restart timer's callback: records its IRQL, queues the work item
 * (DISPATCH). */
static VOID NTAPI timer_fired(PVOID s1, PVOID ctx, PVOID s2, PVOID s3)
{
    ADAPTER *a = ctx;
    (void)s1, (void)s2, (void)s3;
    a->timer_irql = KeGetCurrentIrql();
    a->timer_fired++;
    a->work_queued = 1;
    NdisQueueIoWorkItem(a->work, work_routine, a);
}

/* Cancels and frees the timer, frees the work item (PASSIVE). */
static VOID free_timers(ADAPTER *a)
{
#ifdef VWNDIS_PLANTED
    if (a->plant == 7) /* planted: halts with the timer still set */
        return;
    if (a->plant == 8 && a->work) {    /* planted: frees the work item while queued */
        NdisAcquireSpinLock(&a->lock); /* at DISPATCH: the worker cannot run it */
        NdisQueueIoWorkItem(a->work, work_routine, a);
        NdisFreeIoWorkItem(a->work);
        NdisReleaseSpinLock(&a->lock);
    }
#endif
    if (a->timer) {
        NdisCancelTimerObject(a->timer);
        NdisFreeTimerObject(a->timer);
    }
    /* A callback that already ran may have queued the work item: let it run. */
    for (ULONG i = 0; a->work_queued && i < 100; i++)
        NdisMSleep(1000);
    if (a->work)
        NdisFreeIoWorkItem(a->work);
}

#ifdef VWNDIS_PLANTED
/* The keyword "Plant" (hex) picks a bug that acts in InitializeEx (PASSIVE). */
static VOID read_plant(ADAPTER *a)
{
    VwTdReadKeyword(a->handle, L"Plant", NdisParameterHexInteger, &a->plant);
}
#endif

/* The offload attributes: the hardware computes IPv4 header, TCP and UDP
 * checksums on transmit (a loopback: nothing to compute), all off by
 * default (PASSIVE). */
static NDIS_STATUS set_offload(ADAPTER *a)
{
    NDIS_OFFLOAD dflt, hw;
    RtlZeroMemory(&dflt, sizeof(dflt));
    dflt.Header.Type = NDIS_OBJECT_TYPE_OFFLOAD;
    dflt.Header.Revision = NDIS_OFFLOAD_REVISION_1;
    dflt.Header.Size = NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_1;
    hw = dflt;
    hw.Checksum.IPv4Transmit.Encapsulation = NDIS_ENCAPSULATION_IEEE_802_3;
    hw.Checksum.IPv4Transmit.IpChecksum = NDIS_OFFLOAD_SUPPORTED;
    hw.Checksum.IPv4Transmit.TcpChecksum = NDIS_OFFLOAD_SUPPORTED;
    hw.Checksum.IPv4Transmit.UdpChecksum = NDIS_OFFLOAD_SUPPORTED;
#ifdef VWNDIS_PLANTED
    if (a->plant == 0x13) { /* planted: a default the hardware does not have */
        dflt.Checksum.IPv6Transmit.Encapsulation = NDIS_ENCAPSULATION_IEEE_802_3;
        dflt.Checksum.IPv6Transmit.TcpChecksum = NDIS_OFFLOAD_SUPPORTED;
    }
#endif
    NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES oa = {0};
    oa.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES;
    oa.Header.Revision = 1; /* NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES_REVISION_1 */
    oa.Header.Size = sizeof(oa);
    a->cur = dflt;
    a->hw = hw;
    oa.DefaultOffloadConfiguration = &a->cur;
    oa.HardwareOffloadCapabilities = &a->hw;
    return NdisMSetMiniportAttributes(a->handle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&oa);
}

/* Registration and general attributes, the receive pool (PASSIVE). */
static NDIS_STATUS NTAPI initialize(NDIS_HANDLE h, NDIS_HANDLE drvctx,
                                    PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    (void)drvctx, (void)p;
    ADAPTER *a = NdisAllocateMemoryWithTagPriority(h, sizeof(*a), TAG, NormalPoolPriority);
    if (a == NULL)
        return NDIS_STATUS_RESOURCES;
    RtlZeroMemory(a, sizeof(*a));
    a->handle = h;
    NdisAllocateSpinLock(&a->lock);
    KeInitializeDpc(&a->oid_dpc, oid_dpc, a);

    NDIS_STATUS st = VwTdSetRegistration(h, a, 0, Internal);
    if (st != NDIS_STATUS_SUCCESS)
        goto fail;

    NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES gen;
    VwTdGeneralAttributes(&gen, MTU, 10000000000ull, g_mac, g_oids, sizeof(g_oids));
    gen.MacOptions = NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA | NDIS_MAC_OPTION_TRANSFERS_NOT_PEND |
                     NDIS_MAC_OPTION_NO_LOOPBACK | NDIS_MAC_OPTION_FULL_DUPLEX;
    gen.SupportedPacketFilters = NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST |
                                 NDIS_PACKET_TYPE_MULTICAST | NDIS_PACKET_TYPE_PROMISCUOUS;
    gen.MaxMulticastListSize = 32;
    st = NdisMSetMiniportAttributes(h, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&gen);
    if (st != NDIS_STATUS_SUCCESS)
        goto fail;
#ifdef VWNDIS_PLANTED
    read_plant(a);
#endif
    st = set_offload(a);
    if (st != NDIS_STATUS_SUCCESS)
        goto fail;

    a->pool = VwTdNblPool(h, TAG);
    st = NDIS_STATUS_RESOURCES;
    if (a->pool == NULL)
        goto fail;
    for (ULONG i = 0; i < RX_COUNT; i++) {
        a->rx_buf[i] = NdisAllocateMemoryWithTagPriority(h, FRAME_MAX, TAG, NormalPoolPriority);
        if (a->rx_buf[i] == NULL)
            goto fail;
        a->rx_mdl[i] = NdisAllocateMdl(h, a->rx_buf[i], FRAME_MAX);
        if (a->rx_mdl[i] == NULL)
            goto fail;
        a->rx[i] = NdisAllocateNetBufferAndNetBufferList(a->pool, 0, 0, a->rx_mdl[i], 0, 0);
        if (a->rx[i] == NULL)
            goto fail;
        a->rx[i]->SourceHandle = h;
        NET_BUFFER_LIST_NEXT_NBL(a->rx[i]) = a->free_rx;
        a->free_rx = a->rx[i];
        a->rx_free_count++;
    }
    NDIS_TIMER_CHARACTERISTICS tc = {0};
    tc.Header.Type = NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS;
    tc.Header.Revision = NDIS_TIMER_CHARACTERISTICS_REVISION_1;
    tc.Header.Size = sizeof(tc);
    tc.AllocationTag = TAG;
    tc.TimerFunction = timer_fired;
    tc.FunctionContext = a;
    st = NdisAllocateTimerObject(h, &tc, &a->timer);
    if (st != NDIS_STATUS_SUCCESS)
        goto fail;
    a->work = NdisAllocateIoWorkItem(h);
    st = NDIS_STATUS_RESOURCES;
    if (a->work == NULL)
        goto fail;
    a->state = ST_PAUSED;
    return NDIS_STATUS_SUCCESS;
fail:
    free_timers(a);
    free_rx(a);
    NdisFreeSpinLock(&a->lock);
    NdisFreeMemory(a, sizeof(*a), 0);
    return st == NDIS_STATUS_SUCCESS ? NDIS_STATUS_FAILURE : st;
}

/* Frees everything InitializeEx allocated (PASSIVE; Paused, nothing out). */
static VOID NTAPI halt(NDIS_HANDLE ctx, NDIS_HALT_ACTION action)
{
    ADAPTER *a = ctx;
    (void)action;
    free_timers(a);
    free_rx(a);
    NdisFreeSpinLock(&a->lock);
    NdisFreeMemory(a, sizeof(*a), 0);
}

/* Pause: PENDING while the protocol holds receive NBLs (PASSIVE). */
static NDIS_STATUS NTAPI pause(NDIS_HANDLE ctx, PNDIS_MINIPORT_PAUSE_PARAMETERS p)
{
    ADAPTER *a = ctx;
    (void)p;
    NdisAcquireSpinLock(&a->lock);
    BOOLEAN out = a->rx_out != 0;
#ifdef VWNDIS_PLANTED
    if (a->plant == 2) /* planted: reports paused with NBLs still out */
        out = FALSE;
#endif
    a->state = out ? ST_PAUSING : ST_PAUSED;
    NdisReleaseSpinLock(&a->lock);
    NdisCancelTimerObject(a->timer);
    return out ? NDIS_STATUS_PENDING : NDIS_STATUS_SUCCESS;
}

static VOID indicate_one(ADAPTER *a, ULONG flags); /* below */

/* Restart: Running, link up (PASSIVE). */
static NDIS_STATUS NTAPI restart(NDIS_HANDLE ctx, PNDIS_MINIPORT_RESTART_PARAMETERS p)
{
    ADAPTER *a = ctx;
    (void)p;
    a->state = ST_RUNNING;
    LARGE_INTEGER due;
    due.QuadPart = -10 * 10000; /* 10 ms from now */
    NdisSetTimerObject(a->timer, due, 0, NULL);
    NDIS_LINK_STATE link = {0};
    link.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    link.Header.Revision = NDIS_LINK_STATE_REVISION_1;
    link.Header.Size = sizeof(link);
    link.MediaConnectState = MediaConnectStateConnected;
    link.MediaDuplexState = MediaDuplexStateFull;
    link.XmitLinkSpeed = link.RcvLinkSpeed = 10000000000ull;
    NDIS_STATUS_INDICATION ind = {0};
    ind.Header.Type = NDIS_OBJECT_TYPE_STATUS_INDICATION;
    ind.Header.Revision = NDIS_STATUS_INDICATION_REVISION_1;
    ind.Header.Size = sizeof(ind);
    ind.SourceHandle = a->handle;
    ind.StatusCode = NDIS_STATUS_LINK_STATE;
    ind.StatusBuffer = &link;
    ind.StatusBufferSize = sizeof(link);
    NdisMIndicateStatusEx(a->handle, &ind);
#ifdef VWNDIS_PLANTED
    if (a->plant == 16) /* planted: indicates before any packet filter was set */
        indicate_one(a, 0);
#endif
    return NDIS_STATUS_SUCCESS;
}

/* Indicates one frame from a receive buffer (for the planted bugs). */
static VOID indicate_one(ADAPTER *a, ULONG flags)
{
    PNET_BUFFER_LIST n = a->free_rx;
    if (n == NULL)
        return;
    a->free_rx = NET_BUFFER_LIST_NEXT_NBL(n);
    NET_BUFFER_LIST_NEXT_NBL(n) = NULL;
    a->rx_free_count--;
    a->rx_out++;
    NET_BUFFER_DATA_LENGTH(NET_BUFFER_LIST_FIRST_NB(n)) = 60;
    NdisMIndicateReceiveNetBufferLists(a->handle, n, NDIS_DEFAULT_PORT_NUMBER, 1, flags);
}

/* Copies ULONG or ULONG64 VALUE into a query's buffer. */
static NDIS_STATUS answer(PNDIS_OID_REQUEST r, const VOID *value, ULONG len)
{
    if (r->DATA.QUERY_INFORMATION.InformationBufferLength < len) {
        r->DATA.QUERY_INFORMATION.BytesNeeded = len;
        return NDIS_STATUS_INVALID_LENGTH;
    }
    RtlCopyMemory(r->DATA.QUERY_INFORMATION.InformationBuffer, value, len);
    r->DATA.QUERY_INFORMATION.BytesWritten = len;
    return NDIS_STATUS_SUCCESS;
}

/* A transmit checksum field from an NDIS_OFFLOAD_PARAMETERS value: on for
 * TX_ENABLED_RX_DISABLED and TX_RX_ENABLED where the hardware has it, off
 * for the other changes, kept for NO_CHANGE (any IRQL). */
static ULONG tx_field(UCHAR param, ULONG now, ULONG hw)
{
    if (param == NDIS_OFFLOAD_PARAMETERS_NO_CHANGE)
        return now;
    BOOLEAN tx = param == NDIS_OFFLOAD_PARAMETERS_TX_ENABLED_RX_DISABLED ||
                 param == NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED;
    return tx ? hw : NDIS_OFFLOAD_NOT_SUPPORTED;
}

/* OID_TCP_OFFLOAD_PARAMETERS: the IPv4 transmit checksums change, then the
 * new configuration is indicated (network/oid-tcp-offload-parameters) (PASSIVE). */
static NDIS_STATUS set_offload_parameters(ADAPTER *a, PNDIS_OID_REQUEST r)
{
    PNDIS_OFFLOAD_PARAMETERS p = r->DATA.SET_INFORMATION.InformationBuffer;
    if (r->DATA.SET_INFORMATION.InformationBufferLength <
        NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1) {
        r->DATA.SET_INFORMATION.BytesNeeded = NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1;
        return NDIS_STATUS_INVALID_LENGTH;
    }
    a->cur.Checksum.IPv4Transmit.IpChecksum =
        tx_field(p->IPv4Checksum, a->cur.Checksum.IPv4Transmit.IpChecksum,
                 a->hw.Checksum.IPv4Transmit.IpChecksum);
    a->cur.Checksum.IPv4Transmit.TcpChecksum =
        tx_field(p->TCPIPv4Checksum, a->cur.Checksum.IPv4Transmit.TcpChecksum,
                 a->hw.Checksum.IPv4Transmit.TcpChecksum);
    a->cur.Checksum.IPv4Transmit.UdpChecksum =
        tx_field(p->UDPIPv4Checksum, a->cur.Checksum.IPv4Transmit.UdpChecksum,
                 a->hw.Checksum.IPv4Transmit.UdpChecksum);
    BOOLEAN any = a->cur.Checksum.IPv4Transmit.IpChecksum ||
                  a->cur.Checksum.IPv4Transmit.TcpChecksum ||
                  a->cur.Checksum.IPv4Transmit.UdpChecksum;
    a->cur.Checksum.IPv4Transmit.Encapsulation = any ? NDIS_ENCAPSULATION_IEEE_802_3 : 0;
    r->DATA.SET_INFORMATION.BytesRead = NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1;
#ifdef VWNDIS_PLANTED
    if (a->plant == 14) /* planted: changes the configuration silently */
        return NDIS_STATUS_SUCCESS;
#endif
    NDIS_STATUS_INDICATION ind = {0};
    ind.Header.Type = NDIS_OBJECT_TYPE_STATUS_INDICATION;
    ind.Header.Revision = NDIS_STATUS_INDICATION_REVISION_1;
    ind.Header.Size = sizeof(ind);
    ind.SourceHandle = a->handle;
    ind.StatusCode = NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG;
    ind.StatusBuffer = &a->cur;
    ind.StatusBufferSize = sizeof(a->cur);
    NdisMIndicateStatusEx(a->handle, &ind);
    return NDIS_STATUS_SUCCESS;
}

/* OID requests (PASSIVE); the packet filter set pends until the DPC. */
static NDIS_STATUS NTAPI oid_request(NDIS_HANDLE ctx, PNDIS_OID_REQUEST r)
{
    ADAPTER *a = ctx;
    NDIS_OID oid = r->DATA.Oid;
    if (r->RequestType == NdisRequestQueryInformation) {
        ULONG v = MTU;
        switch (oid) {
        case OID_GEN_MAXIMUM_FRAME_SIZE:
            return answer(r, &v, sizeof(v));
        case OID_802_3_CURRENT_ADDRESS:
            return answer(r, g_mac, 6);
        case OID_GEN_XMIT_OK:
            return answer(r, &a->xmit_ok, sizeof(a->xmit_ok));
        case OID_GEN_RCV_OK:
            return answer(r, &a->rcv_ok, sizeof(a->rcv_ok));
        case OID_GEN_STATISTICS: {
            NDIS_STATISTICS_INFO si;
            fill_statistics(a, &si);
            return answer(r, &si, sizeof(si));
        }
        case OID_PNP_QUERY_POWER: /* always SUCCESS (network/oid-pnp-query-power) */
#ifdef VWNDIS_PLANTED
            if (a->plant == 12) /* planted: refuses the low-power state */
                return NDIS_STATUS_FAILURE;
#endif
            r->DATA.QUERY_INFORMATION.BytesWritten = 0;
            return NDIS_STATUS_SUCCESS;
        case VW_OID_VWNDIS_TIMERS: {
            ULONG t[6] = {a->timer_fired, a->timer_irql, a->work_ran,
                          a->work_irql,   a->power,      a->power_sets};
            return answer(r, t, sizeof(t));
        }
        default:
            return NDIS_STATUS_NOT_SUPPORTED;
        }
    }
    if (r->RequestType != NdisRequestSetInformation)
        return NDIS_STATUS_NOT_SUPPORTED;
    if (r->DATA.SET_INFORMATION.InformationBufferLength < sizeof(ULONG)) {
        r->DATA.SET_INFORMATION.BytesNeeded = sizeof(ULONG);
        return NDIS_STATUS_INVALID_LENGTH;
    }
    ULONG v = *(PULONG)r->DATA.SET_INFORMATION.InformationBuffer;
    if (oid == OID_TCP_OFFLOAD_PARAMETERS)
        return set_offload_parameters(a, r);
    if (oid == OID_PNP_SET_POWER) {
        /* Paused by NDIS before: nothing in flight; D3 keeps the receive
         * buffers for the D0 that follows (network/oid-pnp-set-power). */
        a->power = v;
        a->power_sets++;
        r->DATA.SET_INFORMATION.BytesRead = sizeof(ULONG);
#ifdef VWNDIS_PLANTED
        if (a->plant == 11 && v == DEVICE_D3) /* planted: indicates in D3 */
            indicate_one(a, 0);
#endif
        return NDIS_STATUS_SUCCESS;
    }
    if (oid == OID_GEN_CURRENT_PACKET_FILTER) {
        a->pended_oid = r;
        KeInsertQueueDpc(&a->oid_dpc, NULL, NULL);
        return NDIS_STATUS_PENDING;
    }
#ifdef VWNDIS_PLANTED
    if (oid == VW_OID_VWNDIS_PLANT) {
        a->plant = v;
        r->DATA.SET_INFORMATION.BytesRead = sizeof(ULONG);
        if (v == 3) /* planted: indicates while Paused */
            indicate_one(a, 0);
        if (v == 5) /* planted: the DISPATCH_LEVEL flag at PASSIVE_LEVEL */
            indicate_one(a, NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL);
        if (v == 6) /* planted: completes a request it does not pend */
            NdisMOidRequestComplete(a->handle, r, NDIS_STATUS_SUCCESS);
        if (v == 9) { /* planted: cancels a periodic timer at DISPATCH_LEVEL */
            LARGE_INTEGER due;
            due.QuadPart = -1000 * 10000;
            NdisSetTimerObject(a->timer, due, 1000, NULL);
            NdisAcquireSpinLock(&a->lock);
            NdisCancelTimerObject(a->timer);
            NdisReleaseSpinLock(&a->lock);
        }
        return NDIS_STATUS_SUCCESS;
    }
#else
    (void)v;
    (void)indicate_one;
#endif
    return NDIS_STATUS_NOT_SUPPORTED;
}

/* Whether received frames may be indicated: not while the packet filter is
 * zero (network/oid-gen-current-packet-filter) (any IRQL). */
static BOOLEAN receives(const ADAPTER *a)
{
#ifdef VWNDIS_PLANTED
    if (a->plant == 15) /* planted: indicates whatever the packet filter */
        return TRUE;
#endif
    return a->filter != 0;
}

/* Loops every frame back: copy into a receive NBL, complete the send,
 * indicate the copies while the packet filter is nonzero (<= DISPATCH). */
static VOID NTAPI send(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls, NDIS_PORT_NUMBER port, ULONG flags)
{
    ADAPTER *a = ctx;
    (void)port;
    BOOLEAN dispatch = (flags & NDIS_SEND_FLAGS_DISPATCH_LEVEL) != 0;
    PNET_BUFFER_LIST rx_first = NULL, *rx_tail = &rx_first;
    ULONG rx_count = 0;
    if (dispatch)
        NdisDprAcquireSpinLock(&a->lock);
    else
        NdisAcquireSpinLock(&a->lock);
    for (PNET_BUFFER_LIST n = nbls; n != NULL; n = NET_BUFFER_LIST_NEXT_NBL(n)) {
        PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(n);
        ULONG len = NET_BUFFER_DATA_LENGTH(nb);
        if (a->state != ST_RUNNING || a->removed) {
            NET_BUFFER_LIST_STATUS(n) =
                a->removed ? NDIS_STATUS_ADAPTER_REMOVED : NDIS_STATUS_PAUSED;
            continue;
        }
        if (!receives(a) && len >= 14 && len <= FRAME_MAX) {
            /* sent, but the loop-back copy is not indicated: filter 0 */
            UCHAR head[6];
            PUCHAR d = NdisGetDataBuffer(nb, 6, head, 1, 0);
            ULONG c = d != NULL ? dest_class(d) : 0;
            NET_BUFFER_LIST_STATUS(n) = NDIS_STATUS_SUCCESS;
            a->xmit_ok++;
            a->out_frames[c]++, a->out_bytes[c] += len;
            continue;
        }
        if (a->free_rx == NULL || len > FRAME_MAX || len < 14) {
            NET_BUFFER_LIST_STATUS(n) =
                a->free_rx == NULL ? NDIS_STATUS_RESOURCES : NDIS_STATUS_INVALID_LENGTH;
            continue;
        }
        PNET_BUFFER_LIST r = a->free_rx;
        a->free_rx = NET_BUFFER_LIST_NEXT_NBL(r);
        a->rx_free_count--;
        PUCHAR dst = MmGetSystemAddressForMdlSafe(NET_BUFFER_FIRST_MDL(NET_BUFFER_LIST_FIRST_NB(r)),
                                                  NormalPagePriority);
        PVOID src = NdisGetDataBuffer(nb, len, dst, 1, 0);
        if (src != NULL && src != dst)
            RtlCopyMemory(dst, src, len);
        NET_BUFFER_DATA_LENGTH(NET_BUFFER_LIST_FIRST_NB(r)) = len;
        NET_BUFFER_LIST_NEXT_NBL(r) = NULL;
        *rx_tail = r;
        rx_tail = &NET_BUFFER_LIST_NEXT_NBL(r);
        rx_count++;
        NET_BUFFER_LIST_STATUS(n) = NDIS_STATUS_SUCCESS;
        a->xmit_ok++;
        ULONG c = dest_class(dst); /* looped back: sent and received alike */
        a->out_frames[c]++, a->in_frames[c]++;
        a->out_bytes[c] += len, a->in_bytes[c] += len;
    }
    /* Low on receive buffers: indicate with RESOURCES, keep them. */
    BOOLEAN resources = a->rx_free_count < 2;
    if (!resources)
        a->rx_out += rx_count;
    a->rcv_ok += rx_count;
    if (dispatch)
        NdisDprReleaseSpinLock(&a->lock);
    else
        NdisReleaseSpinLock(&a->lock);
    ULONG cflags = dispatch ? NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL : 0;
    NdisMSendNetBufferListsComplete(a->handle, nbls, cflags);
#ifdef VWNDIS_PLANTED
    if (a->plant == 1) /* planted: completes the same NBLs again */
        NdisMSendNetBufferListsComplete(a->handle, nbls, cflags);
#endif
    if (rx_first == NULL)
        return;
    ULONG rflags = (dispatch ? NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL : 0) |
                   (resources ? NDIS_RECEIVE_FLAGS_RESOURCES : 0);
    NdisMIndicateReceiveNetBufferLists(a->handle, rx_first, NDIS_DEFAULT_PORT_NUMBER, rx_count,
                                       rflags);
    if (resources) {
        if (dispatch)
            NdisDprAcquireSpinLock(&a->lock);
        else
            NdisAcquireSpinLock(&a->lock);
        while (rx_first != NULL) {
            PNET_BUFFER_LIST next = NET_BUFFER_LIST_NEXT_NBL(rx_first);
            NET_BUFFER_LIST_NEXT_NBL(rx_first) = a->free_rx;
            a->free_rx = rx_first;
            a->rx_free_count++;
            rx_first = next;
        }
        if (dispatch)
            NdisDprReleaseSpinLock(&a->lock);
        else
            NdisReleaseSpinLock(&a->lock);
    }
}

/* Takes receive NBLs back; the last one completes a pending pause (<= DISPATCH). */
static VOID NTAPI return_nbls(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls, ULONG flags)
{
    ADAPTER *a = ctx;
    BOOLEAN dispatch = (flags & NDIS_RETURN_FLAGS_DISPATCH_LEVEL) != 0;
    if (dispatch)
        NdisDprAcquireSpinLock(&a->lock);
    else
        NdisAcquireSpinLock(&a->lock);
    while (nbls != NULL) {
        PNET_BUFFER_LIST next = NET_BUFFER_LIST_NEXT_NBL(nbls);
        NET_BUFFER_LIST_NEXT_NBL(nbls) = a->free_rx;
        a->free_rx = nbls;
        a->rx_free_count++;
        a->rx_out--;
        nbls = next;
    }
    BOOLEAN complete = a->state == ST_PAUSING && a->rx_out == 0;
    if (complete)
        a->state = ST_PAUSED;
    if (dispatch)
        NdisDprReleaseSpinLock(&a->lock);
    else
        NdisReleaseSpinLock(&a->lock);
    if (complete)
        NdisMPauseComplete(a->handle);
}

/* NDIS's reset (at most DISPATCH_LEVEL, ndis/nc-ndis-miniport_reset): a
 * loopback has no hardware to reset; NDIS is asked to set the addressing
 * state (packet filter) again, which it does by OID request. */
static NDIS_STATUS NTAPI reset(NDIS_HANDLE ctx, PBOOLEAN addressing)
{
    ADAPTER *a = ctx;
    *addressing = TRUE;
#ifdef VWNDIS_PLANTED
    if (a->plant == 17) /* planted: a status the reset page does not list */
        return NDIS_STATUS_FAILURE;
    if (a->plant == 18) /* planted: completes a reset it did not pend */
        NdisMResetComplete(a->handle, NDIS_STATUS_SUCCESS, TRUE);
#endif
    a->filter = 0; /* lost, as a NIC's reset loses it: NDIS sets it again */
    return NDIS_STATUS_SUCCESS;
}

/* NDIS's check for hang (PASSIVE): a loopback never hangs. */
static BOOLEAN NTAPI check_for_hang(NDIS_HANDLE ctx)
{
    (void)ctx;
    return FALSE;
}

/* Surprise removal: later sends fail at once (PASSIVE). */
static VOID NTAPI pnp_event(NDIS_HANDLE ctx, PNET_DEVICE_PNP_EVENT e)
{
    ADAPTER *a = ctx;
    if (e->DevicePnPEvent == NdisDevicePnPEventSurpriseRemoved)
        a->removed = TRUE;
}

/* Registers the miniport with NDIS 6.50 characteristics (PASSIVE). */
NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT drv, PUNICODE_STRING path)
{
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS ch = {0};
    ch.InitializeHandlerEx = initialize;
    ch.HaltHandlerEx = halt;
    ch.PauseHandler = pause;
    ch.RestartHandler = restart;
    ch.OidRequestHandler = oid_request;
    ch.SendNetBufferListsHandler = send;
    ch.ReturnNetBufferListsHandler = return_nbls;
    ch.DevicePnPEventNotifyHandler = pnp_event;
    ch.ResetHandlerEx = reset;
    ch.CheckForHangHandlerEx = check_for_hang;
    return VwTdRegisterMiniport(drv, path, &ch);
}
