/*
 * frames.h - Ethernet frames for the virtio-net model tests, built and
 * checked here with the test's own code (not the model's): IPv4/IPv6 with
 * TCP or UDP, optional 802.1Q tag, and an independent checksum check.
 */
#ifndef NET_FRAMES_H
#define NET_FRAMES_H

#include <stdbool.h>
#include <stdint.h>

struct fspec {
    const uint8_t *dst, *src; /* MACs; NULL: the model's default MAC / a peer */
    int vlan;                 /* -1 untagged */
    int ipver;                /* 4 or 6 */
    int proto;                /* 6 TCP, 17 UDP */
    const uint8_t *sip, *dip; /* 4 or 16 bytes; NULL: defaults */
    uint16_t sport, dport;
    uint32_t seq;
    uint8_t tcp_flags;
    uint32_t payload; /* payload bytes (pattern) */
};

/** Build the frame into OUT; returns its length. Offsets of L3 and L4 in *L3, *L4. */
uint32_t frame_build(uint8_t *out, const struct fspec *s, uint32_t *l3, uint32_t *l4);
/** Full, correct TCP/UDP (and IPv4 header) checksums */
void frame_csum_full(uint8_t *f, uint32_t len);
/** Put the pseudo-header sum in the L4 checksum field, as a driver asking for NEEDS_CSUM */
void frame_csum_seed(uint8_t *f, uint32_t len);
/** Are the IPv4 header and TCP/UDP checksums of F correct? */
bool frame_csum_ok(const uint8_t *f, uint32_t len);
/** Reference Toeplitz hash, written from Microsoft's RSS description */
uint32_t ref_toeplitz(const uint8_t *key, const uint8_t *in, unsigned n);

extern const uint8_t ms_rss_key[40];

#endif /* NET_FRAMES_H */
