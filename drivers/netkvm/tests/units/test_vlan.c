/* nk_vlan tests: the TCI chosen for each *PriorityVLANTag setting and the
 * OS's request, the 16 bytes that replace the addresses on send, and the
 * receive verdicts (strip, another VLAN dropped, priority-only tags, a tag
 * cut short, untagged frames) with the strip checked byte for byte. */
#include <string.h>

#include "../../nk_vlan.h"
#include "nku.h"

/* Send: which tag each setting inserts. */
static void tx_tags(void)
{
    struct nk_vlan_cfg c = {NK_VLAN_PRIO_ON | NK_VLAN_VID_ON, 0};
    uint16_t tci = 0;
    int v;
    v = nk_vlan_tx_tci(&c, 5, 100, &tci);
    check(v == NK_VLAN_TAG && tci == (5 << 13 | 100),
          "vlan: priority 5 VLAN 100 tagged (TCI 0x%04x)", tci);
    v = nk_vlan_tx_tci(&c, 0, 0, &tci);
    check(v == NK_VLAN_NONE && tci == 0, "vlan: no priority, no VLAN, no VlanId: no tag");
    c.vlan_id = 42;
    v = nk_vlan_tx_tci(&c, 0, 0, &tci);
    check(v == NK_VLAN_TAG && tci == 42,
          "vlan: VlanId 42 tags a frame the OS left untagged (TCI 0x%04x)", tci);
    c.priority_vlan = NK_VLAN_PRIO_ON;
    v = nk_vlan_tx_tci(&c, 3, 100, &tci);
    check(v == NK_VLAN_TAG && tci == 3 << 13, "vlan: priority only: VLAN id left out (TCI 0x%04x)",
          tci);
    c.priority_vlan = NK_VLAN_VID_ON;
    v = nk_vlan_tx_tci(&c, 3, 100, &tci);
    check(v == NK_VLAN_TAG && tci == 100, "vlan: VLAN only: priority left out (TCI 0x%04x)", tci);
    c.priority_vlan = 0;
    v = nk_vlan_tx_tci(&c, 3, 100, &tci);
    check(v == NK_VLAN_NONE, "vlan: tagging off: no tag");
    c.priority_vlan = 3;
    v = nk_vlan_tx_tci(&c, 0, 4095, &tci);
    check(v == NK_VLAN_BAD, "vlan: VLAN 4095 refused");
    v = nk_vlan_tx_tci(&c, 8, 1, &tci);
    check(v == NK_VLAN_BAD, "vlan: priority 8 refused");
    uint8_t macs[12], out[16];
    for (int i = 0; i < 12; i++)
        macs[i] = (uint8_t)(0xA0 + i);
    nk_vlan_tag_bytes(macs, 0xA064, out);
    check(!memcmp(out, macs, 12) && out[12] == 0x81 && out[13] == 0x00 && out[14] == 0xA0 &&
              out[15] == 0x64,
          "vlan: tag bytes: addresses, 81 00, TCI big-endian");
}

/* A 64-byte frame, tagged with tci when tagged. */
static size_t frame(uint8_t *f, bool tagged, uint16_t tci)
{
    for (int i = 0; i < 64; i++)
        f[i] = (uint8_t)i;
    if (tagged) {
        f[12] = 0x81, f[13] = 0x00, f[14] = (uint8_t)(tci >> 8), f[15] = (uint8_t)tci;
        f[16] = 0x08, f[17] = 0x00;
    } else {
        f[12] = 0x08, f[13] = 0x00;
    }
    return 64;
}

/* Receive: strip, drop, pass. */
static void rx_verdicts(void)
{
    struct nk_vlan_cfg c = {3, 0};
    uint8_t f[64];
    uint16_t tci = 0;
    int v;
    size_t n = frame(f, true, 6 << 13 | 300);
    v = nk_vlan_rx(&c, f, n, &tci);
    check(v == NK_VLAN_TAG && tci == (6 << 13 | 300),
          "vlan: a tagged frame is stripped into the info (TCI 0x%04x)", tci);
    nk_vlan_strip(f);
    bool same = true;
    for (int i = 0; i < 12; i++)
        same &= f[4 + i] == i;
    check(same && f[16] == 0x08 && f[17] == 0x00,
          "vlan: after the strip the frame at +4 is the addresses and the type");
    c.vlan_id = 300;
    n = frame(f, true, 300);
    v = nk_vlan_rx(&c, f, n, &tci);
    check(v == NK_VLAN_TAG, "vlan: VlanId 300 takes VLAN 300");
    n = frame(f, true, 301);
    v = nk_vlan_rx(&c, f, n, &tci);
    check(v == NK_VLAN_DROP, "vlan: VlanId 300 drops VLAN 301");
    n = frame(f, true, 5 << 13);
    v = nk_vlan_rx(&c, f, n, &tci);
    check(v == NK_VLAN_TAG && tci == 5 << 13,
          "vlan: a priority-only tag (VID 0) passes VlanId 300");
    n = frame(f, false, 0);
    v = nk_vlan_rx(&c, f, n, &tci);
    check(v == NK_VLAN_NONE, "vlan: an untagged frame passes as is");
    n = frame(f, true, 300);
    v = nk_vlan_rx(&c, f, 17, &tci);
    check(v == NK_VLAN_NONE, "vlan: a tag cut short is not read");
    c.priority_vlan = 0;
    v = nk_vlan_rx(&c, f, n, &tci);
    check(v == NK_VLAN_NONE && tci == 0, "vlan: tagging off: the tag stays in the frame");
    n = frame(f, true, 7);
    v = nk_vlan_rx(&c, f, n, &tci);
    check(v == NK_VLAN_DROP, "vlan: tagging off still filters VlanId");
}

/* Every nk_vlan test. */
void test_vlan(void)
{
    tx_tags();
    rx_verdicts();
}
