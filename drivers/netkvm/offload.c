/*
 * offload.c - the task offload configuration NDIS sees: the offload
 * attributes given at initialisation, OID_TCP_OFFLOAD_PARAMETERS and
 * OID_OFFLOAD_ENCAPSULATION, each successful set followed by
 * NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG (network/oid-tcp-offload-parameters,
 * network/ndis-status-task-offload-current-config).  What may be offered
 * and the all-or-nothing update are nk_offload's; the default configuration
 * is what the advanced properties allow of it.  Receive checksums are
 * always offered: without GUEST_CSUM (or DATA_VALID) rx_offload.c verifies
 * in software.  The device's guest offloads follow the configuration
 * (VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, spec 5.1.6.5.6.1): GUEST_CSUM only
 * while a receive checksum is on, so no partial checksum reaches an OS
 * that does not expect one.  USO (NDIS_OFFLOAD revision 6, parameters
 * revision 5) in the NDIS 6.83 build only (NK_USO).
 */
#include "netkvm.h"

/* NDIS_OFFLOAD_PARAMETERS_* and nk_offload's request values are the same numbers */
_Static_assert(NK_OFL_OFF == NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED &&
                   NK_OFL_TX == NDIS_OFFLOAD_PARAMETERS_TX_ENABLED_RX_DISABLED &&
                   NK_OFL_RX == NDIS_OFFLOAD_PARAMETERS_RX_ENABLED_TX_DISABLED &&
                   NK_OFL_BOTH == NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED &&
                   NK_OFL_OFF == NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED &&
                   NK_OFL_TX == NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED &&
                   NK_OFL_OFF == NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED &&
                   NK_OFL_TX == NDIS_OFFLOAD_PARAMETERS_RSC_ENABLED &&
                   NK_OFL_OFF == NDIS_OFFLOAD_PARAMETERS_USO_DISABLED &&
                   NK_OFL_TX == NDIS_OFFLOAD_PARAMETERS_USO_ENABLED,
               "nk_offload request values");

/* IRQL: any. NDIS_OFFLOAD_SUPPORTED when on */
static ULONG NkOn(bool on)
{
    return on ? NDIS_OFFLOAD_SUPPORTED : NDIS_OFFLOAD_NOT_SUPPORTED;
}

/* One half (IPv4 or IPv6) of a segmentation offload, LsoV2 or
 * UdpSegmentation, offered: IEEE 802.3 frames, payloads up to max, at least
 * two segments.  A macro, not a routine: the halves are four different
 * structures with these three fields (USO's MinSegmentCount a bit field) */
#define NK_SEG_OFFLOAD(half, max)                                                                  \
    ((half).Encapsulation = NDIS_ENCAPSULATION_IEEE_802_3, (half).MaxOffLoadSize = (max),          \
     (half).MinSegmentCount = 2)

/* IRQL: any. an NDIS_OFFLOAD for o (the build's revision, netkvm.h: 4 at
 * 6.50 = checksums, LSOv2, RSC, no encapsulated-packet offload; 6 at 6.83
 * adds USO, and 5's Rfc6877Xlat left zero: no 464XLAT offload). */
static void NkFillOffload(const struct nk_offload *o, NDIS_OFFLOAD *n)
{
    const ULONG enc = NDIS_ENCAPSULATION_IEEE_802_3;
    RtlZeroMemory(n, sizeof(*n));
    NK_HEADER(n->Header, NDIS_OBJECT_TYPE_OFFLOAD, NK_OFFLOAD_REVISION, NK_OFFLOAD_SIZE);
    NDIS_TCP_IP_CHECKSUM_OFFLOAD *c = &n->Checksum;
    bool tx4 = o->tx[NK_CS_IP4] || o->tx[NK_CS_TCP4] || o->tx[NK_CS_UDP4];
    bool rx4 = o->rx[NK_CS_IP4] || o->rx[NK_CS_TCP4] || o->rx[NK_CS_UDP4];
    c->IPv4Transmit.Encapsulation = tx4 ? enc : NDIS_ENCAPSULATION_NOT_SUPPORTED;
    c->IPv4Transmit.IpOptionsSupported = NkOn(tx4);
    c->IPv4Transmit.TcpOptionsSupported = NkOn(o->tx[NK_CS_TCP4]);
    c->IPv4Transmit.TcpChecksum = NkOn(o->tx[NK_CS_TCP4]);
    c->IPv4Transmit.UdpChecksum = NkOn(o->tx[NK_CS_UDP4]);
    c->IPv4Transmit.IpChecksum = NkOn(o->tx[NK_CS_IP4]);
    c->IPv4Receive.Encapsulation = rx4 ? enc : NDIS_ENCAPSULATION_NOT_SUPPORTED;
    c->IPv4Receive.IpOptionsSupported = NkOn(rx4);
    c->IPv4Receive.TcpOptionsSupported = NkOn(o->rx[NK_CS_TCP4]);
    c->IPv4Receive.TcpChecksum = NkOn(o->rx[NK_CS_TCP4]);
    c->IPv4Receive.UdpChecksum = NkOn(o->rx[NK_CS_UDP4]);
    c->IPv4Receive.IpChecksum = NkOn(o->rx[NK_CS_IP4]);
    bool tx6 = o->tx[NK_CS_TCP6] || o->tx[NK_CS_UDP6];
    bool rx6 = o->rx[NK_CS_TCP6] || o->rx[NK_CS_UDP6];
    c->IPv6Transmit.Encapsulation = tx6 ? enc : NDIS_ENCAPSULATION_NOT_SUPPORTED;
    c->IPv6Transmit.IpExtensionHeadersSupported = NkOn(tx6);
    c->IPv6Transmit.TcpOptionsSupported = NkOn(o->tx[NK_CS_TCP6]);
    c->IPv6Transmit.TcpChecksum = NkOn(o->tx[NK_CS_TCP6]);
    c->IPv6Transmit.UdpChecksum = NkOn(o->tx[NK_CS_UDP6]);
    c->IPv6Receive.Encapsulation = rx6 ? enc : NDIS_ENCAPSULATION_NOT_SUPPORTED;
    c->IPv6Receive.IpExtensionHeadersSupported = NkOn(rx6);
    c->IPv6Receive.TcpOptionsSupported = NkOn(o->rx[NK_CS_TCP6]);
    c->IPv6Receive.TcpChecksum = NkOn(o->rx[NK_CS_TCP6]);
    c->IPv6Receive.UdpChecksum = NkOn(o->rx[NK_CS_UDP6]);
    /* LSOv2: the device segments up to 64 KiB, at least two segments */
    if (o->lso4)
        NK_SEG_OFFLOAD(n->LsoV2.IPv4, NK_LSO_MAX_PAYLOAD);
    if (o->lso6) {
        NK_SEG_OFFLOAD(n->LsoV2.IPv6, NK_LSO6_MAX_PAYLOAD);
        n->LsoV2.IPv6.IpExtensionHeadersSupported = NDIS_OFFLOAD_SUPPORTED;
        n->LsoV2.IPv6.TcpOptionsSupported = NDIS_OFFLOAD_SUPPORTED;
    }
    n->Rsc.IPv4.Enabled = o->rsc4;
    n->Rsc.IPv6.Enabled = o->rsc6;
#if NK_USO
    /* USO: the device cuts MSS-sized datagrams, at least two; every
     * segment MSS-sized but the last is 6.84's SubMssFinalSegmentSupported,
     * not declared at 6.83 */
    if (o->uso4)
        NK_SEG_OFFLOAD(n->UdpSegmentation.IPv4, NK_USO_MAX_PAYLOAD);
    if (o->uso6) {
        NK_SEG_OFFLOAD(n->UdpSegmentation.IPv6, NK_USO6_MAX_PAYLOAD);
        n->UdpSegmentation.IPv6.IpExtensionHeadersSupported = NDIS_OFFLOAD_SUPPORTED;
    }
#endif
}

/* IRQL: PASSIVE_LEVEL. tell the device the guest offloads the current
 * configuration wants, when it can be told and they differ from `had`
 * (what it has now: at first every negotiated guest offload). */
static void NkOffloadGuest(PNK_ADAPTER a, uint64_t had)
{
    struct nk_ctrl_cmd c;
    if (!(a->Features & NK_BIT(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS)))
        return;
    uint64_t bits = nk_offload_guest_bits(&a->Offload, a->Features);
    if (bits == had)
        return;
    nk_ctrl_guest_offloads(bits, &c);
    if (!NkCtrlSend(a, &c))
        NK_LOG(a, NK_LOG_ERR, "netkvm: the device refused guest offloads 0x%llx\n",
               (unsigned long long)bits);
}

/* IRQL: PASSIVE_LEVEL. after DRIVER_OK (at start, and at D0 after the
 * reset): the device has every negotiated guest offload on; tell it the
 * ones the current configuration wants. */
void NkOffloadRestore(PNK_ADAPTER a)
{
    const uint64_t guest = NK_BIT(VIRTIO_NET_F_GUEST_CSUM) | NK_BIT(VIRTIO_NET_F_GUEST_TSO4) |
                           NK_BIT(VIRTIO_NET_F_GUEST_TSO6) | NK_BIT(VIRTIO_NET_F_GUEST_ECN) |
                           NK_BIT(VIRTIO_NET_F_GUEST_UFO);
    NkOffloadGuest(a, a->Features & guest);
}

/* IRQL: PASSIVE_LEVEL. what may be offered, on as the advanced properties
 * say; the offload attributes (default configuration and hardware
 * capabilities); the device's guest offloads to match. */
NDIS_STATUS NkOffloadInit(PNK_ADAPTER a)
{
    NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES at;
    NDIS_OFFLOAD hw, def;
    nk_offload_hw(a->Features, true, &a->OffloadHw);
    nk_offload_defaults(&a->OffloadHw, &a->Settings.offload, &a->Offload);
    NkOffloadRestore(a);
    NkFillOffload(&a->OffloadHw, &hw);
    NkFillOffload(&a->Offload, &def);
    RtlZeroMemory(&at, sizeof(at));
    NK_HEADER(at.Header, NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES,
              NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES_REVISION_1, sizeof(at));
    at.DefaultOffloadConfiguration = &def;
    at.HardwareOffloadCapabilities = &hw;
    return NdisMSetMiniportAttributes(a->Handle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&at);
}

/* IRQL: PASSIVE_LEVEL. NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG with the current configuration. */
static void NkOffloadIndicate(PNK_ADAPTER a)
{
    NDIS_OFFLOAD cur;
    NkFillOffload(&a->Offload, &cur);
    NkIndicateStatus(a, NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG, &cur, sizeof(cur));
}

/* IRQL: PASSIVE_LEVEL. OID_TCP_OFFLOAD_PARAMETERS: all or nothing, then the indication. */
NDIS_STATUS NkOffloadSetParameters(PNK_ADAPTER a, PNDIS_OID_REQUEST r)
{
    const NDIS_OFFLOAD_PARAMETERS *p = r->DATA.SET_INFORMATION.InformationBuffer;
    ULONG len = r->DATA.SET_INFORMATION.InformationBufferLength;
    if (len < NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1) {
        r->DATA.SET_INFORMATION.BytesNeeded = NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1;
        return NDIS_STATUS_INVALID_LENGTH;
    }
    if (p->Header.Type != NDIS_OBJECT_TYPE_DEFAULT || p->Header.Size > len ||
        p->Header.Size < NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1)
        return NDIS_STATUS_INVALID_DATA;
    struct nk_offload_req q;
    RtlZeroMemory(&q, sizeof(q));
    q.csum[NK_CS_IP4] = p->IPv4Checksum;
    q.csum[NK_CS_TCP4] = p->TCPIPv4Checksum;
    q.csum[NK_CS_UDP4] = p->UDPIPv4Checksum;
    q.csum[NK_CS_TCP6] = p->TCPIPv6Checksum;
    q.csum[NK_CS_UDP6] = p->UDPIPv6Checksum;
    q.lso4 = p->LsoV2IPv4;
    q.lso6 = p->LsoV2IPv6;
    /* RSC is in revision 3 and later */
    if (p->Header.Revision >= NDIS_OFFLOAD_PARAMETERS_REVISION_3 &&
        p->Header.Size >= NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_3)
        q.rsc4 = p->RscIPv4, q.rsc6 = p->RscIPv6;
#if NK_USO
    /* USO is in revision 5 (NDIS 6.83) and later */
    if (p->Header.Revision >= NDIS_OFFLOAD_PARAMETERS_REVISION_5 &&
        p->Header.Size >= NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_5)
        q.uso4 = p->UdpSegmentation.IPv4, q.uso6 = p->UdpSegmentation.IPv6;
#endif
    /* LSOv1, IPsec and TCP connection offload are never offered: only "off" or "no change" */
    if (p->LsoV1 > NDIS_OFFLOAD_PARAMETERS_LSOV1_DISABLED ||
        p->IPsecV1 > NDIS_OFFLOAD_PARAMETERS_IPSECV1_DISABLED ||
        p->TcpConnectionIPv4 > NDIS_OFFLOAD_PARAMETERS_CONNECTION_OFFLOAD_DISABLED ||
        p->TcpConnectionIPv6 > NDIS_OFFLOAD_PARAMETERS_CONNECTION_OFFLOAD_DISABLED)
        return NDIS_STATUS_INVALID_DATA;
    uint64_t had = nk_offload_guest_bits(&a->Offload, a->Features);
    enum nk_offload_result res = nk_offload_set(&a->Offload, &a->OffloadHw, &q);
    if (res == NK_OFL_INVALID) {
        NK_LOG(a, NK_LOG_ERR,
               "netkvm: OID_TCP_OFFLOAD_PARAMETERS asks for an offload not offered\n");
        return NDIS_STATUS_INVALID_DATA;
    }
    if (res == NK_OFL_CHANGED)
        NkOffloadGuest(a, had);
    r->DATA.SET_INFORMATION.BytesRead = p->Header.Size;
    NkOffloadIndicate(a);
    return NDIS_STATUS_SUCCESS;
}

/* IRQL: PASSIVE_LEVEL. OID_OFFLOAD_ENCAPSULATION: IEEE 802.3 only, then the indication. */
NDIS_STATUS NkOffloadSetEncapsulation(PNK_ADAPTER a, PNDIS_OID_REQUEST r)
{
    const NDIS_OFFLOAD_ENCAPSULATION *e = r->DATA.SET_INFORMATION.InformationBuffer;
    ULONG len = r->DATA.SET_INFORMATION.InformationBufferLength;
    if (len < sizeof(*e)) {
        r->DATA.SET_INFORMATION.BytesNeeded = sizeof(*e);
        return NDIS_STATUS_INVALID_LENGTH;
    }
    if (e->Header.Type != NDIS_OBJECT_TYPE_OFFLOAD_ENCAPSULATION)
        return NDIS_STATUS_INVALID_DATA;
    if ((e->IPv4.Enabled == NDIS_OFFLOAD_SET_ON &&
         e->IPv4.EncapsulationType != NDIS_ENCAPSULATION_IEEE_802_3) ||
        (e->IPv6.Enabled == NDIS_OFFLOAD_SET_ON &&
         e->IPv6.EncapsulationType != NDIS_ENCAPSULATION_IEEE_802_3))
        return NDIS_STATUS_INVALID_PARAMETER;
    r->DATA.SET_INFORMATION.BytesRead = sizeof(*e);
    NkOffloadIndicate(a);
    return NDIS_STATUS_SUCCESS;
}
