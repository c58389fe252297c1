/*
 * A virtio PCI function whose rings are served by a real back end over
 * vhost-user (the second tier: external, not deterministic in timing).  The
 * generic part (dev_vhost.c) starts the back end on a unix socket under the
 * build directory, bounded in time (it dies with the harness process and is
 * stopped by PID when the machine goes away), shares guest RAM with it as
 * the memfd, gives every queue its own kick and call eventfd, forwards the
 * driver's notifications as kicks and turns each queue's calls into the
 * MSI-X message the driver gave that queue.  Split and packed rings.  The
 * register file and configuration space are the device model's
 * (dev_virtio.h), filled with the back end's features and configuration.
 * What differs per device type is a small table (struct vw_vhost_type):
 * dev_vhost_blk.c (qemu-storage-daemon), dev_vhost_net.c (DPDK testpmd).
 */
#pragma once
#include <pthread.h>
#include <poll.h>
#include <stddef.h>
#include "dev_virtio.h"
#include "vhost_user.h"
#include "dev_vhost_packed.h"

#define VW_VHOST_MAX_ARGS 24

struct vw_vhost_dev;

struct vw_vhost_type {
    const char *name;    /* "blk": socket, log and messages */
    const char *program; /* the back end, looked up on PATH */
    const char *package; /* the Debian package that ships it */
    uint16_t device_type;
    uint32_t config_len;
    /* Real time the harness keeps waiting after a call or after the back
     * end last wrote a ring (0: 20 ms); net waits for the frame that
     * answers a sent one. */
    unsigned quiet_ms;
    /* Even queues receive (net): a kick there posts buffers and expects no
     * call, so the harness does not wait for one. */
    bool even_queues_receive;
    /* The back end polls its queues and asks for no notifications (DPDK):
     * while a (non-receive) queue holds buffers the back end has not used,
     * the harness waits for it in real time (bounded). */
    bool polls;
    /* Feature bits never offered to the driver (ones the front end would
     * have to implement itself). */
    uint64_t withheld;
    /* Feature bits the front end adds (ones it implements itself). */
    uint64_t offers;
    /* Fill ARGV (at most VW_VHOST_MAX_ARGS - 1 entries) to serve SOCK with
     * QUEUES queues; strings may live in STORE. */
    void (*argv)(const struct vw_vhost_dev *d, const char **argv, char *store, size_t cap);
    /* The configuration space when the back end has no GET_CONFIG. */
    void (*config)(const struct vw_vhost_dev *d, uint8_t *cfg);
    /* After the function exists: serve the extra queues (the model's
     * handler), NULL when there are none. */
    void (*setup)(struct vw_vhost_dev *d);
    /* After DRIVER_OK's queues are the back end's: let it start serving
     * them (net: testpmd's forwarding, which polls from then on; NULL:
     * it serves from the start). */
    void (*serve)(struct vw_vhost_dev *d);
    /* After the back end exited: remove what it leaves behind (NULL: nothing). */
    void (*cleanup)(const struct vw_vhost_dev *d);
    /* A forwarder (net): has every frame it took from the queues it polls
     * come back on a receive queue (false when it cannot tell)?
     * Lets the settling wait end when the answer is there instead of after
     * quiet_ms.  FORGET: the wait is over, frames still unanswered were
     * dropped (no receive buffer) and are not waited for again.  NULL: no
     * such count. */
    bool (*answered)(struct vw_vhost_dev *d, bool forget);
    /* A forwarder: the name of its thread that writes the used entries and
     * signals the calls (its run time tells when a call for an entry seen
     * can no longer come; NULL: not known). */
    const char *worker;
    /* Split rings: each buffer the driver made available on QUEUE, its
     * head descriptor HEAD, seen at the next kick or poll (before the
     * driver can take it back): what the back end is handed (NULL: not
     * looked at). */
    void (*avail)(struct vw_vhost_dev *d, unsigned queue, uint16_t head);
};

struct vw_vhost_params {
    const char *target;    /* what the back end serves (blk: the image file) */
    uint16_t queues;       /* virtqueues the back end serves */
    uint16_t extra_queues; /* queues after those, served by the model (net: control) */
    uint16_t queue_max;
    uint64_t withhold; /* feature bits this scenario does not offer */
};

struct vw_vhost_queue {
    int kick, call;
    uint16_t vector; /* MSI-X message the driver gave the queue */
    bool started;
    uint64_t kicks, calls;
    struct vw_vhost_ring ring; /* as the back end was told */
    struct vw_vhost_packed pk; /* packed: what the driver and the back end wrote */
    uint32_t used_state;       /* what the back end had written when last looked at */
    uint32_t polled_state;     /* what it had written before the calls were last polled */
    uint32_t called_state;     /* polled_state when its last call was read */
    bool event_idx;            /* split with EVENT_IDX: the driver's used_event is readable */
    bool stopped;              /* GET_VRING_BASE answered stopped_base */
    bool kicked;               /* kicked since it last held nothing unused */
    uint32_t stopped_base;     /* next avail index (packed: bit 15 the wrap counter) */
    /* Used entries the back end wrote (over every ring the queue had), and
     * (split rings) the most buffers made available and not yet used when
     * the driver kicked (what the back end had in hand at once). */
    uint64_t used_total;
    unsigned max_unused;
    /* answered (net): the used index counted up to (packed: the used
     * buffers, fwd_used), the buffers of the frame being counted still to
     * come (mergeable receive buffers) and the frames counted, since the
     * queue started; fwd_lost: a packed head whose frame length could not be
     * read, so the count cannot be trusted (never answered). */
    uint16_t fwd_seen;
    uint32_t fwd_cont;
    uint64_t fwd_frames, fwd_used;
    bool fwd_lost;
    uint16_t avail_seen; /* split, type->avail set: the avail index looked at */
    /* type->worker: the used state when it last changed, and the worker
     * thread's run time (ns) when that was seen (seen false: not read). */
    uint32_t seen_state;
    uint64_t seen_run_ns;
    bool seen;
};

struct vw_vhost_dev {
    const struct vw_vhost_type *type;
    struct vw_vhost_params p;
    struct vw_virtio *dev;
    struct vw_vhost vu;
    struct vm *vm;
    int daemon;                  /* pid, 0 = none */
    uint64_t up_ms, lifetime_ms; /* when it started; how long it ran */
    uint64_t start_ms;           /* how long it took to serve its socket */
    char sock[200], log[260];    /* the daemon's log is kept when the run fails */
    struct vw_vhost_queue *q;    /* p.queues */
    struct pollfd *pfd;          /* p.queues: their call eventfds */
    unsigned waiting;            /* kicks not answered by a call yet */
    uint64_t deadline_ms;
    /* A back end that answers kicks: polls in a row that found the guest
     * no further (no buffer made available, no kick) while it was waited
     * for; only then does a poll block (dev_vhost.c, spinning). */
    unsigned still_polls;
    uint32_t guest_mark;
    uint64_t pending_since_ms; /* polls: when buffers were first seen waiting */
    /* A kicked queue holds buffers not used yet: the harness waits for the
     * back end in real time (virtual time stands still) up to hang_ms of
     * silence (no call, no used entry) since progress_ms; past that the back
     * end hangs and the run fails by its name.  Until held_until_ms the
     * scenario holds the back end on purpose (vw_vhost_hold): its silence is
     * the device's, and virtual time runs. */
    uint64_t progress_ms, held_until_ms; /* polls: the last call or used entry */
    unsigned hang_ms;
    int stdin_fd; /* the back end's stdin (testpmd exits on its EOF) */
    int lock_fd;  /* polls: held while the back end runs (one per machine) */
    /* vw_vhost_pause: the thread that continues the back end, and after
     * how long (0: stopped for good). */
    pthread_t resumer;
    bool resuming;
    unsigned pause_ms;
    /* net: queue pairs the driver set on the control queue, and control
     * commands refused */
    uint16_t net_pairs;
    unsigned net_refused;
    bool net_forwarding; /* testpmd was told to start forwarding */
    /* A forwarder is stopped (SIGSTOP) while settled (park_or_wake); never
     * after a scenario paused it itself.  How often and how long, for the
     * log. */
    bool parked, no_park;
    unsigned parks;
    uint64_t parked_at_ms, parked_total_ms;
    /* answered (net): frames sent that were given up on (dropped by the
     * back end: no receive buffer) */
    uint64_t fwd_dropped;
    /* Split rings: the most buffers made available and not yet used over
     * all queues at once, seen at any poll (what the back end had to take
     * at once; max_unused only looks at kicks, which EVENT_IDX suppresses). */
    unsigned max_pending;
    /* type->worker: its thread id in the back end (0: not looked for yet,
     * -1: not found). */
    int worker_tid;
    /* Planted (checker scenarios only): net counts a packed receive queue's
     * buffers the driver posted as frames back, not the ones the back end
     * used (frames not forwarded yet counted as answered). */
    bool planted_count_posted;
    /* Planted (checker scenarios only): a reset stops the queues at once,
     * without waiting for what the back end holds (the old order). */
    bool no_drain;
};

/* True when TYPE's back end is installed. */
bool vw_vhost_available(const struct vw_vhost_type *type);
/* The same, failing the run when it is not: a missing back end is a
 * failure, never a pass (make installs TYPE->package). */
bool vw_vhost_require(struct vm *vm, const struct vw_vhost_type *type);
/* Start the back end, connect, negotiate, create the function; NULL after
 * a failure (the run has failed). */
struct vw_vhost_dev *vw_vhost_create(struct vm *vm, const struct vw_vhost_type *type,
                                     const struct vw_vhost_params *p);
/* True when a polling back end of TYPE runs from this build directory now:
 * its lock is held, so another one waits before starting. */
bool vw_vhost_lock_held(struct vm *vm, const struct vw_vhost_type *type);
/* The real time the harness waits for a back end with kicked buffers
 * unused, from its last call or used entry, before the run fails as a hang
 * (a loaded host is slow, not a device that hangs in virtual time). */
#define VW_VHOST_HANG_MS 30000
void vw_vhost_hang_bound(struct vw_vhost_dev *d, unsigned ms);
/* The scenario stops the back end on purpose for MS of real time from now
 * (SIGSTOP): meanwhile its silence is a device that does not answer, so
 * virtual time runs on to the driver's time-outs; after it the harness
 * waits for what is still owed as usual. */
void vw_vhost_hold(struct vw_vhost_dev *d, unsigned ms);
/* The scenario stops the back end (SIGSTOP) now as a slow or loaded host
 * would, for MS of real time (a host thread continues it), or for good
 * when MS is 0: unlike vw_vhost_hold the harness keeps waiting for it, up
 * to its hang bound.  vw_vhost_pause_end waits for the continuation. */
bool vw_vhost_pause(struct vw_vhost_dev *d, unsigned ms);
void vw_vhost_pause_end(struct vw_vhost_dev *d);
/* Buffers the back end used on QUEUE since it was started, modulo 65536
 * (split: the used index; packed: the used descriptors counted as the back
 * end wrote them; -1: not started): per-queue traffic. */
int vw_vhost_used(struct vw_vhost_dev *d, unsigned queue);
/* Stop the back end now (by PID) and record its lifetime. */
void vw_vhost_stop(struct vw_vhost_dev *d);

extern const struct vw_vhost_type vw_vhost_blk; /* dev_vhost_blk.c */
extern const struct vw_vhost_type vw_vhost_net; /* dev_vhost_net.c */
