/*
 * The call budget's watchdog (machine/watchdog.c) against an import that
 * blocks in the host: testdrv/vwslow.c calls VwSelftestSlowCall once from
 * DriverEntry, and this group serves it by sleeping 1.1 s of real time.
 * The call must complete with its answer and the import must run exactly
 * once: the old budget cut emulation into real-time slices, stopped it
 * inside an import hook and restarted the import (one NdisAcquireSpinLock
 * taken twice under load).  Planted: a watchdog that counts real time
 * (0.5 s) must stop the same driver.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include "abi.h"
#include "kernel.h"
#include "scenario.h"
#include "watchdog.h"

#define SLOW_CALL_NS (1100ull * 1000 * 1000)

struct slow_state {
    unsigned calls;
};

static struct vw_api_group selftest_group;

/* VwSelftestSlowCall(Value): Value + 1, after sleeping in the host. */
static void slow_call(struct vm *vm, const struct vw_api *api)
{
    struct slow_state *s = vw_port_state(vm, &selftest_group, sizeof(*s));
    uint64_t value = vw_arg(vm, api, 0);
    struct timespec ts = {(time_t)(SLOW_CALL_NS / 1000000000u), (long)(SLOW_CALL_NS % 1000000000u)};
    if (s != NULL)
        s->calls++;
    while (nanosleep(&ts, &ts) != 0)
        ;
    vw_set_return(vm, (uint32_t)(value + 1));
}

static const struct vw_api apis[] = {
    {"VwSelftestSlowCall", VW_ALL_ARCHES, VW_STDCALL, 1, 0, VW_PASSIVE_LEVEL, slow_call},
};
VW_API_GROUP(selftest, apis);

/* Loads vwslow, checks that the slow import ran once, unloads it. */
static void slow_import(struct vm *vm)
{
    if (!vw_driver_load(vm, "vwslow"))
        return;
    struct slow_state *s = vw_port_state(vm, &selftest_group, sizeof(*s));
    VW_EXPECT(vm, s != NULL && s->calls == 1, "VwSelftestSlowCall ran %u times, want once",
              s != NULL ? s->calls : 0);
    vw_driver_unload(vm);
}

VW_SCENARIO("harness", watchdog_slow_import_runs_once, NULL)
{
    slow_import(vm);
}

VW_SCENARIO("harness", checker_watchdog_real_time_budget, "driver routine did not return")
{
    if (vw_watchdog_plant_wall_budget(vm, 500ull * 1000 * 1000))
        slow_import(vm);
}

/* The watchdog is woken by an arm only while it waits for one (h-runcpu's
 * cut: in its timed wait a wake-up only waited again).  A call armed while
 * it waits must still be stopped within its budget: the thread is left
 * idle first, then badspin's DriverEntry spins.  A backstop thread of the
 * scenario stops the call at BACKSTOP_CPU_NS of its CPU time if the
 * watchdog did not (the planted watchdog that is never woken would let it
 * spin for ever). */
#define SPIN_BUDGET_NS  (50ull * 1000 * 1000)
#define BACKSTOP_CPU_NS (10 * SPIN_BUDGET_NS)

struct backstop {
    struct vm *vm;
    clockid_t cpu_clock; /* the emulating thread's */
    uint64_t cpu0_ns;
    atomic_bool done, fired;
};

/* Nanoseconds on CLOCK. */
static uint64_t now_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The backstop: stop emulation once the emulating thread spent BACKSTOP_CPU_NS. */
static void *backstop_watch(void *arg)
{
    struct backstop *b = arg;
    while (!atomic_load(&b->done)) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
        if (now_ns(b->cpu_clock) - b->cpu0_ns >= BACKSTOP_CPU_NS) {
            atomic_store(&b->fired, true); /* repeated: a stop between emulations is lost */
            uc_emu_stop(b->vm->uc);
        }
    }
    return NULL;
}

/* badspin loaded with the watchdog's thread idle, under the backstop. */
static void spin_from_idle(struct vm *vm)
{
    struct backstop b = {.vm = vm};
    pthread_t thread;
    if (!vw_watchdog_plant_cpu_budget(vm, SPIN_BUDGET_NS) ||
        !vw_watchdog_wait_idle(vm, 5ull * 1000 * 1000 * 1000) ||
        pthread_getcpuclockid(pthread_self(), &b.cpu_clock) != 0) {
        vw_fail(vm, "harness: the watchdog's thread never waited for an arm");
        return;
    }
    b.cpu0_ns = now_ns(b.cpu_clock);
    if (pthread_create(&thread, NULL, backstop_watch, &b) != 0) {
        vw_fail(vm, "harness: cannot start the backstop thread");
        return;
    }
    vw_driver_load(vm, "badspin");
    atomic_store(&b.done, true);
    pthread_join(thread, NULL);
    if (atomic_load(&b.fired))
        vw_log(vm,
               "watchdog: the call armed while its thread was idle was not stopped by it; the"
               " backstop stopped it after %.3g s CPU time",
               BACKSTOP_CPU_NS / 1e9);
}

VW_SCENARIO("harness", checker_watchdog_stops_call_armed_while_idle, "budget of 0.05 s CPU time")
{
    spin_from_idle(vm);
}

/* Planted: a watchdog never woken by an arm leaves the call to the backstop
 * (vw_call's own message: not the watchdog's budget). */
VW_SCENARIO_ON("harness", checker_watchdog_never_woken,
               "driver routine did not return (time-out or stop", VW_ARCH_BIT(VW_AMD64))
{
    if (vw_watchdog_plant_never_woken(vm))
        spin_from_idle(vm);
}
