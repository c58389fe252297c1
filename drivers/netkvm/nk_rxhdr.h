/*
 * nk_rxhdr.h - the device's account of one received frame, checked before
 * the driver reads the frame, OS-neutral (no Windows header; the host unit
 * tests and the fuzz target build it as is).  Everything here is
 * device-supplied and untrusted: the used length of the frame's first
 * buffer, num_buffers and the lengths of the others (nk_rxbuf_check_used
 * and the driver's chain walk), and the virtio_net_hdr's fields
 * (nk_rx_hdr_check).  A frame with any of them wrong is dropped: counted
 * per reason and logged the first time (rx.c), never read past its bytes.
 *
 * Facts (virtio 1.2 5.1.6.4, 5.1.6.4.1): NEEDS_CSUM means the checksum
 * field lies csum_offset bytes behind csum_start, both inside the frame;
 * with RSC_INFO (RSC_EXT negotiated, a coalesced frame) the two fields
 * count segments and duplicate ACKs instead; a GSO type other than NONE
 * names TCPV4 (GUEST_TSO4), TCPV6 (GUEST_TSO6), UDP (GUEST_UFO) or UDP_L4
 * (GUEST_USO4/6, never negotiated by NetKVM), with gso_size the MSS (not
 * 0), the ECN bit only with GUEST_ECN; flags and GSO fields count only
 * with the features that let the device set them.
 *
 * Usage (rx.c, per frame, DISPATCH_LEVEL):
 *     nk_vnet_hdr_get(&vh, first_buffer, hdr_bytes);
 *     enum nk_rx_bad bad = nk_rx_hdr_check(&vh, frame_bytes, features);
 *     if (bad != NK_RXBAD_NONE) drop, count bad, log nk_rx_bad_name(bad) once
 */
#ifndef NK_RXHDR_H
#define NK_RXHDR_H

#include <stdint.h>

#include "nk_csum.h"

/* Why a received frame was dropped (the statistics keep one count each) */
enum nk_rx_bad {
    NK_RXBAD_NONE = 0,
    NK_RXBAD_SHORT, /* used length below the virtio_net_hdr */
    NK_RXBAD_LONG,  /* used length past the posted buffer (first or merged) */
    NK_RXBAD_MERGE, /* num_buffers 0, past MAX or the buffers posted, buffers missing,
                       or a merged buffer empty */
    NK_RXBAD_FRAME, /* the frame shorter than an Ethernet header or longer than planned */
    NK_RXBAD_CSUM,  /* NEEDS_CSUM with csum_start / csum_offset past the frame, or with RSC_INFO */
    NK_RXBAD_GSO,   /* GSO type unknown or not negotiated, gso_size 0, hdr_len past the frame,
                       ECN without GUEST_ECN, RSC_INFO on a frame not coalesced */
    NK_RXBAD_KINDS
};

/* The header's fields against the frame (frame_len bytes behind the
 * header) and the negotiated features; NK_RXBAD_NONE when all are sane. */
enum nk_rx_bad nk_rx_hdr_check(const struct nk_vnet_hdr *vh, uint32_t frame_len, uint64_t features);

/* nk_rxbuf_check_used's verdict as a drop reason. */
enum nk_rx_bad nk_rx_bad_from_used(int used_verdict);

/* A reason's name for the log line ("checksum offsets past the frame"). */
const char *nk_rx_bad_name(enum nk_rx_bad bad);

#endif /* NK_RXHDR_H */
