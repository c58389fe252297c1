/*
 * virtqueue.c - format-independent part of the ring API: memory layout,
 * initialisation, and dispatch to the split or packed implementation.
 */
#include "virtqueue_priv.h"
#include "virtqueue_get.h"

/**
 * Compute the memory a queue needs (see virtqueue.h).
 *
 * Split (spec 2.7): descriptor table (16 * num, align 16), available ring
 * (6 + 2 * num, align 2), used ring (6 + 8 * num, align 4, or 4096 for the
 * legacy interface). Packed (spec 2.8): descriptor ring (16 * num), then
 * the driver and device event suppression structures, each on its own
 * 64-byte line so that driver and device do not share a cache line.
 * IRQL: any.
 */
int virtqueue_layout(enum virtqueue_format format, uint16_t num, uint16_t indirect_max,
                     size_t used_align, struct virtqueue_layout *layout)
{
    size_t off;

    memset(layout, 0, sizeof(*layout));
    if (num == 0 || num > VIRTQ_MAX_SIZE)
        return VIRTIO_EINVAL;

    if (format == VIRTQUEUE_SPLIT) {
        /* Split rings index with a mask, so the size is a power of two */
        if (!virtio_is_pow2(num))
            return VIRTIO_EINVAL;
        if (used_align < 4 || !virtio_is_pow2((uint32_t)used_align) || used_align > 4096)
            return VIRTIO_EINVAL;
        layout->desc_off = 0;
        layout->driver_off = (size_t)16 * num;
        /* flags, idx, ring[num], used_event */
        off = layout->driver_off + 6 + (size_t)2 * num;
        layout->device_off = VIRTIO_ALIGN_UP(off, used_align);
        /* flags, idx, ring[num], avail_event */
        layout->ring_size = layout->device_off + 6 + (size_t)8 * num;
        layout->ring_align = used_align > 16 ? used_align : 16;
    } else if (format == VIRTQUEUE_PACKED) {
        layout->desc_off = 0;
        layout->driver_off = VIRTIO_ALIGN_UP((size_t)16 * num, 64);
        layout->device_off = layout->driver_off + 64;
        layout->ring_size = layout->device_off + sizeof(struct pvirtq_event_suppress);
        layout->ring_align = 64;
    } else {
        return VIRTIO_EINVAL;
    }
    layout->ring_size = VIRTIO_ALIGN_UP(layout->ring_size, 64);
    layout->indirect_size = indirect_max ? (size_t)num * indirect_max * 16 : 0;
    layout->state_size = (size_t)num * sizeof(struct virtqueue_state);
    return 0;
}

/**
 * Initialise a queue over caller-supplied memory.
 *
 * @v vq      Queue to initialise
 * @v p       Parameters (memory must match virtqueue_layout())
 * @ret rc    0 or VIRTIO_EINVAL
 * IRQL: any.
 */
int virtqueue_init(struct virtqueue *vq, const struct virtqueue_params *p)
{
    struct virtqueue_layout layout;
    int rc;

    /* Validate the geometry once, here, so the hot path need not */
    if ((rc = virtqueue_layout(p->format, p->num, p->indirect_max, p->used_align, &layout)) != 0)
        return rc;
    return virtqueue_init_layout(vq, p, &layout);
}

/**
 * Initialise a queue whose ring areas sit at the offsets of layout (from
 * virtqueue_layout() or a queue plan); the geometry is already validated.
 * IRQL: any.
 */
int virtqueue_init_layout(struct virtqueue *vq, const struct virtqueue_params *p,
                          const struct virtqueue_layout *layout)
{
    if (p->ring_va == NULL || p->state == NULL || (p->indirect_max != 0 && p->indirect_va == NULL))
        return VIRTIO_EINVAL;

    memset(vq, 0, sizeof(*vq));
    vq->format = (uint8_t)p->format;
    vq->fops = p->format == VIRTQUEUE_SPLIT ? &virtqueue_split_ops : &virtqueue_packed_ops;
    vq->index = p->index;
    vq->num = p->num;
    vq->state = p->state;
    vq->indirect_ok = (p->options & VIRTQUEUE_OPT_INDIRECT) != 0;
    vq->indirect_max = vq->indirect_ok ? p->indirect_max : 0;
    vq->indirect_min = p->indirect_min ? p->indirect_min : 2;
    /* A table for a request of one segment is never worth it */
    vq->indirect_from = !vq->indirect_ok ? 0xffff : vq->indirect_min > 2 ? vq->indirect_min : 2;
    /* A chain, indirect or not, is never longer than the queue (spec 2.7.5.3.1, 2.8.18.1) */
    vq->seg_limit = (p->seg_max != 0 && p->seg_max < p->num) ? p->seg_max : p->num;
    vq->indirect_va = p->indirect_va;
    vq->indirect_pa = p->indirect_pa;
    vq->event_idx = (p->options & VIRTQUEUE_OPT_EVENT_IDX) != 0;
    vq->platform = (p->options & VIRTQUEUE_OPT_ORDER_PLATFORM) != 0;
    vq->notification_data = (p->options & VIRTQUEUE_OPT_NOTIFICATION_DATA) != 0;
    vq->ring_va = p->ring_va;
    vq->ring_pa = p->ring_pa;
    vq->ring_size = layout->ring_size;
    vq->desc_pa = p->ring_pa + layout->desc_off;
    vq->driver_pa = p->ring_pa + layout->driver_off;
    vq->device_pa = p->ring_pa + layout->device_off;
    vq->notify = p->notify;
    vq->priv = p->priv;
    vq->os = p->os;
    vq->msix_vector = VIRTIO_MSI_NO_VECTOR;

    if (p->format == VIRTQUEUE_SPLIT) {
        vq->u.split.desc = (struct virtq_desc *)((uint8_t *)p->ring_va + layout->desc_off);
        vq->u.split.avail = (struct virtq_avail *)((uint8_t *)p->ring_va + layout->driver_off);
        vq->u.split.used = (struct virtq_used *)((uint8_t *)p->ring_va + layout->device_off);
    } else {
        vq->u.packed.desc = (struct pvirtq_desc *)((uint8_t *)p->ring_va + layout->desc_off);
        vq->u.packed.driver =
            (struct pvirtq_event_suppress *)((uint8_t *)p->ring_va + layout->driver_off);
        vq->u.packed.device =
            (struct pvirtq_event_suppress *)((uint8_t *)p->ring_va + layout->device_off);
    }
    virtqueue_reinit(vq);
    return 0;
}

/**
 * Return a queue to its empty state. Only valid while the device does not
 * own the ring (before enabling it, or after a reset); outstanding cookies
 * are forgotten, so call virtqueue_detach_unused() first.
 * IRQL: any.
 */
void virtqueue_reinit(struct virtqueue *vq)
{
    memset(vq->ring_va, 0, vq->ring_size);
    memset(vq->state, 0, (size_t)vq->num * sizeof(*vq->state));
    vq->num_free = vq->num;
    vq->added = 0;
    vq->cb_disabled = false;
    vq->rearm = vq->event_idx;
    vq->broken = 0;
    vq->open_limit = vq->seg_limit;
    vq->fops->reset(vq);
}

/**
 * Mark a queue broken and report why, once.
 * IRQL: any.
 */
void virtqueue_set_broken(struct virtqueue *vq, enum virtio_violation why)
{
    if (vq->broken)
        return;
    vq->broken = (uint8_t)why;
    /* virtqueue_get() tests broken only where it reads the device's
     * index (split) or never matches a used descriptor (packed) */
    if (vq->format == VIRTQUEUE_SPLIT)
        vq->u.split.used_seen = vq->u.split.last_used;
    else
        vq->u.packed.used_bits = VIRTQUEUE_USED_BITS_BROKEN;
    vq->open_limit = 0; /* the writer opens no request */
    if (vq->os && vq->os->ops && vq->os->ops->report)
        vq->os->ops->report(vq->os->ctx, vq->index, why);
}

/* Hand used lengths past a request's writable bytes to the caller (see virtqueue.h). IRQL: any. */
void virtqueue_pass_len_past(struct virtqueue *vq)
{
#ifndef VIRTQUEUE_PLANTED_LEN_PAST_BREAKS /* planted: the request ignored, the queue broken */
    vq->len_past_ok = true;
#else
    (void)vq;
#endif
}

/* The device's length the last VIRTQUEUE_LEN_PAST replaced (see virtqueue.h). IRQL: any. */
uint32_t virtqueue_len_past_seen(const struct virtqueue *vq)
{
    return vq->len_past_seen;
}

/* Refuse what the device put in the used ring: mark the queue broken and return no cookie. IRQL:
 * any. */
void *virtqueue_refuse_used(struct virtqueue *vq, enum virtio_violation why)
{
    if (vq->format == VIRTQUEUE_PACKED && vq->num_free == vq->num)
        why = VIRTIO_VIOL_PACKED_WRAP;
    virtqueue_set_broken(vq, why);
    return NULL;
}

/* Queue a request described by an SG array (split or packed through the format's table). IRQL: any.
 */
int virtqueue_add(struct virtqueue *vq, const struct virtqueue_sg *sg, unsigned out, unsigned in,
                  void *cookie)
{
    return vq->fops->add(vq, sg, out, in, cookie);
}

/* Publish added requests and decide whether the device must be notified. IRQL: any. */
bool virtqueue_kick_prepare(struct virtqueue *vq)
{
    if (vq->broken)
        return false;
    return vq->fops->kick_prepare(vq);
}

/* The value a notification carries: the queue index, or with NOTIFICATION_DATA the next avail
 * position. IRQL: any. */
uint32_t virtqueue_notify_data(const struct virtqueue *vq)
{
    /* Without NOTIFICATION_DATA the value is the queue index (spec 4.1.5.2) */
    if (!vq->notification_data)
        return vq->index;
    return vq->fops->notify_data(vq);
}

/* Notify the device of new requests, unless the queue is broken. IRQL: any. */
void virtqueue_notify(struct virtqueue *vq)
{
    if (vq->notify != NULL && !vq->broken)
        vq->notify(vq, virtqueue_notify_data(vq));
}

/* Publish added requests and notify the device when it asked to be told. IRQL: any. */
bool virtqueue_kick(struct virtqueue *vq)
{
    if (!virtqueue_kick_prepare(vq))
        return false;
    virtqueue_notify(vq);
    return true;
}

/* Take one completed request's cookie and written length, after checking what the device wrote.
 * IRQL: any. */
void *virtqueue_get(struct virtqueue *vq, uint32_t *len)
{
    /* A broken queue returns NULL from either (see virtqueue_set_broken) */
    if (vq->format == VIRTQUEUE_SPLIT)
        return split_get(vq, len);
    return packed_get(vq, len);
}

/* Whether the device has completed a request not yet taken. IRQL: any. */
bool virtqueue_has_used(struct virtqueue *vq)
{
    if (vq->broken)
        return false;
    return vq->fops->has_used(vq);
}

/* Ask the device not to interrupt for completions (a hint: one may still come). IRQL: any. */
void virtqueue_disable_cb(struct virtqueue *vq)
{
    if (vq->cb_disabled)
        return;
    vq->cb_disabled = true;
    vq->rearm = false;
    vq->fops->disable_cb(vq);
}

/* Ask for an interrupt at the next completion; FALSE when one came meanwhile and must be drained.
 * IRQL: any. */
bool virtqueue_enable_cb(struct virtqueue *vq)
{
    vq->cb_disabled = false;
    vq->rearm = vq->event_idx;
    if (vq->broken)
        return true;
    return vq->fops->enable_cb(vq, false);
}

/* As virtqueue_enable_cb, but interrupt only after most of what is in flight completed. IRQL: any.
 */
bool virtqueue_enable_cb_delayed(struct virtqueue *vq)
{
    vq->cb_disabled = false;
    vq->rearm = vq->event_idx;
    if (vq->broken)
        return true;
    return vq->fops->enable_cb(vq, true);
}

/* The used_event of the last of held requests from last_used (see virtqueue.h). IRQL: any. */
uint16_t virtqueue_holdoff_event(uint16_t last_used, uint16_t held)
{
    if (held == 0)
        return last_used;
#ifdef VIRTQUEUE_PLANTED_HOLDOFF_PAST
    /* The planted bug of the holdoff units: one past the last held request */
    return (uint16_t)(last_used + held);
#else
    return (uint16_t)(last_used + held - 1);
#endif
}

/* As virtqueue_enable_cb, the interrupt at the last held request's completion (see virtqueue.h).
 * IRQL: any. */
bool virtqueue_enable_cb_last(struct virtqueue *vq)
{
    uint16_t held = virtqueue_in_flight(vq);

    if (vq->format != VIRTQUEUE_SPLIT || !vq->event_idx || vq->broken || held < 2)
        return virtqueue_enable_cb(vq);
    vq->cb_disabled = false;
    vq->rearm = true;
    return virtqueue_split_enable_cb_at(vq, virtqueue_holdoff_event(vq->u.split.last_used, held));
}

/* After a publish, used_event at the last held request (see virtqueue.h). IRQL: any.
 * No barrier: nothing is read back after the store, and a device that
 * sees it late sees the old, earlier event (see virtqueue.h). */
bool virtqueue_hold_published(struct virtqueue *vq)
{
    if (vq->format != VIRTQUEUE_SPLIT || !vq->event_idx || vq->broken || vq->cb_disabled)
        return false;
    uint16_t last = vq->u.split.last_used;
    uint16_t held = (uint16_t)(vq->u.split.avail_published - last);
#ifdef VIRTQUEUE_PLANTED_HOLD_BEFORE_PUBLISH
    /* The planted bug of the submission units: the held requests counted
     * as if the newest were not published yet */
    held = (uint16_t)(held - 1);
#endif
    if (held < 2)
        return false;
    uint16_t event = virtqueue_holdoff_event(last, held);
    /* Forward only, inside the window from last_used: a drain's (or an
     * earlier publish's) event is never pulled back */
    if ((uint16_t)(event - last) > (uint16_t)(vq->u.split.used_event - last)) {
        vq->u.split.used_event = event;
        virtio_write_le16(split_used_event(vq), event);
    }
    return true;
}

/**
 * Take back an outstanding request after a reset. The scan is over the
 * driver's own state, never over device-written memory.
 * IRQL: any.
 */
void *virtqueue_detach_unused(struct virtqueue *vq)
{
    uint16_t i;
    void *cookie;

    for (i = 0; i < vq->num; i++) {
        cookie = vq->state[i].cookie;
        if (cookie == NULL)
            continue;
        vq->fops->release(vq, i);
        return cookie;
    }
    return NULL;
}

/* The next outstanding request's cookie from *pos on (see virtqueue.h). IRQL: any. */
void *virtqueue_next_outstanding(const struct virtqueue *vq, uint16_t *pos)
{
    while (*pos < vq->num) {
        void *cookie = vq->state[(*pos)++].cookie;
        if (cookie != NULL)
            return cookie;
    }
    return NULL;
}
