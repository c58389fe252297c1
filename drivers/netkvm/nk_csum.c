/* nk_csum.c - frame parsing, TX offload planning and RX checksum verdicts
 * (see nk_csum.h for the facts and their sources).  Every routine here runs
 * at any IRQL: no allocation, no lock, bounded loops. */
#include "nk_csum.h"

#include <string.h>

#define NK_MAX_EXT_HDRS 8 /* IPv6 extension headers we walk before giving up */

#define IP6_HOPOPTS  0
#define IP6_ROUTING  43
#define IP6_FRAGMENT 44
#define IP6_AH       51
#define IP6_DSTOPTS  60
#define IP6_HOME_OPT 0xC9 /* Home Address destination option (RFC 6275) */

/* IRQL: any. Little-endian 16/32-bit loads and stores for the virtio header. */
static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* IRQL: any. Stores a 32-bit little-endian value. */
static void put_le32(uint8_t *p, uint32_t v)
{
    put_le16(p, (uint16_t)v);
    put_le16(p + 2, (uint16_t)(v >> 16));
}

/* IRQL: any. Loads a 16-bit little-endian value. */
static uint16_t get_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* IRQL: any. Loads a 16-bit big-endian (network order) value. */
static uint16_t get_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* IRQL: any. Writes hdr as 10, 12 or 20 wire bytes. */
void nk_vnet_hdr_put(const struct nk_vnet_hdr *hdr, uint8_t *out, size_t bytes)
{
    memset(out, 0, bytes);
    out[0] = hdr->flags;
    out[1] = hdr->gso_type;
    put_le16(out + 2, hdr->hdr_len);
    put_le16(out + 4, hdr->gso_size);
    put_le16(out + 6, hdr->csum_start);
    put_le16(out + 8, hdr->csum_offset);
    if (bytes >= NK_HDR_LEN_MRG)
        put_le16(out + 10, hdr->num_buffers);
    if (bytes >= NK_HDR_LEN_HASH) {
        put_le32(out + 12, hdr->hash_value);
        put_le16(out + 16, hdr->hash_report);
    }
}

/* IRQL: any. Reads 10, 12 or 20 wire bytes; fields beyond them read as 0. */
void nk_vnet_hdr_get(struct nk_vnet_hdr *hdr, const uint8_t *in, size_t bytes)
{
    memset(hdr, 0, sizeof(*hdr));
    if (bytes < NK_HDR_LEN_LEGACY)
        return;
    hdr->flags = in[0];
    hdr->gso_type = in[1];
    hdr->hdr_len = get_le16(in + 2);
    hdr->gso_size = get_le16(in + 4);
    hdr->csum_start = get_le16(in + 6);
    hdr->csum_offset = get_le16(in + 8);
    if (bytes >= NK_HDR_LEN_MRG)
        hdr->num_buffers = get_le16(in + 10);
    if (bytes >= NK_HDR_LEN_HASH) {
        hdr->hash_value = (uint32_t)get_le16(in + 12) | (uint32_t)get_le16(in + 14) << 16;
        hdr->hash_report = get_le16(in + 16);
    }
}

/* IRQL: any. Sets up a view over nsegs buffers. */
void nk_view_init(struct nk_view *v, const struct nk_seg *segs, size_t nsegs)
{
    v->segs = segs;
    v->nsegs = nsegs;
    v->total = 0;
    for (size_t i = 0; i < nsegs; i++)
        v->total += segs[i].len;
}

/* IRQL: any. Copies n bytes at off; false when they are not all in the view. */
bool nk_view_copy(const struct nk_view *v, size_t off, void *dst, size_t n)
{
    if (off > v->total || n > v->total - off)
        return false;
    uint8_t *d = dst;
    for (size_t i = 0; i < v->nsegs && n; i++) {
        size_t len = v->segs[i].len;
        if (off >= len) {
            off -= len;
            continue;
        }
        size_t take = len - off < n ? len - off : n;
        memcpy(d, v->segs[i].p + off, take);
        d += take;
        n -= take;
        off = 0;
    }
    return n == 0;
}

/* IRQL: any. Adds n bytes at off to an RFC 1071 sum; byte parity counts from off. */
bool nk_view_sum(const struct nk_view *v, size_t off, size_t n, uint32_t *sum)
{
    if (off > v->total || n > v->total - off)
        return false;
    uint64_t acc = *sum;
    size_t pos = 0; /* bytes summed so far: its parity says high or low byte */
    for (size_t i = 0; i < v->nsegs && pos < n; i++) {
        size_t len = v->segs[i].len;
        if (off >= len) {
            off -= len;
            continue;
        }
        const uint8_t *p = v->segs[i].p + off;
        size_t take = len - off < n - pos ? len - off : n - pos;
        size_t k = 0;
        if (pos & 1) {
            acc += p[k++];
        }
        for (; k + 1 < take; k += 2)
            acc += (uint32_t)(p[k] << 8 | p[k + 1]);
        if (k < take)
            acc += (uint32_t)p[k] << 8;
        pos += take;
        off = 0;
    }
    while (acc >> 32)
        acc = (acc & 0xFFFFFFFFu) + (acc >> 32);
    uint32_t s = (uint32_t)acc;
    *sum = s;
    return pos == n;
}

/* IRQL: any. Folds a 32-bit sum to 16 bits. */
uint16_t nk_csum_fold(uint32_t sum)
{
    sum = (sum & 0xFFFF) + (sum >> 16);
    sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)sum;
}

/* IRQL: any. Sums a contiguous byte run (even length assumed where it matters). */
static uint32_t sum_bytes(const uint8_t *p, size_t n, uint32_t sum)
{
    uint64_t acc = sum;
    size_t k = 0;
    for (; k + 1 < n; k += 2)
        acc += (uint32_t)(p[k] << 8 | p[k + 1]);
    if (k < n)
        acc += (uint32_t)p[k] << 8;
    while (acc >> 32)
        acc = (acc & 0xFFFFFFFFu) + (acc >> 32);
    return (uint32_t)acc;
}

/* IRQL: any. Parses the IPv4 header at pkt->l3_off. */
static enum nk_parse_status parse_ipv4(const struct nk_view *v, struct nk_pkt *pkt)
{
    uint8_t h[60];
    if (!nk_view_copy(v, pkt->l3_off, h, 20))
        return NK_PARSE_SHORT;
    unsigned ihl = (h[0] & 15u) * 4;
    if ((h[0] >> 4) != 4 || ihl < 20)
        return NK_PARSE_BAD_L3;
    if (!nk_view_copy(v, pkt->l3_off, h, ihl))
        return NK_PARSE_SHORT;
    pkt->l3 = NK_L3_IPV4;
    pkt->l3_hlen = (uint16_t)ihl;
    uint16_t tot = get_be16(h + 2);
    uint16_t frag = get_be16(h + 6);
    pkt->fragment = (frag & 0x3FFF) != 0;
    pkt->first_fragment = pkt->fragment && (frag & 0x1FFF) == 0;
    pkt->l4proto = h[9];
    memcpy(pkt->src, h + 12, 4);
    memcpy(pkt->dst, h + 16, 4);
    if (tot == 0) {
        pkt->len_from_frame = true;
        pkt->l3_end = (uint32_t)v->total;
    } else {
        if (tot < ihl)
            return NK_PARSE_BAD_L3;
#ifndef NK_PLANTED_TRUST_LEN /* the planted bug of check-netkvm-units: believe the header */
        if ((size_t)pkt->l3_off + tot > v->total)
            return NK_PARSE_TRUNCATED_L3;
#endif
        pkt->l3_end = pkt->l3_off + (uint32_t)tot;
    }
    return NK_PARSE_OK;
}

/* IRQL: any. Reads an IPv6 destination-options header for a Home Address option. */
static void find_home(const struct nk_view *v, size_t off, size_t len, struct nk_pkt *pkt)
{
    size_t i = 2;
    while (i + 2 <= len) {
        uint8_t t[2];
        if (!nk_view_copy(v, off + i, t, 2))
            return;
        if (t[0] == 0) { /* Pad1 */
            i++;
            continue;
        }
        if (t[0] == IP6_HOME_OPT && t[1] == 16 && i + 18 <= len) {
            if (nk_view_copy(v, off + i + 2, pkt->home, 16))
                pkt->has_home = true;
            return;
        }
        i += 2u + t[1];
    }
}

/* IRQL: any. Parses the IPv6 header and its extension headers at pkt->l3_off. */
static enum nk_parse_status parse_ipv6(const struct nk_view *v, struct nk_pkt *pkt)
{
    uint8_t h[40];
    if (!nk_view_copy(v, pkt->l3_off, h, 40))
        return NK_PARSE_SHORT;
    if ((h[0] >> 4) != 6)
        return NK_PARSE_BAD_L3;
    pkt->l3 = NK_L3_IPV6;
    memcpy(pkt->src, h + 8, 16);
    memcpy(pkt->dst, h + 24, 16);
    uint16_t plen = get_be16(h + 4);
    if (plen == 0) {
        pkt->len_from_frame = true;
        pkt->l3_end = (uint32_t)v->total;
    } else {
        if ((size_t)pkt->l3_off + 40 + plen > v->total)
            return NK_PARSE_TRUNCATED_L3;
        pkt->l3_end = pkt->l3_off + 40u + plen;
    }
    uint8_t nh = h[6];
    size_t off = (size_t)pkt->l3_off + 40;
    for (int n = 0;; n++) {
        size_t len;
        uint8_t e[8];
        if (nh != IP6_HOPOPTS && nh != IP6_ROUTING && nh != IP6_FRAGMENT && nh != IP6_AH &&
            nh != IP6_DSTOPTS)
            break;
        if (n == NK_MAX_EXT_HDRS)
            return NK_PARSE_BAD_EXT;
        if (off + 8 > pkt->l3_end)
            return v->total < off + 8 ? NK_PARSE_SHORT : NK_PARSE_BAD_EXT;
        if (!nk_view_copy(v, off, e, 8))
            return NK_PARSE_SHORT;
        pkt->ipv6_ext = true;
        if (nh == IP6_FRAGMENT) {
            uint16_t fo = get_be16(e + 2);
            pkt->fragment = true;
            pkt->first_fragment = (fo & 0xFFF8) == 0;
            len = 8;
        } else if (nh == IP6_AH) {
            len = ((size_t)e[1] + 2) * 4;
        } else {
            len = ((size_t)e[1] + 1) * 8;
        }
        if (off + len > pkt->l3_end)
            return NK_PARSE_BAD_EXT;
        if (nh == IP6_ROUTING && e[2] == 2 && len >= 24 && nk_view_copy(v, off + 8, pkt->rh2, 16))
            pkt->has_rh2 = true;
        if (nh == IP6_DSTOPTS)
            find_home(v, off, len, pkt);
        nh = e[0];
        off += len;
        if (pkt->fragment && !pkt->first_fragment)
            break; /* what follows a later fragment's header is payload */
    }
    if (off - pkt->l3_off > 0xFFFF)
        return NK_PARSE_BAD_EXT;
    pkt->l3_hlen = (uint16_t)(off - pkt->l3_off);
    pkt->l4proto = nh;
    return NK_PARSE_OK;
}

/* IRQL: any. Parses the TCP or UDP header at l3_off + l3_hlen, within the datagram. */
static enum nk_parse_status parse_l4(const struct nk_view *v, struct nk_pkt *pkt)
{
    size_t off = (size_t)pkt->l3_off + pkt->l3_hlen;
    uint8_t h[20];
    if (pkt->fragment && !pkt->first_fragment)
        return NK_PARSE_OK;
    if (pkt->l4proto != NK_IPPROTO_TCP && pkt->l4proto != NK_IPPROTO_UDP) {
        pkt->l4 = NK_L4_OTHER;
        return NK_PARSE_OK;
    }
    size_t need = pkt->l4proto == NK_IPPROTO_TCP ? 20 : 8;
    if (off + need > pkt->l3_end || !nk_view_copy(v, off, h, need))
        return NK_PARSE_SHORT;
    size_t hlen = need;
    if (pkt->l4proto == NK_IPPROTO_TCP) {
        hlen = (size_t)(h[12] >> 4) * 4;
        if (hlen < 20)
            return NK_PARSE_BAD_L4;
        if (off + hlen > pkt->l3_end)
            return NK_PARSE_SHORT;
    } else {
        uint16_t ulen = get_be16(h + 4);
        if (ulen != 0 && (ulen < 8 || off + ulen > pkt->l3_end))
            return NK_PARSE_BAD_L4;
    }
    if (off + hlen > 0xFFFF)
        return NK_PARSE_BAD_L4;
    pkt->l4 = pkt->l4proto == NK_IPPROTO_TCP ? NK_L4_TCP : NK_L4_UDP;
    pkt->l4_off = (uint16_t)off;
    pkt->l4_hlen = (uint16_t)hlen;
    pkt->sport = get_be16(h);
    pkt->dport = get_be16(h + 2);
    return NK_PARSE_OK;
}

/* IRQL: any. Parses Ethernet, one 802.1Q tag, IPv4/IPv6 and TCP/UDP. */
enum nk_parse_status nk_parse(const struct nk_view *v, struct nk_pkt *pkt)
{
    uint8_t h[18];
    memset(pkt, 0, sizeof(*pkt));
    if (!nk_view_copy(v, 0, h, NK_ETH_HLEN))
        return NK_PARSE_SHORT;
    pkt->l2_len = NK_ETH_HLEN;
    pkt->ethertype = get_be16(h + 12);
    if (pkt->ethertype == NK_ETH_P_8021Q || pkt->ethertype == NK_ETH_P_8021AD) {
        if (!nk_view_copy(v, 0, h, 18))
            return NK_PARSE_SHORT;
        pkt->vlan = true;
        pkt->vlan_tci = get_be16(h + 14);
        pkt->ethertype = get_be16(h + 16);
        pkt->l2_len = 18;
    }
    pkt->l3_off = pkt->l2_len;
    enum nk_parse_status st;
    if (pkt->ethertype == NK_ETH_P_IPV4)
        st = parse_ipv4(v, pkt);
    else if (pkt->ethertype == NK_ETH_P_IPV6)
        st = parse_ipv6(v, pkt);
    else
        return NK_PARSE_NOT_IP;
    if (st != NK_PARSE_OK) {
        pkt->l3 = NK_L3_NONE; /* nothing above L2 may be trusted */
        return st;
    }
    st = parse_l4(v, pkt);
    if (st != NK_PARSE_OK)
        pkt->l4 = NK_L4_NONE; /* the IP part stays usable (RSS IP-only hash) */
    return st;
}

/* IRQL: any. The pseudo-header sum (RFC 793 / RFC 8200 8.1) for an L4 length. */
static uint32_t pseudo_sum(const struct nk_pkt *pkt, uint32_t l4len)
{
    size_t alen = pkt->l3 == NK_L3_IPV4 ? 4 : 16;
    const uint8_t *src = pkt->has_home ? pkt->home : pkt->src;
    const uint8_t *dst = pkt->has_rh2 ? pkt->rh2 : pkt->dst;
    if (pkt->l3 == NK_L3_IPV4) {
        src = pkt->src;
        dst = pkt->dst;
    }
    uint32_t s = sum_bytes(src, alen, 0);
    s = sum_bytes(dst, alen, s);
    return s + pkt->l4proto + (l4len & 0xFFFF) + (l4len >> 16);
}

/* IRQL: any. Adds a patch to the plan. */
static void add_patch(struct nk_tx_plan *plan, size_t off, uint16_t value)
{
    plan->patch[plan->npatch].off = (uint16_t)off;
    plan->patch[plan->npatch].value = value;
    plan->npatch++;
}

/* IRQL: any. Checks a request against the parsed frame; NK_TX_OK when it fits. */
static int tx_check(const struct nk_view *v, const struct nk_pkt *pkt,
                    const struct nk_tx_request *req)
{
    bool l4 = req->tcp_csum || req->udp_csum || req->lso_mss || req->uso_mss;
    bool tcp = req->tcp_csum || req->lso_mss;
    bool udp = req->udp_csum || req->uso_mss;
    if (pkt->l3 == NK_L3_NONE || pkt->l3_end > v->total)
        return NK_TX_UNPARSEABLE;
    if (req->ip4_csum && pkt->l3 != NK_L3_IPV4)
        return NK_TX_MISMATCH;
    if (!l4)
        return NK_TX_OK;
    if (pkt->fragment)
        return NK_TX_FRAGMENT;
    if (pkt->l4 == NK_L4_NONE)
        return NK_TX_UNPARSEABLE;
    if ((tcp && udp) || (tcp && pkt->l4 != NK_L4_TCP) || (udp && pkt->l4 != NK_L4_UDP))
        return NK_TX_MISMATCH;
    if (req->l4_off_hint && req->l4_off_hint != pkt->l4_off)
        return NK_TX_MISMATCH;
    uint32_t mss = req->lso_mss ? req->lso_mss : req->uso_mss;
    if (mss > 0xFFFF)
        return NK_TX_BAD_MSS;
    if (mss && pkt->l3_end != v->total)
        return NK_TX_MISMATCH; /* segmentation over bytes that are not the datagram */
    if (mss && (pkt->l3_end - pkt->l3_off - (pkt->l3 == NK_L3_IPV6 ? 40u : 0u)) > 0xFFFF)
        return NK_TX_TOO_LONG;
    return NK_TX_OK;
}

/* IRQL: any. The IPv4 header checksum with a (possibly patched) total length. */
static bool ipv4_header_csum(const struct nk_view *v, const struct nk_pkt *pkt, uint16_t tot,
                             uint16_t *csum)
{
    uint8_t h[60];
    if (!nk_view_copy(v, pkt->l3_off, h, pkt->l3_hlen))
        return false;
    h[2] = (uint8_t)(tot >> 8);
    h[3] = (uint8_t)tot;
    h[10] = h[11] = 0;
    *csum = (uint16_t)~nk_csum_fold(sum_bytes(h, pkt->l3_hlen, 0));
    return true;
}

/* IRQL: any. Builds the virtio header and header patches for one frame. */
int nk_tx_prepare(const struct nk_view *v, const struct nk_pkt *pkt,
                  const struct nk_tx_request *req, struct nk_tx_plan *plan)
{
    memset(plan, 0, sizeof(*plan));
    bool l4 = req->tcp_csum || req->udp_csum || req->lso_mss || req->uso_mss;
    if (!l4 && !req->ip4_csum)
        return NK_TX_OK;
    int rc = tx_check(v, pkt, req);
    if (rc != NK_TX_OK)
        return rc;
    uint32_t mss = req->lso_mss ? req->lso_mss : req->uso_mss;
    uint32_t l4len = l4 ? pkt->l3_end - pkt->l4_off : 0;
    bool gso = mss && l4len - pkt->l4_hlen > mss; /* one segment: plain checksum offload */
    bool v4 = pkt->l3 == NK_L3_IPV4;

    /* IP lengths LSOv2 leaves 0 (Microsoft: the miniport takes the length
     * from the NET_BUFFER); the device's segmentation reads them. */
    uint16_t tot = 0;
    if (v4) {
        uint8_t b[2];
        if (!nk_view_copy(v, pkt->l3_off + 2u, b, 2))
            return NK_TX_UNPARSEABLE;
        tot = get_be16(b);
        if (pkt->len_from_frame) {
            if (pkt->l3_end - pkt->l3_off > 0xFFFF)
                return NK_TX_TOO_LONG;
            tot = (uint16_t)(pkt->l3_end - pkt->l3_off);
            add_patch(plan, pkt->l3_off + 2u, tot);
        }
    } else if (pkt->len_from_frame) {
        add_patch(plan, pkt->l3_off + 4u, (uint16_t)(pkt->l3_end - pkt->l3_off - 40));
    }
    if (v4 && (req->ip4_csum || pkt->len_from_frame || gso)) {
        uint16_t c;
        if (!ipv4_header_csum(v, pkt, tot, &c))
            return NK_TX_UNPARSEABLE;
        add_patch(plan, pkt->l3_off + 10u, c);
    }
    plan->hdr_copy = (uint16_t)(pkt->l3_off + pkt->l3_hlen);
    if (!l4)
        return NK_TX_OK;
    plan->hdr_copy = (uint16_t)(pkt->l4_off + pkt->l4_hlen);

    bool udp = pkt->l4 == NK_L4_UDP;
    if (udp) {
        uint8_t b[2];
        if (!nk_view_copy(v, pkt->l4_off + 4u, b, 2))
            return NK_TX_UNPARSEABLE;
        uint16_t ulen = get_be16(b);
        if (ulen == 0) {
            if (l4len > 0xFFFF)
                return NK_TX_TOO_LONG;
            add_patch(plan, pkt->l4_off + 4u, (uint16_t)l4len);
        } else if (gso && ulen != l4len) {
            return NK_TX_MISMATCH; /* segmenting a datagram whose length disagrees */
        } else {
            l4len = ulen; /* the UDP length is what the checksum covers */
        }
    }
    size_t field = pkt->l4_off + (udp ? 6u : 16u);
    uint32_t ps = pseudo_sum(pkt, l4len);
    if (!gso && pkt->l4_off + l4len != v->total) {
        /* Bytes past the datagram: the device would sum them, so finish in software. */
        uint32_t s = ps;
        uint8_t old[2];
        if (!nk_view_sum(v, pkt->l4_off, l4len, &s) || !nk_view_copy(v, field, old, 2))
            return NK_TX_UNPARSEABLE;
        s += (uint16_t)~get_be16(old); /* the field counts as zero */
        uint16_t c = (uint16_t)~nk_csum_fold(s);
        if (udp && c == 0)
            c = 0xFFFF; /* RFC 768: 0 means "no checksum" */
        add_patch(plan, field, c);
        return NK_TX_OK;
    }
    add_patch(plan, field, nk_csum_fold(ps));
    plan->vhdr.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
    plan->vhdr.csum_start = pkt->l4_off;
    plan->vhdr.csum_offset = udp ? 6 : 16;
    if (gso) {
        plan->vhdr.gso_type = udp                     ? VIRTIO_NET_HDR_GSO_UDP_L4
                              : pkt->l3 == NK_L3_IPV4 ? VIRTIO_NET_HDR_GSO_TCPV4
                                                      : VIRTIO_NET_HDR_GSO_TCPV6;
        plan->vhdr.gso_size = (uint16_t)mss;
        plan->vhdr.hdr_len = plan->hdr_copy;
    }
    return NK_TX_OK;
}

/* IRQL: any. Stores the plan's patches into a copy of the frame's first len bytes. */
void nk_tx_apply(const struct nk_tx_plan *plan, uint8_t *hdrbuf, size_t len)
{
    for (unsigned i = 0; i < plan->npatch && i < NK_TX_MAX_PATCH; i++) {
        size_t off = plan->patch[i].off;
        if (off + 2 > len)
            continue;
        hdrbuf[off] = (uint8_t)(plan->patch[i].value >> 8);
        hdrbuf[off + 1] = (uint8_t)plan->patch[i].value;
    }
}

/* IRQL: any. Moves a plan's offsets behind a tag inserted after the
 * addresses (every offset is a header's, a few hundred bytes at most, so
 * the 16-bit fields cannot wrap). */
void nk_tx_plan_tag(struct nk_tx_plan *plan)
{
    if (plan->vhdr.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
        plan->vhdr.csum_start += NK_VLAN_HLEN;
    if (plan->vhdr.hdr_len != 0)
        plan->vhdr.hdr_len += NK_VLAN_HLEN;
    for (unsigned i = 0; i < plan->npatch && i < NK_TX_MAX_PATCH; i++)
        if (plan->patch[i].off >= NK_VLAN_TAG_AT)
            plan->patch[i].off += NK_VLAN_HLEN;
}

/* IRQL: any. Finishes a NEEDS_CSUM checksum in software over a contiguous frame. */
bool nk_csum_complete(uint8_t *frame, size_t len, uint16_t csum_start, uint16_t csum_offset)
{
    if ((size_t)csum_start + csum_offset + 2 > len)
        return false;
    uint16_t c = (uint16_t)~nk_csum_fold(sum_bytes(frame + csum_start, len - csum_start, 0));
    frame[csum_start + csum_offset] = (uint8_t)(c >> 8);
    frame[csum_start + csum_offset + 1] = (uint8_t)c;
    return true;
}

/* IRQL: any. Verifies the L4 checksum of a parsed TCP/UDP datagram in software. */
static enum nk_csum_verdict verify_l4(const struct nk_view *v, const struct nk_pkt *pkt)
{
    uint32_t l4len = pkt->l3_end - pkt->l4_off;
    if (pkt->l4 == NK_L4_UDP) {
        uint8_t b[4];
        if (!nk_view_copy(v, pkt->l4_off + 4u, b, 4))
            return NK_CV_NONE;
        if (get_be16(b) != 0)
            l4len = get_be16(b);
        if (get_be16(b + 2) == 0)
            return pkt->l3 == NK_L3_IPV4 ? NK_CV_NONE : NK_CV_BAD; /* RFC 8200 8.1 */
    }
    uint32_t s = pseudo_sum(pkt, l4len);
    if (!nk_view_sum(v, pkt->l4_off, l4len, &s))
        return NK_CV_BAD;
    return nk_csum_fold(s) == 0xFFFF ? NK_CV_OK : NK_CV_BAD;
}

/* IRQL: any. Checksum verdicts for a received frame. */
void nk_rx_csum(const struct nk_view *v, const struct nk_pkt *pkt, const struct nk_vnet_hdr *vh,
                bool sw_verify, struct nk_rx_csum *out)
{
    memset(out, 0, sizeof(*out));
    if (pkt->l3 == NK_L3_IPV4 && sw_verify) {
        uint32_t s = 0;
        bool ok = nk_view_sum(v, pkt->l3_off, pkt->l3_hlen, &s);
        out->ip = ok && nk_csum_fold(s) == 0xFFFF ? NK_CV_OK : NK_CV_BAD;
    }
    if (pkt->fragment || (pkt->l4 != NK_L4_TCP && pkt->l4 != NK_L4_UDP))
        return;
    enum nk_csum_verdict *l4 = pkt->l4 == NK_L4_TCP ? &out->tcp : &out->udp;
    if (vh && (vh->flags & (VIRTIO_NET_HDR_F_DATA_VALID | VIRTIO_NET_HDR_F_NEEDS_CSUM))) {
        *l4 = NK_CV_OK; /* validated by the device, or not yet computed (local) */
        return;
    }
    if (sw_verify && !pkt->len_from_frame)
        *l4 = verify_l4(v, pkt);
}

/* IRQL: any. RSC_EXT coalesced segments and duplicate ACKs. */
void nk_rx_rsc(const struct nk_vnet_hdr *vh, uint16_t *segs, uint16_t *dup_acks)
{
    uint8_t gso = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
    bool tcp = gso == VIRTIO_NET_HDR_GSO_TCPV4 || gso == VIRTIO_NET_HDR_GSO_TCPV6;
    *segs = 0;
    *dup_acks = 0;
    if (!(vh->flags & VIRTIO_NET_HDR_F_RSC_INFO) || !tcp)
        return;
    *segs = vh->csum_start;
    *dup_acks = vh->csum_offset;
}
