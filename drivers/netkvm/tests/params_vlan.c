/*
 * *PriorityVLANTag at each value by effect (network/standardized-inf-keywords-
 * for-priority-and-vlan-tagging: 0 Priority & VLAN disabled, 1 Priority
 * enabled, 2 VLAN enabled, 3 Priority & VLAN enabled), with VlanID 42.  The
 * general attributes' MacOptions carry NDIS_MAC_OPTION_8021P_PRIORITY
 * exactly with priority enabled and NDIS_MAC_OPTION_8021Q_VLAN exactly with
 * VLAN enabled; a send with Ieee8021QNetBufferListInfo priority 5, VLAN 42
 * (asked only while one is advertised: the emulation's stack) leaves with
 * a tag carrying what is enabled (priority 5 or 0, VLAN 42 or 0).
 */
#include "nkoff.h"

/* *PriorityVLANTag VALUE (0..3): MacOptions and the tag a send gets. */
static void pv_value(struct vm *vm, unsigned value, bool plant)
{
    if (plant)
        vw_ndis_plant_keyword_lost(vm, "*PriorityVLANTag");
    char v[2] = {(char)('0' + value), 0};
    const char *const kw[] = {"*PriorityVLANTag", v, "VlanID", "42", NULL};
    struct nk_rig r;
    if (!nkoff_up(vm, &r, 0, 0, 0, kw))
        return;
    bool prio = value & 1, vlan = value & 2;
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    bool p_adv = st.mac_options & VW_NDIS_MAC_OPTION_8021P_PRIORITY;
    bool v_adv = st.mac_options & VW_NDIS_MAC_OPTION_8021Q_VLAN;
    VW_EXPECT(vm, p_adv == prio && v_adv == vlan,
              "*PriorityVLANTag %u: MacOptions 0x%08x (8021P_PRIORITY %s, 8021Q_VLAN %s expected)",
              value, st.mac_options, prio ? "set" : "clear", vlan ? "set" : "clear");
    uint8_t f[200];
    unsigned len = ndis_frame_build(f, 4, 17, 60, 5200, nk_peer, nk_mac, false);
    struct vw_ndis_tx_info info = {.vlan = p_adv || v_adv ? 5u | 42u << 4 : 0};
    struct vmodel_net_frame w;
    if (!nk_send_one_taken(vm, &r, f, len, &info, &w))
        return;
    if (prio || vlan) {
        uint16_t tci = (uint16_t)((prio ? 5u << 13 : 0) | (vlan ? 42u : 0));
        VW_EXPECT(vm, nk_is_tagged(&w, f, len, tci),
                  "*PriorityVLANTag %u: wire frame (%u bytes, TCI 0x%04x) is not the frame tagged "
                  "0x%04x",
                  value, w.len, w.len >= 16 ? w.data[14] << 8 | w.data[15] : 0, tci);
    } else {
        VW_EXPECT(vm, w.len == len && memcmp(w.data, f, len) == 0,
                  "*PriorityVLANTag 0: the wire frame (%u bytes) is not the frame as sent", w.len);
    }
    nk_down(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_params_priority_vlan_tag_0, NULL)
{
    pv_value(vm, 0, false);
}

VW_SCENARIO("netkvm", netkvm_params_priority_vlan_tag_1, NULL)
{
    pv_value(vm, 1, false);
}

VW_SCENARIO("netkvm", netkvm_params_priority_vlan_tag_2, NULL)
{
    pv_value(vm, 2, false);
}

VW_SCENARIO("netkvm", netkvm_params_priority_vlan_tag_3, NULL)
{
    pv_value(vm, 3, false);
}

/* Planted: *PriorityVLANTag 0 never delivered (the default, both on, holds). */
VW_SCENARIO("netkvm", netkvm_params_priority_vlan_tag_0_planted_not_delivered,
            "*PriorityVLANTag 0: MacOptions")
{
    pv_value(vm, 0, true);
}

/* VlanId VALUE: a send without 802.1Q information leaves tagged with TAG
 * (0: untagged); LOGGED, when given, is in the log. */
static void pv_vlan_id(struct vm *vm, const char *value, unsigned tag, const char *logged)
{
    const char *const kw[] = {"VlanId", value, NULL};
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .keywords = kw};
    if (!nk_up(vm, &r, &o))
        return;
    uint8_t f[100];
    nk_frame(f, sizeof(f), nk_peer, nk_mac, 1);
    struct vmodel_net_frame w;
    if (!nk_send_one_taken(vm, &r, f, sizeof(f), NULL, &w))
        return;
    if (tag != 0)
        VW_EXPECT(vm, nk_is_tagged(&w, f, sizeof(f), (uint16_t)tag),
                  "VlanId %s: the wire frame is not the send tagged 0x%04x", value, tag);
    else
        VW_EXPECT(vm, w.len == 100 && memcmp(w.data, f, 100) == 0,
                  "VlanId %s: the wire frame is not the send, untagged", value);
    VW_EXPECT(vm, logged == NULL || (vm->log != NULL && strstr(vm->log, logged) != NULL),
              "no log line '%s'", logged);
    nk_down(vm, &r);
}

/* The maximum, 4094. */
VW_SCENARIO("netkvm", netkvm_params_vlan_id_max_4094, NULL)
{
    pv_vlan_id(vm, "4094", 4094, NULL);
}

/* 4095 is reserved (IEEE 802.1Q), out of the INF's range: the default 0, logged. */
VW_SCENARIO("netkvm", netkvm_params_vlan_id_invalid_default, NULL)
{
    pv_vlan_id(vm, "4095", 0, "VlanId: '4095'");
}
