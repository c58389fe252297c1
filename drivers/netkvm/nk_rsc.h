/*
 * nk_rsc.h - a received frame the device coalesced (RSC, GUEST_TSO4/6) as
 * the NDIS_RSC_NBL_INFO and OID_TCP_RSC_STATISTICS count it.  OS-neutral
 * (no Windows header; the host tests build it as is).
 *
 * Facts: network/oid-tcp-rsc-statistics (NDIS 6.30 and later miniports
 * that provide RSC must answer it): CoalescedPkts grows by one per packet
 * added to a single coalesced unit (SCU), CoalescedOctets by that packet's
 * TCP payload, CoalesceEvents by one per SCU, and every SCU has a non-zero
 * CoalescedSegCount.  virtio 1.2 5.1.6.4.1: with RSC_EXT and
 * VIRTIO_NET_HDR_F_RSC_INFO the device gives the coalesced segments and
 * duplicate ACKs in csum_start / csum_offset; without it the segments are
 * the TCP payload in gso_size pieces.
 *
 * Usage (rx_offload.c, per received frame with a GSO type, parsed):
 *     struct nk_rsc_unit u;
 *     if (nk_rsc_unit(&pkt, &vh, rsc_ext, rsc4, rsc6, &u)) {
 *         NDIS_RSC_NBL_INFO: u.segs, u.dup_acks;
 *         when indicated: CoalescedPkts += u.segs, CoalescedOctets +=
 *         u.payload, CoalesceEvents += 1
 *     }
 */
#ifndef NK_RSC_H
#define NK_RSC_H

#include <stdbool.h>
#include <stdint.h>

#include "nk_csum.h"

/* One coalesced unit (SCU) */
struct nk_rsc_unit {
    uint16_t segs;     /* TCP segments coalesced into it (never 0) */
    uint16_t dup_acks; /* duplicate ACKs coalesced (RSC_INFO only) */
    uint32_t payload;  /* its TCP payload bytes (IP datagram less IP and TCP headers) */
};

/* Whether the frame is an SCU: a TCP, unfragmented frame with GSO TCPV4
 * over IPv4 (rsc4 on) or TCPV6 over IPv6 (rsc6 on), and a segment count
 * that is not 0; then *u describes it.  rsc_ext: RSC_EXT negotiated. */
bool nk_rsc_unit(const struct nk_pkt *pkt, const struct nk_vnet_hdr *vh, bool rsc_ext, bool rsc4,
                 bool rsc6, struct nk_rsc_unit *u);

#endif /* NK_RSC_H */
