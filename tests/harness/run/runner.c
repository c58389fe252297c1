/*
 * harness [--out DIR] [--build DIR] [--driver NAME] [--arch ARCH] [-v]
 *         [--seeds N | --seed S] [--jobs N] [--times FILE] [--order FILE]
 * harness [--out DIR] [--build DIR] --coverage   (the API coverage table)
 *
 * Runs every registered scenario on every architecture (or the chosen
 * subset) under N scheduling seeds (default 1: seed 0, every scheduling
 * point; seeds 1..N-1 pick the points at random, vw_sched_seed; --seed S
 * replays one), each run in its own process so that one crash or hang
 * cannot take the others down, --jobs of them at once (default: one per
 * online CPU; while runs sleep in real time, up to --jobs more).  Prints
 * one line per run in a fixed order whatever the order the runs end in,
 * the log of failed runs, and ends with "N passed, N failed".  --times
 * FILE writes each run's wall and CPU milliseconds there, the costliest
 * first (what to make faster), keeping the output free of timings.
 * --order FILE starts the costliest scenarios first (order.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "coverage.h"
#include "kernel.h"
#include "order.h"
#include "pe_loader.h"
#include "pnp.h"
#include "scenario.h"
#include "zeropages.h"

static struct vw_scenario *scenarios;

void vw_scenario_register(struct vw_scenario *scenario)
{
    /* Keep them sorted by driver and name: stable output. */
    struct vw_scenario **at = &scenarios;
    while (*at && (strcmp((*at)->driver, scenario->driver) < 0 ||
                   (strcmp((*at)->driver, scenario->driver) == 0 &&
                    strcmp((*at)->name, scenario->name) < 0)))
        at = &(*at)->next;
    scenario->next = *at;
    *at = scenario;
}

static struct vw_run_backend *backends;

/* Per arch, the machine every run starts from (vw_vm_template), made once
 * in the runner: a forked run adopts its copy instead of building one.
 * NULL: the run builds its own (and reports why that fails). */
static struct vm *templates[VW_ARCH_COUNT];

void vw_run_backend_register(struct vw_run_backend *backend)
{
    backend->next = backends;
    backends = backend;
}

struct options {
    const char *out, *build, *driver;
    int arch; /* -1: all */
    bool verbose, coverage;
    bool spread;            /* each seed of a scenario on one arch, in turn (--spread) */
    const char *every_arch; /* drivers --spread leaves on every arch (space-separated) */
    unsigned seeds;         /* seeds 0..seeds-1 */
    long seed;              /* >= 0: only this seed */
    unsigned jobs;
    const char *times; /* per-run time report, or NULL */
    const char *only;  /* run only scenarios whose name contains this, or NULL */
    const char *order; /* expected costs: start the costliest first, or NULL */
};

/* One run: a scenario on an arch under a seed, and its child process. */
struct run {
    const struct vw_scenario *s;
    enum vw_arch arch;
    unsigned seed;
    size_t sc; /* index of s in the runner's scenario table */
    pid_t pid;
    FILE *out;  /* the child's stdout while it runs */
    char *text; /* its output once it ended, printed in order */
    size_t text_len;
    bool started, done, pass;
    bool lock_wait; /* last seen queued for a file lock (another run's back end) */
    int status;
    uint64_t start_ms, wall_ms, cpu_ms; /* for the --times report */
    uint64_t awake_ms;                  /* when last seen running or runnable */
};

/* What the runner knows of a scenario while runs go: how many of its runs
 * are running, and whether one was seen queued for a lock (the polling
 * back end one runs at a time: vhost-user testpmd). */
struct scen {
    unsigned running;
    bool locks;
};

/* Milliseconds on the monotonic clock. */
static uint64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static void print_log(const struct vm *vm)
{
    if (vm->log == NULL)
        return;
    for (const char *line = vm->log; *line;) {
        const char *end = strchr(line, '\n');
        int len = end ? (int)(end - line) : (int)strlen(line);
        printf("    | %.*s\n", len, line);
        line += len + (end != NULL);
    }
}

/* " seed N" after a run's name when several seeds run (to replay it). */
static void seed_tag(const struct options *o, unsigned seed, char *buf, size_t len)
{
    if (o->seeds > 1 || o->seed >= 0)
        snprintf(buf, len, " seed %u", seed);
    else
        buf[0] = 0;
}

/* In the child: run one scenario, report, exit 0 on pass. */
static int run_one(const struct options *o, const struct run *r)
{
    const struct vw_scenario *s = r->s;
    const char *an = vw_arch_name(r->arch);
    char tag[32];
    seed_tag(o, r->seed, tag, sizeof(tag));
    struct vm *vm = templates[r->arch] != NULL ? vw_vm_adopt(templates[r->arch])
                                               : vw_vm_create(r->arch, o->out, o->build);
    if (vm == NULL) {
        printf("FAIL %-5s %s/%s%s: cannot create the machine (layout file missing?)\n", an,
               s->driver, s->name, tag);
        return 1;
    }
    /* Scheduling points and device streams; the scenario may choose its
     * own scheduling seed, this one is the default. */
    vw_run_seed(vm, r->seed);
    s->run(vm);
    vw_scenario_end(vm); /* leak and pending-request checks, unloaded or not */
    /* A run that tested no driver is no pass: its back end (a vhost-user
     * daemon) or its image was missing and the scenario returned early. */
    if (!s->expect && !vm->failed && vm->k->driver_state == VW_DRIVER_NONE && !s->no_driver)
        vw_fail(vm, "the scenario loaded no driver: nothing was tested (a back end or image "
                    "missing?)");
    bool pass = s->expect ? vm->failed && strstr(vm->failure, s->expect) != NULL : !vm->failed;
    if (pass && s->expect) {
        const char *nl = strchr(vm->failure, '\n');
        printf("ok   %-5s %s/%s%s (caught: %.*s)\n", an, s->driver, s->name, tag,
               nl ? (int)(nl - vm->failure) : (int)strlen(vm->failure), vm->failure);
    } else if (pass) {
        printf("ok   %-5s %s/%s%s\n", an, s->driver, s->name, tag);
    } else if (s->expect) {
        printf("FAIL %-5s %s/%s%s: expected a failure containing \"%s\", got: %s\n", an, s->driver,
               s->name, tag, s->expect, vm->failed ? vm->failure : "success");
    } else {
        printf("FAIL %-5s %s/%s%s: %s\n", an, s->driver, s->name, tag, vm->failure);
    }
    if (!pass || o->verbose)
        print_log(vm);
    fflush(stdout);
    vw_vm_exit(vm);
    return pass ? 0 : 1;
}

/* Start R in a child process whose output goes to a file of its own. */
static bool run_start(const struct options *o, struct run *r)
{
    r->out = tmpfile();
    if (r->out == NULL) {
        perror("tmpfile");
        return false;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        fclose(r->out);
        r->out = NULL;
        return false;
    }
    if (pid == 0) {
        sigset_t chld;
        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        sigprocmask(SIG_UNBLOCK, &chld, NULL); /* blocked by the runner only */
        if (dup2(fileno(r->out), STDOUT_FILENO) < 0)
            _exit(1);
        alarm(60); /* a harness hang, not a driver one (those time out) */
        int rc = run_one(o, r);
        fflush(stdout); /* _exit does not: a message must not be lost */
        _exit(rc);
    }
    r->pid = pid;
    r->start_ms = now_ms();
    return true;
}

/* Keep what R's ended child wrote, and free its file: only running runs
 * hold one, so the start order need not follow the output order. */
static void run_capture(struct run *r)
{
    if (r->out == NULL)
        return;
    long len = ftell(r->out);
    rewind(r->out);
    r->text = len > 0 ? malloc((size_t)len) : NULL;
    r->text_len = r->text ? fread(r->text, 1, (size_t)len, r->out) : 0;
    if (len > 0 && r->text == NULL)
        fprintf(stderr, "harness: no memory for the output of a run (%ld bytes)\n", len);
    fclose(r->out);
    r->out = NULL;
}

/* The child of R ended with STATUS after using RU: its verdict and cost. */
static void run_end(struct run *r, int status, const struct rusage *ru)
{
    run_capture(r);
    r->done = true;
    if (ru != NULL) {
        r->wall_ms = now_ms() - r->start_ms;
        r->cpu_ms = (uint64_t)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000 +
                    (uint64_t)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1000;
    }
    r->status = status;
    r->pass = WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Print R's output, then why it failed if the child died. */
static void run_print(const struct options *o, struct run *r)
{
    if (r->text_len > 0)
        fwrite(r->text, 1, r->text_len, stdout);
    free(r->text);
    r->text = NULL;
    if (!WIFEXITED(r->status)) {
        char tag[32];
        seed_tag(o, r->seed, tag, sizeof(tag));
        printf("FAIL %-5s %s/%s%s: harness died with signal %d\n", vw_arch_name(r->arch),
               r->s->driver, r->s->name, tag, WIFSIGNALED(r->status) ? WTERMSIG(r->status) : 0);
    }
    fflush(stdout);
}

/* Is process PID neither running, runnable nor in a disk wait (state R or
 * D in /proc/PID/stat): asleep, stopped (a daemon a scenario holds) or
 * gone? */
static bool pid_sleeping(long pid)
{
    char path[48], buf[128];
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return true; /* gone */
    size_t len = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[len] = 0;
    const char *paren = strrchr(buf, ')'); /* the state follows "(comm)" */
    return paren != NULL && paren[1] == ' ' && paren[2] != 'R' && paren[2] != 'D';
}

/* Is R's child asleep, waiting in real time (on a back end, a held daemon,
 * a timeout), and so are the back ends it started (a polling one, testpmd,
 * never is: its run keeps its core)? */
static bool run_sleeping(const struct run *r)
{
    if (!pid_sleeping(r->pid))
        return false;
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)r->pid, (int)r->pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return true;
    long child;
    bool asleep = true;
    while (asleep && fscanf(f, "%ld", &child) == 1)
        asleep = pid_sleeping(child);
    fclose(f);
    return asleep;
}

/* Up to CAP pids of the processes queued for a file lock now (/proc/locks:
 * "N: -> FLOCK  ADVISORY  WRITE PID ..."); their count. */
static size_t lock_waiters(long *pids, size_t cap)
{
    FILE *f = fopen("/proc/locks", "r");
    if (f == NULL)
        return 0;
    char line[256];
    size_t n = 0;
    while (n < cap && fgets(line, sizeof(line), f) != NULL) {
        char kind[16], mode[16], access[16];
        long pid;
        const char *arrow = strstr(line, "->");
        if (arrow != NULL && sscanf(arrow + 2, "%15s %15s %15s %ld", kind, mode, access, &pid) == 4)
            pids[n++] = pid;
    }
    fclose(f);
    return n;
}

/* Reap every ended child among the NACTIVE runs of ACTIVE (never blocks),
 * dropping it from there; true when one did. */
static bool reap(struct run **active, size_t *nactive, struct scen *sc)
{
    bool any = false;
    for (;;) {
        int status;
        struct rusage ru;
        pid_t pid = wait4(-1, &status, WNOHANG, &ru);
        if (pid < 0 && errno == EINTR)
            continue;
        if (pid <= 0)
            return any;
        for (size_t i = 0; i < *nactive; i++)
            if (active[i]->pid == pid) {
                struct run *r = active[i];
                run_end(r, status, &ru);
                sc[r->sc].running--;
                active[i] = active[--*nactive];
                any = true;
                break;
            }
    }
}

/* Runs that kept sleeping this long count as idle: another may start. */
#define IDLE_AFTER_MS 100
/* How often the runner looks at sleeping runs when no child ends. */
#define LOOK_EVERY_MS 20
/* Runs of lock-taking scenarios at once: the one holding the lock and the
 * next, which takes it the moment it is free; more would only queue. */
#define LOCKERS 2
/* Runs queued for a lock, beyond the 2 x jobs others, at most (their
 * number is learnt: the first run of each such scenario queues). */
#define MAX_QUEUED 16
/* Lock waiters looked at in /proc/locks (other processes' too). */
#define MAX_WAITERS 512

/* The next run to start in ORDER from *CURSOR (moved past the started
 * ones): the first whose scenario has no run running (its other arches and
 * seeds would queue for the same back end), else the first; never a run of
 * a lock-taking scenario while LOCKERS of those run.  NULL when none. */
static struct run *next_run(struct run *runs, const size_t *order, size_t n, size_t *cursor,
                            const struct scen *sc, unsigned lockers)
{
    while (*cursor < n && runs[order[*cursor]].started)
        ++*cursor;
    struct run *first = NULL;
    for (size_t k = *cursor; k < n; k++) {
        struct run *r = &runs[order[k]];
        if (r->started || (sc[r->sc].locks && lockers >= LOCKERS))
            continue;
        if (sc[r->sc].running == 0)
            return r;
        if (first == NULL)
            first = r;
    }
    return first;
}

/* Run every selected run, JOBS busy at once, starting them in ORDER; print
 * them in index order.  A run that sleeps in real time (a back end it waits
 * for, a held daemon) lends its core: up to JOBS more runs start while
 * others sleep, and a run queued for a lock (a polling back end another run
 * holds) takes no place at all.  SC: per scenario. */
static void run_all(const struct options *o, struct run *runs, size_t n, const size_t *order,
                    struct scen *sc, unsigned *passed, unsigned *failed)
{
    size_t printed = 0, started = 0, cursor = 0, nactive = 0;
    size_t cap = 2 * (size_t)o->jobs + MAX_QUEUED;
    struct run **active = calloc(cap, sizeof(*active));
    long *waiters = calloc(MAX_WAITERS, sizeof(*waiters));
    if (active == NULL || waiters == NULL) {
        perror("calloc");
        free(active);
        free(waiters);
        *failed += (unsigned)n;
        return;
    }
    sigset_t chld; /* blocked: sigtimedwait wakes the runner when a child ends */
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    while (printed < n) {
        uint64_t now = now_ms();
        /* Only with every core taken may sleeping runs lend theirs. */
        bool look = started < n && nactive >= o->jobs;
        size_t nwait = look ? lock_waiters(waiters, MAX_WAITERS) : 0;
        unsigned busy = 0, queued = 0, lockers = 0;
        for (size_t i = 0; i < nactive; i++) {
            struct run *r = active[i];
            r->lock_wait = false;
            if (look && run_sleeping(r)) {
                for (size_t w = 0; w < nwait && !r->lock_wait; w++)
                    r->lock_wait = waiters[w] == (long)r->pid;
                sc[r->sc].locks |= r->lock_wait;
            } else {
                r->awake_ms = now;
            }
            busy += now - r->awake_ms < IDLE_AFTER_MS;
            queued += r->lock_wait;
        }
        for (size_t i = 0; i < nactive; i++)
            lockers += sc[active[i]->sc].locks;
        struct run *r;
        while (busy < o->jobs && nactive - queued < 2 * (size_t)o->jobs && nactive < cap &&
               (r = next_run(runs, order, n, &cursor, sc, lockers)) != NULL) {
            r->started = true;
            started++;
            if (run_start(o, r)) {
                active[nactive++] = r;
                sc[r->sc].running++;
                busy++;
                lockers += sc[r->sc].locks;
                r->awake_ms = r->start_ms;
            } else {
                run_end(r, 1 << 8, NULL); /* exit status 1: counted as failed */
            }
        }
        if (!reap(active, &nactive, sc) && nactive > 0)
            sigtimedwait(&chld, NULL, &(struct timespec){0, LOOK_EVERY_MS * 1000 * 1000});
        for (; printed < n && runs[printed].done; printed++) {
            run_print(o, &runs[printed]);
            if (runs[printed].pass)
                (*passed)++;
            else
                (*failed)++;
        }
    }
    free(active);
    free(waiters);
}

/* Start (or, STOP, end) each shared back end of a group with a run among
 * RUNS[0..N). */
static void backends_for(const struct run *runs, size_t n, const char *build, bool stop)
{
    for (struct vw_run_backend *b = backends; b != NULL; b = b->next) {
        bool used = false;
        for (size_t i = 0; i < n && !used; i++)
            used = strcmp(runs[i].s->driver, b->driver) == 0;
        if (!used)
            continue;
        fflush(stdout); /* a back end forks: nothing buffered twice */
        if (stop)
            b->stop();
        else
            b->start(build);
    }
}

/* A thread that does nothing (warm_thread_start). */
static void *idle_thread(void *arg)
{
    return arg;
}

/* Start and join one thread before forking: each run starts the call
 * watchdog's thread, and the first pthread_create of a process binds the
 * dynamic linker's TLS routines lazily (_dl_fixup, ~1.5% of a small run's
 * CPU); bound here, every run inherits them. */
static void warm_thread_start(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, idle_thread, NULL) == 0)
        pthread_join(t, NULL);
}

/* A template per arch among RUNS[0..N) (after the back ends start: their
 * processes need no copy), the hook sites of each group's driver image
 * (pe_loader.h), then the runner's zero pages released (zeropages.h).
 * Quiet: a template that cannot be made stays NULL, and each run then
 * builds its own machine and says why that fails. */
static void make_templates(const struct options *o, const struct run *runs, size_t n)
{
    bool tried[VW_ARCH_COUNT] = {false};
    fflush(stderr);
    int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY);
    if (saved >= 0 && null >= 0)
        dup2(null, STDERR_FILENO);
    for (size_t i = 0; i < n; i++)
        if (!tried[runs[i].arch]) {
            tried[runs[i].arch] = true;
            templates[runs[i].arch] = vw_vm_template(runs[i].arch, o->out, o->build);
        }
    /* The image a group's runs load most often: the group's driver. */
    enum { GROUPS = 256 };
    const char *done[VW_ARCH_COUNT][GROUPS];
    unsigned ndone[VW_ARCH_COUNT] = {0};
    for (size_t i = 0; i < n; i++) {
        enum vw_arch a = runs[i].arch;
        unsigned k = 0;
        while (k < ndone[a] && strcmp(done[a][k], runs[i].s->driver) != 0)
            k++;
        if (templates[a] == NULL || k < ndone[a] || ndone[a] == GROUPS)
            continue;
        done[a][ndone[a]++] = runs[i].s->driver;
        char path[4096];
        vw_driver_path(templates[a], runs[i].s->driver, path, sizeof(path));
        vw_image_remember(templates[a], path);
    }
    fflush(stderr);
    if (saved >= 0 && null >= 0)
        dup2(saved, STDERR_FILENO);
    if (saved >= 0)
        close(saved);
    if (null >= 0)
        close(null);
    warm_thread_start();
    vw_release_zero_pages();
}

/* Longest wall time first, then by CPU time (qsort). */
static int by_cost(const void *a, const void *b)
{
    const struct run *x = *(const struct run *const *)a, *y = *(const struct run *const *)b;
    if (x->wall_ms != y->wall_ms)
        return x->wall_ms < y->wall_ms ? 1 : -1;
    return x->cpu_ms < y->cpu_ms ? 1 : x->cpu_ms > y->cpu_ms ? -1 : 0;
}

/* Write "wall_ms cpu_ms arch driver/name seed" per run to PATH, costliest first. */
static bool write_times(const char *path, struct run *runs, size_t n)
{
    struct run **order = calloc(n ? n : 1, sizeof(*order));
    FILE *f = order ? fopen(path, "w") : NULL;
    if (f == NULL) {
        fprintf(stderr, "harness: cannot write %s: %s\n", path, strerror(errno));
        free(order);
        return false;
    }
    uint64_t wall = 0, cpu = 0;
    for (size_t i = 0; i < n; i++) {
        order[i] = &runs[i];
        wall += runs[i].wall_ms;
        cpu += runs[i].cpu_ms;
    }
    qsort(order, n, sizeof(*order), by_cost);
    fprintf(f, "# wall_ms cpu_ms arch scenario seed; %zu runs, %llu ms wall, %llu ms CPU summed\n",
            n, (unsigned long long)wall, (unsigned long long)cpu);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%llu %llu %s %s/%s %u\n", (unsigned long long)order[i]->wall_ms,
                (unsigned long long)order[i]->cpu_ms, vw_arch_name(order[i]->arch),
                order[i]->s->driver, order[i]->s->name, order[i]->seed);
    bool ok = fclose(f) == 0;
    free(order);
    return ok;
}

/* Number RUNS[0..N)'s scenarios (sc) and fill *ORDER, the order to start
 * them in: the costliest scenarios first when O names a cost list, else
 * index order; *SC gets a zeroed state per scenario.  False when out of
 * memory or the list cannot be read. */
static bool plan(const struct options *o, struct run *runs, size_t n, size_t **order,
                 struct scen **sc)
{
    size_t nsc = 0;
    for (const struct vw_scenario *s = scenarios; s; s = s->next)
        nsc++;
    *order = calloc(n ? n : 1, sizeof(**order));
    *sc = calloc(nsc ? nsc : 1, sizeof(**sc));
    const char **driver = calloc(nsc ? nsc : 1, sizeof(*driver));
    const char **name = calloc(nsc ? nsc : 1, sizeof(*name));
    uint64_t *cost = calloc(nsc ? nsc : 1, sizeof(*cost));
    uint64_t *run_cost = calloc(n ? n : 1, sizeof(*run_cost));
    bool ok = *order && *sc && driver && name && cost && run_cost;
    if (!ok)
        perror("calloc");
    size_t i = 0;
    for (const struct vw_scenario *s = scenarios; ok && s; s = s->next, i++) {
        driver[i] = s->driver;
        name[i] = s->name;
    }
    if (ok && o->order != NULL)
        ok = vw_order_costs(o->order, driver, name, nsc, cost);
    /* The runs were made in scenario order. */
    const struct vw_scenario *cur = scenarios;
    i = 0;
    for (size_t k = 0; ok && k < n; k++) {
        while (cur != runs[k].s) {
            cur = cur->next;
            i++;
        }
        runs[k].sc = i;
        run_cost[k] = cost[i];
    }
    if (ok)
        vw_order_sort(run_cost, n, *order);
    free(driver);
    free(name);
    free(cost);
    free(run_cost);
    return ok;
}

static int usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s [--out DIR] [--build DIR] [--driver NAME] [--arch x86|amd64|arm64] [-v]\n"
            "          [--seeds N | --seed S] [--spread] [--jobs N] [--times FILE] [--order FILE]\n"
            "          [--only SUBSTRING] [--every-arch \"DRIVER ...\"]\n"
            "       %s [--out DIR] [--build DIR] --coverage\n",
            prog, prog);
    return 2;
}

/* Is WORD one of the space-separated words of LIST (NULL: none)? */
static bool word_in(const char *list, const char *word)
{
    size_t len = strlen(word);
    for (const char *p = list; p != NULL && *p != '\0';) {
        p += strspn(p, " ");
        size_t n = strcspn(p, " ");
        if (n == len && strncmp(p, word, len) == 0)
            return true;
        p += n;
    }
    return false;
}

int main(int argc, char **argv)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    struct options o = {.out = "out",
                        .build = "build",
                        .arch = -1,
                        .seeds = 1,
                        .seed = -1,
                        .jobs = cpus > 0 ? (unsigned)cpus : 1};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--spread") == 0) {
            o.spread = true;
            continue;
        }
        if (strcmp(a, "-v") == 0 || strcmp(a, "--coverage") == 0) {
            o.verbose |= a[1] == 'v';
            o.coverage |= a[1] == '-';
            continue;
        }
        if (v == NULL)
            return usage(argv[0]);
        i++;
        if (strcmp(a, "--out") == 0)
            o.out = v;
        else if (strcmp(a, "--build") == 0)
            o.build = v;
        else if (strcmp(a, "--times") == 0)
            o.times = v;
        else if (strcmp(a, "--order") == 0)
            o.order = *v ? v : NULL;
        else if (strcmp(a, "--every-arch") == 0)
            o.every_arch = v;
        else if (strcmp(a, "--only") == 0)
            o.only = *v ? v : NULL;
        else if (strcmp(a, "--driver") == 0)
            o.driver = *v ? v : NULL;
        else if (strcmp(a, "--arch") == 0) {
            enum vw_arch arch;
            if (*v == 0)
                continue;
            if (!vw_arch_from_name(v, &arch))
                return usage(argv[0]);
            o.arch = (int)arch;
        } else if (strcmp(a, "--seeds") == 0 || strcmp(a, "--jobs") == 0 ||
                   strcmp(a, "--seed") == 0) {
            bool one = strcmp(a, "--seed") == 0; /* 0 allowed: every point */
            char *end;
            long n = strtol(v, &end, 10);
            if (*v == 0 || *end != 0 || n < (one ? 0 : 1) || n > 1000000)
                return usage(argv[0]);
            if (one)
                o.seed = n;
            else if (strcmp(a, "--seeds") == 0)
                o.seeds = (unsigned)n;
            else
                o.jobs = (unsigned)n;
        } else
            return usage(argv[0]);
    }
    if (o.coverage)
        return vw_coverage_main(o.out, o.build);
    size_t n = 0, cap = 0;
    struct run *runs = NULL;
    unsigned first = o.seed >= 0 ? (unsigned)o.seed : 0;
    unsigned last = o.seed >= 0 ? (unsigned)o.seed : o.seeds - 1;
    unsigned index = 0; /* of the scenario, for --spread */
    for (const struct vw_scenario *s = scenarios; s; s = s->next) {
        if (o.driver && strcmp(o.driver, s->driver) != 0)
            continue;
        if (o.only && strstr(s->name, o.only) == NULL)
            continue;
        /* Opt-in scenarios (optin_*: what a driver does not do yet) run
         * only when --only names them, so the default runs stay green. */
        if (strncmp(s->name, "optin_", 6) == 0 && !o.only)
            continue;
        /* Benchmarks (group "bench-*": bench/) run only when named. */
        if (!o.driver && strncmp(s->driver, "bench-", 6) == 0)
            continue;
        /* --spread: seed N of the scenario runs on the (index + N)-th of
         * its arches only, so N seeds put it on N arches in turn at the
         * cost of one arch. */
        int allowed[VW_ARCH_COUNT], count = 0;
        for (int a = 0; a < VW_ARCH_COUNT; a++)
            if ((o.arch < 0 || a == o.arch) && (s->arches == 0 || (s->arches & VW_ARCH_BIT(a))))
                allowed[count++] = a;
        index++;
        bool spread = o.spread && !word_in(o.every_arch, s->driver);
        for (int k = 0; k < count; k++) {
            int a = allowed[k];
            for (unsigned seed = first; seed <= last; seed++) {
                if (spread && (int)((index + seed) % (unsigned)count) != k)
                    continue;
                if (n == cap) {
                    cap = cap ? cap * 2 : 256;
                    struct run *grown = realloc(runs, cap * sizeof(*runs));
                    if (grown == NULL) {
                        perror("realloc");
                        return 1;
                    }
                    runs = grown;
                }
                runs[n++] = (struct run){.s = s, .arch = (enum vw_arch)a, .seed = seed};
            }
        }
    }
    size_t *order = NULL;
    struct scen *sc = NULL;
    if (!plan(&o, runs, n, &order, &sc)) {
        free(order);
        free(sc);
        free(runs);
        return 2;
    }
    unsigned passed = 0, failed = 0;
    backends_for(runs, n, o.build, false);
    make_templates(&o, runs, n);
    run_all(&o, runs, n, order, sc, &passed, &failed);
    for (int a = 0; a < VW_ARCH_COUNT; a++)
        vw_vm_destroy(templates[a]);
    backends_for(runs, n, o.build, true);
    free(order);
    free(sc);
    if (o.times != NULL && !write_times(o.times, runs, n))
        failed++;
    free(runs);
    printf("%u passed, %u failed\n", passed, failed);
    return failed != 0;
}
