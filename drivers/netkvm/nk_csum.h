/*
 * nk_csum.h - frame parsing and checksum/segmentation offload for NetKVM,
 * OS-neutral (no Windows header; built as is by the host tests and the fuzz
 * target).  Every length comes from the frame and is untrusted: the parser
 * checks each one against the bytes that are really there.
 *
 * Facts: IEEE 802.1Q (TPID 0x8100, 0x88A8), RFC 791 (IPv4, IHL, options,
 * fragments), RFC 8200 (IPv6 extension headers: 0 hop-by-hop, 43 routing,
 * 44 fragment, 60 destination options, 51 AH), RFC 793/9293 (TCP data
 * offset), RFC 768 (UDP), RFC 1071 (Internet checksum), virtio 1.2 5.1.6
 * (struct virtio_net_hdr, NEEDS_CSUM/DATA_VALID/RSC_INFO, gso types).
 *
 * Usage:
 *   A frame is a byte view over one or more buffers (an NB's MDL chain, an
 *   RX descriptor chain):
 *       struct nk_seg segs[] = {{p0, n0}, {p1, n1}};
 *       struct nk_view v;  nk_view_init(&v, segs, 2);
 *       struct nk_pkt pkt; enum nk_parse_status st = nk_parse(&v, &pkt);
 *   pkt tells L2 (VLAN tag), L3 (IPv4/IPv6, header length, fragment) and L4
 *   (TCP/UDP offset, header length, ports) as far as they could be parsed;
 *   st says why parsing stopped early (NK_PARSE_OK: everything present).
 *
 *   TX (any IRQL, no allocation): turn the OS's per-NBL offload request
 *   (NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO / NDIS_TCP_LARGE_SEND_OFFLOAD_
 *   NET_BUFFER_LIST_INFO / USO info, translated by the driver into struct
 *   nk_tx_request) into the virtio_net_hdr and header patches:
 *       struct nk_tx_plan plan;
 *       int rc = nk_tx_prepare(&v, &pkt, &req, &plan);   // 0 ok, else NK_TX_*
 *       copy plan.hdr_copy bytes of the frame into the driver's header buffer,
 *       nk_tx_apply(&plan, hdrbuf, plan.hdr_copy);      // IPv4 header csum, pseudo-header csum
 *       put plan.vhdr (nk_vnet_hdr_put(&plan.vhdr, out, hdr_bytes)) first in the chain.
 *
 *   RX: nk_vnet_hdr_get() reads the device's header; nk_rx_csum() gives the
 *   checksum verdicts for the OS (device-validated, or verified in software
 *   when allowed); nk_rx_rsc() reads RSC_EXT coalesced-segment counts.
 */
#ifndef NK_CSUM_H
#define NK_CSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nk_net.h" /* virtio-net and Ethernet facts, defined once */

/* ---- virtio_net_hdr (virtio 1.2 5.1.6): flags, gso types and the three
 * header sizes (NK_HDR_LEN_*) are nk_net.h's */
/* The header in host order; nk_vnet_hdr_put/get convert (little-endian on
 * VERSION_1 devices; the driver only supports little-endian guests). */
struct nk_vnet_hdr {
    uint8_t flags;
    uint8_t gso_type;
    uint16_t hdr_len;
    uint16_t gso_size;
    uint16_t csum_start;  /* RX with RSC_INFO: coalesced segments */
    uint16_t csum_offset; /* RX with RSC_INFO: duplicate ACKs */
    uint16_t num_buffers;
    uint32_t hash_value;  /* HASH_REPORT only */
    uint16_t hash_report; /* VIRTIO_NET_HASH_REPORT_* (nk_rss.h) */
};

/* Writes hdr as `bytes` (10, 12 or 20) wire bytes into out. */
void nk_vnet_hdr_put(const struct nk_vnet_hdr *hdr, uint8_t *out, size_t bytes);
/* Reads `bytes` (10, 12 or 20) wire bytes; missing fields read as 0. */
void nk_vnet_hdr_get(struct nk_vnet_hdr *hdr, const uint8_t *in, size_t bytes);

/* ---- A frame split across buffers ------------------------------------- */
struct nk_seg {
    const uint8_t *p;
    size_t len;
};
struct nk_view {
    const struct nk_seg *segs;
    size_t nsegs;
    size_t total; /* sum of segs[].len */
};
void nk_view_init(struct nk_view *v, const struct nk_seg *segs, size_t nsegs);
/* Copies n bytes at off into dst; false (dst untouched) if they are not all there. */
bool nk_view_copy(const struct nk_view *v, size_t off, void *dst, size_t n);
/* RFC 1071 ones'-complement sum of n bytes at off, added to sum (not folded,
 * not inverted); odd offsets handled; false if the bytes are not all there. */
bool nk_view_sum(const struct nk_view *v, size_t off, size_t n, uint32_t *sum);
/* Folds a 32-bit sum to 16 bits (not inverted). */
uint16_t nk_csum_fold(uint32_t sum);

/* ---- Parsing ----------------------------------------------------------- */
#define NK_ETH_P_IPV4   0x0800
#define NK_ETH_P_IPV6   0x86DD
#define NK_ETH_P_ARP    0x0806
#define NK_ETH_P_8021Q  0x8100
#define NK_ETH_P_8021AD 0x88A8
#define NK_IPPROTO_TCP  6
#define NK_IPPROTO_UDP  17

enum nk_l3 { NK_L3_NONE, NK_L3_IPV4, NK_L3_IPV6 };
enum nk_l4 { NK_L4_NONE, NK_L4_TCP, NK_L4_UDP, NK_L4_OTHER };

enum nk_parse_status {
    NK_PARSE_OK = 0,       /* L2, L3 and (unless a later fragment) L4 parsed */
    NK_PARSE_NOT_IP,       /* ethertype is not IPv4/IPv6 (ARP, ...): L2 only */
    NK_PARSE_SHORT,        /* a header runs past the frame's end */
    NK_PARSE_BAD_L3,       /* IPv4 IHL < 5 / version wrong / total length < header */
    NK_PARSE_BAD_EXT,      /* IPv6 extension chain malformed or too long */
    NK_PARSE_BAD_L4,       /* TCP data offset < 5, UDP length < 8 */
    NK_PARSE_TRUNCATED_L3, /* IP total/payload length runs past the frame */
};

struct nk_pkt {
    uint16_t l2_len;    /* 14, or 18 with one 802.1Q tag */
    bool vlan;          /* an 802.1Q tag is present */
    uint16_t vlan_tci;  /* PCP(3) DEI(1) VID(12), host order */
    uint16_t ethertype; /* after the tag */
    enum nk_l3 l3;
    uint16_t l3_off;     /* = l2_len */
    uint16_t l3_hlen;    /* IPv4 header with options / IPv6 40 + extension headers */
    uint32_t l3_end;     /* frame offset where the IP datagram ends (≤ frame length) */
    bool ipv6_ext;       /* IPv6 extension headers present (RSS *_EX hash types) */
    bool fragment;       /* IPv4 MF or offset, or an IPv6 fragment header */
    bool first_fragment; /* fragment with offset 0 */
    uint8_t l4proto;     /* IPv4 protocol / IPv6 final next header */
    enum nk_l4 l4;
    uint16_t l4_off;          /* frame offset of the TCP/UDP header */
    uint16_t l4_hlen;         /* TCP data offset * 4 / 8 for UDP */
    bool len_from_frame;      /* IPv4 total / IPv6 payload length 0 (LSOv2): l3_end = frame end */
    uint8_t src[16], dst[16]; /* addresses: 4 bytes (IPv4) or 16 (IPv6), network order */
    bool has_home;            /* IPv6 destination options carry a Home Address (RSS _EX) */
    bool has_rh2;             /* IPv6 routing header type 2 (RSS _EX) */
    uint8_t home[16], rh2[16];
    uint16_t sport, dport; /* host order */
};

/* Parses Ethernet / one 802.1Q tag / IPv4 or IPv6 / TCP or UDP. */
enum nk_parse_status nk_parse(const struct nk_view *v, struct nk_pkt *pkt);

/* ---- TX ---------------------------------------------------------------- */
/* What the OS asked for this frame (from the per-NBL information). */
struct nk_tx_request {
    bool ip4_csum;        /* compute the IPv4 header checksum */
    bool tcp_csum;        /* TCP checksum (IPv4 or IPv6) */
    bool udp_csum;        /* UDP checksum */
    uint32_t lso_mss;     /* LSOv2: MSS (0: no LSO) */
    uint32_t uso_mss;     /* USO: MSS (0: no USO) */
    uint16_t l4_off_hint; /* TcpHeaderOffset from the OS (0: unknown); checked against the parse */
};

enum nk_tx_status {
    NK_TX_OK = 0,
    NK_TX_UNPARSEABLE, /* an offload was asked for but the headers did not parse */
    NK_TX_MISMATCH,    /* asked for TCP on a UDP frame, IPv4 csum on IPv6, offset disagrees */
    NK_TX_BAD_MSS,     /* MSS 0-sized, or larger than the IP payload allows */
    NK_TX_FRAGMENT,    /* checksum/LSO asked for on an IP fragment */
    NK_TX_TOO_LONG,    /* an LSO/USO datagram longer than its 16-bit length field */
};

#define NK_TX_MAX_PATCH 4
struct nk_tx_plan {
    struct nk_vnet_hdr vhdr;
    uint16_t hdr_copy; /* bytes of L2+L3+L4 headers the driver copies and patches */
    uint8_t npatch;
    struct {
        uint16_t off;   /* frame offset of a 16-bit field */
        uint16_t value; /* to store big-endian there */
    } patch[NK_TX_MAX_PATCH];
};

/* Builds the virtio_net_hdr and the header patches: the IPv4 header
 * checksum (virtio has no IP checksum offload: done here), the
 * pseudo-header sum seeded into the TCP/UDP checksum field for NEEDS_CSUM
 * (for LSO/USO over the whole payload, the form the device's segmentation
 * adjusts per segment), the IPv4 total / IPv6 payload / UDP length that
 * LSOv2 leaves 0 filled in, and - when the frame carries bytes past the IP
 * datagram, which the device would sum - the L4 checksum finished in
 * software instead of NEEDS_CSUM.  Returns enum nk_tx_status. */
int nk_tx_prepare(const struct nk_view *v, const struct nk_pkt *pkt,
                  const struct nk_tx_request *req, struct nk_tx_plan *plan);
/* Applies plan's patches to a copy of the frame's first len bytes. */
void nk_tx_apply(const struct nk_tx_plan *plan, uint8_t *hdrbuf, size_t len);
/* An 802.1Q tag the driver inserts at NK_VLAN_TAG_AT of a frame planned
 * untagged: csum_start (NEEDS_CSUM), hdr_len (GSO) and the patches behind
 * the addresses move by NK_VLAN_HLEN, so the virtio_net_hdr is written once
 * in the tagged frame's terms.  hdr_copy stays the untagged frame's byte
 * count; the tagged copy the patches apply to is NK_VLAN_HLEN longer. */
void nk_tx_plan_tag(struct nk_tx_plan *plan);
/* Software fallback: computes the checksum at csum_start into the field at
 * csum_start + csum_offset of a contiguous frame (a complete NEEDS_CSUM). */
bool nk_csum_complete(uint8_t *frame, size_t len, uint16_t csum_start, uint16_t csum_offset);

/* ---- RX ---------------------------------------------------------------- */
enum nk_csum_verdict { NK_CV_NONE = 0, NK_CV_OK, NK_CV_BAD };
struct nk_rx_csum {
    enum nk_csum_verdict ip;  /* IPv4 header checksum */
    enum nk_csum_verdict tcp; /* TCP over v4 or v6 */
    enum nk_csum_verdict udp;
};
/* Checksum verdicts for a received frame: DATA_VALID or NEEDS_CSUM from the
 * device count as OK for L4; otherwise, when sw_verify, computed in software
 * (IPv4 header always checked when sw_verify).  Fragments get no L4 verdict. */
void nk_rx_csum(const struct nk_view *v, const struct nk_pkt *pkt, const struct nk_vnet_hdr *vh,
                bool sw_verify, struct nk_rx_csum *out);

/* RSC (VIRTIO_NET_F_RSC_EXT): coalesced segments and duplicate ACKs; 0/0
 * when the header carries no RSC_INFO or no TCP GSO type. */
void nk_rx_rsc(const struct nk_vnet_hdr *vh, uint16_t *segs, uint16_t *dup_acks);

#endif /* NK_CSUM_H */
