/*
 * harness [--out DIR] [--build DIR] [--driver NAME] [--arch ARCH] [-v]
 * harness [--out DIR] [--build DIR] --coverage   (the API coverage table)
 *
 * Runs every registered scenario on every architecture (or the chosen
 * subset), each in its own process so that one crash or hang cannot take the
 * others down.  Prints one line per run, the log of failed runs, and ends
 * with "N passed, N failed".
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "coverage.h"
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

/* In the child: run one scenario, report, exit 0 on pass. */
static int run_one(const struct options *o, const struct vw_scenario *s, enum vw_arch arch)
{
    const char *an = vw_arch_name(arch);
    struct vm *vm = vw_vm_create(arch, o->out, o->build);
    if (vm == NULL) {
        printf("FAIL %-5s %s/%s: cannot create the machine (layout file missing?)\n", an, s->driver,
               s->name);
        return 1;
    }
    s->run(vm);
    bool pass = s->expect ? vm->failed && strstr(vm->failure, s->expect) != NULL : !vm->failed;
    if (pass && s->expect) {
        const char *nl = strchr(vm->failure, '\n');
        printf("ok   %-5s %s/%s (caught: %.*s)\n", an, s->driver, s->name,
               nl ? (int)(nl - vm->failure) : (int)strlen(vm->failure), vm->failure);
    } else if (pass) {
        printf("ok   %-5s %s/%s\n", an, s->driver, s->name);
    } else if (s->expect) {
        printf("FAIL %-5s %s/%s: expected a failure containing \"%s\", got: %s\n", an, s->driver,
               s->name, s->expect, vm->failed ? vm->failure : "success");
    } else {
        printf("FAIL %-5s %s/%s: %s\n", an, s->driver, s->name, vm->failure);
    }
    if (!pass || o->verbose)
        print_log(vm);
    fflush(stdout);
    vw_vm_destroy(vm);
    return pass ? 0 : 1;
}

static bool run_isolated(const struct options *o, const struct vw_scenario *s, enum vw_arch arch)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return false;
    }
    if (pid == 0) {
        alarm(60); /* a harness hang, not a driver one (those time out) */
        _exit(run_one(o, s, arch));
    }
    int status;
    if (waitpid(pid, &status, 0) < 0)
        return false;
    if (WIFEXITED(status))
        return WEXITSTATUS(status) == 0;
    printf("FAIL %-5s %s/%s: harness died with signal %d\n", vw_arch_name(arch), s->driver, s->name,
           WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return false;
}

static int usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s [--out DIR] [--build DIR] [--driver NAME] [--arch x86|amd64|arm64] [-v]\n"
            "       %s [--out DIR] [--build DIR] --coverage\n",
            prog, prog);
    return 2;
}

int main(int argc, char **argv)
{
    struct options o = {.out = "out", .build = "build", .arch = -1};
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
        } else
            return usage(argv[0]);
    }
    if (o.coverage)
        return vw_coverage_main(o.out, o.build);
    unsigned passed = 0, failed = 0;
    for (const struct vw_scenario *s = scenarios; s; s = s->next) {
        if (o.driver && strcmp(o.driver, s->driver) != 0)
            continue;
        for (int a = 0; a < VW_ARCH_COUNT; a++) {
            if (o.arch >= 0 && a != o.arch)
                continue;
            if (s->arches != 0 && !(s->arches & VW_ARCH_BIT(a)))
                continue;
            if (run_isolated(&o, s, (enum vw_arch)a))
                passed++;
            else
                failed++;
        }
    }
    printf("%u passed, %u failed\n", passed, failed);
    return failed != 0;
}
