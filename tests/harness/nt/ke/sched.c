/*
 * Scheduling points: devices run, and their interrupts and the DPCs those
 * queue are delivered, whenever the driver enters the kernel (every import
 * or kernel routine call, before the call itself), when it lowers its IRQL
 * and while it waits; timers due fire then.  Queued work items run at
 * PASSIVE_LEVEL while the driver waits (seeded: also at random points).
 * An interrupt is delivered only below its IRQL, DPCs only below
 * DISPATCH_LEVEL, on the CPU they target; other CPUs' work runs at the
 * running CPU's points (k_cpus.c).  Inside an ISR or a DPC (a point nested
 * in another) devices still run and an interrupt above the IRQL preempts;
 * nothing else does.
 */
#include "kernel.h"

#define IDLE_ROUNDS 100000

void vw_sched_add_poller(struct vm *vm, vw_poll_fn *fn, void *dev)
{
    struct vw_kernel *k = vm->k;
    if (!VW_GROW(vm, k->pollers, k->poller_count, k->poller_cap, "device pollers"))
        return;
    k->pollers[k->poller_count++] = (struct vw_poller){.fn = fn, .dev = dev};
}

void vw_sched_add_next_due(struct vm *vm, vw_next_due_fn *fn, void *dev)
{
    struct vw_kernel *k = vm->k;
    for (unsigned i = 0; i < k->poller_count; i++)
        if (k->pollers[i].dev == dev)
            k->pollers[i].next_due = fn;
}

uint64_t vw_sched_next_due(struct vm *vm)
{
    struct vw_kernel *k = vm->k;
    uint64_t next = VW_NO_DEADLINE;
    for (unsigned i = 0; i < k->poller_count; i++)
        if (k->pollers[i].next_due != NULL) {
            uint64_t at = k->pollers[i].next_due(vm, k->pollers[i].dev);
            if (at < next)
                next = at;
        }
    return next;
}

void vw_sched_add_stall_check(struct vm *vm, vw_stall_fn *fn, void *dev)
{
    struct vw_kernel *k = vm->k;
    for (unsigned i = 0; i < k->poller_count; i++)
        if (k->pollers[i].dev == dev)
            k->pollers[i].stall = fn;
}

void vw_sched_check_stalls(struct vm *vm, bool hang)
{
    struct vw_kernel *k = vm->k;
    for (unsigned i = 0; i < k->poller_count && !vm->failed; i++)
        if (k->pollers[i].stall != NULL)
            k->pollers[i].stall(vm, k->pollers[i].dev, hang);
}

void vw_sched_seed(struct vm *vm, uint64_t seed)
{
    vm->k->sched_rng = seed ? seed * 0x9e3779b97f4a7c15ull | 1 : 0;
}

/* xorshift64: true on about half the calls; always true without a seed. */
bool vw_sched_coin(struct vm *vm)
{
    uint64_t *r = &vm->k->sched_rng;
    if (*r == 0)
        return true;
    *r ^= *r << 13;
    *r ^= *r >> 7;
    *r ^= *r << 17;
    return (*r >> 32) & 1;
}

/* One round; true when something ran or a device still holds work.  At a
 * seeded point the device and the interrupt may each sit this one out. */
static bool round_once(struct vm *vm, bool seeded)
{
    struct vw_kernel *k = vm->k;
    bool busy = false;
    for (unsigned i = 0; i < k->poller_count && !vm->failed; i++)
        if (!seeded || vw_sched_coin(vm))
            busy |= k->pollers[i].fn(vm, k->pollers[i].dev);
    if (!seeded || vw_sched_coin(vm))
        busy |= vw_intr_deliver(vm);
    busy |= vw_cpu_run_others(vm, seeded);
    busy |= vw_timer_expire(vm);
    busy |= vw_dpc_drain(vm);
    /* A worker thread picks queued work items up when the CPU is at
     * PASSIVE_LEVEL and the driver waits (or the scenario idles); with a
     * seed also at random points, as a worker on another CPU would. */
    if (!seeded || (vm->k->sched_rng != 0 && vw_sched_coin(vm)))
        busy |= vw_workitem_run(vm);
    return busy && !vm->failed;
}

/* vw_on_worker_point: the other thread's action, at the chosen point. */
static void worker_point(struct vm *vm)
{
    struct vw_kernel *k = vm->k;
    if (k->on_worker_point == NULL || k->in_worker == 0 || vm->irql != VW_PASSIVE_LEVEL)
        return;
    if (k->on_worker_point_skip > 0) {
        k->on_worker_point_skip--;
        return;
    }
    vw_on_wait_fn *fn = k->on_worker_point;
    k->on_worker_point = NULL;
    fn(vm, k->on_worker_point_ctx);
}

/* A point inside an ISR or DPC (or another CPU's work): devices run, and an
 * interrupt above the running CPU's IRQL preempts. */
static void nested_point(struct vm *vm)
{
    struct vw_kernel *k = vm->k;
    if (k->in_poll)
        return;
    k->in_poll = true;
    for (unsigned i = 0; i < k->poller_count && !vm->failed; i++)
        if (k->sched_rng != 0 && vw_sched_coin(vm))
            k->pollers[i].fn(vm, k->pollers[i].dev);
    k->in_poll = false;
    vw_intr_deliver(vm);
}

void vw_sched_point(struct vm *vm)
{
    struct vw_kernel *k = vm->k;
    if (vm->failed)
        return;
    if (k->in_sched) {
        nested_point(vm);
        return;
    }
    worker_point(vm);
    if (vm->failed)
        return;
    k->in_sched = true;
    /* Interrupts queued by DPCs (a DPC that kicks the device) are delivered
     * in the same point; a bounded number of rounds.  A point made unseeded
     * (an interrupt a scenario raises at this call) acts as at seed 0. */
    bool seeded = !k->point_unseeded;
    k->point_unseeded = false;
    for (unsigned i = 0; i < 4 && round_once(vm, seeded); i++)
        ;
    k->in_sched = false;
}

bool vw_sched_idle(struct vm *vm)
{
    struct vw_kernel *k = vm->k;
    bool any = false;
    if (vm->failed || k->in_sched)
        return false;
    k->in_sched = true;
    for (unsigned i = 0; i < IDLE_ROUNDS && round_once(vm, false); i++)
        any = true;
    k->in_sched = false;
    return any;
}
