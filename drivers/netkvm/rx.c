/*
 * rx.c - the receive path: buffers as nk_rxbuf plans them (sized to the
 * MTU, packed in 64 KiB shared blocks), each with its MDL and an NBL of
 * its own, posted device-writable; a frame is one buffer
 * or, with MRG_RXBUF, the num_buffers buffers the header names, their MDLs
 * chained behind the first buffer's NBL.  The DPC indicates what arrived
 * and reposts what came back; when few buffers are left posted the
 * indication carries NDIS_RECEIVE_FLAGS_RESOURCES and the buffers are
 * reposted at once.  Fewer buffers posted than the plan's minimum
 * (MinRxBufferPercent) with none to post is counted (a shortage) and
 * logged, never silent.
 *
 * Per NBL: MiniportReserved[0] is its first buffer; [1] is rss.c's.
 */
#include "netkvm.h"

/* IRQL: PASSIVE_LEVEL. the queue's buffer plan (nk_rxbuf, the one sizing
 * rule): sized to the MTU, RxCapacity of them within the ring, all queues
 * together under NK_RX_MEM_CAP.  Each buffer is posted as one descriptor
 * over contiguous memory (two for a legacy device, whose header has a
 * descriptor of its own), so the plan counts one ring slot per buffer and
 * the legacy halving is applied here. */
static NDIS_STATUS NkRxPlan(PNK_ADAPTER a, PNK_RXQ q)
{
    uint64_t f = a->Features;
    struct nk_rxbuf_in in;
    RtlZeroMemory(&in, sizeof(in));
    in.mtu = a->Cfg.mtu;
    in.mrg_rxbuf = (f & NK_BIT(VIRTIO_NET_F_MRG_RXBUF)) != 0;
    in.big_packets = (f & (NK_BIT(VIRTIO_NET_F_GUEST_TSO4) | NK_BIT(VIRTIO_NET_F_GUEST_TSO6) |
                           NK_BIT(VIRTIO_NET_F_GUEST_UFO))) != 0;
    in.ring_size = (uint16_t)(q->Vq.num / a->RxSegs);
    in.indirect = TRUE;
    in.capacity = a->Settings.rx_capacity;
    in.min_percent = a->Settings.min_rx_percent;
    in.page_size = PAGE_SIZE;
    in.vnet_hdr_bytes = a->HdrLen;
    in.max_bytes = NK_RX_MEM_CAP / a->Pairs;
    int rc = nk_rxbuf_plan(&in, &q->Plan);
    if (rc != NK_RXBUF_OK) {
        NK_LOG(a, NK_LOG_ERR, "netkvm: receive queue %lu: no buffer plan (%d)\n", q->Index, rc);
        return NDIS_STATUS_RESOURCES;
    }
    NK_LOG(a, NK_LOG_ERR, "netkvm: receive queue %lu: %u buffers of %u bytes, %u KiB%s\n", q->Index,
           q->Plan.count, q->Plan.buf_bytes, (ULONG)(q->Plan.bytes >> 10),
           q->Plan.bounded ? " (memory bound)" : "");
    return NDIS_STATUS_SUCCESS;
}

static NDIS_TIMER_FUNCTION NkRxRefillTimer;

/* IRQL: PASSIVE_LEVEL. allocate the queue's buffers, MDLs and NBLs: shared
 * memory in blocks of about NK_RX_CHUNK, each buffer where the plan puts it. */
NDIS_STATUS NkRxInit(PNK_ADAPTER a, PNK_RXQ q)
{
    NDIS_STATUS st = NkRxPlan(a, q);
    if (st != NDIS_STATUS_SUCCESS)
        return st;
    if (q->Index == 0) {
        /* The adapter's repost bitmap (NkRxReturnMixed): a bit per queue */
        a->RxRepostWords = (a->Pairs + 31) / 32;
        a->RxRepost = VwNdisAlloc(&a->V, a->RxRepostWords * sizeof(LONG));
        a->RxRefill = VwNdisAlloc(&a->V, a->RxRepostWords * sizeof(LONG));
        if (a->RxRepost == NULL || a->RxRefill == NULL)
            return NDIS_STATUS_RESOURCES;
        /* One refill timer for the adapter: it retries every queue that asked */
        NDIS_TIMER_CHARACTERISTICS tc;
        RtlZeroMemory(&tc, sizeof(tc));
        NK_HEADER(tc.Header, NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS,
                  NDIS_TIMER_CHARACTERISTICS_REVISION_1, sizeof(tc));
        tc.AllocationTag = 'RkvN';
        tc.TimerFunction = NkRxRefillTimer;
        tc.FunctionContext = a;
        if (NdisAllocateTimerObject(a->Handle, &tc, &a->RefillTimer) != NDIS_STATUS_SUCCESS) {
            a->RefillTimer = NULL;
            return NDIS_STATUS_RESOURCES;
        }
    }
    const struct nk_rxbuf_plan *p = &q->Plan;
    ULONG n = p->count;
    /* A block holds whole buffers: NK_RX_CHUNK of shared pages, or as many
     * multi-page buffers as fit in it (at least one) */
    ULONG per_chunk = NK_RX_CHUNK / PAGE_SIZE / (p->pages_per_buf ? p->pages_per_buf : 1);
    ULONG chunk_pages =
        p->bufs_per_page ? NK_RX_CHUNK / PAGE_SIZE : p->pages_per_buf * (per_chunk ? per_chunk : 1);
    q->ChunkCount = (p->pages + chunk_pages - 1) / chunk_pages;
    q->Chunks = VwNdisAlloc(&a->V, q->ChunkCount * sizeof(struct virtio_dma));
    q->Bufs = VwNdisAlloc(&a->V, n * sizeof(NK_RXBUF));
    if (q->Chunks == NULL || q->Bufs == NULL)
        return NDIS_STATUS_RESOURCES;
    q->Count = n;
    for (ULONG i = 0; i < n; i++) {
        uint32_t page, off;
        nk_rxbuf_locate(p, i, &page, &off);
        struct virtio_dma *c = &q->Chunks[page / chunk_pages];
        ULONG at = (page % chunk_pages) * PAGE_SIZE + off;
        PNK_RXBUF b = &q->Bufs[i];
        /* Buffers come in order: the one at a block's start allocates it */
        if (at == 0 && VwNdisShared(&a->V, chunk_pages * PAGE_SIZE, c) != 0)
            return NDIS_STATUS_RESOURCES;
        b->Va = (PUCHAR)c->va + at;
        b->Pa = c->pa + at;
        b->Queue = q;
        b->Mdl = NdisAllocateMdl(a->Handle, b->Va, p->buf_bytes);
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
    if (q->Index == 0 && a->RefillTimer != NULL) {
        NkRxRefillStop(a); /* NkRelease stopped it before the reset: nothing left */
        NdisFreeTimerObject(a->RefillTimer);
        a->RefillTimer = NULL;
    }
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
    if (q->Index == 0) {
        VwNdisFree((PVOID)a->RxRepost, a->RxRepostWords * sizeof(LONG));
        VwNdisFree((PVOID)a->RxRefill, a->RxRepostWords * sizeof(LONG));
        a->RxRepost = NULL;
        a->RxRefill = NULL;
    }
    q->Chunks = NULL;
    q->Bufs = NULL;
    q->Free = NULL;
}

/* IRQL: DISPATCH_LEVEL, queue lock held. put a frame's buffers back on the free list. */
static void NkRxRecycle(PNK_RXQ q, PNK_RXBUF b)
{
    ULONG size = q->Plan.buf_bytes;
    while (b != NULL) {
        PNK_RXBUF next = b->Next;
        b->Mdl->ByteCount = size;
        b->Mdl->Next = NULL;
        b->Next = q->Free;
        q->Free = b;
        b = next;
    }
}

/* IRQL <= DISPATCH_LEVEL. post every free buffer the ring takes; when it
 * takes too few (below the plan's minimum with buffers left free), the
 * refill timer tries again (nk_refill: bounded in number and interval),
 * the shortage counted once and logged.  from_timer: the timer's post. */
static void NkRxPostFrom(PNK_RXQ q, BOOLEAN from_timer)
{
    PNK_ADAPTER a = q->Adapter;
    enum nk_refill_act act;
    if (q->Bufs == NULL)
        return;
    NdisAcquireSpinLock(&q->Lock);
    /* While a reset takes the rings (reset.c) free buffers wait: it posts
     * them; in D3, or after a D0 the device did not come back from, its
     * queues are disabled: nothing is posted or notified (power.c) */
    BOOLEAN may = nk_reset_may_post(&a->Reset) && !a->PoweredDown;
    while (q->Free != NULL && may) {
        PNK_RXBUF b = q->Free;
        struct virtqueue_req rq;
        if (virtqueue_req_open(&q->Vq, &rq, a->RxSegs, NULL) != 0)
            break; /* full (or broken: nothing more to post) */
        if (a->RxSegs == 1) {
            virtqueue_req_seg(&rq, b->Pa, q->Plan.buf_bytes, VIRTQUEUE_SEG_WRITE);
        } else {
            virtqueue_req_seg(&rq, b->Pa, a->HdrLen, VIRTQUEUE_SEG_WRITE);
            virtqueue_req_seg(&rq, b->Pa + a->HdrLen, q->Plan.buf_bytes - a->HdrLen,
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
    /* Free buffers a reset will post, or a broken ring (CheckForHang resets
     * it), are nothing a retry could post */
    BOOLEAN left = q->Free != NULL && may && !virtqueue_broken(&q->Vq);
    act = nk_refill_after_post(&q->Refill, q->Posted, q->Plan.min_count, left ? 1 : 0,
                               from_timer != FALSE);
    /* The timer is set only through its gate: closed (D3, halt) the retry
     * is forgotten, not left "armed" with no timer to run it */
    if (act == NK_REFILL_ARM && (a->RefillTimer == NULL || !nk_refill_gate_enter(&a->RefillGate))) {
        nk_refill_stop(&q->Refill);
        act = NK_REFILL_NONE;
    }
    if (act == NK_REFILL_ARM && q->Refill.tries == 1) {
        if (q->Shortages++ % 1024 == 0)
            NK_LOG(a, NK_LOG_ERR,
                   "netkvm: receive queue %lu short of buffers: %lu posted, the ring took no "
                   "more; retrying every %u us, %u times at most (%lu times)\n",
                   q->Index, q->Posted, NK_REFILL_INTERVAL_US, NK_REFILL_TRIES, q->Shortages);
        NK_INC64(&a->Stats.RxNoBuffer);
    }
    NdisReleaseSpinLock(&q->Lock);
    if (act == NK_REFILL_ARM) {
        LARGE_INTEGER due;
        due.QuadPart = -(LONGLONG)NK_REFILL_INTERVAL_US * 10; /* relative, 100 ns units */
        InterlockedOr(&a->RxRefill[q->Index / 32], (LONG)(1u << (q->Index % 32)));
        NdisSetTimerObject(a->RefillTimer, due, 0, a);
        nk_refill_gate_leave(&a->RefillGate);
    } else if (act == NK_REFILL_GAVE_UP) {
        NK_LOG(a, NK_LOG_ERR,
               "netkvm: receive queue %lu: refill retried %u times; the returns refill it\n",
               q->Index, NK_REFILL_TRIES);
    }
}

/* IRQL <= DISPATCH_LEVEL. post every free buffer the ring takes. */
void NkRxPost(PNK_RXQ q)
{
    NkRxPostFrom(q, FALSE);
}

/* IRQL: DISPATCH_LEVEL. the refill timer: post again on every queue that
 * asked (its bit cleared before its post, so a queue asking again from
 * that post sets it anew). */
static VOID NTAPI NkRxRefillTimer(PVOID S1, PVOID Context, PVOID S2, PVOID S3)
{
    PNK_ADAPTER a = (PNK_ADAPTER)Context;
    (void)S1, (void)S2, (void)S3;
    /* Closed (D3, halt): the device is being reset or the queues freed */
    if (!nk_refill_gate_enter(&a->RefillGate))
        return;
    for (ULONG i = 0; i < a->RxRepostWords; i++) {
        ULONG bits = (ULONG)InterlockedExchange(&a->RxRefill[i], 0);
        while (bits != 0) {
            ULONG k = (ULONG)__builtin_ctz(bits);
            bits &= bits - 1;
            NkRxPostFrom(&a->Rx[i * 32 + k], TRUE);
        }
    }
    nk_refill_gate_leave(&a->RefillGate);
}

/* IRQL: PASSIVE_LEVEL. wait until the refill gate has no one inside. */
static void NkRxRefillWaitIdle(PNK_ADAPTER a)
{
    ULONG waited = 0;
    while (!nk_refill_gate_idle(&a->RefillGate)) {
        NdisMSleep(10); /* a post setting the timer or a routine: microseconds */
        if (++waited == 100000)
            NK_LOG(a, NK_LOG_ERR,
                   "netkvm: the refill timer's gate: still entered after 100000 waits\n");
    }
}

/* IRQL: PASSIVE_LEVEL. stop the refill retry before the device is reset
 * (D3) or the queues freed (halt): no timer left set, no routine running,
 * every queue's retry forgotten.  NdisCancelTimerObject does not wait for
 * a one-shot timer's routine already running (ndis/nf-ndis-
 * ndiscanceltimerobject: the caller synchronises): the gate stops new
 * timers and routines, KeFlushQueuedDpcs lets a routine whose timer
 * already expired run (it finds the gate closed). */
void NkRxRefillStop(PNK_ADAPTER a)
{
    if (a->RefillTimer == NULL)
        return;
    nk_refill_gate_close(&a->RefillGate);
    NkRxRefillWaitIdle(a); /* a post that entered has set its timer */
    NdisCancelTimerObject(a->RefillTimer);
    KeFlushQueuedDpcs();
    NkRxRefillWaitIdle(a);
    for (ULONG i = 0; a->RxRefill != NULL && i < a->RxRepostWords; i++)
        InterlockedExchange(&a->RxRefill[i], 0);
    for (ULONG k = 0; a->Rx != NULL && k < a->Pairs; k++) {
        PNK_RXQ q = &a->Rx[k];
        if (q->Bufs == NULL)
            continue;
        NdisAcquireSpinLock(&q->Lock);
        nk_refill_stop(&q->Refill);
        NdisReleaseSpinLock(&q->Lock);
    }
}

/* IRQL: PASSIVE_LEVEL. the refill retry allowed again (D0), before the first post. */
void NkRxRefillStart(PNK_ADAPTER a)
{
    nk_refill_gate_open(&a->RefillGate);
}

/* IRQL: DISPATCH_LEVEL. does the frame pass the packet filter NDIS set?
 * The device drops most of what the filter excludes (CTRL_RX), but not
 * broadcasts without CTRL_RX_EXTRA nor anything without CTRL_RX; a frame
 * the filter excludes is never indicated (oid-gen-current-packet-filter).
 * Until NDIS sets a filter (it does when a protocol binds) the filter is 0
 * and nothing passes.  f: the published snapshot the drain entered once
 * (no lock; an OID set at PASSIVE builds the other one, NkRxFilterPublish).
 * The destination is read where the frame starts, in the buffer that holds
 * its first bytes (first: nb's CurrentMdl, the VLAN tag already stripped),
 * NdisGetDataBuffer only when that buffer holds fewer than six.  The
 * frame's class for the counters (NkRxCount) into b, its first buffer. */
static BOOLEAN NkRxFilterPass(const struct nk_rx_filter *f, PNET_BUFFER nb, PNK_RXBUF first,
                              PNK_RXBUF b)
{
    UCHAR storage[NK_ETH_ALEN];
    ULONG off = NET_BUFFER_CURRENT_MDL_OFFSET(nb);
    PUCHAR dest = first->Va + off;
    unsigned cls = 0;
    if (first->Mdl->ByteCount < off + NK_ETH_ALEN) {
        dest = NdisGetDataBuffer(nb, NK_ETH_ALEN, storage, 1, 0);
        if (dest == NULL)
            return FALSE;
    }
    BOOLEAN pass = nk_rx_filter_judge(f, dest, &cls);
    b->Class = cls;
    return pass;
}

/* A set's wait for the spare snapshot */
typedef struct _NK_RX_FILTER_SPARE {
    struct nk_rx_filter_pub *Pub;
    struct nk_rx_filter *Spare;
} NK_RX_FILTER_SPARE;

/* IRQL <= DISPATCH_LEVEL. NkPoll's test: no frame judged against the spare snapshot. */
static BOOLEAN NkRxFilterSpareFree(PVOID ctx)
{
    NK_RX_FILTER_SPARE *sp = (NK_RX_FILTER_SPARE *)ctx;
    sp->Spare = nk_rx_filter_write_begin(sp->Pub);
    return sp->Spare != NULL;
}

#define NK_RX_FILTER_BOUND_US 100000u /* a set waits for the spare snapshot 100 ms at most */

/* IRQL: PASSIVE_LEVEL (one writer: NDIS sends one OID request at a time).
 * the filter, address and multicast list as they are now, published as one
 * snapshot for the data path.  A frame holds a snapshot for one check
 * (microseconds); FALSE, logged, when the spare stayed in use for
 * NK_RX_FILTER_BOUND_US: the frames keep the previous filter. */
BOOLEAN NkRxFilterPublish(PNK_ADAPTER a)
{
    NK_RX_FILTER_SPARE sp = {&a->RxFilter, NULL};
    if (!NkPoll(NkRxFilterSpareFree, &sp, NK_RX_FILTER_BOUND_US)) {
        NK_LOG(a, NK_LOG_ERR, "netkvm: receive filter still in use after %u us; not changed\n",
               NK_RX_FILTER_BOUND_US);
        return FALSE;
    }
    struct nk_rx_filter *f = sp.Spare;
    ULONG n = a->McastCount < NK_MCAST_MAX ? a->McastCount : NK_MCAST_MAX;
    RtlZeroMemory(f, sizeof(*f));
    f->filter = a->PacketFilter;
    RtlCopyMemory(f->mac, a->CurrentMac, NK_ETH_ALEN);
    f->count = n;
    RtlCopyMemory(f->mcast, a->Mcast, n * NK_ETH_ALEN);
    nk_rx_filter_publish(&a->RxFilter);
    return TRUE;
}

/* IRQL: DISPATCH_LEVEL, queue lock held. drop a frame the device
 * described wrongly (nk_rxhdr): its buffers back on the free list, counted
 * as a receive error and by reason, the first of each reason logged. */
static PNET_BUFFER_LIST NkRxBad(PNK_RXQ q, PNK_RXBUF b, enum nk_rx_bad why, ULONG64 len)
{
    PNK_ADAPTER a = q->Adapter;
    NkRxRecycle(q, b);
    NK_INC64(&a->Stats.RxErrors);
    if (__atomic_fetch_add(&a->Stats.RxBad[why], 1, __ATOMIC_RELAXED) == 0)
        NK_LOG(a, NK_LOG_ERR,
               "netkvm: receive queue %lu: frame dropped: %s (length %llu; first time)\n", q->Index,
               nk_rx_bad_name(why), (unsigned long long)len);
    return NULL;
}

/* IRQL: DISPATCH_LEVEL, queue lock held. a used length for the log: the
 * device's own number where the core gave VIRTQUEUE_LEN_PAST for it. */
static uint32_t NkRxLenSeen(PNK_RXQ q, uint32_t len)
{
    return len == VIRTQUEUE_LEN_PAST ? virtqueue_len_past_seen(&q->Vq) : len;
}

/* IRQL: DISPATCH_LEVEL, queue lock held. one frame from its first buffer:
 * the NBL to indicate, or NULL (dropped and recycled, counted); flt: the
 * receive filter's snapshot the drain holds.  Every length, num_buffers
 * and header field is the device's, checked before the frame is read. */
static PNET_BUFFER_LIST NkRxFrame(PNK_RXQ q, PNK_RXBUF b, uint32_t len,
                                  const struct nk_rx_filter *flt)
{
    PNK_ADAPTER a = q->Adapter;
    ULONG count = 1;
    ULONG64 total;
    struct nk_vnet_hdr vh;
    q->Posted--;
    b->Next = NULL;
    if (q->Plan.mergeable && len >= NK_HDR_LEN_MRG)
        count = nk_le16(b->Va + 10); /* num_buffers, untrusted */
    /* The used length and num_buffers against the plan and what is still posted */
    int used = nk_rxbuf_check_used(&q->Plan, len, count, q->Posted + 1);
    if (used != NK_RXUSED_OK) {
        /* The frame's later buffers (a first buffer filled past its end
         * still names them) are dropped with it: the next frame starts
         * where the device put it */
        uint32_t drop = nk_rxbuf_drop_count(&q->Plan, len, count, q->Posted + 1), l;
        PNK_RXBUF tail = b, more;
        for (uint32_t i = 1; i < drop && (more = virtqueue_get(&q->Vq, &l)) != NULL; i++) {
            q->Posted--;
            more->Next = NULL;
            tail->Next = more;
            tail = more;
        }
        return NkRxBad(q, b, nk_rx_bad_from_used(used), NkRxLenSeen(q, len));
    }
    b->Mdl->ByteCount = len;
    total = len - a->HdrLen;
    PNK_RXBUF tail = b;
    for (ULONG i = 1; i < count; i++) {
        uint32_t l = 0;
        PNK_RXBUF more = virtqueue_get(&q->Vq, &l);
        if (more == NULL) /* the device promised more buffers than it used */
            return NkRxBad(q, b, NK_RXBAD_MERGE, count);
        q->Posted--;
        more->Next = NULL;
        tail->Next = more;
        int used_more = nk_rxbuf_check_more(&q->Plan, l);
        if (used_more != NK_RXUSED_OK) {
            /* Filled past its size, or empty: the frame's other buffers
             * (as many as are used) go with it, so the next frame starts
             * where the device put it */
            uint32_t bad_len = l;
            for (tail = more; ++i < count && (more = virtqueue_get(&q->Vq, &l)) != NULL;
                 tail = more) {
                q->Posted--;
                more->Next = NULL;
                tail->Next = more;
            }
            return NkRxBad(q, b, nk_rx_bad_from_used(used_more), NkRxLenSeen(q, bad_len));
        }
        more->Mdl->ByteCount = l;
        tail->Mdl->Next = more->Mdl;
        tail = more;
        total += l;
    }
    /* A coalesced (GUEST_TSO) frame may reach the plan's largest frame */
    ULONG64 most = a->MaxFrame + NK_VLAN_HLEN;
    if (q->Plan.max_frame > most)
        most = q->Plan.max_frame;
    if (total < NK_ETH_HLEN || total > most)
        return NkRxBad(q, b, NK_RXBAD_FRAME, total);
    /* The header's checksum offsets and GSO fields against the frame */
    nk_vnet_hdr_get(&vh, b->Va, a->HdrLen);
    enum nk_rx_bad bad = nk_rx_hdr_check(&vh, (uint32_t)total, a->Features);
    if (bad != NK_RXBAD_NONE)
        return NkRxBad(q, b, bad, total);
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
    NkRxOffload(a, nbl, b, len); /* checksum information (rx_offload.c) */
    NET_BUFFER_LIST_INFO(nbl, Ieee8021QNetBufferListInfo) = NULL;
    /* 802.1Q tag into the NBL (vlan.c), then the RSS hash and processor (rss.c) */
    if (!NkVlanRx(a, nbl, b)) {
        NkRxRecycle(q, b);
        NK_INC64(&a->Stats.RxDiscards);
        return NULL;
    }
    if (!NkRxFilterPass(flt, nb, first, b)) {
        NkRxRecycle(q, b);
        return NULL;
    }
    NkRssClassify(a, nbl, b);
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

/* IRQL: DISPATCH_LEVEL. count the frames about to be indicated (before
 * the call: the NBLs may come back inside it).  Frames are counted where
 * they are indicated, never where they arrive: NDIS_STATISTICS_INFO's
 * ifHCInOctets are octets received without errors, and a frame dropped
 * while paused is only a discard.  The class is the one the packet filter
 * found (NkRxFilterPass): the address is not read twice. */
void NkRxCount(PNK_ADAPTER a, PNET_BUFFER_LIST nbl)
{
    for (; nbl != NULL; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) {
        PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
        ULONG cls = ((PNK_RXBUF)nbl->MiniportReserved[0])->Class;
        NK_INC64(&a->Stats.RxFrames[cls]);
        NK_ADD64(&a->Stats.RxBytes[cls], NET_BUFFER_DATA_LENGTH(nb));
        PNK_RXBUF b = (PNK_RXBUF)nbl->MiniportReserved[0];
        if (b->RscSegs != 0) { /* a coalesced unit: network/oid-tcp-rsc-statistics */
            NK_ADD64(&a->Stats.RscPkts, b->RscSegs);
            NK_ADD64(&a->Stats.RscOctets, b->RscBytes);
            NK_INC64(&a->Stats.RscEvents);
        }
    }
}

/* IRQL: DISPATCH_LEVEL. the DPC's work for a receive queue. */
void NkRxDrain(PNK_RXQ q)
{
    PNK_ADAPTER a = q->Adapter;
    PNET_BUFFER_LIST head = NULL, *tail = &head;
    ULONG count = 0;
    uint32_t len;
    BOOLEAN low;
    unsigned fslot;
    if (q->Bufs == NULL)
        return;
    /* One snapshot of the filter for the whole drain, not one per frame: a
     * set waits for it (NkRxFilterPublish) at most as long as one drain,
     * which reposts nothing, so ends within the buffers posted */
    const struct nk_rx_filter *flt = nk_rx_filter_read_begin(&a->RxFilter, &fslot);
    NdisDprAcquireSpinLock(&q->Lock);
    virtqueue_disable_cb(&q->Vq);
    for (;;) {
        PNK_RXBUF b;
        while ((b = virtqueue_get(&q->Vq, &len)) != NULL) {
            PNET_BUFFER_LIST nbl = NkRxFrame(q, b, len, flt);
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
    nk_rx_filter_read_end(&a->RxFilter, fslot);
    if (q->Posted < q->Plan.min_count && q->Free == NULL) {
        /* Nearly everything is up in the stack (below MinRxBufferPercent, or
         * fewer than one largest frame): nothing to post until returns come */
        if (q->Shortages++ % 1024 == 0)
            NK_LOG(a, NK_LOG_ERR, "netkvm: receive queue %lu short of buffers (%lu times)\n",
                   q->Index, q->Shortages);
        NK_INC64(&a->Stats.RxNoBuffer);
    }
    low = q->Posted < q->Count / 4;
    NdisDprReleaseSpinLock(&q->Lock);

    if (count != 0) {
        /* Counted before the state is read: a pause that starts now waits for these */
        NK_ADD32(&a->RxOut, (LONG)count);
        if (a->State != NK_RUNNING) {
            /* Dropped, not received: counted in the discards only */
            NK_ADD64(&a->Stats.RxDiscards, count);
            NkRxTakeBack(q, head);
            NK_ADD32(&a->RxOut, -(LONG)count);
            NkPauseCheck(a);
        } else {
            /* Frames the RSS table sends elsewhere go to that processor's DPC,
             * short of buffers or not: the table names the CPU
             * (indicating-rss-receive-data), the RESOURCES flag only says
             * whose the NBLs are when the call returns */
            count = NkRssSteer(a, &head, count);
            if (count != 0 && low) {
                NkRxCount(a, head);
                NdisMIndicateReceiveNetBufferLists(a->Handle, head, NDIS_DEFAULT_PORT_NUMBER, count,
                                                   NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL |
                                                       NDIS_RECEIVE_FLAGS_RESOURCES);
                /* With RESOURCES the NBLs are ours again when the call returns */
                NkRxTakeBack(q, head);
                NK_ADD32(&a->RxOut, -(LONG)count);
                NkPauseCheck(a);
            } else if (count != 0) {
                NkRxCount(a, head);
                NdisMIndicateReceiveNetBufferLists(a->Handle, head, NDIS_DEFAULT_PORT_NUMBER, count,
                                                   NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL);
            }
        }
    }
    NkRxPost(q);
}

/* IRQL: DISPATCH_LEVEL. take back the run of one queue's NBLs at the head
 * of *nbls (one hold of its lock, RxOut once); the queue. */
static PNK_RXQ NkRxTakeRun(PNK_ADAPTER a, PNET_BUFFER_LIST *nbls)
{
    PNET_BUFFER_LIST run = *nbls, last = run, next;
    PNK_RXQ q = ((PNK_RXBUF)run->MiniportReserved[0])->Queue;
    LONG n = 1;
    while ((next = NET_BUFFER_LIST_NEXT_NBL(last)) != NULL &&
           ((PNK_RXBUF)next->MiniportReserved[0])->Queue == q)
        last = next, n++;
    *nbls = next;
    NET_BUFFER_LIST_NEXT_NBL(last) = NULL;
    NkRxTakeBack(q, run);
    NK_ADD32(&a->RxOut, -n);
    return q;
}

/* IRQL: DISPATCH_LEVEL. the rest of a chain that interleaves queues: each
 * queue but first (the caller's) marked in the adapter's repost bitmap as
 * its run is taken back, then every marked queue reposted once, for any
 * number of queues.  Returns on other processors share the bitmap: a bit
 * is set after its queue's buffers are back and cleared before the queue
 * is reposted, so whoever clears it posts them; a call that set no bit
 * (each was set already) leaves the posts to the calls that did.  Not
 * inlined: the common chain of one queue stays lean */
static __attribute__((noinline)) void NkRxReturnMixed(PNK_ADAPTER a, PNK_RXQ first,
                                                      PNET_BUFFER_LIST nbls)
{
    BOOLEAN marked = FALSE;
    while (nbls != NULL) {
        PNK_RXQ q = NkRxTakeRun(a, &nbls);
        if (q == first)
            continue;
        volatile LONG *w = &a->RxRepost[q->Index / 32];
        LONG bit = (LONG)(1u << (q->Index % 32));
        /* Read first: a queue recurring in the chain costs no locked write */
        if ((*w & bit) == 0 && (InterlockedOr(w, bit) & bit) == 0)
            marked = TRUE;
    }
    for (ULONG i = 0; marked && i < a->RxRepostWords; i++) {
        if (a->RxRepost[i] == 0)
            continue;
        ULONG bits = (ULONG)InterlockedExchange(&a->RxRepost[i], 0);
        while (bits != 0) {
            ULONG k = (ULONG)__builtin_ctz(bits);
            bits &= bits - 1;
            NkRxPost(&a->Rx[i * 32 + k]);
        }
    }
}

/* IRQL <= DISPATCH_LEVEL. MiniportReturnNetBufferLists: repost the buffers. */
VOID NTAPI NkReturn(NDIS_HANDLE Context, PNET_BUFFER_LIST Nbls, ULONG Flags)
{
    PNK_ADAPTER a = (PNK_ADAPTER)Context;
    KIRQL old = PASSIVE_LEVEL;
    BOOLEAN raised = !(Flags & NDIS_RETURN_FLAGS_DISPATCH_LEVEL);
    if (raised)
        KeRaiseIrql(DISPATCH_LEVEL, &old);
    /* Each run of one queue's NBLs taken back under one hold of its lock,
     * and each queue reposted (the device told) once per call, however the
     * chain interleaves queues: a processor's RSS DPC returns frames that
     * arrived on several queues.  Usually the chain is one queue's */
    PNK_RXQ first = Nbls != NULL ? NkRxTakeRun(a, &Nbls) : NULL;
    if (Nbls != NULL)
        NkRxReturnMixed(a, first, Nbls);
    if (first != NULL)
        NkRxPost(first);
    NkPauseCheck(a);
    if (raised)
        KeLowerIrql(old);
}

/* IRQL: PASSIVE_LEVEL, the device reset (power.c). take back every posted
 * buffer (a reset device owns none) and empty the ring for the restart. */
void NkRxReclaim(PNK_RXQ q)
{
    PNK_RXBUF b;
    if (q->Bufs == NULL)
        return;
    NdisAcquireSpinLock(&q->Lock);
    while ((b = virtqueue_detach_unused(&q->Vq)) != NULL) {
        b->Next = NULL;
        NkRxRecycle(q, b);
    }
    q->Posted = 0;
    virtqueue_reinit(&q->Vq);
    NdisReleaseSpinLock(&q->Lock);
}
