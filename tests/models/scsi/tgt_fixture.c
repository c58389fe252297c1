/*
 * tgt_fixture.c - start, configure and stop a private tgtd (tgt_fixture.h).
 */
#include "tgt_fixture.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TGT_TIMEOUT_MS 10000

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/** Wait for PID up to MS; -1 if it is still running */
static int wait_bounded(pid_t pid, long ms, int *status)
{
    long end = now_ms() + ms;

    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
        if (now_ms() >= end)
            return -1;
        usleep(10000);
    }
}

/** A port nobody listens on now (the kernel's pick) */
static int unused_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static int port_open(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), ok;

    if (fd < 0)
        return 0;
    ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    close(fd);
    return ok;
}

static const char *tgtd_path(void)
{
    const char *p = getenv("TGTD");

    return p != NULL && *p != '\0' ? p : "/usr/sbin/tgtd";
}

/** tgtadm lives next to tgtd */
static void tgtadm_path(char *out, size_t len)
{
    const char *d = tgtd_path(), *slash = strrchr(d, '/');

    if (slash == NULL)
        snprintf(out, len, "tgtadm");
    else
        snprintf(out, len, "%.*s/tgtadm", (int)(slash - d), d);
}

/** Run tgtadm -C PORT ARGS..., bounded; 0 when it exits 0, else -1 with
 * f->err saying why (tgtadm's own message, which its exit code does not
 * tell apart: every refusal exits alike) */
static int tgtadm(struct tgt_fixture *f, const char *const *args)
{
    char prog[256], ctl[16];
    const char *argv[32];
    unsigned n = 0;
    int status, says[2];
    pid_t pid;
    const char *mode = args[1], *op = args[3];

    tgtadm_path(prog, sizeof(prog));
    snprintf(ctl, sizeof(ctl), "%d", f->control);
    argv[n++] = prog;
    argv[n++] = "-C";
    argv[n++] = ctl;
    if (strcmp(args[1], "system") != 0) {
        argv[n++] = "--lld";
        argv[n++] = "iscsi";
    }
    for (; *args != NULL && n < 31; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    if (pipe(says) != 0 || fcntl(says[0], F_SETFD, FD_CLOEXEC) != 0 ||
        fcntl(says[1], F_SETFD, FD_CLOEXEC) != 0 || fcntl(says[0], F_SETFL, O_NONBLOCK) != 0) {
        snprintf(f->err, sizeof(f->err), "pipe: %s", strerror(errno));
        return -1;
    }
    pid = fork();
    if (pid < 0) {
        snprintf(f->err, sizeof(f->err), "fork: %s", strerror(errno));
        close(says[0]);
        close(says[1]);
        return -1;
    }
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 1);
        dup2(says[1], 2);
        execv(prog, (char *const *)argv);
        _exit(127);
    }
    close(says[1]);
    if (wait_bounded(pid, TGT_TIMEOUT_MS, &status) != 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        close(says[0]);
        snprintf(f->err, sizeof(f->err), "%s %s: no answer in %d ms", prog, args[-1],
                 TGT_TIMEOUT_MS);
        return -1;
    }
    char said[160];
    ssize_t got = read(says[0], said, sizeof(said) - 1);
    close(says[0]);
    said[got > 0 ? got : 0] = '\0';
    said[strcspn(said, "\n")] = '\0';
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(f->err, sizeof(f->err), "%s %s %s failed (status %d): %s", prog, mode, op,
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1, said);
        return -1;
    }
    return 0;
}

static int control_taken(int control)
{
    char path[64];

    snprintf(path, sizeof(path), "/var/run/tgtd/socket.%d", control);
    return access(path, F_OK) == 0;
}

static int start_once(struct tgt_fixture *f)
{
    char ctl[16], portal[64], log[300];
    long end;
    int status;

    f->port = unused_port();
    if (f->port < 0) {
        snprintf(f->err, sizeof(f->err), "no free port on 127.0.0.1");
        return -1;
    }
    /* tgtd takes control ports up to 32767; one whose socket exists belongs to another tgtd */
    f->control = 1 + f->port % 32767;
    for (int i = 0; i < 64 && control_taken(f->control); i++)
        f->control = 1 + (f->control + 257) % 32767;
    snprintf(ctl, sizeof(ctl), "%d", f->control);
    snprintf(portal, sizeof(portal), "portal=127.0.0.1:%d", f->port);
    snprintf(f->portal, sizeof(f->portal), "127.0.0.1:%d", f->port);
    snprintf(log, sizeof(log), "%s/tgtd.log", f->dir);
    f->pid = fork();
    if (f->pid < 0) {
        snprintf(f->err, sizeof(f->err), "fork: %s", strerror(errno));
        return -1;
    }
    if (f->pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        setpgid(0, 0);
        execl(tgtd_path(), tgtd_path(), "-f", "-C", ctl, "--iscsi", portal, (char *)NULL);
        _exit(127);
    }
    end = now_ms() + TGT_TIMEOUT_MS;
    while (now_ms() < end) {
        if (waitpid(f->pid, &status, WNOHANG) == f->pid) {
            f->pid = 0;
            snprintf(f->err, sizeof(f->err), "%s exited at start (status %d), see %s", tgtd_path(),
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1, log);
            return -1;
        }
        if (port_open(f->port)) {
            static const char *const show[] = {"--mode", "target", "--op", "show", NULL};
            if (tgtadm(f, show) == 0)
                return 0;
        }
        usleep(20000);
    }
    snprintf(f->err, sizeof(f->err), "%s did not listen on %s in %d ms", tgtd_path(), f->portal,
             TGT_TIMEOUT_MS);
    tgt_stop(f);
    return -1;
}

int tgt_start(struct tgt_fixture *f, const char *dir)
{
    memset(f, 0, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "%s", dir);
    if (access(tgtd_path(), X_OK) != 0) {
        snprintf(f->err, sizeof(f->err), "%s: %s (Debian package tgt)", tgtd_path(),
                 strerror(errno));
        return -1;
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        snprintf(f->err, sizeof(f->err), "%s: %s", dir, strerror(errno));
        return -1;
    }
    /* The port the kernel picked may be taken before tgtd binds it: try again */
    for (int i = 0; i < 3; i++)
        if (start_once(f) == 0)
            return 0;
    return -1;
}

/** Remove the backing files, the log and the borrowers' folders under DIR (TGT_KEEP=1 in
 *  the environment keeps them) */
static void remove_dir(const char *dir, int depth)
{
    char path[512];
    struct dirent *e;
    DIR *d;

    if (getenv("TGT_KEEP") != NULL || (d = opendir(dir)) == NULL)
        return;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') {
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            if (unlink(path) != 0 && errno == EISDIR && depth > 0)
                remove_dir(path, depth - 1);
        }
    closedir(d);
    rmdir(dir);
}

void tgt_stop(struct tgt_fixture *f)
{
    char path[64];
    int status;

    if (f->pid <= 0)
        return;
    /* tgtd deletes the system only when no target is left */
    for (int tid = f->min_tid > 0 ? f->min_tid : 1; tid <= f->max_tid; tid++)
        tgt_del_target(f, tid);
    if (f->borrowed) {
        f->pid = 0;
        remove_dir(f->dir, 0);
        return;
    }
    static const char *const stop[] = {"--mode", "system", "--op", "delete", NULL};
    tgtadm(f, stop);
    if (wait_bounded(f->pid, 5000, &status) != 0) {
        kill(f->pid, SIGKILL);
        waitpid(f->pid, &status, 0);
    }
    f->pid = 0;
    snprintf(path, sizeof(path), "/var/run/tgtd/socket.%d", f->control);
    unlink(path);
    snprintf(path, sizeof(path), "/var/run/tgtd/socket.%d.lock", f->control);
    unlink(path);
    remove_dir(f->dir, 1);
}

int tgt_borrow(const struct tgt_fixture *shared, struct tgt_fixture *mine, const char *dir)
{
    *mine = *shared;
    mine->min_tid = mine->max_tid = 0;
    mine->borrowed = 1;
    mine->err[0] = '\0';
    snprintf(mine->dir, sizeof(mine->dir), "%s", dir);
    if (shared->pid <= 0) {
        snprintf(mine->err, sizeof(mine->err), "%s", shared->err[0] ? shared->err : "no tgtd");
        mine->pid = 0;
        return -1;
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        snprintf(mine->err, sizeof(mine->err), "%s: %s", dir, strerror(errno));
        mine->pid = 0;
        return -1;
    }
    return 0;
}

int tgt_del_target(struct tgt_fixture *f, int tid)
{
    char t[16];

    snprintf(t, sizeof(t), "%d", tid);
    const char *const del[] = {"--mode", "target", "--op", "delete", "--force", "--tid", t, NULL};
    /* tgt refuses to delete a logical unit while a command is queued at it,
     * even with --force ("this logical unit is still active"): a command
     * that arrived before its connection closed (a stopped tgtd, resumed) is
     * still executed by tgtd's backing-store threads for a moment.  Only
     * that refusal is retried, for a bounded time (a refusal that lasts
     * fails); any other failure (no such target, no tgtd) fails at once. */
    for (int tries = 0;; tries++) {
        if (tgtadm(f, del) == 0)
            return 0;
        if (strstr(f->err, "is still active") == NULL || tries == 200) /* 10 s */
            return -1;
        usleep(50000);
    }
}

int tgt_add_target(struct tgt_fixture *f, int tid, const char *iqn)
{
    char t[16];

    snprintf(t, sizeof(t), "%d", tid);
    if (tid > f->max_tid)
        f->max_tid = tid;
    if (f->min_tid == 0 || tid < f->min_tid)
        f->min_tid = tid;
    const char *const create[] = {"--mode", "target",       "--op", "new", "--tid",
                                  t,        "--targetname", iqn,    NULL};
    const char *const bind[] = {
        "--mode", "target", "--op", "bind", "--tid", t, "--initiator-address", "ALL", NULL};
    return tgtadm(f, create) == 0 && tgtadm(f, bind) == 0 ? 0 : -1;
}

void tgt_path(const struct tgt_fixture *f, const char *name, char *out, size_t len)
{
    snprintf(out, len, "%s/%s", f->dir, name);
}

int tgt_add_lun(struct tgt_fixture *f, int tid, int lun, const char *name, uint64_t bytes, int thin)
{
    char t[16], l[16], path[300];
    int fd;

    tgt_path(f, name, path, sizeof(path));
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || ftruncate(fd, (off_t)bytes) != 0) {
        snprintf(f->err, sizeof(f->err), "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    snprintf(t, sizeof(t), "%d", tid);
    snprintf(l, sizeof(l), "%d", lun);
    const char *const create[] = {"--mode", "logicalunit",     "--op", "new", "--tid", t, "--lun",
                                  l,        "--backing-store", path,   NULL};
    const char *const tp[] = {"--mode", "logicalunit", "--op", "update",   "--tid",
                              t,        "--lun",       l,      "--params", "thin_provisioning=1",
                              NULL};
    if (tgtadm(f, create) != 0)
        return -1;
    return thin ? tgtadm(f, tp) : 0;
}

int tgt_del_lun(struct tgt_fixture *f, int tid, int lun)
{
    char t[16], l[16];

    snprintf(t, sizeof(t), "%d", tid);
    snprintf(l, sizeof(l), "%d", lun);
    const char *const del[] = {"--mode", "logicalunit", "--op", "delete", "--tid",
                               t,        "--lun",       l,      NULL};
    return tgtadm(f, del);
}
