/*
 * The set-up the NDIS test miniports share (ndistd.h).
 */
#include "ndistd.h"

static NDIS_HANDLE g_driver;

/* Deregisters the driver (PASSIVE). */
static VOID NTAPI td_unload(PDRIVER_OBJECT drv)
{
    (void)drv;
    NdisMDeregisterMiniportDriver(g_driver);
}

/* Nothing to cancel: a test miniport completes or queues every send (<= DISPATCH). */
static VOID NTAPI td_cancel_send(NDIS_HANDLE ctx, PVOID id)
{
    (void)ctx, (void)id;
}

/* No hardware to quiesce beyond what halt does (any IRQL). */
static VOID NTAPI td_shutdown(NDIS_HANDLE ctx, NDIS_SHUTDOWN_ACTION action)
{
    (void)ctx, (void)action;
}

/* A pended OID completes from the miniport's own DPC: nothing to cancel (<= DISPATCH). */
static VOID NTAPI td_cancel_oid(NDIS_HANDLE ctx, PVOID id)
{
    (void)ctx, (void)id;
}

NDIS_STATUS VwTdRegisterMiniport(PDRIVER_OBJECT drv, PUNICODE_STRING path,
                                 NDIS_MINIPORT_DRIVER_CHARACTERISTICS *ch)
{
    ch->Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
    ch->Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
    ch->Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
    ch->MajorNdisVersion = 6;
    ch->MinorNdisVersion = 50;
    ch->MajorDriverVersion = 1;
    ch->UnloadHandler = td_unload;
    ch->CancelSendHandler = td_cancel_send;
    ch->ShutdownHandlerEx = td_shutdown;
    ch->CancelOidRequestHandler = td_cancel_oid;
    return NdisMRegisterMiniportDriver(drv, path, NULL, ch, &g_driver);
}

NDIS_STATUS VwTdSetRegistration(NDIS_HANDLE h, NDIS_HANDLE ctx, ULONG flags,
                                NDIS_INTERFACE_TYPE type)
{
    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES reg = {0};
    reg.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
    reg.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    reg.Header.Size = sizeof(reg);
    reg.MiniportAdapterContext = ctx;
    reg.AttributeFlags = flags;
    reg.InterfaceType = type;
    return NdisMSetMiniportAttributes(h, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&reg);
}

VOID VwTdGeneralAttributes(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES *gen, ULONG mtu, ULONG64 speed,
                           const UCHAR *mac, NDIS_OID *oids, ULONG size)
{
    RtlZeroMemory(gen, sizeof(*gen));
    gen->Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES;
    gen->Header.Revision = NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2;
    gen->Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2;
    gen->MediaType = NdisMedium802_3;
    gen->PhysicalMediumType = NdisPhysicalMedium802_3;
    gen->MtuSize = mtu;
    gen->MaxXmitLinkSpeed = gen->XmitLinkSpeed = speed;
    gen->MaxRcvLinkSpeed = gen->RcvLinkSpeed = speed;
    gen->MediaConnectState = MediaConnectStateConnected;
    gen->MediaDuplexState = MediaDuplexStateFull;
    gen->LookaheadSize = mtu;
    gen->MacAddressLength = 6;
    RtlCopyMemory(gen->PermanentMacAddress, mac, 6);
    RtlCopyMemory(gen->CurrentMacAddress, mac, 6);
    gen->AccessType = NET_IF_ACCESS_BROADCAST;
    gen->DirectionType = NET_IF_DIRECTION_SENDRECEIVE;
    gen->ConnectionType = NET_IF_CONNECTION_DEDICATED;
    gen->IfType = IF_TYPE_ETHERNET_CSMACD;
    gen->IfConnectorPresent = TRUE;
    gen->SupportedOidList = oids;
    gen->SupportedOidListLength = size;
}

NDIS_HANDLE VwTdNblPool(NDIS_HANDLE h, ULONG tag)
{
    NET_BUFFER_LIST_POOL_PARAMETERS pp = {0};
    pp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.ProtocolId = NDIS_PROTOCOL_ID_DEFAULT;
    pp.fAllocateNetBuffer = TRUE;
    pp.PoolTag = tag;
    return NdisAllocateNetBufferListPool(h, &pp);
}

VOID VwTdReadKeyword(NDIS_HANDLE h, PCWSTR name, NDIS_PARAMETER_TYPE type, ULONG *value)
{
    NDIS_CONFIGURATION_OBJECT o = {0};
    o.Header.Type = NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT;
    o.Header.Revision = NDIS_CONFIGURATION_OBJECT_REVISION_1;
    o.Header.Size = NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1;
    o.NdisHandle = h;
    NDIS_HANDLE cfg;
    if (NdisOpenConfigurationEx(&o, &cfg) != NDIS_STATUS_SUCCESS)
        return;
    NDIS_STRING key; /* NDIS_STRING_CONST's fields, without a kernel call */
    USHORT n = 0;
    while (name[n] != 0)
        n++;
    key.Length = (USHORT)(n * sizeof(WCHAR));
    key.MaximumLength = (USHORT)(key.Length + sizeof(WCHAR));
    key.Buffer = (PWSTR)name;
    PNDIS_CONFIGURATION_PARAMETER p;
    NDIS_STATUS st;
    NdisReadConfiguration(&st, &p, cfg, &key, type);
    if (st == NDIS_STATUS_SUCCESS)
        *value = p->ParameterData.IntegerData;
    NdisCloseConfiguration(cfg);
}

NDIS_STATUS VwTdSetPacketFilter(PNDIS_OID_REQUEST r, ULONG *filter)
{
    if (r->DATA.SET_INFORMATION.InformationBufferLength < sizeof(ULONG)) {
        r->DATA.SET_INFORMATION.BytesNeeded = sizeof(ULONG);
        return NDIS_STATUS_INVALID_LENGTH;
    }
    *filter = *(const ULONG *)r->DATA.SET_INFORMATION.InformationBuffer;
    r->DATA.SET_INFORMATION.BytesRead = sizeof(ULONG);
    return NDIS_STATUS_SUCCESS;
}
