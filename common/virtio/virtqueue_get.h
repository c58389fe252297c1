/*
 * virtqueue_get.h - the completion path of both ring formats, inline so
 * that virtqueue_get() costs one branch on the format, not a table call.
 * Private to the core.
 */
#ifndef VIRTQUEUE_GET_H
#define VIRTQUEUE_GET_H

#include "virtqueue_priv.h"

/** Pointer to used_event (after avail->ring[num]). IRQL: any. */
static inline uint16_t *split_used_event(struct virtqueue *vq)
{
    return &vq->u.split.avail->ring[vq->num];
}

/** Number of entries the device has added to the used ring, unchecked. IRQL: any. */
static inline uint16_t split_pending(struct virtqueue *vq)
{
    return (uint16_t)(virtio_read_le16(&vq->u.split.used->idx) - vq->u.split.last_used);
}

/**
 * Return a chain to the free list and forget its cookie. While in flight
 * the shadow links of a chain form a ring (its tail links back to the
 * head), so it is spliced in without a walk: the free list becomes
 * head.next .. tail, head, old free list.
 * IRQL: any.
 */
static inline void split_release(struct virtqueue *vq, uint16_t head)
{
    struct virtqueue_state *st = vq->state;
    uint16_t second = st[head].next;

    st[head].next = vq->free_head;
    vq->free_head = second;
    vq->num_free = (uint16_t)(vq->num_free + st[head].ndesc);
    st[head].cookie = NULL;
}

/**
 * Check a completion the device wrote (id and written length, both
 * untrusted): the id must name a request in flight, and the length must
 * not exceed the device-writable bytes that request posted (on a queue
 * that passes such lengths on, the request completes with length
 * VIRTQUEUE_LEN_PAST instead). Sets st to its state; on a violation the
 * enclosing get returns through
 * virtqueue_refuse_used() (a tail call: the get paths need no frame).
 */
#define VIRTQUEUE_CHECK_USED(vq, id, written, st)                                                  \
    do {                                                                                           \
        if ((id) >= (vq)->num)                                                                     \
            return virtqueue_refuse_used(vq, VIRTIO_VIOL_USED_ID_RANGE);                           \
        (st) = &(vq)->state[id];                                                                   \
        /* Not a head, never added, or already completed */                                        \
        if ((st)->cookie == NULL)                                                                  \
            return virtqueue_refuse_used(vq, VIRTIO_VIOL_USED_ID_IDLE);                            \
        /* Past what was posted: the caller's to drop (virtqueue_pass_len_past), else broken */    \
        if ((written) > (st)->in_len) {                                                            \
            if (!(vq)->len_past_ok)                                                                \
                return virtqueue_refuse_used(vq, VIRTIO_VIOL_USED_LEN);                            \
            (vq)->len_past_seen = (written);                                                       \
            (written) = VIRTQUEUE_LEN_PAST;                                                        \
        }                                                                                          \
    } while (0)

/**
 * Get one completed request (spec 2.7.14), checking everything the device
 * wrote: the used index movement, the id, the length. A broken queue is
 * seen where used->idx is read: virtqueue_set_broken() makes the entries
 * already checked count as consumed.
 * IRQL: any.
 */
static inline void *split_get(struct virtqueue *vq, uint32_t *len)
{
    uint16_t last = vq->u.split.last_used;
    struct virtq_used_elem *e;
    struct virtqueue_state *st;
    uint32_t id, written;
    void *cookie;

    /* used->idx is read (and checked) only when the entries seen so far are consumed */
    if (last == vq->u.split.used_seen) {
        uint16_t idx, pending;

        if (vq->broken)
            return NULL;
        idx = virtio_read_le16(&vq->u.split.used->idx);
        pending = (uint16_t)(idx - last);
        if (pending == 0)
            return NULL;
        /* The device cannot have used more heads than were published */
        if (pending > (uint16_t)(vq->u.split.avail_published - last))
            return virtqueue_refuse_used(vq, VIRTIO_VIOL_USED_IDX);
        /* Read the entries only after seeing the index that exposes them */
        virtio_rmb(vq->platform);
        vq->u.split.used_seen = idx;
    }
    e = &vq->u.split.used->ring[last & vq->u.split.mask];
    id = virtio_read_le32(&e->id);
    written = virtio_read_le32(&e->len);

    VIRTQUEUE_CHECK_USED(vq, id, written, st);

    cookie = st->cookie;
    split_release(vq, (uint16_t)id);
    vq->u.split.last_used = (uint16_t)(last + 1);

    /* With callbacks on, ask for an interrupt at the next completion */
    if (vq->rearm) {
        virtio_write_le16(split_used_event(vq), vq->u.split.last_used);
        vq->u.split.used_event = vq->u.split.last_used;
    }
    if (len != NULL)
        *len = written;
    return cookie;
}

/** Free a buffer id and its descriptors. IRQL: any. */
static inline void packed_release(struct virtqueue *vq, uint16_t id)
{
    struct virtqueue_state *st = &vq->state[id];

    vq->num_free = (uint16_t)(vq->num_free + st->ndesc);
    st->cookie = NULL;
    st->next = vq->free_head;
    vq->free_head = id;
}

/**
 * Is the descriptor at pos used in the lap of wrap counter wrap?
 *
 * Used means AVAIL == USED == wrap (spec 2.8.1). AVAIL != USED is a
 * descriptor the driver made available (in this lap or, for the non-head
 * parts of an old chain, in the previous one): not used. AVAIL == USED ==
 * !wrap is the previous lap's used state: not used yet.
 * IRQL: any.
 */
static inline bool packed_is_used(struct virtqueue *vq, uint16_t pos, bool wrap)
{
    uint16_t flags = virtio_read_le16(&vq->u.packed.desc[pos].flags);

    /* Both bits equal to wrap: 11 in a lap with wrap 1, 00 with wrap 0 */
    return (flags & (PACKED_AVAIL | PACKED_USED)) ==
           (wrap ? (uint16_t)(PACKED_AVAIL | PACKED_USED) : 0);
}

/**
 * Get one completed request (spec 2.8.5, 2.8.23). The used descriptor at
 * next_used names a buffer id; it must be outstanding, its length within
 * what was posted, and its flags consistent with the used wrap counter.
 * IRQL: any.
 */
static inline void *packed_get(struct virtqueue *vq, uint32_t *len)
{
    uint16_t pos = vq->u.packed.next_used;
    struct pvirtq_desc *d = &vq->u.packed.desc[pos];
    struct virtqueue_state *st;
    uint32_t written;
    uint16_t id;
    void *cookie;
    uint16_t flags;

    /* Used in the used lap (never matches once broken, see virtqueue_set_broken).
     * used_bits carries VIRTQ_DESC_F_WRITE: data written, the common case,
     * costs one compare. Without WRITE the length is reserved and ignored
     * by drivers (spec 2.8.4): nothing was written. Id and length are read
     * only after the flags that expose them. */
    flags = virtio_read_le16(&d->flags) & (PACKED_AVAIL | PACKED_USED | VIRTQ_DESC_F_WRITE);
    if (flags == vq->u.packed.used_bits) {
        virtio_rmb(vq->platform);
        id = virtio_read_le16(&d->id);
        written = virtio_read_le32(&d->len);
    } else if ((flags | VIRTQ_DESC_F_WRITE) == vq->u.packed.used_bits) {
        virtio_rmb(vq->platform);
        id = virtio_read_le16(&d->id);
        written = 0;
    } else {
        return NULL;
    }

    VIRTQUEUE_CHECK_USED(vq, id, written, st);

    /* Skip the descriptors of the whole chain (spec 2.8.7) */
    pos = (uint16_t)(pos + st->ndesc);
    if (pos >= vq->num) {
        pos = (uint16_t)(pos - vq->num);
        vq->u.packed.used_wrap = !vq->u.packed.used_wrap;
        vq->u.packed.used_bits ^= PACKED_AVAIL | PACKED_USED;
    }
    vq->u.packed.next_used = pos;
    cookie = st->cookie;
    packed_release(vq, id);

    /* With callbacks on and EVENT_IDX, ask for an interrupt at the next one */
    if (vq->rearm)
        virtio_write_le16(
            &vq->u.packed.driver->off_wrap,
            (uint16_t)(pos | ((uint16_t)vq->u.packed.used_wrap << RING_EVENT_WRAP_SHIFT)));
    if (len != NULL)
        *len = written;
    return cookie;
}

#endif /* VIRTQUEUE_GET_H */
