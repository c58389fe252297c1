/* A send offload with an 802.1Q tag the driver inserts (tx.c): the plan
 * made on the untagged frame, moved by nk_tx_plan_tag, must give the same
 * virtio_net_hdr bytes and the same patched header copy as a plan made on
 * the frame with the tag already in it (the oracle), and the tagged frame,
 * finished the way the device does, must carry correct checksums. */
#include <string.h>

#include "../../nk_vlan.h"
#include "nku.h"

#define TCI 0x6123u /* priority 3, VLAN 0x123 */

/* A frame like the other TX tests': fixed addresses and ports. */
static struct nku_frame_spec tag_spec(bool v6, uint8_t proto, uint16_t payload, bool vlan)
{
    struct nku_frame_spec s = {.v6 = v6,
                               .vlan = vlan,
                               .tci = TCI,
                               .proto = proto,
                               .sport = 40001,
                               .dport = 443,
                               .payload = payload,
                               .good_csums = false};
    for (int i = 0; i < 16; i++)
        s.src[i] = (uint8_t)(0x20 + i), s.dst[i] = (uint8_t)(0xA0 + i);
    return s;
}

/* Plans req over a frame split in 7-byte pieces. */
static int plan_of(const uint8_t *f, size_t n, const struct nk_tx_request *req,
                   struct nk_tx_plan *plan)
{
    struct nk_seg segs[128];
    struct nk_view v;
    struct nk_pkt p;
    nku_split(&v, segs, 128, f, n, 7);
    nk_parse(&v, &p);
    return nk_tx_prepare(&v, &p, req, plan);
}

/* The checksum the device computes for NEEDS_CSUM, from csum_start on. */
static void finish(uint8_t *f, size_t n, const struct nk_vnet_hdr *h)
{
    if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
        return;
    size_t at = (size_t)h->csum_start + h->csum_offset;
    uint16_t c = (uint16_t)~nku_sum16(f + h->csum_start, n - h->csum_start, 0);
    f[at] = (uint8_t)(c >> 8), f[at + 1] = (uint8_t)c;
}

static uint8_t plain[70000], tagged[70004], sent[70004];

/* One case: what the driver writes against the oracle, field by field. */
static void tag_case(bool v6, uint8_t proto, uint16_t payload, struct nk_tx_request req,
                     uint16_t want_start, uint16_t want_hdr_len, const char *what)
{
    struct nku_frame_spec s = tag_spec(v6, proto, payload, false);
    s.zero_ip_len = req.lso_mss != 0;
    size_t n = nku_build(&s, plain, sizeof(plain));
    s.vlan = true;
    size_t nt = nku_build(&s, tagged, sizeof(tagged));
    struct nk_tx_plan mine, oracle;
    struct nk_tx_request treq = req;
    if (treq.l4_off_hint != 0)
        treq.l4_off_hint += NK_VLAN_HLEN;
    int rc = plan_of(plain, n, &req, &mine);
    int rct = plan_of(tagged, nt, &treq, &oracle);
    /* The driver's copy: addresses and tag, then the frame from byte 12 */
    nk_vlan_tag_bytes(plain, TCI, sent);
    memcpy(sent + NK_VLAN_TAG_AT + NK_VLAN_HLEN, plain + NK_VLAN_TAG_AT, n - NK_VLAN_TAG_AT);
    nk_tx_plan_tag(&mine);
    nk_tx_apply(&mine, sent, mine.hdr_copy + NK_VLAN_HLEN);
    nk_tx_apply(&oracle, tagged, oracle.hdr_copy);
    uint8_t h1[NK_HDR_LEN_HASH], h2[NK_HDR_LEN_HASH];
    nk_vnet_hdr_put(&mine.vhdr, h1, NK_HDR_LEN_MRG);
    nk_vnet_hdr_put(&oracle.vhdr, h2, NK_HDR_LEN_MRG);
    check(rc == NK_TX_OK && rct == NK_TX_OK && mine.vhdr.csum_start == want_start &&
              mine.vhdr.hdr_len == want_hdr_len && memcmp(h1, h2, NK_HDR_LEN_MRG) == 0,
          "txtag: %s: header written once with the tag's offsets (csum_start %u, hdr_len %u)", what,
          mine.vhdr.csum_start, mine.vhdr.hdr_len);
    check(nt == n + NK_VLAN_HLEN && oracle.hdr_copy == mine.hdr_copy + NK_VLAN_HLEN &&
              memcmp(sent, tagged, oracle.hdr_copy) == 0,
          "txtag: %s: the tagged header copy is the tagged frame's, patched", what);
    finish(sent, nt, &mine.vhdr);
    check(nku_l4_ok(sent, nt, true) && (v6 || nku_ipv4_ok(sent, NK_ETH_HLEN + NK_VLAN_HLEN)),
          "txtag: %s: checksums right once the device finishes", what);
}

void test_txtag(void)
{
    tag_case(false, 6, 1000, (struct nk_tx_request){.ip4_csum = true, .tcp_csum = true}, 38, 0,
             "VLAN + IPv4/TCP checksum");
    tag_case(true, 17, 700, (struct nk_tx_request){.udp_csum = true}, 58, 0,
             "VLAN + IPv6/UDP checksum");
    tag_case(false, 6, 64000,
             (struct nk_tx_request){
                 .ip4_csum = true, .tcp_csum = true, .lso_mss = 1448, .l4_off_hint = 34},
             38, 58, "VLAN + LSOv2 IPv4 MSS 1448");
    tag_case(true, 6, 30000, (struct nk_tx_request){.tcp_csum = true, .lso_mss = 1220}, 58, 78,
             "VLAN + LSOv2 IPv6 MSS 1220");
}
