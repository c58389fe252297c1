/*
 * nk_offload.h - which task offloads NetKVM can offer and which are on,
 * OS-neutral (no Windows header; the host unit tests build it as is).
 *
 * Facts: NDIS_OFFLOAD_PARAMETERS (ntddndis/ns-ntddndis-_ndis_offload_parameters:
 * per checksum 0 no change, 1 off, 2 transmit only, 3 receive only, 4 both;
 * LSOv2, RSC and USO 0 no change, 1 off, 2 on), OID_TCP_OFFLOAD_PARAMETERS
 * (invalid contents: NDIS_STATUS_INVALID_DATA; after an update the current
 * configuration is indicated), virtio 1.2 5.1.3.1 (feature dependencies) and
 * 5.1.6.5.6.1 (VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET: only negotiated offloads).
 *
 * Usage (offload.c):
 *   struct nk_offload hw, cur;
 *   nk_offload_hw(features, sw_rx_verify, &hw);   // what may be offered
 *   nk_offload_defaults(&hw, &cfg, &cur);         // the *Offload keywords' choice
 *   enum nk_offload_result r = nk_offload_set(&cur, &hw, &req); // OID set
 *   uint64_t bits = nk_offload_guest_bits(&cur, features);      // CTRL_GUEST_OFFLOADS_SET
 */
#ifndef NK_OFFLOAD_H
#define NK_OFFLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "nk_params.h"

/* LSOv2 MaxOffLoadSize over IPv4: the TCP payload that fits the 16-bit
 * IPv4 total length with the smallest IPv4 and TCP headers (20 + 20 bytes);
 * a send whose options push its datagram past 65535 bytes cannot be
 * described to the device and fails (nk_csum: NK_TX_TOO_LONG) */
#define NK_LSO_MAX_PAYLOAD (0xFFFFu - 20u - 20u)
/* Over IPv6 20 bytes less: its 40-byte header lies outside the 16-bit
 * payload length, so 65495 behind a 20-byte TCP header would be a
 * 65569-byte frame, past NK_TX_GSO_FRAME_MAX.  65475 gives IPv4's largest
 * frame, 65549 bytes */
#define NK_LSO6_MAX_PAYLOAD (NK_LSO_MAX_PAYLOAD - 20u)
/* USO MaxOffLoadSize: the UDP payload within the 16-bit IPv4 total length
 * with a 20-byte IPv4 and the 8-byte UDP header */
#define NK_USO_MAX_PAYLOAD (0xFFFFu - 20u - 8u)
/* Over IPv6 20 bytes less, as NK_LSO6_MAX_PAYLOAD: 65487 gives IPv4's
 * largest USO frame, 65549 bytes */
#define NK_USO6_MAX_PAYLOAD (NK_USO_MAX_PAYLOAD - 20u)
/* The longest frame a large send (LSOv2 or USO, either IP version) may
 * carry: the largest IP datagram, 64 KiB less one (IPv4's 16-bit total
 * length; the device takes no larger IPv6 one), behind an Ethernet header:
 * 65549 bytes, every large send at its MaxOffLoadSize with the smallest
 * headers; 4 more (65553) only for a frame that carries an 802.1Q tag in
 * its bytes.  A USO send over IPv6 whose payload length alone reaches
 * 65535 (65593 bytes) is past what the device takes and is refused */
#define NK_TX_GSO_DATAGRAM_MAX 0xFFFFu
#define NK_TX_TAG_BYTES        4u
#define NK_TX_GSO_FRAME_MAX    (14u + NK_TX_TAG_BYTES + NK_TX_GSO_DATAGRAM_MAX)

/* The checksums, in NDIS_OFFLOAD_PARAMETERS order */
enum nk_csum_kind { NK_CS_IP4, NK_CS_TCP4, NK_CS_UDP4, NK_CS_TCP6, NK_CS_UDP6, NK_CS_KINDS };

/* One offload configuration (capabilities or the current one) */
struct nk_offload {
    bool tx[NK_CS_KINDS]; /* checksums computed for sends */
    bool rx[NK_CS_KINDS]; /* checksums verified for receives */
    bool lso4, lso6;      /* LSOv2 */
    bool rsc4, rsc6;      /* receive segment coalescing */
    bool uso4, uso6;      /* UDP segmentation (NDIS 6.83 build only) */
};

/* A request's values (NDIS_OFFLOAD_PARAMETERS_*: the numbers above) */
enum {
    NK_OFL_NO_CHANGE = 0,
    NK_OFL_OFF = 1,
    NK_OFL_TX = 2,   /* checksums: transmit only; LSOv2 / RSC / USO: on */
    NK_OFL_RX = 3,   /* checksums: receive only */
    NK_OFL_BOTH = 4, /* checksums: both */
};
struct nk_offload_req {
    uint8_t csum[NK_CS_KINDS];
    uint8_t lso4, lso6, rsc4, rsc6, uso4, uso6;
};

enum nk_offload_result {
    NK_OFL_SAME,    /* valid, nothing changed */
    NK_OFL_CHANGED, /* valid, the current configuration changed: indicate it */
    NK_OFL_INVALID, /* a value out of range or an offload not offered: nothing changed */
};

/* What can be offered on negotiated features: transmit checksums (the IPv4
 * header one in software) with CSUM, LSOv2 with HOST_TSO4/6, receive
 * checksums with GUEST_CSUM or when the driver verifies in software
 * (sw_rx_verify), RSC with GUEST_TSO4/6 and CTRL_GUEST_OFFLOADS (it must
 * be switchable off), USO for both versions with CSUM and HOST_USO (spec
 * 5.1.3.1; negotiated only by the NDIS 6.83 build). */
void nk_offload_hw(uint64_t features, bool sw_rx_verify, struct nk_offload *hw);

/* The default configuration: what hw offers and the advanced properties
 * (cfg, from nk_params_offloads) allow. */
void nk_offload_defaults(const struct nk_offload *hw, const struct nk_offload_cfg *cfg,
                         struct nk_offload *cur);

/* Applies req to cur, all or nothing, within hw. */
enum nk_offload_result nk_offload_set(struct nk_offload *cur, const struct nk_offload *hw,
                                      const struct nk_offload_req *req);

/* The VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET bitmask for cur (only negotiated
 * bits): GUEST_TSO4/6 for RSC, GUEST_CSUM while RSC or any receive checksum
 * is on (off otherwise: a partial checksum the OS does not expect is never
 * passed up). */
uint64_t nk_offload_guest_bits(const struct nk_offload *cur, uint64_t features);

/* The longest frame a send may carry (the length NkTxMaxLength checks):
 * for a large send (LSOv2 or USO asked for and offered) the largest
 * datagram behind an Ethernet header (65549), else mtu_frame (the MTU plus
 * the Ethernet header); NK_TX_TAG_BYTES more when the frame carries an
 * 802.1Q / 802.1ad tag in its bytes (tagged).  The largest of all,
 * tagged and large, is NK_TX_GSO_FRAME_MAX. */
uint32_t nk_offload_tx_max_frame(bool large_send, bool tagged, uint32_t mtu_frame);

#endif
