/*
 * vlan.c - 802.1Q by the driver (virtio-net has no VLAN offload): on send
 * the NBL's Ieee8021Q info becomes a tag in front of the frame's type (the
 * addresses and tag are written behind the virtio_net_hdr, the frame's own
 * bytes follow from byte 12); on receive a tag is stripped into the NBL's
 * info and frames of another VLAN are dropped when VlanId is set
 * (nk_vlan); with CTRL_VLAN the device's filter gets VlanId.  Facts:
 * NDIS_NET_BUFFER_LIST_8021Q_INFO, the *PriorityVLANTag and VlanId
 * keywords; virtio 1.2 5.1.6.5.3.
 */
#include "netkvm.h"

/* IRQL: PASSIVE_LEVEL, after DRIVER_OK. the properties, and VlanId into the
 * device's filter when it has one. */
void NkVlanInit(PNK_ADAPTER a)
{
    struct nk_ctrl_cmd c;
    a->Vlan.priority_vlan = a->Settings.priority_vlan;
    a->Vlan.vlan_id = a->Settings.vlan_id;
    if (a->Vlan.vlan_id == 0 || !(a->Features & NK_BIT(VIRTIO_NET_F_CTRL_VLAN)))
        return;
    if (!nk_ctrl_vlan(true, a->Vlan.vlan_id, &c) || !NkCtrlSend(a, &c))
        NK_LOG(a, NK_LOG_ERR, "netkvm: the device did not take VLAN %u; filtering here\n",
               a->Vlan.vlan_id);
}

/* IRQL: DISPATCH_LEVEL. a received frame (first buffer b): its tag
 * stripped into the NBL; FALSE when it belongs to another VLAN. */
BOOLEAN NkVlanRx(PNK_ADAPTER a, PNET_BUFFER_LIST nbl, PNK_RXBUF b)
{
    PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
    while (b != NULL && b->Mdl != NET_BUFFER_CURRENT_MDL(nb))
        b = b->Next;
    if (b == NULL)
        return TRUE;
    ULONG off = NET_BUFFER_CURRENT_MDL_OFFSET(nb);
    size_t n = b->Mdl->ByteCount > off ? b->Mdl->ByteCount - off : 0;
    if (n > NET_BUFFER_DATA_LENGTH(nb))
        n = NET_BUFFER_DATA_LENGTH(nb);
    uint16_t tci;
    int v = nk_vlan_rx(&a->Vlan, b->Va + off, n, &tci);
    if (v == NK_VLAN_DROP)
        return FALSE;
    if (v != NK_VLAN_TAG)
        return TRUE;
    nk_vlan_strip(b->Va + off);
    nb->DataOffset += NK_VLAN_HLEN;
    nb->CurrentMdlOffset += NK_VLAN_HLEN;
    nb->DataLength -= NK_VLAN_HLEN;
    NDIS_NET_BUFFER_LIST_8021Q_INFO q;
    q.Value = NULL;
    q.TagHeader.UserPriority = tci >> 13;
    q.TagHeader.VlanId = tci & 0x0FFFu;
    NET_BUFFER_LIST_INFO(nbl, Ieee8021QNetBufferListInfo) = q.Value;
    return TRUE;
}

/* IRQL <= DISPATCH_LEVEL. the tag a send needs: NK_VLAN_TAG with the 16
 * bytes (addresses, tag) in out, NK_VLAN_NONE, or NK_VLAN_BAD (fail it). */
int NkVlanTx(PNK_ADAPTER a, PNET_BUFFER_LIST nbl, PNET_BUFFER nb, PUCHAR out)
{
    NDIS_NET_BUFFER_LIST_8021Q_INFO q;
    UCHAR storage[12];
    uint16_t tci;
    q.Value = NET_BUFFER_LIST_INFO(nbl, Ieee8021QNetBufferListInfo);
    /* Nearly every send: no tag asked and no VlanId, so no tag to write */
    if (q.Value == NULL && a->Vlan.vlan_id == 0)
        return NK_VLAN_NONE;
    int v = nk_vlan_tx_tci(&a->Vlan, q.TagHeader.UserPriority, q.TagHeader.VlanId, &tci);
    if (v != NK_VLAN_TAG)
        return v;
    PUCHAR macs = NdisGetDataBuffer(nb, sizeof(storage), storage, 1, 0);
    if (macs == NULL)
        return NK_VLAN_BAD;
    nk_vlan_tag_bytes(macs, tci, out);
    return NK_VLAN_TAG;
}
