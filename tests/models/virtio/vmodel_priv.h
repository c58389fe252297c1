/*
 * vmodel_priv.h - internal state of the device model (vmodel.h).
 */
#ifndef VMODEL_PRIV_H
#define VMODEL_PRIV_H

#include "vmodel.h"

#define VMODEL_MAX_SEGS 4096
/* PCI Status bit 3 (PCI Local Bus 3.0, 6.2.3): INTx asserted */
#define PCI_STATUS_INTERRUPT 0x08

/** A request the device consumed and has not completed */
struct vmodel_pending {
    uint16_t id;
    uint16_t ndesc; /**< Packed: descriptors the chain occupied */
    uint16_t slot;  /**< Packed: ring position of its first descriptor */
    /** Packed: its NDESC ring descriptors as taken (16 bytes each; NULL for
     *  split).  A used descriptor written out of order may overwrite them in
     *  the ring while the device still owns the buffer (spec 2.8). */
    uint8_t *descs;
    uint32_t in_len;
    uint32_t cap;  /**< Device-writable bytes of the request */
    bool deferred; /**< Taken with VMODEL_ASYNC, not completed by the back end yet */
    uint64_t step; /**< Step it was consumed in */
    uint64_t due;  /**< Virtual time it may complete at (vmodel_queue_delay) */
    /** Its first buffers as taken, for the publish hook */
    struct vmodel_seg segs[VMODEL_PUBLISHED_SEGS];
    uint8_t nsegs;
    bool joined;     /**< Completed, but used together with the next request taken
                          (vmodel_complete_joined): due when that one is */
    uint64_t ticket; /**< Its own number while held (vmodel_ticket) */
    uint64_t *after; /**< Tickets that must be used first (vmodel_complete_after) */
    unsigned nafter;
};

struct vmodel_queue {
    uint16_t size; /**< Current size (modern: driver may lower it) */
    uint16_t msix_vector;
    bool enabled;
    uint64_t desc, driver, device; /**< Bus addresses */
    /* Device-side ring state */
    uint16_t last_avail; /**< Split: next avail index; packed: next position */
    bool avail_wrap;     /**< Packed: device's view of the driver wrap */
    uint16_t used_idx;   /**< Split: next used idx; packed: next used position */
    bool used_wrap;
    uint16_t signalled;     /**< Split: used idx at the last interrupt decision */
    uint32_t signalled_lin; /**< Packed: linear used position at last decision */
    uint32_t used_lin;      /**< Packed: linear used position (never wraps mod num) */
    struct vmodel_pending *pending;
    unsigned npending;
    bool hold; /**< Requests are consumed but not completed (vmodel_hold_queue) */
    /* Notification state (spec 2.7.10, 2.8.10): the device looks at the
     * avail ring only after a notification, or while it is still working
     * (notifications suppressed) or waiting for data to put in buffers. */
    bool kicked;        /**< Notified since the device last looked */
    bool active;        /**< Still working: notifications suppressed, looks each step */
    uint32_t busy_left; /**< Steps the device still works through this burst */
    uint16_t irq_used;  /**< Split: used idx at the last interrupt sent */
    bool late_irq;      /**< notify_late: an interrupt owed at late_irq_at */
    uint64_t late_irq_at;
    uint32_t irq_used_lin; /**< Packed: used_lin at the last interrupt sent */
    /* Asynchronous completion (vmodel_queue_delay, vmodel_queue_freeze):
     * scenario settings, kept across a reset. */
    uint64_t delay_min, delay_max; /**< Seeded delay of each request, virtual time */
    uint64_t frozen_until;         /**< No completion before this virtual time */
    /* vmodel_queue_service: the device looks at the avail ring at most
     * once per period, on its own schedule (0: at every step). */
    uint64_t service_period, next_service;
};

struct vmodel_dma_region {
    uint64_t pa;
    uint8_t *va;
    size_t len;
};

struct vmodel {
    struct vmodel_config cfg;
    struct vmodel_behaviour beh;
    bool removed; /* vmodel_set_removed */
    uint64_t rng;
    uint64_t nrng; /* how long the device keeps working (own stream: rng sequences unchanged) */
    uint64_t step;
    uint32_t resets;                  /* device resets so far (vmodel_reset_count) */
    uint64_t now;                     /* virtual time (vmodel_set_time) */
    uint64_t drng;                    /* request delays (own stream: rng sequences unchanged) */
    uint64_t tickets;                 /* the last ticket given (vmodel_ticket) */
    uint64_t taking_ticket;           /* the request the handler is taking now: its ticket, */
    uint16_t taking_queue, taking_id; /* queue and ID (taking_ticket 0: none) */
    bool used_len_over;               /* vmodel_used_len_over: the request being taken is */
    uint32_t used_len_raw;            /* used with this length, unclamped */
    uint8_t pcicfg[256];
    uint64_t bar_len[6];
    bool bar_io[6];
    uint8_t *devcfg;
    /* Common registers */
    uint8_t status;
    uint8_t generation;
    uint32_t churn_left;
    uint8_t isr;
    uint32_t dfselect, gfselect;
    uint64_t driver_features;
    uint16_t queue_select;
    uint16_t msix_config;
    uint32_t reset_reads; /**< Status reads left before a reset completes */
    bool reset_pending;   /**< reset_late: written 0, rings still in use until it completes */
    struct vmodel_queue *q;
    struct vmodel_dma_region *dma; /* grows as the driver allocates (vmodel_dma_register) */
    unsigned dma_count, dma_cap;
    struct vmodel_seg segs[VMODEL_MAX_SEGS];
    vmodel_handler_fn handler;
    void *handler_ctx;
    vmodel_irq_fn irq;
    void *irq_ctx;
    vmodel_cfg_write_fn cfg_write;
    void *cfg_write_ctx;
    vmodel_used_fn used_hook;
    void *used_ctx;
    vmodel_published_fn published_hook;
    void *published_ctx;

    vmodel_reset_fn reset_hook;
    void *reset_ctx;
    struct vmodel_stats stats;
};

/* vmodel.c */
void vmodel_error(struct vmodel *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
uint32_t vmodel_rand(struct vmodel *m);
void *vmodel_dma(struct vmodel *m, uint64_t pa, size_t len);
void vmodel_interrupt(struct vmodel *m, uint16_t queue);
bool vmodel_has(const struct vmodel *m, unsigned bit);

/* vmodel_ring.c */
void vmodel_queue_reset(struct vmodel *m, struct vmodel_queue *q);
unsigned vmodel_ring_run(struct vmodel *m, uint16_t index);
void vmodel_ring_kick(struct vmodel *m, uint16_t index);
bool vmodel_pending_blocked(struct vmodel *m, struct vmodel_pending *p);

#endif /* VMODEL_PRIV_H */
