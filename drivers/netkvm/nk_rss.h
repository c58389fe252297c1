/*
 * nk_rss.h - receive-side scaling for NetKVM, OS-neutral (no Windows
 * header; the host tests check the Toeplitz hash against Microsoft's
 * published verification key and vectors, "Verifying the RSS Hash
 * Calculation").  No cap at 32 queues: up to NK_RSS_MAX_QUEUES.
 *
 * Facts: NDIS hash type bits and the Toeplitz function (Microsoft "RSS
 * Hashing Types", "RSS Hashing Functions"), NDIS_RECEIVE_SCALE_PARAMETERS
 * (indirection table: a power of two, at most 128 entries; key 40 bytes),
 * virtio 1.2 5.1.6.5.7 (struct virtio_net_rss_config, hash types) and
 * 5.1.6.4.3 (hash report values).
 *
 * Usage:
 *   OID_GEN_RECEIVE_SCALE_PARAMETERS set (PASSIVE): build a new map off to
 *   the side, then publish it (pointer swap) so the data path never sees a
 *   half-written one (#730):
 *       struct nk_rss_map *m = (driver-allocated, zeroed);
 *       int rc = nk_rss_configure(m, hash_information, key, key_len,
 *                                 cpus, n_entries, nqueues);  // NK_RSS_* status
 *       (cpus[i] = the indirection table's PROCESSOR_NUMBER as a global index,
 *        group * 64 + number, computed by the driver)
 *   Data path (≤ DISPATCH): parse with nk_parse() (nk_csum.h), then
 *       uint32_t type; uint32_t h = nk_rss_hash_pkt(m, &pkt, &type);
 *       if (type) { q = nk_rss_queue(m, h); cpu = nk_rss_cpu(m, h); }
 *       set NET_BUFFER_LIST hash value h, type `type`, function Toeplitz.
 *   Device RSS (VIRTIO_NET_F_RSS): nk_rss_virtio_config() serialises the map
 *   as struct virtio_net_rss_config for VIRTIO_NET_CTRL_MQ_RSS_CONFIG;
 *   nk_rss_from_report() turns a HASH_REPORT value into the NDIS type.
 */
#ifndef NK_RSS_H
#define NK_RSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nk_csum.h"
#include "nk_pub.h"

#define NK_RSS_KEY_BYTES  40   /* NDIS key size; the Toeplitz input is at most 36 bytes */
#define NK_RSS_MAX_ITABLE 128  /* NDIS indirection table entries at most */
#define NK_RSS_MAX_QUEUES 128  /* receive queues the driver runs at most */
#define NK_RSS_MAX_CPUS   4096 /* global processor index bound (64 groups x 64) */

/* NDIS hash function and types (HashInformation = type | function) */
#define NK_RSS_FUNC_MASK        0x000000FFu
#define NK_RSS_FUNC_TOEPLITZ    0x00000001u
#define NK_RSS_TYPE_MASK        0x00FFFF00u
#define NK_RSS_HASH_IPV4        0x00000100u
#define NK_RSS_HASH_TCP_IPV4    0x00000200u
#define NK_RSS_HASH_IPV6        0x00000400u
#define NK_RSS_HASH_IPV6_EX     0x00000800u
#define NK_RSS_HASH_TCP_IPV6    0x00001000u
#define NK_RSS_HASH_TCP_IPV6_EX 0x00002000u
#define NK_RSS_HASH_UDP_IPV4    0x00004000u
#define NK_RSS_HASH_UDP_IPV6    0x00008000u
#define NK_RSS_HASH_UDP_IPV6_EX 0x00010000u

/* virtio-net hash types (struct virtio_net_rss_config.hash_types) */
#define VIRTIO_NET_RSS_HASH_TYPE_IPv4   (1u << 0)
#define VIRTIO_NET_RSS_HASH_TYPE_TCPv4  (1u << 1)
#define VIRTIO_NET_RSS_HASH_TYPE_UDPv4  (1u << 2)
#define VIRTIO_NET_RSS_HASH_TYPE_IPv6   (1u << 3)
#define VIRTIO_NET_RSS_HASH_TYPE_TCPv6  (1u << 4)
#define VIRTIO_NET_RSS_HASH_TYPE_UDPv6  (1u << 5)
#define VIRTIO_NET_RSS_HASH_TYPE_IP_EX  (1u << 6)
#define VIRTIO_NET_RSS_HASH_TYPE_TCP_EX (1u << 7)
#define VIRTIO_NET_RSS_HASH_TYPE_UDP_EX (1u << 8)

/* virtio-net hash report values (virtio_net_hdr_v1_hash.hash_report) */
#define VIRTIO_NET_HASH_REPORT_NONE     0
#define VIRTIO_NET_HASH_REPORT_IPv4     1
#define VIRTIO_NET_HASH_REPORT_TCPv4    2
#define VIRTIO_NET_HASH_REPORT_UDPv4    3
#define VIRTIO_NET_HASH_REPORT_IPv6     4
#define VIRTIO_NET_HASH_REPORT_TCPv6    5
#define VIRTIO_NET_HASH_REPORT_UDPv6    6
#define VIRTIO_NET_HASH_REPORT_IPv6_EX  7
#define VIRTIO_NET_HASH_REPORT_TCPv6_EX 8
#define VIRTIO_NET_HASH_REPORT_UDPv6_EX 9

/* The Toeplitz hash of len input bytes with key (key_len ≥ len + 4). */
uint32_t nk_toeplitz(const uint8_t *key, size_t key_len, const uint8_t *in, size_t len);

/* A checked RSS configuration: what the data path reads. */
struct nk_rss_map {
    bool enabled;
    uint32_t hash_types; /* NK_RSS_HASH_* the OS enabled */
    uint8_t key[NK_RSS_KEY_BYTES];
    uint16_t key_len;
    uint16_t itable_len;               /* power of two, 1..128 */
    uint16_t queue[NK_RSS_MAX_ITABLE]; /* receive queue per entry, < nqueues */
    uint16_t cpu[NK_RSS_MAX_ITABLE];   /* global processor index per entry */
    uint16_t nqueues;                  /* queues in use (1..NK_RSS_MAX_QUEUES) */
    uint16_t default_queue;            /* unclassified traffic */
};

enum nk_rss_status {
    NK_RSS_OK = 0,
    NK_RSS_DISABLED,   /* function 0: RSS off (map->enabled false), not an error */
    NK_RSS_BAD_FUNC,   /* a function other than Toeplitz */
    NK_RSS_BAD_TYPES,  /* no or unknown type bits, mixed families, IPv4 missing */
    NK_RSS_BAD_KEY,    /* key length not 40 (or 0 / too long) */
    NK_RSS_BAD_ITABLE, /* entries 0, not a power of two, more than 128 */
    NK_RSS_BAD_CPU,    /* a processor index ≥ NK_RSS_MAX_CPUS */
    NK_RSS_BAD_QUEUES, /* nqueues 0 or > NK_RSS_MAX_QUEUES */
};

/* Checks and builds a map: each distinct CPU in the table gets a queue, in
 * first-appearance order, wrapping modulo nqueues when there are more CPUs
 * than queues.  On error *m is left untouched.  PASSIVE or DISPATCH. */
int nk_rss_configure(struct nk_rss_map *m, uint32_t hash_information, const uint8_t *key,
                     size_t key_len, const uint16_t *cpus, size_t n_entries, uint16_t nqueues);

/* Hash of a parsed frame under the map's enabled types; *type is the NDIS
 * hash type used (0: nothing hashable, hash 0 - steer to default_queue).
 * IP fragments get the IP-only hash (Microsoft: don't hash ports of
 * fragments).  The map need not be enabled (the hash is still reported). */
uint32_t nk_rss_hash_pkt(const struct nk_rss_map *m, const struct nk_pkt *pkt, uint32_t *type);

/* Receive queue / processor for a hash (bounds are always checked). */
uint16_t nk_rss_queue(const struct nk_rss_map *m, uint32_t hash);
uint16_t nk_rss_cpu(const struct nk_rss_map *m, uint32_t hash);

/* NDIS types -> virtio hash types, and a hash report value -> NDIS type (0 for NONE/unknown). */
uint32_t nk_rss_types_to_virtio(uint32_t ndis_types);
uint32_t nk_rss_from_report(uint16_t report);

/* Rebinds every entry to the queue pair whose DPC runs on its processor
 * (pair k's on processor index k; a processor past the pairs shares pair
 * cpu % nqueues), so device RSS lands a frame where the table names.
 * nqueues 1..NK_RSS_MAX_QUEUES; nothing changes otherwise. */
void nk_rss_queues_by_cpu(struct nk_rss_map *m, uint16_t nqueues);

/* The NDIS types among ndis_types whose virtio equivalents the device
 * supports (dev_types: supported_hash_types). */
uint32_t nk_rss_types_within(uint32_t ndis_types, uint32_t dev_types);

/* A device's hash report checked: -1 for a value out of range (untrusted;
 * the caller counts it and hashes in software), else 0 and *type the NDIS
 * type when it is among the enabled ones (0: none, hash in software). */
int nk_rss_report(uint16_t report, uint32_t enabled_types, uint32_t *type);

/* Serialises m as struct virtio_net_rss_config (little-endian) into out;
 * the device limits (max indirection length, max key size, supported
 * types) are checked.  Returns bytes written, or 0 when it does not fit or
 * the device cannot take it. */
size_t nk_rss_virtio_config(const struct nk_rss_map *m, uint16_t max_tx_vq, uint16_t dev_max_itable,
                            uint8_t dev_max_key, uint32_t dev_types, uint8_t *out, size_t cap);

/* Serialises m's types and key as struct virtio_net_hash_config (hash
 * reports without device RSS: le32 types, 4 reserved le16, key length,
 * key); 0 when it does not fit or the device cannot take it.  RSS off:
 * types 0, no key (the device reports no hash). */
size_t nk_rss_virtio_hash_config(const struct nk_rss_map *m, uint8_t dev_max_key,
                                 uint32_t dev_types, uint8_t *out, size_t cap);

/* ---- Publishing (nk_rss_pub.c) ------------------------------------------
 * The map the data path reads without a lock: two maps and the published
 * one's index.  Readers (≤ DISPATCH, any number at once):
 *     unsigned slot; const struct nk_rss_map *m = nk_rss_read_begin(p, &slot);
 *     ... hash and look up in m ...;  nk_rss_read_end(p, slot);
 * The writer (one at a time: NDIS sends one OID request at a time):
 *     struct nk_rss_map *m = nk_rss_write_begin(p);  // NULL: a reader is
 *     ... build m (a copy of the published map) ...;  // still in it, retry
 *     nk_rss_publish(p);   // or drop m: nothing changed for the readers
 * A reader holds a map for one frame, so the writer waits microseconds at
 * most; nk_pub.c says why no reader sees a half-written map. */
struct nk_rss_pub {
    struct nk_rss_map map[2];
    struct nk_pub pub; /* which map readers take, and who is inside each */
};
const struct nk_rss_map *nk_rss_read_begin(struct nk_rss_pub *p, unsigned *slot);
void nk_rss_read_end(struct nk_rss_pub *p, unsigned slot);
const struct nk_rss_map *nk_rss_current(const struct nk_rss_pub *p);
struct nk_rss_map *nk_rss_write_begin(struct nk_rss_pub *p);
void nk_rss_publish(struct nk_rss_pub *p);

#endif /* NK_RSS_H */
