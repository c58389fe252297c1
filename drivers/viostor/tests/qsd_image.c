/*
 * The images of the qsd_* scenarios (qsd.h): made before the daemon starts
 * and read back after it stopped, outside it.  qemu-img comes from Debian
 * qemu-utils (in DEBS); a missing one fails the run.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "qsd.h"
#include "ram.h"
#include "scenario.h"

extern char **environ;

/* Requests of each virtio-blk type handed to the daemon in this run (one
 * run per process): qemu-storage-daemon 7.2 keeps no statistics of an
 * export's requests that QMP shows (query-blockstats lists no export;
 * its nodes' counters stay 0), so the front end counts them at the ring. */
static unsigned handed[32];

/* The dev_vhost avail hook: the request header (virtio 1.2 5.2.6: le32
 * type first) of the buffer at HEAD, through an indirect table if the
 * head is one. */
static void qsd_avail(struct vw_vhost_dev *d, unsigned queue, uint16_t head)
{
    const struct vw_vhost_ring *r = &d->q[queue].ring;
    if (head >= r->num)
        return;
    const uint8_t *desc = (const uint8_t *)r->desc + 16u * head;
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    memcpy(&addr, desc, 8), memcpy(&len, desc + 8, 4), memcpy(&flags, desc + 12, 2);
    if (flags & 4) { /* VIRTQ_DESC_F_INDIRECT: the header is the table's first buffer */
        const uint8_t *table = len >= 16 ? vw_ram_host(d->vm, addr, 16) : NULL;
        if (table == NULL)
            return;
        memcpy(&addr, table, 8), memcpy(&len, table + 8, 4);
    }
    const uint8_t *hdr = len >= 4 ? vw_ram_host(d->vm, addr, 4) : NULL;
    if (hdr == NULL)
        return;
    uint32_t type;
    memcpy(&type, hdr, 4);
    if (type < sizeof(handed) / sizeof(handed[0]))
        handed[type]++;
}

unsigned qsd_handed(unsigned type)
{
    return type < sizeof(handed) / sizeof(handed[0]) ? handed[type] : 0;
}

/* qemu-storage-daemon --blockdev file --blockdev FORMAT --export
 * vhost-user-blk, discard passed down to the file (holes). */
static void qsd_argv(const struct vw_vhost_dev *d, const char **argv, char *store, size_t cap,
                     const char *format)
{
    int file =
        snprintf(store, cap, "file,node-name=file0,filename=%s,discard=unmap", d->p.target) + 1;
    int fmt = file +
              snprintf(store + file, cap - (size_t)file,
                       "%s,node-name=disk0,file=file0,discard=unmap", format) +
              1;
    snprintf(store + fmt, cap - (size_t)fmt,
             "type=vhost-user-blk,id=exp0,addr.type=unix,addr.path=%s,node-name=disk0,"
             "writable=on,num-queues=%u",
             d->sock, d->p.queues);
    const char *args[] = {d->type->program, "--blockdev", store,       "--blockdev",
                          store + file,     "--export",   store + fmt, NULL};
    for (unsigned i = 0; i < sizeof(args) / sizeof(args[0]); i++)
        argv[i] = args[i];
}

/* The daemon on a raw file. */
static void raw_argv(const struct vw_vhost_dev *d, const char **argv, char *store, size_t cap)
{
    qsd_argv(d, argv, store, cap, "raw");
}

/* The daemon on a qcow2 image. */
static void qcow2_argv(const struct vw_vhost_dev *d, const char **argv, char *store, size_t cap)
{
    qsd_argv(d, argv, store, cap, "qcow2");
}

static const struct vw_vhost_type qsd_raw = {
    .name = "blk",
    .program = "qemu-storage-daemon",
    .package = "qemu-system-common",
    .device_type = 2,
    .config_len = 60,
    .argv = raw_argv,
    .avail = qsd_avail,
};

static const struct vw_vhost_type qsd_qcow2 = {
    .name = "blk",
    .program = "qemu-storage-daemon",
    .package = "qemu-system-common",
    .device_type = 2,
    .config_len = 60,
    .argv = qcow2_argv,
    .avail = qsd_avail,
};

/* The daemon on a raw file behind a throttle node (50 requests a second). */
static void slow_argv(const struct vw_vhost_dev *d, const char **argv, char *store, size_t cap)
{
    int file =
        snprintf(store, cap, "file,node-name=file0,filename=%s,discard=unmap", d->p.target) + 1;
    int fmt =
        file +
        snprintf(store + file, cap - (size_t)file, "raw,node-name=raw0,file=file0,discard=unmap") +
        1;
    int thr = fmt +
              snprintf(store + fmt, cap - (size_t)fmt,
                       "throttle,node-name=disk0,throttle-group=tg0,file=raw0,discard=unmap") +
              1;
    int grp =
        thr +
        snprintf(store + thr, cap - (size_t)thr, "throttle-group,id=tg0,limits.iops-total=50") + 1;
    snprintf(store + grp, cap - (size_t)grp,
             "type=vhost-user-blk,id=exp0,addr.type=unix,addr.path=%s,node-name=disk0,"
             "writable=on,num-queues=%u",
             d->sock, d->p.queues);
    const char *args[] = {d->type->program, "--object",   store + thr,  "--blockdev", store,
                          "--blockdev",     store + file, "--blockdev", store + fmt,  "--export",
                          store + grp,      NULL};
    for (unsigned i = 0; i < sizeof(args) / sizeof(args[0]); i++)
        argv[i] = args[i];
}

static const struct vw_vhost_type qsd_slow = {
    .name = "blk",
    .program = "qemu-storage-daemon",
    .package = "qemu-system-common",
    .device_type = 2,
    .config_len = 60,
    .argv = slow_argv,
    .avail = qsd_avail,
};

const struct vw_vhost_type *qsd_slow_type(void)
{
    return &qsd_slow;
}

/* The table of FORMAT (qsd.h). */
const struct vw_vhost_type *qsd_type(enum qsd_format format)
{
    return format == QSD_QCOW2 ? &qsd_qcow2 : &qsd_raw;
}

/* Run ARGV to completion; true when it exited 0. */
static bool run_tool(struct vm *vm, char *const *argv)
{
    pid_t pid;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    int err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (err != 0) {
        vw_fail(vm, "%s cannot run (%s): Debian qemu-utils is in DEBS", argv[0], strerror(err));
        return false;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        vw_fail(vm, "%s %s failed (status 0x%x)", argv[0], argv[1], status);
        return false;
    }
    return true;
}

bool qsd_make_image(struct vm *vm, enum qsd_format format, const char *name, char *path, size_t cap)
{
    char dir[200], size[32];
    snprintf(dir, sizeof(dir), "%s/vhost", vm->build_dir);
    mkdir(dir, 0755);
    snprintf(path, cap, "%s/%s-%d.%s", dir, name, (int)getpid(),
             format == QSD_QCOW2 ? "qcow2" : "img");
    unlink(path);
    if (format == QSD_QCOW2) {
        snprintf(size, sizeof(size), "%llu", (unsigned long long)QSD_IMAGE_SIZE);
        char *argv[] = {"qemu-img", "create", "-q", "-f", "qcow2", path, size, NULL};
        return run_tool(vm, argv);
    }
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    bool ok = fd >= 0 && ftruncate(fd, (off_t)QSD_IMAGE_SIZE) == 0;
    if (fd >= 0)
        close(fd);
    if (!ok)
        vw_fail(vm, "cannot create %s: %s", path, strerror(errno));
    return ok;
}

uint8_t *qsd_read_image(struct vm *vm, enum qsd_format format, const char *path)
{
    char raw[320];
    const char *file = path;
    if (format == QSD_QCOW2) {
        snprintf(raw, sizeof(raw), "%s.raw", path);
        char *argv[] = {"qemu-img", "convert", "-f", "qcow2", "-O", "raw", (char *)path, raw, NULL};
        if (!run_tool(vm, argv))
            return NULL;
        file = raw;
    }
    uint8_t *buf = malloc(QSD_IMAGE_SIZE);
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    bool ok = buf != NULL && fd >= 0;
    for (uint64_t o = 0; ok && o < QSD_IMAGE_SIZE;) {
        ssize_t n = pread(fd, buf + o, QSD_IMAGE_SIZE - o, (off_t)o);
        ok = n > 0;
        o += ok ? (uint64_t)n : 0;
    }
    if (fd >= 0)
        close(fd);
    if (!ok) {
        vw_fail(vm, "cannot read the image %s back", file);
        free(buf);
        return NULL;
    }
    return buf;
}

void qsd_remove_image(const char *path)
{
    char raw[320];
    snprintf(raw, sizeof(raw), "%s.raw", path);
    unlink(raw);
    unlink(path);
}
