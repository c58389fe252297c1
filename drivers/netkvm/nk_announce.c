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
 * bytes (NETWORK_ADDRESS_LENGTH_IP) */
#define NK_NAL_HDR  6u
#define NK_NA_HDR   4u
#define NK_NAIP_OFF 4u

/* IRQL: any. a little-endian 16-bit field. */
static uint16_t nk_an_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* IRQL: any. see nk_announce.h. */
int nk_announce_parse(const uint8_t *buf, size_t len, uint16_t tcpip_type,
                      struct nk_announce_addrs *addrs)
{
    struct nk_announce_addrs got = {0};
    if (buf == NULL || len < NK_NAL_HDR)
        return -1;
    int32_t count = (int32_t)((uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 |
                              (uint32_t)buf[3] << 24);
    if (count < 0)
        return -1;
    if (count == 0) {
        /* Cleared: AddressType says whose list (only TCP/IP's is ours) */
        if (nk_an_le16(buf + 4) == tcpip_type)
            *addrs = got;
        return 0;
    }
    size_t off = NK_NAL_HDR;
    int tcpip = 0;
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
            if (alen >= NK_NAIP_OFF + 4 && got.count < NK_ANNOUNCE_IPV4_MAX)
                memcpy(got.ipv4[got.count++], buf + off + NK_NAIP_OFF, 4);
        }
        off += alen;
    }
    if (tcpip)
        *addrs = got;
    return 0;
}

/* IRQL: any. see nk_announce.h. */
unsigned nk_announce_count(const struct nk_announce_addrs *addrs)
{
    return addrs->count != 0 ? addrs->count : 1;
}

/* IRQL: any. see nk_announce.h. */
size_t nk_announce_frame(const uint8_t *mac, const struct nk_announce_addrs *addrs, unsigned k,
                         uint8_t *out)
{
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
