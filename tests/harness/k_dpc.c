/*
 * DPCs: KeInitializeDpc fills the KDPC; queued DPCs wait in the kernel's
 * queue (in order, each at most once) and run at DISPATCH_LEVEL at the next
 * scheduling point below DISPATCH_LEVEL, or in KeFlushQueuedDpcs.
 */
#include <inttypes.h>
#include "abi.h"
#include "kernel.h"
#include "layout.h"

static int find(struct vm *vm, gva_t dpc)
{
    for (unsigned i = 0; i < vm->k->dpc_count; i++)
        if (vm->k->dpcs[i].dpc == dpc)
            return (int)i;
    return -1;
}

static void dequeue(struct vm *vm, unsigned i)
{
    struct vw_kernel *k = vm->k;
    for (; i + 1 < k->dpc_count; i++)
        k->dpcs[i] = k->dpcs[i + 1];
    k->dpc_count--;
}

void vw_KeInitializeDpc(struct vm *vm, const struct vw_api *api)
{
    gva_t dpc = vw_arg(vm, api, 0);
    if (find(vm, dpc) >= 0) {
        vw_fail(vm, "KeInitializeDpc on a queued DPC 0x%" PRIx64, dpc);
        return;
    }
    vw_wrptr(vm, dpc + VW_OFFSET(vm, KDPC, DeferredRoutine), vw_arg(vm, api, 1));
    vw_wrptr(vm, dpc + VW_OFFSET(vm, KDPC, DeferredContext), vw_arg(vm, api, 2));
}

bool vw_dpc_queue(struct vm *vm, gva_t dpc, gva_t arg1, gva_t arg2)
{
    struct vw_kernel *k = vm->k;
    if (vw_rdptr(vm, dpc + VW_OFFSET(vm, KDPC, DeferredRoutine)) == 0) {
        vw_fail(vm, "DPC 0x%" PRIx64 " queued but never initialized", dpc);
        return false;
    }
    if (find(vm, dpc) >= 0)
        return false;
    if (k->dpc_count == VW_MAX_OBJECTS) {
        vw_fail(vm, "harness: DPC queue full");
        return false;
    }
    k->dpcs[k->dpc_count++] = (struct vw_dpc_entry){dpc, arg1, arg2};
    return true;
}

void vw_KeInsertQueueDpc(struct vm *vm, const struct vw_api *api)
{
    vw_set_return(vm, vw_dpc_queue(vm, vw_arg(vm, api, 0), vw_arg(vm, api, 1), vw_arg(vm, api, 2)));
}

void vw_KeRemoveQueueDpc(struct vm *vm, const struct vw_api *api)
{
    int i = find(vm, vw_arg(vm, api, 0));
    if (i >= 0)
        dequeue(vm, (unsigned)i);
    vw_set_return(vm, i >= 0);
}

static bool run_all(struct vm *vm)
{
    struct vw_kernel *k = vm->k;
    bool ran = false;
    while (k->dpc_count > 0 && !vm->failed) {
        struct vw_dpc_entry e = k->dpcs[0];
        dequeue(vm, 0);
        gva_t routine = vw_rdptr(vm, e.dpc + VW_OFFSET(vm, KDPC, DeferredRoutine));
        gva_t context = vw_rdptr(vm, e.dpc + VW_OFFSET(vm, KDPC, DeferredContext));
        unsigned irql = vm->irql;
        vm->irql = VW_DISPATCH_LEVEL;
        vm->next_call_stack = vm->map.istack + VW_ISTACK_SIZE - 0x100;
        uint64_t args[4] = {e.dpc, context, e.arg1, e.arg2};
        vw_call(vm, routine, 4, args, NULL);
        vm->irql = irql;
        k->dpcs_run++;
        ran = true;
    }
    return ran;
}

bool vw_dpc_drain(struct vm *vm)
{
    if (vm->irql >= VW_DISPATCH_LEVEL || vm->k->dpc_count == 0)
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
    vm->k->in_sched = was;
}

bool vw_dpc_queued_in(struct vm *vm, gva_t start, uint64_t len)
{
    for (unsigned i = 0; i < vm->k->dpc_count; i++)
        if (vm->k->dpcs[i].dpc >= start && vm->k->dpcs[i].dpc < start + len)
            return true;
    return false;
}
