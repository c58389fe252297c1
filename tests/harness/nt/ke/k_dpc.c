/*
 * DPCs: KeInitializeDpc fills the KDPC; a queued DPC waits in the queue of
 * its CPU (the one set by KeSetTargetProcessorDpc[Ex], else the one that
 * queued it; in order, each at most once) and runs at DISPATCH_LEVEL on
 * that CPU at a scheduling point where the CPU is below DISPATCH_LEVEL
 * (another CPU's: k_cpus.c), or in KeFlushQueuedDpcs.
 */
#include <inttypes.h>
#include <stdlib.h>
#include "abi.h"
#include "kernel.h"
#include "layout.h"
#include "vw_ntstatus.h"

/* Targets set by KeSetTargetProcessorDpc[Ex], by KDPC address. */
struct dpc_target {
    gva_t dpc;
    unsigned cpu;
};
struct dpc_targets {
    struct dpc_target *t;
    unsigned count, cap;
};

static struct dpc_targets *targets(struct vm *vm)
{
    struct vw_kernel *k = vm->k;
    if (k->dpc_targets == NULL) {
        k->dpc_targets = calloc(1, sizeof(struct dpc_targets));
    }
    return k->dpc_targets;
}

static void target_set(struct vm *vm, gva_t dpc, int cpu)
{
    struct dpc_targets *t = targets(vm);
    if (t == NULL)
        return;
    for (unsigned i = 0; i < t->count; i++)
        if (t->t[i].dpc == dpc) {
            if (cpu < 0)
                t->t[i] = t->t[--t->count];
            else
                t->t[i].cpu = (unsigned)cpu;
            return;
        }
    if (cpu < 0)
        return;
    if (t->count == t->cap) {
        unsigned cap = t->cap ? t->cap * 2 : 16;
        struct dpc_target *n = realloc(t->t, cap * sizeof(*n));
        if (n == NULL) {
            vw_fail(vm, "harness: out of memory for DPC targets");
            return;
        }
        t->t = n;
        t->cap = cap;
    }
    t->t[t->count++] = (struct dpc_target){dpc, (unsigned)cpu};
}

void vw_dpc_free_targets(struct vm *vm)
{
    struct dpc_targets *t = vm->k->dpc_targets;
    if (t != NULL)
        free(t->t);
    free(t);
    vm->k->dpc_targets = NULL;
}

static int target_of(struct vm *vm, gva_t dpc)
{
    struct dpc_targets *t = vm->k->dpc_targets;
    for (unsigned i = 0; t != NULL && i < t->count; i++)
        if (t->t[i].dpc == dpc)
            return (int)t->t[i].cpu;
    return -1;
}

void vw_KeInitializeDpc(struct vm *vm, const struct vw_api *api)
{
    gva_t dpc = vw_arg(vm, api, 0);
    if (vw_cpu_dpc_queued_in(vm, 0, 0, false, dpc)) {
        vw_fail(vm, "KeInitializeDpc on a queued DPC 0x%" PRIx64, dpc);
        return;
    }
    target_set(vm, dpc, -1);
    vw_wrptr(vm, dpc + VW_OFFSET(vm, KDPC, DeferredRoutine), vw_arg(vm, api, 1));
    vw_wrptr(vm, dpc + VW_OFFSET(vm, KDPC, DeferredContext), vw_arg(vm, api, 2));
}

bool vw_dpc_queue(struct vm *vm, gva_t dpc, gva_t arg1, gva_t arg2)
{
    if (vw_rdptr(vm, dpc + VW_OFFSET(vm, KDPC, DeferredRoutine)) == 0) {
        vw_fail(vm, "DPC 0x%" PRIx64 " queued but never initialized", dpc);
        return false;
    }
    if (vw_cpu_dpc_queued_in(vm, 0, 0, false, dpc))
        return false;
    int cpu = target_of(vm, dpc);
    return vw_cpu_dpc_push(vm, cpu >= 0 ? (unsigned)cpu : vw_cpu_current(vm),
                           (struct vw_dpc_entry){dpc, arg1, arg2});
}

void vw_KeInsertQueueDpc(struct vm *vm, const struct vw_api *api)
{
    vw_set_return(vm, vw_dpc_queue(vm, vw_arg(vm, api, 0), vw_arg(vm, api, 1), vw_arg(vm, api, 2)));
}

void vw_KeRemoveQueueDpc(struct vm *vm, const struct vw_api *api)
{
    vw_set_return(vm, vw_cpu_dpc_queued_in(vm, 0, 0, true, vw_arg(vm, api, 0)));
}

/* KeSetTargetProcessorDpcEx(Dpc, PPROCESSOR_NUMBER): the DPC runs on that
 * processor from its next queuing on. */
void vw_KeSetTargetProcessorDpcEx(struct vm *vm, const struct vw_api *api)
{
    unsigned index = vw_processor_index(vm, vw_arg(vm, api, 1));
    if (index >= vw_cpu_count(vm)) {
        vw_set_return(vm, VW_STATUS_INVALID_PARAMETER);
        return;
    }
    target_set(vm, vw_arg(vm, api, 0), (int)index);
    vw_set_return(vm, VW_STATUS_SUCCESS);
}

/* KeSetTargetProcessorDpc(Dpc, CCHAR Number): group 0. */
void vw_KeSetTargetProcessorDpc(struct vm *vm, const struct vw_api *api)
{
    unsigned n = (unsigned)(vw_arg(vm, api, 1) & 0xff);
    if (n >= vw_cpu_count(vm) || n >= 64) {
        vw_fail(vm, "KeSetTargetProcessorDpc: processor %u does not exist", n);
        return;
    }
    target_set(vm, vw_arg(vm, api, 0), (int)n);
}

/* Run the running CPU's queue; stops when a DPC spins (k_cpus.c). */
static bool run_all(struct vm *vm)
{
    struct vw_kernel *k = vm->k;
    bool ran = false;
    unsigned cpu = vw_cpu_current(vm);
    unsigned *count;
    for (;;) {
        struct vw_dpc_entry *q = vw_cpu_dpcs(vm, cpu, &count);
        if (*count == 0 || vm->failed)
            break;
        struct vw_dpc_entry e = q[0];
        vw_cpu_dpc_queued_in(vm, 0, 0, true, e.dpc);
        gva_t routine = vw_rdptr(vm, e.dpc + VW_OFFSET(vm, KDPC, DeferredRoutine));
        gva_t context = vw_rdptr(vm, e.dpc + VW_OFFSET(vm, KDPC, DeferredContext));
        unsigned irql = vm->irql;
        vm->irql = VW_DISPATCH_LEVEL;
        vm->next_call_stack = vw_cpu_enter_istack(vm);
        uint64_t args[4] = {e.dpc, context, e.arg1, e.arg2};
        bool done = vw_cpu_call_dpc(vm, routine, args);
        if (!done && vw_cpu_spinning(vm))
            return true; /* resumes later, on this CPU, at the same call */
        vw_cpu_leave_istack(vm);
        vm->irql = irql;
        k->dpcs_run++;
        ran = true;
    }
    return ran;
}

bool vw_dpc_drain(struct vm *vm)
{
    unsigned *count;
    vw_cpu_dpcs(vm, vw_cpu_current(vm), &count);
    if (vm->irql >= VW_DISPATCH_LEVEL || *count == 0)
        return false;
    return run_all(vm);
}

void vw_KeFlushQueuedDpcs(struct vm *vm, const struct vw_api *api)
{
    /* Like a scheduling point: nothing else is delivered onto the
     * interrupt stack while these DPCs use it. */
    bool was = vm->k->in_sched;
    (void)api;
    vm->k->in_sched = true;
    run_all(vm);
    vw_cpu_flush_dpcs(vm);
    vm->k->in_sched = was;
}

bool vw_dpc_queued_in(struct vm *vm, gva_t start, uint64_t len)
{
    return vw_cpu_dpc_queued_in(vm, start, len, false, 0);
}
