/*
 * virtqueue.h - one ring API over the split and packed virtqueue formats.
 *
 * Usage protocol
 * ==============
 *
 * Setup (once per queue, normally through virtio_queue_setup()):
 *
 *   virtqueue_layout(format, num, indirect_max, used_align, &layout);
 *       - get the sizes of the ring (DMA), indirect tables (DMA) and the
 *         private state (non-DMA) memory;
 *   virtqueue_init(vq, &params);
 *       - give the queue that memory; the ring is now empty and owned by
 *         the driver. Tell the device the ring addresses and enable it.
 *
 * Submitting requests (any context that holds the queue's lock, if any):
 *
 *   virtqueue_add(vq, sg, out, in, cookie);   one or more times
 *       - sg[0..out-1] are device-readable, sg[out..out+in-1] are
 *         device-writable. cookie is returned when the request completes
 *         and must not be NULL. Returns VIRTIO_ENOSPC when the ring is too
 *         full now (it would fit an empty ring), VIRTIO_EINVAL for a
 *         request that can never fit (more than num or seg_max segments).
 *       - or the descriptor writer of virtqueue_req.h (miniports: straight
 *         from the OS's SG list, caller-owned indirect tables).
 *   if (virtqueue_kick_prepare(vq))            once per batch
 *       virtqueue_notify(vq);
 *       - kick_prepare publishes the batch and decides whether the device
 *         wants a notification (EVENT_IDX window or NO_NOTIFY flag). The
 *         notify itself may be issued outside the lock.
 *
 * Completing requests (interrupt/DPC, or polling):
 *
 *   virtqueue_disable_cb(vq);
 *   for (;;) {
 *       while ((cookie = virtqueue_get(vq, &len)) != NULL)
 *           complete(cookie, len);             len <= posted writable bytes, or
 *                                              VIRTQUEUE_LEN_PAST (see Errors)
 *       if (virtqueue_enable_cb(vq))           (or virtqueue_enable_cb_delayed)
 *           break;                             no race: nothing pending
 *       virtqueue_disable_cb(vq);              more arrived: loop again
 *   }
 *
 * Reset (device reset done by the transport first):
 *
 *   while ((cookie = virtqueue_detach_unused(vq)) != NULL)
 *       fail(cookie);
 *   virtqueue_reinit(vq);                      ring empty again, same memory
 *
 * Errors: the device is not trusted. Every value it writes is checked;
 * on a violation the queue becomes broken: virtqueue_get() returns NULL,
 * virtqueue_add() returns VIRTIO_EIO, virtqueue_broken() says why, and the
 * OS report hook is called once. Recovery is a device reset.  One
 * exception, asked per queue (virtqueue_pass_len_past): a used length past
 * the request's device-writable bytes completes that request with length
 * VIRTQUEUE_LEN_PAST and the queue goes on; the caller drops what the
 * request received (a network receive queue drops one frame, as Linux's
 * virtio_net does, instead of losing the whole queue).
 *
 * Concurrency: a queue shares nothing with any other queue, so one queue per
 * CPU needs no lock in the core. Calls on the same queue must be serialised
 * by the caller, except that add/kick and get may run concurrently on
 * different CPUs only if the caller provides its own locking.
 */
#ifndef VIRTQUEUE_H
#define VIRTQUEUE_H

#include "virtio_types.h"
#include "virtio_spec.h"
#include "virtio_os.h"

/** virtqueue_get()'s length for a request the device claims to have written
 *  past its device-writable bytes, on a queue that passes those on
 *  (virtqueue_pass_len_past); never a length the caller posted, which stays
 *  below 4 GiB */
#define VIRTQUEUE_LEN_PAST 0xffffffffu

/** Ring formats */
enum virtqueue_format {
    VIRTQUEUE_SPLIT = 0,  /**< Split virtqueue (spec 2.7) */
    VIRTQUEUE_PACKED = 1, /**< Packed virtqueue (spec 2.8) */
};

/** One scatter-gather segment */
struct virtqueue_sg {
    uint64_t addr; /**< Bus address */
    uint32_t len;  /**< Length in bytes (non-zero) */
};

/** Memory needed by a queue */
struct virtqueue_layout {
    size_t ring_size;     /**< DMA: descriptor/driver/device areas */
    size_t ring_align;    /**< Alignment of the ring memory */
    size_t desc_off;      /**< Offset of the descriptor area */
    size_t driver_off;    /**< Offset of the driver area (avail / driver event) */
    size_t device_off;    /**< Offset of the device area (used / device event) */
    size_t indirect_size; /**< DMA: indirect tables (0 if none) */
    size_t state_size;    /**< Private memory for per-request state */
};

/** Negotiated options that change ring behaviour */
#define VIRTQUEUE_OPT_EVENT_IDX         0x01 /**< VIRTIO_F_EVENT_IDX */
#define VIRTQUEUE_OPT_INDIRECT          0x02 /**< VIRTIO_F_INDIRECT_DESC */
#define VIRTQUEUE_OPT_ORDER_PLATFORM    0x04 /**< VIRTIO_F_ORDER_PLATFORM */
#define VIRTQUEUE_OPT_NOTIFICATION_DATA 0x08 /**< VIRTIO_F_NOTIFICATION_DATA */

struct virtqueue;

/** Driver notification hook: data is the 32-bit notification value */
typedef void (*virtqueue_notify_fn)(struct virtqueue *vq, uint32_t data);

/** Parameters of virtqueue_init() */
struct virtqueue_params {
    enum virtqueue_format format;
    uint16_t index;             /**< Queue index on the device */
    uint16_t num;               /**< Queue size */
    uint16_t indirect_max;      /**< Segments per indirect table, 0 = none */
    uint16_t indirect_min;      /**< Use indirect from this many segments (0: 2) */
    uint16_t seg_max;           /**< Device's segment limit per request, 0 = num */
    uint32_t options;           /**< VIRTQUEUE_OPT_* */
    size_t used_align;          /**< Split: alignment of the used ring */
    void *ring_va;              /**< Ring memory (layout.ring_size, zeroed or not) */
    uint64_t ring_pa;           /**< Its bus address */
    void *indirect_va;          /**< Indirect pool (layout.indirect_size); optional */
    uint64_t indirect_pa;       /**< Their bus address */
    void *state;                /**< Private state (layout.state_size) */
    virtqueue_notify_fn notify; /**< Driver notification, may be NULL */
    void *priv;                 /**< For the notify hook / transport */
    const struct virtio_os *os; /**< For violation reports, may be NULL */
};

/** Per-descriptor (split) or per-buffer-id (packed) private state */
struct virtqueue_state {
    void *cookie;    /**< Caller's cookie; NULL when not outstanding */
    uint32_t in_len; /**< Device-writable bytes posted */
    uint16_t next;   /**< Free list / chain link, the tail's back to the head (shadow) */
    uint16_t ndesc;  /**< Ring descriptors used by this request */
};

struct virtqueue_format_ops;

/**
 * A virtqueue. Embed it anywhere; all fields are private to the core
 * except where stated.
 */
struct virtqueue {
    const struct virtqueue_format_ops *fops;
    struct virtqueue_state *state;
    uint16_t index;        /**< Queue index (public, read-only) */
    uint16_t num;          /**< Queue size (public, read-only) */
    uint16_t num_free;     /**< Free descriptors */
    uint16_t free_head;    /**< First free descriptor (split) / buffer id (packed) */
    uint16_t indirect_max; /**< Segments per pool table, 0 = no pool */
    uint16_t indirect_min;
    uint16_t seg_limit;     /**< Most segments a request may have: min(num, seg_max) */
    uint16_t open_limit;    /**< seg_limit while healthy, 0 once broken (writer: one compare) */
    uint16_t indirect_from; /**< Writer: tables from this many segments (0xffff: none) */
    uint8_t format;         /**< enum virtqueue_format */
    bool indirect_ok;       /**< INDIRECT_DESC negotiated (pool or caller tables) */
    bool event_idx;
    bool platform; /**< ORDER_PLATFORM barriers */
    bool notification_data;
    bool cb_disabled; /**< Driver does not want used buffer notifications */
    bool rearm;       /**< event_idx && !cb_disabled: get moves the used event */
    uint8_t broken;   /**< enum virtio_violation, 0 while healthy */
    bool len_past_ok; /**< A used length past what was posted: VIRTQUEUE_LEN_PAST, not broken */
    uint32_t len_past_seen; /**< The device's length VIRTQUEUE_LEN_PAST last replaced */
    uint32_t added; /**< Packed: descriptors added since kick (split: avail_idx - published) */
    uint8_t *indirect_va;
    uint64_t indirect_pa;
    void *ring_va;
    uint64_t ring_pa;
    size_t ring_size;
    uint64_t desc_pa, driver_pa, device_pa; /**< Area addresses for the transport */
    union {
        struct {
            struct virtq_desc *desc;
            struct virtq_avail *avail;
            struct virtq_used *used;
            uint16_t avail_idx;       /**< Next avail->idx (shadow) */
            uint16_t avail_published; /**< Last avail->idx written */
            uint16_t last_used;       /**< Next used entry to read */
            uint16_t used_event;      /**< Last used_event written */
            uint16_t used_seen;       /**< used->idx last read and checked */
            uint16_t mask;            /**< num - 1 (ring slot of an index) */
        } split;
        struct {
            struct pvirtq_desc *desc;
            struct pvirtq_event_suppress *driver; /**< Driver event suppression */
            struct pvirtq_event_suppress *device; /**< Device event suppression */
            uint16_t next_avail;                  /**< Next descriptor to fill */
            uint16_t next_used;                   /**< Next descriptor to read */
            uint16_t kick_avail;                  /**< next_avail at the last kick decision */
            bool avail_wrap;                      /**< Driver ring wrap counter */
            bool used_wrap;                       /**< Used wrap counter */
            bool kick_wrap;                       /**< avail_wrap at the last kick decision */
            uint16_t used_bits;   /**< AVAIL|USED of a used descriptor in the used lap (both
                                       or neither), with WRITE; an impossible value once broken */
            uint16_t event_flags; /**< Shadow of driver->flags */
            uint16_t head_flags;  /**< Writer: the open request's head flags, stored at close */
        } packed;
    } u;
    virtqueue_notify_fn notify;
    void *priv; /**< Transport data (public) */
    const struct virtio_os *os;
    uintptr_t notify_addr;      /**< Transport: notify register */
    uint8_t notify_space;       /**< Transport: its address space */
    uint16_t msix_vector;       /**< Transport: vector in use */
    struct virtio_dma ring_dma; /**< Transport: memory owned by the queue */
    struct virtio_dma indirect_dma;
    size_t state_alloc;
};

/**
 * Compute the memory a queue needs.
 *
 * @v format        Ring format
 * @v num           Queue size (split: power of two)
 * @v indirect_max  Segments per indirect table, or 0
 * @v used_align    Split: alignment of the used ring (4, or 4096 for legacy)
 * @v layout        Filled in
 * @ret rc          0 or VIRTIO_EINVAL
 */
int virtqueue_layout(enum virtqueue_format format, uint16_t num, uint16_t indirect_max,
                     size_t used_align, struct virtqueue_layout *layout);

/** Initialise a queue over caller-supplied memory; see struct virtqueue_params */
int virtqueue_init(struct virtqueue *vq, const struct virtqueue_params *params);

/** Return a queue to the empty state after a reset, keeping its memory */
void virtqueue_reinit(struct virtqueue *vq);

/**
 * Add a request.
 *
 * @v vq      Queue
 * @v sg      out + in segments, device-readable ones first
 * @v out     Number of device-readable segments
 * @v in      Number of device-writable segments
 * @v cookie  Returned by virtqueue_get() on completion; not NULL
 * @ret rc    0, VIRTIO_ENOSPC (full), VIRTIO_EINVAL, VIRTIO_EIO (broken)
 */
int virtqueue_add(struct virtqueue *vq, const struct virtqueue_sg *sg, unsigned out, unsigned in,
                  void *cookie);

/**
 * Publish the requests added since the last call and decide whether the
 * device needs a notification.
 *
 * @ret notify  True if the caller must call virtqueue_notify()
 */
bool virtqueue_kick_prepare(struct virtqueue *vq);

/** Send the driver notification (no decision; see kick_prepare) */
void virtqueue_notify(struct virtqueue *vq);

/** kick_prepare + notify when needed; returns true if it notified */
bool virtqueue_kick(struct virtqueue *vq);

/**
 * Get a completed request.
 *
 * @v vq      Queue
 * @v len     Bytes the device wrote (checked against what was posted)
 * @ret cookie  The request's cookie, or NULL if none (or queue broken)
 */
void *virtqueue_get(struct virtqueue *vq, uint32_t *len);

/** True if a completed request is waiting (does not consume it) */
bool virtqueue_has_used(struct virtqueue *vq);

/** Ask the device not to send used buffer notifications (a hint) */
void virtqueue_disable_cb(struct virtqueue *vq);

/**
 * Re-enable used buffer notifications.
 *
 * @ret armed  True if nothing is pending; false if completions arrived in
 *             the meantime and the caller must poll again
 */
bool virtqueue_enable_cb(struct virtqueue *vq);

/**
 * Re-enable used buffer notifications, but ask for the interrupt only after
 * about three quarters of the outstanding requests complete (EVENT_IDX;
 * otherwise same as virtqueue_enable_cb()).
 */
bool virtqueue_enable_cb_delayed(struct virtqueue *vq);

/**
 * The used_event that asks for the interrupt when the last of held
 * requests completes, the first of them being used index last_used
 * (spec 2.7.10: the device interrupts when it writes entry used_event):
 * last_used + held - 1, modulo 2^16; last_used when held is 0 (the next
 * completion, as virtqueue_enable_cb). IRQL: any.
 */
uint16_t virtqueue_holdoff_event(uint16_t last_used, uint16_t held);

/** Split ring: requests published to the device and not taken back yet
 *  (from the driver's own indices); 0 on a packed ring.  Inline: a
 *  submission path asks it before anything else. IRQL: any. */
static inline uint16_t virtqueue_in_flight(const struct virtqueue *vq)
{
    if (vq->format != VIRTQUEUE_SPLIT)
        return 0;
    /* At most num: each published head holds a descriptor */
    return (uint16_t)(vq->u.split.avail_published - vq->u.split.last_used);
}

/**
 * As virtqueue_enable_cb(), but on a split ring with EVENT_IDX holding two
 * or more requests, ask for the interrupt only when the last request the
 * device holds now completes (used_event = virtqueue_holdoff_event()); the
 * caller bounds the wait for the others (a timer that drains). Otherwise,
 * and on packed rings, exactly virtqueue_enable_cb().
 *
 * @ret armed  True if nothing is pending; false if completions arrived in
 *             the meantime and the caller must poll again
 */
bool virtqueue_enable_cb_last(struct virtqueue *vq);

/**
 * After a publish (virtqueue_kick_prepare), on a split ring with EVENT_IDX
 * whose callbacks are on and whose device holds two or more requests: move
 * used_event forward to the last of them (virtqueue_holdoff_event), so a
 * batch started on an idle queue interrupts once, at its last completion,
 * not at its first.  One 16-bit store at most, never backwards (an event a
 * drain or an earlier publish set further stays), no barrier.
 *
 * Why no completion is lost (spec 2.7.10; the device writes used entries
 * and idx, then reads used_event, 2.7.7.2's order): a device that reads
 * the old value interrupts at it, which is earlier, never later; one that
 * reads the new value may have just passed the old one without
 * interrupting, so the completions it published before it read are
 * reported by the caller's timer, which must be pending whenever this
 * returns true (due within the hold of this call).  Nothing is read back,
 * so no barrier has to follow the store (the race check of
 * virtqueue_enable_cb is what needs one): until the device sees it, the
 * old, earlier event stands.
 *
 * @ret held  True when used_event now waits for the last held request
 *            (the caller must bound the others); false when nothing
 *            changed (fewer than 2 held, packed, no EVENT_IDX, callbacks
 *            off, broken)
 */
bool virtqueue_hold_published(struct virtqueue *vq);

/**
 * After a device reset: take back one request the device never completed.
 *
 * @ret cookie  A cookie, or NULL when no request is left
 */
void *virtqueue_detach_unused(struct virtqueue *vq);

/** The cookie of the next outstanding request from slot *pos on (start at
 *  0; *pos moves past it), NULL after the last; nothing is detached.  From
 *  the driver's own state, never device-written memory.  IRQL: any. */
void *virtqueue_next_outstanding(const struct virtqueue *vq, uint16_t *pos);

/** Why the queue is broken (enum virtio_violation), 0 if healthy. IRQL: any. */
static inline int virtqueue_broken(const struct virtqueue *vq)
{
    return vq->broken;
}

/** Number of free descriptors. IRQL: any. */
static inline unsigned virtqueue_num_free(const struct virtqueue *vq)
{
    return vq->num_free;
}

/** The 32-bit driver notification value (spec 4.1.5.2) */
uint32_t virtqueue_notify_data(const struct virtqueue *vq);

/**
 * From now on (and across virtqueue_reinit()) complete a request whose used
 * length is past its device-writable bytes with length VIRTQUEUE_LEN_PAST
 * instead of breaking the queue: the caller drops it, nothing of it read.
 * Other violations still break the queue. After setup, before the device
 * uses the queue (virtqueue_init() forgets it).
 */
void virtqueue_pass_len_past(struct virtqueue *vq);

/** The length the device wrote for the request last completed with
 *  VIRTQUEUE_LEN_PAST (for the caller's log; 0 before any) */
uint32_t virtqueue_len_past_seen(const struct virtqueue *vq);

/** Mark the queue broken (used by the core and transports) */
void virtqueue_set_broken(struct virtqueue *vq, enum virtio_violation why);

#endif /* VIRTQUEUE_H */
