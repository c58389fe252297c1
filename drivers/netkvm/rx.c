/*
 * rx.c - the receive path: buffers in 64 KiB shared blocks, each with its
 * MDL and an NBL of its own, posted device-writable; a frame is one buffer
 * or, with MRG_RXBUF, the num_buffers buffers the header names, their MDLs
 * chained behind the first buffer's NBL.  The DPC indicates what arrived
 * and reposts what came back; when few buffers are left posted the
 * indication carries NDIS_RECEIVE_FLAGS_RESOURCES and the buffers are
 * reposted at once.  A ring that ran empty is counted (a shortage) and
 * logged, never silent.
 *
 * Per NBL: MiniportReserved[0] is its first buffer.
 */
#include "netkvm.h"

/* IRQL: PASSIVE_LEVEL. how many buffers this queue gets: the ring's worth,
 * less when all queues together would pass NK_RX_MEM_CAP. */
static ULONG NkRxCount(PNK_ADAPTER a, PNK_RXQ q)
{
    ULONG n = q->Vq.num / a->RxSegs;
    ULONG64 cap = NK_RX_MEM_CAP / ((ULONG64)a->Pairs * a->RxBufSize);
    ULONG floor = n < NK_RX_MIN_BUFS ? n : NK_RX_MIN_BUFS;
    if (cap < n)
        n = (ULONG)cap;
    return n < floor ? floor : n;
}

/* IRQL: PASSIVE_LEVEL. allocate the queue's buffers, MDLs and NBLs. */
NDIS_STATUS NkRxInit(PNK_ADAPTER a, PNK_RXQ q)
{
    ULONG n = NkRxCount(a, q);
    ULONG chunk = a->RxBufSize > NK_RX_CHUNK ? (a->RxBufSize + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)
                                             : NK_RX_CHUNK;
    ULONG per = chunk / a->RxBufSize;
    q->ChunkCount = (n + per - 1) / per;
    q->Chunks = VwNdisAlloc(&a->V, q->ChunkCount * sizeof(struct virtio_dma));
    q->Bufs = VwNdisAlloc(&a->V, n * sizeof(NK_RXBUF));
    if (q->Chunks == NULL || q->Bufs == NULL)
        return NDIS_STATUS_RESOURCES;
    q->Count = n;
    for (ULONG i = 0; i < n; i++) {
        struct virtio_dma *c = &q->Chunks[i / per];
        PNK_RXBUF b = &q->Bufs[i];
        if (i % per == 0 && VwNdisShared(&a->V, chunk, c) != 0)
            return NDIS_STATUS_RESOURCES;
        b->Va = (PUCHAR)c->va + (i % per) * a->RxBufSize;
        b->Pa = c->pa + (i % per) * a->RxBufSize;
        b->Queue = q;
        b->Mdl = NdisAllocateMdl(a->Handle, b->Va, a->RxBufSize);
        if (b->Mdl == NULL)
            return NDIS_STATUS_RESOURCES;
        b->Nbl = NdisAllocateNetBufferAndNetBufferList(a->NblPool, 0, 0, b->Mdl, 0, 0);
        if (b->Nbl == NULL)
            return NDIS_STATUS_RESOURCES;
        b->Nbl->MiniportReserved[0] = b;
        b->Next = q->Free;
        q->Free = b;
    }
    return NDIS_STATUS_SUCCESS;
}

/* IRQL: PASSIVE_LEVEL. free the buffers (every NBL came back before halt). */
void NkRxFree(PNK_ADAPTER a, PNK_RXQ q)
{
    for (ULONG i = 0; q->Bufs != NULL && i < q->Count; i++) {
        if (q->Bufs[i].Nbl != NULL)
            NdisFreeNetBufferList(q->Bufs[i].Nbl);
        if (q->Bufs[i].Mdl != NULL)
            NdisFreeMdl(q->Bufs[i].Mdl);
    }
    for (ULONG i = 0; q->Chunks != NULL && i < q->ChunkCount; i++)
        VwNdisSharedFree(&a->V, &q->Chunks[i]);
    VwNdisFree(q->Chunks, q->ChunkCount * sizeof(struct virtio_dma));
    VwNdisFree(q->Bufs, q->Count * sizeof(NK_RXBUF));
    q->Chunks = NULL;
    q->Bufs = NULL;
    q->Free = NULL;
}

/* IRQL: DISPATCH_LEVEL, queue lock held. put a frame's buffers back on the free list. */
static void NkRxRecycle(PNK_RXQ q, PNK_RXBUF b)
{
    ULONG size = q->Adapter->RxBufSize;
    while (b != NULL) {
        PNK_RXBUF next = b->Next;
        b->Mdl->ByteCount = size;
        b->Mdl->Next = NULL;
        b->Next = q->Free;
        q->Free = b;
        b = next;
    }
}

/* IRQL <= DISPATCH_LEVEL. post every free buffer the ring takes. */
void NkRxPost(PNK_RXQ q)
{
    PNK_ADAPTER a = q->Adapter;
    if (q->Bufs == NULL)
        return;
    NdisAcquireSpinLock(&q->Lock);
    while (q->Free != NULL) {
        PNK_RXBUF b = q->Free;
        struct virtqueue_req rq;
        if (virtqueue_req_open(&q->Vq, &rq, a->RxSegs, NULL) != 0)
            break; /* full (or broken: nothing more to post) */
        if (a->RxSegs == 1) {
            virtqueue_req_seg(&rq, b->Pa, a->RxBufSize, VIRTQUEUE_SEG_WRITE);
        } else {
            virtqueue_req_seg(&rq, b->Pa, a->HdrLen, VIRTQUEUE_SEG_WRITE);
            virtqueue_req_seg(&rq, b->Pa + a->HdrLen, a->RxBufSize - a->HdrLen,
                              VIRTQUEUE_SEG_WRITE);
        }
        if (virtqueue_req_close(&rq, b) != 0)
            break;
        q->Free = b->Next;
        b->Next = NULL;
        q->Posted++;
    }
    if (virtqueue_kick_prepare(&q->Vq))
        virtqueue_notify(&q->Vq);
    NdisReleaseSpinLock(&q->Lock);
}

/* IRQL: DISPATCH_LEVEL, queue lock held. one frame from its first buffer:
 * the NBL to indicate, or NULL (dropped and recycled, counted). */
static PNET_BUFFER_LIST NkRxFrame(PNK_RXQ q, PNK_RXBUF b, uint32_t len)
{
    PNK_ADAPTER a = q->Adapter;
    ULONG count = 1;
    ULONG64 total;
    q->Posted--;
    b->Next = NULL;
    if (len < a->HdrLen || len > a->RxBufSize) {
        NkRxRecycle(q, b);
        NK_INC64(&a->Stats.RxErrors);
        return NULL;
    }
    if (a->Features & NK_BIT(VIRTIO_NET_F_MRG_RXBUF))
        count = nk_le16(b->Va + 10); /* num_buffers, untrusted */
    if (count == 0 || count > q->Count) {
        NkRxRecycle(q, b);
        NK_INC64(&a->Stats.RxErrors);
        return NULL;
    }
    b->Mdl->ByteCount = len;
    total = len - a->HdrLen;
    PNK_RXBUF tail = b;
    for (ULONG i = 1; i < count; i++) {
        uint32_t l;
        PNK_RXBUF more = virtqueue_get(&q->Vq, &l);
        if (more == NULL || l > a->RxBufSize) {
            /* The device promised more buffers than it used: drop the frame */
            if (more != NULL)
                q->Posted--, more->Next = NULL, tail->Next = more;
            NkRxRecycle(q, b);
            NK_INC64(&a->Stats.RxErrors);
            return NULL;
        }
        q->Posted--;
        more->Next = NULL;
        more->Mdl->ByteCount = l;
        tail->Next = more;
        tail->Mdl->Next = more->Mdl;
        tail = more;
        total += l;
    }
    if (total < NK_ETH_HLEN || total > a->MaxFrame + NK_VLAN_HLEN) {
        NkRxRecycle(q, b);
        NK_INC64(&a->Stats.RxErrors);
        return NULL;
    }
    PNET_BUFFER_LIST nbl = b->Nbl;
    PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
    nb->MdlChain = b->Mdl;
    nb->DataOffset = a->HdrLen;
    nb->DataLength = (ULONG)total;
    /* The data may start in the second buffer when the first holds only the header */
    PNK_RXBUF first = (len == a->HdrLen && b->Next != NULL) ? b->Next : b;
    nb->CurrentMdl = first->Mdl;
    nb->CurrentMdlOffset = first == b ? a->HdrLen : 0;
    nbl->SourceHandle = a->Handle;
    NET_BUFFER_LIST_STATUS(nbl) = NDIS_STATUS_SUCCESS;
    NET_BUFFER_LIST_NEXT_NBL(nbl) = NULL;
    NET_BUFFER_LIST_INFO(nbl, TcpIpChecksumNetBufferListInfo) = NULL;
    NET_BUFFER_LIST_INFO(nbl, Ieee8021QNetBufferListInfo) = NULL;
    ULONG cls = 0;
    NkFrameClass(first->Va + (first == b ? a->HdrLen : 0), &cls);
    NK_INC64(&a->Stats.RxFrames[cls]);
    NK_ADD64(&a->Stats.RxBytes[cls], (LONG64)total);
    return nbl;
}

/* IRQL: DISPATCH_LEVEL. put indicated (or never indicated) NBLs' buffers back. */
static void NkRxTakeBack(PNK_RXQ q, PNET_BUFFER_LIST nbl)
{
    NdisDprAcquireSpinLock(&q->Lock);
    while (nbl != NULL) {
        PNET_BUFFER_LIST next = NET_BUFFER_LIST_NEXT_NBL(nbl);
        NET_BUFFER_LIST_NEXT_NBL(nbl) = NULL;
        NkRxRecycle(q, (PNK_RXBUF)nbl->MiniportReserved[0]);
        nbl = next;
    }
    NdisDprReleaseSpinLock(&q->Lock);
}

/* IRQL: DISPATCH_LEVEL. the DPC's work for a receive queue. */
void NkRxDrain(PNK_RXQ q)
{
    PNK_ADAPTER a = q->Adapter;
    PNET_BUFFER_LIST head = NULL, *tail = &head;
    ULONG count = 0;
    uint32_t len;
    BOOLEAN low;
    if (q->Bufs == NULL)
        return;
    NdisDprAcquireSpinLock(&q->Lock);
    virtqueue_disable_cb(&q->Vq);
    for (;;) {
        PNK_RXBUF b;
        while ((b = virtqueue_get(&q->Vq, &len)) != NULL) {
            PNET_BUFFER_LIST nbl = NkRxFrame(q, b, len);
            if (nbl != NULL) {
                *tail = nbl;
                tail = &NET_BUFFER_LIST_NEXT_NBL(nbl);
                count++;
            }
        }
        if (virtqueue_enable_cb(&q->Vq))
            break;
        virtqueue_disable_cb(&q->Vq);
    }
    if (q->Posted == 0 && q->Free == NULL) {
        /* Everything is up in the stack: the ring is empty until returns come */
        if (q->Shortages++ % 1024 == 0)
            DbgPrint("netkvm: receive queue %lu ran out of buffers (%lu times)\n", q->Index,
                     q->Shortages);
        NK_INC64(&a->Stats.RxNoBuffer);
    }
    low = q->Posted < q->Count / 4;
    NdisDprReleaseSpinLock(&q->Lock);

    if (count != 0) {
        /* Counted before the state is read: a pause that starts now waits for these */
        NK_ADD32(&a->RxOut, (LONG)count);
        if (a->State != NK_RUNNING) {
            NK_ADD64(&a->Stats.RxDiscards, count);
            NkRxTakeBack(q, head);
            NK_ADD32(&a->RxOut, -(LONG)count);
            NkPauseCheck(a);
        } else if (low) {
            NdisMIndicateReceiveNetBufferLists(a->Handle, head, NDIS_DEFAULT_PORT_NUMBER, count,
                                               NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL |
                                                   NDIS_RECEIVE_FLAGS_RESOURCES);
            /* With RESOURCES the NBLs are ours again when the call returns */
            NkRxTakeBack(q, head);
            NK_ADD32(&a->RxOut, -(LONG)count);
            NkPauseCheck(a);
        } else {
            NdisMIndicateReceiveNetBufferLists(a->Handle, head, NDIS_DEFAULT_PORT_NUMBER, count,
                                               NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL);
        }
    }
    NkRxPost(q);
}

/* IRQL <= DISPATCH_LEVEL. MiniportReturnNetBufferLists: repost the buffers. */
VOID NTAPI NkReturn(NDIS_HANDLE Context, PNET_BUFFER_LIST Nbls, ULONG Flags)
{
    PNK_ADAPTER a = (PNK_ADAPTER)Context;
    KIRQL old = PASSIVE_LEVEL;
    BOOLEAN raised = !(Flags & NDIS_RETURN_FLAGS_DISPATCH_LEVEL);
    if (raised)
        KeRaiseIrql(DISPATCH_LEVEL, &old);
    while (Nbls != NULL) {
        PNET_BUFFER_LIST nbl = Nbls;
        Nbls = NET_BUFFER_LIST_NEXT_NBL(nbl);
        NET_BUFFER_LIST_NEXT_NBL(nbl) = NULL;
        PNK_RXQ q = ((PNK_RXBUF)nbl->MiniportReserved[0])->Queue;
        NkRxTakeBack(q, nbl);
        NkRxPost(q);
        InterlockedDecrement(&a->RxOut);
    }
    NkPauseCheck(a);
    if (raised)
        KeLowerIrql(old);
}
