/*
 * Ethernet frames as the NDIS emulation's protocol layer reads them, with
 * no harness type: the 802.1Q tag, the IPv4 or IPv6 header, TCP or UDP,
 * their checksums (RFC 791, 793, 768, 8200's pseudo-header) and the RSS
 * hash input of network/rss-hashing-types.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct ndis_frame {
    bool tagged;      /* an 802.1Q tag after the addresses */
    uint16_t tci;     /* its tag control information */
    unsigned l3;      /* the IP header's offset */
    int ipv;          /* 4, 6, or 0: no IP packet */
    bool fragment;    /* an IPv4 fragment (no transport checksum to check) */
    uint8_t proto;    /* 6 TCP, 17 UDP, else no transport header */
    unsigned l4;      /* the TCP/UDP header's offset (0: none) */
    unsigned l4_hlen; /* the TCP header's length (data offset * 4), UDP 8 */
    unsigned end;     /* where the IP packet ends (its length fields), <= the frame */
};

/* Parses F (LEN bytes); false when it is shorter than its headers say. */
bool ndis_frame_parse(const uint8_t *f, unsigned len, struct ndis_frame *p);
/* Is the IPv4 header checksum right? */
bool ndis_frame_ip_csum_ok(const uint8_t *f, const struct ndis_frame *p);
/* Is the TCP or UDP checksum right (UDP over IPv4 with 0: none, right)? */
bool ndis_frame_l4_csum_ok(const uint8_t *f, const struct ndis_frame *p);
/* Writes the IPv4 header and the TCP/UDP checksums of F (scenarios' frames). */
void ndis_frame_fill_csums(uint8_t *f, const struct ndis_frame *p);
/* Builds a TCP (PROTO 6) or UDP (17) packet over IPv4 (IPV 4) or IPv6 from
 * SRC to DST (MACs), PAYLOAD bytes, source port SPORT to port 443, its
 * checksums right unless ZERO (left 0, as the stack leaves them for the
 * hardware) at F; returns its length.  For scenarios. */
unsigned ndis_frame_build(uint8_t *f, int ipv, uint8_t proto, unsigned payload, uint16_t sport,
                          const uint8_t *dst, const uint8_t *src, bool zero);
/* The RSS hash input of F for the NDIS_HASH_* TYPES enabled: IN gets source
 * and destination address, then ports for a TCP/UDP hash; the length, and
 * *TYPE the hash type used (0 and no input: none applies). */
unsigned ndis_frame_hash_input(const uint8_t *f, const struct ndis_frame *p, uint32_t types,
                               uint8_t in[36], uint32_t *type);
