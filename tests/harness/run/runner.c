/*
 * harness [--out DIR] [--build DIR] [--driver NAME] [--arch ARCH] [-v]
 *         [--seeds N | --seed S] [--jobs N]
 * harness [--out DIR] [--build DIR] --coverage   (the API coverage table)
 *
 * Runs every registered scenario on every architecture (or the chosen
 * subset) under N scheduling seeds (default 1: seed 0, every scheduling
 * point; seeds 1..N-1 pick the points at random, vw_sched_seed; --seed S
 * replays one), each run in its own process so that one crash or hang
 * cannot take the others down, --jobs of them at once (default: one per
 * online CPU).  Prints one line per run in a fixed order whatever the
 * order the runs end in, the log of failed runs, and ends with
 * "N passed, N failed".
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "coverage.h"
#include "kernel.h"
#include "scenario.h"

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

struct options {
    const char *out, *build, *driver;
    int arch; /* -1: all */
    bool verbose, coverage;
    unsigned seeds; /* seeds 0..seeds-1 */
    long seed;      /* >= 0: only this seed */
    unsigned jobs;
};

/* One run: a scenario on an arch under a seed, and its child process. */
struct run {
    const struct vw_scenario *s;
    enum vw_arch arch;
    unsigned seed;
    pid_t pid;
    FILE *out; /* the child's stdout, read back in order */
    bool done, pass;
    int status;
};

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
    struct vm *vm = vw_vm_create(r->arch, o->out, o->build);
    if (vm == NULL) {
        printf("FAIL %-5s %s/%s%s: cannot create the machine (layout file missing?)\n", an,
               s->driver, s->name, tag);
        return 1;
    }
    /* The scenario may choose its own seed; this one is the default. */
    vw_sched_seed(vm, r->seed);
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
    vw_vm_destroy(vm);
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
        if (dup2(fileno(r->out), STDOUT_FILENO) < 0)
            _exit(1);
        alarm(60); /* a harness hang, not a driver one (those time out) */
        _exit(run_one(o, r));
    }
    r->pid = pid;
    return true;
}

/* The child of R ended with STATUS: its verdict. */
static void run_end(struct run *r, int status)
{
    r->done = true;
    r->status = status;
    r->pass = WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Print R's output, then why it failed if the child died. */
static void run_print(const struct options *o, struct run *r)
{
    if (r->out) {
        char buf[4096];
        size_t n;
        rewind(r->out);
        while ((n = fread(buf, 1, sizeof(buf), r->out)) > 0)
            fwrite(buf, 1, n, stdout);
        fclose(r->out);
        r->out = NULL;
    }
    if (!WIFEXITED(r->status)) {
        char tag[32];
        seed_tag(o, r->seed, tag, sizeof(tag));
        printf("FAIL %-5s %s/%s%s: harness died with signal %d\n", vw_arch_name(r->arch),
               r->s->driver, r->s->name, tag, WIFSIGNALED(r->status) ? WTERMSIG(r->status) : 0);
    }
    fflush(stdout);
}

/* Run every selected run, JOBS at once; print them in order. */
static void run_all(const struct options *o, struct run *runs, size_t n, unsigned *passed,
                    unsigned *failed)
{
    size_t next = 0, printed = 0;
    unsigned running = 0;
    while (printed < n) {
        while (next < n && running < o->jobs) {
            struct run *r = &runs[next++];
            if (run_start(o, r))
                running++;
            else
                run_end(r, 1 << 8); /* exit status 1: counted as failed */
        }
        if (running > 0) {
            int status;
            pid_t pid = waitpid(-1, &status, 0);
            if (pid < 0) {
                if (errno == EINTR)
                    continue;
                perror("waitpid");
                exit(1);
            }
            for (size_t i = printed; i < next; i++)
                if (!runs[i].done && runs[i].pid == pid) {
                    run_end(&runs[i], status);
                    running--;
                    break;
                }
        }
        for (; printed < next && runs[printed].done; printed++) {
            run_print(o, &runs[printed]);
            if (runs[printed].pass)
                (*passed)++;
            else
                (*failed)++;
        }
    }
}

static int usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s [--out DIR] [--build DIR] [--driver NAME] [--arch x86|amd64|arm64] [-v]\n"
            "          [--seeds N | --seed S] [--jobs N]\n"
            "       %s [--out DIR] [--build DIR] --coverage\n",
            prog, prog);
    return 2;
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
    for (const struct vw_scenario *s = scenarios; s; s = s->next) {
        if (o.driver && strcmp(o.driver, s->driver) != 0)
            continue;
        /* Benchmarks (group "bench-*": bench/) run only when named. */
        if (!o.driver && strncmp(s->driver, "bench-", 6) == 0)
            continue;
        for (int a = 0; a < VW_ARCH_COUNT; a++) {
            if (o.arch >= 0 && a != o.arch)
                continue;
            if (s->arches != 0 && !(s->arches & VW_ARCH_BIT(a)))
                continue;
            for (unsigned seed = first; seed <= last; seed++) {
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
    unsigned passed = 0, failed = 0;
    run_all(&o, runs, n, &passed, &failed);
    free(runs);
    printf("%u passed, %u failed\n", passed, failed);
    return failed != 0;
}
