/*
 * init.c - MiniportInitializeEx and MiniportHaltEx: the adapter's
 * attributes (registration, general with the MAC, MTU and link), the
 * scatter/gather DMA registration, the NBL pool, interrupts, then the
 * virtio device (device.c).  Every failure undoes what came before it, and
 * MiniportHaltEx frees everything initialisation took.
 */
#include "netkvm.h"

/* IRQL: PASSIVE_LEVEL. the registration attributes: a bus-master PCI device. */
static NDIS_STATUS NkSetRegistration(PNK_ADAPTER a)
{
    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES r;
    RtlZeroMemory(&r, sizeof(r));
    NK_HEADER(r.Header, NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES,
              NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1, sizeof(r));
    r.MiniportAdapterContext = a;
    r.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE |
                       NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER |
                       NDIS_MINIPORT_ATTRIBUTES_SURPRISE_REMOVE_OK;
    r.CheckForHangTimeInSeconds = 0;
    r.InterfaceType = NdisInterfacePci;
    return NdisMSetMiniportAttributes(a->Handle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&r);
}

/* IRQL: PASSIVE_LEVEL. the general attributes, from the checked configuration. */
static NDIS_STATUS NkSetGeneral(PNK_ADAPTER a)
{
    NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES g;
    RtlZeroMemory(&g, sizeof(g));
    NK_HEADER(g.Header, NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES,
              NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2,
              NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2);
    g.MediaType = NdisMedium802_3;
    g.PhysicalMediumType = NdisPhysicalMedium802_3;
    g.MtuSize = a->Cfg.mtu;
    g.MaxXmitLinkSpeed = g.MaxRcvLinkSpeed = a->Cfg.speed_bps;
    g.XmitLinkSpeed = g.RcvLinkSpeed = a->LinkUp ? a->Cfg.speed_bps : NDIS_LINK_SPEED_UNKNOWN;
    g.MediaConnectState = a->LinkUp ? MediaConnectStateConnected : MediaConnectStateDisconnected;
    g.MediaDuplexState = a->Cfg.duplex == VIRTIO_NET_DUPLEX_HALF   ? MediaDuplexStateHalf
                         : a->Cfg.duplex == VIRTIO_NET_DUPLEX_FULL ? MediaDuplexStateFull
                                                                   : MediaDuplexStateUnknown;
    g.LookaheadSize = a->Cfg.mtu;
    g.MacOptions = NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA | NDIS_MAC_OPTION_TRANSFERS_NOT_PEND |
                   NDIS_MAC_OPTION_NO_LOOPBACK | NDIS_MAC_OPTION_FULL_DUPLEX;
    g.SupportedPacketFilters = NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_MULTICAST |
                               NDIS_PACKET_TYPE_ALL_MULTICAST | NDIS_PACKET_TYPE_BROADCAST |
                               NDIS_PACKET_TYPE_PROMISCUOUS;
    g.MaxMulticastListSize = NK_MCAST_MAX;
    g.MacAddressLength = NK_ETH_ALEN;
    RtlCopyMemory(g.PermanentMacAddress, a->Cfg.mac, NK_ETH_ALEN);
    RtlCopyMemory(g.CurrentMacAddress, a->CurrentMac, NK_ETH_ALEN);
    g.RecvScaleCapabilities = NkRssCapabilities(a);
    if (a->Vlan.priority_vlan & NK_VLAN_PRIO_ON)
        g.MacOptions |= NDIS_MAC_OPTION_8021P_PRIORITY;
    if (a->Vlan.priority_vlan & NK_VLAN_VID_ON)
        g.MacOptions |= NDIS_MAC_OPTION_8021Q_VLAN;
    g.AccessType = NET_IF_ACCESS_BROADCAST;
    g.DirectionType = NET_IF_DIRECTION_SENDRECEIVE;
    g.ConnectionType = NET_IF_CONNECTION_DEDICATED;
    g.IfType = IF_TYPE_ETHERNET_CSMACD;
    g.IfConnectorPresent = TRUE;
    g.SupportedStatistics =
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
    g.SupportedPauseFunctions = NdisPauseFunctionsUnsupported;
    g.SupportedOidList = (PNDIS_OID)NkSupportedOids;
    g.SupportedOidListLength = NkSupportedOidCount * sizeof(NDIS_OID);
    return NdisMSetMiniportAttributes(a->Handle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&g);
}

/* IRQL: PASSIVE_LEVEL. scatter/gather DMA for the send path, registered
 * before any shared memory (ndis/nf-ndis-ndismallocatesharedmemory,
 * Remarks), so before the device's MTU is known: the mapping covers the
 * largest frame any MTU allows and the largest large send. */
static NDIS_STATUS NkRegisterDma(PNK_ADAPTER a)
{
    NDIS_SG_DMA_DESCRIPTION d;
    RtlZeroMemory(&d, sizeof(d));
    NK_HEADER(d.Header, NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION, NDIS_SG_DMA_DESCRIPTION_REVISION_1,
              sizeof(d));
    d.Flags = NDIS_SG_DMA_64_BIT_ADDRESS;
    d.MaximumPhysicalMapping = NK_MTU_MAX + NK_ETH_HLEN > NK_TX_GSO_FRAME_MAX
                                   ? NK_MTU_MAX + NK_ETH_HLEN
                                   : NK_TX_GSO_FRAME_MAX;
    d.ProcessSGListHandler = NkProcessSgList;
    return NdisMRegisterScatterGatherDma(a->Handle, &d, &a->Dma);
}

/* IRQL: PASSIVE_LEVEL. the pool of receive NBLs (one NB each). */
static NDIS_STATUS NkAllocatePool(PNK_ADAPTER a)
{
    NET_BUFFER_LIST_POOL_PARAMETERS p;
    RtlZeroMemory(&p, sizeof(p));
    NK_HEADER(p.Header, NDIS_OBJECT_TYPE_DEFAULT, NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1,
              NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1);
    p.ProtocolId = NDIS_PROTOCOL_ID_DEFAULT;
    p.fAllocateNetBuffer = TRUE;
    p.PoolTag = NK_TAG;
    a->NblPool = NdisAllocateNetBufferListPool(a->Handle, &p);
    return a->NblPool != NULL ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCES;
}

/* IRQL: PASSIVE_LEVEL. free what initialisation took, in reverse order. */
static void NkRelease(PNK_ADAPTER a)
{
    /* The device stops first, then the interrupts: no DPC runs while the
     * queues and buffers go */
    NkAnnounceFree(a); /* a queued announcement finishes (Ready is off: it sends nothing) */
    NkResetFree(a);    /* a queued restore after a reset finishes (nothing to say) */
    NkRxRefillStop(a); /* no refill timer set or running once the device is reset */
    if (a->Mapped)
        virtio_device_reset(&a->V.Dev);
    NkInterruptDeregister(a);
    NkRssFree(a); /* after the interrupts: no DPC steers to the processors' paths */
    NkDeviceStop(a);
    if (a->Mapped)
        VwNdisVirtioUnmap(&a->V);
    a->Mapped = FALSE;
    if (a->NblPool != NULL)
        NdisFreeNetBufferListPool(a->NblPool);
    if (a->Dma != NULL)
        NdisMDeregisterScatterGatherDma(a->Dma);
    NdisFreeSpinLock(&a->AnnounceLock);
    NdisFreeMemory(a, sizeof(*a), 0);
}

/* IRQL: PASSIVE_LEVEL. MiniportInitializeEx: bring one adapter up. */
NDIS_STATUS NTAPI NkInitialize(NDIS_HANDLE Handle, NDIS_HANDLE DriverContext,
                               PNDIS_MINIPORT_INIT_PARAMETERS Params)
{
    (void)DriverContext;
    PNK_ADAPTER a =
        NdisAllocateMemoryWithTagPriority(Handle, sizeof(*a), NK_TAG, NormalPoolPriority);
    if (a == NULL)
        return NDIS_STATUS_RESOURCES;
    RtlZeroMemory(a, sizeof(*a));
    a->Handle = Handle;
    a->State = NK_PAUSED;
    NdisAllocateSpinLock(&a->AnnounceLock);
    NkReadParams(a); /* before negotiation: the properties shape the feature wish */

    NDIS_STATUS st = NkSetRegistration(a);
    if (st == NDIS_STATUS_SUCCESS)
        st = NkInterruptRegister(a);
    if (st == NDIS_STATUS_SUCCESS) {
        st = VwNdisVirtioMap(&a->V, Handle, Params->AllocatedResources);
        a->Mapped = st == NDIS_STATUS_SUCCESS;
    }
    if (st == NDIS_STATUS_SUCCESS)
        st = NkRegisterDma(a); /* before the rings' shared memory */
    if (st == NDIS_STATUS_SUCCESS)
        st = NkDeviceStart(a); /* features, configuration, queues: MaxFrame known */
    if (st == NDIS_STATUS_SUCCESS)
        st = NkAnnounceInit(a); /* GUEST_ANNOUNCE negotiated: its work item */
    if (st == NDIS_STATUS_SUCCESS)
        st = NkResetInit(a); /* MiniportResetEx's restore work item */
    if (st == NDIS_STATUS_SUCCESS)
        st = NkRssInit(a); /* per-processor receive paths, the RSS capabilities */
    if (st == NDIS_STATUS_SUCCESS)
        st = NkAllocatePool(a);
    if (st == NDIS_STATUS_SUCCESS) {
        for (ULONG i = 0; i < a->Pairs && st == NDIS_STATUS_SUCCESS; i++) {
            st = NkRxInit(a, &a->Rx[i]);
            if (st == NDIS_STATUS_SUCCESS)
                st = NkTxInit(a, &a->Tx[i]);
        }
    }
    if (st == NDIS_STATUS_SUCCESS && virtio_device_ready(&a->V.Dev) != 0)
        st = NDIS_STATUS_FAILURE;
    if (st == NDIS_STATUS_SUCCESS) {
        /* Control commands need DRIVER_OK; the general attributes follow
         * them, so they report the address the device accepted */
        a->Ready = TRUE;
        for (ULONG i = 0; i < a->Pairs; i++)
            NkRxPost(&a->Rx[i]); /* the adapter is paused: nothing is indicated yet */
        NkCtrlSetPairs(a);
        NkCtrlSetMac(a);
        NkCtrlApplyFilter(a);
        NkVlanInit(a);
        st = NkSetGeneral(a);
        if (st == NDIS_STATUS_SUCCESS)
            st = NkOffloadInit(a);
        a->Ready = st == NDIS_STATUS_SUCCESS;
        if (a->Ready && a->Cfg.announce)
            NkAnnounceRequest(a); /* asked before we listened: sent at the restart */
    }
    if (st != NDIS_STATUS_SUCCESS) {
        NK_LOG(a, NK_LOG_ERR, "netkvm: initialization failed 0x%x\n", st);
        if (a->Mapped)
            virtio_device_fail(&a->V.Dev);
        NkRelease(a);
        return st;
    }
    return NDIS_STATUS_SUCCESS;
}

/* IRQL: PASSIVE_LEVEL. MiniportHaltEx: every send completed and every
 * indication returned (NDIS paused the adapter first); free everything. */
VOID NTAPI NkHalt(NDIS_HANDLE Context, NDIS_HALT_ACTION Action)
{
    PNK_ADAPTER a = (PNK_ADAPTER)Context;
    (void)Action;
    a->Ready = FALSE;
    NkRelease(a);
}
