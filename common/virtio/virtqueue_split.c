/*
 * virtqueue_split.c - the split virtqueue format (spec 2.7).
 *
 * Driver-private state (free list, chain links, cookies, posted lengths)
 * lives in vq->state and is never read back from the shared ring, so a
 * device that scribbles on the descriptor table cannot steer the driver.
 */
#include "virtqueue_priv.h"
#include "virtqueue_get.h"

/** Pointer to avail_event (after used->ring[num]). IRQL: any. */
static inline uint16_t *split_avail_event(struct virtqueue *vq)
{
    return (uint16_t *)&vq->u.split.used->ring[vq->num];
}

/**
 * Reset driver state: all descriptors on the free list, indices at 0.
 * IRQL: any.
 */
static void split_reset(struct virtqueue *vq)
{
    uint16_t i;

    for (i = 0; i < vq->num; i++)
        vq->state[i].next = (uint16_t)(i + 1);
    vq->free_head = 0;
    vq->u.split.avail_idx = 0;
    vq->u.split.avail_published = 0;
    vq->u.split.last_used = 0;
    vq->u.split.used_seen = 0;
    vq->u.split.used_event = 0;
    vq->u.split.mask = (uint16_t)(vq->num - 1);
}

/** Write one descriptor. IRQL: any. */
static inline void split_write_desc(struct virtq_desc *d, uint64_t addr, uint32_t len,
                                    uint16_t flags, uint16_t next)
{
    virtio_write_le64(&d->addr, addr);
    virtio_write_le32(&d->len, len);
    virtio_write_le16(&d->flags, flags);
    virtio_write_le16(&d->next, next);
}

/**
 * Add a request (spec 2.7.13): build the chain (or one indirect
 * descriptor), then put its head in the available ring. avail->idx is not
 * written here; kick_prepare publishes the whole batch with one store.
 * IRQL: any.
 */
static int split_add(struct virtqueue *vq, const struct virtqueue_sg *sg, unsigned out, unsigned in,
                     void *cookie)
{
    struct virtq_desc *desc = vq->u.split.desc;
    unsigned total = out + in;
    unsigned i;
    uint16_t head, id;
    int64_t in_len;
    int rc;

    /* Check arguments */
    if ((rc = virtqueue_check_add(vq, sg, out, in, cookie)) != 0)
        return rc;
    if ((in_len = virtqueue_in_len(sg, out, in)) < 0)
        return VIRTIO_EINVAL;

    head = vq->free_head;
    id = head;
    if (virtqueue_use_indirect(vq, total)) {
        /* One descriptor pointing at this head's own indirect table */
        struct virtq_desc *tbl;
        uint64_t tbl_pa;

        if (vq->num_free < 1)
            return VIRTIO_ENOSPC;
        tbl = (struct virtq_desc *)(vq->indirect_va + (size_t)head * vq->indirect_max * 16);
        tbl_pa = vq->indirect_pa + (uint64_t)head * vq->indirect_max * 16;
        for (i = 0; i < total; i++)
            split_write_desc(&tbl[i], sg[i].addr, sg[i].len,
                             (uint16_t)((i < out ? 0 : VIRTQ_DESC_F_WRITE) |
                                        (i + 1 < total ? VIRTQ_DESC_F_NEXT : 0)),
                             (uint16_t)(i + 1 < total ? i + 1 : 0));
        split_write_desc(&desc[head], tbl_pa, (uint32_t)(total * 16), VIRTQ_DESC_F_INDIRECT, 0);
        vq->free_head = vq->state[head].next;
        vq->state[head].ndesc = 1;
        vq->state[head].next = head; /* a ring of one (see split_release) */
        vq->num_free--;
    } else {
        /* A chain of direct descriptors taken from the free list */
        if (total > vq->num_free)
            return VIRTIO_ENOSPC;
        uint16_t last = head;

        for (i = 0; i < total; i++) {
            uint16_t next = vq->state[id].next;

            split_write_desc(&desc[id], sg[i].addr, sg[i].len,
                             (uint16_t)((i < out ? 0 : VIRTQ_DESC_F_WRITE) |
                                        (i + 1 < total ? VIRTQ_DESC_F_NEXT : 0)),
                             (uint16_t)(i + 1 < total ? next : 0));
            last = id;
            id = next;
        }
        vq->free_head = id;
        vq->state[last].next = head; /* the shadow chain is a ring (see split_release) */
        vq->state[head].ndesc = (uint16_t)total;
        vq->num_free = (uint16_t)(vq->num_free - total);
    }
    vq->state[head].cookie = cookie;
    vq->state[head].in_len = (uint32_t)in_len;

    /* Put the head in the next available ring slot */
    virtio_write_le16(&vq->u.split.avail->ring[vq->u.split.avail_idx & (vq->num - 1)], head);
    vq->u.split.avail_idx++;
    return 0;
}

/**
 * Publish the batch and decide whether to notify (spec 2.7.13.3-4).
 * IRQL: any.
 */
static bool split_kick_prepare(struct virtqueue *vq)
{
    uint16_t old_idx = vq->u.split.avail_published;
    uint16_t new_idx = vq->u.split.avail_idx;

    /* Heads added since the last decision; at most num (unpublished heads
     * hold their descriptors), so the 16-bit difference is exact */
    if (new_idx == old_idx)
        return false;

    /* Descriptors and ring entries before the index that exposes them */
    virtio_wmb(vq->platform);
    virtio_write_le16(&vq->u.split.avail->idx, new_idx);
    vq->u.split.avail_published = new_idx;

    /* The index store before reading the device's suppression state */
    virtio_mb(vq->platform);

    if (vq->event_idx)
        return virtqueue_need_event(virtio_read_le16(split_avail_event(vq)), new_idx, old_idx);
    return !(virtio_read_le16(&vq->u.split.used->flags) & VIRTQ_USED_F_NO_NOTIFY);
}

/* The split ring's get for the format table (the inline split_get). IRQL: any. */
static void *split_get_fn(struct virtqueue *vq, uint32_t *len)
{
    return split_get(vq, len);
}

/* Whether the device has added used entries not yet taken. IRQL: any. */
static bool split_has_used(struct virtqueue *vq)
{
    return split_pending(vq) != 0;
}

/**
 * Suppress used buffer notifications (spec 2.7.7). Without EVENT_IDX this
 * sets NO_INTERRUPT; with it, used_event is moved just behind last_used,
 * an index the device has already passed.
 * IRQL: any.
 */
static void split_disable_cb(struct virtqueue *vq)
{
    if (vq->event_idx) {
        vq->u.split.used_event = (uint16_t)(vq->u.split.last_used - 1);
        virtio_write_le16(split_used_event(vq), vq->u.split.used_event);
    } else {
        virtio_write_le16(&vq->u.split.avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
    }
}

/**
 * Re-enable used buffer notifications and re-check for completions that
 * raced with it (the device may have added one before seeing the change).
 * IRQL: any.
 */
static bool split_enable_cb(struct virtqueue *vq, bool delayed)
{
    uint16_t last = vq->u.split.last_used;
    uint16_t wait = 0;

    if (vq->event_idx) {
        if (delayed) {
            /* Interrupt after ~3/4 of what is in flight completes */
            uint16_t inflight = (uint16_t)(vq->u.split.avail_published - last);
            wait = (uint16_t)(((uint32_t)inflight * 3) >> 2);
        }
        vq->u.split.used_event = (uint16_t)(last + wait);
        virtio_write_le16(split_used_event(vq), vq->u.split.used_event);
    } else {
        virtio_write_le16(&vq->u.split.avail->flags, 0);
    }
    /* The store before reading used->idx */
    virtio_mb(vq->platform);
    return split_pending(vq) <= wait;
}

/* Re-enable used buffer notifications with used_event at Event (EVENT_IDX)
 * and re-check for completions that raced with it. IRQL: any. */
bool virtqueue_split_enable_cb_at(struct virtqueue *vq, uint16_t event)
{
    vq->u.split.used_event = event;
    virtio_write_le16(split_used_event(vq), event);
    /* The store before reading used->idx */
    virtio_mb(vq->platform);
    return split_pending(vq) == 0;
}

/** Split notification data: the full 16-bit available index. IRQL: any. */
static uint32_t split_notify_data(const struct virtqueue *vq)
{
    return ((uint32_t)vq->u.split.avail_published << 16) | vq->index;
}

const struct virtqueue_format_ops virtqueue_split_ops = {
    .reset = split_reset,
    .add = split_add,
    .kick_prepare = split_kick_prepare,
    .get = split_get_fn,
    .has_used = split_has_used,
    .disable_cb = split_disable_cb,
    .enable_cb = split_enable_cb,
    .release = split_release,
    .notify_data = split_notify_data,
};
