/*
 * watchdog.c - the budget of an outermost driver call (watchdog.h).
 *
 * A helper thread reads the emulating thread's CPU clock every 50 ms of
 * real time and stops emulation only once the budget is spent; a call is
 * never cut into slices and restarted.  Slicing with unicorn's own timeout
 * stopped emulation wherever it was, also inside an import hook, whose
 * restart then ran the import a second time (one NdisAcquireSpinLock taken
 * twice under load), or inside a nested call from a scheduling point, which
 * then "did not return".  CPU time, not real time, so a machine loaded by
 * other work does not fail a driver that is merely slow to be scheduled;
 * waits for a real back end in real time are bounded where they happen.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include "vm.h"
#include "watchdog.h"

#define CALL_CPU_BUDGET_NS  (5ull * 1000 * 1000 * 1000)
#define CALL_WALL_BUDGET_NS (120ull * 1000 * 1000 * 1000)
#define WATCH_PERIOD_NS     (50ull * 1000 * 1000)

struct vw_watchdog {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool armed, fired, quit;
    bool idle;              /* the thread waits for an arm (not in a timed wait) */
    bool plant_never_woken; /* planted: an arm never wakes the idle thread */
    uint64_t cpu_budget_ns, wall_budget_ns;
    clockid_t cpu_clock;        /* the emulating thread's CPU-time clock */
    uint64_t cpu0_ns, wall0_ns; /* at arm */
};

/* Nanoseconds on CLOCK. */
static uint64_t clock_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The watchdog thread: stop emulation of an armed call whose budget is spent. */
static void *watch(void *arg)
{
    struct vm *vm = arg;
    struct vw_watchdog *w = vm->watchdog;
    pthread_mutex_lock(&w->lock);
    while (!w->quit) {
        if (!w->armed) {
            w->idle = true;
            pthread_cond_wait(&w->wake, &w->lock);
            w->idle = false;
            continue;
        }
        uint64_t now = clock_ns(CLOCK_MONOTONIC) + WATCH_PERIOD_NS;
        struct timespec until = {(time_t)(now / 1000000000u), (long)(now % 1000000000u)};
        while (w->armed && !w->quit &&
               pthread_cond_timedwait(&w->wake, &w->lock, &until) != ETIMEDOUT)
            ;
        if (!w->armed || w->quit)
            continue;
        if (clock_ns(w->cpu_clock) - w->cpu0_ns >= w->cpu_budget_ns ||
            clock_ns(CLOCK_MONOTONIC) - w->wall0_ns >= w->wall_budget_ns) {
            /* Repeated every period while armed: a stop that lands between
             * two nested emulations is not kept by unicorn. */
            w->fired = true;
            uc_emu_stop(vm->uc);
        }
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* The machine's watchdog, started on first use with the standard budgets. */
static struct vw_watchdog *watchdog(struct vm *vm)
{
    struct vw_watchdog *w = vm->watchdog;
    if (w != NULL)
        return w;
    w = calloc(1, sizeof(*w));
    if (w == NULL)
        return NULL;
    w->cpu_budget_ns = CALL_CPU_BUDGET_NS;
    w->wall_budget_ns = CALL_WALL_BUDGET_NS;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC); /* the timed waits' clock */
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, &attr);
    pthread_condattr_destroy(&attr);
    vm->watchdog = w;
    if (pthread_create(&w->thread, NULL, watch, vm) != 0) {
        vm->watchdog = NULL;
        free(w);
        return NULL;
    }
    return w;
}

/* Plant NS as the CPU (CPU) or real-time budget, under the thread's lock. */
static bool plant_budget(struct vm *vm, bool cpu, uint64_t ns)
{
    struct vw_watchdog *w = watchdog(vm);
    if (w == NULL)
        return false;
    pthread_mutex_lock(&w->lock);
    *(cpu ? &w->cpu_budget_ns : &w->wall_budget_ns) = ns;
    pthread_mutex_unlock(&w->lock);
    return true;
}

bool vw_watchdog_plant_wall_budget(struct vm *vm, uint64_t ns)
{
    return plant_budget(vm, false, ns);
}

bool vw_watchdog_plant_cpu_budget(struct vm *vm, uint64_t ns)
{
    return plant_budget(vm, true, ns);
}

/* The planted twin's knob: arming leaves an idle thread asleep. */
bool vw_watchdog_plant_never_woken(struct vm *vm)
{
    struct vw_watchdog *w = watchdog(vm);
    if (w == NULL)
        return false;
    pthread_mutex_lock(&w->lock);
    w->plant_never_woken = true;
    pthread_mutex_unlock(&w->lock);
    return true;
}

/* Wait (polling, 5 ms of real time apart) until the thread waits for an arm. */
bool vw_watchdog_wait_idle(struct vm *vm, uint64_t wall_ns)
{
    struct vw_watchdog *w = watchdog(vm);
    uint64_t until = clock_ns(CLOCK_MONOTONIC) + wall_ns;
    while (w != NULL) {
        pthread_mutex_lock(&w->lock);
        bool idle = w->idle && !w->armed;
        pthread_mutex_unlock(&w->lock);
        if (idle)
            return true;
        if (clock_ns(CLOCK_MONOTONIC) >= until)
            return false;
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return false;
}

void vw_watchdog_budgets(struct vm *vm, uint64_t *cpu_ns, uint64_t *wall_ns)
{
    const struct vw_watchdog *w = vm->watchdog;
    *cpu_ns = w != NULL ? w->cpu_budget_ns : CALL_CPU_BUDGET_NS;
    *wall_ns = w != NULL ? w->wall_budget_ns : CALL_WALL_BUDGET_NS;
}

bool vw_watchdog_arm(struct vm *vm)
{
    struct vw_watchdog *w = watchdog(vm);
    if (w == NULL)
        return false;
    clockid_t cpu_clock;
    if (pthread_getcpuclockid(pthread_self(), &cpu_clock) != 0)
        return false;
    pthread_mutex_lock(&w->lock);
    w->cpu_clock = cpu_clock;
    w->cpu0_ns = clock_ns(cpu_clock);
    w->wall0_ns = clock_ns(CLOCK_MONOTONIC);
    w->armed = true;
    w->fired = false;
    /* Woken only from its wait for an arm: in a timed wait (a call armed
     * less than a period ago) a wake-up only waited again until the same
     * time, and cost the emulating thread a futex call and a switch at
     * every outermost call. */
    if (w->idle && !w->plant_never_woken)
        pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    return true;
}

bool vw_watchdog_disarm(struct vm *vm)
{
    struct vw_watchdog *w = vm->watchdog;
    if (w == NULL)
        return false;
    pthread_mutex_lock(&w->lock);
    bool fired = w->fired;
    w->armed = false;
    w->fired = false;
    pthread_mutex_unlock(&w->lock);
    return fired;
}

void vw_watchdog_destroy(struct vm *vm)
{
    struct vw_watchdog *w = vm->watchdog;
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    w->quit = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
    vm->watchdog = NULL;
}
