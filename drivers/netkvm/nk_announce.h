/*
 * nk_announce.h - what NetKVM sends when the device asks it to announce
 * the guest (VIRTIO_NET_F_GUEST_ANNOUNCE, virtio 1.2 5.1.6.5.4: after a
 * migration the switches must learn where the address now lives).  No
 * Windows header: the host unit tests build it as is.
 *
 * Usage:
 *   nk_announce_parse(buf, len, NDIS_PROTOCOL_ID_TCP_IP, &addrs)   an
 *       OID_GEN_NETWORK_LAYER_ADDRESSES set (NETWORK_ADDRESS_LIST) into
 *       the IPv4 addresses the stack uses (0: taken; else addrs unchanged)
 *   n = nk_announce_count(&addrs)        frames to send (at least one)
 *   nk_announce_frame(mac, &addrs, k, f) frame k (NK_ANNOUNCE_LEN bytes)
 *
 * With IPv4 addresses known each is announced by a gratuitous ARP request
 * (sender and target protocol address both the guest's, RFC 5227 2.3's
 * "ARP Announcement"), which updates the switches' MAC tables and the
 * neighbours' ARP caches.  With none known one RARP request for the
 * guest's own address (EtherType 0x8035, RFC 903) goes out: it needs no
 * protocol address, it is broadcast so every switch learns the port, and
 * no host answers or changes state for it.
 */
#ifndef NK_ANNOUNCE_H
#define NK_ANNOUNCE_H

#include <stddef.h>
#include <stdint.h>

#define NK_ANNOUNCE_IPV4_MAX 8  /* addresses announced at most */
#define NK_ANNOUNCE_LEN      60 /* every announcement: a minimum Ethernet frame */

struct nk_announce_addrs {
    unsigned count;
    uint8_t ipv4[NK_ANNOUNCE_IPV4_MAX][4]; /* network byte order */
};

/* Take the IPv4 addresses of a NETWORK_ADDRESS_LIST (tcpip_type: the
 * protocol id of TCP/IP).  A list from TCP/IP replaces the addresses; one
 * of another protocol changes nothing.  0, or -1 for a malformed list
 * (lengths past the buffer), addrs unchanged. */
int nk_announce_parse(const uint8_t *buf, size_t len, uint16_t tcpip_type,
                      struct nk_announce_addrs *addrs);

/* Frames one announcement sends: one per address, or one RARP. */
unsigned nk_announce_count(const struct nk_announce_addrs *addrs);

/* Write announcement frame k (below nk_announce_count) from mac into out
 * (NK_ANNOUNCE_LEN bytes); returns its length. */
size_t nk_announce_frame(const uint8_t *mac, const struct nk_announce_addrs *addrs, unsigned k,
                         uint8_t *out);

#endif /* NK_ANNOUNCE_H */
