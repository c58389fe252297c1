/* nk_announce tests: OID_GEN_NETWORK_LAYER_ADDRESSES lists built byte by
 * byte here (NETWORK_ADDRESS_LIST, NETWORK_ADDRESS, NETWORK_ADDRESS_IP as
 * the OID's page lays them out), the malformed ones refused, and the
 * announcement frames compared with frames written out by hand. */
#include <string.h>

#include "../../nk_announce.h"
#include "nku.h"

#define TCPIP 2 /* NDIS_PROTOCOL_ID_TCP_IP */
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

/* Parsing: addresses taken, replaced, cleared; others' lists ignored. */
static void an_parse(void)
{
    uint8_t b[512];
    struct nk_announce_addrs a = {0};
    size_t n = an_list(b, 2, TCPIP);
    int rc = nk_announce_parse(b, n, TCPIP, &a);
    check(rc == 0 && a.count == 2 && a.ipv4[0][0] == 10 && a.ipv4[0][3] == 1 && a.ipv4[1][3] == 2,
          "announce: two IPv4 addresses taken (%u)", a.count);
    n = an_list(b, 3, IPX);
    rc = nk_announce_parse(b, n, TCPIP, &a);
    check(rc == 0 && a.count == 2,
          "announce: another protocol's list leaves the IPv4 addresses (%u)", a.count);
    n = an_list(b, 12, TCPIP);
    rc = nk_announce_parse(b, n, TCPIP, &a);
    check(rc == 0 && a.count == NK_ANNOUNCE_IPV4_MAX,
          "announce: 12 addresses: the first %u kept (%u)", NK_ANNOUNCE_IPV4_MAX, a.count);
    n = an_list(b, 0, TCPIP);
    check(nk_announce_parse(b, n, TCPIP, &a) == 0 && a.count == 0,
          "announce: an empty TCP/IP list clears the addresses");
}

/* Malformed lists: refused, nothing changed. */
static void an_malformed(void)
{
    uint8_t b[512];
    struct nk_announce_addrs a = {0};
    size_t n = an_list(b, 1, TCPIP);
    nk_announce_parse(b, n, TCPIP, &a);
    n = an_list(b, 2, TCPIP);
    b[6 + 20] = 200; /* the second entry's AddressLength past the buffer */
    check(nk_announce_parse(b, n, TCPIP, &a) == -1 && a.count == 1,
          "announce: an address length past the buffer refused");
    n = an_list(b, 2, TCPIP);
    check(nk_announce_parse(b, n - 1, TCPIP, &a) == -1 && a.count == 1,
          "announce: a list cut one byte short refused");
    b[0] = 3; /* three promised, two present */
    check(nk_announce_parse(b, n, TCPIP, &a) == -1 && a.count == 1,
          "announce: more entries counted than present refused");
    b[3] = 0x80; /* a negative count */
    check(nk_announce_parse(b, n, TCPIP, &a) == -1, "announce: a negative count refused");
    check(nk_announce_parse(b, 5, TCPIP, &a) == -1, "announce: a 5-byte list refused");
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
    nk_announce_parse(b, an_list(b, 2, TCPIP), TCPIP, &a);
    check(nk_announce_count(&a) == 2, "announce: two addresses: two frames");
    len = nk_announce_frame(an_mac, &a, 1, f);
    check(len == 60 && memcmp(f, garp, 42) == 0 && memcmp(f + 42, zero, sizeof(zero)) == 0,
          "announce: address 10.0.0.2: a gratuitous ARP request, padded to 60");
}

/* The group. */
void test_announce(void)
{
    an_parse();
    an_malformed();
    an_frames();
}
