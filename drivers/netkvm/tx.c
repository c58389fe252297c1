/*
 * tx.c - the send path: each NET_BUFFER is mapped by
 * NdisMAllocateNetBufferSGList and written straight from its SG list by the
 * core's descriptor writer, behind its virtio_net_hdr, into the entry's own
 * indirect table (one ring descriptor per frame).  A frame of more SG
 * elements than that table holds (a stack may chain MDLs freely) is copied
 * into the queue's bounce buffer and goes out of it in one piece; one frame
 * holds the buffer at a time.  A frame that finds the ring full, or the
 * bounce buffer held, waits, mapped, on the queue's pending list and goes
 * out as completions free room.  Completions are lazy (the interrupt comes after
 * about three quarters of what is outstanding); each NBL is completed once,
 * when its last NET_BUFFER is done.
 *
 * Per NET_BUFFER (MiniportReserved): [0] its NBL, [1] its queue, [2] its SG
 * list, [3] the next pending NET_BUFFER.  Per NBL: [0] NET_BUFFERs not yet
 * done, [1] the status to complete it with.
 */
#include "netkvm.h"
#include "nk_gather.h"

/* A header slot: the virtio_net_hdr (at most 20 bytes), then the copy of
 * the frame's headers a send offload patches (tx_offload.c): Ethernet,
 * IPv4 with options or IPv6 with extension headers, TCP with options; with
 * an 802.1Q tag (vlan.c) the tag sits in that copy behind the addresses. */
#define NK_TX_HDR_SLOT 256u

#define NK_NB_NBL(nb)      ((PNET_BUFFER_LIST)(nb)->MiniportReserved[0])
#define NK_NB_QUEUE(nb)    ((PNK_TXQ)(nb)->MiniportReserved[1])
#define NK_NB_SGL(nb)      ((PSCATTER_GATHER_LIST)(nb)->MiniportReserved[2])
#define NK_NB_NEXT(nb)     ((PNET_BUFFER)(nb)->MiniportReserved[3])
#define NK_NBL_LEFT(nbl)   ((volatile LONG *)&(nbl)->MiniportReserved[0])
#define NK_NBL_RESULT(nbl) ((volatile LONG *)&(nbl)->MiniportReserved[1])

enum { NK_POSTED = 0, NK_NOT_NOW = 1, NK_FAILED = 2 };

/* IRQL: PASSIVE_LEVEL. the bounce buffer's size: the largest frame the
 * adapter can be asked to send (NkTxMaxLength): with a large send
 * negotiated (HOST_TSO4/6, or HOST_USO, only ever acknowledged by the 6.83
 * build; each needs VIRTIO_NET_F_CSUM, spec 5.1.3.1) NK_TX_GSO_FRAME_MAX,
 * else the MTU's frame, each with an 802.1Q tag in its bytes. */
static ULONG NkTxBounceBytes(PNK_ADAPTER a)
{
    uint64_t large = NK_BIT(VIRTIO_NET_F_HOST_USO) | NK_BIT(VIRTIO_NET_F_HOST_TSO4) |
                     NK_BIT(VIRTIO_NET_F_HOST_TSO6);
    return nk_offload_tx_max_frame((a->Features & large) != 0, TRUE, a->MaxFrame);
}

/* IRQL: PASSIVE_LEVEL. one entry per request in flight (TxCapacity, at
 * most one per ring descriptor): header slots, then tables; and the bounce
 * buffer (NkTxBounceBytes). */
NDIS_STATUS NkTxInit(PNK_ADAPTER a, PNK_TXQ q)
{
    ULONG n = nk_settings_tx_count(&a->Settings, q->Vq.num);
    size_t hdrs = (size_t)n * NK_TX_HDR_SLOT;
    size_t tables = (size_t)n * NK_TX_TABLE * 16;
    q->BounceBytes = NkTxBounceBytes(a);
    q->Entries = VwNdisAlloc(&a->V, n * sizeof(NK_TX_ENTRY));
    if (q->Entries == NULL || VwNdisShared(&a->V, hdrs + tables, &q->Dma) != 0 ||
        VwNdisShared(&a->V, q->BounceBytes, &q->Bounce) != 0)
        return NDIS_STATUS_RESOURCES;
    q->Count = n;
    for (ULONG i = 0; i < n; i++) {
        PNK_TX_ENTRY e = &q->Entries[i];
        e->Hdr = (PUCHAR)q->Dma.va + (size_t)i * NK_TX_HDR_SLOT;
        e->HdrPa = q->Dma.pa + (ULONG64)i * NK_TX_HDR_SLOT;
        e->Table.va = (PUCHAR)q->Dma.va + hdrs + (size_t)i * NK_TX_TABLE * 16;
        e->Table.pa = q->Dma.pa + hdrs + (ULONG64)i * NK_TX_TABLE * 16;
        e->Table.capacity = NK_TX_TABLE;
        e->Next = q->Free;
        q->Free = e;
    }
    return NDIS_STATUS_SUCCESS;
}

/* IRQL: PASSIVE_LEVEL. free the entries (nothing is outstanding at halt). */
void NkTxFree(PNK_ADAPTER a, PNK_TXQ q)
{
    VwNdisSharedFree(&a->V, &q->Dma);
    VwNdisSharedFree(&a->V, &q->Bounce);
    VwNdisFree(q->Entries, q->Count * sizeof(NK_TX_ENTRY));
    q->Entries = NULL;
    q->Free = NULL;
}

/* IRQL <= DISPATCH_LEVEL. the send-complete flags for the current IRQL. */
static ULONG NkCompleteFlags(void)
{
    return KeGetCurrentIrql() == DISPATCH_LEVEL ? NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL : 0;
}

/* IRQL <= DISPATCH_LEVEL. count a sent frame by its destination class. */
static void NkTxCount(PNK_ADAPTER a, PNET_BUFFER nb)
{
    UCHAR storage[NK_ETH_ALEN];
    PUCHAR dest = NdisGetDataBuffer(nb, NK_ETH_ALEN, storage, 1, 0);
    ULONG cls = 0;
    if (dest != NULL)
        NkFrameClass(dest, &cls);
    NK_INC64(&a->Stats.TxFrames[cls]);
    NK_ADD64(&a->Stats.TxBytes[cls], NET_BUFFER_DATA_LENGTH(nb));
}

/* IRQL <= DISPATCH_LEVEL. one NET_BUFFER of nbl is done; the last completes the NBL. */
static void NkTxNbDone(PNK_ADAPTER a, PNET_BUFFER_LIST nbl, NDIS_STATUS status)
{
    if (status != NDIS_STATUS_SUCCESS) {
        InterlockedExchange(NK_NBL_RESULT(nbl), status);
        NK_INC64(&a->Stats.TxErrors);
    }
    if (InterlockedDecrement(NK_NBL_LEFT(nbl)) != 0)
        return;
    NET_BUFFER_LIST_STATUS(nbl) = (NDIS_STATUS)*NK_NBL_RESULT(nbl);
    NET_BUFFER_LIST_NEXT_NBL(nbl) = NULL;
    NkTxOffloadComplete(nbl);
    NdisMSendNetBufferListsComplete(a->Handle, nbl, NkCompleteFlags());
    InterlockedDecrement(&a->TxOut);
    NkPauseCheck(a);
}

/* IRQL: DISPATCH_LEVEL, queue lock held. nb's data copied into the
 * queue's bounce buffer, which nb then holds until the device is done with
 * it (already held: the copy is there).  The data is DataLength bytes of the
 * MDL chain from CurrentMdl, CurrentMdlOffset bytes in, each MDL mapped as
 * data (nk_gather keeps the copy inside both).  NK_NOT_NOW: another frame
 * holds the buffer (nb waits on the pending list); NK_FAILED: a short
 * chain, an MDL that cannot be mapped or a frame longer than the buffer. */
static int NkTxBounce(PNK_TXQ q, PNET_BUFFER nb, ULONG elements)
{
    struct nk_gather g;
    if (q->BounceOwner == nb)
        return NK_POSTED;
    if (q->BounceOwner != NULL) {
        if (q->BounceWaits++ == 0)
            NK_LOG(q->Adapter, NK_LOG_ERR,
                   "netkvm: transmit queue %lu: a frame of %lu SG elements waits for the bounce "
                   "buffer (first time)\n",
                   q->Index, elements);
        return NK_NOT_NOW;
    }
    int rc = nk_gather_init(&g, q->Bounce.va, q->BounceBytes, NET_BUFFER_CURRENT_MDL_OFFSET(nb),
                            NET_BUFFER_DATA_LENGTH(nb));
    for (PMDL m = NET_BUFFER_CURRENT_MDL(nb); rc == NK_GATHER_OK && m != NULL && nk_gather_want(&g);
         m = m->Next) {
        const UCHAR *va = MmGetSystemAddressForMdlSafe(
            m, (MM_PAGE_PRIORITY)(NormalPagePriority | MdlMappingNoExecute));
        rc = nk_gather_add(&g, va, MmGetMdlByteCount(m));
    }
    if (rc != NK_GATHER_OK || !nk_gather_done(&g)) {
        NK_LOG(q->Adapter, NK_LOG_ERR,
               "netkvm: transmit queue %lu: a frame of %lu bytes could not be copied (%lu of "
               "them, %lu-byte buffer)\n",
               q->Index, NET_BUFFER_DATA_LENGTH(nb), g.at, q->BounceBytes);
        return NK_FAILED;
    }
    q->BounceOwner = nb;
    if (q->Bounced++ == 0)
        NK_LOG(q->Adapter, NK_LOG_ERR,
               "netkvm: transmit queue %lu: a frame of %lu SG elements goes out of the bounce "
               "buffer (first time)\n",
               q->Index, elements);
    return NK_POSTED;
}

/* IRQL: DISPATCH_LEVEL, queue lock held. write one mapped frame into the
 * ring: behind its header slot, from its SG list, or out of the bounce
 * buffer when the list has more elements than the request's table (or than
 * the offload's view of its MDLs) takes. */
static int NkTxPost(PNK_TXQ q, PNET_BUFFER nb, PSCATTER_GATHER_LIST sgl)
{
    PNK_ADAPTER a = q->Adapter;
    PNK_TX_ENTRY e = q->Free;
    struct virtqueue_req rq;
    /* Already copied (it waited for ring space): read from the copy */
    BOOLEAN bounce = q->BounceOwner == nb;
    if (e == NULL)
        return NK_NOT_NOW;
    if (sgl->NumberOfElements == 0)
        goto failed;
    ULONG copied, first = 0, first_off = 0, len = NET_BUFFER_DATA_LENGTH(nb);
    /* An 802.1Q tag (vlan.c): the addresses and the tag in the slot behind
     * the header, then the frame from byte NK_VLAN_TAG_AT, or from the end
     * of the offload's header copy, which is made with the tag in it */
    UCHAR tag[NK_VLAN_TAG_AT + NK_VLAN_HLEN];
    int vt = NkVlanTx(a, NK_NB_NBL(nb), nb, tag);
    if (vt == NK_VLAN_BAD)
        goto failed;
    PUCHAR t = vt == NK_VLAN_TAG ? tag : NULL;
    int off = NkTxOffload(a, NK_NB_NBL(nb), nb, bounce ? q->Bounce.va : NULL, e->Hdr,
                          NK_TX_HDR_SLOT, t, &copied);
    if (off == NK_OFF_MANY) {
        /* More MDLs than the offload's view reads: checked on the copy */
        int r = NkTxBounce(q, nb, sgl->NumberOfElements);
        if (r != NK_POSTED)
            return r; /* nothing held: NkTxBounce failed or waits */
        bounce = TRUE;
        off = NkTxOffload(a, NK_NB_NBL(nb), nb, q->Bounce.va, e->Hdr, NK_TX_HDR_SLOT, t, &copied);
    }
    if (off != NK_OFF_OK)
        goto failed;
    ULONG in_slot = copied; /* frame bytes the slot stands for */
    if (t != NULL && copied == 0) {
        in_slot = NK_VLAN_TAG_AT;
        RtlCopyMemory(e->Hdr + a->HdrLen, tag, sizeof(tag));
    }
    ULONG slot_data = in_slot + (t != NULL ? NK_VLAN_HLEN : 0);
    /* The header, the slot's frame bytes, then the rest of the SG list (or
     * the copy).  Nothing in the slot (no offload, no tag: nearly every
     * plain send) leaves the whole list: no walk */
    ULONG rest = bounce         ? len > in_slot
                 : in_slot == 0 ? sgl->NumberOfElements
                                : NkTxSgAfter(sgl, in_slot, &first, &first_off);
    unsigned nseg = 1 + (slot_data != 0) + rest;
    if (!bounce && nseg > NK_TX_TABLE) {
        /* Past the request's table the frame would need a direct chain as
         * long as its list (the whole ring, or more): one copy instead */
        int r = NkTxBounce(q, nb, sgl->NumberOfElements);
        if (r != NK_POSTED)
            return r;
        bounce = TRUE;
        rest = len > in_slot;
        nseg = 1 + (slot_data != 0) + rest;
    }
    int rc = virtqueue_req_open(&q->Vq, &rq, nseg, &e->Table);
    if (rc == VIRTIO_ENOSPC)
        return NK_NOT_NOW; /* fits an empty ring: completions make room (the copy stays) */
    if (rc != 0) {
        /* At most NK_TX_TABLE segments always fit an empty ring: the
         * queue broke */
        if (q->Unfit++ % 1024 == 0)
            NK_LOG(
                a, NK_LOG_ERR,
                "netkvm: a frame of %u segments cannot go on transmit queue %lu (%d, %lu times)\n",
                nseg, q->Index, rc, q->Unfit);
        goto failed;
    }
    virtqueue_req_seg(&rq, e->HdrPa, a->HdrLen, 0);
    if (slot_data != 0)
        virtqueue_req_seg(&rq, e->HdrPa + a->HdrLen, slot_data, 0);
    if (rest != 0 && bounce) {
        virtqueue_req_seg(&rq, q->Bounce.pa + in_slot, len - in_slot, 0);
    } else if (rest != 0) {
        const SCATTER_GATHER_ELEMENT *el = &sgl->Elements[first];
        virtqueue_req_seg(&rq, (uint64_t)el->Address.QuadPart + first_off, el->Length - first_off,
                          0);
        virtqueue_req_sgl(&rq, el + 1, rest - 1, sizeof(SCATTER_GATHER_ELEMENT), 0);
    }
    if (virtqueue_req_close(&rq, e) != 0)
        goto failed;
    q->Free = e->Next;
    e->Nb = nb;
    e->Sgl = sgl;
    e->Bounced = bounce;
    return NK_POSTED;
failed:
    if (bounce)
        q->BounceOwner = NULL; /* the frame fails: the copy is nobody's */
    return NK_FAILED;
}

/* IRQL: DISPATCH_LEVEL, queue lock held. publish what was posted and
 * notify the device when it asked (EVENT_IDX decides). */
static void NkTxKick(PNK_TXQ q)
{
    if (virtqueue_kick_prepare(&q->Vq))
        virtqueue_notify(&q->Vq);
}

/* IRQL: DISPATCH_LEVEL, queue lock held. post what waits, in order; failed
 * frames come back through *failed (their SG lists still mapped).  The
 * kick waits while a send call maps frames for the queue: that call kicks
 * once when it ends (NkSend), for all it posted. */
static void NkTxPostPending(PNK_TXQ q, PNET_BUFFER *failed)
{
    /* A reset (reset.c) takes the ring: what waits stays until it is done */
    while (q->PendHead != NULL && nk_reset_may_post(&q->Adapter->Reset)) {
        PNET_BUFFER nb = q->PendHead;
        int r = NkTxPost(q, nb, NK_NB_SGL(nb));
        if (r == NK_NOT_NOW)
            break;
        q->PendHead = NK_NB_NEXT(nb);
        if (q->PendHead == NULL)
            q->PendTail = NULL;
        if (r == NK_FAILED) {
            nb->MiniportReserved[3] = *failed;
            *failed = nb;
        }
    }
    if (q->InSend == 0)
        NkTxKick(q);
}

/* IRQL: DISPATCH_LEVEL. give back the SG lists of failed frames and fail them. */
static void NkTxFailList(PNK_ADAPTER a, PNET_BUFFER failed, NDIS_STATUS status)
{
    while (failed != NULL) {
        PNET_BUFFER next = NK_NB_NEXT(failed);
        NdisMFreeNetBufferSGList(a->Dma, NK_NB_SGL(failed), failed);
        NkTxNbDone(a, NK_NB_NBL(failed), status);
        failed = next;
    }
}

/* IRQL: DISPATCH_LEVEL. MiniportProcessSGList: a frame is mapped; post it. */
VOID NTAPI NkProcessSgList(PDEVICE_OBJECT Pdo, PVOID Reserved, PSCATTER_GATHER_LIST Sgl,
                           PVOID Context)
{
    PNET_BUFFER nb = (PNET_BUFFER)Context;
    PNK_TXQ q = NK_NB_QUEUE(nb);
    PNET_BUFFER failed = NULL;
    (void)Pdo, (void)Reserved;
    nb->MiniportReserved[2] = Sgl;
    nb->MiniportReserved[3] = NULL;
    if (nk_reset_refuses_sends(&q->Adapter->Reset)) {
        /* Mapped while a reset runs: completed now, as the reset's are */
        NkTxFailList(q->Adapter, nb, NDIS_STATUS_RESET_IN_PROGRESS);
        return;
    }
    NdisDprAcquireSpinLock(&q->Lock);
    /* Behind whatever waits, so frames leave in order */
    if (q->PendTail != NULL)
        q->PendTail->MiniportReserved[3] = nb;
    else
        q->PendHead = nb;
    q->PendTail = nb;
    NkTxPostPending(q, &failed);
    NdisDprReleaseSpinLock(&q->Lock);
    if (failed != NULL) /* rare: no call (and its frame) for nothing */
        NkTxFailList(q->Adapter, failed, NDIS_STATUS_FAILURE);
}

/* IRQL: DISPATCH_LEVEL. a send the device completed with a used length:
 * it claims to have written into a chain it may only read, so whether the
 * frame went out is unknown; it fails (a transmit error, NkTxNbDone),
 * counted, the first and every 1024th logged.  The queue goes on. */
static void NkTxBadUsed(PNK_TXQ q)
{
    LONG64 n = __atomic_fetch_add(&q->Adapter->Stats.TxBadUsed, 1, __ATOMIC_RELAXED);
    if (n % 1024 == 0)
        NK_LOG(q->Adapter, NK_LOG_ERR,
               "netkvm: transmit queue %lu: send completed with a used length; failed (%lld "
               "times)\n",
               q->Index, (long long)n + 1);
}

/* IRQL: DISPATCH_LEVEL. reap completed frames, then post what waits (lazy:
 * the next interrupt after about three quarters of the outstanding). */
void NkTxDrain(PNK_TXQ q)
{
    PNK_ADAPTER a = q->Adapter;
    PNK_TX_ENTRY done = NULL, last = NULL;
    PNET_BUFFER failed = NULL;
    uint32_t len;
    NdisDprAcquireSpinLock(&q->Lock);
    virtqueue_disable_cb(&q->Vq);
    for (;;) {
        PNK_TX_ENTRY e;
        while ((e = virtqueue_get(&q->Vq, &len)) != NULL) {
            /* The device is done with the copy: free before the frame
             * completes (NDIS may send the same NET_BUFFER again at once) */
            if (e->Bounced)
                q->BounceOwner = NULL;
            e->Bounced = FALSE;
            e->BadUsed = !nk_tx_used_ok(len); /* a send writes nothing (nk_txdone.h) */
            q->Done++;
            e->Next = done;
            done = e;
        }
        if (virtqueue_enable_cb_delayed(&q->Vq))
            break;
        virtqueue_disable_cb(&q->Vq);
    }
    NdisDprReleaseSpinLock(&q->Lock);
    for (PNK_TX_ENTRY e = done; e != NULL; e = e->Next) {
        last = e;
        if (e->BadUsed)
            NkTxBadUsed(q);
        if (e->Nb == NULL)
            continue; /* the miniport's own frame (NkTxSendOwn): no NBL */
        if (!e->BadUsed)
            NkTxCount(a, e->Nb);
        NdisMFreeNetBufferSGList(a->Dma, e->Sgl, e->Nb);
        NkTxNbDone(a, NK_NB_NBL(e->Nb), e->BadUsed ? NDIS_STATUS_FAILURE : NDIS_STATUS_SUCCESS);
        e->Nb = NULL;
    }
    NdisDprAcquireSpinLock(&q->Lock);
    if (last != NULL) {
        last->Next = q->Free;
        q->Free = done;
    }
    NkTxPostPending(q, &failed);
    NdisDprReleaseSpinLock(&q->Lock);
    if (failed != NULL)
        NkTxFailList(a, failed, NDIS_STATUS_FAILURE);
}

/* IRQL <= DISPATCH_LEVEL. fail every frame the device holds or that waits:
 * the device is gone (surprise removal) and will complete none of them. */
void NkTxCancelAll(PNK_TXQ q, NDIS_STATUS status)
{
    PNK_ADAPTER a = q->Adapter;
    PNET_BUFFER failed = NULL;
    PNK_TX_ENTRY e;
    if (q->Entries == NULL)
        return;
    NdisAcquireSpinLock(&q->Lock);
    while ((e = virtqueue_detach_unused(&q->Vq)) != NULL) {
        if (e->Nb != NULL) { /* NULL: the miniport's own frame */
            e->Nb->MiniportReserved[3] = failed;
            failed = e->Nb;
        }
        e->Nb = NULL;
        e->Bounced = FALSE;
        e->Next = q->Free;
        q->Free = e;
    }
    q->BounceOwner = NULL; /* its frame, sent or waiting, fails below */
    while (q->PendHead != NULL) {
        PNET_BUFFER nb = q->PendHead;
        q->PendHead = NK_NB_NEXT(nb);
        nb->MiniportReserved[3] = failed;
        failed = nb;
    }
    q->PendTail = NULL;
    NdisReleaseSpinLock(&q->Lock);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    NkTxFailList(a, failed, status);
    KeLowerIrql(old);
}

/* IRQL <= DISPATCH_LEVEL. complete an NBL that never reached a queue. */
static void NkTxReject(PNK_ADAPTER a, PNET_BUFFER_LIST nbl, NDIS_STATUS status, ULONG flags)
{
    NET_BUFFER_LIST_STATUS(nbl) = status;
    NK_INC64(&a->Stats.TxDiscards);
    NdisMSendNetBufferListsComplete(a->Handle, nbl, flags);
}

/* IRQL <= DISPATCH_LEVEL. MiniportSendNetBufferLists: map every frame. */
VOID NTAPI NkSend(NDIS_HANDLE Context, PNET_BUFFER_LIST Nbls, NDIS_PORT_NUMBER Port, ULONG Flags)
{
    PNK_ADAPTER a = (PNK_ADAPTER)Context;
    ULONG cflags =
        (Flags & NDIS_SEND_FLAGS_DISPATCH_LEVEL) ? NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL : 0;
    (void)Port;
    if (Nbls == NULL)
        return;
    /* One queue for the call (the processor it starts on), so that one
     * kick at the end covers every frame it posted.  NDIS asks no more of
     * the queue choice (MiniportSendNetBufferLists, remarks): the NBs of
     * an NBL in order, and the NBLs of one connection in the order given;
     * one queue per call keeps both, in the call's order.  A send NBL's
     * hash information is not a transmit-queue selector NDIS 6.50 defines
     * for a miniport, so splitting a call by hash would only cost a kick
     * per queue.  By processor, a connection sent from one processor stays
     * on one queue; sent from two at once, NDIS gives its frames no order */
    PROCESSOR_NUMBER pn;
    ULONG cpu = KeGetCurrentProcessorNumberEx(&pn);
    PNK_TXQ q = &a->Tx[cpu % a->ActivePairs];
    InterlockedIncrement(&q->InSend);
    while (Nbls != NULL) {
        PNET_BUFFER_LIST nbl = Nbls;
        Nbls = NET_BUFFER_LIST_NEXT_NBL(nbl);
        NET_BUFFER_LIST_NEXT_NBL(nbl) = NULL;
        LONG count = 0;
        for (PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl); nb != NULL;
             nb = NET_BUFFER_NEXT_NB(nb))
            count++;
        /* Counted before the state is read: a pause that starts now waits for it */
        InterlockedIncrement(&a->TxOut);
        NDIS_STATUS reject = a->Removed                          ? NDIS_STATUS_ADAPTER_REMOVED
                             : a->State != NK_RUNNING            ? NDIS_STATUS_PAUSED
                             : a->PoweredDown                    ? NDIS_STATUS_LOW_POWER_STATE
                             : nk_reset_refuses_sends(&a->Reset) ? NDIS_STATUS_RESET_IN_PROGRESS
                             : !a->LinkUp                        ? NDIS_STATUS_MEDIA_DISCONNECTED
                             : count == 0                        ? NDIS_STATUS_INVALID_PARAMETER
                                                                 : NDIS_STATUS_SUCCESS;
        if (reject != NDIS_STATUS_SUCCESS) {
            NkTxReject(a, nbl, reject, cflags);
            InterlockedDecrement(&a->TxOut);
            NkPauseCheck(a);
            continue;
        }
        *NK_NBL_LEFT(nbl) = count;
        *NK_NBL_RESULT(nbl) = NDIS_STATUS_SUCCESS;
        /* Read the next NB first: the NBL may complete inside the loop */
        PNET_BUFFER next;
        for (PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl); nb != NULL; nb = next) {
            next = NET_BUFFER_NEXT_NB(nb);
            nb->MiniportReserved[0] = nbl;
            nb->MiniportReserved[1] = q;
            ULONG length = NET_BUFFER_DATA_LENGTH(nb);
            if (length < NK_ETH_HLEN || length > NkTxMaxLength(a, nbl, nb) ||
                NdisMAllocateNetBufferSGList(a->Dma, nb, nb, NDIS_SG_LIST_WRITE_TO_DEVICE, NULL,
                                             0) != NDIS_STATUS_SUCCESS)
                NkTxNbDone(a, nbl, NDIS_STATUS_FAILURE);
        }
    }
    /* The last call out kicks for what the queue took meanwhile; a frame
     * mapped later (an asynchronous SG callback) finds InSend 0 and kicks
     * itself.  A post that saw InSend above 0 holds the lock before the
     * decrement's kick takes it, so nothing is left unpublished. */
    if (InterlockedDecrement(&q->InSend) == 0) {
        NdisAcquireSpinLock(&q->Lock);
        if (q->InSend == 0)
            NkTxKick(q);
        NdisReleaseSpinLock(&q->Lock);
    }
}

/* IRQL <= DISPATCH_LEVEL. MiniportCancelSend: frames are handed to the
 * device as soon as they are mapped, so none waits long enough to cancel. */
VOID NTAPI NkCancelSend(NDIS_HANDLE Context, PVOID CancelId)
{
    (void)Context, (void)CancelId;
}

/* IRQL <= DISPATCH_LEVEL. send a frame of the miniport's own (announce.c):
 * copied behind a zeroed virtio_net_hdr into a free entry's header slot,
 * no NBL (the drain gives the entry back); FALSE when none is free. */
BOOLEAN NkTxSendOwn(PNK_TXQ q, const UCHAR *frame, ULONG len)
{
    PNK_ADAPTER a = q->Adapter;
    struct virtqueue_req rq;
    BOOLEAN ok = FALSE;
    if (q->Entries == NULL || len > NK_TX_HDR_SLOT - a->HdrLen)
        return FALSE;
    NdisAcquireSpinLock(&q->Lock);
    PNK_TX_ENTRY e = q->Free;
    if (e != NULL && virtqueue_req_open(&q->Vq, &rq, 2, &e->Table) == 0) {
        RtlZeroMemory(e->Hdr, a->HdrLen);
        RtlCopyMemory(e->Hdr + a->HdrLen, frame, len);
        virtqueue_req_seg(&rq, e->HdrPa, a->HdrLen, 0);
        virtqueue_req_seg(&rq, e->HdrPa + a->HdrLen, len, 0);
        if (virtqueue_req_close(&rq, e) == 0) {
            q->Free = e->Next;
            e->Nb = NULL;
            e->Sgl = NULL;
            ok = TRUE;
            if (virtqueue_kick_prepare(&q->Vq))
                virtqueue_notify(&q->Vq);
        }
    }
    NdisReleaseSpinLock(&q->Lock);
    return ok;
}
