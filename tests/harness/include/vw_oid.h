/*
 * OIDs, defined once for the harness's NDIS emulation, its scenarios and
 * its test miniports (which include this file by its path): Microsoft's
 * (ntddndis.h; each network/oid-* page) and the vendor OIDs the test
 * miniports answer.  Plain #defines, so a driver build can include it.
 */
#pragma once

/* Microsoft's OIDs (network/oid-*). */
#define VW_OID_GEN_MAXIMUM_FRAME_SIZE         0x00010106u
#define VW_OID_GEN_CURRENT_PACKET_FILTER      0x0001010Eu
#define VW_OID_GEN_DRIVER_VERSION             0x00010110u
#define VW_OID_GEN_RECEIVE_SCALE_CAPABILITIES 0x00010203u
#define VW_OID_GEN_RECEIVE_SCALE_PARAMETERS   0x00010204u
#define VW_OID_GEN_XMIT_OK                    0x00020101u
#define VW_OID_GEN_RCV_OK                     0x00020102u
#define VW_OID_GEN_RCV_ERROR                  0x00020104u
#define VW_OID_GEN_RCV_NO_BUFFER              0x00020105u
#define VW_OID_GEN_STATISTICS                 0x00020106u
#define VW_OID_GEN_DIRECTED_BYTES_XMIT        0x00020201u /* then 11 more counters */
#define VW_OID_GEN_BYTES_RCV                  0x00020219u
#define VW_OID_GEN_BYTES_XMIT                 0x0002021Au
#define VW_OID_GEN_RCV_DISCARDS               0x0002021Bu
#define VW_OID_TCP_RSC_STATISTICS             0x0002021Du
#define VW_OID_802_3_PERMANENT_ADDRESS        0x01010101u
#define VW_OID_802_3_CURRENT_ADDRESS          0x01010102u
#define VW_OID_802_3_MULTICAST_LIST           0x01010103u
#define VW_OID_OFFLOAD_ENCAPSULATION          0x0101010Au
#define VW_OID_TCP_OFFLOAD_PARAMETERS         0xFC01020Cu
#define VW_OID_PNP_SET_POWER                  0xFD010101u
#define VW_OID_PNP_QUERY_POWER                0xFD010102u
#define VW_OID_GEN_NETWORK_LAYER_ADDRESSES    0x00010118u

/* Vendor OIDs of the test miniports (0xFF prefix: the vendor range,
 * network/oid-gen-vendor-id): testdrv/vwndis.c picks a planted bug (badndis)
 * and reports its timer and work item; testdrv/vwndishw.c reports its
 * keyword reads. */
#define VW_OID_VWNDIS_PLANT      0xFF000001u
#define VW_OID_VWNDISHW_KEYWORDS 0xFF000002u
#define VW_OID_VWNDIS_TIMERS     0xFF000003u
