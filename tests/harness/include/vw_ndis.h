/*
 * NDIS 6 constants the harness's ndis.sys emulation and NDIS scenarios use:
 * status codes, object header types, packet filters (OIDs: vw_oid.h), the
 * NetBufferListInfo slot indices and the bit fields of the per-NBL
 * information, offload and RSS values.  Values from Microsoft's documented
 * declarations (the page cited per group); structure offsets are not here:
 * they come from the layout table (tests/layout, VW_OFFSET), pinned to the
 * documentation by `make check-layout`.  Defined once for the harness.
 */
#pragma once

/* NDIS_STATUS (ndis/ndis-status-codes; NTSTATUS values where they alias). */
#define VW_NDIS_STATUS_SUCCESS                     0x00000000u
#define VW_NDIS_STATUS_PENDING                     0x00000103u
#define VW_NDIS_STATUS_FAILURE                     0xC0000001u
#define VW_NDIS_STATUS_INVALID_PARAMETER           0xC000000Du
#define VW_NDIS_STATUS_RESOURCES                   0xC000009Au
#define VW_NDIS_STATUS_NOT_SUPPORTED               0xC00000BBu
#define VW_NDIS_STATUS_INVALID_LENGTH              0xC0010014u
#define VW_NDIS_STATUS_RESOURCE_CONFLICT           0xC001001Eu
#define VW_NDIS_STATUS_BAD_VERSION                 0xC0010004u
#define VW_NDIS_STATUS_BAD_CHARACTERISTICS         0xC0010005u
#define VW_NDIS_STATUS_INVALID_DATA                0xC0010015u
#define VW_NDIS_STATUS_LINK_STATE                  0x40010017u
#define VW_NDIS_STATUS_NOT_RESETTABLE              0x80010001u
#define VW_NDIS_STATUS_SOFT_ERRORS                 0x80010003u
#define VW_NDIS_STATUS_HARD_ERRORS                 0x80010004u
#define VW_NDIS_STATUS_RESET_IN_PROGRESS           0xC001000Du
#define VW_NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG 0x40020006u

/* NDIS_OBJECT_HEADER.Type (ndis/ns-ndis-_ndis_object_header). */
#define VW_NDIS_OBJECT_TYPE_DEFAULT                                  0x80
#define VW_NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS                 0x81
#define VW_NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION                       0x83
#define VW_NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT                       0x84
#define VW_NDIS_OBJECT_TYPE_RSS_CAPABILITIES                         0x88
#define VW_NDIS_OBJECT_TYPE_RSS_PARAMETERS                           0x89
#define VW_NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS          0x8A
#define VW_NDIS_OBJECT_TYPE_OID_REQUEST                              0x96
#define VW_NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS                    0x97
#define VW_NDIS_OBJECT_TYPE_STATUS_INDICATION                        0x98
#define VW_NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES 0x9E
#define VW_NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES      0x9F
#define VW_NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES      0xA0
#define VW_NDIS_OBJECT_TYPE_OFFLOAD                                  0xA7
#define VW_NDIS_OBJECT_TYPE_OFFLOAD_ENCAPSULATION                    0xA8
#define VW_NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT                     0xA9

/* Send, completion, receive and return flags (ndis/nc-ndis-miniport_send_net_buffer_lists,
 * ndis/nf-ndis-ndismindicatereceivenetbufferlists). */
#define VW_NDIS_FLAGS_DISPATCH_LEVEL    0x1 /* NDIS_{SEND,SEND_COMPLETE,RECEIVE,RETURN}_FLAGS_ */
#define VW_NDIS_RECEIVE_FLAGS_RESOURCES 0x2

#include "vw_oid.h" /* the OIDs */
/* NETWORK_ADDRESS AddressType of IPv4 (network/oid-gen-network-layer-addresses)
 * and of IPv6 (NDIS_PROTOCOL_ID_IP6, ntddndis.h: Microsoft's Win32 metadata) */
#define VW_NDIS_PROTOCOL_ID_TCP_IP 0x02u
#define VW_NDIS_PROTOCOL_ID_IP6    0x03u

/* NDIS_PACKET_TYPE_* (network/oid-gen-current-packet-filter). */
#define VW_NDIS_PACKET_TYPE_DIRECTED      0x01u
#define VW_NDIS_PACKET_TYPE_MULTICAST     0x02u
#define VW_NDIS_PACKET_TYPE_ALL_MULTICAST 0x04u
#define VW_NDIS_PACKET_TYPE_BROADCAST     0x08u
#define VW_NDIS_PACKET_TYPE_PROMISCUOUS   0x20u

/* NDIS_MAC_OPTION_* of the general attributes' MacOptions (ntddndis.h). */
#define VW_NDIS_MAC_OPTION_8021P_PRIORITY 0x00000040u
#define VW_NDIS_MAC_OPTION_8021Q_VLAN     0x00000200u

/* NDIS_DEVICE_POWER_STATE (ntddndis.h). */
#define VW_NDIS_DEVICE_STATE_D0 1u
#define VW_NDIS_DEVICE_STATE_D3 4u

/*
 * NET_BUFFER_LIST.NetBufferListInfo slots, NDIS_NET_BUFFER_LIST_INFO
 * (nblinfo/ne-nblinfo-ndis_net_buffer_list_info).  The page lists the names
 * only; the declaration it transcribes gives aliases their predecessor's
 * value (TcpOffloadBytesTransferred = TcpIpChecksumNetBufferListInfo,
 * TcpReceiveNoPush = TcpLargeSendNetBufferListInfo, ...; also the Compact
 * 2013 page of the enumeration), and NDIS 6.30's SwitchForwardingReserved,
 * SwitchForwardingDetail and VirtualSubnetInfo come before IMReserved on
 * 64-bit only, so TcpRecvSegCoalesceInfo is 22 on amd64/arm64 and 19 on x86.
 */
#define VW_NBL_INFO_TCP_IP_CHECKSUM 0  /* TcpIpChecksumNetBufferListInfo */
#define VW_NBL_INFO_TCP_LARGE_SEND  2  /* TcpLargeSendNetBufferListInfo */
#define VW_NBL_INFO_IEEE8021Q       4  /* Ieee8021QNetBufferListInfo */
#define VW_NBL_INFO_HASH_VALUE      8  /* NetBufferListHashValue */
#define VW_NBL_INFO_HASH_INFO       9  /* NetBufferListHashInfo */
#define VW_NBL_INFO_RSC_64          22 /* TcpRecvSegCoalesceInfo, 64-bit */
#define VW_NBL_INFO_RSC_32          19 /* TcpRecvSegCoalesceInfo, x86 */
/* UdpSegmentationOffloadInfo (NDIS 6.83) is listed right after
 * TcpRecvSegCoalesceInfo and before RscTcpTimestampDelta (NDIS 6.30): a new
 * value there would move RscTcpTimestampDelta and break 6.30 binaries, so
 * it is an alias, as every name the page lists after its base is: the
 * receive-only RSC slot carries the transmit-only USO request. */
#define VW_NBL_INFO_USO_64 VW_NBL_INFO_RSC_64
#define VW_NBL_INFO_USO_32 VW_NBL_INFO_RSC_32

/* NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO's ULONG
 * (ndis/ns-ndis-_ndis_tcp_ip_checksum_net_buffer_list_info). */
#define VW_CSUM_TX_IS_IPV4       (1u << 0)
#define VW_CSUM_TX_IS_IPV6       (1u << 1)
#define VW_CSUM_TX_TCP           (1u << 2)
#define VW_CSUM_TX_UDP           (1u << 3)
#define VW_CSUM_TX_IP            (1u << 4)
#define VW_CSUM_TX_TCP_OFFSET(v) (((v) >> 16) & 0x3FFu) /* TcpHeaderOffset: 10 bits at 16 */
#define VW_CSUM_RX_TCP_FAILED    (1u << 0)
#define VW_CSUM_RX_UDP_FAILED    (1u << 1)
#define VW_CSUM_RX_IP_FAILED     (1u << 2)
#define VW_CSUM_RX_TCP_SUCCEEDED (1u << 3)
#define VW_CSUM_RX_UDP_SUCCEEDED (1u << 4)
#define VW_CSUM_RX_IP_SUCCEEDED  (1u << 5)
#define VW_CSUM_RX_LOOPBACK      (1u << 6)

/* NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO's ULONG
 * (nbllso/ns-nbllso-ndis_tcp_large_send_offload_net_buffer_list_info):
 * LsoV2Transmit {MSS:20, TcpHeaderOffset:10, Type:1, IPVersion:1},
 * LsoV2TransmitComplete {Reserved:30, Type:1, Reserved2:1}. */
#define VW_LSO_MSS(v)        ((v) & 0xFFFFFu)
#define VW_LSO_TCP_OFFSET(v) (((v) >> 20) & 0x3FFu)
#define VW_LSO_TYPE(v)       (((v) >> 30) & 1u)
#define VW_LSO_IPV6(v)       (((v) >> 31) & 1u) /* NDIS_TCP_LARGE_SEND_OFFLOAD_IPv6 */
#define VW_LSO_RESERVED(v)   ((v) & 0x3FFFFFFFu)
#define VW_LSO_V1_TYPE       0u /* NDIS_TCP_LARGE_SEND_OFFLOAD_V1_TYPE */
#define VW_LSO_V2_TYPE       1u /* NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE */

/* NDIS_UDP_SEGMENTATION_OFFLOAD_NET_BUFFER_LIST_INFO's Transmit
 * (nbluso/ns-nbluso-ndis_udp_segmentation_offload_net_buffer_list_info):
 * MSS:20, UdpHeaderOffset:10, Reserved:1, IPVersion:1 (IPv6 1). */
#define VW_USO_MSS(v)        ((v) & 0xFFFFFu)
#define VW_USO_UDP_OFFSET(v) (((v) >> 20) & 0x3FFu)
#define VW_USO_RESERVED(v)   (((v) >> 30) & 1u)
#define VW_USO_IPV6(v)       (((v) >> 31) & 1u) /* NDIS_UDP_SEGMENTATION_OFFLOAD_IPV6 */

/* NDIS_NET_BUFFER_LIST_8021Q_INFO's ULONG (ndis/ns-ndis-_ndis_net_buffer_list_8021q_info):
 * TagHeader {UserPriority:3, CanonicalFormatId:1, VlanId:12}. */
#define VW_8021Q_PRIORITY(v) ((v) & 7u)
#define VW_8021Q_CFI(v)      (((v) >> 3) & 1u)
#define VW_8021Q_VLAN(v)     (((v) >> 4) & 0xFFFu)

/* NDIS_RSC_NBL_INFO (nblrsc/ns-nblrsc-ndis_rsc_nbl_info): two USHORTs. */
#define VW_RSC_SEGMENTS(v) ((v) & 0xFFFFu)
#define VW_RSC_DUP_ACKS(v) (((v) >> 16) & 0xFFFFu)

/* NDIS_OFFLOAD values (ntddndis/ns-ntddndis-_ndis_tcp_ip_checksum_offload,
 * _ndis_offload_parameters). */
#define VW_NDIS_OFFLOAD_NOT_SUPPORTED                     0u
#define VW_NDIS_OFFLOAD_SUPPORTED                         1u
#define VW_NDIS_ENCAPSULATION_IEEE_802_3                  0x2u
#define VW_NDIS_OFFLOAD_PARAMETERS_NO_CHANGE              0u
#define VW_NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED         1u
#define VW_NDIS_OFFLOAD_PARAMETERS_TX_ENABLED_RX_DISABLED 2u
#define VW_NDIS_OFFLOAD_PARAMETERS_RX_ENABLED_TX_DISABLED 3u
#define VW_NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED          4u
#define VW_NDIS_OFFLOAD_PARAMETERS_LSOV2_DISABLED         1u
#define VW_NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED          2u
#define VW_NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED           1u
#define VW_NDIS_OFFLOAD_PARAMETERS_RSC_ENABLED            2u
/* The checksum fields of NDIS_TCP_IP_CHECKSUM_OFFLOAD's IPv4 word
 * {IpOptionsSupported, TcpOptionsSupported, TcpChecksum, UdpChecksum,
 * IpChecksum} and IPv6 word {IpExtensionHeadersSupported,
 * TcpOptionsSupported, TcpChecksum, UdpChecksum}: 2 bits each. */
#define VW_CSUM_FIELD(word, i) (((word) >> (2 * (i))) & 3u)
#define VW_CSUM_FIELD_TCP      2
#define VW_CSUM_FIELD_UDP      3
#define VW_CSUM_FIELD_IP       4 /* IPv4 only */

/* RSS (ntddndis/ns-ntddndis-_ndis_receive_scale_capabilities,
 * _ndis_receive_scale_parameters; network/rss-hashing-types). */
#define VW_NDIS_RSS_CAPS_MESSAGE_SIGNALED_INTERRUPTS      0x01000000u
#define VW_NDIS_RSS_CAPS_CLASSIFICATION_AT_ISR            0x02000000u
#define VW_NDIS_RSS_CAPS_CLASSIFICATION_AT_DPC            0x04000000u
#define VW_NDIS_RSS_CAPS_USING_MSI_X                      0x08000000u
#define VW_NDIS_RSS_CAPS_RSS_AVAILABLE_ON_PORTS           0x10000000u
#define VW_NDIS_RSS_CAPS_SUPPORTS_MSI_X                   0x20000000u
#define VW_NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV4               0x00000100u
#define VW_NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV6               0x00000200u
#define VW_NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV6_EX            0x00000400u
#define VW_NDIS_RSS_CAPS_HASH_TYPE_UDP_IPV4               0x00000800u
#define VW_NDIS_RSS_CAPS_HASH_TYPE_UDP_IPV6               0x00001000u
#define VW_NDIS_RSS_CAPS_HASH_TYPE_UDP_IPV6_EX            0x00002000u
#define VW_NDIS_HASH_FUNCTION_TOEPLITZ                    0x00000001u
#define VW_NDIS_HASH_FUNCTION_MASK                        0x000000FFu
#define VW_NDIS_HASH_IPV4                                 0x00000100u
#define VW_NDIS_HASH_TCP_IPV4                             0x00000200u
#define VW_NDIS_HASH_IPV6                                 0x00000400u
#define VW_NDIS_HASH_IPV6_EX                              0x00000800u
#define VW_NDIS_HASH_TCP_IPV6                             0x00001000u
#define VW_NDIS_HASH_TCP_IPV6_EX                          0x00002000u
#define VW_NDIS_HASH_UDP_IPV4                             0x00004000u
#define VW_NDIS_HASH_UDP_IPV6                             0x00008000u
#define VW_NDIS_HASH_UDP_IPV6_EX                          0x00010000u
#define VW_NDIS_HASH_TYPE_MASK                            0x00FFFF00u
#define VW_NDIS_RSS_HASH_SECRET_KEY_MAX_SIZE_REVISION_1   40u
#define VW_NDIS_RSS_INDIRECTION_TABLE_MAX_SIZE_REVISION_1 128u
#define VW_NDIS_RECEIVE_SCALE_PARAMETERS_REVISION_2       2u
#define VW_NDIS_RSS_PARAM_FLAG_DISABLE_RSS                0x0010u

/* NDIS_PM_CAPABILITIES (ntddndis/ns-ntddndis-_ndis_pm_capabilities): the
 * general attributes' PowerManagementCapabilitiesEx; header type
 * NDIS_OBJECT_TYPE_DEFAULT, revisions 1 (NDIS 6.20) and 2 (6.30). */
#define VW_NDIS_PM_CAPABILITIES_REVISION_1 1u
#define VW_NDIS_PM_CAPABILITIES_REVISION_2 2u
/* Its members are the header and ULONG-sized values only, so the layout is
 * the same on every arch: nine ULONGs, then MinMagicPacketWakeUp,
 * MinPatternWakeUp, MinLinkChangeWakeUp (NDIS_DEVICE_POWER_STATE), then
 * revision 2's SupportedWakeUpEvents and MediaSpecificWakeUpEvents. */
#define VW_NDIS_SIZEOF_PM_CAPABILITIES_REVISION_1 52u
#define VW_NDIS_SIZEOF_PM_CAPABILITIES_REVISION_2 60u
#define VW_NDIS_PM_CAPABILITIES_MIN_WAKE_UP       40u /* the first of the three states */
#define VW_NDIS_DEVICE_STATE_MAXIMUM              5u  /* NdisDeviceStateMaximum */
