/*
 * The generic vhost-user function (see dev_vhost.h).
 */
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
#define REQUEST_TIMEOUT_MS 3000  /* under the harness's 5 s per driver call */
#define QUIET_MS           20    /* after a call, wait this long for the next one */
#define F_RING_PACKED      34
/* Never offered: dirty logging, an IOMMU, notification data, queue reset
 * (the front end implements none of them) and the vhost-user bit itself. */
#define FRONT_END_WITHHELD                                                                         \
    (1ull << 26 | 1ull << VHOST_USER_F_PROTOCOL_FEATURES | 1ull << 33 | 1ull << 38 | 1ull << 40)

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

/* Tell the back end about every queue the driver enabled (DRIVER_OK). */
static void driver_ok(struct vw_virtio *dev)
{
    struct vw_vhost_dev *d = dev->backend_ctx;
    struct vm *vm = dev->vm;
    /* What the driver acked of what the back end offered (the front end's
     * own features, like net's control queue, are not the back end's). */
    uint64_t features = vmodel_driver_features(dev->model) & d->vu.features;
    bool packed = features >> F_RING_PACKED & 1;
    if (!vw_vhost_set_features(&d->vu, features) ||
        !vw_vhost_set_mem_table(&d->vu, vm->ram.fd, vm->ram.size, vm->ram.host)) {
        vw_fail(vm, "vhost-%s: %s", d->type->name, d->vu.error);
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
            vw_fail(vm, "vhost-%s: queue %u: %s", d->type->name, i, d->vu.error);
            return;
        }
        d->q[i].started = true;
        d->q[i].ring = r;
    }
}

/* The driver wrote status 0: stop every queue, reset the back end. */
static void reset(struct vw_virtio *dev)
{
    struct vw_vhost_dev *d = dev->backend_ctx;
    for (unsigned i = 0; i < d->p.queues; i++) {
        uint32_t base;
        if (d->q[i].started && !vw_vhost_stop_queue(&d->vu, i, &base))
            vw_fail(dev->vm, "vhost-%s: %s", d->type->name, d->vu.error);
        d->q[i].started = false;
    }
    if (!vw_vhost_reset(&d->vu))
        vw_fail(dev->vm, "vhost-%s: %s", d->type->name, d->vu.error);
    d->waiting = 0;
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
    if (write(d->q[queue].kick, &one, sizeof(one)) != sizeof(one))
        vw_fail(dev->vm, "vhost-%s: kick: %s", d->type->name, strerror(errno));
    d->q[queue].kicks++;
    if (d->type->even_queues_receive && queue % 2 == 0)
        return true;
    d->waiting++;
    d->deadline_ms = now_ms() + REQUEST_TIMEOUT_MS;
    return true;
}

static bool poll_calls(struct vw_vhost_dev *d);

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
static bool queue_pending(const struct vw_vhost_queue *q)
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
    /* Packed: a descriptor made available and not used has its AVAIL
     * (bit 7) and USED (bit 15) flags different. */
    for (unsigned i = 0; i < r->num; i++) {
        uint16_t flags;
        memcpy(&flags, (const uint8_t *)r->desc + 16ull * i + 14, 2);
        if ((flags >> 7 & 1) != (flags >> 15 & 1))
            return true;
    }
    return false;
}

/* A polling back end still has work: some queue other than a receive queue
 * holds buffers (bounded by REQUEST_TIMEOUT_MS from when first seen). */
static bool backend_working(struct vw_vhost_dev *d, uint64_t now)
{
    bool pending = false;
    for (unsigned i = 0; d->type->polls && i < d->p.queues && !pending; i++)
        pending = !(d->type->even_queues_receive && i % 2 == 0) && queue_pending(&d->q[i]);
    if (!pending) {
        /* Just used: the call that reports it follows the used entry (the
         * back end may be preempted between the two), so keep waiting for
         * it as after a call, not for the driver's own timeout. */
        if (d->pending_since_ms != 0) {
            uint64_t quiet = d->type->quiet_ms ? d->type->quiet_ms : QUIET_MS;
            if (d->deadline_ms < now + quiet)
                d->deadline_ms = now + quiet;
        }
        d->pending_since_ms = 0;
        return now < d->deadline_ms;
    }
    if (d->pending_since_ms == 0)
        d->pending_since_ms = now;
    return now - d->pending_since_ms < REQUEST_TIMEOUT_MS;
}

/* The back end's calls (see poll_backend). */
static bool poll_calls(struct vw_vhost_dev *d)
{
    struct vw_virtio *dev = d->dev;
    struct pollfd *pfd = d->pfd;
    unsigned n = d->p.queues;
    uint64_t now = now_ms();
    bool busy = now < d->deadline_ms || backend_working(d, now);
    for (unsigned i = 0; i < n; i++)
        pfd[i] = (struct pollfd){d->q[i].call, POLLIN, 0};
    if (poll(pfd, n, busy ? 1 : 0) <= 0) {
        if (d->waiting > 0 && now >= d->deadline_ms)
            d->waiting = 0; /* the driver's own timeout takes over */
        return busy;
    }
    for (unsigned i = 0; i < n; i++) {
        uint64_t count;
        if (!(pfd[i].revents & POLLIN) || read(d->q[i].call, &count, 8) != 8)
            continue;
        d->q[i].calls++;
        d->waiting = 0;
        d->deadline_ms = now_ms() + (d->type->quiet_ms ? d->type->quiet_ms : QUIET_MS);
        if (d->q[i].vector == 0xffff)
            vw_fail(dev->vm, "vhost-%s: queue %u has no MSI-X message", d->type->name, i);
        else
            vw_intr_raise(dev->vm, dev->pdo, d->q[i].vector);
    }
    return true;
}

static const struct vw_virtio_backend backend = {driver_ok, reset, notify, poll_backend};

void vw_vhost_stop(struct vw_vhost_dev *d)
{
    vw_vhost_close(&d->vu);
    if (d->stdin_fd >= 0)
        close(d->stdin_fd);
    d->stdin_fd = -1;
    if (d->daemon <= 0)
        return;
    uint64_t stopping = now_ms();
    kill(d->daemon, SIGTERM);
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
    vw_log(d->vm, "vhost-%s: %s ran %llu ms (start %llu ms, stop %llu ms)", d->type->name,
           d->type->program, (unsigned long long)d->lifetime_ms, (unsigned long long)d->start_ms,
           (unsigned long long)(now_ms() - stopping));
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
        snprintf(lock, sizeof(lock), "%s/%s.lock", dir, type->name);
        d->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (d->lock_fd < 0 || flock(d->lock_fd, LOCK_EX) != 0) {
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
