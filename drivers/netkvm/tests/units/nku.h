/*
 * nku.h - shared pieces of the host unit tests of NetKVM's OS-neutral
 * modules (check-netkvm-units): the check line, and frame builders with an
 * independent, byte-at-a-time reference checksum so the module under test
 * is never its own oracle.
 */
#ifndef NKU_H
#define NKU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../nk_csum.h"
#include "../../nk_offload.h"
#include "../../nk_params.h"
#include "../../nk_rss.h"
#include "../../nk_rxbuf.h"
#include "../../nk_rxfilter.h"
#include "../../nk_settings.h"

/* One check line ("PASS: nk: ..." / "FAIL: nk: ..."), counted by nk_test.c. */
__attribute__((format(printf, 2, 3))) void check(int ok, const char *fmt, ...);

/* The test groups (one file each). */
void test_rss(void);
void test_csum(void);
void test_params(void);
void test_rxbuf(void);
void test_settings(void);
void test_offload(void);
void test_vlan(void);
void test_txtag(void);
void test_rsspub(void);
void test_rxfilter(void);
void test_rxfilter_judge(void);
void test_announce(void);
void test_gather(void);
void test_rxhdr(void);
void test_reset(void);
void test_txdone(void);
void test_stats(void);
void test_mactable(void);
void test_refill(void);
void test_refill_stop(void);
void test_refill_race(void);
void test_rsc(void);

/* What a test frame carries. */
struct nku_frame_spec {
    bool v6;
    bool vlan;
    uint16_t tci;
    uint8_t proto; /* 6 TCP, 17 UDP, other */
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    uint8_t ip_opts;   /* IPv4 option bytes (multiple of 4, ≤ 40) */
    uint8_t tcp_opts;  /* TCP option bytes (multiple of 4, ≤ 40) */
    bool v6_ext;       /* hop-by-hop + destination options (Home Address) + RH2 */
    uint16_t payload;  /* payload bytes (pattern) */
    uint16_t pad;      /* bytes after the datagram (non-zero pattern) */
    bool zero_ip_len;  /* LSOv2 style: IPv4 total / IPv6 payload length 0 */
    bool good_csums;   /* fill IPv4 header and L4 checksums correctly */
    uint16_t frag_off; /* IPv4 fragment offset (8-byte units); MF set when non-zero */
};

/* Builds a frame into buf (cap bytes); returns its length. */
size_t nku_build(const struct nku_frame_spec *s, uint8_t *buf, size_t cap);

/* Reference checksums over a contiguous frame (byte at a time). */
uint16_t nku_sum16(const uint8_t *p, size_t n, uint32_t start); /* folded, not inverted */
bool nku_ipv4_ok(const uint8_t *frame, size_t l3_off);
/* The L4 checksum checks out with the pseudo header of the frame's IP header. */
bool nku_l4_ok(const uint8_t *frame, size_t len, bool vlan);

/* Parses hex text ("6d5a...") into out; returns bytes. */
size_t nku_hex(const char *hex, uint8_t *out, size_t cap);
/* IPv4 dotted text or IPv6 text into 4/16 bytes. */
void nku_ip4(const char *text, uint8_t out[4]);
void nku_ip6(const char *text, uint8_t out[16]);

/* A view over buf split into pieces of `chunk` bytes (segs must hold them). */
void nku_split(struct nk_view *v, struct nk_seg *segs, size_t nsegs, const uint8_t *buf, size_t len,
               size_t chunk);

#endif /* NKU_H */
