/*
 * Timers on the virtual clock: KeSetTimer(Ex) records the due time (and
 * period) in interrupt time; a timer fires at the first scheduling point
 * at or after it, or when a wait with nothing else to run jumps the clock
 * to it (k_wait.c).  Firing signals the KTIMER (a dispatcher object: wait
 * on it like an event) and queues its DPC.  A timer still set at unload,
 * or in memory being freed, would fire into freed code or data: reported.
 */
#include <inttypes.h>
#include "abi.h"
#include "kernel.h"
#include "layout.h"
#include "vw_ke.h"

#define UNITS_PER_MS ((uint64_t)10000)

static struct vw_timer *find(struct vm *vm, gva_t timer)
{
    for (unsigned i = 0; i < vm->k->timer_count; i++)
        if (vm->k->timers[i].timer == timer)
            return &vm->k->timers[i];
    return NULL;
}

static void set_signal(struct vm *vm, gva_t timer, unsigned state)
{
    vw_wr(vm, timer + VW_OFFSET(vm, KEVENT, Header.SignalState), state, 4);
}

static void initialize(struct vm *vm, gva_t timer, unsigned type)
{
    struct vw_kernel *k = vm->k;
    struct vw_timer *t = find(vm, timer);
    if (t != NULL && t->set) {
        vw_fail(vm, "KeInitializeTimer on timer 0x%" PRIx64 ", which is set", timer);
        return;
    }
    if (t == NULL) {
        if (!VW_GROW(vm, k->timers, k->timer_count, k->timer_cap, "timers"))
            return;
        t = &k->timers[k->timer_count++];
    }
    *t = (struct vw_timer){.timer = timer};
    vw_wr(vm, timer + VW_OFFSET(vm, KEVENT, Header.Type), type, 1);
    set_signal(vm, timer, 0);
}

void vw_KeInitializeTimer(struct vm *vm, const struct vw_api *api)
{
    initialize(vm, vw_arg(vm, api, 0), VW_TIMER_NOTIFICATION);
}

/* TIMER_TYPE: NotificationTimer 0, SynchronizationTimer 1. */
void vw_KeInitializeTimerEx(struct vm *vm, const struct vw_api *api)
{
    uint32_t type = (uint32_t)vw_arg(vm, api, 1);
    if (type > 1) {
        vw_fail(vm, "KeInitializeTimerEx: bad timer type %u", type);
        return;
    }
    initialize(vm, vw_arg(vm, api, 0), type ? VW_TIMER_SYNCHRONIZATION : VW_TIMER_NOTIFICATION);
}

static void set_timer(struct vm *vm, const struct vw_api *api, int32_t period_ms, gva_t dpc)
{
    gva_t timer = vw_arg(vm, api, 0);
    struct vw_timer *t = find(vm, timer);
    if (t == NULL) {
        vw_fail(vm, "%s: timer 0x%" PRIx64 " was never initialized", api->name, timer);
        return;
    }
    if (period_ms < 0) {
        vw_fail(vm, "%s: negative period %d ms", api->name, period_ms);
        return;
    }
    bool was = t->set;
    t->due = vw_time_due(vm, (int64_t)vw_arg(vm, api, 1));
    t->period = (uint64_t)period_ms * UNITS_PER_MS;
    t->dpc = dpc;
    t->set = true;
    set_signal(vm, timer, 0);
    vw_set_return(vm, was);
}

/* (Timer, DueTime, Dpc) */
void vw_KeSetTimer(struct vm *vm, const struct vw_api *api)
{
    set_timer(vm, api, 0, vw_arg(vm, api, 2));
}

/* (Timer, DueTime, Period in ms, Dpc) */
void vw_KeSetTimerEx(struct vm *vm, const struct vw_api *api)
{
    set_timer(vm, api, (int32_t)vw_arg(vm, api, 2), vw_arg(vm, api, 3));
}

void vw_KeCancelTimer(struct vm *vm, const struct vw_api *api)
{
    struct vw_timer *t = find(vm, vw_arg(vm, api, 0));
    bool was = t != NULL && t->set;
    if (t != NULL)
        t->set = false;
    vw_set_return(vm, was);
}

void vw_KeReadStateTimer(struct vm *vm, const struct vw_api *api)
{
    gva_t timer = vw_arg(vm, api, 0);
    vw_set_return(vm, vw_rd(vm, timer + VW_OFFSET(vm, KEVENT, Header.SignalState), 4) != 0);
}

bool vw_timer_set_at(struct vm *vm, gva_t timer, uint64_t due, gva_t dpc)
{
    struct vw_timer *t = find(vm, timer);
    if (t == NULL) {
        initialize(vm, timer, VW_TIMER_NOTIFICATION);
        t = find(vm, timer);
        if (t == NULL)
            return false;
    }
    bool was = t->set;
    t->due = due;
    t->period = 0;
    t->dpc = dpc;
    t->set = true;
    set_signal(vm, timer, 0);
    return was;
}

void vw_timer_cancel(struct vm *vm, gva_t timer)
{
    struct vw_timer *t = find(vm, timer);
    if (t != NULL)
        t->set = false;
}

bool vw_timer_expire(struct vm *vm)
{
    struct vw_kernel *k = vm->k;
    uint64_t now = k->interrupt_time;
    bool fired = false;
    for (unsigned i = 0; i < k->timer_count && !vm->failed; i++) {
        struct vw_timer *t = &k->timers[i];
        if (!t->set || t->due > now)
            continue;
        if (t->period != 0)
            t->due = t->due + t->period > now ? t->due + t->period : now + t->period;
        else
            t->set = false;
        set_signal(vm, t->timer, 1);
        /* The DPC gets the expiry time, as Windows passes it. */
        if (t->dpc != 0)
            vw_dpc_queue(vm, t->dpc, now & 0xffffffffu, now >> 32);
        k->timers_fired++;
        fired = true;
    }
    return fired;
}

uint64_t vw_timer_next_due(struct vm *vm)
{
    uint64_t next = VW_NO_DEADLINE;
    for (unsigned i = 0; i < vm->k->timer_count; i++)
        if (vm->k->timers[i].set && vm->k->timers[i].due < next)
            next = vm->k->timers[i].due;
    return next;
}

uint64_t vw_next_due(struct vm *vm)
{
    uint64_t timer = vw_timer_next_due(vm), device = vw_sched_next_due(vm);
    return device < timer ? device : timer;
}

bool vw_timer_set_in(struct vm *vm, gva_t start, uint64_t len)
{
    struct vw_kernel *k = vm->k;
    for (unsigned i = 0; i < k->timer_count; i++) {
        const struct vw_timer *t = &k->timers[i];
        if (t->set && ((t->timer >= start && t->timer < start + len) ||
                       (t->dpc >= start && t->dpc < start + len)))
            return true;
    }
    /* The memory goes: forget the timers that lived in it. */
    for (unsigned i = 0; i < k->timer_count;)
        if (k->timers[i].timer >= start && k->timers[i].timer < start + len)
            k->timers[i] = k->timers[--k->timer_count];
        else
            i++;
    return false;
}

unsigned vw_timer_report_leaks(struct vm *vm)
{
    unsigned n = 0;
    char w[48];
    for (unsigned i = 0; i < vm->k->timer_count; i++) {
        const struct vw_timer *t = &vm->k->timers[i];
        if (!t->set)
            continue;
        gva_t routine =
            t->dpc ? vw_rdptr(vm, t->dpc + VW_OFFSET(vm, KDPC, DeferredRoutine)) : (gva_t)0;
        vw_log(vm, "leak: timer 0x%" PRIx64 " still set (period %" PRIu64 " ms, DPC routine %s)",
               t->timer, t->period / UNITS_PER_MS, routine ? vw_where(vm, routine, w) : "none");
        n++;
    }
    return n;
}
