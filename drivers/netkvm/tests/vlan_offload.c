/*
 * NetKVM's 802.1Q tagging combined with the send offloads (*PriorityVLANTag
 * 3, VlanID 42; the helpers are nkoff.h's).  A send carrying both
 * Ieee8021QNetBufferListInfo (priority 5, VLAN 42) and a Transmit checksum
 * request reaches the wire tagged before the EtherType with its checksums
 * completed; a 64 KiB LSOv2 send with the tag becomes MSS-sized segments,
 * every one tagged and with right checksums, whose payloads rebuild the
 * send.  The tag moves the IP header by 4 bytes: the checksum start and
 * header length the device is given must follow it (virtio spec 5.1.6.2).
 */
#include "nkoff.h"

static const char *const vo_keys[] = {"*PriorityVLANTag", "3", "VlanID", "42", NULL};

#define VO_TCI (5u << 13 | 42u) /* priority 5, VLAN 42 */

/* A tagged TCP/UDP send over IPV with its checksums offloaded. */
static void vo_checksum(struct vm *vm, int ipv, uint8_t proto)
{
    struct nk_rig r;
    if (!nkoff_up(vm, &r, 0, 0, 0, vo_keys) || !nkoff_enable(vm, false))
        return;
    static uint8_t f[1514], u[1514];
    unsigned len = ndis_frame_build(f, ipv, proto, 700, 6000, nk_peer, nk_mac, true);
    struct vw_ndis_tx_info info = {.csum = nkoff_tx_csum(ipv, proto), .vlan = 5u | 42u << 4};
    struct vmodel_net_frame w;
    if (!nk_send_one_taken(vm, &r, f, len, &info, &w))
        return;
    unsigned ulen = 0;
    struct ndis_frame p;
    VW_EXPECT(vm, nkoff_untag(&w, VO_TCI, u, &ulen),
              "wire frame (%u bytes) is not tagged priority 5 VLAN 42", w.len);
    VW_EXPECT(vm,
              ulen == len && memcmp(u, f, 12) == 0 && ndis_frame_parse(u, ulen, &p) &&
                  ndis_frame_l4_csum_ok(u, &p) && (ipv == 6 || ndis_frame_ip_csum_ok(u, &p)) &&
                  memcmp(u + p.l4 + p.l4_hlen, f + p.l4 + p.l4_hlen, ulen - p.l4 - p.l4_hlen) == 0,
              "the tagged frame's checksums are not completed or its payload differs");
    nk_down_clean(vm, &r);
}

/* A tagged 64 KiB LSOv2 send over IPV: tagged MSS segments on the wire. */
static void vo_lso(struct vm *vm, int ipv)
{
    struct nk_rig r;
    if (!nkoff_up(vm, &r, 0, 0, 0, vo_keys) || !nkoff_enable(vm, false))
        return;
    static uint8_t f[65550];
    unsigned hl = 14 + (ipv == 4 ? 20 : 40) + 20;
    unsigned mss = 1500 - (ipv == 4 ? 20 : 40) - 20;
    unsigned payload = 65535 - (ipv == 4 ? 40 : 60);
    unsigned len = ndis_frame_build(f, ipv, 6, payload, 6100, nk_peer, nk_mac, true);
    struct vw_ndis_tx_info info = {.lso = mss | (hl - 20) << 20 | VW_LSO_V2_TYPE << 30 |
                                          (ipv == 6 ? 1u << 31 : 0),
                                   .vlan = 5u | 42u << 4};
    if (!nk_send_one_done(vm, f, len, &info, "the tagged LSOv2 send"))
        return;
    unsigned at = 0, n = nkoff_take_segments(vm, &r, f, ipv, hl, mss, VO_TCI, &at);
    VW_EXPECT(vm, at == payload && n == (payload + mss - 1) / mss,
              "%u tagged segments carried %u of %u payload bytes", n, at, payload);
    struct vw_ndis_offload_stats o;
    vw_ndis_offload_stats(vm, &o);
    VW_EXPECT(vm, o.lso_completed == 1, "LSOv2 completions %u", o.lso_completed);
    nk_down_clean(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_vlan_tx_checksum_tcp4, NULL)
{
    vo_checksum(vm, 4, 6);
}

VW_SCENARIO("netkvm", netkvm_vlan_tx_checksum_udp6, NULL)
{
    vo_checksum(vm, 6, 17);
}

VW_SCENARIO("netkvm", netkvm_vlan_lso_64k_ipv4, NULL)
{
    vo_lso(vm, 4);
}

VW_SCENARIO("netkvm", netkvm_vlan_lso_64k_ipv6, NULL)
{
    vo_lso(vm, 6);
}
