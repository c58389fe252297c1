/*
 * Ke: IRQL imports and events on one CPU with nothing else runnable:
 * waiting for an event nobody can signal is a deadlock, reported at once.
 */
#include <inttypes.h>
#include "abi.h"
#include "kernel.h"
#include "layout.h"

void vw_event_init(struct vm *vm, gva_t event, unsigned type, bool signalled)
{
    vw_wr(vm, event + VW_OFFSET(vm, KEVENT, Header.Type), type, 1);
    vw_wr(vm, event + VW_OFFSET(vm, KEVENT, Header.SignalState), signalled, 4);
}

bool vw_event_signalled(struct vm *vm, gva_t event)
{
    return vw_rd(vm, event + VW_OFFSET(vm, KEVENT, Header.SignalState), 4) != 0;
}

void vw_event_set(struct vm *vm, gva_t event)
{
    vw_wr(vm, event + VW_OFFSET(vm, KEVENT, Header.SignalState), 1, 4);
}

void vw_KeInitializeEvent(struct vm *vm, const struct vw_api *api)
{
    unsigned type = (unsigned)vw_arg(vm, api, 1);
    if (type > 1) {
        vw_fail(vm, "KeInitializeEvent: bad event type %u", type);
        return;
    }
    vw_event_init(vm, vw_arg(vm, api, 0), type, vw_arg(vm, api, 2) & 0xff);
}

void vw_KeSetEvent(struct vm *vm, const struct vw_api *api)
{
    gva_t event = vw_arg(vm, api, 0);
    bool was = vw_event_signalled(vm, event);
    vw_event_set(vm, event);
    vw_set_return(vm, was);
}

void vw_KeClearEvent(struct vm *vm, const struct vw_api *api)
{
    vw_wr(vm, vw_arg(vm, api, 0) + VW_OFFSET(vm, KEVENT, Header.SignalState), 0, 4);
}

/* Waiting lets everything else run: first the scenario's "other thread"
 * (once), then devices, interrupts and DPCs until the object is signalled
 * or nothing can happen any more. */
static void wait_for(struct vm *vm, gva_t object)
{
    struct vw_kernel *k = vm->k;
    if (vw_event_signalled(vm, object) || vm->failed)
        return;
    if (k->on_wait != NULL) {
        vw_on_wait_fn *fn = k->on_wait;
        k->on_wait = NULL;
        fn(vm, k->on_wait_ctx);
    }
    while (!vw_event_signalled(vm, object) && !vm->failed && vw_sched_idle(vm))
        ;
}

void vw_KeWaitForSingleObject(struct vm *vm, const struct vw_api *api)
{
    gva_t object = vw_arg(vm, api, 0), timeout = vw_arg(vm, api, 4);
    bool poll = timeout != 0 && vw_rd(vm, timeout, 8) == 0;
    char w[48];
    if (!poll && vm->irql > VW_APC_LEVEL) {
        vw_fail(vm, "IRQL: KeWaitForSingleObject with a non-zero timeout at IRQL %u from %s",
                vm->irql, vw_where(vm, vw_return_address(vm), w));
        return;
    }
    if (!poll && vm->k->held_count > 0) {
        vw_fail(vm, "KeWaitForSingleObject while holding spin lock 0x%" PRIx64 " (from %s)",
                vm->k->held[0].lock, vw_where(vm, vw_return_address(vm), w));
        return;
    }
    if (!poll)
        wait_for(vm, object);
    if (vm->failed)
        return;
    if (vw_event_signalled(vm, object)) {
        if (vw_rd(vm, object + VW_OFFSET(vm, KEVENT, Header.Type), 1) == 1) /* synchronization */
            vw_wr(vm, object + VW_OFFSET(vm, KEVENT, Header.SignalState), 0, 4);
        vw_set_return(vm, VW_STATUS_SUCCESS);
    } else if (timeout != 0) {
        /* Virtual time jumps to the timeout (relative: negative 100 ns units). */
        int64_t t = (int64_t)vw_rd(vm, timeout, 8);
        if (t < 0)
            vw_time_advance(vm, (uint64_t)-t);
        vw_set_return(vm, VW_STATUS_TIMEOUT);
    } else {
        vw_fail(vm,
                "deadlock: KeWaitForSingleObject(0x%" PRIx64 ") waits forever on an "
                "unsignalled object and nothing else can run (from %s)",
                object, vw_where(vm, vw_return_address(vm), w));
    }
}

void vw_KeGetCurrentIrql(struct vm *vm, const struct vw_api *api)
{
    (void)api;
    vw_set_return(vm, vm->irql);
}

void vw_KfRaiseIrql(struct vm *vm, const struct vw_api *api)
{
    unsigned irql = (unsigned)(vw_arg(vm, api, 0) & 0xff), old = vm->irql;
    if (irql < old) {
        vw_fail(vm, "IRQL: KfRaiseIrql(%u) below the current IRQL %u (bug check 0x9)", irql, old);
        return;
    }
    vw_irql_set(vm, irql, "KfRaiseIrql");
    vw_set_return(vm, old);
}

void vw_KeRaiseIrqlToDpcLevel(struct vm *vm, const struct vw_api *api)
{
    unsigned old = vm->irql;
    (void)api;
    if (old > VW_DISPATCH_LEVEL) {
        vw_fail(vm, "IRQL: KeRaiseIrqlToDpcLevel at IRQL %u", old);
        return;
    }
    vm->irql = VW_DISPATCH_LEVEL;
    vw_set_return(vm, old);
}

void vw_KfLowerIrql(struct vm *vm, const struct vw_api *api)
{
    unsigned irql = (unsigned)(vw_arg(vm, api, 0) & 0xff);
    if (irql > vm->irql) {
        vw_fail(vm, "IRQL: %s(%u) above the current IRQL %u (bug check 0xA)", api->name, irql,
                vm->irql);
        return;
    }
    vw_irql_set(vm, irql, api->name);
}
