/*
 * virtqueue_packed.c - the packed virtqueue format (spec 2.8).
 *
 * Buffer ids index vq->state; their free list and every chain length are
 * driver-private. The device only ever tells us "buffer id X is done, len
 * L" at the next used position, and both are checked.
 */
#include "virtqueue_priv.h"
#include "virtqueue_get.h"

/* Put every buffer id on the free list and the wrap counters at their start. IRQL: any. */
static void packed_reset(struct virtqueue *vq)
{
    uint16_t i;

    /* Buffer ids on the free list */
    for (i = 0; i < vq->num; i++)
        vq->state[i].next = (uint16_t)(i + 1);
    vq->free_head = 0;
    /* Both wrap counters start at 1 (spec 2.8.1) */
    vq->u.packed.next_avail = 0;
    vq->u.packed.next_used = 0;
    vq->u.packed.kick_avail = 0;
    vq->u.packed.avail_wrap = true;
    vq->u.packed.used_wrap = true;
    vq->u.packed.used_bits = PACKED_AVAIL | PACKED_USED | VIRTQ_DESC_F_WRITE;
    vq->u.packed.kick_wrap = true;
    vq->u.packed.event_flags = RING_EVENT_FLAGS_ENABLE;
}

/**
 * Add a request (spec 2.8.21): fill the descriptors, the head's flags last
 * and after a write barrier, since they hand the whole chain to the device.
 * IRQL: any.
 */
static int packed_add(struct virtqueue *vq, const struct virtqueue_sg *sg, unsigned out,
                      unsigned in, void *cookie)
{
    struct pvirtq_desc *desc = vq->u.packed.desc;
    unsigned total = out + in;
    uint16_t pos = vq->u.packed.next_avail;
    bool wrap = vq->u.packed.avail_wrap;
    uint16_t head_pos = pos, head_flags, id, needed;
    unsigned i;
    int64_t in_len;
    int rc;

    /* Check arguments */
    if ((rc = virtqueue_check_add(vq, sg, out, in, cookie)) != 0)
        return rc;
    if ((in_len = virtqueue_in_len(sg, out, in)) < 0)
        return VIRTIO_EINVAL;

    id = vq->free_head;
    if (virtqueue_use_indirect(vq, total)) {
        /* Indirect table: sequential descriptors, no NEXT (spec 2.8.19) */
        struct pvirtq_desc *tbl;

        if (vq->num_free < 1)
            return VIRTIO_ENOSPC;
        tbl = (struct pvirtq_desc *)(vq->indirect_va + (size_t)id * vq->indirect_max * 16);
        for (i = 0; i < total; i++) {
            virtio_write_le64(&tbl[i].addr, sg[i].addr);
            virtio_write_le32(&tbl[i].len, sg[i].len);
            virtio_write_le16(&tbl[i].id, 0);
            virtio_write_le16(&tbl[i].flags, i < out ? 0 : VIRTQ_DESC_F_WRITE);
        }
        virtio_write_le64(&desc[pos].addr, vq->indirect_pa + (uint64_t)id * vq->indirect_max * 16);
        virtio_write_le32(&desc[pos].len, (uint32_t)(total * 16));
        virtio_write_le16(&desc[pos].id, id);
        head_flags = (uint16_t)(VIRTQ_DESC_F_INDIRECT | virtqueue_packed_avail_bits(wrap));
        needed = 1;
        if (++pos == vq->num) {
            pos = 0;
            wrap = !wrap;
        }
    } else {
        if (total > vq->num_free)
            return VIRTIO_ENOSPC;
        head_flags = 0;
        for (i = 0; i < total; i++) {
            uint16_t flags = (uint16_t)((i < out ? 0 : VIRTQ_DESC_F_WRITE) |
                                        (i + 1 < total ? VIRTQ_DESC_F_NEXT : 0) |
                                        virtqueue_packed_avail_bits(wrap));

            virtio_write_le64(&desc[pos].addr, sg[i].addr);
            virtio_write_le32(&desc[pos].len, sg[i].len);
            virtio_write_le16(&desc[pos].id, id);
            if (i == 0)
                head_flags = flags;
            else
                virtio_write_le16(&desc[pos].flags, flags);
            if (++pos == vq->num) {
                pos = 0;
                wrap = !wrap;
            }
        }
        needed = (uint16_t)total;
    }

    /* Driver-private bookkeeping */
    vq->free_head = vq->state[id].next;
    vq->state[id].cookie = cookie;
    vq->state[id].in_len = (uint32_t)in_len;
    vq->state[id].ndesc = needed;
    vq->num_free = (uint16_t)(vq->num_free - needed);
    vq->u.packed.next_avail = pos;
    vq->u.packed.avail_wrap = wrap;
    vq->added += needed;

    /* Expose the chain: the head flags go last */
    virtio_wmb(vq->platform);
    virtio_write_le16(&desc[head_pos].flags, head_flags);
    return 0;
}

/**
 * Decide whether to notify (spec 2.8.10, 2.8.22). The device event
 * suppression structure says: always, never, or (EVENT_IDX) when the
 * descriptor at off_wrap is made available. The descriptors made available
 * since the last decision occupy [old, new) in a linear numbering where the
 * current lap starts at 0 and the previous lap is negative.
 * IRQL: any.
 */
static bool packed_kick_prepare(struct virtqueue *vq)
{
    struct pvirtq_event_suppress *dev = vq->u.packed.device;
    uint32_t added = vq->added;
    int32_t new_pos, old_pos, event;
    uint16_t flags, off_wrap;

    if (added == 0)
        return false;

    /* Descriptor flags before reading the device's suppression state */
    virtio_mb(vq->platform);
    flags = virtio_read_le16(&dev->flags);
    off_wrap = virtio_read_le16(&dev->off_wrap);

    new_pos = vq->u.packed.next_avail;
    old_pos = new_pos - (int32_t)added;
    vq->u.packed.kick_avail = vq->u.packed.next_avail;
    vq->u.packed.kick_wrap = vq->u.packed.avail_wrap;
    vq->added = 0;

    if (flags == RING_EVENT_FLAGS_DISABLE)
        return false;
    if (flags != RING_EVENT_FLAGS_DESC || !vq->event_idx)
        return true;
    /* A whole ring or more since the last decision: the window is lost */
    if (added >= vq->num)
        return true;
    event = off_wrap & 0x7fff;
    if ((bool)(off_wrap >> RING_EVENT_WRAP_SHIFT) != vq->u.packed.avail_wrap)
        event -= vq->num;
    return event >= old_pos && event < new_pos;
}

/* The packed ring's get for the format table (the inline packed_get). IRQL: any. */
static void *packed_get_fn(struct virtqueue *vq, uint32_t *len)
{
    return packed_get(vq, len);
}

/* Whether the next packed descriptor the device would use is used. IRQL: any. */
static bool packed_has_used(struct virtqueue *vq)
{
    return packed_is_used(vq, vq->u.packed.next_used, vq->u.packed.used_wrap);
}

/* Write the driver's event suppression flags when they change. IRQL: any. */
static void packed_set_event_flags(struct virtqueue *vq, uint16_t flags)
{
    if (vq->u.packed.event_flags == flags)
        return;
    vq->u.packed.event_flags = flags;
    virtio_write_le16(&vq->u.packed.driver->flags, flags);
}

/* Ask a packed device not to interrupt for completions. IRQL: any. */
static void packed_disable_cb(struct virtqueue *vq)
{
    packed_set_event_flags(vq, RING_EVENT_FLAGS_DISABLE);
}

/**
 * Re-enable used buffer notifications, then re-check the descriptor the
 * device would write next (or, delayed, the one we asked to be told about).
 * IRQL: any.
 */
static bool packed_enable_cb(struct virtqueue *vq, bool delayed)
{
    uint16_t pos = vq->u.packed.next_used;
    bool wrap = vq->u.packed.used_wrap;
    uint16_t wait = 0;

    if (vq->event_idx) {
        if (delayed) {
            /* Interrupt after ~3/4 of the descriptors in flight are used */
            wait = (uint16_t)(((uint32_t)(vq->num - vq->num_free) * 3) >> 2);
            pos = (uint16_t)(pos + wait);
            if (pos >= vq->num) {
                pos = (uint16_t)(pos - vq->num);
                wrap = !wrap;
            }
        }
        virtio_write_le16(&vq->u.packed.driver->off_wrap,
                          (uint16_t)(pos | ((uint16_t)wrap << RING_EVENT_WRAP_SHIFT)));
        /* off_wrap before flags, so the device never sees DESC with a stale offset */
        virtio_wmb(vq->platform);
        packed_set_event_flags(vq, RING_EVENT_FLAGS_DESC);
    } else {
        packed_set_event_flags(vq, RING_EVENT_FLAGS_ENABLE);
    }
    virtio_mb(vq->platform);
    /* Not used yet means armed */
    return !packed_is_used(vq, pos, wrap);
}

/** Packed notification data: 15-bit next offset and the wrap counter. IRQL: any. */
static uint32_t packed_notify_data(const struct virtqueue *vq)
{
    uint32_t next = (uint32_t)vq->u.packed.kick_avail |
                    ((uint32_t)vq->u.packed.kick_wrap << RING_EVENT_WRAP_SHIFT);

    return (next << 16) | vq->index;
}

const struct virtqueue_format_ops virtqueue_packed_ops = {
    .reset = packed_reset,
    .add = packed_add,
    .kick_prepare = packed_kick_prepare,
    .get = packed_get_fn,
    .has_used = packed_has_used,
    .disable_cb = packed_disable_cb,
    .enable_cb = packed_enable_cb,
    .release = packed_release,
    .notify_data = packed_notify_data,
};
