/* nk_announce tests: OID_GEN_NETWORK_LAYER_ADDRESSES lists built byte by
 * byte here (NETWORK_ADDRESS_LIST, NETWORK_ADDRESS, NETWORK_ADDRESS_IP as
 * the OID's page lays them out, NETWORK_ADDRESS_IP6 as ntddndis.h), the
 * malformed ones refused, and the announcement frames compared with frames
 * written out by hand. */
#include <string.h>

#include "../../nk_announce.h"
#include "nku.h"

#define TCPIP 2 /* NDIS_PROTOCOL_ID_TCP_IP */
#define IP6   3 /* NDIS_PROTOCOL_ID_IP6 */
#define IPX   6 /* another protocol's list */

static const uint8_t an_mac[6] = {0x52, 0x54, 0x00, 0xab, 0xcd, 0xef};

/* A list of N entries of TYPE, entry i the address 10.0.0.(i+1), into buf. */
static size_t an_list(uint8_t *buf, int n, uint16_t type)
{
    size_t o = 6;
    buf[0] = (uint8_t)n, buf[1] = buf[2] = buf[3] = 0;
    buf[4] = (uint8_t)type, buf[5] = 0;
    for (int i = 0; i < n; i++) {
        buf[o] = 16, buf[o + 1] = 0; /* AddressLength: sizeof(NETWORK_ADDRESS_IP) */
        buf[o + 2] = (uint8_t)type, buf[o + 3] = 0;
        memset(buf + o + 4, 0, 16);
        buf[o + 4] = 0x12, buf[o + 5] = 0x34;            /* sin_port, then 2 bytes of padding */
        buf[o + 8] = 10, buf[o + 11] = (uint8_t)(i + 1); /* in_addr at offset 4 */
        o += 4 + 16;
    }
    return o;
}

/* A list of N IPv6 entries, each ALEN long (28: NETWORK_ADDRESS_IP6),
 * entry i the address 2001:db8::(i+1) with a port, flow label and scope id
 * around it, into buf. */
static size_t an_list6(uint8_t *buf, int n, uint16_t alen)
{
    size_t o = 6;
    buf[0] = (uint8_t)n, buf[1] = buf[2] = buf[3] = 0;
    buf[4] = IP6, buf[5] = 0;
    for (int i = 0; i < n; i++) {
        buf[o] = (uint8_t)alen, buf[o + 1] = 0;
        buf[o + 2] = IP6, buf[o + 3] = 0;
        memset(buf + o + 4, 0xee, alen); /* port, padding, flowinfo, scope id */
        memset(buf + o + 4 + 8, 0, 16);  /* sin6_addr at offset 8 */
        buf[o + 12] = 0x20, buf[o + 13] = 0x01, buf[o + 14] = 0x0d, buf[o + 15] = 0xb8;
        buf[o + 27] = (uint8_t)(i + 1);
        o += 4 + alen;
    }
    return o;
}

/* IPv6 entries: taken beside the IPv4 ones, bounded, the length checked. */
static void an_parse6(void)
{
    uint8_t b[1024];
    struct nk_announce_addrs a = {0};
    nk_announce_parse(b, an_list(b, 1, TCPIP), TCPIP, IP6, &a);
    size_t n = an_list6(b, 2, 28);
    int rc = nk_announce_parse(b, n, TCPIP, IP6, &a);
    check(rc == 0 && a.count == 1 && a.count6 == 2 && a.ipv6[0][0] == 0x20 &&
              a.ipv6[0][3] == 0xb8 && a.ipv6[0][4] == 0 && a.ipv6[0][15] == 1 && a.ipv6[1][15] == 2,
          "announce: two IPv6 addresses taken from offset 8, the IPv4 one kept (%u, %u)", a.count,
          a.count6);
    n = an_list6(b, 12, 28);
    rc = nk_announce_parse(b, n, TCPIP, IP6, &a);
    check(rc == 0 && a.count6 == NK_ANNOUNCE_IPV6_MAX && a.dropped == 12 - NK_ANNOUNCE_IPV6_MAX,
          "announce: 12 IPv6 addresses: the first %u kept, %u counted as left out (%u, %u)",
          NK_ANNOUNCE_IPV6_MAX, 12 - NK_ANNOUNCE_IPV6_MAX, a.count6, a.dropped);
    n = an_list6(b, 2, 26);
    check(nk_announce_parse(b, n, TCPIP, IP6, &a) == -1 && a.count6 == NK_ANNOUNCE_IPV6_MAX,
          "announce: an IPv6 entry of 26 bytes refused, nothing changed");
    n = an_list6(b, 1, 32);
    check(nk_announce_parse(b, n, TCPIP, IP6, &a) == -1 && a.count6 == NK_ANNOUNCE_IPV6_MAX,
          "announce: an IPv6 entry of 32 bytes refused, nothing changed");
    n = an_list(b, 2, TCPIP);
    check(nk_announce_parse(b, n, TCPIP, IP6, &a) == 0 && a.count == 2 &&
              a.count6 == NK_ANNOUNCE_IPV6_MAX,
          "announce: an IPv4 list leaves the IPv6 addresses (%u)", a.count6);
    n = an_list6(b, 0, 28);
    check(nk_announce_parse(b, n, TCPIP, IP6, &a) == 0 && a.count6 == 0 && a.count == 2,
          "announce: an empty IPv6 list clears the IPv6 addresses only");
}

/* Parsing: addresses taken, replaced, cleared; others' lists ignored. */
static void an_parse(void)
{
    uint8_t b[512];
    struct nk_announce_addrs a = {0};
    size_t n = an_list(b, 2, TCPIP);
    int rc = nk_announce_parse(b, n, TCPIP, IP6, &a);
    check(rc == 0 && a.count == 2 && a.ipv4[0][0] == 10 && a.ipv4[0][3] == 1 && a.ipv4[1][3] == 2,
          "announce: two IPv4 addresses taken (%u)", a.count);
    n = an_list(b, 3, IPX);
    rc = nk_announce_parse(b, n, TCPIP, IP6, &a);
    check(rc == 0 && a.count == 2,
          "announce: another protocol's list leaves the IPv4 addresses (%u)", a.count);
    n = an_list(b, 12, TCPIP);
    rc = nk_announce_parse(b, n, TCPIP, IP6, &a);
    check(rc == 0 && a.count == NK_ANNOUNCE_IPV4_MAX,
          "announce: 12 addresses: the first %u kept (%u)", NK_ANNOUNCE_IPV4_MAX, a.count);
    n = an_list(b, 0, TCPIP);
    check(nk_announce_parse(b, n, TCPIP, IP6, &a) == 0 && a.count == 0,
          "announce: an empty TCP/IP list clears the addresses");
}

/* Malformed lists: refused, nothing changed. */
static void an_malformed(void)
{
    uint8_t b[512];
    struct nk_announce_addrs a = {0};
    size_t n = an_list(b, 1, TCPIP);
    nk_announce_parse(b, n, TCPIP, IP6, &a);
    n = an_list(b, 2, TCPIP);
    b[6 + 20] = 200; /* the second entry's AddressLength past the buffer */
    check(nk_announce_parse(b, n, TCPIP, IP6, &a) == -1 && a.count == 1,
          "announce: an address length past the buffer refused");
    n = an_list(b, 2, TCPIP);
    check(nk_announce_parse(b, n - 1, TCPIP, IP6, &a) == -1 && a.count == 1,
          "announce: a list cut one byte short refused");
    b[0] = 3; /* three promised, two present */
    check(nk_announce_parse(b, n, TCPIP, IP6, &a) == -1 && a.count == 1,
          "announce: more entries counted than present refused");
    b[3] = 0x80; /* a negative count */
    check(nk_announce_parse(b, n, TCPIP, IP6, &a) == -1, "announce: a negative count refused");
    check(nk_announce_parse(b, 5, TCPIP, IP6, &a) == -1, "announce: a 5-byte list refused");
}

/* Frames: gratuitous ARP per address, RARP without addresses. */
static void an_frames(void)
{
    static const uint8_t garp[42] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef, 0x08, 0x06,
        0x00, 0x01, 0x08, 0x00, 6,    4,    0x00, 0x01, 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef,
        10,   0,    0,    2,    0,    0,    0,    0,    0,    0,    10,   0,    0,    2};
    static const uint8_t rarp[42] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef, 0x80, 0x35,
        0x00, 0x01, 0x08, 0x00, 6,    4,    0x00, 0x03, 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef,
        0,    0,    0,    0,    0x52, 0x54, 0x00, 0xab, 0xcd, 0xef, 0,    0,    0,    0};
    uint8_t f[NK_ANNOUNCE_LEN], zero[NK_ANNOUNCE_LEN - 42] = {0};
    struct nk_announce_addrs a = {0};
    check(nk_announce_count(&a) == 1, "announce: no address: one frame");
    size_t len = nk_announce_frame(an_mac, &a, 0, f);
    check(len == 60 && memcmp(f, rarp, 42) == 0 && memcmp(f + 42, zero, sizeof(zero)) == 0,
          "announce: no address: a RARP request for our own address, padded to 60");
    uint8_t b[128];
    nk_announce_parse(b, an_list(b, 2, TCPIP), TCPIP, IP6, &a);
    check(nk_announce_count(&a) == 2, "announce: two addresses: two frames");
    len = nk_announce_frame(an_mac, &a, 1, f);
    check(len == 60 && memcmp(f, garp, 42) == 0 && memcmp(f + 42, zero, sizeof(zero)) == 0,
          "announce: address 10.0.0.2: a gratuitous ARP request, padded to 60");
}

/* An unsolicited neighbour advertisement for 2001:db8::7, written out
 * from RFC 4861 4.4 and 7.2.6; its checksum (RFC 4443 2.3, over the IPv6
 * pseudo-header) worked out by hand: 0xda30. */
static void an_na(void)
{
    /* Ethernet; IPv6 (payload 32, ICMPv6, hop limit 255) from 2001:db8::7
     * to ff02::1; type, code, checksum, R0 S0 O1, reserved; the target;
     * the target link-layer address option */
    /* clang-format off */
    static const uint8_t na[86] = {
        0x33, 0x33, 0, 0, 0, 1, 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef, 0x86, 0xdd,
        0x60, 0, 0, 0, 0, 32, 58, 255,
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7,
        0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
        136, 0, 0xda, 0x30, 0x20, 0, 0, 0,
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7,
        2, 1, 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef};
    /* clang-format on */
    uint8_t b[1024], f[NK_ANNOUNCE_MAX];
    struct nk_announce_addrs a = {0};
    nk_announce_parse(b, an_list(b, 1, TCPIP), TCPIP, IP6, &a);
    nk_announce_parse(b, an_list6(b, 7, 28), TCPIP, IP6, &a);
    check(nk_announce_count(&a) == 8, "announce: 1 IPv4 and 7 IPv6 addresses: 8 frames (%u)",
          nk_announce_count(&a));
    size_t len = nk_announce_frame(an_mac, &a, 0, f);
    check(len == NK_ANNOUNCE_LEN && f[12] == 0x08 && f[13] == 0x06,
          "announce: frame 0 the IPv4 address's gratuitous ARP");
    len = nk_announce_frame(an_mac, &a, 7, f);
    check(len == sizeof(na) && memcmp(f, na, sizeof(na)) == 0,
          "announce: 2001:db8::7: the neighbour advertisement written by hand, checksum 0x%02x%02x",
          f[56], f[57]);
    nk_announce_parse(b, an_list(b, 0, TCPIP), TCPIP, IP6, &a);
    check(nk_announce_count(&a) == 7 && nk_announce_frame(an_mac, &a, 0, f) == sizeof(na) &&
              f[12] == 0x86 && f[77] == 1,
          "announce: IPv6 addresses alone: advertisements, no RARP");
}

/* The group. */
void test_announce(void)
{
    an_parse();
    an_parse6();
    an_na();
    an_malformed();
    an_frames();
}
