/*
 * The generic vhost-user function (see dev_vhost.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "dev_vhost.h"
#include "kernel.h"
#include "ram.h"

#define CONNECT_TIMEOUT_MS 15000 /* testpmd's EAL takes a while on a loaded machine */
/* How long a run waits in real time after a kick for its call (virtual
 * time stands still meanwhile).  Beyond it, a back end that still owes
 * buffers it was kicked for, or a polling one that leaves buffers unused,
 * is waited for up to the hang bound (VW_VHOST_HANG_MS); a kick with
 * nothing owed lets the driver's own wait time out in virtual time. */
#define REQUEST_TIMEOUT_MS 3000
#define QUIET_MS           20 /* after a call, wait this long for the next one */
/* Polls in a row with the guest no further before one blocks (1 ms) for a
 * back end that answers kicks: a guest still submitting is not held up,
 * one that waits or spins gives the back end real time. */
#define STILL_POLLS   16
#define F_RING_PACKED 34
#define F_EVENT_IDX   29
#define F_IN_ORDER    35
/* Never offered: dirty logging, an IOMMU, notification data, queue reset
 * (the front end implements none of them) and the vhost-user bit itself. */
#define FRONT_END_WITHHELD                                                                         \
    (1ull << 26 | 1ull << VHOST_USER_F_PROTOCOL_FEATURES | 1ull << 33 | 1ull << 38 | 1ull << 40)

/* The worker's run time after its last entries were seen past which their
 * call is in the eventfd or never comes: its pass takes microseconds, and
 * schedstat's run time may lag a scheduler tick (10 ms at HZ 100). */
#define WORKER_DECIDED_NS (12ull * 1000 * 1000)

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Is TYPE's program on PATH?  Host side. */
bool vw_vhost_available(const struct vw_vhost_type *type)
{
    const char *path = getenv("PATH");
    char buf[512];
    while (path != NULL && *path) {
        const char *end = strchr(path, ':');
        size_t len = end ? (size_t)(end - path) : strlen(path);
        snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, path, type->program);
        if (access(buf, X_OK) == 0)
            return true;
        path = end ? end + 1 : NULL;
    }
    return false;
}

bool vw_vhost_require(struct vm *vm, const struct vw_vhost_type *type)
{
    if (vw_vhost_available(type))
        return true;
    vw_fail(vm, "vhost-%s: %s is not installed (Debian %s)", type->name, type->program,
            type->package);
    return false;
}

static uint32_t used_state(struct vw_vhost_queue *q);
static void wake(struct vw_vhost_dev *d);
static bool note_used(struct vw_vhost_dev *d, uint64_t now);
static bool worker_run_ns(struct vw_vhost_dev *d, uint64_t *ns);
static void log_rings(struct vw_vhost_dev *d);

/* Fail the run with the protocol layer's error (d->vu.error), naming the
 * back end's program and pid as the hang checks do: a back end that stops
 * answering is reported the same whichever check sees it first (a reply
 * bound at a queue's stop, or the hang bound on its rings). */
static void fail_protocol(struct vm *vm, struct vw_vhost_dev *d)
{
    vw_fail(vm, "vhost-%s: the back end (%s, pid %d): %s", d->type->name, d->type->program,
            d->daemon, d->vu.error);
}

/* Tell the back end about every queue the driver enabled (DRIVER_OK). */
static void driver_ok(struct vw_virtio *dev)
{
    struct vw_vhost_dev *d = dev->backend_ctx;
    struct vm *vm = dev->vm;
    /* What the driver acked of what the back end offered (the front end's
     * own features, like net's control queue, are not the back end's). */
    wake(d); /* messages follow */
    uint64_t features = vmodel_driver_features(dev->model) & d->vu.features;
    bool packed = features >> F_RING_PACKED & 1;
    if (!vw_vhost_set_features(&d->vu, features) ||
        !vw_vhost_set_mem_table(&d->vu, vm->ram.fd, vm->ram.size, vm->ram.host)) {
        fail_protocol(vm, d);
        return;
    }
    for (unsigned i = 0; i < d->p.queues; i++) {
        uint64_t desc, driver, device;
        uint16_t size;
        if (!vw_virtio_queue_layout(dev, i, &desc, &driver, &device, &size))
            continue; /* a queue the driver does not use */
        uint64_t dlen = packed ? 4 : 6 + 2ull * size, ulen = packed ? 4 : 6 + 8ull * size;
        struct vw_vhost_ring r = {
            .index = i,
            .num = size,
            .packed = packed,
            .desc = vw_ram_host(vm, desc, 16ull * size),
            .driver = vw_ram_host(vm, driver, dlen),
            .device = vw_ram_host(vm, device, ulen),
            .kick = d->q[i].kick,
            .call = d->q[i].call,
        };
        if (r.desc == NULL || r.driver == NULL || r.device == NULL) {
            vw_fail(vm, "vhost-%s: queue %u's rings are outside guest RAM", d->type->name, i);
            return;
        }
        d->q[i].vector = vw_virtio_queue_vector(dev, i);
        if (!vw_vhost_start_queue(&d->vu, &r)) {
            vw_fail(vm, "vhost-%s: the back end (%s, pid %d): queue %u: %s", d->type->name,
                    d->type->program, d->daemon, i, d->vu.error);
            return;
        }
        if (packed && !vw_vhost_packed_init(&d->q[i].pk, size, features >> F_IN_ORDER & 1)) {
            vw_fail(vm, "vhost-%s: queue %u: out of memory", d->type->name, i);
            return;
        }
        d->q[i].started = true;
        d->q[i].ring = r;
        d->q[i].fwd_seen = 0; /* a ring starts at used index 0 */
        d->q[i].fwd_cont = 0;
        d->q[i].fwd_used = 0;
        d->q[i].fwd_lost = false;
        d->q[i].used_state = used_state(&d->q[i]);
        d->q[i].called_state = d->q[i].used_state;
        if (!packed)
            memcpy(&d->q[i].avail_seen, (const uint8_t *)r.driver + 2, 2);
        d->q[i].event_idx = !packed && (features >> F_EVENT_IDX & 1);
    }
    if (d->type->serve != NULL)
        d->type->serve(d);
}

static bool queue_pending(struct vw_vhost_queue *q);

/* Before a reset: wait in real time, up to the hang bound, until the back
 * end has used every buffer it was given on the queues it answers (not
 * net's receive queues, which hold buffers until frames come).  A back end
 * may reply to GET_VRING_BASE with requests it took still running
 * (qemu-storage-daemon 7.2 does) and finish them later in a ring the
 * driver has re-initialised, or signal a call it was told to close; the
 * vhost-user spec makes a stopped ring the back end's no more, so what it
 * holds is finished before the stop.  False (the run failed) when it
 * hangs. */
static bool drain(struct vw_vhost_dev *d)
{
    uint64_t bound = d->hang_ms ? d->hang_ms : VW_VHOST_HANG_MS;
    uint64_t start = now_ms(), progress = start;
    for (;;) {
        unsigned held = 0;
        for (unsigned i = 0; i < d->p.queues; i++)
            if (d->q[i].started && !(d->type->even_queues_receive && i % 2 == 0) &&
                queue_pending(&d->q[i]))
                held++;
        if (held == 0)
            return true;
        uint64_t now = now_ms();
        if (note_used(d, now))
            progress = now;
        if (now - progress >= bound) {
            vw_fail(d->vm,
                    "vhost-%s: the back end (%s, pid %d) hangs: %u queues still hold buffers it "
                    "was given when the device resets, no used entry for %llu ms of real time",
                    d->type->name, d->type->program, d->daemon, held,
                    (unsigned long long)(now - progress));
            log_rings(d);
            return false;
        }
        nanosleep(&(struct timespec){0, 1000 * 1000}, NULL);
    }
}

/* The driver wrote status 0: let the back end finish what it holds, stop
 * every queue, reset the back end.  Calls signalled before a queue's stop
 * belong to the device before the reset: dropped, no interrupt follows a
 * reset.  After the stop the back end must leave the queue alone: a call
 * there fails the run (poll_calls). */
static void reset(struct vw_virtio *dev)
{
    struct vw_vhost_dev *d = dev->backend_ctx;
    wake(d); /* it drains, then messages follow */
    if (!d->no_drain && !drain(d))
        return;
    for (unsigned i = 0; i < d->p.queues; i++) {
        /* Nothing of a stopped ring may reach the next one. */
        if (d->q[i].started && !(d->type->even_queues_receive && i % 2 == 0) &&
            queue_pending(&d->q[i])) {
            vw_fail(dev->vm,
                    "vhost-%s: buffers were still the back end's when GET_VRING_BASE stopped "
                    "queue %u at the device reset",
                    d->type->name, i);
            log_rings(d);
        }
        if (d->q[i].started && !vw_vhost_stop_queue(&d->vu, i, &d->q[i].stopped_base))
            fail_protocol(dev->vm, d);
        d->q[i].stopped = d->q[i].started;
        d->q[i].started = false;
        uint64_t count;
        while (read(d->q[i].call, &count, sizeof(count)) == sizeof(count))
            ;
    }
    if (!vw_vhost_reset(&d->vu))
        fail_protocol(dev->vm, d);
    d->waiting = 0;
}

static bool owed(struct vw_vhost_dev *d);
static bool forwarder_settled(struct vw_vhost_dev *d);

/* Split rings: the buffers made available on queue I since the last look,
 * each head given to the type's avail hook (the ring as shared memory:
 * the index read once). */
static void look_avail(struct vw_vhost_dev *d, unsigned i)
{
    struct vw_vhost_queue *q = &d->q[i];
    if (d->type->avail == NULL || !q->started || q->ring.packed || q->ring.num == 0)
        return;
    uint16_t avail;
    memcpy(&avail, (const uint8_t *)q->ring.driver + 2, 2);
    for (; q->avail_seen != avail; q->avail_seen++) {
        uint16_t head;
        memcpy(&head, (const uint8_t *)q->ring.driver + 4 + 2u * (q->avail_seen % q->ring.num), 2);
        d->type->avail(d, i, head);
    }
}

/* A driver notification becomes the queue's kick; the extra queues'
 * notifications are the model's. */
static bool notify(struct vw_virtio *dev, uint16_t queue)
{
    struct vw_vhost_dev *d = dev->backend_ctx;
    uint64_t one = 1;
    if (queue >= d->p.queues)
        return false;
    if (!d->q[queue].started)
        return true;
    look_avail(d, queue);
    if (write(d->q[queue].kick, &one, sizeof(one)) != sizeof(one))
        vw_fail(dev->vm, "vhost-%s: kick: %s", d->type->name, strerror(errno));
    d->q[queue].kicks++;
    if (!d->q[queue].ring.packed) { /* avail idx less used idx: what the kick hands over */
        uint16_t avail, used;
        memcpy(&avail, (const uint8_t *)d->q[queue].ring.driver + 2, 2);
        memcpy(&used, (const uint8_t *)d->q[queue].ring.device + 2, 2);
        if ((uint16_t)(avail - used) > d->q[queue].max_unused)
            d->q[queue].max_unused = (uint16_t)(avail - used);
    }
    if (d->type->even_queues_receive && queue % 2 == 0)
        return true;
    if (!d->type->polls && !owed(d))
        d->progress_ms = now_ms(); /* its silence counts from the first kick owed */
    d->q[queue].kicked = true;
    d->waiting++;
    d->deadline_ms = now_ms() + REQUEST_TIMEOUT_MS;
    return true;
}

static bool poll_calls(struct vw_vhost_dev *d);

/* Has the guest moved since the last look: buffers made available (split:
 * the avail index) or a kick on any queue?  Shared memory: read once. */
static bool guest_moved(struct vw_vhost_dev *d)
{
    uint32_t mark = 0;
    for (unsigned i = 0; i < d->p.queues; i++) {
        const struct vw_vhost_queue *q = &d->q[i];
        if (!q->started)
            continue;
        mark += (uint32_t)q->kicks;
        if (!q->ring.packed) {
            uint16_t avail;
            memcpy(&avail, (const uint8_t *)q->ring.driver + 2, 2);
            mark += avail;
        }
    }
    bool moved = mark != d->guest_mark;
    d->guest_mark = mark;
    return moved;
}

/* How long this poll may block: 1 ms while the back end is waited for,
 * but for a back end that answers kicks only once the guest has stood
 * still STILL_POLLS polls in a row (it waits, or spins on the device): a
 * scheduling point polls up to 4 rounds and a submitting driver meets one
 * at every kernel call, so blocking there held a guest that was still
 * handing over a batch to about one request per 25 ms of real time.
 * Virtual time moves only in waits and stalls, which poll on. */
static int poll_timeout(struct vw_vhost_dev *d, bool busy)
{
    if (!busy)
        return 0;
    if (d->type->polls)
        return 1;
    if (guest_moved(d)) {
        d->still_polls = 0;
        return 0;
    }
    return ++d->still_polls >= STILL_POLLS ? 1 : 0;
}

/* Calls from the back end become the queues' interrupts; while a kick is
 * unanswered (bounded), and briefly after each call, the harness waits for
 * the back end in real time instead of letting virtual time run ahead. */
static bool poll_backend(struct vw_virtio *dev)
{
    struct vw_vhost_dev *d = dev->backend_ctx;
    bool model_busy = false;
    if (d->p.extra_queues > 0) {
        /* The queues the front end serves itself (the model's handler). */
        uint64_t vnow = dev->vm->k->interrupt_time;
        vmodel_set_time(dev->model, vnow);
        model_busy = vmodel_run(dev->model) != 0 || vmodel_next_due(dev->model) <= vnow;
    }
    return poll_calls(d) || model_busy;
}

/* Does queue Q hold buffers the back end has not used?  Shared memory the
 * driver and the back end write: read once, only compared. */
static bool queue_pending(struct vw_vhost_queue *q)
{
    const struct vw_vhost_ring *r = &q->ring;
    if (!q->started)
        return false;
    if (!r->packed) {
        uint16_t avail, used;
        memcpy(&avail, (const uint8_t *)r->driver + 2, 2);
        memcpy(&used, (const uint8_t *)r->device + 2, 2);
        return avail != used;
    }
    /* Packed: the cursors say nothing is owed, or some descriptor made
     * available and not used has its AVAIL (bit 7) and USED (bit 15) flags
     * different (looked for only then: the cursors cannot invent work). */
    vw_vhost_packed_follow(&q->pk, r->desc);
    if (q->pk.used >= q->pk.made_available)
        return false;
    for (unsigned i = 0; i < r->num; i++) {
        uint16_t flags;
        memcpy(&flags, (const uint8_t *)r->desc + 16ull * i + 14, 2);
        if ((flags >> 7 & 1) != (flags >> 15 & 1))
            return true;
    }
    return false;
}

/* What the back end has written to queue Q, as one number that changes
 * whenever it uses a buffer and only then (split: the used index; packed:
 * the used descriptors its cursor counted).  Shared memory: read once. */
static uint32_t used_state(struct vw_vhost_queue *q)
{
    const struct vw_vhost_ring *r = &q->ring;
    if (!r->packed) {
        uint16_t used;
        memcpy(&used, (const uint8_t *)r->device + 2, 2);
        return used;
    }
    vw_vhost_packed_follow(&q->pk, r->desc);
    return (uint32_t)q->pk.used;
}

/* Buffers the back end used on queue QUEUE since the driver started it,
 * modulo 65536 (split: the used index as the back end wrote it; packed:
 * its used descriptors counted); -1 for a queue not started. */
int vw_vhost_used(struct vw_vhost_dev *d, unsigned queue)
{
    if (queue >= d->p.queues || !d->q[queue].started)
        return -1;
    return (int)(uint16_t)used_state(&d->q[queue]);
}

/* The back end's worker thread (type->worker): its id, looked for once in
 * /proc (-1: none). */
static int worker_tid(struct vw_vhost_dev *d)
{
    char path[80], comm[32];
    if (d->worker_tid != 0 || d->type->worker == NULL || d->daemon <= 0)
        return d->worker_tid != 0 ? d->worker_tid : -1;
    d->worker_tid = -1;
    snprintf(path, sizeof(path), "/proc/%d/task", d->daemon);
    DIR *dp = opendir(path);
    for (struct dirent *e; dp != NULL && (e = readdir(dp)) != NULL;) {
        snprintf(path, sizeof(path), "/proc/%d/task/%.20s/comm", d->daemon, e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        if (fgets(comm, sizeof(comm), f) != NULL &&
            strncmp(comm, d->type->worker, strlen(d->type->worker)) == 0)
            d->worker_tid = atoi(e->d_name);
        fclose(f);
    }
    if (dp != NULL)
        closedir(dp);
    return d->worker_tid;
}

/* The worker thread's run time in ns (/proc/PID/task/TID/schedstat, its
 * first field); false when it cannot be read. */
static bool worker_run_ns(struct vw_vhost_dev *d, uint64_t *ns)
{
    char path[80];
    int tid = worker_tid(d);
    if (tid <= 0)
        return false;
    snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", d->daemon, tid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    unsigned long long v;
    bool ok = fscanf(f, "%llu", &v) == 1;
    fclose(f);
    *ns = v;
    return ok;
}

/* Keep waiting a settling time after the back end last wrote a ring: the
 * call that reports a used entry follows it, and a forwarding back end
 * (testpmd) writes the answering receive entry right after, but it may be
 * preempted between the two. */
static bool note_used(struct vw_vhost_dev *d, uint64_t now)
{
    bool changed = false;
    uint64_t settle = d->type->quiet_ms ? d->type->quiet_ms : QUIET_MS;
    unsigned pending = 0;
    for (unsigned i = 0; i < d->p.queues; i++) {
        struct vw_vhost_queue *q = &d->q[i];
        if (!q->started)
            continue;
        look_avail(d, i);
        if (!q->ring.packed) { /* made available, not used: what the back end must take */
            uint16_t avail, used;
            memcpy(&avail, (const uint8_t *)q->ring.driver + 2, 2);
            memcpy(&used, (const uint8_t *)q->ring.device + 2, 2);
            pending += (uint16_t)(avail - used);
        }
        uint32_t state = used_state(q);
        if (state == q->used_state)
            continue;
        q->used_total += q->ring.packed ? state - q->used_state : (uint16_t)(state - q->used_state);
        q->used_state = state;
        q->seen_state = state;
        q->seen = worker_run_ns(d, &q->seen_run_ns);
        changed = true;
        if (d->deadline_ms < now + settle)
            d->deadline_ms = now + settle;
    }
    if (pending > d->max_pending)
        d->max_pending = pending;
    /* A forwarder's frames are counted as its entries come (a count that
     * waited could find a ring's entries overwritten). */
    if (changed && d->type->answered != NULL)
        d->type->answered(d, false);
    return changed;
}

/* A polling back end still has work: some queue other than a receive queue
 * holds buffers.  Waited for in real time (virtual time stands still) as
 * long as it is not silent past the hang bound: pending_since_ms is when
 * the buffers were first seen or its last call or used entry, whichever is
 * later (poll_calls fails the run past the bound). */
static bool backend_working(struct vw_vhost_dev *d, uint64_t now)
{
    bool pending = false;
    for (unsigned i = 0; d->type->polls && i < d->p.queues && !pending; i++)
        pending = !(d->type->even_queues_receive && i % 2 == 0) && queue_pending(&d->q[i]);
    if (!pending) {
        d->pending_since_ms = 0;
        return false;
    }
    if (d->pending_since_ms == 0)
        d->pending_since_ms = now;
    else if (d->progress_ms > d->pending_since_ms)
        d->pending_since_ms = d->progress_ms;
    return true;
}

/* Would the back end call for queue Q's used entries it wrote since the
 * last call read: the driver asked for one (split: no NO_INTERRUPT flag, or
 * EVENT_IDX's used_event crossed since then; packed: always assumed)?
 * Shared memory: read once.  With a known worker thread (type->worker) the
 * back end's own decision is waited for instead: the worker writes an
 * entry and decides on its call in the same pass, so once it has run
 * WORKER_DECIDED_NS since the queue's last entries were seen, a call for
 * them is in the eventfd or will never come (the driver's event index, read
 * now, may have moved since the back end read it).  *RUN_NS caches the
 * worker's run time for one look (0: not read yet). */
static bool call_due(struct vw_vhost_dev *d, struct vw_vhost_queue *q, uint64_t *run_ns)
{
    uint32_t state = used_state(q);
    if (state == q->called_state)
        return false;
    if (q->seen && state == q->seen_state && (*run_ns != 0 || worker_run_ns(d, run_ns)) &&
        *run_ns - q->seen_run_ns >= WORKER_DECIDED_NS) {
        struct pollfd pfd = {q->call, POLLIN, 0};
        if (poll(&pfd, 1, 0) == 1)
            return true;         /* read by this poll_calls */
        q->called_state = state; /* decided: no call */
        return false;
    }
    if (q->ring.packed)
        return true;
    uint16_t flags, used_event;
    memcpy(&flags, q->ring.driver, 2);
    memcpy(&used_event, (const uint8_t *)q->ring.driver + 4 + 2ull * q->ring.num, 2);
    if (!q->event_idx)
        return !(flags & 1); /* VRING_AVAIL_F_NO_INTERRUPT */
    return (uint16_t)(state - used_event - 1) < (uint16_t)(state - q->called_state);
}

/* Nothing more can come from a forwarder (it polls; what it takes comes
 * back on receive queues): no queue it polls holds buffers, every frame it
 * took has come back (type->answered) and every used entry it wrote has
 * its call read, or needs none (call_due).  Then the settling time
 * after a call ends at once instead of after quiet_ms of real time.  The
 * guest does not run meanwhile, so what the queues hold cannot grow while
 * this looks. */
static bool forwarder_settled(struct vw_vhost_dev *d)
{
    uint64_t run_ns = 0;
    if (d->type->answered == NULL)
        return false;
    for (unsigned i = 0; i < d->p.queues; i++) {
        struct vw_vhost_queue *q = &d->q[i];
        if (!q->started)
            continue;
        bool receives = d->type->even_queues_receive && i % 2 == 0;
        if ((!receives && queue_pending(q)) || call_due(d, q, &run_ns))
            return false;
    }
    return d->type->answered(d, false);
}

/* forwarder_settled, looked at most once per poll_calls: *MEMO is -1 until
 * then, then its answer.  Each look walks every queue (a packed ring's
 * descriptors too); the answer cannot turn false within the call (the guest
 * does not run, so no queue gains buffers and no frame goes out), and one
 * turning true meanwhile is seen at the next call. */
static bool forwarder_settled_once(struct vw_vhost_dev *d, int *memo)
{
    if (*memo < 0)
        *memo = forwarder_settled(d);
    return *memo > 0;
}

/* Nothing more can come from a back end that answers only what it is
 * kicked for (not a forwarder: its frames arrive unasked): no kick waits,
 * every buffer made available is used, and every used entry was followed
 * by a call already read or has been seen by the driver (split EVENT_IDX:
 * used_event has caught up with the used index).  Then the settling time
 * after a call ends at once instead of after quiet_ms of real time; an
 * entry whose call is still on its way keeps it (the state was taken
 * before the call was read, so a call read with it covers it). */
static bool settled(struct vw_vhost_dev *d, int *fwd_settled)
{
    if (d->type->polls)
        return forwarder_settled_once(d, fwd_settled);
    if (d->type->even_queues_receive || d->waiting > 0)
        return false;
    for (unsigned i = 0; i < d->p.queues; i++) {
        struct vw_vhost_queue *q = &d->q[i];
        if (!q->started)
            continue;
        if (queue_pending(q))
            return false;
        uint32_t state = used_state(q);
        if (state == q->called_state)
            continue;
        uint16_t used_event;
        memcpy(&used_event, (const uint8_t *)q->ring.driver + 4 + 2ull * q->ring.num, 2);
        if (!q->event_idx || used_event != (uint16_t)state)
            return false;
    }
    return true;
}

/* Does a back end that answers kicks (not a polling one) owe an answer: a
 * kicked queue (not a receive queue) holds buffers it has not used?  A
 * queue that holds none is no longer kicked. */
static bool owed(struct vw_vhost_dev *d)
{
    bool any = false;
    for (unsigned i = 0; i < d->p.queues; i++) {
        struct vw_vhost_queue *q = &d->q[i];
        if (!q->kicked)
            continue;
        if (!q->started || !queue_pending(q))
            q->kicked = false;
        else
            any = true;
    }
    return any && !d->type->polls;
}

void vw_vhost_hang_bound(struct vw_vhost_dev *d, unsigned ms)
{
    d->hang_ms = ms;
    d->vu.reply_ms = ms;
}

void vw_vhost_hold(struct vw_vhost_dev *d, unsigned ms)
{
    d->held_until_ms = now_ms() + ms;
    d->waiting = 0;
}

/* Continue a parked back end: before anything that needs it (work in its
 * rings, a message, its stop). */
static void wake(struct vw_vhost_dev *d)
{
    if (!d->parked)
        return;
    kill(d->daemon, SIGCONT);
    d->parked = false;
    d->parked_total_ms += now_ms() - d->parked_at_ms;
}

/* A forwarder (testpmd) burns a core polling whether or not it has work:
 * stopped (SIGSTOP, as a host deschedules a vhost thread) while it is
 * settled, which says exactly that it holds nothing (no buffer of a queue
 * it polls unused, every frame it took back, every call read), and
 * continued as soon as a queue it polls holds buffers again (the driver
 * need not kick a polled queue) or a message is to be sent.  The harness
 * does not wait for a settled back end, so this changes no timing the
 * driver sees.  Off for the run once a scenario pauses the back end
 * itself (vw_vhost_pause), and once frames were given up on (a frame still
 * inside a preempted testpmd must not wait for the next send). */
static void park_or_wake(struct vw_vhost_dev *d, bool working, bool busy, int *fwd_settled)
{
    if (!d->type->polls || d->type->answered == NULL || d->daemon <= 0 || d->no_park)
        return;
    if (working || busy) {
        wake(d);
    } else if (!d->parked && d->fwd_dropped == 0 && forwarder_settled_once(d, fwd_settled) &&
               kill(d->daemon, SIGSTOP) == 0) {
        d->parked = true;
        d->parked_at_ms = now_ms();
        d->parks++;
    }
}

/* The back end's calls (see poll_backend).  While it owes an answer the
 * harness waits in real time; a back end silent past its hang bound fails
 * the run by name (a slow host is not a device that never answers). */
static bool poll_calls(struct vw_vhost_dev *d)
{
    struct vw_virtio *dev = d->dev;
    struct pollfd *pfd = d->pfd;
    unsigned n = d->p.queues;
    uint64_t now = now_ms();
    bool held = now < d->held_until_ms;
    if (note_used(d, now)) /* the back end wrote a ring: progress */
        d->progress_ms = now;
    bool owing = !held && owed(d);
    bool working = !held && backend_working(d, now);
    uint64_t bound = d->hang_ms ? d->hang_ms : VW_VHOST_HANG_MS;
    uint64_t silent = owing ? now - d->progress_ms : working ? now - d->pending_since_ms : 0;
    if (!owing && !d->type->polls) {
        d->progress_ms = now;
    } else if (silent >= bound) {
        vw_fail(dev->vm,
                "vhost-%s: the back end (%s, pid %d) hangs: %s and no call or used entry for "
                "%llu ms of real time",
                d->type->name, d->type->program, d->daemon,
                owing ? "kicked buffers unused" : "buffers it polls for unused",
                (unsigned long long)silent);
        log_rings(d);
        return false;
    }
    int fwd_settled = -1; /* forwarder_settled not looked at yet this call */
    bool busy = owing || working || (!held && now < d->deadline_ms && !settled(d, &fwd_settled));
    for (unsigned i = 0; i < n; i++) {
        pfd[i] = (struct pollfd){d->q[i].call, POLLIN, 0};
        if (d->q[i].started)
            d->q[i].polled_state = used_state(&d->q[i]);
    }
    /* What has not come back by now was dropped; a settled forwarder has
     * everything back (answered was true), so there is nothing to forget. */
    if (!busy && d->type->answered != NULL && fwd_settled != 1)
        d->type->answered(d, true);
    park_or_wake(d, working, busy, &fwd_settled);
    if (poll(pfd, n, poll_timeout(d, busy)) <= 0) {
        if (d->waiting > 0 && now >= d->deadline_ms)
            d->waiting = 0; /* the driver's own timeout takes over */
        return busy;
    }
    for (unsigned i = 0; i < n; i++) {
        uint64_t count;
        if (!(pfd[i].revents & POLLIN) || read(d->q[i].call, &count, 8) != 8)
            continue;
        if (!d->q[i].started) {
            vw_fail(dev->vm,
                    "vhost-%s: the back end signalled queue %u after GET_VRING_BASE stopped it "
                    "(vhost-user: a stopped ring is no longer the back end's)",
                    d->type->name, i);
            continue;
        }
        d->q[i].calls++;
        d->progress_ms = now_ms();
        d->q[i].called_state = d->q[i].polled_state;
        d->waiting = 0;
        d->deadline_ms = now_ms() + (d->type->quiet_ms ? d->type->quiet_ms : QUIET_MS);
        if (d->q[i].vector == 0xffff)
            vw_fail(dev->vm, "vhost-%s: queue %u has no MSI-X message", d->type->name, i);
        else
            vw_intr_raise(dev->vm, dev->pdo, d->q[i].vector);
    }
    return true;
}

/* After a failure: what each queue's rings hold (shared memory, read once)
 * and how often it was kicked and called, for the log. */
static void log_rings(struct vw_vhost_dev *d)
{
    for (unsigned i = 0; i < d->p.queues; i++) {
        const struct vw_vhost_queue *q = &d->q[i];
        const struct vw_vhost_ring *r = &q->ring;
        uint16_t a[2], b[2];
        if (!q->started)
            continue;
        memcpy(a, r->driver, 4);
        memcpy(b, r->device, 4);
        if (!r->packed) {
            uint16_t used_event, avail_event;
            memcpy(&used_event, (const uint8_t *)r->driver + 4 + 2ull * r->num, 2);
            memcpy(&avail_event, (const uint8_t *)r->device + 4 + 8ull * r->num, 2);
            vw_log(d->vm,
                   "vhost-%s: queue %u: %llu kicks, %llu calls; avail flags %u idx %u "
                   "used_event %u; used flags %u idx %u avail_event %u",
                   d->type->name, i, (unsigned long long)q->kicks, (unsigned long long)q->calls,
                   a[0], a[1], used_event, b[0], b[1], avail_event);
            continue;
        }
        char descs[200];
        size_t at = 0;
        for (unsigned j = 0; j < r->num && j < 8; j++) {
            uint16_t id, flags;
            uint32_t len;
            memcpy(&len, (const uint8_t *)r->desc + 16ull * j + 8, 4);
            memcpy(&id, (const uint8_t *)r->desc + 16ull * j + 12, 2);
            memcpy(&flags, (const uint8_t *)r->desc + 16ull * j + 14, 2);
            at += (size_t)snprintf(descs + at, sizeof(descs) - at, " %u:%04x/%u", id, flags, len);
        }
        vw_log(d->vm,
               "vhost-%s: queue %u: %llu kicks, %llu calls; driver event off_wrap 0x%04x "
               "flags %u; device event off_wrap 0x%04x flags %u; id:flags/len%s",
               d->type->name, i, (unsigned long long)q->kicks, (unsigned long long)q->calls, a[0],
               a[1], b[0], b[1], descs);
    }
}

static const struct vw_virtio_backend backend = {driver_ok, reset, notify, poll_backend};

/* A host thread: continue the paused back end after its pause. */
static void *resume_later(void *arg)
{
    struct vw_vhost_dev *d = arg;
    struct timespec t = {.tv_sec = d->pause_ms / 1000,
                         .tv_nsec = (long)(d->pause_ms % 1000) * 1000000};
    nanosleep(&t, NULL);
    kill(d->daemon, SIGCONT);
    return NULL;
}

bool vw_vhost_pause(struct vw_vhost_dev *d, unsigned ms)
{
    if (d->daemon <= 0 || d->resuming) {
        vw_fail(d->vm, "harness: vw_vhost_pause: no back end running, or paused already");
        return false;
    }
    wake(d);
    d->no_park = true; /* the scenario's pauses only, from now on */
    d->pause_ms = ms;
    kill(d->daemon, SIGSTOP);
    if (ms == 0)
        return true;
    if (pthread_create(&d->resumer, NULL, resume_later, d) == 0) {
        d->resuming = true;
        return true;
    }
    kill(d->daemon, SIGCONT);
    vw_fail(d->vm, "harness: cannot start the thread that continues the back end");
    return false;
}

void vw_vhost_pause_end(struct vw_vhost_dev *d)
{
    if (d->resuming)
        pthread_join(d->resumer, NULL);
    d->resuming = false;
}

void vw_vhost_stop(struct vw_vhost_dev *d)
{
    vw_vhost_pause_end(d);
    if (d->daemon > 0)
        wake(d);
    vw_vhost_close(&d->vu);
    if (d->stdin_fd >= 0)
        close(d->stdin_fd);
    d->stdin_fd = -1;
    if (d->daemon <= 0)
        return;
    if (d->vm->failed)
        log_rings(d);
    uint64_t stopping = now_ms();
    kill(d->daemon, SIGTERM);
    /* One stopped for good (vw_vhost_pause 0) takes it only when continued. */
    kill(d->daemon, SIGCONT);
    for (int i = 0; i < 300 && waitpid(d->daemon, NULL, WNOHANG) == 0; i++)
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    if (kill(d->daemon, 0) == 0) {
        kill(d->daemon, SIGKILL);
        waitpid(d->daemon, NULL, 0);
    }
    d->daemon = 0;
    d->lifetime_ms = now_ms() - d->up_ms;
    if (d->type->cleanup != NULL)
        d->type->cleanup(d);
    if (d->lock_fd >= 0)
        close(d->lock_fd); /* the next polling back end may start */
    d->lock_fd = -1;
    vw_log(d->vm,
           "vhost-%s: %s ran %llu ms (start %llu ms, stop %llu ms; parked %u times, %llu ms)",
           d->type->name, d->type->program, (unsigned long long)d->lifetime_ms,
           (unsigned long long)d->start_ms, (unsigned long long)(now_ms() - stopping), d->parks,
           (unsigned long long)d->parked_total_ms);
}

static void destroy(void *p)
{
    struct vw_vhost_dev *d = p;
    vw_vhost_stop(d);
    unlink(d->sock);
    if (!d->vm->failed)
        unlink(d->log);
    for (unsigned i = 0; d->q != NULL && i < d->p.queues; i++) {
        if (d->q[i].kick >= 0)
            close(d->q[i].kick);
        if (d->q[i].call >= 0)
            close(d->q[i].call);
        vw_vhost_packed_free(&d->q[i].pk);
    }
    free(d->q);
    free(d->pfd);
}

/* Fork and exec the back end with its output in LOG and its stdin a pipe
 * whose write end is *STDIN_FD; its pid. */
static int start_daemon(const char *const *argv, const char *log, int *stdin_fd)
{
    int in[2];
    if (pipe2(in, O_CLOEXEC) != 0)
        return -1;
    pid_t pid = fork();
    if (pid != 0) {
        close(in[0]);
        *stdin_fd = in[1];
        return pid;
    }
    /* The daemon never outlives the harness process that started it. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    dup2(in[0], 0);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
    }
    execvp(argv[0], (char *const *)argv);
    _exit(127);
}

/* Connect while the back end starts; fail at once when it exits first. */
static bool connect_backend(struct vw_vhost_dev *d)
{
    int status;
    for (unsigned waited = 0;; waited += 100) {
        if (vw_vhost_connect(&d->vu, d->sock, 100))
            return true;
        if (waitpid(d->daemon, &status, WNOHANG) == d->daemon) {
            d->daemon = 0;
            snprintf(d->vu.error, sizeof(d->vu.error),
                     "%.40s exited (status %d) before serving %.100s", d->type->program,
                     WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), d->sock);
            return false;
        }
        if (waited >= CONNECT_TIMEOUT_MS)
            return false;
    }
}

/* The lock polling back ends of TYPE take, one per build directory. */
static void lock_path(struct vm *vm, const struct vw_vhost_type *type, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/vhost/%s.lock", vm->build_dir, type->name);
}

bool vw_vhost_lock_held(struct vm *vm, const struct vw_vhost_type *type)
{
    char lock[300];
    lock_path(vm, type, lock, sizeof(lock));
    /* A new open file description: its lock conflicts with every other one,
     * this process's included. */
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return false;
    bool held = flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    close(fd); /* releases it when it was taken */
    return held;
}

struct vw_vhost_dev *vw_vhost_create(struct vm *vm, const struct vw_vhost_type *type,
                                     const struct vw_vhost_params *p)
{
    struct vw_vhost_dev *d = calloc(1, sizeof(*d));
    char dir[150], store[2048];
    const char *argv[VW_VHOST_MAX_ARGS] = {0};
    if (d == NULL || p->queues == 0 || (d->q = calloc(p->queues, sizeof(*d->q))) == NULL ||
        (d->pfd = calloc(p->queues, sizeof(*d->pfd))) == NULL) {
        if (d != NULL)
            free(d->q);
        free(d);
        vw_fail(vm, "vhost-%s: out of memory", type->name);
        return NULL;
    }
    vw_kernel_keep(vm, d);
    d->vm = vm;
    d->type = type;
    d->p = *p;
    d->vu.sock = -1;
    d->stdin_fd = -1;
    d->lock_fd = -1;
    bool fds = true;
    for (unsigned i = 0; i < p->queues; i++) {
        d->q[i].kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        d->q[i].call = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        d->q[i].vector = 0xffff;
        fds = fds && d->q[i].kick >= 0 && d->q[i].call >= 0;
    }
    snprintf(dir, sizeof(dir), "%s/vhost", vm->build_dir);
    mkdir(dir, 0755);
    snprintf(d->sock, sizeof(d->sock), "%s/%s-%d.sock", dir, type->name, (int)getpid());
    snprintf(d->log, sizeof(d->log), "%s/%s-%d.log", dir, type->name, (int)getpid());
    unlink(d->sock);
    vw_kernel_keep_fn(vm, destroy, d);
    if (!fds) {
        vw_fail(vm, "vhost-%s: eventfd: %s", type->name, strerror(errno));
        return NULL;
    }
    /* A back end that polls busy-waits on the cores it is pinned to (testpmd:
     * -l 0,1): two at once on a 2-core machine starve each other and the
     * harness past its real-time bounds, so they run one at a time, whatever
     * HARNESS_JOBS and CHECK_JOBS run beside them. */
    if (type->polls) {
        char lock[300];
        lock_path(vm, type, lock, sizeof(lock));
        /* The runner's hang alarm pauses while this run queues for the
         * lock: waiting for another run's back end is no hang of its own. */
        unsigned hang = alarm(0);
        d->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        bool locked = d->lock_fd >= 0 && flock(d->lock_fd, LOCK_EX) == 0;
        if (hang != 0)
            alarm(hang);
        if (!locked) {
            vw_fail(vm, "vhost-%s: lock %s: %s", type->name, lock, strerror(errno));
            return NULL;
        }
    }
    type->argv(d, argv, store, sizeof(store));
    d->up_ms = now_ms();
    d->daemon = start_daemon(argv, d->log, &d->stdin_fd);
    if (d->daemon < 0) {
        vw_fail(vm, "vhost-%s: cannot start %s", type->name, type->program);
        return NULL;
    }
    uint8_t config[256] = {0};
    if (type->config_len > sizeof(config)) {
        vw_fail(vm, "vhost-%s: configuration space too large", type->name);
        return NULL;
    }
    if (!connect_backend(d) || !vw_vhost_handshake(&d->vu) ||
        (type->config == NULL && !vw_vhost_get_config(&d->vu, config, type->config_len))) {
        vw_fail(vm, "vhost-%s: %s (back end log: %s)", type->name, d->vu.error, d->log);
        return NULL;
    }
    d->start_ms = now_ms() - d->up_ms;
    if (type->config != NULL)
        type->config(d, config);
    if (vw_vhost_has(&d->vu, VHOST_USER_PROTO_MQ) && d->vu.queue_num < p->queues) {
        vw_fail(vm, "vhost-%s: the back end serves %llu queues, %u wanted", type->name,
                (unsigned long long)d->vu.queue_num, p->queues);
        return NULL;
    }
    vw_log(
        vm,
        "vhost-%s: back-end features 0x%llx, protocol 0x%llx, %llu queues, serving after %llu ms",
        type->name, (unsigned long long)d->vu.features, (unsigned long long)d->vu.protocol_features,
        (unsigned long long)d->vu.queue_num, (unsigned long long)d->start_ms);
    struct vw_virtio_config cfg = {
        .transport = VMODEL_MODERN,
        .device_type = type->device_type,
        .features = ((d->vu.features & ~(FRONT_END_WITHHELD | type->withheld)) | type->offers) &
                    ~p->withhold,
        .queues = (uint16_t)(p->queues + p->extra_queues),
        .queue_max = p->queue_max ? p->queue_max : 128,
        .msix = true,
        .device_cfg_len = type->config_len,
    };
    d->dev = vw_virtio_create(vm, &cfg);
    if (d->dev == NULL)
        return NULL;
    vmodel_set_device_cfg(d->dev->model, 0, config, type->config_len);
    d->dev->backend = &backend;
    d->dev->backend_ctx = d;
    if (type->setup != NULL)
        type->setup(d);
    return d;
}
