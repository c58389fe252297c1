/*
 * virtqueue_priv.h - the per-format operations table behind virtqueue.h.
 * Private to the core.
 */
#ifndef VIRTQUEUE_PRIV_H
#define VIRTQUEUE_PRIV_H

#include "virtqueue.h"
#include "virtqueue_ring.h"

/** One ring format (split or packed) */
struct virtqueue_format_ops {
    void (*reset)(struct virtqueue *vq);
    int (*add)(struct virtqueue *vq, const struct virtqueue_sg *sg, unsigned out, unsigned in,
               void *cookie);
    bool (*kick_prepare)(struct virtqueue *vq);
    void *(*get)(struct virtqueue *vq, uint32_t *len);
    bool (*has_used)(struct virtqueue *vq);
    void (*disable_cb)(struct virtqueue *vq);
    bool (*enable_cb)(struct virtqueue *vq, bool delayed);
    void (*release)(struct virtqueue *vq, uint16_t id);
    uint32_t (*notify_data)(const struct virtqueue *vq);
};

/** Split: used_event at Event (EVENT_IDX on, callbacks wanted), then the
 *  race check; true when nothing is pending */
bool virtqueue_split_enable_cb_at(struct virtqueue *vq, uint16_t event);

extern const struct virtqueue_format_ops virtqueue_split_ops;
extern const struct virtqueue_format_ops virtqueue_packed_ops;

/** virtqueue_init() over an explicit, already validated layout */
int virtqueue_init_layout(struct virtqueue *vq, const struct virtqueue_params *p,
                          const struct virtqueue_layout *layout);

/**
 * Event index window test (spec 2.7.10): true if the other side asked to be
 * told when index event_idx is passed, and moving from old to new passed it.
 * All arithmetic is modulo 2^16.
 * IRQL: any.
 */
static inline bool virtqueue_need_event(uint16_t event_idx, uint16_t new_idx, uint16_t old_idx)
{
    return (uint16_t)(new_idx - event_idx - 1) < (uint16_t)(new_idx - old_idx);
}

/** Sum of the device-writable lengths, or -1 if it overflows 32 bits. IRQL: any. */
static inline int64_t virtqueue_in_len(const struct virtqueue_sg *sg, unsigned out, unsigned in)
{
    uint64_t sum = 0;
    unsigned i;

    for (i = out; i < out + in; i++)
        sum += sg[i].len;
    return sum > UINT32_MAX ? -1 : (int64_t)sum;
}

/** Common argument checks for add. IRQL: any. */
static inline int virtqueue_check_add(struct virtqueue *vq, const struct virtqueue_sg *sg,
                                      unsigned out, unsigned in, void *cookie)
{
    unsigned i;

    if (vq->broken)
        return VIRTIO_EIO;
    /* More than seg_limit segments never fits, not even an empty ring */
    if (cookie == NULL || sg == NULL || out > VIRTQ_MAX_SIZE || in > VIRTQ_MAX_SIZE ||
        out + in == 0 || out + in > vq->seg_limit)
        return VIRTIO_EINVAL;
    for (i = 0; i < out + in; i++)
        if (sg[i].len == 0)
            return VIRTIO_EINVAL;
    return 0;
}

/**
 * Refuse a completion the device wrote: mark the queue broken (why; for a
 * packed ring with nothing in flight, a wrap violation: the device marked
 * a descriptor used in the current lap) and return NULL. Out of line, so
 * that the get paths stay frameless.
 */
void *virtqueue_refuse_used(struct virtqueue *vq, enum virtio_violation why);

/** Should this request use an indirect table? IRQL: any. */
static inline bool virtqueue_use_indirect(const struct virtqueue *vq, unsigned total)
{
    return total > 1 && total <= vq->indirect_max && vq->indirect_va != NULL &&
           (total >= vq->indirect_min || total > vq->num_free);
}

#endif /* VIRTQUEUE_PRIV_H */
