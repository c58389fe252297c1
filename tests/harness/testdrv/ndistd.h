/*
 * The set-up the NDIS test miniports share (vwndis.c, vwndishw.c,
 * vwndisoff.c and their planted twins): driver registration, the adapter's
 * registration and general attributes, the receive NBL pool, one keyword.
 */
#pragma once
#include <ntddk.h>
#include <vw/ndis.h>

/* Registers the miniport with NDIS 6.50 characteristics: CH holds its own
 * handlers; the unload, the send and OID cancels and the shutdown, the same
 * in every test miniport, are filled in here (PASSIVE). */
NDIS_STATUS VwTdRegisterMiniport(PDRIVER_OBJECT drv, PUNICODE_STRING path,
                                 NDIS_MINIPORT_DRIVER_CHARACTERISTICS *ch);

/* The adapter's registration attributes: context CTX, FLAGS, bus TYPE (PASSIVE). */
NDIS_STATUS VwTdSetRegistration(NDIS_HANDLE h, NDIS_HANDLE ctx, ULONG flags,
                                NDIS_INTERFACE_TYPE type);

/* General attributes of a connected full-duplex Ethernet adapter of MTU,
 * SPEED bit/s and address MAC answering OIDS (SIZE bytes); the caller adds
 * its MAC options, packet filters and the rest, then sets them (PASSIVE). */
VOID VwTdGeneralAttributes(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES *gen, ULONG mtu, ULONG64 speed,
                           const UCHAR *mac, NDIS_OID *oids, ULONG size);

/* A pool of NBLs with one NET_BUFFER each, tagged TAG, or NULL (PASSIVE). */
NDIS_HANDLE VwTdNblPool(NDIS_HANDLE h, ULONG tag);

/* A set of OID_GEN_CURRENT_PACKET_FILTER: the ULONG into *FILTER (PASSIVE). */
NDIS_STATUS VwTdSetPacketFilter(PNDIS_OID_REQUEST r, ULONG *filter);

/* The keyword NAME read as TYPE into *VALUE; unchanged when absent (PASSIVE). */
VOID VwTdReadKeyword(NDIS_HANDLE h, PCWSTR name, NDIS_PARAMETER_TYPE type, ULONG *value);
