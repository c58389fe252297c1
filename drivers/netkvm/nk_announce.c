/*
 * nk_announce.c - the network-layer addresses NDIS gives the miniport and
 * the frames that announce the guest after a migration (nk_announce.h).
 */
#include "nk_announce.h"

#include <string.h>

/* NETWORK_ADDRESS_LIST: LONG AddressCount, USHORT AddressType, then the
 * NETWORK_ADDRESS entries (USHORT AddressLength, USHORT AddressType, the
 * bytes); a TCP/IP entry is NETWORK_ADDRESS_IP as ntddndis.h declares it,
 * with natural alignment: USHORT sin_port, 2 bytes of padding, ULONG
 * in_addr (the address, network order) at offset 4, UCHAR sin_zero[8]: 16
 * bytes (NETWORK_ADDRESS_LENGTH_IP).  An IPv6 entry is NETWORK_ADDRESS_IP6:
 * USHORT sin6_port, 2 bytes of padding, ULONG sin6_flowinfo, the address
 * (network order) at offset 8, ULONG sin6_scope_id: 28 bytes
 * (NK_ANNOUNCE_IP6_LEN). */
#define NK_NAL_HDR   6u
#define NK_NA_HDR    4u
#define NK_NAIP_OFF  4u
#define NK_NAIP6_OFF 8u

/* IRQL: any. a little-endian 16-bit field. */
static uint16_t nk_an_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* IRQL: any. see nk_announce.h. */
int nk_announce_parse(const uint8_t *buf, size_t len, uint16_t tcpip_type, uint16_t ip6_type,
                      struct nk_announce_addrs *addrs)
{
    struct nk_announce_addrs got = {0};
    if (buf == NULL || len < NK_NAL_HDR)
        return -1;
    int32_t count = (int32_t)((uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 |
                              (uint32_t)buf[3] << 24);
    if (count < 0)
        return -1;
    /* Cleared: AddressType says whose list (TCP/IP's and IPv6's are ours) */
    int tcpip = count == 0 && nk_an_le16(buf + 4) == tcpip_type;
    int ip6 = count == 0 && nk_an_le16(buf + 4) == ip6_type;
    size_t off = NK_NAL_HDR;
    for (int32_t i = 0; i < count; i++) {
        if (len - off < NK_NA_HDR)
            return -1;
        uint16_t alen = nk_an_le16(buf + off), type = nk_an_le16(buf + off + 2);
        off += NK_NA_HDR;
#ifndef NK_PLANTED_ANNOUNCE_LEN
        if (alen > len - off)
            return -1;
#endif
        if (type == tcpip_type) {
            tcpip = 1;
            if (alen < NK_NAIP_OFF + 4)
                ; /* too short to hold an address: nothing to announce */
            else if (got.count < NK_ANNOUNCE_IPV4_MAX)
                memcpy(got.ipv4[got.count++], buf + off + NK_NAIP_OFF, 4);
            else
                got.dropped++;
        } else if (type == ip6_type) {
            if (alen != NK_ANNOUNCE_IP6_LEN)
                return -1; /* not a NETWORK_ADDRESS_IP6: the list is not what it says */
            ip6 = 1;
            if (got.count6 < NK_ANNOUNCE_IPV6_MAX)
                memcpy(got.ipv6[got.count6++], buf + off + NK_NAIP6_OFF, 16);
            else
                got.dropped++;
        }
        off += alen;
    }
    if (tcpip)
        memcpy(addrs->ipv4, got.ipv4, sizeof(got.ipv4)), addrs->count = got.count;
    if (ip6)
        memcpy(addrs->ipv6, got.ipv6, sizeof(got.ipv6)), addrs->count6 = got.count6;
    addrs->dropped = got.dropped;
    return 0;
}

/* IRQL: any. see nk_announce.h. */
unsigned nk_announce_count(const struct nk_announce_addrs *addrs)
{
    unsigned n = addrs->count + addrs->count6;
    return n != 0 ? n : 1;
}

/* IRQL: any. the 16-bit one's complement sum of n bytes added to sum. */
static uint32_t nk_an_sum(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    return sum;
}

/* IRQL: any. the unsolicited neighbour advertisement of address ip6 from
 * mac (RFC 4861 4.4, 7.2.6) into out: NK_ANNOUNCE_NA_LEN bytes. */
static size_t nk_an_na(const uint8_t *mac, const uint8_t *ip6, uint8_t *out)
{
    static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};
    memset(out, 0, NK_ANNOUNCE_NA_LEN);
    out[0] = 0x33, out[1] = 0x33, out[5] = 1; /* ff02::1 over Ethernet (RFC 2464 7) */
    memcpy(out + 6, mac, 6);
    out[12] = 0x86, out[13] = 0xdd;
    uint8_t *ip = out + 14, *icmp = out + 54;
    ip[0] = 0x60;            /* version 6, traffic class and flow label 0 */
    ip[4] = 0, ip[5] = 32;   /* payload: the advertisement and its option */
    ip[6] = 58, ip[7] = 255; /* ICMPv6; hop limit 255, or receivers drop it (7.1.2) */
    memcpy(ip + 8, ip6, 16); /* from the address itself */
    memcpy(ip + 24, all_nodes, 16);
    icmp[0] = 136;  /* neighbour advertisement, code 0 */
    icmp[4] = 0x20; /* Router 0, Solicited 0 (unsolicited), Override 1 */
    memcpy(icmp + 8, ip6, 16);
    icmp[24] = 2, icmp[25] = 1; /* target link-layer address, 8 bytes */
    memcpy(icmp + 26, mac, 6);
    /* RFC 4443 2.3 / RFC 8200 8.1: over the pseudo-header (source,
     * destination, upper-layer length, next header) and the message */
    uint32_t sum = 0;
#ifndef NK_PLANTED_NA_PSEUDO
    sum = nk_an_sum(sum, ip + 8, 32);
    sum += 32 + 58;
#endif
    sum = nk_an_sum(sum, icmp, 32);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    uint16_t c = (uint16_t)~sum;
    icmp[2] = (uint8_t)(c >> 8), icmp[3] = (uint8_t)c;
    return NK_ANNOUNCE_NA_LEN;
}

/* IRQL: any. see nk_announce.h. */
size_t nk_announce_frame(const uint8_t *mac, const struct nk_announce_addrs *addrs, unsigned k,
                         uint8_t *out)
{
    if (k >= addrs->count && k - addrs->count < addrs->count6)
        return nk_an_na(mac, addrs->ipv6[k - addrs->count], out);
    int rarp = addrs->count == 0 || k >= addrs->count;
    memset(out, 0, NK_ANNOUNCE_LEN);
    memset(out, 0xff, 6); /* broadcast: every switch on the way learns the port */
    memcpy(out + 6, mac, 6);
    out[12] = rarp ? 0x80 : 0x08, out[13] = rarp ? 0x35 : 0x06;
    uint8_t *p = out + 14;
    p[0] = 0, p[1] = 1;       /* hardware type Ethernet */
    p[2] = 0x08, p[3] = 0x00; /* protocol IPv4 */
    p[4] = 6, p[5] = 4;
    p[6] = 0, p[7] = rarp ? 3 : 1; /* RARP request reverse / ARP request */
    memcpy(p + 8, mac, 6);         /* sender hardware address */
    if (rarp) {
        memcpy(p + 18, mac, 6); /* target hardware: our own, protocol addresses 0 */
    } else {
        memcpy(p + 14, addrs->ipv4[k], 4); /* sender and target protocol: the same */
        memcpy(p + 24, addrs->ipv4[k], 4);
    }
    return NK_ANNOUNCE_LEN;
}
