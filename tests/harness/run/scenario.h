/*
 * Scenarios: one C file each (drivers/<driver>/tests/, tests/harness/bad/),
 * run on every architecture.  A scenario gets a fresh machine and drives it
 * through pnp.h; the first failure ends it.  A scenario with EXPECT set
 * passes only if it fails with a message containing EXPECT: that is how the
 * planted-bug drivers prove that each checker fires.
 *
 *   VW_SCENARIO("pvpanic", start_acpi, NULL) { ... uses vm ... }
 */
#pragma once
#include "pnp.h"
#include "vm.h"

struct vw_scenario {
    const char *driver;
    const char *name;
    const char *expect; /* NULL: must pass; else the expected failure */
    void (*run)(struct vm *vm);
    struct vw_scenario *next;
    unsigned arches; /* VW_ARCH_BIT mask; 0 = every arch */
    bool no_driver;  /* tests the harness alone: may pass without loading a driver */
};

void vw_scenario_register(struct vw_scenario *scenario);

/* Registration at start-up keeps the scenario list free of a central table. */
#define VW_SCENARIO(DRIVER, NAME, EXPECT) VW_SCENARIO_ON(DRIVER, NAME, EXPECT, 0)

/* A scenario that only means something on some arches (e.g. the x86
 * calling-convention checker): ARCHES is a VW_ARCH_BIT mask. */
#define VW_SCENARIO_ON(DRIVER, NAME, EXPECT, ARCHES)                                               \
    static void NAME##_run(struct vm *vm);                                                         \
    static struct vw_scenario NAME##_scenario = {DRIVER, #NAME,  EXPECT, NAME##_run,               \
                                                 NULL,   ARCHES, false};                           \
    __attribute__((constructor)) static void NAME##_register(void)                                 \
    {                                                                                              \
        vw_scenario_register(&NAME##_scenario);                                                    \
    }                                                                                              \
    static void NAME##_run(struct vm *vm)

/* A scenario of the harness alone (its own machinery, no driver loaded):
 * without this, a run that loaded no driver fails, so that a scenario
 * returning early (a missing back end) can never count as a pass. */
#define VW_SCENARIO_NO_DRIVER(DRIVER, NAME)                                                        \
    static void NAME##_run(struct vm *vm);                                                         \
    static struct vw_scenario NAME##_scenario = {DRIVER, #NAME, NULL, NAME##_run, NULL, 0, true};  \
    __attribute__((constructor)) static void NAME##_register(void)                                 \
    {                                                                                              \
        vw_scenario_register(&NAME##_scenario);                                                    \
    }                                                                                              \
    static void NAME##_run(struct vm *vm)

/* A back end shared by every run of a scenario group (a daemon that is
 * costly to start, as tgtd): the runner calls START(build_dir) once
 * before the group's first run is forked, when any run of DRIVER is
 * selected, and STOP after the last run ended; the runs inherit what START
 * set up.  A START that fails only records why: the scenarios that need
 * the back end fail with it. */
struct vw_run_backend {
    const char *driver;
    void (*start)(const char *build_dir);
    void (*stop)(void);
    struct vw_run_backend *next;
};

void vw_run_backend_register(struct vw_run_backend *backend);

#define VW_RUN_BACKEND(DRIVER, NAME, START, STOP)                                                  \
    static struct vw_run_backend NAME##_backend = {DRIVER, START, STOP, NULL};                     \
    __attribute__((constructor)) static void NAME##_backend_register(void)                         \
    {                                                                                              \
        vw_run_backend_register(&NAME##_backend);                                                  \
    }

/* Record a failed expectation (the first failure wins). */
#define VW_EXPECT(vm, cond, ...)                                                                   \
    do {                                                                                           \
        if (!(vm)->failed && !(cond))                                                              \
            vw_fail((vm), __VA_ARGS__);                                                            \
    } while (0)
