/*
 * virtqueue_req.h - the descriptor writer: requests written straight from
 * the caller's scatter/gather list, for miniports (StorPort, NDIS) and any
 * driver on a hot path. The older virtqueue_add() (virtqueue.h) stays for
 * callers that already hold a struct virtqueue_sg array.
 *
 * Usage protocol
 * ==============
 *
 * One request (under the queue's lock, if any):
 *
 *   struct virtqueue_req rq;                   on the stack
 *   rc = virtqueue_req_open(vq, &rq, nseg, ind);
 *       - nseg: the exact number of segments that will be appended.
 *         ind: this request's own indirect table (its VA, bus address and
 *         capacity in descriptors, e.g. in the SRB extension or NBL
 *         context), or NULL to use the queue's pool if it has one. The
 *         core decides: one indirect descriptor (table big enough, and
 *         nseg >= indirect_min or the ring is short) or a direct chain.
 *       - VIRTIO_EINVAL: nseg is 0 or above min(num, seg_max): it can never
 *         fit, not even in an empty ring. VIRTIO_ENOSPC: it fits an empty
 *         ring but not now; retry after completions. VIRTIO_EIO: broken.
 *         On any error nothing was written and nothing is to be closed.
 *   virtqueue_req_seg(&rq, addr, len, 0);      device-readable segments first,
 *   virtqueue_req_sgl(&rq, elems, n, stride, VIRTQUEUE_SEG_WRITE);
 *   virtqueue_req_iter(&rq, next_fn, ctx, n, flags);
 *       - append segments in order, readable ones before writable ones
 *         (spec 2.7.4.2). _sgl reads an OS element array in place: each
 *         element starts with a 64-bit bus address followed by a 32-bit
 *         length at offset 8, elements are stride bytes apart. That is
 *         STOR_SCATTER_GATHER_ELEMENT, NDIS's SCATTER_GATHER_ELEMENT and
 *         struct virtqueue_sg alike:
 *             virtqueue_req_sgl(&rq, sgl->List, sgl->NumberOfElements,
 *                               sizeof(sgl->List[0]), flags);
 *         _iter asks a callback for each segment (an MDL chain, ...).
 *   rc = virtqueue_req_close(&rq, cookie);
 *       - commits the request (cookie not NULL; returned by virtqueue_get()).
 *         VIRTIO_EINVAL if fewer or more segments than nseg were appended
 *         (debug builds: also the caller checks below): the request is
 *         dropped and the ring is as before open. virtqueue_req_abort(&rq) drops an
 *         opened request on purpose.
 *
 * Then, as with virtqueue_add(): virtqueue_kick_prepare() once per batch,
 * virtqueue_notify() when it says so, and virtqueue_get() on completion.
 * A caller-owned indirect table belongs to the device from close until
 * virtqueue_get() (or virtqueue_detach_unused()) returns its cookie.
 *
 * Checks that only catch a caller's bug (zero-length segment, readable
 * after writable, NULL cookie, writable bytes above 4 GiB) are compiled in
 * with VIRTQUEUE_DEBUG (the sanitizer unit tests, check-virtio-san, build
 * with it; check-virtio runs the same tests without it); without it such a
 * request fails safe (the device's completion is refused and the queue
 * reported broken). Always checked, debug or not: the segment count
 * (0, above min(num, seg_max): EINVAL; more or fewer appended than nseg:
 * refused, so a caller's bug never writes outside the ring or the table,
 * nor exposes a half-formed chain), a broken queue (EIO), and everything
 * the device writes, as for virtqueue_add() (used id in range and in
 * flight, length within the request's writable bytes, used index movement
 * bounded by what was published).
 *
 * The writer is inline (it is the hot path: the request state stays in
 * registers). Open takes the descriptor counts (and, for a table, writes
 * the ring descriptor pointing at it), so close needs only the cursor;
 * an abort gives them back out of line (virtqueue_req_undo).
 */
#ifndef VIRTQUEUE_REQ_H
#define VIRTQUEUE_REQ_H

#include "virtqueue.h"
#include "virtqueue_ring.h"

/* The writer must be inlined whole, or the request leaves registers */
#define VIRTQUEUE_REQ_INLINE static inline __attribute__((always_inline))

/** Segment flag: the device writes this segment (else it reads it) */
#define VIRTQUEUE_SEG_WRITE VIRTQ_DESC_F_WRITE

/** A request's own indirect table (caller-owned DMA memory) */
struct virtqueue_indirect {
    void *va;          /**< 16-byte aligned, capacity * 16 bytes */
    uint64_t pa;       /**< Its bus address */
    uint16_t capacity; /**< Descriptors it holds */
};

/** One request being written; private to the core between open and close */
struct virtqueue_req {
    struct virtqueue *vq;
    uint8_t *tbl;        /**< Table being filled: the ring's or an indirect one */
    uint64_t in_len;     /**< Device-writable bytes so far */
    uint16_t head;       /**< Split: head descriptor; packed: buffer id */
    uint16_t cur;        /**< Next descriptor: ring id, table index or ring position */
    uint16_t left;       /**< Segments still to append */
    uint16_t nseg;       /**< Segments announced at open */
    uint8_t mode;        /**< Split/packed, direct/indirect */
    uint16_t avail_bits; /**< Packed direct: AVAIL/USED bits of the lap at cur */
    uint8_t bad;         /**< A caller error was seen while appending */
    uint8_t writes;      /**< A device-writable segment was appended */
};

/** Iterator callback: the next segment; non-zero stops with an error */
typedef int (*virtqueue_sg_next_fn)(void *ctx, uint64_t *addr, uint32_t *len);

enum {
    VIRTQUEUE_REQ_SPLIT_DIRECT = 0,
    VIRTQUEUE_REQ_SPLIT_INDIRECT = 1,
    VIRTQUEUE_REQ_PACKED_DIRECT = 2,
    VIRTQUEUE_REQ_PACKED_INDIRECT = 3,
};

/**
 * Out of line: undo what a dropped request did (the descriptor counts open
 * took; split direct: the tail's shadow link; packed direct: the flags of
 * its non-head descriptors). Values, not the request, so that the request
 * never escapes and stays in registers.
 */
void virtqueue_req_undo(struct virtqueue *vq, unsigned mode, uint16_t head, unsigned left,
                        uint16_t cur);

/** Drop an opened request; the ring is as before open. IRQL: any. */
VIRTQUEUE_REQ_INLINE void virtqueue_req_abort(struct virtqueue_req *rq)
{
    virtqueue_req_undo(rq->vq, rq->mode, rq->head, rq->left, rq->cur);
}

/** Direct chain from the ring's free descriptors (open's common case). IRQL: any. */
VIRTQUEUE_REQ_INLINE int virtqueue_req_open_direct(struct virtqueue *vq, struct virtqueue_req *rq,
                                                   unsigned nseg)
{
    if (nseg > vq->num_free)
        return VIRTIO_ENOSPC;
    /* The counts are taken here (an abort gives them back): close needs only the cursor */
    vq->state[rq->head].ndesc = (uint16_t)nseg;
    vq->num_free = (uint16_t)(vq->num_free - nseg);
    if (vq->format == VIRTQUEUE_SPLIT) {
        rq->mode = VIRTQUEUE_REQ_SPLIT_DIRECT;
        rq->tbl = (uint8_t *)vq->u.split.desc;
        rq->cur = rq->head;
    } else {
        rq->mode = VIRTQUEUE_REQ_PACKED_DIRECT;
        rq->tbl = (uint8_t *)vq->u.packed.desc;
        rq->cur = vq->u.packed.next_avail;
        rq->avail_bits = virtqueue_packed_avail_bits(vq->u.packed.avail_wrap);
        vq->added += nseg;
    }
    return 0;
}

/**
 * Take one ring descriptor for an indirect table and fill in all of it but
 * what exposes it (split: the avail entry; packed: its flags), so that
 * close needs only the cursor.
 * IRQL: any.
 */
VIRTQUEUE_REQ_INLINE void virtqueue_req_set_indirect(struct virtqueue *vq, struct virtqueue_req *rq,
                                                     unsigned nseg, uint64_t tbl_pa)
{
    vq->state[rq->head].ndesc = 1;
    vq->num_free--;
    rq->cur = 0;
    if (vq->format == VIRTQUEUE_SPLIT) {
        struct virtq_desc *d = &vq->u.split.desc[rq->head];

        rq->mode = VIRTQUEUE_REQ_SPLIT_INDIRECT;
        virtio_write_le64(&d->addr, tbl_pa);
        virtio_write_le32(&d->len, (uint32_t)nseg * 16);
        virtio_write_le16(&d->flags, VIRTQ_DESC_F_INDIRECT);
        virtio_write_le16(&d->next, 0);
    } else {
        struct pvirtq_desc *d = &vq->u.packed.desc[vq->u.packed.next_avail];

        rq->mode = VIRTQUEUE_REQ_PACKED_INDIRECT;
        virtio_write_le64(&d->addr, tbl_pa);
        virtio_write_le32(&d->len, (uint32_t)nseg * 16);
        virtio_write_le16(&d->id, rq->head);
        vq->added++;
    }
}

/**
 * Open a request of exactly nseg segments.
 *
 * @v vq    Queue
 * @v rq    Request state, filled in
 * @v nseg  Segments that will be appended
 * @v ind   This request's indirect table, or NULL (queue pool, or direct)
 * @ret rc  0, VIRTIO_EINVAL (never fits), VIRTIO_ENOSPC (not now), VIRTIO_EIO
 * IRQL: any.
 */
VIRTQUEUE_REQ_INLINE int virtqueue_req_open(struct virtqueue *vq, struct virtqueue_req *rq,
                                            unsigned nseg, const struct virtqueue_indirect *ind)
{
    /* A request that can never fit is EINVAL before ENOSPC is considered;
     * 0 wraps to UINT_MAX, so one compare covers 0 and above the limit, and
     * a broken queue (open_limit 0) */
    if (nseg - 1u >= vq->open_limit)
        return vq->broken ? VIRTIO_EIO : VIRTIO_EINVAL;
    rq->vq = vq;
    rq->in_len = 0;
    rq->head = vq->free_head;
    rq->left = (uint16_t)nseg;
    rq->nseg = (uint16_t)nseg;
    rq->bad = 0;
    rq->writes = 0;
    /* Every field set: the request lives in registers once inlined */
    rq->avail_bits = 0;
    /* A table from indirect_from segments, or (if tables may be used) when the ring is short */
    if (nseg >= vq->indirect_from || (nseg > vq->num_free && vq->indirect_ok && nseg > 1)) {
        /* An indirect table: the request's own if big enough, else the pool's */
        uint64_t tbl_pa;

        if (ind != NULL && ind->va != NULL && nseg <= ind->capacity) {
            rq->tbl = (uint8_t *)ind->va;
            tbl_pa = ind->pa;
        } else if (nseg <= vq->indirect_max && vq->indirect_va != NULL) {
            rq->tbl = vq->indirect_va + (size_t)rq->head * vq->indirect_max * 16;
            tbl_pa = vq->indirect_pa + (uint64_t)rq->head * vq->indirect_max * 16;
        } else {
            return virtqueue_req_open_direct(vq, rq, nseg);
        }
        if (vq->num_free == 0)
            return VIRTIO_ENOSPC;
        virtqueue_req_set_indirect(vq, rq, nseg, tbl_pa);
        return 0;
    }
    return virtqueue_req_open_direct(vq, rq, nseg);
}

/**
 * Write count segments from elements stride bytes apart (64-bit address
 * at offset 0, 32-bit length at offset 8) at the cursor. The cursor lives
 * in locals across the loop: ring stores may alias the request state.
 * IRQL: any.
 */
VIRTQUEUE_REQ_INLINE void virtqueue_req_write(struct virtqueue_req *rq, const uint8_t *e,
                                              size_t stride, unsigned count, uint16_t wflag)
{
    struct virtqueue *vq = rq->vq;
    uint16_t cur = rq->cur;
    uint16_t left = rq->left;
    uint64_t in_len = rq->in_len;

    /* More segments than announced would run off the table: refuse, never write */
    if (count > left) {
        rq->bad = 1;
        return;
    }
    rq->left = (uint16_t)(left - count);
#ifdef VIRTQUEUE_DEBUG
    /* Caller's bugs the device cannot cause: checked in debug builds and tests */
    if (rq->writes && !wflag)
        rq->bad = 1;
    for (unsigned i = 0; i < count; i++) {
        uint32_t l;

        __builtin_memcpy(&l, e + i * stride + 8, sizeof(l));
        if (l == 0)
            rq->bad = 1;
    }
    rq->writes |= (uint8_t)(wflag != 0 && count != 0);
#endif

    /* if-chain, not switch: the direct modes are the common ones */
    if (rq->mode == VIRTQUEUE_REQ_SPLIT_DIRECT) {
        struct virtq_desc *tbl = (struct virtq_desc *)rq->tbl;
        struct virtqueue_state *st = vq->state;
        uint16_t head = rq->head;

        for (; count != 0; count--, e += stride) {
            struct virtq_desc *d = &tbl[cur];
            uint16_t next = st[cur].next;
            uint64_t addr;
            uint32_t len;

            /* Read in place; memcpy because the OS's element type is not ours */
            __builtin_memcpy(&addr, e, sizeof(addr));
            __builtin_memcpy(&len, e + 8, sizeof(len));
            in_len += wflag ? len : 0;
            left--;
            virtio_write_le64(&d->addr, addr);
            virtio_write_le32(&d->len, len);
            virtio_write_le16(&d->flags, (uint16_t)(wflag | (left ? VIRTQ_DESC_F_NEXT : 0)));
            virtio_write_le16(&d->next, left ? next : 0);
            /* The tail's shadow link goes back to the head: the chain is a
             * ring while in flight (abort puts the free-list link back) */
            if (left == 0)
                st[cur].next = head;
            cur = next;
        }
    } else if (rq->mode == VIRTQUEUE_REQ_PACKED_DIRECT) {
        struct pvirtq_desc *tbl = (struct pvirtq_desc *)rq->tbl;
        bool first = left == rq->nseg;
        uint16_t head = rq->head, num = vq->num, bits = rq->avail_bits;

        /* NEXT on all but the request's last: more after this call, or not the call's last */
        uint16_t next_last = left != count ? VIRTQ_DESC_F_NEXT : 0;

        for (; count != 0; count--, e += stride) {
            struct pvirtq_desc *d = &tbl[cur];
            uint64_t addr;
            uint32_t len;
            uint16_t flags;

            __builtin_memcpy(&addr, e, sizeof(addr));
            __builtin_memcpy(&len, e + 8, sizeof(len));
            in_len += wflag ? len : 0;
            flags = (uint16_t)(wflag | (count != 1 ? VIRTQ_DESC_F_NEXT : next_last) | bits);
            virtio_write_le64(&d->addr, addr);
            virtio_write_le32(&d->len, len);
            virtio_write_le16(&d->id, head);
            /* The head's flags hand the chain over: they wait for close */
            if (first) {
                vq->u.packed.head_flags = flags;
                first = false;
            } else {
                virtio_write_le16(&d->flags, flags);
            }
            if (++cur == num) {
                cur = 0;
                bits ^= PACKED_AVAIL | PACKED_USED; /* the next lap */
            }
        }
        rq->avail_bits = bits;
    } else if (rq->mode == VIRTQUEUE_REQ_SPLIT_INDIRECT) {
        struct virtq_desc *tbl = (struct virtq_desc *)rq->tbl;

        for (; count != 0; count--, e += stride) {
            struct virtq_desc *d = &tbl[cur];
            uint64_t addr;
            uint32_t len;

            __builtin_memcpy(&addr, e, sizeof(addr));
            __builtin_memcpy(&len, e + 8, sizeof(len));
            in_len += wflag ? len : 0;
            left--;
            cur++;
            virtio_write_le64(&d->addr, addr);
            virtio_write_le32(&d->len, len);
            virtio_write_le16(&d->flags, (uint16_t)(wflag | (left ? VIRTQ_DESC_F_NEXT : 0)));
            virtio_write_le16(&d->next, left ? cur : 0);
        }
    } else { /* packed indirect: sequential, no NEXT (spec 2.8.19) */
        struct pvirtq_desc *tbl = (struct pvirtq_desc *)rq->tbl;

        for (; count != 0; count--, e += stride) {
            struct pvirtq_desc *d = &tbl[cur++];
            uint64_t addr;
            uint32_t len;

            __builtin_memcpy(&addr, e, sizeof(addr));
            __builtin_memcpy(&len, e + 8, sizeof(len));
            in_len += wflag ? len : 0;
            virtio_write_le64(&d->addr, addr);
            virtio_write_le32(&d->len, len);
            virtio_write_le16(&d->id, 0);
            virtio_write_le16(&d->flags, wflag);
        }
    }
    rq->cur = cur;
    rq->in_len = in_len;
}

/** Append one segment; flags is 0 or VIRTQUEUE_SEG_WRITE. IRQL: any. */
VIRTQUEUE_REQ_INLINE void virtqueue_req_seg(struct virtqueue_req *rq, uint64_t addr, uint32_t len,
                                            unsigned flags)
{
    struct virtqueue_sg sg = {addr, len};

    virtqueue_req_write(rq, (const uint8_t *)&sg, sizeof(sg), 1,
                        (uint16_t)(flags & VIRTQUEUE_SEG_WRITE));
}

/**
 * Append count segments read in place from an element array (64-bit bus
 * address at offset 0, 32-bit length at offset 8, stride bytes apart).
 * IRQL: any.
 */
VIRTQUEUE_REQ_INLINE void virtqueue_req_sgl(struct virtqueue_req *rq, const void *elems,
                                            unsigned count, size_t stride, unsigned flags)
{
    virtqueue_req_write(rq, (const uint8_t *)elems, stride, count,
                        (uint16_t)(flags & VIRTQUEUE_SEG_WRITE));
}

/** Append count segments, each from next(ctx, &addr, &len). IRQL: any. */
VIRTQUEUE_REQ_INLINE void virtqueue_req_iter(struct virtqueue_req *rq, virtqueue_sg_next_fn next,
                                             void *ctx, unsigned count, unsigned flags)
{
    for (; count != 0; count--) {
        struct virtqueue_sg sg;

        if (next(ctx, &sg.addr, &sg.len) != 0) {
            rq->bad = 1;
            return;
        }
        virtqueue_req_seg(rq, sg.addr, sg.len, flags);
    }
}

/**
 * Commit the request: driver-private state first, then expose it (split:
 * the avail entry, avail->idx follows at kick_prepare; packed: the head's
 * flags after a write barrier).
 *
 * @ret rc  0, or VIRTIO_EINVAL (request dropped, ring unchanged)
 * IRQL: any.
 */
VIRTQUEUE_REQ_INLINE int virtqueue_req_close(struct virtqueue_req *rq, void *cookie)
{
    struct virtqueue *vq = rq->vq;
    uint16_t head = rq->head;
    struct virtqueue_state *st = &vq->state[head];
    uint16_t cur = rq->cur;
    unsigned mode = rq->mode;

    /* A wrong segment count would leave a chain half-formed: always refused */
    if ((rq->left | rq->bad) != 0) {
        virtqueue_req_abort(rq);
        return VIRTIO_EINVAL;
    }
#ifdef VIRTQUEUE_DEBUG
    /* Caller's bugs that fail safe (the device's completion is then refused) */
    if (rq->in_len > UINT32_MAX || cookie == NULL) {
        virtqueue_req_abort(rq);
        return VIRTIO_EINVAL;
    }
#endif
    st->cookie = cookie;
    st->in_len = (uint32_t)rq->in_len;

    /* if-chain, not switch: the direct modes are the common ones */
    if (mode == VIRTQUEUE_REQ_SPLIT_DIRECT) {
        vq->free_head = cur;
    } else if (mode == VIRTQUEUE_REQ_PACKED_DIRECT) {
        uint16_t pos = vq->u.packed.next_avail, head_flags = vq->u.packed.head_flags;

        vq->free_head = st->next;
        vq->u.packed.next_avail = cur;
        vq->u.packed.avail_wrap = (rq->avail_bits & PACKED_AVAIL) != 0;
        virtio_wmb(vq->platform);
        virtio_write_le16(&vq->u.packed.desc[pos].flags, head_flags);
        return 0;
    } else if (mode == VIRTQUEUE_REQ_SPLIT_INDIRECT) {
        /* The head descriptor was written at open */
        vq->free_head = st->next;
        st->next = head;
    } else { /* packed indirect: addr, len and id were written at open */
        uint16_t pos = vq->u.packed.next_avail;
        struct pvirtq_desc *d = &vq->u.packed.desc[pos];
        bool wrap = vq->u.packed.avail_wrap;

        vq->free_head = st->next;
        if (++pos == vq->num) {
            pos = 0;
            vq->u.packed.avail_wrap = !wrap;
        }
        vq->u.packed.next_avail = pos;
        virtio_wmb(vq->platform);
        virtio_write_le16(&d->flags,
                          (uint16_t)(VIRTQ_DESC_F_INDIRECT | virtqueue_packed_avail_bits(wrap)));
        return 0;
    }
    /* Split: the head goes into the next available slot */
    virtio_write_le16(&vq->u.split.avail->ring[vq->u.split.avail_idx & vq->u.split.mask], head);
    vq->u.split.avail_idx++;
    return 0;
}

#endif /* VIRTQUEUE_REQ_H */
