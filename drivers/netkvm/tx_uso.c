/*
 * tx_uso.c - UDP segmentation offload on send (the NDIS 6.83 build,
 * NK_USO): the OS's NDIS_UDP_SEGMENTATION_OFFLOAD_NET_BUFFER_LIST_INFO
 * (nbluso: MSS, UdpHeaderOffset, IPVersion) checked against what was
 * offered and turned into an nk_csum request, which plans
 * VIRTIO_NET_HDR_GSO_UDP_L4 with gso_size = MSS (spec 5.1.6.2, HOST_USO)
 * over the UDP checksum the device completes.  The 6.50 build never
 * offers USO, and never reads the slot (the receive-only RSC slot, of
 * which UdpSegmentationOffloadInfo is an alias).
 */
#include "netkvm.h"
#include "nk_csum.h"

/* IRQL <= DISPATCH_LEVEL. the USO request in nbl's information (0 when there is none) */
static ULONG NkTxUsoInfo(PNET_BUFFER_LIST nbl)
{
#if NK_USO
    NDIS_UDP_SEGMENTATION_OFFLOAD_NET_BUFFER_LIST_INFO u;
    u.Value = NET_BUFFER_LIST_INFO(nbl, UdpSegmentationOffloadInfo);
    return u.Transmit.MSS != 0 ? (ULONG)(ULONG_PTR)u.Value : 0;
#else
    (void)nbl;
    return 0;
#endif
}

/* IRQL <= DISPATCH_LEVEL. whether nbl asks for USO; when it does, *ok
 * says whether the request is one the adapter offers, and req holds it. */
BOOLEAN NkTxUsoRequest(PNK_ADAPTER a, PNET_BUFFER_LIST nbl, struct nk_tx_request *req, BOOLEAN *ok)
{
    NDIS_UDP_SEGMENTATION_OFFLOAD_NET_BUFFER_LIST_INFO u;
    u.Value = (PVOID)(ULONG_PTR)NkTxUsoInfo(nbl);
    if (u.Value == NULL)
        return FALSE;
    BOOLEAN v4 = u.Transmit.IPVersion == NDIS_UDP_SEGMENTATION_OFFLOAD_IPV4;
    RtlZeroMemory(req, sizeof(*req));
    *ok = v4 ? a->OffloadHw.uso4 : a->OffloadHw.uso6; /* Reserved: never read (nbluso) */
    req->uso_mss = u.Transmit.MSS;
    req->udp_csum = true;
    req->ip4_csum = v4;
    req->l4_off_hint = (uint16_t)u.Transmit.UdpHeaderOffset;
    return TRUE;
}

/* IRQL <= DISPATCH_LEVEL. whether nbl is a USO send (its frame may exceed the MTU) */
BOOLEAN NkTxUsoAsked(PNK_ADAPTER a, PNET_BUFFER_LIST nbl)
{
    return (a->OffloadHw.uso4 || a->OffloadHw.uso6) && NkTxUsoInfo(nbl) != 0;
}
