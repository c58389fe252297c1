/*
 * vwndisoff: a loopback NDIS 6.50 miniport (not NetKVM) with task offloads
 * and RSS, proving the harness's offload checks (port/ndis/checksum.c,
 * lso.c, vlan.c, rss.c).  Every frame sent comes back as a receive: the
 * "hardware" computes the transmit checksums the NBL asks for and reports
 * them verified on receive; an LSOv2 send comes back as one coalesced unit
 * (RSC) with its segment count; 802.1Q information comes back as the
 * received NBL's; with RSS parameters set, the Toeplitz hash is reported
 * and the NBL indicated from a DPC on the processor the indirection table
 * names.  Built as badndisoff with VWNDISOFF_PLANTED, where the keyword
 * "Plant" picks one planted bug per offload checker.
 */
#include <ntddk.h>
#include <vw/compiler.h>
#include <vw/ndis.h>
#include "ndistd.h"
/* TcpRecvSegCoalesceInfo's slot and NDIS_RSC_NBL_INFO's layout, which
 * vw/ndis.h does not declare yet: the harness's transcription. */
#include "../include/vw_ndis.h"

#define TAG      VW_POOL_TAG('v', 'w', 'N', 'o')
#define RX_COUNT 8
#define RX_MAX   65560 /* a coalesced unit: 64 KiB of IP and its headers */
#define MTU      1500
#define KEY_MAX  40
#define TBL_MAX  128

/* Planted bugs (keyword "Plant"). */
enum plant {
    PLANT_NONE,
    PLANT_CSUM_SUCCEEDED_ALWAYS = 1, /* TCP "succeeded" whatever the checksum ... */
    PLANT_CSUM_WHEN_DISABLED = 2,    /* ... and with receive checksums off */
    PLANT_LSO_NOT_COMPLETED = 3,     /* LsoV2TransmitComplete never written */
    PLANT_HASH_WRONG = 4,            /* the hash value off by one bit */
    PLANT_WRONG_CPU = 5,             /* indicated on the next processor */
    PLANT_VLAN_NOT_STRIPPED = 6,     /* the tag left in the frame */
    PLANT_RSC_DUP_ACKS = 7,          /* DupAckCount on a frame not coalesced */
    PLANT_PM_WAKE_STATE = 8,         /* a minimum wake-up state beyond D3 */
};

struct rx {
    PNET_BUFFER_LIST nbl;
    PUCHAR buf;
    PMDL mdl;
    KDPC dpc;
    struct adapter *a;
    BOOLEAN busy;
};

typedef struct adapter {
    NDIS_HANDLE handle, pool;
    NDIS_SPIN_LOCK lock;
    BOOLEAN running;
    struct rx rx[RX_COUNT];
    LONG rx_out; /* received NBLs queued or with the protocol */
    NDIS_OFFLOAD cur, hw;
    ULONG plant;
    ULONG filter; /* the packet filter: 0, nothing is looped back */
    /* RSS parameters */
    BOOLEAN rss;
    ULONG hash_info, key_len, tbl_len;
    UCHAR key[KEY_MAX];
    UCHAR tbl[TBL_MAX];
} ADAPTER;

static const UCHAR g_mac[6] = {0x02, 0x56, 0x57, 0x00, 0x00, 0x02};
static NDIS_OID g_oids[] = {OID_GEN_MAXIMUM_FRAME_SIZE, OID_TCP_OFFLOAD_PARAMETERS,
                            OID_GEN_RECEIVE_SCALE_PARAMETERS, OID_GEN_CURRENT_PACKET_FILTER};

/* The ones' complement sum of N bytes at P added to S (any IRQL). */
static ULONG sum16(ULONG s, const UCHAR *p, ULONG n)
{
    for (ULONG i = 0; i + 1 < n; i += 2)
        s += (ULONG)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (ULONG)p[n - 1] << 8;
    return s;
}

/* Folds S to 16 bits (any IRQL). */
static USHORT fold16(ULONG s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (USHORT)s;
}

/* Where the IP header starts and its version (4, 6, 0) in F (any IRQL). */
static ULONG ip_at(const UCHAR *f, ULONG len, ULONG *ver)
{
    ULONG at = (len >= 18 && f[12] == 0x81 && f[13] == 0) ? 18 : 14;
    ULONG type = len >= at ? (ULONG)(f[at - 2] << 8 | f[at - 1]) : 0;
    *ver = type == 0x0800 ? 4 : type == 0x86dd ? 6 : 0;
    return at;
}

/* The hardware's transmit checksums: IP header, then TCP or UDP at L4
 * over the pseudo-header (any IRQL). */
static VOID fill_checksums(UCHAR *f, ULONG len, ULONG l4, BOOLEAN ip, BOOLEAN tcp, BOOLEAN udp)
{
    ULONG ver, l3 = ip_at(f, len, &ver);
    UCHAR *h = f + l3;
    if (ip && ver == 4) {
        h[10] = h[11] = 0;
        USHORT c = (USHORT)~fold16(sum16(0, h, (h[0] & 15u) * 4));
        h[10] = (UCHAR)(c >> 8), h[11] = (UCHAR)c;
    }
    if (l4 == 0) /* TcpHeaderOffset is for TCP only: the hardware parses the rest */
        l4 = l3 + (ver == 4 ? (h[0] & 15u) * 4 : 40);
    if (!(tcp || udp) || ver == 0 || l4 >= len)
        return;
    ULONG end = ver == 4 ? l3 + (ULONG)(h[2] << 8 | h[3]) : l3 + 40 + (ULONG)(h[4] << 8 | h[5]);
    if (end > len || end <= l4)
        return;
    UCHAR *c = f + l4 + (tcp ? 16 : 6);
    c[0] = c[1] = 0;
    ULONG s = ver == 4 ? sum16(0, h + 12, 8) : sum16(0, h + 8, 32);
    s += (tcp ? 6u : 17u) + (end - l4);
    USHORT v = (USHORT)~fold16(sum16(s, f + l4, end - l4));
    if (v == 0 && udp)
        v = 0xffff;
    c[0] = (UCHAR)(v >> 8), c[1] = (UCHAR)v;
}

/* The Toeplitz hash of N bytes under the adapter's key (any IRQL). */
static ULONG toeplitz(const ADAPTER *a, const UCHAR *in, ULONG n)
{
    ULONG hash = 0, win = 0;
    for (ULONG i = 0; i < 4; i++)
        win = win << 8 | (i < a->key_len ? a->key[i] : 0);
    for (ULONG i = 0; i < n; i++) {
        UCHAR next = i + 4 < a->key_len ? a->key[i + 4] : 0;
        for (int b = 7; b >= 0; b--) {
            if (in[i] >> b & 1)
                hash ^= win;
            win = win << 1 | (next >> b & 1);
        }
    }
    return hash;
}

/* The RSS hash of frame F and its NDIS_HASH_* type (0: none) (any IRQL). */
static ULONG rss_hash(const ADAPTER *a, const UCHAR *f, ULONG len, ULONG *type)
{
    ULONG ver, l3 = ip_at(f, len, &ver), alen = ver == 4 ? 4 : 16;
    UCHAR in[36];
    *type = 0;
    if (ver == 0 || l3 + (ver == 4 ? 20 : 40) > len)
        return 0;
    const UCHAR *h = f + l3;
    ULONG proto = ver == 4 ? h[9] : h[6], l4 = l3 + (ver == 4 ? (h[0] & 15u) * 4 : 40);
    BOOLEAN frag = ver == 4 && ((h[6] << 8 | h[7]) & 0x3fff) != 0;
    ULONG tcp = ver == 4 ? NDIS_HASH_TCP_IPV4 : NDIS_HASH_TCP_IPV6;
    ULONG udp = ver == 4 ? NDIS_HASH_UDP_IPV4 : NDIS_HASH_UDP_IPV6;
    ULONG ip = ver == 4 ? NDIS_HASH_IPV4 : NDIS_HASH_IPV6;
    RtlCopyMemory(in, h + (ver == 4 ? 12 : 8), 2 * alen);
    if (!frag && proto == 6 && (a->hash_info & tcp) && l4 + 4 <= len)
        *type = tcp;
    else if (!frag && proto == 17 && (a->hash_info & udp) && l4 + 4 <= len)
        *type = udp;
    else if (a->hash_info & ip)
        *type = ip;
    else
        return 0;
    if (*type == ip)
        return toeplitz(a, in, 2 * alen);
    RtlCopyMemory(in + 2 * alen, f + l4, 4);
    return toeplitz(a, in, 2 * alen + 4);
}

/* Indicates one received NBL on the processor its DPC was queued for (DISPATCH). */
static VOID NTAPI rx_dpc(PKDPC dpc, PVOID ctx, PVOID a1, PVOID a2)
{
    struct rx *r = ctx;
    (void)dpc, (void)a1, (void)a2;
    NdisMIndicateReceiveNetBufferLists(r->a->handle, r->nbl, NDIS_DEFAULT_PORT_NUMBER, 1,
                                       NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL);
}

/* Fills receive buffer R from the sent NBL N (FRAME, LEN bytes): the
 * hardware's checksums, RSC, 802.1Q and RSS information (DISPATCH). */
static VOID loop_back(ADAPTER *a, struct rx *r, PNET_BUFFER_LIST n, const UCHAR *frame, ULONG len)
{
    PNET_BUFFER_LIST m = r->nbl;
    UCHAR *f = r->buf;
    NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO tx, rx;
    NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO lso;
    ULONG segs = 0, dups = 0; /* NDIS_RSC_NBL_INFO: CoalescedSegCount, DupAckCount */
    tx.Value = NET_BUFFER_LIST_INFO(n, TcpIpChecksumNetBufferListInfo);
    lso.Value = NET_BUFFER_LIST_INFO(n, TcpLargeSendNetBufferListInfo);
    rx.Value = NULL;
    RtlCopyMemory(f, frame, len);
    ULONG ver;
    ip_at(f, len, &ver);
    if (lso.Value != NULL) {
        ULONG mss = lso.LsoV2Transmit.MSS, l4 = lso.LsoV2Transmit.TcpHeaderOffset;
        ULONG payload = len - l4 - (ULONG)(f[l4 + 12] >> 4) * 4;
        fill_checksums(f, len, l4, TRUE, TRUE, FALSE);
        segs = (payload + mss - 1) / mss;
        rx.Receive.IpChecksumSucceeded = ver == 4;
        rx.Receive.TcpChecksumSucceeded = 1;
        lso.Value = NULL;
        lso.LsoV2TransmitComplete.Type = NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE;
#ifdef VWNDISOFF_PLANTED
        if (a->plant != PLANT_LSO_NOT_COMPLETED)
#endif
            NET_BUFFER_LIST_INFO(n, TcpLargeSendNetBufferListInfo) = lso.Value;
    } else if (tx.Value != NULL) {
        fill_checksums(f, len, tx.Transmit.TcpHeaderOffset, tx.Transmit.IpHeaderChecksum,
                       tx.Transmit.TcpChecksum, tx.Transmit.UdpChecksum);
        rx.Receive.IpChecksumSucceeded = tx.Transmit.IpHeaderChecksum;
        rx.Receive.TcpChecksumSucceeded = tx.Transmit.TcpChecksum;
        rx.Receive.UdpChecksumSucceeded = tx.Transmit.UdpChecksum;
    }
    /* Receive checksum bits only where receive checksums are on. */
    if (ver == 6 ? !a->cur.Checksum.IPv6Receive.TcpChecksum
                 : !a->cur.Checksum.IPv4Receive.TcpChecksum)
        rx.Value = NULL;
#ifdef VWNDISOFF_PLANTED
    if ((a->plant == PLANT_CSUM_SUCCEEDED_ALWAYS || a->plant == PLANT_CSUM_WHEN_DISABLED) &&
        ver != 0)
        rx.Receive.TcpChecksumSucceeded = 1; /* neither verified nor enabled */
    if (a->plant == PLANT_RSC_DUP_ACKS && segs == 0)
        dups = 1;
#endif
    NET_BUFFER_LIST_INFO(m, TcpIpChecksumNetBufferListInfo) = rx.Value;
    m->NetBufferListInfo[sizeof(PVOID) == 8 ? VW_NBL_INFO_RSC_64 : VW_NBL_INFO_RSC_32] =
        (PVOID)(ULONG_PTR)(segs | dups << 16);
    NET_BUFFER_LIST_INFO(m, Ieee8021QNetBufferListInfo) =
        NET_BUFFER_LIST_INFO(n, Ieee8021QNetBufferListInfo);
#ifdef VWNDISOFF_PLANTED
    if (a->plant == PLANT_VLAN_NOT_STRIPPED &&
        NET_BUFFER_LIST_INFO(n, Ieee8021QNetBufferListInfo)) {
        RtlMoveMemory(f + 16, f + 12, len - 12); /* the tag the wire carried, left in */
        f[12] = 0x81, f[13] = 0, f[14] = 0, f[15] = 42;
        len += 4;
    }
#endif
    NET_BUFFER_DATA_LENGTH(NET_BUFFER_LIST_FIRST_NB(m)) = len;
    NET_BUFFER_LIST_NEXT_NBL(m) = NULL; /* returned NBLs come back chained */
    ULONG type = 0, hash = a->rss ? rss_hash(a, f, len, &type) : 0;
    ULONG cpu = 0;
#ifdef VWNDISOFF_PLANTED
    if (a->plant == PLANT_HASH_WRONG)
        hash ^= 1;
#endif
    NET_BUFFER_LIST_INFO(m, NetBufferListHashValue) = (PVOID)(ULONG_PTR)(type ? hash : 0);
    NET_BUFFER_LIST_INFO(m, NetBufferListHashInfo) =
        (PVOID)(ULONG_PTR)(type ? (type | NdisHashFunctionToeplitz) : 0);
    if (type != 0)
        cpu = a->tbl[hash & (a->tbl_len - 1)];
#ifdef VWNDISOFF_PLANTED
    if (a->plant == PLANT_WRONG_CPU && type != 0)
        cpu = (cpu + 1) % KeQueryActiveProcessorCountEx(0);
#endif
    PROCESSOR_NUMBER pn = {0};
    pn.Number = (UCHAR)cpu;
    KeSetTargetProcessorDpcEx(&r->dpc, &pn);
}

/* Loops each sent NBL back through a free receive buffer; completes the
 * sends, then queues the indications (<= DISPATCH). */
static VOID NTAPI send(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls, NDIS_PORT_NUMBER port, ULONG flags)
{
    ADAPTER *a = ctx;
    struct rx *queued[RX_COUNT];
    ULONG nq = 0;
    (void)port;
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    NdisDprAcquireSpinLock(&a->lock);
    for (PNET_BUFFER_LIST n = nbls; n != NULL; n = NET_BUFFER_LIST_NEXT_NBL(n)) {
        PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(n);
        ULONG len = NET_BUFFER_DATA_LENGTH(nb);
        struct rx *r = NULL;
        for (ULONG i = 0; i < RX_COUNT && r == NULL; i++)
            if (!a->rx[i].busy)
                r = &a->rx[i];
        if (a->running && a->filter == 0) { /* sent; nothing indicated while the filter is 0 */
            NET_BUFFER_LIST_STATUS(n) = NDIS_STATUS_SUCCESS;
            continue;
        }
        if (!a->running || r == NULL || len < 14 || len > RX_MAX - 4) {
            NET_BUFFER_LIST_STATUS(n) = a->running ? NDIS_STATUS_RESOURCES : NDIS_STATUS_PAUSED;
            continue;
        }
        PUCHAR src = NdisGetDataBuffer(nb, len, r->buf, 1, 0);
        if (src == NULL) {
            NET_BUFFER_LIST_STATUS(n) = NDIS_STATUS_FAILURE;
            continue;
        }
        r->busy = TRUE;
        a->rx_out++;
        loop_back(a, r, n, src, len);
        queued[nq++] = r;
        NET_BUFFER_LIST_STATUS(n) = NDIS_STATUS_SUCCESS;
    }
    NdisDprReleaseSpinLock(&a->lock);
    NdisMSendNetBufferListsComplete(a->handle, nbls, NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL);
    for (ULONG i = 0; i < nq; i++)
        KeInsertQueueDpc(&queued[i]->dpc, NULL, NULL);
    KeLowerIrql(old);
    (void)flags;
}

/* Takes receive NBLs back; the last one completes a pending pause (<= DISPATCH). */
static VOID NTAPI return_nbls(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls, ULONG flags)
{
    ADAPTER *a = ctx;
    (void)flags;
    BOOLEAN complete = FALSE;
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    NdisDprAcquireSpinLock(&a->lock);
    for (; nbls != NULL; nbls = NET_BUFFER_LIST_NEXT_NBL(nbls))
        for (ULONG i = 0; i < RX_COUNT; i++)
            if (a->rx[i].nbl == nbls && a->rx[i].busy) {
                a->rx[i].busy = FALSE;
                complete = --a->rx_out == 0 && !a->running;
            }
    NdisDprReleaseSpinLock(&a->lock);
    KeLowerIrql(old);
    if (complete)
        NdisMPauseComplete(a->handle);
}

/* The offload configuration: IPv4 and IPv6 checksums both ways, LSOv2 up
 * to 64 KiB in 2 segments or more, RSC for both, as hardware and default
 * (PASSIVE). */
static NDIS_STATUS set_offload(ADAPTER *a)
{
    NDIS_OFFLOAD *o = &a->hw;
    RtlZeroMemory(o, sizeof(*o));
    o->Header.Type = NDIS_OBJECT_TYPE_OFFLOAD;
    o->Header.Revision = NDIS_OFFLOAD_REVISION_3;
    o->Header.Size = NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_3;
    o->Checksum.IPv4Transmit.Encapsulation = NDIS_ENCAPSULATION_IEEE_802_3;
    o->Checksum.IPv4Transmit.IpChecksum = NDIS_OFFLOAD_SUPPORTED;
    o->Checksum.IPv4Transmit.TcpChecksum = NDIS_OFFLOAD_SUPPORTED;
    o->Checksum.IPv4Transmit.UdpChecksum = NDIS_OFFLOAD_SUPPORTED;
    o->Checksum.IPv4Receive.Encapsulation = NDIS_ENCAPSULATION_IEEE_802_3;
    o->Checksum.IPv4Receive.IpChecksum = NDIS_OFFLOAD_SUPPORTED;
    o->Checksum.IPv4Receive.TcpChecksum = NDIS_OFFLOAD_SUPPORTED;
    o->Checksum.IPv4Receive.UdpChecksum = NDIS_OFFLOAD_SUPPORTED;
    o->Checksum.IPv6Transmit.Encapsulation = NDIS_ENCAPSULATION_IEEE_802_3;
    o->Checksum.IPv6Transmit.TcpChecksum = NDIS_OFFLOAD_SUPPORTED;
    o->Checksum.IPv6Transmit.UdpChecksum = NDIS_OFFLOAD_SUPPORTED;
    o->Checksum.IPv6Receive.Encapsulation = NDIS_ENCAPSULATION_IEEE_802_3;
    o->Checksum.IPv6Receive.TcpChecksum = NDIS_OFFLOAD_SUPPORTED;
    o->Checksum.IPv6Receive.UdpChecksum = NDIS_OFFLOAD_SUPPORTED;
    o->LsoV2.IPv4.Encapsulation = NDIS_ENCAPSULATION_IEEE_802_3;
    o->LsoV2.IPv4.MaxOffLoadSize = 65535 - 40;
    o->LsoV2.IPv4.MinSegmentCount = 2;
    o->LsoV2.IPv6.Encapsulation = NDIS_ENCAPSULATION_IEEE_802_3;
    o->LsoV2.IPv6.MaxOffLoadSize = 65535 - 60;
    o->LsoV2.IPv6.MinSegmentCount = 2;
    o->Rsc.IPv4.Enabled = TRUE;
    o->Rsc.IPv6.Enabled = TRUE;
    a->cur = a->hw;
    NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES oa = {0};
    oa.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES;
    oa.Header.Revision = 1; /* NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES_REVISION_1 */
    oa.Header.Size = sizeof(oa);
    oa.DefaultOffloadConfiguration = &a->cur;
    oa.HardwareOffloadCapabilities = &a->hw;
    return NdisMSetMiniportAttributes(a->handle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&oa);
}

/* Reads the keyword "Plant" (planted build only) (PASSIVE). */
static VOID read_plant(ADAPTER *a)
{
#ifdef VWNDISOFF_PLANTED
    VwTdReadKeyword(a->handle, L"Plant", NdisParameterInteger, &a->plant);
#else
    (void)a;
#endif
}

/* Frees the receive buffers and the pool (PASSIVE). */
static VOID free_rx(ADAPTER *a)
{
    for (ULONG i = 0; i < RX_COUNT; i++) {
        if (a->rx[i].nbl)
            NdisFreeNetBufferList(a->rx[i].nbl);
        if (a->rx[i].mdl)
            NdisFreeMdl(a->rx[i].mdl);
        if (a->rx[i].buf)
            NdisFreeMemory(a->rx[i].buf, RX_MAX, 0);
    }
    if (a->pool)
        NdisFreeNetBufferListPool(a->pool);
}

/* Registration, general attributes with 802.1Q and RSS, offloads, the
 * receive buffers (PASSIVE). */
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
    NDIS_STATUS st = VwTdSetRegistration(h, a, 0, Internal);
    if (st != NDIS_STATUS_SUCCESS)
        goto fail;
    NDIS_RECEIVE_SCALE_CAPABILITIES rss = {0};
    rss.Header.Type = NDIS_OBJECT_TYPE_RSS_CAPABILITIES;
    rss.Header.Revision = NDIS_RECEIVE_SCALE_CAPABILITIES_REVISION_2;
    rss.Header.Size =
        (USHORT)(FIELD_OFFSET(NDIS_RECEIVE_SCALE_CAPABILITIES, NumberOfIndirectionTableEntries) +
                 sizeof(USHORT)); /* through the table entries: revision 2 */
    rss.CapabilitiesFlags = NdisHashFunctionToeplitz | NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV4 |
                            NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV6 | NDIS_RSS_CAPS_HASH_TYPE_UDP_IPV4 |
                            NDIS_RSS_CAPS_HASH_TYPE_UDP_IPV6 | NDIS_RSS_CAPS_CLASSIFICATION_AT_DPC;
    rss.NumberOfReceiveQueues = 4;
    rss.NumberOfIndirectionTableEntries = TBL_MAX;
    NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES gen;
    VwTdGeneralAttributes(&gen, MTU, 10000000000ull, g_mac, g_oids, sizeof(g_oids));
    gen.MacOptions = NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA | NDIS_MAC_OPTION_TRANSFERS_NOT_PEND |
                     NDIS_MAC_OPTION_NO_LOOPBACK | NDIS_MAC_OPTION_FULL_DUPLEX |
                     NDIS_MAC_OPTION_8021P_PRIORITY | NDIS_MAC_OPTION_8021Q_VLAN;
    gen.SupportedPacketFilters =
        NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_MULTICAST | NDIS_PACKET_TYPE_BROADCAST;
    gen.RecvScaleCapabilities = &rss;
    read_plant(a);
#ifdef VWNDISOFF_PLANTED
    /* NDIS_PM_CAPABILITIES revision 2 (vw/ndis.h does not declare it yet):
     * the header, nine ULONGs, MinMagicPacketWakeUp 7, two more states, two
     * ULONGs. */
    ULONG pm[15] = {0};
    NDIS_OBJECT_HEADER *ph = (NDIS_OBJECT_HEADER *)pm;
    ph->Type = NDIS_OBJECT_TYPE_DEFAULT, ph->Revision = 2, ph->Size = sizeof(pm);
    pm[10] = 7;
    if (a->plant == PLANT_PM_WAKE_STATE)
        gen.PowerManagementCapabilitiesEx = (PVOID)pm;
#endif
    st = NdisMSetMiniportAttributes(h, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&gen);
    if (st != NDIS_STATUS_SUCCESS)
        goto fail;
    st = set_offload(a);
    if (st != NDIS_STATUS_SUCCESS)
        goto fail;
    a->pool = VwTdNblPool(h, TAG);
    st = NDIS_STATUS_RESOURCES;
    if (a->pool == NULL)
        goto fail;
    for (ULONG i = 0; i < RX_COUNT; i++) {
        struct rx *r = &a->rx[i];
        r->a = a;
        r->buf = NdisAllocateMemoryWithTagPriority(h, RX_MAX, TAG, NormalPoolPriority);
        r->mdl = r->buf ? NdisAllocateMdl(h, r->buf, RX_MAX) : NULL;
        r->nbl = r->mdl ? NdisAllocateNetBufferAndNetBufferList(a->pool, 0, 0, r->mdl, 0, 0) : NULL;
        if (r->nbl == NULL)
            goto fail;
        r->nbl->SourceHandle = h;
        KeInitializeDpc(&r->dpc, rx_dpc, r);
    }
    return NDIS_STATUS_SUCCESS;
fail:
    free_rx(a);
    NdisFreeSpinLock(&a->lock);
    NdisFreeMemory(a, sizeof(*a), 0);
    return st == NDIS_STATUS_SUCCESS ? NDIS_STATUS_FAILURE : st;
}

/* Frees everything InitializeEx allocated (PASSIVE). */
static VOID NTAPI halt(NDIS_HANDLE ctx, NDIS_HALT_ACTION action)
{
    ADAPTER *a = ctx;
    (void)action;
    free_rx(a);
    NdisFreeSpinLock(&a->lock);
    NdisFreeMemory(a, sizeof(*a), 0);
}

/* Pause: PENDING while received NBLs are out (PASSIVE). */
static NDIS_STATUS NTAPI pause(NDIS_HANDLE ctx, PNDIS_MINIPORT_PAUSE_PARAMETERS p)
{
    ADAPTER *a = ctx;
    (void)p;
    NdisAcquireSpinLock(&a->lock);
    a->running = FALSE;
    BOOLEAN out = a->rx_out != 0;
    NdisReleaseSpinLock(&a->lock);
    return out ? NDIS_STATUS_PENDING : NDIS_STATUS_SUCCESS;
}

/* Restart: Running (PASSIVE). */
static NDIS_STATUS NTAPI restart(NDIS_HANDLE ctx, PNDIS_MINIPORT_RESTART_PARAMETERS p)
{
    ADAPTER *a = ctx;
    (void)p;
    a->running = TRUE;
    return NDIS_STATUS_SUCCESS;
}

/* A checksum field after an NDIS_OFFLOAD_PARAMETERS value for direction
 * RX (receive) or transmit: the hardware's when enabled, off when
 * disabled, unchanged for NO_CHANGE (any IRQL). */
static ULONG csum_field(UCHAR v, BOOLEAN rx, ULONG now, ULONG hw)
{
    if (v == NDIS_OFFLOAD_PARAMETERS_NO_CHANGE)
        return now;
    BOOLEAN on = v == NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED ||
                 v == (rx ? NDIS_OFFLOAD_PARAMETERS_RX_ENABLED_TX_DISABLED
                          : NDIS_OFFLOAD_PARAMETERS_TX_ENABLED_RX_DISABLED);
    return on ? hw : NDIS_OFFLOAD_NOT_SUPPORTED;
}

/* OID_TCP_OFFLOAD_PARAMETERS: the TCP and UDP checksums of both IP
 * versions, then the new configuration indicated (PASSIVE). */
static NDIS_STATUS set_offload_parameters(ADAPTER *a, PNDIS_OID_REQUEST r)
{
    PNDIS_OFFLOAD_PARAMETERS p = r->DATA.SET_INFORMATION.InformationBuffer;
    if (r->DATA.SET_INFORMATION.InformationBufferLength <
        NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1) {
        r->DATA.SET_INFORMATION.BytesNeeded = NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1;
        return NDIS_STATUS_INVALID_LENGTH;
    }
    NDIS_TCP_IP_CHECKSUM_OFFLOAD *c = &a->cur.Checksum, *h = &a->hw.Checksum;
    c->IPv4Transmit.IpChecksum =
        csum_field(p->IPv4Checksum, FALSE, c->IPv4Transmit.IpChecksum, h->IPv4Transmit.IpChecksum);
    c->IPv4Receive.IpChecksum =
        csum_field(p->IPv4Checksum, TRUE, c->IPv4Receive.IpChecksum, h->IPv4Receive.IpChecksum);
    c->IPv4Transmit.TcpChecksum = csum_field(p->TCPIPv4Checksum, FALSE, c->IPv4Transmit.TcpChecksum,
                                             h->IPv4Transmit.TcpChecksum);
    c->IPv4Receive.TcpChecksum = csum_field(p->TCPIPv4Checksum, TRUE, c->IPv4Receive.TcpChecksum,
                                            h->IPv4Receive.TcpChecksum);
    c->IPv4Transmit.UdpChecksum = csum_field(p->UDPIPv4Checksum, FALSE, c->IPv4Transmit.UdpChecksum,
                                             h->IPv4Transmit.UdpChecksum);
    c->IPv4Receive.UdpChecksum = csum_field(p->UDPIPv4Checksum, TRUE, c->IPv4Receive.UdpChecksum,
                                            h->IPv4Receive.UdpChecksum);
    c->IPv6Transmit.TcpChecksum = csum_field(p->TCPIPv6Checksum, FALSE, c->IPv6Transmit.TcpChecksum,
                                             h->IPv6Transmit.TcpChecksum);
    c->IPv6Receive.TcpChecksum = csum_field(p->TCPIPv6Checksum, TRUE, c->IPv6Receive.TcpChecksum,
                                            h->IPv6Receive.TcpChecksum);
    c->IPv6Transmit.UdpChecksum = csum_field(p->UDPIPv6Checksum, FALSE, c->IPv6Transmit.UdpChecksum,
                                             h->IPv6Transmit.UdpChecksum);
    c->IPv6Receive.UdpChecksum = csum_field(p->UDPIPv6Checksum, TRUE, c->IPv6Receive.UdpChecksum,
                                            h->IPv6Receive.UdpChecksum);
    r->DATA.SET_INFORMATION.BytesRead = NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1;
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

/* OID_GEN_RECEIVE_SCALE_PARAMETERS, revision 2: key, hash information and
 * the indirection table's processor numbers (PASSIVE). */
static NDIS_STATUS set_rss(ADAPTER *a, PNDIS_OID_REQUEST r)
{
    PNDIS_RECEIVE_SCALE_PARAMETERS p = r->DATA.SET_INFORMATION.InformationBuffer;
    ULONG len = r->DATA.SET_INFORMATION.InformationBufferLength;
    if (len < NDIS_SIZEOF_RECEIVE_SCALE_PARAMETERS_REVISION_2 ||
        p->Header.Revision < NDIS_RECEIVE_SCALE_PARAMETERS_REVISION_2)
        return NDIS_STATUS_INVALID_PARAMETER;
    if (p->Flags & NDIS_RSS_PARAM_FLAG_DISABLE_RSS) {
        a->rss = FALSE;
        return NDIS_STATUS_SUCCESS;
    }
    ULONG n = p->IndirectionTableSize / sizeof(PROCESSOR_NUMBER);
    if (p->HashSecretKeySize > KEY_MAX || n > TBL_MAX || n == 0 || (n & (n - 1)) ||
        p->IndirectionTableOffset + p->IndirectionTableSize > len ||
        p->HashSecretKeyOffset + p->HashSecretKeySize > len)
        return NDIS_STATUS_INVALID_PARAMETER;
    const PROCESSOR_NUMBER *t = (const PROCESSOR_NUMBER *)((PUCHAR)p + p->IndirectionTableOffset);
    NdisAcquireSpinLock(&a->lock);
    for (ULONG i = 0; i < n; i++)
        a->tbl[i] = t[i].Number;
    a->tbl_len = n;
    a->key_len = p->HashSecretKeySize;
    RtlCopyMemory(a->key, (PUCHAR)p + p->HashSecretKeyOffset, a->key_len);
    a->hash_info = p->HashInformation;
    a->rss = TRUE;
    NdisReleaseSpinLock(&a->lock);
    r->DATA.SET_INFORMATION.BytesRead = len;
    return NDIS_STATUS_SUCCESS;
}

/* OID requests (PASSIVE). */
static NDIS_STATUS NTAPI oid_request(NDIS_HANDLE ctx, PNDIS_OID_REQUEST r)
{
    ADAPTER *a = ctx;
    if (r->RequestType != NdisRequestSetInformation)
        return NDIS_STATUS_NOT_SUPPORTED;
    if (r->DATA.Oid == OID_TCP_OFFLOAD_PARAMETERS)
        return set_offload_parameters(a, r);
    if (r->DATA.Oid == OID_GEN_RECEIVE_SCALE_PARAMETERS)
        return set_rss(a, r);
    if (r->DATA.Oid == OID_GEN_CURRENT_PACKET_FILTER)
        return VwTdSetPacketFilter(r, &a->filter);
    return NDIS_STATUS_NOT_SUPPORTED;
}

/* No PnP event changes anything here (PASSIVE). */
static VOID NTAPI pnp_event(NDIS_HANDLE ctx, PNET_DEVICE_PNP_EVENT e)
{
    (void)ctx, (void)e;
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
    return VwTdRegisterMiniport(drv, path, &ch);
}
