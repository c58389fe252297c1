/*
 * IEEE 802.1Q in NBL information (network/ieee-802-1q-tags-in-net-buffer-list-information,
 * ndis/ns-ndis-_ndis_net_buffer_list_8021q_info).  A miniport that
 * advertises NDIS_MAC_OPTION_8021P_PRIORITY or NDIS_MAC_OPTION_8021Q_VLAN
 * inserts the tag on send from Ieee8021QNetBufferListInfo and removes it
 * on receive into that information: an indicated frame still tagged then
 * fails, as does 802.1Q information on a still-tagged frame, or from a
 * miniport that advertised neither option.  The stack asks for a tag only
 * from such a miniport (a scenario asking otherwise is a harness error).
 */
#include <inttypes.h>
#include "frame.h"
#include "internal.h"

/* Did the miniport advertise 802.1Q priority or VLAN tagging (MacOptions)? */
static bool tagging(const struct ndis_state *s)
{
    return (s->mac_options & (VW_NDIS_MAC_OPTION_8021P_PRIORITY | VW_NDIS_MAC_OPTION_8021Q_VLAN)) !=
           0;
}

/* Would the stack send 802.1Q information V to this miniport? */
bool ndis_vlan_tx_allowed(struct vm *vm, uint32_t v)
{
    if (v == 0 || tagging(ndis_state(vm)))
        return true;
    vw_fail(vm,
            "harness: a send carries 802.1Q information 0x%08x for a miniport without "
            "NDIS_MAC_OPTION_8021P_PRIORITY or NDIS_MAC_OPTION_8021Q_VLAN",
            v);
    return false;
}

bool ndis_vlan_rx(struct vm *vm, gva_t nbl, const uint8_t *f, unsigned len)
{
    struct ndis_state *s = ndis_state(vm);
    uint32_t v = ndis_nbl_info(vm, nbl, VW_NBL_INFO_IEEE8021Q);
    bool tagged = len >= 18 && f[12] == 0x81 && f[13] == 0x00;
    const char *why = NULL;
    if (tagged && tagging(s))
        why = "the frame still carries its 802.1Q tag (the miniport removes it into "
              "Ieee8021QNetBufferListInfo)";
    else if (v != 0 && tagged)
        why = "802.1Q information on a frame that still has its tag";
    else if (v != 0 && !tagging(s))
        why = "802.1Q information from a miniport without the 802.1Q MAC options";
    if (why == NULL) {
        s->off.rx_vlan_info += v != 0;
        s->off.last_rx_vlan = v;
        return true;
    }
    vw_fail(vm,
            "NdisMIndicateReceiveNetBufferLists: NBL 0x%" PRIx64 " Ieee8021QNetBufferListInfo "
            "0x%08x: %s (network/ieee-802-1q-tags-in-net-buffer-list-information)",
            nbl, v, why);
    return false;
}
