/*
 * announce.c - VIRTIO_NET_F_GUEST_ANNOUNCE (virtio 1.2 5.1.6.5.4): when a
 * configuration interrupt shows VIRTIO_NET_S_ANNOUNCE (after a
 * migration), the guest announces itself (nk_announce: a gratuitous ARP
 * per IPv4 address and an unsolicited neighbour advertisement per IPv6
 * address OID_GEN_NETWORK_LAYER_ADDRESSES gave, else one RARP request) and then sends
 * VIRTIO_NET_CTRL_ANNOUNCE_ACK, which clears the bit.  The work runs in an NDIS I/O work item at
 * PASSIVE_LEVEL, never in the ISR: the control command polls for its answer.  Asked while the
 * adapter is not Running (paused, powered down), the announcement waits
 * for the restart: a paused miniport sends nothing.
 */
#include "netkvm.h"

_Static_assert(NK_ANNOUNCE_IP6_LEN == NETWORK_ADDRESS_LENGTH_IP6,
               "nk_announce's IPv6 entry is a NETWORK_ADDRESS_IP6");

static NDIS_IO_WORKITEM_FUNCTION NkAnnounceWork;

/* IRQL: PASSIVE_LEVEL. the work item, when the device can ask for announcements. */
NDIS_STATUS NkAnnounceInit(PNK_ADAPTER a)
{
    if (!(a->Features & NK_BIT(VIRTIO_NET_F_GUEST_ANNOUNCE)))
        return NDIS_STATUS_SUCCESS;
    a->AnnounceWork = NdisAllocateIoWorkItem(a->Handle);
    return a->AnnounceWork != NULL ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCES;
}

/* IRQL: PASSIVE_LEVEL. wait for a queued announcement (bounded by its
 * control command's 100 ms), then free the work item. */
void NkAnnounceFree(PNK_ADAPTER a)
{
    for (ULONG i = 0; i < 1000 && a->AnnounceQueued != 0; i++)
        NdisMSleep(1000);
    if (a->AnnounceWork != NULL)
        NdisFreeIoWorkItem(a->AnnounceWork);
    a->AnnounceWork = NULL;
}

/* IRQL <= DISPATCH_LEVEL. the device asked: queue the work item (once). */
void NkAnnounceRequest(PNK_ADAPTER a)
{
    if (a->AnnounceWork == NULL || a->Removed)
        return;
    if (InterlockedCompareExchange(&a->AnnounceQueued, 1, 0) == 0)
        NdisQueueIoWorkItem(a->AnnounceWork, NkAnnounceWork, a);
}

/* IRQL: PASSIVE_LEVEL. the adapter runs again: send what was asked meanwhile. */
void NkAnnounceResume(PNK_ADAPTER a)
{
    if (InterlockedExchange(&a->AnnouncePending, 0) != 0)
        NkAnnounceRequest(a);
}

/* IRQL: PASSIVE_LEVEL. the frames on the first pair's send queue, then the ack. */
static VOID NTAPI NkAnnounceWork(PVOID Context, NDIS_HANDLE WorkItem)
{
    PNK_ADAPTER a = (PNK_ADAPTER)Context;
    (void)WorkItem;
    if (!a->Ready || a->Removed || a->State != NK_RUNNING) {
        InterlockedExchange(&a->AnnouncePending, 1);
        InterlockedExchange(&a->AnnounceQueued, 0);
        /* A restart between the check and the flag would miss it: look again */
        if (a->Ready && a->State == NK_RUNNING)
            NkAnnounceResume(a);
        return;
    }
    struct nk_announce_addrs addrs;
    NdisAcquireSpinLock(&a->AnnounceLock);
    addrs = a->Addrs;
    NdisReleaseSpinLock(&a->AnnounceLock);
    unsigned n = nk_announce_count(&addrs), sent = 0;
    for (unsigned k = 0; k < n; k++) {
        UCHAR f[NK_ANNOUNCE_MAX];
        size_t len = nk_announce_frame(a->CurrentMac, &addrs, k, f);
        if (a->LinkUp && NkTxSendOwn(&a->Tx[0], f, (ULONG)len))
            sent++;
    }
    struct nk_ctrl_cmd c;
    nk_ctrl_announce_ack(&c);
    BOOLEAN acked = NkCtrlSend(a, &c);
    if (acked)
        NK_INC64(&a->Announcements);
    NK_LOG(a, NK_LOG_ERR,
           "netkvm: announced the guest: %u of %u frames (%u gratuitous ARP, %u neighbour "
           "advertisements%s), ack %s\n",
           sent, n, addrs.count, addrs.count6, addrs.count + addrs.count6 == 0 ? ", one RARP" : "",
           acked ? "taken" : "refused");
    InterlockedExchange(&a->AnnounceQueued, 0);
}

/* IRQL: PASSIVE_LEVEL. OID_GEN_NETWORK_LAYER_ADDRESSES: the IPv4 and IPv6
 * addresses to announce; a malformed list is refused and changes nothing. */
NDIS_STATUS NkAnnounceSetAddresses(PNK_ADAPTER a, PNDIS_OID_REQUEST r)
{
    struct nk_announce_addrs addrs;
    ULONG len = r->DATA.SET_INFORMATION.InformationBufferLength;
    NdisAcquireSpinLock(&a->AnnounceLock);
    addrs = a->Addrs;
    NdisReleaseSpinLock(&a->AnnounceLock);
    if (nk_announce_parse(r->DATA.SET_INFORMATION.InformationBuffer, len, NDIS_PROTOCOL_ID_TCP_IP,
                          NDIS_PROTOCOL_ID_IP6, &addrs) != 0) {
        NK_LOG(a, NK_LOG_ERR,
               "netkvm: OID_GEN_NETWORK_LAYER_ADDRESSES: malformed list of %lu bytes refused\n",
               (unsigned long)len);
        return NDIS_STATUS_INVALID_DATA;
    }
    if (addrs.dropped != 0)
        NK_LOG(a, NK_LOG_ERR,
               "netkvm: OID_GEN_NETWORK_LAYER_ADDRESSES: %u addresses beyond the first %u IPv4 "
               "and %u IPv6 not announced\n",
               addrs.dropped, NK_ANNOUNCE_IPV4_MAX, NK_ANNOUNCE_IPV6_MAX);
    NdisAcquireSpinLock(&a->AnnounceLock);
    a->Addrs = addrs;
    NdisReleaseSpinLock(&a->AnnounceLock);
    r->DATA.SET_INFORMATION.BytesRead = len;
    return NDIS_STATUS_SUCCESS;
}
