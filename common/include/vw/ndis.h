/*
 * The NDIS 6 miniport interface (Microsoft's ndis.h and its parts nbl.h,
 * nblinfo.h, nbllso.h, oidrequest.h, ntddndis.h, which we do not use:
 * mingw-w64's ndis.h is the NDIS 5 interface), written from the documented
 * declarations on learn.microsoft.com, windows-hardware/drivers/ddi/ (cited
 * per item as <header>/<page>).  What a deserialized NDIS 6.50+ Ethernet
 * miniport calls: driver registration and its characteristics (revisions 1
 * to 3), MiniportInitializeEx's parameters, the adapter attributes given to
 * NdisMSetMiniportAttributes (registration, general, offload pointers, RSS
 * capabilities), NET_BUFFER_LIST / NET_BUFFER with the documented access
 * macros and the per-NBL information we read and write (checksum, LSOv2,
 * 802.1Q, hash), NBL and NB pools, send completion and receive indication,
 * OID requests, line and MSI-X interrupts with DPCs on any processor,
 * scatter/gather DMA and shared memory, status indications (link state),
 * pause/restart parameters, PnP events, shutdown, bus data, I/O space,
 * NDIS spin locks, the configuration API (the adapter's registry keywords),
 * NDIS_OFFLOAD and NDIS_OFFLOAD_PARAMETERS through their 6.89 revisions, RSS
 * parameters, statistics, timers and I/O work items.  Not here yet: poll
 * mode.  tests/layout/layout-list.h pins every structure's size and
 * members on x86, amd64 and arm64 against tests/layout/documented.h.  The
 * harness's ndis.sys (tests/harness/port/ndis/, README "NDIS") implements
 * registration, attributes, pools, NBLs, MDLs, send completion, receive
 * indication, OID, pause and restart completion, status indications,
 * memory and spin locks with the documented rules checked; interrupts, SG
 * DMA, shared memory, bus data and I/O space are declared here but not
 * emulated yet.
 */
#pragma once
#include <ntddk.h>

/* x86: ndis.sys's exports are stdcall (NTAPI), and so are the miniport's
 * handlers (the WDK compiles drivers /Gz). */
#define NDIS_API DECLSPEC_IMPORT

/* windef.h's UINT (the NDIS declarations use it; ntddk.h does not declare it). */
typedef unsigned int UINT;
typedef PVOID NDIS_HANDLE, *PNDIS_HANDLE;
typedef int NDIS_STATUS, *PNDIS_STATUS;
typedef ULONG NDIS_OID, *PNDIS_OID;
typedef ULONG NDIS_PORT_NUMBER, *PNDIS_PORT_NUMBER;
typedef PHYSICAL_ADDRESS NDIS_PHYSICAL_ADDRESS, *PNDIS_PHYSICAL_ADDRESS;
typedef CM_PARTIAL_RESOURCE_LIST NDIS_RESOURCE_LIST, *PNDIS_RESOURCE_LIST;
typedef ULONG NET_IFINDEX;
typedef USHORT NET_IFTYPE;
typedef union {
    ULONG64 Value;
    struct {
        ULONG64 Reserved : 24;
        ULONG64 NetLuidIndex : 24;
        ULONG64 IfType : 16;
    } Info;
} VW_NET_LUID; /* ifdef.h's NET_LUID; mingw-w64 declares it only for user mode */

#define NDIS_DEFAULT_PORT_NUMBER     ((NDIS_PORT_NUMBER)0)
#define NDIS_MAX_PHYS_ADDRESS_LENGTH 32 /* IF_MAX_PHYS_ADDRESS_LENGTH */

/* ---- Status codes (network/ndis-status-codes: each NDIS_STATUS is the
 * NTSTATUS named beside it; ndis.h numbers the others 0xC001xxxx, facility
 * NDIS, and the NDIS 6 ones as STATUS_NDIS_* 0xC023xxxx) ------------------ */
#define NDIS_STATUS_SUCCESS             ((NDIS_STATUS)0x00000000L) /* STATUS_SUCCESS */
#define NDIS_STATUS_PENDING             ((NDIS_STATUS)0x00000103L) /* STATUS_PENDING */
#define NDIS_STATUS_FAILURE             ((NDIS_STATUS)0xC0000001L) /* STATUS_UNSUCCESSFUL */
#define NDIS_STATUS_INVALID_PARAMETER   ((NDIS_STATUS)0xC000000DL)
#define NDIS_STATUS_BUFFER_TOO_SHORT    ((NDIS_STATUS)0xC0010016L)
#define NDIS_STATUS_RESOURCES           ((NDIS_STATUS)0xC000009AL) /* INSUFFICIENT_RESOURCES */
#define NDIS_STATUS_NOT_SUPPORTED       ((NDIS_STATUS)0xC00000BBL)
#define NDIS_STATUS_INVALID_LENGTH      ((NDIS_STATUS)0xC0010014L)
#define NDIS_STATUS_BAD_VERSION         ((NDIS_STATUS)0xC0010004L)
#define NDIS_STATUS_BAD_CHARACTERISTICS ((NDIS_STATUS)0xC0010005L)
#define NDIS_STATUS_ADAPTER_NOT_FOUND   ((NDIS_STATUS)0xC0010006L)
#define NDIS_STATUS_REQUEST_ABORTED     ((NDIS_STATUS)0xC001000CL)
#define NDIS_STATUS_RESET_IN_PROGRESS   ((NDIS_STATUS)0xC001000DL)
#define NDIS_STATUS_INVALID_DATA        ((NDIS_STATUS)0xC0010015L)
#define NDIS_STATUS_INVALID_OID         ((NDIS_STATUS)0xC0010017L)
#define NDIS_STATUS_ADAPTER_REMOVED     ((NDIS_STATUS)0xC0010018L)
#define NDIS_STATUS_MEDIA_DISCONNECTED  ((NDIS_STATUS)0xC023001FL)
#define NDIS_STATUS_PAUSED              ((NDIS_STATUS)0xC023002AL)
#define NDIS_STATUS_LOW_POWER_STATE     ((NDIS_STATUS)0xC023002FL)
#define NDIS_STATUS_SEND_ABORTED        NDIS_STATUS_REQUEST_ABORTED
/* Status indication codes (network/ndis-status-link-state). */
#define NDIS_STATUS_LINK_STATE ((NDIS_STATUS)0x40010017L)

/* ---- Object header (ndis/ns-ndis-_ndis_object_header) ------------------- */
typedef struct _NDIS_OBJECT_HEADER {
    UCHAR Type;
    UCHAR Revision;
    USHORT Size;
} NDIS_OBJECT_HEADER, *PNDIS_OBJECT_HEADER;

#define NDIS_OBJECT_TYPE_DEFAULT                                  0x80
#define NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS                 0x81
#define NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION                       0x83
#define NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT                       0x84
#define NDIS_OBJECT_TYPE_RSS_CAPABILITIES                         0x88
#define NDIS_OBJECT_TYPE_RSS_PARAMETERS                           0x89
#define NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS          0x8A
#define NDIS_OBJECT_TYPE_OID_REQUEST                              0x96
#define NDIS_OBJECT_TYPE_STATUS_INDICATION                        0x98
#define NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES 0x9E
#define NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES      0x9F
#define NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES      0xA0
#define NDIS_OBJECT_TYPE_OFFLOAD                                  0xA7

/* The size of a structure up to and including a member, as ndis.h's
 * NDIS_SIZEOF_* revision sizes are defined. */
#define NDIS_SIZEOF_THROUGH(T, M) (FIELD_OFFSET(T, M) + sizeof(((T *)0)->M))

/* ---- Forward types ------------------------------------------------------- */
typedef struct _NET_BUFFER NET_BUFFER, *PNET_BUFFER;
typedef struct _NET_BUFFER_LIST NET_BUFFER_LIST, *PNET_BUFFER_LIST;
typedef struct _NDIS_OID_REQUEST NDIS_OID_REQUEST, *PNDIS_OID_REQUEST;
typedef struct _NDIS_MINIPORT_INIT_PARAMETERS NDIS_MINIPORT_INIT_PARAMETERS,
    *PNDIS_MINIPORT_INIT_PARAMETERS;
typedef struct _NDIS_MINIPORT_PAUSE_PARAMETERS NDIS_MINIPORT_PAUSE_PARAMETERS,
    *PNDIS_MINIPORT_PAUSE_PARAMETERS;
typedef struct _NDIS_MINIPORT_RESTART_PARAMETERS NDIS_MINIPORT_RESTART_PARAMETERS,
    *PNDIS_MINIPORT_RESTART_PARAMETERS;
typedef struct _NET_DEVICE_PNP_EVENT NET_DEVICE_PNP_EVENT, *PNET_DEVICE_PNP_EVENT;

/* ndis/ne-ndis-_ndis_halt_action */
typedef enum _NDIS_HALT_ACTION {
    NdisHaltDeviceDisabled,
    NdisHaltDeviceInstanceDeInitialized,
    NdisHaltDevicePoweredDown,
    NdisHaltDeviceSurpriseRemoved,
    NdisHaltDeviceFailed,
    NdisHaltDeviceInitializationFailed,
    NdisHaltDeviceStopped
} NDIS_HALT_ACTION;

/* ndis/ne-ndis-_ndis_shutdown_action */
typedef enum _NDIS_SHUTDOWN_ACTION {
    NdisShutdownPowerOff,
    NdisShutdownBugCheck
} NDIS_SHUTDOWN_ACTION;

/* ---- Miniport handlers (ndis/nc-ndis-*; IRQLs from each page) ----------- */
typedef NDIS_STATUS NTAPI SET_OPTIONS(NDIS_HANDLE NdisDriverHandle, NDIS_HANDLE DriverContext);
/* PASSIVE */
typedef NDIS_STATUS NTAPI
MINIPORT_INITIALIZE(NDIS_HANDLE NdisMiniportHandle, NDIS_HANDLE MiniportDriverContext,
                    PNDIS_MINIPORT_INIT_PARAMETERS MiniportInitParameters);
typedef VOID NTAPI MINIPORT_HALT(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction);
typedef VOID NTAPI MINIPORT_UNLOAD(PDRIVER_OBJECT DriverObject);
typedef NDIS_STATUS NTAPI MINIPORT_PAUSE(NDIS_HANDLE MiniportAdapterContext,
                                         PNDIS_MINIPORT_PAUSE_PARAMETERS PauseParameters);
typedef NDIS_STATUS NTAPI MINIPORT_RESTART(NDIS_HANDLE MiniportAdapterContext,
                                           PNDIS_MINIPORT_RESTART_PARAMETERS RestartParameters);
typedef NDIS_STATUS NTAPI MINIPORT_OID_REQUEST(NDIS_HANDLE MiniportAdapterContext,
                                               PNDIS_OID_REQUEST OidRequest);
/* <= DISPATCH */
typedef VOID NTAPI MINIPORT_SEND_NET_BUFFER_LISTS(NDIS_HANDLE MiniportAdapterContext,
                                                  PNET_BUFFER_LIST NetBufferLists,
                                                  NDIS_PORT_NUMBER PortNumber, ULONG SendFlags);
typedef VOID NTAPI MINIPORT_RETURN_NET_BUFFER_LISTS(NDIS_HANDLE MiniportAdapterContext,
                                                    PNET_BUFFER_LIST NetBufferLists,
                                                    ULONG ReturnFlags);
typedef VOID NTAPI MINIPORT_CANCEL_SEND(NDIS_HANDLE MiniportAdapterContext, PVOID CancelId);
typedef BOOLEAN NTAPI MINIPORT_CHECK_FOR_HANG(NDIS_HANDLE MiniportAdapterContext);
typedef NDIS_STATUS NTAPI MINIPORT_RESET(NDIS_HANDLE MiniportAdapterContext,
                                         PBOOLEAN AddressingReset);
typedef VOID NTAPI MINIPORT_DEVICE_PNP_EVENT_NOTIFY(NDIS_HANDLE MiniportAdapterContext,
                                                    PNET_DEVICE_PNP_EVENT NetDevicePnPEvent);
typedef VOID NTAPI MINIPORT_SHUTDOWN(NDIS_HANDLE MiniportAdapterContext,
                                     NDIS_SHUTDOWN_ACTION ShutdownAction);
typedef VOID NTAPI MINIPORT_CANCEL_OID_REQUEST(NDIS_HANDLE MiniportAdapterContext, PVOID RequestId);
typedef NDIS_STATUS NTAPI MINIPORT_DIRECT_OID_REQUEST(NDIS_HANDLE MiniportAdapterContext,
                                                      PNDIS_OID_REQUEST OidRequest);
typedef VOID NTAPI MINIPORT_CANCEL_DIRECT_OID_REQUEST(NDIS_HANDLE MiniportAdapterContext,
                                                      PVOID RequestId);
typedef NDIS_STATUS NTAPI MINIPORT_SYNCHRONOUS_OID_REQUEST(NDIS_HANDLE MiniportAdapterContext,
                                                           PNDIS_OID_REQUEST OidRequest);

/* ---- Driver registration (ndis/ns-ndis-_ndis_miniport_driver_characteristics)
 * REVISION_1 = NDIS 6.0 (through CancelOidRequestHandler), REVISION_2 = 6.1
 * (direct OIDs), REVISION_3 = 6.80 (synchronous OIDs). */
typedef struct _NDIS_MINIPORT_DRIVER_CHARACTERISTICS {
    NDIS_OBJECT_HEADER Header;
    UCHAR MajorNdisVersion;
    UCHAR MinorNdisVersion;
    UCHAR MajorDriverVersion;
    UCHAR MinorDriverVersion;
    ULONG Flags;
    SET_OPTIONS *SetOptionsHandler;
    MINIPORT_INITIALIZE *InitializeHandlerEx;
    MINIPORT_HALT *HaltHandlerEx;
    MINIPORT_UNLOAD *UnloadHandler;
    MINIPORT_PAUSE *PauseHandler;
    MINIPORT_RESTART *RestartHandler;
    MINIPORT_OID_REQUEST *OidRequestHandler;
    MINIPORT_SEND_NET_BUFFER_LISTS *SendNetBufferListsHandler;
    MINIPORT_RETURN_NET_BUFFER_LISTS *ReturnNetBufferListsHandler;
    MINIPORT_CANCEL_SEND *CancelSendHandler;
    MINIPORT_CHECK_FOR_HANG *CheckForHangHandlerEx;
    MINIPORT_RESET *ResetHandlerEx;
    MINIPORT_DEVICE_PNP_EVENT_NOTIFY *DevicePnPEventNotifyHandler;
    MINIPORT_SHUTDOWN *ShutdownHandlerEx;
    MINIPORT_CANCEL_OID_REQUEST *CancelOidRequestHandler;
    MINIPORT_DIRECT_OID_REQUEST *DirectOidRequestHandler;
    MINIPORT_CANCEL_DIRECT_OID_REQUEST *CancelDirectOidRequestHandler;
    MINIPORT_SYNCHRONOUS_OID_REQUEST *SynchronousOidRequestHandler;
} NDIS_MINIPORT_DRIVER_CHARACTERISTICS, *PNDIS_MINIPORT_DRIVER_CHARACTERISTICS;

#define NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1 1
#define NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2 2
#define NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3 3
#define NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1                                     \
    NDIS_SIZEOF_THROUGH(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, CancelOidRequestHandler)
#define NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2                                     \
    NDIS_SIZEOF_THROUGH(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, CancelDirectOidRequestHandler)
#define NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3                                     \
    NDIS_SIZEOF_THROUGH(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, SynchronousOidRequestHandler)

/* ---- MiniportInitializeEx (ndis/ns-ndis-_ndis_miniport_init_parameters) - */
struct _NDIS_MINIPORT_INIT_PARAMETERS {
    NDIS_OBJECT_HEADER Header;
    ULONG Flags;
    PNDIS_RESOURCE_LIST AllocatedResources;
    NDIS_HANDLE IMDeviceInstanceContext;
    NDIS_HANDLE MiniportAddDeviceContext;
    NET_IFINDEX IfIndex;
    VW_NET_LUID NetLuid;
    PVOID DefaultPortAuthStates;     /* PNDIS_PORT_AUTHENTICATION_PARAMETERS */
    PVOID PciDeviceCustomProperties; /* PNDIS_PCI_DEVICE_CUSTOM_PROPERTIES */
};
#define NDIS_MINIPORT_INIT_PARAMETERS_REVISION_1 1

/* ndis/ns-ndis-_ndis_miniport_pause_parameters */
struct _NDIS_MINIPORT_PAUSE_PARAMETERS {
    NDIS_OBJECT_HEADER Header;
    ULONG Flags;
    ULONG PauseReason;
};
#define NDIS_PAUSE_NDIS_INTERNAL   0x00000001
#define NDIS_PAUSE_LOW_POWER       0x00000002
#define NDIS_PAUSE_BIND_PROTOCOL   0x00000004
#define NDIS_PAUSE_UNBIND_PROTOCOL 0x00000008

/* ndis/ns-ndis-_ndis_miniport_restart_parameters */
struct _NDIS_MINIPORT_RESTART_PARAMETERS {
    NDIS_OBJECT_HEADER Header;
    PVOID RestartAttributes; /* PNDIS_RESTART_ATTRIBUTES */
    ULONG Flags;
};

/* ndis/ne-ndis-_ndis_device_pnp_event, ndis/ns-ndis-_net_device_pnp_event */
typedef enum _NDIS_DEVICE_PNP_EVENT {
    NdisDevicePnPEventQueryRemoved,
    NdisDevicePnPEventRemoved,
    NdisDevicePnPEventSurpriseRemoved,
    NdisDevicePnPEventQueryStopped,
    NdisDevicePnPEventStopped,
    NdisDevicePnPEventPowerProfileChanged,
    NdisDevicePnPEventFilterListChanged,
    NdisDevicePnPEventMaximum
} NDIS_DEVICE_PNP_EVENT;
struct _NET_DEVICE_PNP_EVENT {
    NDIS_OBJECT_HEADER Header;
    NDIS_PORT_NUMBER PortNumber;
    NDIS_DEVICE_PNP_EVENT DevicePnPEvent;
    PVOID InformationBuffer;
    ULONG InformationBufferLength;
    UCHAR NdisReserved[2 * sizeof(PVOID)];
};

/* ---- Adapter attributes (ndis/ns-ndis-_ndis_miniport_adapter_*_attributes)
 * --------------------------------------------------------------------------- */
/* ndis/ne-ndis-_ndis_interface_type: the INTERFACE_TYPE values. */
typedef INTERFACE_TYPE NDIS_INTERFACE_TYPE;
#define NdisInterfacePci PCIBus

typedef struct _NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES {
    NDIS_OBJECT_HEADER Header;
    NDIS_HANDLE MiniportAdapterContext;
    ULONG AttributeFlags;
    UINT CheckForHangTimeInSeconds;
    NDIS_INTERFACE_TYPE InterfaceType;
} NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, *PNDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
#define NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1      1
#define NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2      2 /* 6.30 flags */
#define NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE                      0x00000001
#define NDIS_MINIPORT_ATTRIBUTES_NDIS_WDM                             0x00000002
#define NDIS_MINIPORT_ATTRIBUTES_SURPRISE_REMOVE_OK                   0x00000004
#define NDIS_MINIPORT_ATTRIBUTES_NOT_CO_NDIS                          0x00000008
#define NDIS_MINIPORT_ATTRIBUTES_DO_NOT_BIND_TO_ALL_CO                0x00000010
#define NDIS_MINIPORT_ATTRIBUTES_NO_HALT_ON_SUSPEND                   0x00000020
#define NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER                           0x00000040
#define NDIS_MINIPORT_ATTRIBUTES_CONTROLS_DEFAULT_PORT                0x00000080
#define NDIS_MINIPORT_ATTRIBUTES_NO_PAUSE_ON_SUSPEND                  0x00000100
#define NDIS_MINIPORT_ATTRIBUTES_NO_OID_INTERCEPT_ON_NONDEFAULT_PORTS 0x00000200
#define NDIS_MINIPORT_ATTRIBUTES_REGISTER_BUGCHECK_CALLBACK           0x00000400

/* ntddndis/ne-ntddndis-_ndis_medium, _ndis_physical_medium; ifdef.h enums
 * (network/ndis-miniport-adapter-general-attributes member pages). */
typedef enum _NDIS_MEDIUM { NdisMedium802_3 = 0 } NDIS_MEDIUM;
typedef enum _NDIS_PHYSICAL_MEDIUM {
    NdisPhysicalMediumUnspecified = 0,
    NdisPhysicalMedium802_3 = 14
} NDIS_PHYSICAL_MEDIUM;
typedef enum _NET_IF_MEDIA_CONNECT_STATE {
    MediaConnectStateUnknown,
    MediaConnectStateConnected,
    MediaConnectStateDisconnected
} NET_IF_MEDIA_CONNECT_STATE;
typedef enum _NET_IF_MEDIA_DUPLEX_STATE {
    MediaDuplexStateUnknown,
    MediaDuplexStateHalf,
    MediaDuplexStateFull
} NET_IF_MEDIA_DUPLEX_STATE;
typedef enum _NET_IF_ACCESS_TYPE {
    NET_IF_ACCESS_LOOPBACK = 1,
    NET_IF_ACCESS_BROADCAST = 2
} NET_IF_ACCESS_TYPE;
typedef enum _NET_IF_DIRECTION_TYPE { NET_IF_DIRECTION_SENDRECEIVE } NET_IF_DIRECTION_TYPE;
typedef enum _NET_IF_CONNECTION_TYPE { NET_IF_CONNECTION_DEDICATED = 1 } NET_IF_CONNECTION_TYPE;
typedef enum _NDIS_SUPPORTED_PAUSE_FUNCTIONS {
    NdisPauseFunctionsUnsupported,
    NdisPauseFunctionsSendOnly,
    NdisPauseFunctionsReceiveOnly,
    NdisPauseFunctionsSendAndReceive,
    NdisPauseFunctionsUnknown
} NDIS_SUPPORTED_PAUSE_FUNCTIONS;
#define IF_TYPE_ETHERNET_CSMACD 6

#define NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA 0x00000001
#define NDIS_MAC_OPTION_TRANSFERS_NOT_PEND  0x00000004
#define NDIS_MAC_OPTION_NO_LOOPBACK         0x00000008
#define NDIS_MAC_OPTION_FULL_DUPLEX         0x00000010
#define NDIS_MAC_OPTION_8021P_PRIORITY      0x00000040
#define NDIS_MAC_OPTION_8021Q_VLAN          0x00000200
#define NDIS_PACKET_TYPE_DIRECTED           0x00000001
#define NDIS_PACKET_TYPE_MULTICAST          0x00000002
#define NDIS_PACKET_TYPE_ALL_MULTICAST      0x00000004
#define NDIS_PACKET_TYPE_BROADCAST          0x00000008
#define NDIS_PACKET_TYPE_PROMISCUOUS        0x00000020
#define NDIS_LINK_SPEED_UNKNOWN             ((ULONG64) - 1)

/* ntddndis/ns-ntddndis-_ndis_receive_scale_capabilities (REVISION_2 adds
 * NumberOfIndirectionTableEntries, 6.30). */
typedef struct _NDIS_RECEIVE_SCALE_CAPABILITIES {
    NDIS_OBJECT_HEADER Header;
    ULONG CapabilitiesFlags;
    ULONG NumberOfInterruptMessages;
    ULONG NumberOfReceiveQueues;
    USHORT NumberOfIndirectionTableEntries;
} NDIS_RECEIVE_SCALE_CAPABILITIES, *PNDIS_RECEIVE_SCALE_CAPABILITIES;
#define NDIS_RECEIVE_SCALE_CAPABILITIES_REVISION_1 1
#define NDIS_RECEIVE_SCALE_CAPABILITIES_REVISION_2 2
#define NDIS_SIZEOF_RECEIVE_SCALE_CAPABILITIES_REVISION_2                                          \
    NDIS_SIZEOF_THROUGH(NDIS_RECEIVE_SCALE_CAPABILITIES, NumberOfIndirectionTableEntries)

typedef struct _NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES {
    NDIS_OBJECT_HEADER Header;
    ULONG Flags;
    NDIS_MEDIUM MediaType;
    NDIS_PHYSICAL_MEDIUM PhysicalMediumType;
    ULONG MtuSize;
    ULONG64 MaxXmitLinkSpeed;
    ULONG64 XmitLinkSpeed;
    ULONG64 MaxRcvLinkSpeed;
    ULONG64 RcvLinkSpeed;
    NET_IF_MEDIA_CONNECT_STATE MediaConnectState;
    NET_IF_MEDIA_DUPLEX_STATE MediaDuplexState;
    ULONG LookaheadSize;
    PVOID PowerManagementCapabilities; /* PNDIS_PNP_CAPABILITIES */
    ULONG MacOptions;
    ULONG SupportedPacketFilters;
    ULONG MaxMulticastListSize;
    USHORT MacAddressLength;
    UCHAR PermanentMacAddress[NDIS_MAX_PHYS_ADDRESS_LENGTH];
    UCHAR CurrentMacAddress[NDIS_MAX_PHYS_ADDRESS_LENGTH];
    PNDIS_RECEIVE_SCALE_CAPABILITIES RecvScaleCapabilities;
    NET_IF_ACCESS_TYPE AccessType;
    NET_IF_DIRECTION_TYPE DirectionType;
    NET_IF_CONNECTION_TYPE ConnectionType;
    NET_IFTYPE IfType;
    BOOLEAN IfConnectorPresent;
    ULONG SupportedStatistics;
    ULONG SupportedPauseFunctions;
    ULONG DataBackFillSize;
    ULONG ContextBackFillSize;
    PNDIS_OID SupportedOidList;
    ULONG SupportedOidListLength;
    ULONG AutoNegotiationFlags;
    PVOID PowerManagementCapabilitiesEx; /* PNDIS_PM_CAPABILITIES, REVISION_2 */
} NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, *PNDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES;
#define NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1 1
#define NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2 2
#define NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2                                 \
    NDIS_SIZEOF_THROUGH(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, PowerManagementCapabilitiesEx)

/* The offload structures are passed by pointer (NDIS_OFFLOAD is declared
 * below with the offload OIDs). */
typedef struct _NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES {
    NDIS_OBJECT_HEADER Header;
    PVOID DefaultOffloadConfiguration;              /* PNDIS_OFFLOAD */
    PVOID HardwareOffloadCapabilities;              /* PNDIS_OFFLOAD */
    PVOID DefaultTcpConnectionOffloadConfiguration; /* PNDIS_TCP_CONNECTION_OFFLOAD */
    PVOID TcpConnectionOffloadHardwareCapabilities; /* PNDIS_TCP_CONNECTION_OFFLOAD */
} NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES, *PNDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES;
#define NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES_REVISION_1 1

/* ndis/ns-ndis-_ndis_miniport_adapter_attributes: the union is as large as
 * its largest member; the general attributes are the largest we declare, so
 * the structure is only ever passed by pointer to one of the members. */
typedef union _NDIS_MINIPORT_ADAPTER_ATTRIBUTES {
    NDIS_OBJECT_HEADER Header;
    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES RegistrationAttributes;
    NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES GeneralAttributes;
    NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES OffloadAttributes;
} NDIS_MINIPORT_ADAPTER_ATTRIBUTES, *PNDIS_MINIPORT_ADAPTER_ATTRIBUTES;

/* ---- Link state (ntddndis/ns-ntddndis-_ndis_link_state) and status
 * indications (ndis/ns-ndis-_ndis_status_indication) --------------------- */
typedef struct _NDIS_LINK_STATE {
    NDIS_OBJECT_HEADER Header;
    NET_IF_MEDIA_CONNECT_STATE MediaConnectState;
    NET_IF_MEDIA_DUPLEX_STATE MediaDuplexState;
    ULONG64 XmitLinkSpeed;
    ULONG64 RcvLinkSpeed;
    NDIS_SUPPORTED_PAUSE_FUNCTIONS PauseFunctions;
    ULONG AutoNegotiationFlags;
} NDIS_LINK_STATE, *PNDIS_LINK_STATE;
#define NDIS_LINK_STATE_REVISION_1 1

typedef struct _NDIS_STATUS_INDICATION {
    NDIS_OBJECT_HEADER Header;
    NDIS_HANDLE SourceHandle;
    NDIS_PORT_NUMBER PortNumber;
    NDIS_STATUS StatusCode;
    ULONG Flags;
    NDIS_HANDLE DestinationHandle;
    PVOID RequestId;
    PVOID StatusBuffer;
    ULONG StatusBufferSize;
    GUID Guid;
    PVOID NdisReserved[4];
} NDIS_STATUS_INDICATION, *PNDIS_STATUS_INDICATION;
#define NDIS_STATUS_INDICATION_REVISION_1 1

/* ---- NET_BUFFER and NET_BUFFER_LIST (nbl/ns-nbl-net_buffer,
 * nbl/ns-nbl-net_buffer_list).  The reserved arrays are
 * DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT) in the header (the syntax
 * block of the Windows Embedded Compact 2013 NET_BUFFER and NET_BUFFER_LIST
 * pages shows it; the current pages' blocks leave it out). ---------------- */
#define VW_NDIS_ALIGN DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT)

typedef struct _NET_BUFFER_DATA {
    PNET_BUFFER Next;
    PMDL CurrentMdl;
    ULONG CurrentMdlOffset;
    union {
        ULONG DataLength;
        SIZE_T stDataLength;
    };
    PMDL MdlChain;
    ULONG DataOffset;
} NET_BUFFER_DATA, *PNET_BUFFER_DATA;

typedef union _NET_BUFFER_HEADER {
    NET_BUFFER_DATA NetBufferData;
    SLIST_HEADER Link;
} NET_BUFFER_HEADER, *PNET_BUFFER_HEADER;

struct _NET_BUFFER {
    union {
        struct {
            PNET_BUFFER Next;
            PMDL CurrentMdl;
            ULONG CurrentMdlOffset;
            union {
                ULONG DataLength;
                SIZE_T stDataLength;
            };
            PMDL MdlChain;
            ULONG DataOffset;
        };
        SLIST_HEADER Link;
        NET_BUFFER_HEADER NetBufferHeader;
    };
    USHORT ChecksumBias;
    USHORT Reserved;
    NDIS_HANDLE NdisPoolHandle;
    VW_NDIS_ALIGN PVOID NdisReserved[2];
    VW_NDIS_ALIGN PVOID ProtocolReserved[6];
    VW_NDIS_ALIGN PVOID MiniportReserved[4];
    NDIS_PHYSICAL_ADDRESS DataPhysicalAddress;
    union {
        PVOID SharedMemoryInfo; /* PNET_BUFFER_SHARED_MEMORY */
        PSCATTER_GATHER_LIST ScatterGatherList;
    };
};

/* nblinfo/ne-nblinfo-ndis_net_buffer_list_info: the slots we use.  The page's
 * list shows aliases flattened; the values follow from its order with the
 * aliases (TcpOffloadBytesTransferred = 0, IPsecOffloadV2 = 1,
 * TcpReceiveNoPush = 2, NetBufferListProtocolId = 7) given their targets'
 * values.  Slots past 17 differ between x86 and 64-bit and are not here. */
typedef enum _NDIS_NET_BUFFER_LIST_INFO {
    TcpIpChecksumNetBufferListInfo = 0,
    IPsecOffloadV1NetBufferListInfo = 1,
    TcpLargeSendNetBufferListInfo = 2,
    ClassificationHandleNetBufferListInfo = 3,
    Ieee8021QNetBufferListInfo = 4,
    NetBufferListCancelId = 5,
    MediaSpecificInformation = 6,
    NetBufferListFrameType = 7,
    NetBufferListHashValue = 8,
    NetBufferListHashInfo = 9,
    WfpNetBufferListInfo = 10,
/* NDIS 6.30's TcpRecvSegCoalesceInfo (nblrsc): SwitchForwardingReserved,
 * SwitchForwardingDetail and VirtualSubnetInfo precede IMReserved on 64-bit
 * only, so it is slot 22 there and 19 on x86. */
#if defined(_WIN64)
    TcpRecvSegCoalesceInfo = 22,
#else
    TcpRecvSegCoalesceInfo = 19,
#endif
    /* NDIS 6.83: listed right after TcpRecvSegCoalesceInfo and before
     * RscTcpTimestampDelta (6.30, whose value 6.30 binaries hold), so an
     * alias of it: the receive-only RSC slot carries the send-only USO
     * request. */
    UdpSegmentationOffloadInfo = TcpRecvSegCoalesceInfo,
} NDIS_NET_BUFFER_LIST_INFO;

typedef struct _NET_BUFFER_LIST_DATA {
    PNET_BUFFER_LIST Next;
    PNET_BUFFER FirstNetBuffer;
} NET_BUFFER_LIST_DATA, *PNET_BUFFER_LIST_DATA;

typedef union _NET_BUFFER_LIST_HEADER {
    NET_BUFFER_LIST_DATA NetBufferListData;
    SLIST_HEADER Link;
} NET_BUFFER_LIST_HEADER, *PNET_BUFFER_LIST_HEADER;

/* NetBufferListInfo is NetBufferListInfo[MaxNetBufferListInfo] in the header;
 * MaxNetBufferListInfo depends on the arch and the NDIS version compiled
 * for, and only NDIS allocates NBLs (NdisAllocateNetBufferList*), so the
 * array is open here and a miniport never takes sizeof(NET_BUFFER_LIST). */
struct _NET_BUFFER_LIST {
    union {
        struct {
            PNET_BUFFER_LIST Next;
            PNET_BUFFER FirstNetBuffer;
        };
        SLIST_HEADER Link;
        NET_BUFFER_LIST_HEADER NetBufferListHeader;
    };
    PVOID Context; /* PNET_BUFFER_LIST_CONTEXT */
    PNET_BUFFER_LIST ParentNetBufferList;
    NDIS_HANDLE NdisPoolHandle;
    VW_NDIS_ALIGN PVOID NdisReserved[2];
    VW_NDIS_ALIGN PVOID ProtocolReserved[4];
    VW_NDIS_ALIGN PVOID MiniportReserved[2];
    PVOID Scratch;
    NDIS_HANDLE SourceHandle;
    ULONG NblFlags;
    LONG ChildRefCount;
    ULONG Flags;
    union {
        NDIS_STATUS Status;
        ULONG NdisReserved2;
    };
    PVOID NetBufferListInfo[];
};

/* Access macros (nbl/nf-nbl-net_buffer_list_*, nbl/nf-nbl-net_buffer_*). */
#define NET_BUFFER_LIST_NEXT_NBL(n)          ((n)->Next)
#define NET_BUFFER_LIST_FIRST_NB(n)          ((n)->FirstNetBuffer)
#define NET_BUFFER_LIST_STATUS(n)            ((n)->Status)
#define NET_BUFFER_LIST_FLAGS(n)             ((n)->Flags)
#define NET_BUFFER_LIST_NBL_FLAGS(n)         ((n)->NblFlags)
#define NET_BUFFER_LIST_MINIPORT_RESERVED(n) ((n)->MiniportReserved)
#define NET_BUFFER_LIST_INFO(n, id)          ((n)->NetBufferListInfo[(id)])
#define NET_BUFFER_NEXT_NB(b)                ((b)->Next)
#define NET_BUFFER_FIRST_MDL(b)              ((b)->MdlChain)
#define NET_BUFFER_DATA_LENGTH(b)            ((b)->DataLength)
#define NET_BUFFER_DATA_OFFSET(b)            ((b)->DataOffset)
#define NET_BUFFER_CURRENT_MDL(b)            ((b)->CurrentMdl)
#define NET_BUFFER_CURRENT_MDL_OFFSET(b)     ((b)->CurrentMdlOffset)
#define NET_BUFFER_MINIPORT_RESERVED(b)      ((b)->MiniportReserved)
#define NET_BUFFER_CHECKSUM_BIAS(b)          ((b)->ChecksumBias)
#define NDIS_MDL_LINKAGE(m)                  ((m)->Next)
/* ndis/nf-ndis-ndisquerymdl: the MDL's system address and byte count. */
#define NdisQueryMdl(m, va, len, prio)                                                             \
    do {                                                                                           \
        if (ARGUMENT_PRESENT(va))                                                                  \
            *(va) = MmGetSystemAddressForMdlSafe((m), (prio));                                     \
        *(len) = MmGetMdlByteCount(m);                                                             \
    } while (0)
/* wdm MM_PAGE_PRIORITY flag (Windows 8 and later): the mapping holds
 * data, never code (mm/no-execute-nonpaged-pool) */
#ifndef MdlMappingNoExecute
#define MdlMappingNoExecute 0x40000000
#endif
#define NdisQueryMdlOffset(m, off, len)                                                            \
    do {                                                                                           \
        *(off) = MmGetMdlByteOffset(m);                                                            \
        *(len) = MmGetMdlByteCount(m);                                                             \
    } while (0)
#define NdisGetNextMdl(cur, next) (*(next) = (cur)->Next)

/* Per-NBL information (ndis/ns-ndis-_ndis_tcp_ip_checksum_net_buffer_list_info,
 * ndis/ns-ndis-_ndis_tcp_large_send_offload_net_buffer_list_info,
 * ndis/ns-ndis-_ndis_net_buffer_list_8021q_info): one pointer-sized slot. */
typedef struct _NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO {
    union {
        struct {
            ULONG IsIPv4 : 1;
            ULONG IsIPv6 : 1;
            ULONG TcpChecksum : 1;
            ULONG UdpChecksum : 1;
            ULONG IpHeaderChecksum : 1;
            ULONG Reserved : 11;
            ULONG TcpHeaderOffset : 10;
        } Transmit;
        struct {
            ULONG TcpChecksumFailed : 1;
            ULONG UdpChecksumFailed : 1;
            ULONG IpChecksumFailed : 1;
            ULONG TcpChecksumSucceeded : 1;
            ULONG UdpChecksumSucceeded : 1;
            ULONG IpChecksumSucceeded : 1;
            ULONG Loopback : 1;
            ULONG TcpChecksumValueInvalid : 1;
            ULONG IpChecksumValueInvalid : 1;
        } Receive;
        PVOID Value;
    };
} NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO, *PNDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO;

typedef struct _NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO {
    union {
        struct {
            ULONG Unused : 30;
            ULONG Type : 1;
            ULONG Reserved2 : 1;
        } Transmit;
        struct {
            ULONG MSS : 20;
            ULONG TcpHeaderOffset : 10;
            ULONG Type : 1;
            ULONG Reserved2 : 1;
        } LsoV1Transmit;
        struct {
            ULONG TcpPayload : 30;
            ULONG Type : 1;
            ULONG Reserved2 : 1;
        } LsoV1TransmitComplete;
        struct {
            ULONG MSS : 20;
            ULONG TcpHeaderOffset : 10;
            ULONG Type : 1;
            ULONG IPVersion : 1;
        } LsoV2Transmit;
        struct {
            ULONG Reserved : 30;
            ULONG Type : 1;
            ULONG Reserved2 : 1;
        } LsoV2TransmitComplete;
        PVOID Value;
    };
} NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO,
    *PNDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO;
/* nblrsc/ns-nblrsc-ndis_rsc_nbl_info: the TcpRecvSegCoalesceInfo slot */
typedef union _NDIS_RSC_NBL_INFO {
    struct {
        USHORT CoalescedSegCount;
        USHORT DupAckCount;
    } Info;
    PVOID Value;
} NDIS_RSC_NBL_INFO, *PNDIS_RSC_NBL_INFO;

/* nbluso/ns-nbluso-ndis_udp_segmentation_offload_net_buffer_list_info: the
 * UdpSegmentationOffloadInfo slot of a USO send (NDIS 6.83) */
typedef struct _NDIS_UDP_SEGMENTATION_OFFLOAD_NET_BUFFER_LIST_INFO {
    union {
        struct {
            ULONG MSS : 20;
            ULONG UdpHeaderOffset : 10;
            ULONG Reserved : 1;
            ULONG IPVersion : 1;
        } Transmit;
        PVOID Value;
    };
} NDIS_UDP_SEGMENTATION_OFFLOAD_NET_BUFFER_LIST_INFO,
    *PNDIS_UDP_SEGMENTATION_OFFLOAD_NET_BUFFER_LIST_INFO;
#define NDIS_UDP_SEGMENTATION_OFFLOAD_IPV4 0
#define NDIS_UDP_SEGMENTATION_OFFLOAD_IPV6 1

#define NDIS_TCP_LARGE_SEND_OFFLOAD_V1_TYPE 0
#define NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE 1
#define NDIS_TCP_LARGE_SEND_OFFLOAD_IPv4    0
#define NDIS_TCP_LARGE_SEND_OFFLOAD_IPv6    1

typedef struct _NDIS_NET_BUFFER_LIST_8021Q_INFO {
    union {
        struct {
            UINT32 UserPriority : 3;
            UINT32 CanonicalFormatId : 1;
            UINT32 VlanId : 12;
            UINT32 Reserved : 16;
        } TagHeader;
        PVOID Value;
    };
} NDIS_NET_BUFFER_LIST_8021Q_INFO, *PNDIS_NET_BUFFER_LIST_8021Q_INFO;

/* RSS hash (network/rss-hashing-types, nbl hash macros): the hash info slot
 * holds type | function. */
#define NdisHashFunctionToeplitz 0x00000001
#define NDIS_HASH_FUNCTION_MASK  0x000000FF
#define NDIS_HASH_TYPE_MASK      0x00FFFF00
#define NDIS_HASH_IPV4           0x00000100
#define NDIS_HASH_TCP_IPV4       0x00000200
#define NDIS_HASH_IPV6           0x00000400
#define NDIS_HASH_IPV6_EX        0x00000800
#define NDIS_HASH_TCP_IPV6       0x00001000
#define NDIS_HASH_TCP_IPV6_EX    0x00002000
#define NET_BUFFER_LIST_GET_HASH_VALUE(n)                                                          \
    ((ULONG)(ULONG_PTR)NET_BUFFER_LIST_INFO((n), NetBufferListHashValue))
#define NET_BUFFER_LIST_SET_HASH_VALUE(n, v)                                                       \
    (NET_BUFFER_LIST_INFO((n), NetBufferListHashValue) = (PVOID)(ULONG_PTR)(v))
#define NET_BUFFER_LIST_GET_HASH_TYPE(n)                                                           \
    ((ULONG)(ULONG_PTR)NET_BUFFER_LIST_INFO((n), NetBufferListHashInfo) & NDIS_HASH_TYPE_MASK)
#define NET_BUFFER_LIST_GET_HASH_FUNCTION(n)                                                       \
    ((ULONG)(ULONG_PTR)NET_BUFFER_LIST_INFO((n), NetBufferListHashInfo) & NDIS_HASH_FUNCTION_MASK)
#define NET_BUFFER_LIST_SET_HASH_TYPE(n, t)                                                        \
    (NET_BUFFER_LIST_INFO((n), NetBufferListHashInfo) =                                            \
         (PVOID)(((ULONG_PTR)NET_BUFFER_LIST_INFO((n), NetBufferListHashInfo) &                    \
                  ~(ULONG_PTR)NDIS_HASH_TYPE_MASK) |                                               \
                 ((t) & NDIS_HASH_TYPE_MASK)))
#define NET_BUFFER_LIST_SET_HASH_FUNCTION(n, f)                                                    \
    (NET_BUFFER_LIST_INFO((n), NetBufferListHashInfo) =                                            \
         (PVOID)(((ULONG_PTR)NET_BUFFER_LIST_INFO((n), NetBufferListHashInfo) &                    \
                  ~(ULONG_PTR)NDIS_HASH_FUNCTION_MASK) |                                           \
                 ((f) & NDIS_HASH_FUNCTION_MASK)))

/* Send, complete, receive and return flags (the NdisMSendNetBufferListsComplete,
 * NdisMIndicateReceiveNetBufferLists and MiniportSendNetBufferLists pages). */
#define NDIS_SEND_FLAGS_DISPATCH_LEVEL          0x00000001
#define NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK      0x00000002
#define NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL 0x00000001
#define NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL       0x00000001
#define NDIS_RECEIVE_FLAGS_RESOURCES            0x00000002
#define NDIS_RETURN_FLAGS_DISPATCH_LEVEL        0x00000001

/* ---- Pools (ndis/ns-ndis-_net_buffer_list_pool_parameters,
 * ndis/ns-ndis-_net_buffer_pool_parameters) ------------------------------- */
typedef struct _NET_BUFFER_LIST_POOL_PARAMETERS {
    NDIS_OBJECT_HEADER Header;
    UCHAR ProtocolId;
    BOOLEAN fAllocateNetBuffer;
    USHORT ContextSize;
    ULONG PoolTag;
    ULONG DataSize;
    ULONG Flags; /* REVISION_2 */
} NET_BUFFER_LIST_POOL_PARAMETERS, *PNET_BUFFER_LIST_POOL_PARAMETERS;
#define NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 1
#define NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_2 2
#define NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1                                     \
    NDIS_SIZEOF_THROUGH(NET_BUFFER_LIST_POOL_PARAMETERS, DataSize)
#define NDIS_PROTOCOL_ID_DEFAULT 0x00
#define NDIS_PROTOCOL_ID_TCP_IP  0x02
#define NDIS_PROTOCOL_ID_IP6     0x03
/* A NETWORK_ADDRESS of NDIS_PROTOCOL_ID_IP6 holds a NETWORK_ADDRESS_IP6
 * (ntddndis.h: USHORT sin6_port, ULONG sin6_flowinfo, USHORT sin6_addr[8]
 * at offset 8, ULONG sin6_scope_id): its AddressLength */
#define NETWORK_ADDRESS_LENGTH_IP6 28

typedef struct _NET_BUFFER_POOL_PARAMETERS {
    NDIS_OBJECT_HEADER Header;
    ULONG PoolTag;
    ULONG DataSize;
    ULONG Flags; /* REVISION_2 */
} NET_BUFFER_POOL_PARAMETERS, *PNET_BUFFER_POOL_PARAMETERS;
#define NET_BUFFER_POOL_PARAMETERS_REVISION_1 1
#define NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1                                          \
    NDIS_SIZEOF_THROUGH(NET_BUFFER_POOL_PARAMETERS, DataSize)

/* ---- OID requests (oidrequest/ns-oidrequest-ndis_oid_request) ----------- */
typedef enum _NDIS_REQUEST_TYPE {
    NdisRequestQueryInformation,
    NdisRequestSetInformation,
    NdisRequestQueryStatistics,
    NdisRequestOpen,
    NdisRequestClose,
    NdisRequestSend,
    NdisRequestTransferData,
    NdisRequestReset,
    NdisRequestGeneric1,
    NdisRequestGeneric2,
    NdisRequestGeneric3,
    NdisRequestGeneric4,
    NdisRequestMethod,
} NDIS_REQUEST_TYPE;

#define NDIS_OID_REQUEST_NDIS_RESERVED_SIZE 16
struct _NDIS_OID_REQUEST {
    NDIS_OBJECT_HEADER Header;
    NDIS_REQUEST_TYPE RequestType;
    NDIS_PORT_NUMBER PortNumber;
    UINT Timeout;
    PVOID RequestId;
    NDIS_HANDLE RequestHandle;
    union _NDIS_OID_REQUEST_DATA {
        NDIS_OID Oid;
        struct {
            NDIS_OID Oid;
            PVOID InformationBuffer;
            UINT InformationBufferLength;
            UINT BytesWritten;
            UINT BytesNeeded;
        } QUERY_INFORMATION;
        struct {
            NDIS_OID Oid;
            PVOID InformationBuffer;
            UINT InformationBufferLength;
            UINT BytesRead;
            UINT BytesNeeded;
        } SET_INFORMATION;
        struct {
            NDIS_OID Oid;
            PVOID InformationBuffer;
            ULONG InputBufferLength;
            ULONG OutputBufferLength;
            ULONG MethodId;
            UINT BytesWritten;
            UINT BytesRead;
            UINT BytesNeeded;
        } METHOD_INFORMATION;
    } DATA;
    UCHAR NdisReserved[NDIS_OID_REQUEST_NDIS_RESERVED_SIZE * sizeof(PVOID)];
    UCHAR MiniportReserved[2 * sizeof(PVOID)];
    UCHAR SourceReserved[2 * sizeof(PVOID)];
    UCHAR SupportedRevision;
    UCHAR Reserved1;
    USHORT Reserved2;
    ULONG SwitchId; /* NDIS_NIC_SWITCH_ID, REVISION_2 (6.50) */
    ULONG VPortId;  /* NDIS_NIC_SWITCH_VPORT_ID */
    ULONG Flags;
};
#define NDIS_OID_REQUEST_REVISION_1        1
#define NDIS_OID_REQUEST_REVISION_2        2
#define NDIS_SIZEOF_OID_REQUEST_REVISION_1 NDIS_SIZEOF_THROUGH(NDIS_OID_REQUEST, Reserved2)
#define NDIS_SIZEOF_OID_REQUEST_REVISION_2 NDIS_SIZEOF_THROUGH(NDIS_OID_REQUEST, Flags)

/* OIDs (network/oid-gen-*, network/oid-802-3-*, network/oid-pnp-*). */
#define OID_GEN_SUPPORTED_LIST        0x00010101
#define OID_GEN_HARDWARE_STATUS       0x00010102
#define OID_GEN_MEDIA_SUPPORTED       0x00010103
#define OID_GEN_MEDIA_IN_USE          0x00010104
#define OID_GEN_MAXIMUM_LOOKAHEAD     0x00010105
#define OID_GEN_MAXIMUM_FRAME_SIZE    0x00010106
#define OID_GEN_LINK_SPEED            0x00010107
#define OID_GEN_TRANSMIT_BUFFER_SPACE 0x00010108
#define OID_GEN_RECEIVE_BUFFER_SPACE  0x00010109
#define OID_GEN_TRANSMIT_BLOCK_SIZE   0x0001010A
#define OID_GEN_RECEIVE_BLOCK_SIZE    0x0001010B
#define OID_GEN_VENDOR_ID             0x0001010C
#define OID_GEN_VENDOR_DESCRIPTION    0x0001010D
#define OID_GEN_CURRENT_PACKET_FILTER 0x0001010E
#define OID_GEN_CURRENT_LOOKAHEAD     0x0001010F
#define OID_GEN_DRIVER_VERSION        0x00010110
#define OID_GEN_MAXIMUM_TOTAL_SIZE    0x00010111
#define OID_GEN_MAC_OPTIONS           0x00010113
#define OID_GEN_MEDIA_CONNECT_STATUS  0x00010114
#define OID_GEN_MAXIMUM_SEND_PACKETS  0x00010115
#define OID_GEN_VENDOR_DRIVER_VERSION 0x00010116
/* OID_PNP_SET_POWER's value (network/oid-pnp-set-power) */
typedef enum _NDIS_DEVICE_POWER_STATE {
    NdisDeviceStateUnspecified = 0,
    NdisDeviceStateD0,
    NdisDeviceStateD1,
    NdisDeviceStateD2,
    NdisDeviceStateD3,
    NdisDeviceStateMaximum
} NDIS_DEVICE_POWER_STATE,
    *PNDIS_DEVICE_POWER_STATE;
/* A set: NETWORK_ADDRESS_LIST of the protocol's addresses (network/oid-gen-network-layer-addresses)
 */
#define OID_GEN_NETWORK_LAYER_ADDRESSES 0x00010118
#define OID_GEN_XMIT_OK                 0x00020101
#define OID_GEN_RCV_OK                  0x00020102
#define OID_802_3_PERMANENT_ADDRESS     0x01010101
#define OID_802_3_CURRENT_ADDRESS       0x01010102
#define OID_802_3_MULTICAST_LIST        0x01010103
#define OID_802_3_MAXIMUM_LIST_SIZE     0x01010104
#define OID_PNP_SET_POWER               0xFD010101
#define OID_PNP_QUERY_POWER             0xFD010102

/* The OIDs NetKVM answers beyond those above and the ones further down
 * (network/oid-gen-transmit-queue-length). */
#define OID_GEN_TRANSMIT_QUEUE_LENGTH 0x0002020E

/* ntddndis/ns-ntddndis-_ndis_interrupt_moderation_parameters */
typedef enum _NDIS_INTERRUPT_MODERATION {
    NdisInterruptModerationUnknown,
    NdisInterruptModerationNotSupported,
    NdisInterruptModerationEnabled,
    NdisInterruptModerationDisabled
} NDIS_INTERRUPT_MODERATION;
typedef struct _NDIS_INTERRUPT_MODERATION_PARAMETERS {
    NDIS_OBJECT_HEADER Header;
    ULONG Flags;
    NDIS_INTERRUPT_MODERATION InterruptModeration;
} NDIS_INTERRUPT_MODERATION_PARAMETERS, *PNDIS_INTERRUPT_MODERATION_PARAMETERS;
#define NDIS_INTERRUPT_MODERATION_PARAMETERS_REVISION_1 1

/* ntddndis/ns-ntddndis-_ndis_link_parameters (OID_GEN_LINK_PARAMETERS) */
typedef struct _NDIS_LINK_PARAMETERS {
    NDIS_OBJECT_HEADER Header;
    NET_IF_MEDIA_DUPLEX_STATE MediaDuplexState;
    ULONG64 XmitLinkSpeed;
    ULONG64 RcvLinkSpeed;
    NDIS_SUPPORTED_PAUSE_FUNCTIONS PauseFunctions;
    ULONG AutoNegotiationFlags;
} NDIS_LINK_PARAMETERS, *PNDIS_LINK_PARAMETERS;
#define NDIS_LINK_PARAMETERS_REVISION_1 1

/* ---- Interrupts (ndis/ns-ndis-_ndis_miniport_interrupt_characteristics and
 * the nc-ndis-miniport_*interrupt* pages) ---------------------------------- */
/* DIRQL */
typedef BOOLEAN NTAPI MINIPORT_ISR(NDIS_HANDLE MiniportInterruptContext,
                                   PBOOLEAN QueueDefaultInterruptDpc, PULONG TargetProcessors);
/* DISPATCH */
typedef VOID NTAPI MINIPORT_INTERRUPT_DPC(NDIS_HANDLE MiniportInterruptContext,
                                          PVOID MiniportDpcContext, PVOID ReceiveThrottleParameters,
                                          PVOID NdisReserved2);
/* DIRQL */
typedef VOID NTAPI MINIPORT_DISABLE_INTERRUPT(NDIS_HANDLE MiniportInterruptContext);
typedef VOID NTAPI MINIPORT_ENABLE_INTERRUPT(NDIS_HANDLE MiniportInterruptContext);
typedef BOOLEAN NTAPI MINIPORT_MSI_ISR(NDIS_HANDLE MiniportInterruptContext, ULONG MessageId,
                                       PBOOLEAN QueueDefaultInterruptDpc, PULONG TargetProcessors);
/* DISPATCH */
typedef VOID NTAPI MINIPORT_MSI_INTERRUPT_DPC(NDIS_HANDLE MiniportInterruptContext, ULONG MessageId,
                                              PVOID MiniportDpcContext,
                                              PVOID ReceiveThrottleParameters, PVOID NdisReserved2);
/* DIRQL */
typedef VOID NTAPI MINIPORT_DISABLE_MSI_INTERRUPT(NDIS_HANDLE MiniportInterruptContext,
                                                  ULONG MessageId);
typedef VOID NTAPI MINIPORT_ENABLE_MSI_INTERRUPT(NDIS_HANDLE MiniportInterruptContext,
                                                 ULONG MessageId);
/* DIRQL (ndis/nc-ndis-miniport_synchronize_interrupt) */
typedef BOOLEAN NTAPI MINIPORT_SYNCHRONIZE_INTERRUPT(NDIS_HANDLE SynchronizeContext);

typedef enum _NDIS_INTERRUPT_TYPE {
    NDIS_CONNECT_LINE_BASED = 1,
    NDIS_CONNECT_MESSAGE_BASED
} NDIS_INTERRUPT_TYPE;

typedef struct _NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS {
    NDIS_OBJECT_HEADER Header;
    MINIPORT_ISR *InterruptHandler;
    MINIPORT_INTERRUPT_DPC *InterruptDpcHandler;
    MINIPORT_DISABLE_INTERRUPT *DisableInterruptHandler;
    MINIPORT_ENABLE_INTERRUPT *EnableInterruptHandler;
    BOOLEAN MsiSupported;
    BOOLEAN MsiSyncWithAllMessages;
    MINIPORT_MSI_ISR *MessageInterruptHandler;
    MINIPORT_MSI_INTERRUPT_DPC *MessageInterruptDpcHandler;
    MINIPORT_DISABLE_MSI_INTERRUPT *DisableMessageInterruptHandler;
    MINIPORT_ENABLE_MSI_INTERRUPT *EnableMessageInterruptHandler;
    NDIS_INTERRUPT_TYPE InterruptType;
    PIO_INTERRUPT_MESSAGE_INFO MessageInfoTable;
} NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, *PNDIS_MINIPORT_INTERRUPT_CHARACTERISTICS;
#define NDIS_MINIPORT_INTERRUPT_REVISION_1 1

/* ---- Scatter/gather DMA (ndis/nf-ndis-ndismregisterscattergatherdma) ---- */
/* DISPATCH (ndis/nc-ndis-miniport_process_sg_list) */
typedef VOID NTAPI MINIPORT_PROCESS_SG_LIST(PDEVICE_OBJECT pDO, PVOID Reserved,
                                            PSCATTER_GATHER_LIST pSGL, PVOID Context);
/* DISPATCH (ndis/nc-ndis-miniport_allocate_shared_mem_complete) */
typedef VOID NTAPI MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE(NDIS_HANDLE MiniportAdapterContext,
                                                         PVOID VirtualAddress,
                                                         PNDIS_PHYSICAL_ADDRESS PhysicalAddress,
                                                         ULONG Length, PVOID Context);
typedef struct _NDIS_SG_DMA_DESCRIPTION {
    NDIS_OBJECT_HEADER Header;
    ULONG Flags;
    ULONG MaximumPhysicalMapping;
    MINIPORT_PROCESS_SG_LIST *ProcessSGListHandler;
    MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE *SharedMemAllocateCompleteHandler;
    ULONG ScatterGatherListSize;
} NDIS_SG_DMA_DESCRIPTION, *PNDIS_SG_DMA_DESCRIPTION;
#define NDIS_SG_DMA_DESCRIPTION_REVISION_1 1
#define NDIS_SG_DMA_DESCRIPTION_REVISION_2 2
#define NDIS_SG_DMA_64_BIT_ADDRESS         0x00000001
#define NDIS_SG_DMA_V3_HAL_API             0x00000002
#define NDIS_SG_LIST_WRITE_TO_DEVICE       0x000000001

/* ---- NDIS spin lock (ndis/nf-ndis-ndisallocatespinlock) ----------------- */
typedef struct _NDIS_SPIN_LOCK {
    KSPIN_LOCK SpinLock;
    KIRQL OldIrql;
} NDIS_SPIN_LOCK, *PNDIS_SPIN_LOCK;

#define PCI_WHICHSPACE_CONFIG     0x0
#define NDIS_GET_VERSION_MAJOR(v) ((v) >> 16)

/* ---- ndis.sys exports (ndis/nf-ndis-<name>; IRQL per page) -------------- */
/* PASSIVE */
NDIS_API NDIS_STATUS NTAPI NdisMRegisterMiniportDriver(
    PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath, NDIS_HANDLE MiniportDriverContext,
    PNDIS_MINIPORT_DRIVER_CHARACTERISTICS MiniportDriverCharacteristics,
    PNDIS_HANDLE NdisMiniportDriverHandle);
NDIS_API VOID NTAPI NdisMDeregisterMiniportDriver(NDIS_HANDLE NdisMiniportDriverHandle);
NDIS_API UINT NTAPI NdisGetVersion(VOID);
NDIS_API NDIS_STATUS NTAPI NdisMSetMiniportAttributes(
    NDIS_HANDLE NdisMiniportAdapterHandle, PNDIS_MINIPORT_ADAPTER_ATTRIBUTES MiniportAttributes);
/* <= DISPATCH */
NDIS_API VOID NTAPI NdisMSendNetBufferListsComplete(NDIS_HANDLE MiniportAdapterHandle,
                                                    PNET_BUFFER_LIST NetBufferLists,
                                                    ULONG SendCompleteFlags);
NDIS_API VOID NTAPI NdisMIndicateReceiveNetBufferLists(NDIS_HANDLE MiniportAdapterHandle,
                                                       PNET_BUFFER_LIST NetBufferLists,
                                                       NDIS_PORT_NUMBER PortNumber,
                                                       ULONG NumberOfNetBufferLists,
                                                       ULONG ReceiveFlags);
NDIS_API VOID NTAPI NdisMOidRequestComplete(NDIS_HANDLE MiniportAdapterHandle,
                                            PNDIS_OID_REQUEST OidRequest, NDIS_STATUS Status);
NDIS_API VOID NTAPI NdisMPauseComplete(NDIS_HANDLE MiniportAdapterHandle);
NDIS_API VOID NTAPI NdisMRestartComplete(NDIS_HANDLE MiniportAdapterHandle, NDIS_STATUS Status);
NDIS_API VOID NTAPI NdisMIndicateStatusEx(NDIS_HANDLE MiniportAdapterHandle,
                                          PNDIS_STATUS_INDICATION StatusIndication);
/* Pools (<= DISPATCH) */
NDIS_API NDIS_HANDLE NTAPI
NdisAllocateNetBufferListPool(NDIS_HANDLE NdisHandle, PNET_BUFFER_LIST_POOL_PARAMETERS Parameters);
NDIS_API VOID NTAPI NdisFreeNetBufferListPool(NDIS_HANDLE PoolHandle);
NDIS_API PNET_BUFFER_LIST NTAPI NdisAllocateNetBufferList(NDIS_HANDLE PoolHandle,
                                                          USHORT ContextSize,
                                                          USHORT ContextBackFill);
NDIS_API PNET_BUFFER_LIST NTAPI NdisAllocateNetBufferAndNetBufferList(
    NDIS_HANDLE PoolHandle, USHORT ContextSize, USHORT ContextBackFill, PMDL MdlChain,
    ULONG DataOffset, SIZE_T DataLength);
NDIS_API VOID NTAPI NdisFreeNetBufferList(PNET_BUFFER_LIST NetBufferList);
NDIS_API NDIS_HANDLE NTAPI NdisAllocateNetBufferPool(NDIS_HANDLE NdisHandle,
                                                     PNET_BUFFER_POOL_PARAMETERS Parameters);
NDIS_API VOID NTAPI NdisFreeNetBufferPool(NDIS_HANDLE PoolHandle);
NDIS_API PNET_BUFFER NTAPI NdisAllocateNetBuffer(NDIS_HANDLE PoolHandle, PMDL MdlChain,
                                                 ULONG DataOffset, SIZE_T DataLength);
NDIS_API VOID NTAPI NdisFreeNetBuffer(PNET_BUFFER NetBuffer);
NDIS_API PMDL NTAPI NdisAllocateMdl(NDIS_HANDLE NdisHandle, PVOID VirtualAddress, UINT Length);
NDIS_API VOID NTAPI NdisFreeMdl(PMDL Mdl);
NDIS_API PVOID NTAPI NdisGetDataBuffer(PNET_BUFFER NetBuffer, ULONG BytesNeeded, PVOID Storage,
                                       UINT AlignMultiple, UINT AlignOffset);
/* Memory (<= DISPATCH) */
NDIS_API PVOID NTAPI NdisAllocateMemoryWithTagPriority(NDIS_HANDLE NdisHandle, UINT Length,
                                                       ULONG Tag, EX_POOL_PRIORITY Priority);
NDIS_API VOID NTAPI NdisFreeMemory(PVOID VirtualAddress, UINT Length, UINT MemoryFlags);
/* Interrupts: register/deregister at PASSIVE, queue a DPC at any IRQL,
 * synchronize at <= DIRQL. */
NDIS_API NDIS_STATUS NTAPI
NdisMRegisterInterruptEx(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE MiniportInterruptContext,
                         PNDIS_MINIPORT_INTERRUPT_CHARACTERISTICS MiniportInterruptCharacteristics,
                         PNDIS_HANDLE NdisInterruptHandle);
NDIS_API VOID NTAPI NdisMDeregisterInterruptEx(NDIS_HANDLE NdisInterruptHandle);
NDIS_API KAFFINITY NTAPI NdisMQueueDpcEx(NDIS_HANDLE NdisInterruptHandle, ULONG MessageId,
                                         PGROUP_AFFINITY TargetProcessors,
                                         PVOID MiniportDpcContext);
NDIS_API BOOLEAN NTAPI NdisMSynchronizeWithInterruptEx(NDIS_HANDLE NdisInterruptHandle,
                                                       ULONG MessageId,
                                                       MINIPORT_SYNCHRONIZE_INTERRUPT *Function,
                                                       PVOID SynchronizeContext);
/* DMA: register at PASSIVE (InitializeEx); SG lists at DISPATCH. */
NDIS_API NDIS_STATUS NTAPI NdisMRegisterScatterGatherDma(NDIS_HANDLE MiniportAdapterHandle,
                                                         PNDIS_SG_DMA_DESCRIPTION DmaDescription,
                                                         PNDIS_HANDLE NdisMiniportDmaHandle);
NDIS_API VOID NTAPI NdisMDeregisterScatterGatherDma(NDIS_HANDLE NdisMiniportDmaHandle);
NDIS_API NDIS_STATUS NTAPI NdisMAllocateNetBufferSGList(NDIS_HANDLE NdisMiniportDmaHandle,
                                                        PNET_BUFFER NetBuffer, PVOID Context,
                                                        ULONG Flags, PVOID ScatterGatherListBuffer,
                                                        ULONG ScatterGatherListBufferSize);
NDIS_API VOID NTAPI NdisMFreeNetBufferSGList(NDIS_HANDLE NdisMiniportDmaHandle,
                                             PSCATTER_GATHER_LIST pSGL, PNET_BUFFER NetBuffer);
/* Shared memory (PASSIVE) */
NDIS_API VOID NTAPI NdisMAllocateSharedMemory(NDIS_HANDLE MiniportAdapterHandle, ULONG Length,
                                              BOOLEAN Cached, PVOID *VirtualAddress,
                                              PNDIS_PHYSICAL_ADDRESS PhysicalAddress);
NDIS_API VOID NTAPI NdisMFreeSharedMemory(NDIS_HANDLE MiniportAdapterHandle, ULONG Length,
                                          BOOLEAN Cached, PVOID VirtualAddress,
                                          NDIS_PHYSICAL_ADDRESS PhysicalAddress);
/* Bus data and device space (PASSIVE, bus data <= DISPATCH) */
NDIS_API ULONG NTAPI NdisMGetBusData(NDIS_HANDLE NdisMiniportHandle, ULONG WhichSpace, ULONG Offset,
                                     PVOID Buffer, ULONG Length);
NDIS_API ULONG NTAPI NdisMSetBusData(NDIS_HANDLE NdisMiniportHandle, ULONG WhichSpace, ULONG Offset,
                                     PVOID Buffer, ULONG Length);
NDIS_API NDIS_STATUS NTAPI NdisMMapIoSpace(PVOID *VirtualAddress, NDIS_HANDLE MiniportAdapterHandle,
                                           NDIS_PHYSICAL_ADDRESS PhysicalAddress, UINT Length);
NDIS_API VOID NTAPI NdisMUnmapIoSpace(NDIS_HANDLE MiniportAdapterHandle, PVOID VirtualAddress,
                                      UINT Length);
NDIS_API NDIS_STATUS NTAPI NdisMRegisterIoPortRange(PVOID *PortOffset,
                                                    NDIS_HANDLE MiniportAdapterHandle,
                                                    UINT InitialPort, UINT NumberOfPorts);
NDIS_API VOID NTAPI NdisMDeregisterIoPortRange(NDIS_HANDLE MiniportAdapterHandle, UINT InitialPort,
                                               UINT NumberOfPorts, PVOID PortOffset);
/* Spin locks: acquire below DISPATCH, the Dpr forms at DISPATCH. */
NDIS_API VOID NTAPI NdisAllocateSpinLock(PNDIS_SPIN_LOCK SpinLock);
NDIS_API VOID NTAPI NdisFreeSpinLock(PNDIS_SPIN_LOCK SpinLock);
NDIS_API VOID NTAPI NdisAcquireSpinLock(PNDIS_SPIN_LOCK SpinLock);
NDIS_API VOID NTAPI NdisReleaseSpinLock(PNDIS_SPIN_LOCK SpinLock);
NDIS_API VOID NTAPI NdisDprAcquireSpinLock(PNDIS_SPIN_LOCK SpinLock);
NDIS_API VOID NTAPI NdisDprReleaseSpinLock(PNDIS_SPIN_LOCK SpinLock);

/* ==== Configuration (ndis/nf-ndis-ndisopenconfigurationex,
 * ndis/ns-ndis-_ndis_configuration_object,
 * ndis/ns-ndis-_ndis_configuration_parameter,
 * ndis/ne-ndis-_ndis_parameter_type, ndis/nf-ndis-ndisreadconfiguration,
 * ndis/nf-ndis-ndiswriteconfiguration, ndis/nf-ndis-ndiscloseconfiguration,
 * ndis/nf-ndis-ndisreadnetworkaddress).  The handle a miniport opens is the
 * adapter's registry key (its INF keywords: *JumboPacket, *RSS, ...).  A
 * value read with NdisParameterHexInteger comes back typed
 * NdisParameterInteger; the returned parameter belongs to NDIS and stays
 * valid until NdisCloseConfiguration. ==================================== */
typedef UNICODE_STRING NDIS_STRING, *PNDIS_STRING;
#define NdisInitUnicodeString(d, s) RtlInitUnicodeString((d), (s))
/* An NDIS_STRING initialiser for a wide literal (ndis.h's NDIS_STRING_CONST). */
#define NDIS_STRING_CONST(x) {sizeof(L##x) - sizeof(WCHAR), sizeof(L##x), (PWSTR)L##x}

typedef enum _NDIS_PARAMETER_TYPE {
    NdisParameterInteger,
    NdisParameterHexInteger,
    NdisParameterString,
    NdisParameterMultiString,
    NdisParameterBinary
} NDIS_PARAMETER_TYPE,
    *PNDIS_PARAMETER_TYPE;

/* ndis/ns-ndis-_binary_data */
typedef struct _BINARY_DATA {
    USHORT Length;
    PVOID Buffer;
} BINARY_DATA;

typedef struct _NDIS_CONFIGURATION_PARAMETER {
    NDIS_PARAMETER_TYPE ParameterType;
    union {
        ULONG IntegerData;
        NDIS_STRING StringData;
        BINARY_DATA BinaryData;
    } ParameterData;
} NDIS_CONFIGURATION_PARAMETER, *PNDIS_CONFIGURATION_PARAMETER;

#define NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT 0xA9
typedef struct _NDIS_CONFIGURATION_OBJECT {
    NDIS_OBJECT_HEADER Header;
    NDIS_HANDLE NdisHandle; /* the miniport adapter handle */
    ULONG Flags;
} NDIS_CONFIGURATION_OBJECT, *PNDIS_CONFIGURATION_OBJECT;
#define NDIS_CONFIGURATION_OBJECT_REVISION_1 1
#define NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1                                                \
    NDIS_SIZEOF_THROUGH(NDIS_CONFIGURATION_OBJECT, Flags)
#define NDIS_CONFIG_FLAG_FILTER_INSTANCE_CONFIGURATION 0x00000001

/* ---- More status codes (network/ndis-status-codes, the status indication
 * pages; NDIS_STATUS_* = the NTSTATUS of the same value) ------------------ */
#define NDIS_STATUS_NOT_RECOGNIZED                     ((NDIS_STATUS)0x00010001L)
#define NDIS_STATUS_NOT_ACCEPTED                       ((NDIS_STATUS)0x00010003L)
#define NDIS_STATUS_MEDIA_CONNECT                      ((NDIS_STATUS)0x4001000BL)
#define NDIS_STATUS_MEDIA_DISCONNECT                   ((NDIS_STATUS)0x4001000CL)
#define NDIS_STATUS_LINK_SPEED_CHANGE                  ((NDIS_STATUS)0x40010013L)
#define NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG        ((NDIS_STATUS)0x40020006L)
#define NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES ((NDIS_STATUS)0x40020007L)
#define NDIS_STATUS_OFFLOAD_ENCASPULATION_CHANGE       ((NDIS_STATUS)0x40020008L) /* sic */
#define NDIS_STATUS_BUFFER_OVERFLOW                    ((NDIS_STATUS)0x80000005L)
#define NDIS_STATUS_NOT_RESETTABLE                     ((NDIS_STATUS)0x80010001L)
#define NDIS_STATUS_HARD_ERRORS                        ((NDIS_STATUS)0x80010004L)
#define NDIS_STATUS_INVALID_DEVICE_REQUEST             ((NDIS_STATUS)0xC0000010L)
#define NDIS_STATUS_INVALID_STATE                      ((NDIS_STATUS)0xC0000184L) /* DEVICE_STATE */
#define NDIS_STATUS_CLOSING                            ((NDIS_STATUS)0xC0010002L)
#define NDIS_STATUS_DEVICE_FAILED                      ((NDIS_STATUS)0xC0010008L)
#define NDIS_STATUS_MULTICAST_FULL                     ((NDIS_STATUS)0xC0010009L)
#define NDIS_STATUS_MULTICAST_EXISTS                   ((NDIS_STATUS)0xC001000AL)
#define NDIS_STATUS_MULTICAST_NOT_FOUND                ((NDIS_STATUS)0xC001000BL)
#define NDIS_STATUS_INVALID_PACKET                     ((NDIS_STATUS)0xC001000FL)
#define NDIS_STATUS_ADAPTER_NOT_READY                  ((NDIS_STATUS)0xC0010011L)
#define NDIS_STATUS_RESOURCE_CONFLICT                  ((NDIS_STATUS)0xC001001EL)
#define NDIS_STATUS_INVALID_ADDRESS                    ((NDIS_STATUS)0xC0010022L)

/* ---- More OIDs (network/oid-gen-*, oid-tcp-offload-*, oid-offload-*,
 * oid-802-3-*) used for offload, RSS, statistics and filters ------------- */
#define OID_GEN_MEDIA_CAPABILITIES            0x00010201
#define OID_GEN_PHYSICAL_MEDIUM               0x00010202
#define OID_GEN_RECEIVE_SCALE_CAPABILITIES    0x00010203
#define OID_GEN_RECEIVE_SCALE_PARAMETERS      0x00010204
#define OID_GEN_MAX_LINK_SPEED                0x00010206
#define OID_GEN_LINK_STATE                    0x00010207
#define OID_GEN_LINK_PARAMETERS               0x00010208
#define OID_GEN_INTERRUPT_MODERATION          0x00010209
#define OID_GEN_VLAN_ID                       0x0001021C
#define OID_GEN_RECEIVE_HASH                  0x0001021F
#define OID_GEN_XMIT_ERROR                    0x00020103
#define OID_GEN_RCV_ERROR                     0x00020104
#define OID_GEN_RCV_NO_BUFFER                 0x00020105
#define OID_GEN_STATISTICS                    0x00020106
#define OID_GEN_DIRECTED_BYTES_XMIT           0x00020201
#define OID_GEN_DIRECTED_FRAMES_XMIT          0x00020202
#define OID_GEN_MULTICAST_BYTES_XMIT          0x00020203
#define OID_GEN_MULTICAST_FRAMES_XMIT         0x00020204
#define OID_GEN_BROADCAST_BYTES_XMIT          0x00020205
#define OID_GEN_BROADCAST_FRAMES_XMIT         0x00020206
#define OID_GEN_DIRECTED_BYTES_RCV            0x00020207
#define OID_GEN_DIRECTED_FRAMES_RCV           0x00020208
#define OID_GEN_MULTICAST_BYTES_RCV           0x00020209
#define OID_GEN_MULTICAST_FRAMES_RCV          0x0002020A
#define OID_GEN_BROADCAST_BYTES_RCV           0x0002020B
#define OID_GEN_BROADCAST_FRAMES_RCV          0x0002020C
#define OID_GEN_RCV_CRC_ERROR                 0x0002020D
#define OID_GEN_BYTES_RCV                     0x00020219
#define OID_GEN_BYTES_XMIT                    0x0002021A
#define OID_GEN_RCV_DISCARDS                  0x0002021B
#define OID_GEN_XMIT_DISCARDS                 0x0002021C
#define OID_TCP_RSC_STATISTICS                0x0002021D
#define OID_802_3_RCV_ERROR_ALIGNMENT         0x01020101
#define OID_802_3_XMIT_ONE_COLLISION          0x01020102
#define OID_802_3_XMIT_MORE_COLLISIONS        0x01020103
#define OID_802_3_ADD_MULTICAST_ADDRESS       0x01010208
#define OID_802_3_DELETE_MULTICAST_ADDRESS    0x01010209
#define OID_OFFLOAD_ENCAPSULATION             0x0101010A
#define OID_TCP_OFFLOAD_CURRENT_CONFIG        0xFC01020B
#define OID_TCP_OFFLOAD_PARAMETERS            0xFC01020C
#define OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES 0xFC01020D
#define OID_PNP_CAPABILITIES                  0xFD010100

/* ---- Statistics (ntddndis/ns-ntddndis-_ndis_statistics_info) ------------ */
typedef struct _NDIS_STATISTICS_INFO {
    NDIS_OBJECT_HEADER Header;
    ULONG SupportedStatistics;
    ULONG64 ifInDiscards;
    ULONG64 ifInErrors;
    ULONG64 ifHCInOctets;
    ULONG64 ifHCInUcastPkts;
    ULONG64 ifHCInMulticastPkts;
    ULONG64 ifHCInBroadcastPkts;
    ULONG64 ifHCOutOctets;
    ULONG64 ifHCOutUcastPkts;
    ULONG64 ifHCOutMulticastPkts;
    ULONG64 ifHCOutBroadcastPkts;
    ULONG64 ifOutErrors;
    ULONG64 ifOutDiscards;
    ULONG64 ifHCInUcastOctets;
    ULONG64 ifHCInMulticastOctets;
    ULONG64 ifHCInBroadcastOctets;
    ULONG64 ifHCOutUcastOctets;
    ULONG64 ifHCOutMulticastOctets;
    ULONG64 ifHCOutBroadcastOctets;
} NDIS_STATISTICS_INFO, *PNDIS_STATISTICS_INFO;
#define NDIS_STATISTICS_INFO_REVISION_1 1

/* ---- RSC statistics (ntddndis/ns-ntddndis-_ndis_rsc_statistics_info) ---- */
typedef struct _NDIS_RSC_STATISTICS_INFO {
    NDIS_OBJECT_HEADER Header;
    ULONG64 CoalescedPkts;
    ULONG64 CoalescedOctets;
    ULONG64 CoalesceEvents;
    ULONG64 Aborts;
} NDIS_RSC_STATISTICS_INFO, *PNDIS_RSC_STATISTICS_INFO;
#define NDIS_RSC_STATISTICS_REVISION_1        1
#define NDIS_SIZEOF_RSC_STATISTICS_REVISION_1 NDIS_SIZEOF_THROUGH(NDIS_RSC_STATISTICS_INFO, Aborts)
#define NDIS_SIZEOF_STATISTICS_INFO_REVISION_1                                                     \
    NDIS_SIZEOF_THROUGH(NDIS_STATISTICS_INFO, ifHCOutBroadcastOctets)
#define NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_RCV   0x00000001
#define NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_RCV  0x00000002
#define NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_RCV  0x00000004
#define NDIS_STATISTICS_FLAGS_VALID_BYTES_RCV             0x00000008
#define NDIS_STATISTICS_FLAGS_VALID_RCV_DISCARDS          0x00000010
#define NDIS_STATISTICS_FLAGS_VALID_RCV_ERROR             0x00000020
#define NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_XMIT  0x00000040
#define NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_XMIT 0x00000080
#define NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_XMIT 0x00000100
#define NDIS_STATISTICS_FLAGS_VALID_BYTES_XMIT            0x00000200
#define NDIS_STATISTICS_FLAGS_VALID_XMIT_ERROR            0x00000400
#define NDIS_STATISTICS_FLAGS_VALID_XMIT_DISCARDS         0x00008000
#define NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_RCV    0x00010000
#define NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_RCV   0x00020000
#define NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_RCV   0x00040000
#define NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_XMIT   0x00080000
#define NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_XMIT  0x00100000
#define NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_XMIT  0x00200000

/* ---- RSS parameters (ntddndis/ns-ntddndis-_ndis_receive_scale_parameters):
 * REVISION_1 = 6.0 (through HashSecretKeyOffset), 2 = 6.20 (processor
 * masks), 3 = 6.60 (DefaultProcessorNumber).  The indirection table (of
 * PROCESSOR_NUMBER from revision 2) and the key follow the structure at the
 * given offsets. ---------------------------------------------------------- */
typedef struct _NDIS_RECEIVE_SCALE_PARAMETERS {
    NDIS_OBJECT_HEADER Header;
    USHORT Flags;
    USHORT BaseCpuNumber;
    ULONG HashInformation;
    USHORT IndirectionTableSize;
    ULONG IndirectionTableOffset;
    USHORT HashSecretKeySize;
    ULONG HashSecretKeyOffset;
    ULONG ProcessorMasksOffset;
    ULONG NumberOfProcessorMasks;
    ULONG ProcessorMasksEntrySize;
    PROCESSOR_NUMBER DefaultProcessorNumber;
} NDIS_RECEIVE_SCALE_PARAMETERS, *PNDIS_RECEIVE_SCALE_PARAMETERS;
#define NDIS_RECEIVE_SCALE_PARAMETERS_REVISION_1 1
#define NDIS_RECEIVE_SCALE_PARAMETERS_REVISION_2 2
#define NDIS_RECEIVE_SCALE_PARAMETERS_REVISION_3 3
#define NDIS_SIZEOF_RECEIVE_SCALE_PARAMETERS_REVISION_1                                            \
    NDIS_SIZEOF_THROUGH(NDIS_RECEIVE_SCALE_PARAMETERS, HashSecretKeyOffset)
#define NDIS_SIZEOF_RECEIVE_SCALE_PARAMETERS_REVISION_2                                            \
    NDIS_SIZEOF_THROUGH(NDIS_RECEIVE_SCALE_PARAMETERS, ProcessorMasksEntrySize)
#define NDIS_SIZEOF_RECEIVE_SCALE_PARAMETERS_REVISION_3                                            \
    NDIS_SIZEOF_THROUGH(NDIS_RECEIVE_SCALE_PARAMETERS, DefaultProcessorNumber)
#define NDIS_RSS_PARAM_FLAG_BASE_CPU_UNCHANGED         0x0001
#define NDIS_RSS_PARAM_FLAG_HASH_INFO_UNCHANGED        0x0002
#define NDIS_RSS_PARAM_FLAG_ITABLE_UNCHANGED           0x0004
#define NDIS_RSS_PARAM_FLAG_HASH_KEY_UNCHANGED         0x0008
#define NDIS_RSS_PARAM_FLAG_DISABLE_RSS                0x0010
#define NDIS_RSS_INDIRECTION_TABLE_MAX_SIZE_REVISION_1 128
#define NDIS_RSS_INDIRECTION_TABLE_MAX_SIZE_REVISION_2 (128 * sizeof(PROCESSOR_NUMBER))
#define NDIS_RSS_HASH_SECRET_KEY_MAX_SIZE_REVISION_1   40
#define NDIS_RSS_HASH_SECRET_KEY_MAX_SIZE_REVISION_2   40
/* NDIS_RECEIVE_SCALE_CAPABILITIES.CapabilitiesFlags */
#define NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV4          0x00000100
#define NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV6          0x00000200
#define NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV6_EX       0x00000400
#define NDIS_RSS_CAPS_HASH_TYPE_UDP_IPV4          0x00000800
#define NDIS_RSS_CAPS_HASH_TYPE_UDP_IPV6          0x00001000
#define NDIS_RSS_CAPS_HASH_TYPE_UDP_IPV6_EX       0x00002000
#define NDIS_RSS_CAPS_MESSAGE_SIGNALED_INTERRUPTS 0x01000000
#define NDIS_RSS_CAPS_CLASSIFICATION_AT_ISR       0x02000000
#define NDIS_RSS_CAPS_CLASSIFICATION_AT_DPC       0x04000000
#define NDIS_RSS_CAPS_USING_MSI_X                 0x08000000
#define NDIS_RSS_CAPS_RSS_AVAILABLE_ON_PORTS      0x10000000
#define NDIS_RSS_CAPS_SUPPORTS_MSI_X              0x20000000
#define NDIS_HASH_UDP_IPV4                        0x00004000
#define NDIS_HASH_UDP_IPV6                        0x00008000
#define NDIS_HASH_UDP_IPV6_EX                     0x00010000

/* ---- Offload parameters, set by OID_TCP_OFFLOAD_PARAMETERS
 * (ntddndis/ns-ntddndis-_ndis_offload_parameters): REVISION_1 = 6.0
 * (through Flags), 2 = 6.1 (IPsecV2), 3 = 6.30 (Rsc, encapsulation), 4 =
 * 6.50 (EncapsulationProtocolParameters), 5 = 6.83 (UdpSegmentation), 6 =
 * 6.89 (UdpRsc).  Each UCHAR is an NDIS_OFFLOAD_PARAMETERS_* value. ------- */
typedef struct _NDIS_OFFLOAD_PARAMETERS {
    NDIS_OBJECT_HEADER Header;
    UCHAR IPv4Checksum;
    UCHAR TCPIPv4Checksum;
    UCHAR UDPIPv4Checksum;
    UCHAR TCPIPv6Checksum;
    UCHAR UDPIPv6Checksum;
    UCHAR LsoV1;
    UCHAR IPsecV1;
    UCHAR LsoV2IPv4;
    UCHAR LsoV2IPv6;
    UCHAR TcpConnectionIPv4;
    UCHAR TcpConnectionIPv6;
    ULONG Flags;
    UCHAR IPsecV2;
    UCHAR IPsecV2IPv4;
    struct {
        UCHAR RscIPv4;
        UCHAR RscIPv6;
    };
    struct {
        UCHAR EncapsulatedPacketTaskOffload;
        UCHAR EncapsulationTypes;
    };
    union {
        struct {
            USHORT VxlanUDPPortNumber;
        } VxlanParameters;
        ULONG Value;
    } EncapsulationProtocolParameters;
    struct {
        UCHAR IPv4;
        UCHAR IPv6;
    } UdpSegmentation;
    struct {
        UCHAR Enabled;
    } UdpRsc;
} NDIS_OFFLOAD_PARAMETERS, *PNDIS_OFFLOAD_PARAMETERS;
#define NDIS_OFFLOAD_PARAMETERS_REVISION_1 1
#define NDIS_OFFLOAD_PARAMETERS_REVISION_2 2
#define NDIS_OFFLOAD_PARAMETERS_REVISION_3 3
#define NDIS_OFFLOAD_PARAMETERS_REVISION_4 4
#define NDIS_OFFLOAD_PARAMETERS_REVISION_5 5
#define NDIS_OFFLOAD_PARAMETERS_REVISION_6 6
#define NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1                                                  \
    NDIS_SIZEOF_THROUGH(NDIS_OFFLOAD_PARAMETERS, Flags)
#define NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_2                                                  \
    NDIS_SIZEOF_THROUGH(NDIS_OFFLOAD_PARAMETERS, IPsecV2IPv4)
#define NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_3                                                  \
    NDIS_SIZEOF_THROUGH(NDIS_OFFLOAD_PARAMETERS, EncapsulationTypes)
#define NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_4                                                  \
    NDIS_SIZEOF_THROUGH(NDIS_OFFLOAD_PARAMETERS, EncapsulationProtocolParameters)
#define NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_5                                                  \
    NDIS_SIZEOF_THROUGH(NDIS_OFFLOAD_PARAMETERS, UdpSegmentation)
#define NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_6                                                  \
    NDIS_SIZEOF_THROUGH(NDIS_OFFLOAD_PARAMETERS, UdpRsc)
#define NDIS_OFFLOAD_PARAMETERS_NO_CHANGE                   0
#define NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED              1
#define NDIS_OFFLOAD_PARAMETERS_TX_ENABLED_RX_DISABLED      2
#define NDIS_OFFLOAD_PARAMETERS_RX_ENABLED_TX_DISABLED      3
#define NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED               4
#define NDIS_OFFLOAD_PARAMETERS_LSOV1_DISABLED              1
#define NDIS_OFFLOAD_PARAMETERS_IPSECV1_DISABLED            1
#define NDIS_OFFLOAD_PARAMETERS_LSOV1_ENABLED               2
#define NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED              1
#define NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED               2
#define NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED                1
#define NDIS_OFFLOAD_PARAMETERS_RSC_ENABLED                 2
#define NDIS_OFFLOAD_PARAMETERS_USO_DISABLED                1
#define NDIS_OFFLOAD_PARAMETERS_USO_ENABLED                 2
#define NDIS_OFFLOAD_PARAMETERS_SKIP_REGISTRY_UPDATE        0x00000001
#define NDIS_OFFLOAD_PARAMETERS_CONNECTION_OFFLOAD_DISABLED 1
#define NDIS_OFFLOAD_PARAMETERS_CONNECTION_OFFLOAD_ENABLED  2

/* ---- Offload capabilities (ntddndis/ns-ntddndis-_ndis_offload and the
 * member structures' pages: _ndis_tcp_ip_checksum_offload,
 * _ndis_tcp_large_send_offload_v1, _ndis_ipsec_offload_v1,
 * _ndis_tcp_large_send_offload_v2, _ndis_ipsec_offload_v2,
 * _ndis_tcp_recv_seg_coalesce_offload, _ndis_encapsulated_packet_task_offload,
 * _ndis_encapsulated_packet_task_offload_v2, _ndis_rfc6877_464xlat_offload,
 * _ndis_udp_segmentation_offload, nbluro/ns-nbluro-ndis_udp_rsc_offload).
 * Given by NdisMSetMiniportAttributes (offload attributes), returned for
 * OID_TCP_OFFLOAD_CURRENT_CONFIG / HARDWARE_CAPABILITIES and indicated with
 * NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG. ------------------------------- */
typedef struct _NDIS_TCP_IP_CHECKSUM_OFFLOAD {
    struct {
        ULONG Encapsulation;
        ULONG IpOptionsSupported : 2;
        ULONG TcpOptionsSupported : 2;
        ULONG TcpChecksum : 2;
        ULONG UdpChecksum : 2;
        ULONG IpChecksum : 2;
    } IPv4Transmit;
    struct {
        ULONG Encapsulation;
        ULONG IpOptionsSupported : 2;
        ULONG TcpOptionsSupported : 2;
        ULONG TcpChecksum : 2;
        ULONG UdpChecksum : 2;
        ULONG IpChecksum : 2;
    } IPv4Receive;
    struct {
        ULONG Encapsulation;
        ULONG IpExtensionHeadersSupported : 2;
        ULONG TcpOptionsSupported : 2;
        ULONG TcpChecksum : 2;
        ULONG UdpChecksum : 2;
    } IPv6Transmit;
    struct {
        ULONG Encapsulation;
        ULONG IpExtensionHeadersSupported : 2;
        ULONG TcpOptionsSupported : 2;
        ULONG TcpChecksum : 2;
        ULONG UdpChecksum : 2;
    } IPv6Receive;
} NDIS_TCP_IP_CHECKSUM_OFFLOAD, *PNDIS_TCP_IP_CHECKSUM_OFFLOAD;

typedef struct _NDIS_TCP_LARGE_SEND_OFFLOAD_V1 {
    struct {
        ULONG Encapsulation;
        ULONG MaxOffLoadSize;
        ULONG MinSegmentCount;
        ULONG TcpOptions : 2;
        ULONG IpOptions : 2;
    } IPv4;
} NDIS_TCP_LARGE_SEND_OFFLOAD_V1, *PNDIS_TCP_LARGE_SEND_OFFLOAD_V1;

typedef struct _NDIS_IPSEC_OFFLOAD_V1 {
    struct {
        ULONG Encapsulation;
        ULONG AhEspCombined;
        ULONG TransportTunnelCombined;
        ULONG IPv4Options;
        ULONG Flags;
    } Supported;
    struct {
        ULONG Md5 : 2;
        ULONG Sha_1 : 2;
        ULONG Transport : 2;
        ULONG Tunnel : 2;
        ULONG Send : 2;
        ULONG Receive : 2;
    } IPv4AH;
    struct {
        ULONG Des : 2;
        ULONG Reserved : 2;
        ULONG TripleDes : 2;
        ULONG NullEsp : 2;
        ULONG Transport : 2;
        ULONG Tunnel : 2;
        ULONG Send : 2;
        ULONG Receive : 2;
    } IPv4ESP;
} NDIS_IPSEC_OFFLOAD_V1, *PNDIS_IPSEC_OFFLOAD_V1;

typedef struct _NDIS_TCP_LARGE_SEND_OFFLOAD_V2 {
    struct {
        ULONG Encapsulation;
        ULONG MaxOffLoadSize;
        ULONG MinSegmentCount;
    } IPv4;
    struct {
        ULONG Encapsulation;
        ULONG MaxOffLoadSize;
        ULONG MinSegmentCount;
        ULONG IpExtensionHeadersSupported : 2;
        ULONG TcpOptionsSupported : 2;
    } IPv6;
} NDIS_TCP_LARGE_SEND_OFFLOAD_V2, *PNDIS_TCP_LARGE_SEND_OFFLOAD_V2;

typedef struct _NDIS_IPSEC_OFFLOAD_V2 {
    ULONG Encapsulation;
    BOOLEAN IPv6Supported;
    BOOLEAN IPv4Options;
    BOOLEAN IPv6NonIPsecExtensionHeaders;
    BOOLEAN Ah;
    BOOLEAN Esp;
    BOOLEAN AhEspCombined;
    BOOLEAN Transport;
    BOOLEAN Tunnel;
    BOOLEAN TransportTunnelCombined;
    BOOLEAN LsoSupported;
    BOOLEAN ExtendedSequenceNumbers;
    ULONG UdpEsp;
    ULONG AuthenticationAlgorithms;
    ULONG EncryptionAlgorithms;
    ULONG SaOffloadCapacity;
} NDIS_IPSEC_OFFLOAD_V2, *PNDIS_IPSEC_OFFLOAD_V2;

typedef struct _NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD {
    struct {
        BOOLEAN Enabled;
    } IPv4;
    struct {
        BOOLEAN Enabled;
    } IPv6;
} NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD, *PNDIS_TCP_RECV_SEG_COALESCE_OFFLOAD;

typedef struct _NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD {
    ULONG TransmitChecksumOffloadSupported : 4;
    ULONG ReceiveChecksumOffloadSupported : 4;
    ULONG LsoV2Supported : 4;
    ULONG RssSupported : 4;
    ULONG VmqSupported : 4;
    ULONG MaxHeaderSizeSupported;
} NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD, *PNDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD;

typedef struct _NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2 {
    ULONG TransmitChecksumOffloadSupported : 4;
    ULONG ReceiveChecksumOffloadSupported : 4;
    ULONG LsoV2Supported : 4;
    ULONG RssSupported : 4;
    ULONG VmqSupported : 4;
    ULONG UsoSupported : 4;
    ULONG Reserved : 8;
    ULONG MaxHeaderSizeSupported;
    union {
        struct {
            USHORT VxlanUDPPortNumber;
            USHORT VxlanUDPPortNumberConfigurable : 1;
        } VxlanInfo;
        ULONG Value;
    } EncapsulationProtocolInfo;
    ULONG Reserved1;
    ULONG Reserved2;
} NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2, *PNDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2;

typedef enum _NDIS_RFC6877_464XLAT_OFFLOAD_OPTIONS {
    NDIS_RFC6877_464XLAT_OFFLOAD_NOT_SUPPORTED,
    NDIS_RFC6877_464XLAT_OFFLOAD_DISABLED,
    NDIS_RFC6877_464XLAT_OFFLOAD_ENABLED,
    NDIS_RFC6877_464XLAT_OFFLOAD_ON_DEMAND
} NDIS_RFC6877_464XLAT_OFFLOAD_OPTIONS;
typedef struct _NDIS_RFC6877_464XLAT_OFFLOAD {
    NDIS_RFC6877_464XLAT_OFFLOAD_OPTIONS XlatOffload;
    ULONG Flags;
} NDIS_RFC6877_464XLAT_OFFLOAD, *PNDIS_RFC6877_464XLAT_OFFLOAD;

typedef struct _NDIS_UDP_SEGMENTATION_OFFLOAD {
    struct {
        ULONG Encapsulation;
        ULONG MaxOffLoadSize;
        ULONG MinSegmentCount : 6;
        ULONG SubMssFinalSegmentSupported : 1;
        ULONG Reserved : 25;
    } IPv4;
    struct {
        ULONG Encapsulation;
        ULONG MaxOffLoadSize;
        ULONG MinSegmentCount : 6;
        ULONG SubMssFinalSegmentSupported : 1;
        ULONG Reserved1 : 25;
        ULONG IpExtensionHeadersSupported : 2;
        ULONG Reserved2 : 30;
    } IPv6;
} NDIS_UDP_SEGMENTATION_OFFLOAD, *PNDIS_UDP_SEGMENTATION_OFFLOAD;

typedef struct _NDIS_UDP_RSC_OFFLOAD {
    BOOLEAN Enabled;
} NDIS_UDP_RSC_OFFLOAD;

typedef struct _NDIS_OFFLOAD {
    NDIS_OBJECT_HEADER Header;
    NDIS_TCP_IP_CHECKSUM_OFFLOAD Checksum;
    NDIS_TCP_LARGE_SEND_OFFLOAD_V1 LsoV1;
    NDIS_IPSEC_OFFLOAD_V1 IPsecV1;
    NDIS_TCP_LARGE_SEND_OFFLOAD_V2 LsoV2;
    ULONG Flags;
    NDIS_IPSEC_OFFLOAD_V2 IPsecV2;
    NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD Rsc;
    NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD EncapsulatedPacketTaskOffloadGre;
    NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2 EncapsulatedPacketTaskOffloadVxlan;
    UCHAR EncapsulationTypes;
    NDIS_RFC6877_464XLAT_OFFLOAD Rfc6877Xlat;
    NDIS_UDP_SEGMENTATION_OFFLOAD UdpSegmentation;
    NDIS_UDP_RSC_OFFLOAD UdpRsc;
} NDIS_OFFLOAD, *PNDIS_OFFLOAD;
/* REVISION_1 = 6.0 (through Flags), 2 = 6.1 (IPsecV2), 3 = 6.30 (Rsc, Gre),
 * 4 = 6.50 (Vxlan, EncapsulationTypes), 5 = 6.70 (Rfc6877Xlat), 6 = 6.83
 * (UdpSegmentation), 7 = UdpRsc. */
#define NDIS_OFFLOAD_REVISION_1             1
#define NDIS_OFFLOAD_REVISION_2             2
#define NDIS_OFFLOAD_REVISION_3             3
#define NDIS_OFFLOAD_REVISION_4             4
#define NDIS_OFFLOAD_REVISION_5             5
#define NDIS_OFFLOAD_REVISION_6             6
#define NDIS_OFFLOAD_REVISION_7             7
#define NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_1 NDIS_SIZEOF_THROUGH(NDIS_OFFLOAD, Flags)
#define NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_2 NDIS_SIZEOF_THROUGH(NDIS_OFFLOAD, IPsecV2)
#define NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_3                                                        \
    NDIS_SIZEOF_THROUGH(NDIS_OFFLOAD, EncapsulatedPacketTaskOffloadGre)
#define NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_4            NDIS_SIZEOF_THROUGH(NDIS_OFFLOAD, EncapsulationTypes)
#define NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_5            NDIS_SIZEOF_THROUGH(NDIS_OFFLOAD, Rfc6877Xlat)
#define NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_6            NDIS_SIZEOF_THROUGH(NDIS_OFFLOAD, UdpSegmentation)
#define NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_7            NDIS_SIZEOF_THROUGH(NDIS_OFFLOAD, UdpRsc)
#define NDIS_OFFLOAD_NOT_SUPPORTED                     0
#define NDIS_OFFLOAD_SUPPORTED                         1
#define NDIS_OFFLOAD_SET_NO_CHANGE                     0
#define NDIS_OFFLOAD_SET_ON                            1
#define NDIS_OFFLOAD_SET_OFF                           2
#define NDIS_ENCAPSULATION_NOT_SUPPORTED               0x00000000
#define NDIS_ENCAPSULATION_NULL                        0x00000001
#define NDIS_ENCAPSULATION_IEEE_802_3                  0x00000002
#define NDIS_ENCAPSULATION_IEEE_802_3_P_AND_Q          0x00000004
#define NDIS_ENCAPSULATION_IEEE_802_3_P_AND_Q_IN_OOB   0x00000008
#define NDIS_ENCAPSULATION_IEEE_LLC_SNAP_ROUTED        0x00000010
#define NDIS_OFFLOAD_FLAGS_GROUP_CHECKSUM_CAPABILITIES 0x00000001

/* ---- Offload encapsulation, set by OID_OFFLOAD_ENCAPSULATION
 * (ntddndis/ns-ntddndis-_ndis_offload_encapsulation) --------------------- */
#define NDIS_OBJECT_TYPE_OFFLOAD_ENCAPSULATION 0xA8
typedef struct _NDIS_OFFLOAD_ENCAPSULATION {
    NDIS_OBJECT_HEADER Header;
    struct {
        ULONG Enabled;
        ULONG EncapsulationType;
        ULONG HeaderSize;
    } IPv4;
    struct {
        ULONG Enabled;
        ULONG EncapsulationType;
        ULONG HeaderSize;
    } IPv6;
} NDIS_OFFLOAD_ENCAPSULATION, *PNDIS_OFFLOAD_ENCAPSULATION;
#define NDIS_OFFLOAD_ENCAPSULATION_REVISION_1 1

/* ---- Receive throttling (ndis/ns-ndis-_ndis_receive_throttle_parameters):
 * what NDIS gives each interrupt DPC (6.20 and later). -------------------- */
typedef struct _NDIS_RECEIVE_THROTTLE_PARAMETERS {
    ULONG MaxNblsToIndicate;
    ULONG MoreNblsPending : 1;
} NDIS_RECEIVE_THROTTLE_PARAMETERS, *PNDIS_RECEIVE_THROTTLE_PARAMETERS;
#define NDIS_INDICATE_ALL_NBLS (~0ul)

/* ---- Timers and work items (ndis/nf-ndis-ndisallocatetimerobject,
 * ndis/ns-ndis-_ndis_timer_characteristics, ndis/nc-ndis-ndis_timer_function,
 * ndis/nf-ndis-ndissettimerobject, ndis/nf-ndis-ndiscanceltimerobject,
 * ndis/nf-ndis-ndisfreetimerobject, ndis/nf-ndis-ndisallocateioworkitem,
 * ndis/nf-ndis-ndisqueueioworkitem, ndis/nc-ndis-ndis_io_workitem_function,
 * ndis/nf-ndis-ndisfreeioworkitem) --------------------------------------- */
#define NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS 0x97
/* DISPATCH */
typedef VOID NTAPI NDIS_TIMER_FUNCTION(PVOID SystemSpecific1, PVOID FunctionContext,
                                       PVOID SystemSpecific2, PVOID SystemSpecific3);
typedef struct _NDIS_TIMER_CHARACTERISTICS {
    NDIS_OBJECT_HEADER Header;
    ULONG AllocationTag;
    NDIS_TIMER_FUNCTION *TimerFunction;
    PVOID FunctionContext;
} NDIS_TIMER_CHARACTERISTICS, *PNDIS_TIMER_CHARACTERISTICS;
#define NDIS_TIMER_CHARACTERISTICS_REVISION_1 1
/* PASSIVE */
typedef VOID NTAPI NDIS_IO_WORKITEM_FUNCTION(PVOID WorkItemContext,
                                             NDIS_HANDLE NdisIoWorkItemHandle);

/* ---- More ndis.sys exports (ndis/nf-ndis-<name>; IRQL per page) --------- */
/* Configuration: all PASSIVE. */
NDIS_API NDIS_STATUS NTAPI NdisOpenConfigurationEx(PNDIS_CONFIGURATION_OBJECT ConfigObject,
                                                   PNDIS_HANDLE ConfigurationHandle);
NDIS_API VOID NTAPI NdisReadConfiguration(PNDIS_STATUS Status,
                                          PNDIS_CONFIGURATION_PARAMETER *ParameterValue,
                                          NDIS_HANDLE ConfigurationHandle, PNDIS_STRING Keyword,
                                          NDIS_PARAMETER_TYPE ParameterType);
NDIS_API VOID NTAPI NdisWriteConfiguration(PNDIS_STATUS Status, NDIS_HANDLE ConfigurationHandle,
                                           PNDIS_STRING Keyword,
                                           PNDIS_CONFIGURATION_PARAMETER ParameterValue);
NDIS_API VOID NTAPI NdisCloseConfiguration(NDIS_HANDLE ConfigurationHandle);
NDIS_API VOID NTAPI NdisReadNetworkAddress(PNDIS_STATUS Status, PVOID *NetworkAddress,
                                           UINT *NetworkAddressLength,
                                           NDIS_HANDLE ConfigurationHandle);
/* Reset completion (<= DISPATCH) */
NDIS_API VOID NTAPI NdisMResetComplete(NDIS_HANDLE MiniportAdapterHandle, NDIS_STATUS Status,
                                       BOOLEAN AddressingReset);
/* Timers: allocate/free at PASSIVE, set/cancel at <= DISPATCH. */
NDIS_API NDIS_STATUS NTAPI NdisAllocateTimerObject(NDIS_HANDLE NdisHandle,
                                                   PNDIS_TIMER_CHARACTERISTICS TimerCharacteristics,
                                                   PNDIS_HANDLE pTimerObject);
NDIS_API BOOLEAN NTAPI NdisSetTimerObject(NDIS_HANDLE TimerObject, LARGE_INTEGER DueTime,
                                          LONG MillisecondsPeriod, PVOID FunctionContext);
NDIS_API BOOLEAN NTAPI NdisCancelTimerObject(NDIS_HANDLE TimerObject);
NDIS_API VOID NTAPI NdisFreeTimerObject(NDIS_HANDLE TimerObject);
/* Work items: allocate/queue/free at <= DISPATCH; the routine runs at PASSIVE. */
NDIS_API NDIS_HANDLE NTAPI NdisAllocateIoWorkItem(NDIS_HANDLE NdisObjectHandle);
NDIS_API VOID NTAPI NdisQueueIoWorkItem(NDIS_HANDLE NdisIoWorkItemHandle,
                                        NDIS_IO_WORKITEM_FUNCTION *Routine, PVOID WorkItemContext);
NDIS_API VOID NTAPI NdisFreeIoWorkItem(NDIS_HANDLE NdisIoWorkItemHandle);
/* Shared memory, asynchronous form (<= DISPATCH; completes through the SG
 * DMA description's SharedMemAllocateCompleteHandler). */
NDIS_API NDIS_STATUS NTAPI NdisMAllocateSharedMemoryAsyncEx(NDIS_HANDLE MiniportDmaHandle,
                                                            ULONG Length, BOOLEAN Cached,
                                                            PVOID Context);
/* Sleep (PASSIVE). */
NDIS_API VOID NTAPI NdisMSleep(ULONG MicrosecondsToSleep);
