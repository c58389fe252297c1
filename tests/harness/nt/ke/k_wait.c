/*
 * Waiting on dispatcher objects (events, timers, threads): one CPU, so a
 * wait runs everything else that can happen (the scenario's "other
 * thread", devices, interrupts, DPCs, work items) until the object is
 * signalled; when nothing else can run, virtual time jumps to the next
 * timer or the wait's time-out.  A wait nothing can satisfy is a deadlock,
 * reported at once.
 */
#include <inttypes.h>
#include "abi.h"
#include "kernel.h"
#include "layout.h"
#include "pnp.h"

/* DISPATCHER_HEADER types whose wait resets the signal (auto-reset). */
#define EVENT_SYNCHRONIZATION 1
#define TIMER_SYNCHRONIZATION 9
/* Timer jumps one wait may take before it is called endless (a periodic
 * timer keeps firing but the waited-for object never comes). */
#define MAX_TIMER_JUMPS  100000
#define STATUS_WAIT_0    0x00000000u
#define MAX_WAIT_OBJECTS 64
#define THREAD_WAIT_OBJS 3

/* Every dispatcher object starts with a DISPATCHER_HEADER: the KEVENT
 * offsets hold for timers and threads too. */
static bool signalled(struct vm *vm, gva_t object)
{
    return (int32_t)vw_rd(vm, object + VW_OFFSET(vm, KEVENT, Header.SignalState), 4) > 0;
}

static void satisfy(struct vm *vm, gva_t object)
{
    unsigned type = (unsigned)vw_rd(vm, object + VW_OFFSET(vm, KEVENT, Header.Type), 1);
    if (type == EVENT_SYNCHRONIZATION || type == TIMER_SYNCHRONIZATION)
        vw_wr(vm, object + VW_OFFSET(vm, KEVENT, Header.SignalState), 0, 4);
}

/* The index satisfied now, or -1. */
static int ready(struct vm *vm, const gva_t *objects, unsigned count, bool wait_all)
{
    if (count == 0)
        return -1;
    for (unsigned i = 0; i < count; i++) {
        bool s = signalled(vm, objects[i]);
        if (!wait_all && s) {
            satisfy(vm, objects[i]);
            return (int)i;
        }
        if (wait_all && !s)
            return -1;
    }
    if (!wait_all)
        return -1;
    for (unsigned i = 0; i < count; i++)
        satisfy(vm, objects[i]);
    return 0;
}

int vw_wait_consume(struct vm *vm, const gva_t *objects, unsigned count, bool wait_all)
{
    return ready(vm, objects, count, wait_all);
}

int vw_wait(struct vm *vm, const gva_t *objects, unsigned count, bool wait_all, uint64_t deadline)
{
    struct vw_kernel *k = vm->k;
    unsigned jumps = 0;
    while (!vm->failed) {
        int r = ready(vm, objects, count, wait_all);
        if (r >= 0)
            return r;
        if (k->on_wait != NULL) {
            vw_on_wait_fn *fn = k->on_wait;
            k->on_wait = NULL;
            fn(vm, k->on_wait_ctx);
            continue;
        }
        if (vw_sched_idle(vm))
            continue;
        uint64_t next = vw_next_due(vm);
        if (next != VW_NO_DEADLINE && (deadline == VW_NO_DEADLINE || next <= deadline) &&
            jumps++ < MAX_TIMER_JUMPS) {
            if (next > k->interrupt_time)
                vw_time_advance(vm, next - k->interrupt_time);
            vw_timer_expire(vm);
            continue;
        }
        if (deadline == VW_NO_DEADLINE)
            return VW_WAIT_DEADLOCK;
        if (deadline > k->interrupt_time)
            vw_time_advance(vm, deadline - k->interrupt_time);
        return VW_WAIT_TIMEOUT;
    }
    return VW_WAIT_DEADLOCK;
}

/* The checks every blocking wait makes; false (failed) when it may not. */
static bool may_block(struct vm *vm, const char *who)
{
    char w[48];
    if (vm->irql > VW_APC_LEVEL) {
        vw_fail(vm, "IRQL: %s with a non-zero timeout at IRQL %u from %s", who, vm->irql,
                vw_where(vm, vw_return_address(vm), w));
        return false;
    }
    if (vm->k->held_count > 0) {
        vw_fail(vm, "%s while holding spin lock 0x%" PRIx64 " (from %s)", who, vm->k->held[0].lock,
                vw_where(vm, vw_return_address(vm), w));
        return false;
    }
    return true;
}

/* The wait went to the thread scheduler (k_thread.c), which sets the
 * result when the thread resumes. */
#define SWITCHED (-3)

/* Waits with an optional LARGE_INTEGER time-out at TIMEOUT: 0 = poll.
 * KIND is vw_thread_wait's. */
static int wait_api(struct vm *vm, const char *who, const gva_t *objects, unsigned count,
                    bool wait_all, gva_t timeout, int kind)
{
    char w[48];
    uint64_t deadline = VW_NO_DEADLINE;
    if (timeout != 0) {
        int64_t t = (int64_t)vw_rd(vm, timeout, 8);
        if (t == 0) {
            int r = ready(vm, objects, count, wait_all);
            return r >= 0 ? r : VW_WAIT_TIMEOUT;
        }
        deadline = vw_time_due(vm, t);
    }
    if (!may_block(vm, who))
        return VW_WAIT_DEADLOCK;
    if (vw_thread_wait(vm, objects, count, kind, deadline))
        return SWITCHED;
    int r = vw_wait(vm, objects, count, wait_all, deadline);
    if (r == VW_WAIT_DEADLOCK && !vm->failed)
        vw_sched_check_stalls(vm, true); /* a device that knows why names it first */
    if (r == VW_WAIT_DEADLOCK && !vm->failed)
        vw_fail(vm,
                "deadlock: %s(0x%" PRIx64 "%s) waits forever on an unsignalled object and "
                "nothing else can run (from %s)",
                who, objects[0], count > 1 ? ", ..." : "", vw_where(vm, vw_return_address(vm), w));
    return r;
}

void vw_KeWaitForSingleObject(struct vm *vm, const struct vw_api *api)
{
    gva_t object = vw_arg(vm, api, 0);
    vw_apc_note_wait(vm, object, vw_arg(vm, api, 4) == 0);
    int r = wait_api(vm, "KeWaitForSingleObject", &object, 1, false, vw_arg(vm, api, 4), 0);
    if (!vm->failed && r != SWITCHED)
        vw_set_return(vm, r == VW_WAIT_TIMEOUT ? VW_STATUS_TIMEOUT : VW_STATUS_SUCCESS);
}

/* (Count, Object[], WaitType, WaitReason, WaitMode, Alertable, Timeout,
 * WaitBlockArray); WaitType: WaitAll 0, WaitAny 1. */
void vw_KeWaitForMultipleObjects(struct vm *vm, const struct vw_api *api)
{
    uint32_t count = (uint32_t)vw_arg(vm, api, 0);
    gva_t array = vw_arg(vm, api, 1), blocks = vw_arg(vm, api, 7);
    bool wait_all = (vw_arg(vm, api, 2) & 0xffffffffu) == 0;
    gva_t objects[MAX_WAIT_OBJECTS];
    if (count == 0 || count > MAX_WAIT_OBJECTS || (count > THREAD_WAIT_OBJS && blocks == 0)) {
        vw_fail(vm, "KeWaitForMultipleObjects: %u objects %s (bug check 0xC)", count,
                count > THREAD_WAIT_OBJS && blocks == 0 && count <= MAX_WAIT_OBJECTS
                    ? "without a WaitBlockArray"
                    : "is out of range");
        return;
    }
    for (uint32_t i = 0; i < count; i++)
        objects[i] = vw_rdptr(vm, array + (uint64_t)vm->ptr_size * i);
    int r = wait_api(vm, "KeWaitForMultipleObjects", objects, count, wait_all, vw_arg(vm, api, 6),
                     wait_all ? 2 : 1);
    if (!vm->failed && r != SWITCHED)
        vw_set_return(vm, r == VW_WAIT_TIMEOUT ? VW_STATUS_TIMEOUT
                          : wait_all           ? VW_STATUS_SUCCESS
                                               : STATUS_WAIT_0 + (uint32_t)r);
}

/* (WaitMode, Alertable, Interval): virtual time moves to the end of the
 * interval, running everything due on the way. */
void vw_KeDelayExecutionThread(struct vm *vm, const struct vw_api *api)
{
    gva_t interval = vw_arg(vm, api, 2);
    if (!may_block(vm, "KeDelayExecutionThread"))
        return;
    uint64_t deadline = vw_time_due(vm, (int64_t)vw_rd(vm, interval, 8));
    if (vw_thread_wait(vm, NULL, 0, 3, deadline))
        return;
    vw_wait(vm, NULL, 0, false, deadline);
    if (!vm->failed)
        vw_set_return(vm, VW_STATUS_SUCCESS);
}

bool vw_sched_settle(struct vm *vm)
{
    bool any = false;
    for (unsigned jumps = 0; !vm->failed && !vm->k->in_sched && jumps < MAX_TIMER_JUMPS; jumps++) {
        bool ran = vw_sched_idle(vm);
        any |= ran;
        uint64_t now = vm->k->interrupt_time, next = vw_sched_next_due(vm);
        if (next == VW_NO_DEADLINE || next > now + VW_SETTLE_SPAN || (next <= now && !ran))
            break;
        if (next > now)
            vw_time_advance(vm, next - now);
        any = true;
    }
    return any;
}

void vw_run_for(struct vm *vm, uint64_t units_100ns)
{
    if (vm->failed)
        return;
    if (vw_thread_active(vm) && vm->depth == 0)
        vw_thread_run_for(vm, units_100ns);
    else
        vw_wait(vm, NULL, 0, false, vm->k->interrupt_time + units_100ns);
}
