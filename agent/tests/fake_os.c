/* A scripted OS layer: in-memory files, a fixed machine, processes that
 * echo their arguments.  Counts what the agent holds so tests can prove
 * nothing is left behind. */
#include "fake_os.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/agent.h"
#include "../core/disk.h"
#include "../core/os.h"
#include "../core/util.h"

struct fake_os fake;

void *ga_alloc(size_t size)
{
    return calloc(1, size ? size : 1);
}

void *ga_realloc(void *p, size_t size)
{
    return realloc(p, size ? size : 1);
}

void ga_free(void *p)
{
    free(p);
}

#define MAX_FAKE_FILES 16
static struct ffile {
    char path[256];
    unsigned char *data;
    size_t len;
    bool used;
} files[MAX_FAKE_FILES];

struct fhandle {
    struct ffile *f;
    size_t pos;
    bool read, write, append;
};

void fake_reset(void)
{
    for (int i = 0; i < MAX_FAKE_FILES; i++) {
        free(files[i].data);
    }
    memset(files, 0, sizeof(files));
    memset(&fake, 0, sizeof(fake));
    fake.now_ns = 1700000000123456789LL;
    fake.vss_fixed = 1;
}

static struct ffile *lookup(const char *path, bool create)
{
    for (int i = 0; i < MAX_FAKE_FILES; i++) {
        if (files[i].used && strcmp(files[i].path, path) == 0) {
            return &files[i];
        }
    }
    for (int i = 0; create && i < MAX_FAKE_FILES; i++) {
        if (!files[i].used) {
            files[i].used = true;
            snprintf(files[i].path, sizeof(files[i].path), "%s", path);
            return &files[i];
        }
    }
    return NULL;
}

void fake_file_put(const char *path, const char *data, size_t len)
{
    struct ffile *f = lookup(path, true);
    free(f->data);
    f->data = malloc(len ? len : 1);
    memcpy(f->data, data, len);
    f->len = len;
}

int64_t ga_os_time_ns(void)
{
    return fake.now_ns;
}

bool ga_os_set_time_ns(int64_t ns, struct ga_err *err)
{
    if (fake.deny_set_time) {
        return ga_error(err, "failed to set time: A required privilege is not held by the client.");
    }
    fake.set_ns = ns;
    return true;
}

bool ga_os_host_name(char *buf, size_t size, struct ga_err *err)
{
    (void)err;
    ga_fmt(buf, size, "%s", "fake-host");
    return true;
}

bool ga_os_timezone(char *zone, size_t size, int64_t *offset, struct ga_err *err)
{
    (void)err;
    ga_fmt(zone, size, "%s", "W. Europe Standard Time");
    *offset = 3600;
    return true;
}

bool ga_os_osinfo(struct ga_osinfo *info, struct ga_err *err)
{
    (void)err;
    ga_fmt(info->kernel_release, sizeof(info->kernel_release), "19045");
    ga_fmt(info->kernel_version, sizeof(info->kernel_version), "10.0");
    ga_fmt(info->machine, sizeof(info->machine), "x86_64");
    ga_fmt(info->pretty_name, sizeof(info->pretty_name), "Windows 10 Pro");
    ga_fmt(info->version, sizeof(info->version), "Microsoft Windows 10");
    ga_fmt(info->version_id, sizeof(info->version_id), "10");
    return true;
}

bool ga_os_cpu_count(unsigned *count, struct ga_err *err)
{
    (void)err;
    *count = 4;
    return true;
}

bool ga_os_users(ga_user_cb cb, void *ctx, struct ga_err *err)
{
    (void)err;
    cb(ctx, "alice", "DOM", 17000000000000005LL);
    cb(ctx, "bob", "", 17000000010000000LL);
    cb(ctx, "alice", "DOM", 16000000000000000LL); /* earlier: wins */
    return true;
}

bool ga_os_netifs(ga_netif_cb cb, void *ctx, struct ga_err *err)
{
    (void)err;
    struct ga_netif n;
    memset(&n, 0, sizeof(n));
    ga_fmt(n.name, sizeof(n.name), "Ethernet \"virtio\"");
    n.mac_len = 6;
    memcpy(n.mac, "\x52\x54\x00\x12\x34\x56", 6);
    n.naddrs = 2;
    ga_fmt(n.addrs[0].text, 64, "10.0.2.15");
    n.addrs[0].prefix = 24;
    ga_fmt(n.addrs[1].text, 64, "fe80::5054:ff:fe12:3456");
    n.addrs[1].v6 = true;
    n.addrs[1].prefix = 64;
    n.have_stats = true;
    n.rx_bytes = 1ull << 40;
    n.tx_packets = 7;
    cb(ctx, &n);
    memset(&n, 0, sizeof(n));
    ga_fmt(n.name, sizeof(n.name), "Loopback");
    cb(ctx, &n);
    return true;
}

static bool fake_disk_addr(struct ga_disk_addr *a);

bool ga_os_volumes(ga_volume_cb cb, void *ctx, struct ga_err *err)
{
    (void)err;
    struct ga_volume v;
    memset(&v, 0, sizeof(v));
    ga_fmt(v.name, sizeof(v.name), "\\\\?\\Volume{11111111-2222-3333-4444-555555555555}\\");
    ga_fmt(v.mountpoint, sizeof(v.mountpoint), "C:\\");
    ga_fmt(v.type, sizeof(v.type), "NTFS");
    v.have_sizes = true;
    v.total = 100;
    v.used = 40;
    if (fake_disk_addr(&v.disks[0])) {
        v.ndisks = 1;
    }
    cb(ctx, &v);
    if (fake.second_volume) {
        memset(&v, 0, sizeof(v));
        ga_fmt(v.name, sizeof(v.name), "\\\\?\\Volume{66666666-2222-3333-4444-555555555555}\\");
        ga_fmt(v.mountpoint, sizeof(v.mountpoint), "D:\\data\\");
        ga_fmt(v.type, sizeof(v.type), "NTFS");
        cb(ctx, &v);
    }
    return true;
}

bool ga_os_vss_freeze(const char *const *volumes, int64_t *count, struct ga_err *err)
{
    fake.vss_freezes++;
    if (fake.vss_held) {
        fake.vss_double_freezes++;
    }
    fake.vss_last[0] = 0;
    size_t o = 0;
    int n = 0;
    for (const char *const *v = volumes; v && *v; v++, n++) {
        o += ga_fmt(fake.vss_last + o, sizeof(fake.vss_last) - o, "%s%s", n ? "|" : "", *v);
    }
    if (!volumes) {
        ga_fmt(fake.vss_last, sizeof(fake.vss_last), "*");
        n = (int)fake.vss_fixed;
    }
    if (fake.vss_freeze_error) {
        return ga_error(err, "%s", fake.vss_freeze_error); /* nothing left held */
    }
    fake.vss_held = n;
    *count = n;
    return true;
}

bool ga_os_vss_thaw(int64_t *count, bool *timed_out, struct ga_err *err)
{
    fake.vss_thaws++;
    *count = fake.vss_held;
    *timed_out = false;
    fake.vss_held = 0;
    if (fake.vss_hold_times_out) {
        *timed_out = true;
        return ga_error(err, "unknown Windows error 0x80042314");
    }
    if (fake.vss_thaw_error) {
        return ga_error(err, "%s", fake.vss_thaw_error);
    }
    return true;
}

/* Disk 0's address as the Win32 layer builds it: the descriptor parsed
 * by core/disk.c, PCI 0:0:5.0 from SPDRP_ADDRESS 0x50000, SCSI 0:1:2. */
static bool fake_disk_addr(struct ga_disk_addr *a)
{
    uint32_t bus_type;
    memset(a, 0, sizeof(*a));
    if (!ga_storage_descriptor(fake.disk_desc, fake.disk_desc_len, &bus_type, a->serial,
                               sizeof(a->serial))) {
        return false;
    }
    ga_fmt(a->dev, sizeof(a->dev), "\\\\.\\PhysicalDrive0");
    a->bus_type = ga_bus_type_name(bus_type);
    a->pci_domain = 0;
    a->pci_bus = 0;
    ga_pci_slot_function(0x50000, &a->pci_slot, &a->pci_function);
    a->bus = 0, a->target = 1, a->unit = 2;
    return true;
}

bool ga_os_disks(ga_disk_cb cb, void *ctx, struct ga_err *err)
{
    (void)err;
    struct ga_disk d;
    memset(&d, 0, sizeof(d));
    ga_fmt(d.name, sizeof(d.name), "\\\\.\\PhysicalDrive0");
    d.have_address = fake_disk_addr(&d.addr);
    cb(ctx, &d);
    memset(&d, 0, sizeof(d));
    ga_fmt(d.name, sizeof(d.name), "\\\\.\\PhysicalDrive1"); /* could not be opened */
    cb(ctx, &d);
    return true;
}

bool ga_os_trim(ga_trim_cb cb, void *ctx, struct ga_err *err)
{
    (void)err;
    cb(ctx, "C:\\", fake.trim_output, fake.trim_len, fake.trim_start_error);
    cb(ctx, "D:\\", "The operation completed successfully.\r\n", 39, NULL);
    return true;
}

/* Accounts: alice (a user with a profile), admin (in Administrators),
 * newbie (never logged on: no profile).  Key files are fake files. */
bool ga_os_ssh_user(const char *user, struct ga_ssh_user *u, struct ga_err *err)
{
    memset(u, 0, sizeof(*u));
    if (strcmp(user, "alice") == 0) {
        ga_fmt(u->dir, sizeof(u->dir), "C:\\Users\\alice\\.ssh");
        ga_fmt(u->file, sizeof(u->file), "%s\\authorized_keys", u->dir);
        ga_fmt(u->sid, sizeof(u->sid), "S-1-5-21-1-2-3-1001");
        return true;
    }
    if (strcmp(user, "admin") == 0) {
        u->admin = true;
        ga_fmt(u->dir, sizeof(u->dir), "C:\\ProgramData\\ssh");
        ga_fmt(u->file, sizeof(u->file), "%s\\administrators_authorized_keys", u->dir);
        ga_fmt(u->sid, sizeof(u->sid), "S-1-5-21-1-2-3-500");
        return true;
    }
    if (strcmp(user, "newbie") == 0) {
        return ga_error(err, "user newbie has no profile folder (it has never logged on)");
    }
    return ga_error(err, "User %s was not found", user);
}

bool ga_os_ssh_read(const struct ga_ssh_user *u, char **data, size_t *len, bool *missing,
                    struct ga_err *err)
{
    (void)err;
    struct ffile *f = lookup(u->file, false);
    *missing = !f;
    *data = NULL, *len = 0;
    if (f) {
        *data = ga_alloc(f->len + 1);
        memcpy(*data, f->data, f->len);
        *len = f->len;
    }
    return true;
}

bool ga_os_ssh_write(const struct ga_ssh_user *u, const char *data, size_t len, struct ga_err *err)
{
    if (fake.ssh_write_fails) {
        fake.ssh_write_fails = false;
        return ga_error(err, "failed to write to '%s': There is not enough space on the disk.",
                        u->file);
    }
    fake_file_put(u->file, data, len);
    fake.ssh_writes++;
    return true;
}

bool ga_os_load(uint32_t avg[3], struct ga_err *err)
{
    (void)err;
    avg[0] = 1024;      /* 0.50 */
    avg[1] = 2048 + 20; /* 1.01 */
    avg[2] = 30 * 2048; /* 30.00 */
    return true;
}

bool ga_os_suspend(enum ga_suspend_mode mode, struct ga_err *err)
{
    if (mode == GA_SUSPEND_DISK) {
        return ga_error(err, "suspend-to-disk not supported by OS");
    }
    fake.suspends++;
    return true;
}

bool ga_os_set_password(const char *user, const char *password, struct ga_err *err)
{
    if (strcmp(user, "alice") != 0) {
        return ga_error(err, "The user name could not be found.");
    }
    snprintf(fake.password, sizeof(fake.password), "%s", password);
    return true;
}

bool ga_os_devices(ga_device_cb cb, void *ctx, struct ga_err *err)
{
    (void)err;
    static const char *const ids[] = {"PCI\\VEN_1AF4&DEV_1041&SUBSYS_11001AF4&REV_01",
                                      "PCI\\VEN_8086&DEV_100E", "pci\\ven_1b36&dev_000d",
                                      "PCI\\VEN_1AF4&DEV_10", "PCI\\VEN_1AF4&DEV_1042X"};
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        struct ga_device d;
        memset(&d, 0, sizeof(d));
        if (!ga_pci_hwid(ids[i], &d.vendor, &d.device)) {
            continue;
        }
        snprintf(d.name, sizeof(d.name), "device %zu", i);
        if (i == 0) {
            snprintf(d.version, sizeof(d.version), "100.0.0.1");
            d.have_date = true;
            d.date_ns = 1600000000000000000LL;
        }
        cb(ctx, &d);
    }
    return true;
}

bool ga_os_shutdown(enum ga_shutdown_mode mode, struct ga_err *err)
{
    (void)err;
    fake.shutdowns++;
    fake.last_shutdown = mode == GA_SHUTDOWN_HALT     ? "halt"
                         : mode == GA_SHUTDOWN_REBOOT ? "reboot"
                                                      : "powerdown";
    return true;
}

bool ga_os_file_open(const char *path, const struct ga_open_mode *mode, void **file,
                     struct ga_err *err)
{
    struct ffile *f = lookup(path, mode->disposition != GA_OPEN_EXISTING);
    if (!f) {
        return ga_error(err, "The system cannot find the file specified.");
    }
    if (mode->disposition == GA_CREATE_ALWAYS) {
        free(f->data);
        f->data = NULL;
        f->len = 0;
    }
    struct fhandle *h = calloc(1, sizeof(*h));
    h->f = f;
    h->read = mode->read;
    h->write = mode->write;
    h->append = mode->append;
    *file = h;
    fake.open_files++;
    return true;
}

bool ga_os_file_read(void *file, void *buf, size_t len, size_t *got, struct ga_err *err)
{
    struct fhandle *h = file;
    if (!h->read) {
        return ga_error(err, "Access is denied.");
    }
    size_t n = h->pos < h->f->len ? h->f->len - h->pos : 0;
    n = n < len ? n : len;
    if (n) {
        memcpy(buf, h->f->data + h->pos, n);
    }
    h->pos += n;
    *got = n;
    return true;
}

bool ga_os_file_write(void *file, const void *buf, size_t len, size_t *put, struct ga_err *err)
{
    struct fhandle *h = file;
    if (!h->write) {
        return ga_error(err, "Access is denied.");
    }
    if (h->append) {
        h->pos = h->f->len;
    }
    if (h->pos + len > h->f->len) {
        h->f->data = realloc(h->f->data, h->pos + len ? h->pos + len : 1);
        memset(h->f->data + h->f->len, 0, h->pos + len - h->f->len);
        h->f->len = h->pos + len;
    }
    if (len) {
        memcpy(h->f->data + h->pos, buf, len);
    }
    h->pos += len;
    *put = len;
    return true;
}

bool ga_os_file_seek(void *file, int64_t offset, int whence, int64_t *pos, struct ga_err *err)
{
    struct fhandle *h = file;
    int64_t base = whence == 0 ? 0 : whence == 1 ? (int64_t)h->pos : (int64_t)h->f->len;
    if (base + offset < 0) {
        return ga_error(
            err, "An attempt was made to move the file pointer before the beginning of the file.");
    }
    h->pos = (size_t)(base + offset);
    *pos = (int64_t)h->pos;
    return true;
}

bool ga_os_file_flush(void *file, struct ga_err *err)
{
    (void)file, (void)err;
    return true;
}

void ga_os_file_close(void *file)
{
    free(file);
    fake.open_files--;
}

struct fproc {
    unsigned char out[256];
    size_t out_len;
    int polls;
};

bool ga_os_exec_start(const struct ga_exec_req *req, void **proc, int64_t *pid, struct ga_err *err)
{
    static int64_t next_pid = 4000;
    if (strcmp(req->path, "echo") != 0) {
        return ga_error(err, "The system cannot find the file specified.");
    }
    struct fproc *p = calloc(1, sizeof(*p));
    for (const char *const *a = req->argv; *a && req->capture; a++) {
        p->out_len += (size_t)snprintf((char *)p->out + p->out_len, sizeof(p->out) - p->out_len,
                                       "%s%s", a == req->argv ? "" : " ", *a);
    }
    if (req->input_len && req->capture && p->out_len + req->input_len < sizeof(p->out)) {
        memcpy(p->out + p->out_len, req->input, req->input_len);
        p->out_len += req->input_len;
    }
    *proc = p;
    *pid = next_pid++;
    fake.open_procs++;
    return true;
}

void ga_os_exec_poll(void *proc, struct ga_exec_state *st)
{
    struct fproc *p = proc;
    /* Running at the first poll, exited (code 3) at the second; never
     * exits when the test says so. */
    if (p->polls++ == 0 || fake.exec_never_exits) {
        return;
    }
    st->exited = true;
    st->exitcode = 3;
    st->out = p->out;
    st->out_len = p->out_len;
}

void ga_os_exec_free(void *proc)
{
    free(proc);
    fake.open_procs--;
}
