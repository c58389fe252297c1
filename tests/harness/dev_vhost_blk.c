/*
 * virtio-blk through qemu-storage-daemon (see dev_vhost_blk.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "dev_vhost_blk.h"
#include "kernel.h"
#include "ram.h"

#define DAEMON             "qemu-storage-daemon"
#define VIRTIO_ID_BLOCK    2
#define BLK_CONFIG_LEN     36 /* capacity .. topology */
#define REQUEST_TIMEOUT_MS 5000

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

bool vw_vhost_blk_available(void)
{
    const char *path = getenv("PATH");
    char buf[512];
    while (path != NULL && *path) {
        const char *end = strchr(path, ':');
        size_t len = end ? (size_t)(end - path) : strlen(path);
        snprintf(buf, sizeof(buf), "%.*s/" DAEMON, (int)len, path);
        if (access(buf, X_OK) == 0)
            return true;
        path = end ? end + 1 : NULL;
    }
    return false;
}

static void driver_ok(struct vw_virtio *dev)
{
    struct vw_vhost_blk *b = dev->backend_ctx;
    struct vm *vm = dev->vm;
    uint64_t desc, avail, used;
    uint16_t size;
    if (!vw_virtio_queue_layout(dev, 0, &desc, &avail, &used, &size)) {
        vw_fail(vm, "vhost-blk: DRIVER_OK without queue 0 enabled");
        return;
    }
    uint64_t ring = 16ull * size;
    if (!vw_vhost_set_features(&b->vu, vmodel_driver_features(dev->model)) ||
        !vw_vhost_set_mem_table(&b->vu, vm->ram.fd, vm->ram.size, vm->ram.host) ||
        !vw_vhost_start_queue(&b->vu, 0, size, vw_ram_host(vm, desc, ring),
                              vw_ram_host(vm, avail, 6 + 2ull * size),
                              vw_ram_host(vm, used, 6 + 8ull * size), b->kick, b->call)) {
        vw_fail(vm, "%s", b->vu.error);
        return;
    }
    b->started = true;
}

static void reset(struct vw_virtio *dev)
{
    struct vw_vhost_blk *b = dev->backend_ctx;
    if (b->started && !vw_vhost_stop_queue(&b->vu, 0))
        vw_fail(dev->vm, "%s", b->vu.error);
    b->started = b->in_flight = false;
}

static void notify(struct vw_virtio *dev, uint16_t queue)
{
    struct vw_vhost_blk *b = dev->backend_ctx;
    uint64_t one = 1;
    if (queue != 0 || !b->started)
        return;
    if (write(b->kick, &one, sizeof(one)) != sizeof(one))
        vw_fail(dev->vm, "vhost-blk: kick: %s", strerror(errno));
    b->in_flight = true;
    b->deadline_ms = now_ms() + REQUEST_TIMEOUT_MS;
}

/* A call from the back end becomes the queue's interrupt; while a request
 * is in flight the harness waits for it (bounded) in real time. */
static bool poll_backend(struct vw_virtio *dev)
{
    struct vw_vhost_blk *b = dev->backend_ctx;
    struct pollfd pfd = {b->call, POLLIN, 0};
    int timeout = b->in_flight && now_ms() < b->deadline_ms ? 1 : 0;
    if (poll(&pfd, 1, timeout) == 1) {
        uint64_t count;
        if (read(b->call, &count, sizeof(count)) == sizeof(count)) {
            b->in_flight = false;
            vw_intr_raise(dev->vm, dev->pdo, 0);
            return true;
        }
    }
    if (b->in_flight && now_ms() >= b->deadline_ms)
        b->in_flight = false; /* the driver's own timeout takes over */
    return b->in_flight;
}

static const struct vw_virtio_backend backend = {driver_ok, reset, notify, poll_backend};

static void destroy(void *p)
{
    struct vw_vhost_blk *b = p;
    vw_vhost_close(&b->vu);
    if (b->daemon > 0) {
        kill(b->daemon, SIGTERM);
        for (int i = 0; i < 200 && waitpid(b->daemon, NULL, WNOHANG) == 0; i++)
            nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
        if (kill(b->daemon, 0) == 0) {
            kill(b->daemon, SIGKILL);
            waitpid(b->daemon, NULL, 0);
        }
    }
    unlink(b->sock);
    if (!b->vm->failed)
        unlink(b->log);
    if (b->kick >= 0)
        close(b->kick);
    if (b->call >= 0)
        close(b->call);
}

static int start_daemon(const char *image, const char *sock, const char *log)
{
    char file[600], exp[600];
    snprintf(file, sizeof(file), "file,node-name=file0,filename=%s", image);
    snprintf(exp, sizeof(exp),
             "type=vhost-user-blk,id=exp0,addr.type=unix,addr.path=%s,node-name=disk0,"
             "writable=on",
             sock);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    /* The daemon never outlives the harness process that started it. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
    }
    execlp(DAEMON, DAEMON, "--blockdev", file, "--blockdev", "raw,node-name=disk0,file=file0",
           "--export", exp, (char *)NULL);
    _exit(127);
}

struct vw_vhost_blk *vw_vhost_blk_create(struct vm *vm, const char *image)
{
    struct vw_vhost_blk *b = calloc(1, sizeof(*b));
    char dir[150];
    if (b == NULL)
        return NULL;
    vw_kernel_keep(vm, b);
    b->vm = vm;
    b->kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    b->call = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    b->vu.sock = -1;
    snprintf(dir, sizeof(dir), "%s/vhost", vm->build_dir);
    mkdir(dir, 0755);
    snprintf(b->sock, sizeof(b->sock), "%s/blk-%d.sock", dir, (int)getpid());
    snprintf(b->log, sizeof(b->log), "%s/blk-%d.log", dir, (int)getpid());
    unlink(b->sock);
    vw_kernel_keep_fn(vm, destroy, b);
    b->daemon = start_daemon(image, b->sock, b->log);
    if (b->daemon < 0 || b->kick < 0 || b->call < 0) {
        vw_fail(vm, "vhost-blk: cannot start " DAEMON);
        return NULL;
    }
    uint8_t config[BLK_CONFIG_LEN];
    if (!vw_vhost_connect(&b->vu, b->sock, 5000) || !vw_vhost_handshake(&b->vu) ||
        !vw_vhost_get_config(&b->vu, config, sizeof(config))) {
        vw_fail(vm, "%s (daemon log: %s)", b->vu.error, b->log);
        return NULL;
    }
    vw_log(vm, "vhost-blk: back-end features 0x%llx, protocol 0x%llx",
           (unsigned long long)b->vu.features, (unsigned long long)b->vu.protocol_features);
    struct vw_virtio_config cfg = {
        .transport = VMODEL_MODERN,
        .device_type = VIRTIO_ID_BLOCK,
        .features = b->vu.features & ~(1ull << VHOST_USER_F_PROTOCOL_FEATURES),
        .queues = 1,
        .queue_max = 128,
        .msix = true,
        .device_cfg_len = BLK_CONFIG_LEN,
    };
    b->dev = vw_virtio_create(vm, &cfg);
    if (b->dev == NULL)
        return NULL;
    vmodel_set_device_cfg(b->dev->model, 0, config, sizeof(config));
    b->dev->backend = &backend;
    b->dev->backend_ctx = b;
    return b;
}
