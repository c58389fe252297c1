/*
 * NetKVM's 802.1Q priority and VLAN tagging (run by default since the
 * driver tags and strips; the helpers are nkoff.h's),
 * with *PriorityVLANTag 3 and VlanID 42.  Send: Ieee8021QNetBufferListInfo
 * (priority 5, VLAN 42) reaches the wire as an 802.1Q tag before the
 * EtherType, the rest of the frame unchanged.  Receive: a frame tagged
 * VLAN 42 priority 3 is indicated untagged with that information (the
 * emulation fails a tag left in).
 */
#include "nkoff.h"

static const char *const nkoff_vlan_keys[] = {"*PriorityVLANTag", "3", "VlanID", "42", NULL};

VW_SCENARIO("netkvm", netkvm_vlan_insert, NULL)
{
    struct nk_rig r;
    if (!nkoff_up(vm, &r, 0, 0, 0, nkoff_vlan_keys))
        return;
    uint8_t f[200];
    unsigned len = ndis_frame_build(f, 4, 17, 60, 5000, nk_peer, nk_mac, false);
    struct vw_ndis_tx_info info = {.vlan = 5u | 42u << 4};
    struct vmodel_net_frame w;
    if (!nk_send_one_taken(vm, &r, f, len, &info, &w))
        return;
    VW_EXPECT(vm, nk_is_tagged(&w, f, len, 5u << 13 | 42u),
              "wire frame (%u bytes) is not the frame with tag priority 5 VLAN 42", w.len);
    nk_down(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_vlan_strip, NULL)
{
    struct nk_rig r;
    if (!nkoff_up(vm, &r, 0, 0, 0, nkoff_vlan_keys))
        return;
    uint8_t f[200], t[204];
    unsigned len = ndis_frame_build(f, 4, 17, 60, 5001, nk_mac, nk_peer, false);
    memcpy(t, f, 12);
    t[12] = 0x81, t[13] = 0, t[14] = 3 << 5, t[15] = 42; /* priority 3, VLAN 42 */
    memcpy(t + 16, f + 12, len - 12);
    struct nk_mark m = nk_mark(vm);
    vmodel_net_wire_inject(r.net->model, t, len + 4, NULL);
    VW_EXPECT(vm, nk_wait_indicated_since(vm, m, 1) == 1, "the tagged frame was not indicated");
    uint8_t got[256];
    unsigned n = vw_ndis_received(vm, 0, got, sizeof(got));
    struct vw_ndis_offload_stats o;
    vw_ndis_offload_stats(vm, &o);
    VW_EXPECT(vm,
              n == len && memcmp(got, f, len) == 0 && o.rx_vlan_info == 1 &&
                  VW_8021Q_VLAN(o.last_rx_vlan) == 42 && VW_8021Q_PRIORITY(o.last_rx_vlan) == 3,
              "indicated %u bytes, 802.1Q information 0x%x (expected the untagged frame, VLAN "
              "42 priority 3)",
              n, o.last_rx_vlan);
    nk_down(vm, &r);
}
