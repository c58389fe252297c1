/*
 * The protocol's network-layer addresses (network/oid-gen-network-layer-addresses):
 * TCP/IP tells the miniport its addresses with a set of
 * OID_GEN_NETWORK_LAYER_ADDRESSES, a NETWORK_ADDRESS_LIST (LONG
 * AddressCount, USHORT AddressType, then the NETWORK_ADDRESS entries, each
 * USHORT AddressLength, USHORT AddressType and AddressLength bytes, packed
 * one after the other).  An IPv4 entry (NDIS_PROTOCOL_ID_TCP_IP) holds a
 * NETWORK_ADDRESS_IP, an IPv6 one (NDIS_PROTOCOL_ID_IP6) a
 * NETWORK_ADDRESS_IP6, as ntddndis.h lays them out (Microsoft's Win32
 * metadata, Win32::NetworkManagement::Ndis: natural alignment).
 */
#include <string.h>
#include "internal.h"

/* NETWORK_ADDRESS_IP: USHORT sin_port, ULONG in_addr at 4, UCHAR sin_zero[8] */
#define NA_IP_LEN  16
#define NA_IP_ADDR 4
/* NETWORK_ADDRESS_IP6: USHORT sin6_port, ULONG sin6_flowinfo at 4, USHORT
 * sin6_addr[8] at 8 (the address's bytes in network order), ULONG
 * sin6_scope_id at 24 */
#define NA_IP6_LEN   28
#define NA_IP6_ADDR  8
#define NA_LIST_HEAD 6 /* AddressCount, AddressType */
#define NA_ENTRY     4 /* AddressLength, AddressType */
#define NA_MAX       16

/* A little-endian USHORT at P. */
static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}

bool vw_ndis_set_network_addresses(struct vm *vm, const uint8_t (*ip4)[4], unsigned n4,
                                   const uint8_t (*ip6)[16], unsigned n6, uint32_t *status)
{
    uint8_t list[NA_LIST_HEAD + NA_MAX * (NA_ENTRY + NA_IP6_LEN)];
    if (n4 + n6 > NA_MAX) {
        vw_fail(vm, "harness: %u network-layer addresses, the protocol layer sets at most %u",
                n4 + n6, NA_MAX);
        return false;
    }
    memset(list, 0, sizeof(list));
    list[0] = (uint8_t)(n4 + n6); /* LONG AddressCount, little-endian */
    put16(list + 4, n4 != 0 || n6 == 0 ? VW_NDIS_PROTOCOL_ID_TCP_IP : VW_NDIS_PROTOCOL_ID_IP6);
    unsigned at = NA_LIST_HEAD;
    for (unsigned k = 0; k < n4; k++, at += NA_ENTRY + NA_IP_LEN) {
        put16(list + at, NA_IP_LEN);
        put16(list + at + 2, VW_NDIS_PROTOCOL_ID_TCP_IP);
        memcpy(list + at + NA_ENTRY + NA_IP_ADDR, ip4[k], 4);
    }
    for (unsigned k = 0; k < n6; k++, at += NA_ENTRY + NA_IP6_LEN) {
        put16(list + at, NA_IP6_LEN);
        put16(list + at + 2, VW_NDIS_PROTOCOL_ID_IP6);
        memcpy(list + at + NA_ENTRY + NA_IP6_ADDR, ip6[k], 16);
    }
    uint32_t done = 0;
    return vw_ndis_oid(vm, true, VW_OID_GEN_NETWORK_LAYER_ADDRESSES, list, at, status, &done);
}
