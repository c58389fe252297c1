/* nk_vlan.c - 802.1Q tag insertion, stripping and the VlanId filter (see
 * nk_vlan.h).  Any IRQL: no allocation. */
#include "nk_vlan.h"

#include <string.h>

/* IRQL: any. The TCI for the OS's request under *PriorityVLANTag and VlanId. */
int nk_vlan_tx_tci(const struct nk_vlan_cfg *c, unsigned prio, unsigned vid, uint16_t *tci)
{
    *tci = 0;
    if (prio > 7 || vid > NK_VLAN_VID_MAX)
        return NK_VLAN_BAD;
    unsigned p = (c->priority_vlan & NK_VLAN_PRIO_ON) ? prio : 0;
    unsigned v = 0;
    if (c->priority_vlan & NK_VLAN_VID_ON)
        v = vid ? vid : c->vlan_id;
    if (v > NK_VLAN_VID_MAX)
        return NK_VLAN_BAD;
    if (p == 0 && v == 0)
        return NK_VLAN_NONE;
    *tci = (uint16_t)(p << 13 | v);
    return NK_VLAN_TAG;
}

/* IRQL: any. Addresses, then TPID and TCI in network order. */
void nk_vlan_tag_bytes(const uint8_t *macs, uint16_t tci, uint8_t *out)
{
    memcpy(out, macs, 12);
    out[12] = (uint8_t)(NK_VLAN_TPID >> 8);
    out[13] = (uint8_t)NK_VLAN_TPID;
    out[14] = (uint8_t)(tci >> 8);
    out[15] = (uint8_t)tci;
}

/* IRQL: any. A tagged frame is stripped when tagging is on, dropped when
 * VlanId is set and the frame names another VLAN (priority-only tags, VID
 * 0, belong to every VLAN); a tag cut short is left for the stack. */
int nk_vlan_rx(const struct nk_vlan_cfg *c, const uint8_t *frame, size_t len, uint16_t *tci)
{
    *tci = 0;
    if (len < NK_VLAN_TAGGED_MIN || frame[12] != (uint8_t)(NK_VLAN_TPID >> 8) ||
        frame[13] != (uint8_t)NK_VLAN_TPID)
        return NK_VLAN_NONE;
    uint16_t t = (uint16_t)(frame[14] << 8 | frame[15]);
    unsigned vid = t & 0x0FFFu;
#ifdef NK_PLANTED_VLAN_ANY
    vid = 0; /* planted: every VLAN taken */
#endif
    if (c->vlan_id != 0 && vid != 0 && vid != c->vlan_id)
        return NK_VLAN_DROP;
    if (!c->priority_vlan)
        return NK_VLAN_NONE;
    *tci = t;
    return NK_VLAN_TAG;
}

/* IRQL: any. The addresses move 4 bytes up, over the tag. */
void nk_vlan_strip(uint8_t *frame)
{
    memmove(frame + 4, frame, 12);
}
