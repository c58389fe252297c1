/*
 * Ke: IRQL imports and events (waiting on them: k_wait.c).
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
    vw_apc_note_set(vm, event);
    vw_event_set(vm, event);
    vw_set_return(vm, was);
}

void vw_KeReadStateEvent(struct vm *vm, const struct vw_api *api)
{
    vw_set_return(vm, vw_rd(vm, vw_arg(vm, api, 0) + VW_OFFSET(vm, KEVENT, Header.SignalState), 4));
}

void vw_KeClearEvent(struct vm *vm, const struct vw_api *api)
{
    vw_wr(vm, vw_arg(vm, api, 0) + VW_OFFSET(vm, KEVENT, Header.SignalState), 0, 4);
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
