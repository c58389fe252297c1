/*
 * nk_announce.h - what NetKVM sends when the device asks it to announce
 * the guest (VIRTIO_NET_F_GUEST_ANNOUNCE, virtio 1.2 5.1.6.5.4: after a
 * migration the switches must learn where the address now lives).  No
 * Windows header: the host unit tests build it as is.
 *
 * Usage:
 *   nk_announce_parse(buf, len, NDIS_PROTOCOL_ID_TCP_IP, NDIS_PROTOCOL_ID_IP6,
 *       &addrs)   an OID_GEN_NETWORK_LAYER_ADDRESSES set (NETWORK_ADDRESS_LIST)
 *       into the IPv4 and IPv6 addresses the stack uses (0: taken; else
 *       addrs unchanged)
 *   n = nk_announce_count(&addrs)        frames to send (at least one)
 *   nk_announce_frame(mac, &addrs, k, f) frame k (at most NK_ANNOUNCE_MAX
 *       bytes)
 *
 * With IPv4 addresses known each is announced by a gratuitous ARP request
 * (sender and target protocol address both the guest's, RFC 5227 2.3's
 * "ARP Announcement"), which updates the switches' MAC tables and the
 * neighbours' ARP caches.  With none known one RARP request for the
 * guest's own address (EtherType 0x8035, RFC 903) goes out: it needs no
 * protocol address, it is broadcast so every switch learns the port, and
 * no host answers or changes state for it.  Each IPv6 address is
 * announced by an unsolicited neighbour advertisement (RFC 4861 7.2.6, the
 * format of 4.4): from the address to all nodes (ff02::1,
 * 33:33:00:00:00:01), hop limit 255, Solicited clear, Override set, the
 * address as target and our MAC as target link-layer address option.
 */
#ifndef NK_ANNOUNCE_H
#define NK_ANNOUNCE_H

#include <stddef.h>
#include <stdint.h>

#define NK_ANNOUNCE_IPV4_MAX 8  /* IPv4 addresses announced at most */
#define NK_ANNOUNCE_IPV6_MAX 8  /* IPv6 addresses announced at most */
#define NK_ANNOUNCE_LEN      60 /* an ARP or RARP announcement: a minimum frame */
#define NK_ANNOUNCE_NA_LEN   86 /* Ethernet 14 + IPv6 40 + advertisement 24 + option 8 */
#define NK_ANNOUNCE_MAX      NK_ANNOUNCE_NA_LEN /* the longest announcement frame */
#define NK_ANNOUNCE_IP6_LEN  28 /* an IPv6 entry's AddressLength (NETWORK_ADDRESS_IP6) */

struct nk_announce_addrs {
    unsigned count;                        /* IPv4 addresses */
    uint8_t ipv4[NK_ANNOUNCE_IPV4_MAX][4]; /* network byte order */
    unsigned count6;                       /* IPv6 addresses */
    uint8_t ipv6[NK_ANNOUNCE_IPV6_MAX][16];
    unsigned dropped; /* addresses of the last list left out by the bounds */
};

/* Take the IPv4 and IPv6 addresses of a NETWORK_ADDRESS_LIST (tcpip_type,
 * ip6_type: the protocol ids of TCP/IP and IPv6).  A list with entries of
 * one family (or empty and of that family's type) replaces that family's
 * addresses; one of another protocol changes nothing.  0, or -1 for a
 * malformed list (lengths past the buffer, an IPv6 entry not
 * NK_ANNOUNCE_IP6_LEN bytes), addrs unchanged. */
int nk_announce_parse(const uint8_t *buf, size_t len, uint16_t tcpip_type, uint16_t ip6_type,
                      struct nk_announce_addrs *addrs);

/* Frames one announcement sends: one per address, or one RARP. */
unsigned nk_announce_count(const struct nk_announce_addrs *addrs);

/* Write announcement frame k (below nk_announce_count) from mac into out
 * (NK_ANNOUNCE_MAX bytes): the IPv4 addresses' ARP requests first, then the
 * IPv6 addresses' advertisements; returns its length. */
size_t nk_announce_frame(const uint8_t *mac, const struct nk_announce_addrs *addrs, unsigned k,
                         uint8_t *out);

#endif /* NK_ANNOUNCE_H */
