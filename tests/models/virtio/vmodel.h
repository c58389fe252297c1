/*
 * vmodel.h - host-side model of a virtio PCI device, for unit tests,
 * fuzzing, benchmarks and (later) the driver-execution harness.
 *
 * It models the device end of both ring formats and a virtual PCI function:
 * configuration space with a capability list, the modern common / notify /
 * ISR / device-config structures in an MMIO BAR, the legacy I/O BAR, and
 * MSI-X. Behaviour is deterministic for a given seed: in-order or random
 * completion, delays, batching, event-index honouring, and a malicious mode
 * that writes bad ids, lengths, indices and wrap flags.
 *
 * No global state: everything hangs off struct vmodel. Guest memory is
 * whatever the caller registers with vmodel_dma_register(); the device
 * touches nothing else (out-of-range addresses are recorded as errors).
 */
#ifndef VMODEL_H
#define VMODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vmodel;

/** Which PCI interfaces the function exposes */
enum vmodel_transport {
    VMODEL_MODERN = 0,       /**< 1.x only: ID 0x1040+type, revision 1 */
    VMODEL_LEGACY = 1,       /**< Legacy only: transitional ID, no virtio caps */
    VMODEL_TRANSITIONAL = 2, /**< Both: transitional ID, legacy BAR and caps */
};

/** Malformed capability layouts (vmodel_config.cap_evil) */
enum vmodel_cap_evil {
    VMODEL_CAP_OK = 0,
    VMODEL_CAP_LOOP,         /**< Capability list loops back on itself */
    VMODEL_CAP_BAD_PTR,      /**< Next pointer into the standard header */
    VMODEL_CAP_SHORT,        /**< cap_len smaller than struct virtio_pci_cap */
    VMODEL_CAP_OUT_OF_BAR,   /**< Common structure crosses the end of its BAR */
    VMODEL_CAP_OVERFLOW,     /**< offset + length overflows 32 bits */
    VMODEL_CAP_BAD_BAR,      /**< Reserved BAR number */
    VMODEL_CAP_BAD_MULT,     /**< notify_off_multiplier not a power of two */
    VMODEL_CAP_NOTIFY_SHORT, /**< Notify region too short for the queues */
};

/** Static configuration of a model instance */
struct vmodel_config {
    uint32_t seed;
    enum vmodel_transport transport;
    uint16_t device_type; /**< Virtio device type (2 = block, ...) */
    uint16_t num_queues;
    uint16_t queue_max;    /**< Maximum (and legacy fixed) queue size */
    uint64_t features;     /**< Offered feature bits */
    uint16_t msix_vectors; /**< MSI-X table size; 0 = no MSI-X capability */
    bool msix_enabled;     /**< MSI-X enable bit as the OS left it */
    uint32_t notify_off_multiplier;
    uint32_t device_cfg_len; /**< Size of the device configuration */
    enum vmodel_cap_evil cap_evil;
};

/** Malicious behaviours (vmodel_behaviour.evil), applied at evil_rate */
#define VMODEL_EVIL_BAD_ID      0x0001 /**< Used id out of range */
#define VMODEL_EVIL_IDLE_ID     0x0002 /**< Used id not outstanding */
#define VMODEL_EVIL_DOUBLE      0x0004 /**< Complete the same request twice */
#define VMODEL_EVIL_BAD_LEN     0x0008 /**< Written length beyond the buffer */
#define VMODEL_EVIL_IDX_JUMP    0x0010 /**< Split: used idx jumps ahead */
#define VMODEL_EVIL_WRAP        0x0020 /**< Packed: phantom used descriptor past the end */
#define VMODEL_EVIL_MSIX        0x0040 /**< MSI-X vectors read back as another value */
#define VMODEL_EVIL_NEEDS_RESET 0x0080 /**< Set DEVICE_NEEDS_RESET on DRIVER_OK */

/** Run-time behaviour; may be changed at any time */
struct vmodel_behaviour {
    bool out_of_order;       /**< Complete in random order */
    uint32_t delay;          /**< Steps a request waits before it may complete */
    uint32_t batch;          /**< Max completions per queue per step (0 = all) */
    bool ignore_event_idx;   /**< Interrupt as if EVENT_IDX were off (extra interrupts) */
    uint32_t busy_steps;     /**< After taking what is available, stay busy (notifications
                                  suppressed, looking each step) 0..busy_steps steps, seeded */
    bool short_writes;       /**< Write a random length <= the writable size */
    uint32_t evil;           /**< VMODEL_EVIL_* */
    uint32_t evil_rate;      /**< Misbehave on 1 in evil_rate completions (0/1 = all) */
    uint32_t reset_delay;    /**< Status reads before a reset completes; ~0 = never */
    bool reset_late;         /**< With reset_delay: after a write of 0 the device goes on using its
                                  rings (data, used entries, interrupts) until a status read returns
                                  0, and resets only then (virtio 1.2 4.1.4.3.2: the driver waits for
                                  that read before it reuses anything) */
    bool refuse_features_ok; /**< Never accept FEATURES_OK */
    uint32_t config_churn;   /**< config_generation changes on this many reads (~0 = forever) */
    uint64_t notify_late;    /**< Planted: a used buffer notification the driver asked for (split)
                                  is sent this much virtual time late (a device breaking 2.7.10:
                                  what it used waits for the interrupt) */
};

/** One guest request as the device sees it */
struct vmodel_seg {
    void *va; /**< Host pointer to the guest buffer */
    uint32_t len;
    bool write; /**< Device-writable */
};

struct vmodel_req {
    uint16_t queue;
    uint16_t id; /**< Head (split) or buffer id (packed) */
    uint16_t nsegs;
    uint32_t out_len; /**< Device-readable bytes */
    uint32_t in_len;  /**< Device-writable bytes */
    const struct vmodel_seg *segs;
};

/**
 * Request handler: consume the request, fill writable segments, return the
 * number of bytes written. Default: fill with a pattern, return in_len.
 */
typedef uint32_t (*vmodel_handler_fn)(void *ctx, const struct vmodel_req *req);

/** Handler result: the device cannot take the request yet (a receive
 *  buffer with no data to put in it, a full host-side buffer, a virtio-input
 *  event buffer with no event); it stays in the ring, untouched, and the
 *  queue is not looked at again before the next step.  The one way a model
 *  holds buffers until it has something for them. */
#define VMODEL_LATER 0xffffffffu

/** Handler result: the request is consumed and the back end completes it
 *  later, in any order, with vmodel_complete (a SCSI target answering
 *  asynchronously).  Until then it is pending and the device owns it. */
#define VMODEL_ASYNC 0xfffffffeu

/**
 * Device-configuration write hook: called after the driver wrote WIDTH
 * bytes at OFF of the device configuration (a device whose configuration
 * answers a selector, like virtio-input's select/subsel).
 */
typedef void (*vmodel_cfg_write_fn)(void *ctx, uint32_t off, unsigned width);

/** Used-element hook: the device just wrote the used element at SLOT of
 *  QUEUE (split: used ring entry; packed: descriptor ring position) */
typedef void (*vmodel_used_fn)(void *ctx, uint16_t queue, uint16_t slot);

/** Publish hook: the device made a request of QUEUE used (its used entry
 *  and, split, the used index written) at virtual time NOW; SEGS are its
 *  first NSEGS buffers as it took them (VMODEL_PUBLISHED_SEGS at most) */
#define VMODEL_PUBLISHED_SEGS 4
typedef void (*vmodel_published_fn)(void *ctx, uint16_t queue, const struct vmodel_seg *segs,
                                    unsigned nsegs, uint64_t now);

/** Interrupt hook: MSI-X vector, or 0xffff for INTx */
typedef void (*vmodel_irq_fn)(void *ctx, uint16_t vector);

/** Reset hook: the device was just reset (status 0 written, or created);
 *  a device type returns its own state to power-on there (virtio 1.2 2.4) */
typedef void (*vmodel_reset_fn)(void *ctx);

/** Counters */
struct vmodel_stats {
    uint64_t notifies;   /**< Driver notifications received */
    uint64_t interrupts; /**< Interrupts raised */
    uint64_t requests;   /**< Requests consumed from avail rings */
    /** Descriptors the device walked for the requests it consumed: ring
     *  slots plus indirect-table entries; and ring slots alone (what a
     *  request takes of the ring's capacity). */
    uint64_t descriptors, ring_descriptors;
    uint64_t completions;      /**< Used entries written */
    uint64_t overtaking;       /**< Of them, for a request taken after one still pending */
    uint64_t late_completions; /**< Of them, written after a write of 0 (reset_late) */
    uint64_t evil_done;        /**< Malicious actions performed */
    uint64_t errors;           /**< Driver-side spec violations seen by the device */
    char last_error[160];      /**< Text of the last one */
};

struct vmodel *vmodel_create(const struct vmodel_config *cfg);
void vmodel_destroy(struct vmodel *m);
void vmodel_set_behaviour(struct vmodel *m, const struct vmodel_behaviour *b);
/**
 * Surprise removal (or putting the function back): a removed PCI function
 * answers every config-space and BAR read with all ones, drops writes and
 * touches no ring.
 */
void vmodel_set_removed(struct vmodel *m, bool removed);
void vmodel_set_handler(struct vmodel *m, vmodel_handler_fn fn, void *ctx);
void vmodel_set_irq(struct vmodel *m, vmodel_irq_fn fn, void *ctx);
void vmodel_set_cfg_write(struct vmodel *m, vmodel_cfg_write_fn fn, void *ctx);
void vmodel_set_used_hook(struct vmodel *m, vmodel_used_fn fn, void *ctx);
void vmodel_set_published_hook(struct vmodel *m, vmodel_published_fn fn, void *ctx);
void vmodel_set_reset_hook(struct vmodel *m, vmodel_reset_fn fn, void *ctx);

/**
 * Asynchronous completion on a virtual clock (any unit; the harness uses
 * 100 ns).  vmodel_set_time tells the device the time before a step; a
 * request consumed on QUEUE completes no earlier than MIN..MAX (seeded per
 * request, own random stream) after it was taken, so with out_of_order a
 * later request may complete first.  vmodel_queue_freeze: nothing of the
 * queue completes before UNTIL (a back end that hangs); requests are still
 * taken.  vmodel_next_due: the earliest time a consumed request may
 * complete (UINT64_MAX when none), for a clock that jumps while idle.
 * Without these calls the time stays 0 and nothing is delayed.
 */
void vmodel_set_time(struct vmodel *m, uint64_t now);
void vmodel_queue_delay(struct vmodel *m, uint16_t queue, uint64_t min, uint64_t max);
void vmodel_queue_freeze(struct vmodel *m, uint16_t queue, uint64_t until);
uint64_t vmodel_next_due(struct vmodel *m);
/**
 * An asynchronous device (an I/O thread, as a real back end runs): a
 * notification only wakes it; it looks at QUEUE's avail ring no sooner
 * than PERIOD (virtual time) after its last look, taking everything
 * published by then, and keeps notifications suppressed until it goes
 * idle (spec 2.7.10 lets a device look whenever it likes).  0: the device
 * looks at every step (the default).
 */
void vmodel_queue_service(struct vmodel *m, uint16_t queue, uint64_t period);

/** Current device configuration bytes (for a cfg-write hook to answer) */
uint8_t *vmodel_device_cfg(struct vmodel *m);

/** Guest memory the device may access by bus address */
int vmodel_dma_register(struct vmodel *m, uint64_t pa, void *va, size_t len);
void vmodel_dma_unregister(struct vmodel *m, uint64_t pa);

/** PCI configuration space (256 bytes); the pointer allows malicious edits */
uint32_t vmodel_cfg_read(struct vmodel *m, uint32_t off, unsigned width);
uint8_t *vmodel_cfg_space(struct vmodel *m);

/** BARs: length and whether it is I/O space; absent BARs return -1 */
int vmodel_bar_info(struct vmodel *m, unsigned bar, uint64_t *len, bool *io);
/** Override a BAR length (for malformed layouts); 0 removes the BAR */
void vmodel_set_bar_len(struct vmodel *m, unsigned bar, uint64_t len);
uint64_t vmodel_bar_read(struct vmodel *m, unsigned bar, uint64_t off, unsigned width);
void vmodel_bar_write(struct vmodel *m, unsigned bar, uint64_t off, unsigned width, uint64_t val);

/** Device configuration contents; changing it bumps config_generation */
void vmodel_set_device_cfg(struct vmodel *m, uint32_t off, const void *buf, uint32_t len);
/** Read the device configuration as the driver left it */
void vmodel_get_device_cfg(struct vmodel *m, uint32_t off, void *buf, uint32_t len);
/**
 * Hold a queue: its requests are consumed (the handler sees them) but not
 * completed until released, as a device keeps a buffer for later (the
 * balloon's statistics).  Held requests do not count in vmodel_pending.
 */
void vmodel_hold_queue(struct vmodel *m, uint16_t queue, bool hold);
/** Signal a configuration change (interrupt on the config vector) */
void vmodel_config_changed(struct vmodel *m);
/** Enter the DEVICE_NEEDS_RESET state */
void vmodel_needs_reset(struct vmodel *m);

/**
 * One device step: on every enabled queue that was notified (or on which
 * the device is still busy, see busy_steps, or holds a buffer it waits to
 * fill) consume the newly available requests, then re-enable
 * notifications and look once more before going idle; complete what the
 * behaviour allows on every queue; raise interrupts as the driver's
 * suppression state asks. A queue never notified is never looked at.
 * Returns completions written.
 */
unsigned vmodel_run(struct vmodel *m);

/** Why a queue cannot make progress as the device sees it (vmodel_stall) */
enum vmodel_stall {
    VMODEL_STALL_NONE = 0,
    VMODEL_STALL_NO_KICK,        /**< Idle, notifications on, buffers available, never notified */
    VMODEL_STALL_LOST_IRQ,       /**< Event index: the driver asks for an interrupt at a used
                                      entry already written with none sent: none will come */
    VMODEL_STALL_MAYBE_LOST_IRQ, /**< Flags only: entries written while interrupts were off,
                                      now on; lost if the driver waits for them */
};

/** The stall of a queue right now, with a one-line explanation in WHY */
enum vmodel_stall vmodel_stall(struct vmodel *m, uint16_t queue, char *why, size_t len);

/** Split: is descriptor D on a chain published up to AVAIL_IDX that the
 *  device has not taken yet (it will read it later) or has taken and not
 *  used yet? */
bool vmodel_split_desc_owned(struct vmodel *m, uint16_t queue, uint16_t d, uint16_t avail_idx);
/** Split: the same for every descriptor at once, in one walk of the
 *  chains: bit D of MAP (MAP_BYTES long, cleared first) set when
 *  vmodel_split_desc_owned would say D; false when none is (a queue not
 *  enabled, a packed ring, rings out of reach, or MAP too short for it) */
bool vmodel_split_owned_map(struct vmodel *m, uint16_t queue, uint16_t avail_idx, uint8_t *map,
                            size_t map_bytes);
/** Packed: is SLOT between the device's next used position and the
 *  driver's next head NEXT (wrap counter NEXT_WRAP), i.e. made available
 *  and not used yet? */
bool vmodel_packed_desc_owned(struct vmodel *m, uint16_t queue, uint16_t slot, uint16_t next,
                              bool next_wrap);
/** Packed: call FN with each descriptor whose buffer the device owns (16
 *  bytes as the driver wrote them, and the ring slot they were written at)
 *  until FN returns true: chains made available up to the driver's next
 *  head NEXT (wrap counter NEXT_WRAP) and not taken yet, read from the ring,
 *  and chains taken and not used yet, by buffer ID from copies kept when
 *  taken (used descriptors are written in completion order at the next used
 *  slot, over other chains: spec 2.8).  True when FN returned true. */
bool vmodel_packed_owned_each(struct vmodel *m, uint16_t queue, uint16_t next, bool next_wrap,
                              bool (*fn)(void *ctx, uint16_t slot, const uint8_t *desc), void *ctx);

/** Split: the avail index up to which the device has taken entries */
uint16_t vmodel_avail_seen(struct vmodel *m, uint16_t queue);

/** Complete a request taken with VMODEL_ASYNC: WRITTEN device-writable
 *  bytes (clamped to what the request had); the used entry is written at the
 *  next vmodel_run once the queue's seeded delay of the request
 *  (vmodel_queue_delay; none by default) is over too.  -1 when QUEUE has no
 *  such request (a device reset dropped it). */
int vmodel_complete(struct vmodel *m, uint16_t queue, uint16_t id, uint32_t written);
/** As vmodel_complete, but the request is used together with the next one the handler
 *  takes on QUEUE (one used-index update): a virtio-net frame over several merged receive
 *  buffers, which the driver must see all at once (virtio 1.2, 5.1.6.4) */
int vmodel_complete_joined(struct vmodel *m, uint16_t queue, uint16_t id, uint32_t written);
/** A hostile used length for request ID of QUEUE, answered already and not
 *  yet used: LEN as is, past its buffer too (a device that lies) */
int vmodel_used_len_set(struct vmodel *m, uint16_t queue, uint16_t id, uint32_t len);
/** The request QUEUE/ID the device holds (taken, not used; or the one the handler is
 *  taking now) as a number no other request of this device gets: 0 when none */
uint64_t vmodel_ticket(struct vmodel *m, uint16_t queue, uint16_t id);
/** Hostile device: the request the handler is taking now (from inside the handler; it
 *  returns a written length, not VMODEL_ASYNC) is used with length LEN whatever it wrote,
 *  unclamped: past its device-writable bytes, 0xffffffff, or on a chain with none (virtio
 *  1.2 2.7.8.1 / 2.8.22.1: the device writes at most that many bytes; this one lies) */
void vmodel_used_len_over(struct vmodel *m, uint32_t len);
/** As vmodel_complete, but the used entry is written only once every request in AFTER
 *  (N tickets, vmodel_ticket; 0s and ones already used are ignored) is used, even on
 *  other queues: an order the device keeps itself where virtio orders no queue against
 *  another (a virtio-scsi TMF answered after the commands it ended, as SAM-5 and QEMU),
 *  and no earlier than HOLD of virtual time from now */
int vmodel_complete_after(struct vmodel *m, uint16_t queue, uint16_t id, uint32_t written,
                          const uint64_t *after, unsigned n, uint64_t hold);
/** Device resets so far: a back end's completion from before a reset is stale */
uint32_t vmodel_reset_count(struct vmodel *m);
/** A write of 0 not yet followed by the status read of 0 that ends it
 *  (reset_late): the device still uses its rings */
bool vmodel_reset_pending(const struct vmodel *m);

/** Requests the device holds (consumed, not completed) on a queue, except a held queue */
unsigned vmodel_pending(struct vmodel *m, uint16_t queue);

/** Device status byte, features the driver wrote, queue state */
uint8_t vmodel_status(struct vmodel *m);
uint64_t vmodel_driver_features(struct vmodel *m);
bool vmodel_queue_enabled(struct vmodel *m, uint16_t queue);
uint16_t vmodel_queue_size(struct vmodel *m, uint16_t queue);

const struct vmodel_stats *vmodel_stats(struct vmodel *m);
void vmodel_clear_stats(struct vmodel *m);

/** BAR numbers and offsets of the modelled layout */
#define VMODEL_LEGACY_BAR     0
#define VMODEL_MODERN_BAR     4
#define VMODEL_COMMON_OFF     0x0000
#define VMODEL_ISR_OFF        0x1000
#define VMODEL_DEVICE_OFF     0x2000
#define VMODEL_NOTIFY_OFF     0x3000
#define VMODEL_MODERN_BAR_LEN 0x8000

#endif /* VMODEL_H */
