/*
 * A virtio PCI function in the harness, backed by the device model of
 * tests/models/virtio/vmodel (which knows config space, capabilities, modern and
 * legacy register files and the device end of both ring formats):
 *  - BARs on the bus: the modern MMIO BAR at 0xfe000000 and the legacy I/O
 *    BAR at port 0xc000 (on arm64 the I/O BAR is translated to memory);
 *  - configuration space through BUS_INTERFACE_STANDARD;
 *  - a PDO with raw and translated resources: ranges plus MSI-X messages or
 *    a level-triggered line;
 *  - guest memory: the common buffers the driver allocated, nothing else;
 *  - the device runs at scheduling points and raises its interrupts there.
 * Checkers (dev_virtio_check.c) fail the run on a driver-side violation:
 * status order ACKNOWLEDGE -> DRIVER -> FEATURES_OK -> DRIVER_OK, features
 * not offered, avail->idx published before its ring entries or an entry
 * or descriptor rewritten after it (split), a descriptor made available before its
 * address and length or a head before its chain (packed), buffers never
 * notified and lost interrupts (vmodel_stall), descriptors
 * outside common buffers or looping (the model's own checks).
 */
#pragma once
#include "../../models/virtio/vmodel.h"
#include "vm.h"

/* Virtual time a queue may stall (buffers never notified, an interrupt
 * lost) before the run fails: 5 s in 100 ns units. */
#define VW_VIRTIO_STALL_LIMIT 50000000ull

/* Default seeded delay of each request: 0..50 us of virtual time. */
#define VW_VIRTIO_DELAY_MAX 500ull

struct vw_virtio_config {
    enum vmodel_transport transport;
    uint16_t device_type;
    uint64_t features; /* offered */
    uint16_t queues, queue_max;
    bool msix;             /* MSI-X assigned and enabled; else the INTx line */
    uint16_t msix_vectors; /* messages granted with msix; 0: queues + 1 */
    uint32_t seed;
    uint32_t device_cfg_len;
    bool sync; /* complete inside the notification (no delay, whatever the seed) */
};

/* Split-ring ordering watch on one queue's avail ring. */
struct vw_vq_watch {
    struct vm *vm;
    struct vw_virtio *dev;
    unsigned queue;
    bool active;
    uc_hook hook;
    uc_hook desc_hook; /* split: the descriptor table */
    bool desc_hooked;
    bool packed; /* watching the packed descriptor ring, else the split avail ring */
    gva_t va;
    gva_t desc_va;      /* split: the descriptor table */
    uint16_t size, idx; /* split: avail->idx seen; packed: the driver's next head */
    bool wrap;          /* packed: the driver's wrap counter at idx */
    /* Split: ring entry written since the index last passed it.  Packed:
     * bit 0 address, bit 1 length written since the slot was last made
     * available.  One per ring entry (any queue size). */
    uint8_t *fresh;
    /* Barrier checks (dev_virtio_barrier.c), against vm->barriers. */
    bool stored;          /* a descriptor or ring entry stored since the last publication */
    uint64_t store_mark;  /* store barriers at that store */
    bool kicked;          /* published; no full barrier checked since */
    uint64_t kick_mark;   /* full barriers at the publication */
    bool idx_read;        /* split: used->idx read (not by an acquire load) */
    uint64_t idx_mark;    /* load barriers at that read */
    uint64_t *flags_mark; /* packed: per slot, load barriers + 1 at its flags read; 0 none */
    gva_t used_va;        /* split: the used ring; packed: the device event suppression */
    uc_hook read_hook, event_hook;
    bool read_hooked, event_hooked;
};

/* An external ring engine (a vhost-user back end) instead of the model's:
 * the model keeps the registers and configuration space. */
struct vw_virtio_backend {
    void (*driver_ok)(struct vw_virtio *dev); /* rings are set up */
    void (*reset)(struct vw_virtio *dev);     /* status written 0 */
    /* A notification; false: not a queue of the back end (the model's). */
    bool (*notify)(struct vw_virtio *dev, uint16_t queue);
    bool (*poll)(struct vw_virtio *dev); /* as vw_poll_fn */
};

/* What the model's handler waits on (virtio-scsi's SCSI target back end):
 * polled at each device step between two model runs (take requests, let
 * the back end answer, write the used entries); true while it keeps the
 * device busy (answers awaited in real time: virtual time waits).
 * NEXT_DUE: its next deferred event in virtual time (VW_NO_DEADLINE). */
struct vw_virtio_service {
    bool (*poll)(struct vw_virtio *dev, void *ctx);
    uint64_t (*next_due)(struct vw_virtio *dev, void *ctx);
    void *ctx;
};

struct vw_fetch_watch;
struct vw_virtio {
    struct vm *vm;
    const struct vw_virtio_backend *backend;
    void *backend_ctx;
    struct vw_virtio_service service; /* vw_virtio_set_service */
    struct vmodel *model;
    struct vw_virtio_config cfg;
    gva_t pdo;
    bool hold; /* the device takes no requests (a hung device) */
    bool gone; /* surprise-removed: reads all ones, ignores writes */
    /* BAR register reads and writes by the driver (a scenario's check that
     * nothing touches the device while it is in D3; config space is not
     * counted: it stays accessible in D3hot). */
    uint64_t bar_accesses;
    uint64_t errors_seen;
    uint8_t status;
    bool pending_watch; /* arm the ring watches after this register write */
    /* Written 0 and the model's reset still pending (vmodel reset_late):
     * the watches and claims stay until the status read that ends it. */
    bool unwatch_pending;
    bool double_fetch; /* vw_virtio_double_fetch */
    struct vw_fetch_watch *fetch;
    unsigned fetch_count;
    struct vw_vq_watch *watch; /* one per queue (any number of queues) */
    uint64_t *stall_since;     /* per queue: virtual time + 1 a stall began; 0 none */
    /* What the device wrote into the driver's buffers, in order (the
     * entropy stream for virtio-rng). */
    uint64_t rng;
    uint8_t produced[1 << 16];
    uint32_t produced_len;
};

struct vw_virtio *vw_virtio_create(struct vm *vm, const struct vw_virtio_config *cfg);
/* The ring layout of an enabled queue as the device has it (bus addresses),
 * read through the register file with the selector restored; false when the
 * queue is not enabled. */
bool vw_virtio_queue_layout(struct vw_virtio *dev, unsigned q, uint64_t *desc, uint64_t *avail,
                            uint64_t *used, uint16_t *size);
/* The MSI-X message the driver gave queue Q (0xffff: none, or INTx). */
uint16_t vw_virtio_queue_vector(struct vw_virtio *dev, unsigned q);
/* Asynchronous completion: each request of QUEUE (-1: every queue)
 * completes MIN..MAX (100 ns units, seeded per request) after the device
 * took it; with OUT_OF_ORDER any request that is due may complete first
 * (a block device), else in the order taken.  vw_virtio_hang_queue: nothing of
 * QUEUE completes for DURATION of virtual time from now (a back end that
 * hangs; requests are still taken), then it resumes. */
void vw_virtio_delay(struct vw_virtio *dev, int queue, uint64_t min, uint64_t max,
                     bool out_of_order);
void vw_virtio_hang_queue(struct vw_virtio *dev, uint16_t queue, uint64_t duration);
/* The double-fetch knob (dev_virtio_fetch.c): from the next DRIVER_OK, the
 * device rewrites each byte of a used element's id and length right after
 * the driver read it, and a second read of it fails the run ("read twice
 * by the driver").  Arm/disarm: called by the register file. */
void vw_virtio_double_fetch(struct vw_virtio *dev, bool on);
void vw_virtio_fetch_arm(struct vw_virtio *dev);
void vw_virtio_fetch_disarm(struct vw_virtio *dev);
/* Attach what the model's handler waits on (see struct vw_virtio_service). */
void vw_virtio_set_service(struct vw_virtio *dev, const struct vw_virtio_service *svc);
/* Take the device away (before IRP_MN_SURPRISE_REMOVAL). */
void vw_virtio_unplug(struct vw_virtio *dev);
/* The platform resets the function, as at a machine restart: the same as a
 * driver's write of 0 to device_status (virtio 1.2, 2.1: the device forgets
 * its queues), so nothing the old driver instance set up is used again. */
void vw_virtio_platform_reset(struct vw_virtio *dev);

/* dev_virtio_check.c: called by the register file on every driver write
 * (BAR = the modern or legacy BAR) and after every model step. */
void vw_virtio_check_write(struct vw_virtio *dev, unsigned bar, uint64_t offset, uint64_t value);
void vw_virtio_check_model(struct vw_virtio *dev);
/* After every register access: a reset the driver wrote ends the watches
 * (and the device's claims) once the model finished it. */
void vw_virtio_check_reset(struct vw_virtio *dev);
void vw_virtio_watch(struct vw_virtio *dev);
/* StorPort's completion check (vw_stor_owner_fn, port/storport/stor.h):
 * does a descriptor the driver made available and the device has not used
 * (or a table or buffer an indirect one lists) meet [PA, PA+LEN)? */
bool vw_virtio_owns(struct vm *vm, void *dev, uint64_t pa, uint64_t len, char *what, size_t n);
void vw_virtio_unwatch(struct vw_virtio *dev);

/* dev_virtio_barrier.c: the barrier rules at the ring watch's points.
 * A descriptor or ring entry stored; a publication (split avail->idx,
 * packed head flags; true when the run failed); the read hooks, armed and
 * removed with the watch. */
void vw_vq_barrier_store(struct vw_vq_watch *w);
bool vw_vq_barrier_publish(struct vw_vq_watch *w);
bool vw_vq_barrier_watch(struct vw_vq_watch *w, uint64_t used_pa);
void vw_vq_barrier_unwatch(struct vw_vq_watch *w);
