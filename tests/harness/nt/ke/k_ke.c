/*
 * Ke: IRQL imports and events (waiting on them: k_wait.c).
 */
#include <inttypes.h>
#include "abi.h"
#include "kernel.h"
#include "layout.h"
#include "vw_ntstatus.h"

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

/* Processors (the model: k_cpus.c).  Groups of 64, filled in order.
 * PROCESSOR_NUMBER is {USHORT Group; UCHAR Number; UCHAR Reserved}. */
#define GROUP_SIZE           64u
#define ALL_PROCESSOR_GROUPS 0xffffu

static void write_processor_number(struct vm *vm, gva_t pn, unsigned index)
{
    vw_wr(vm, pn + VW_OFFSET(vm, PROCESSOR_NUMBER, Group), index / GROUP_SIZE, 2);
    vw_wr(vm, pn + VW_OFFSET(vm, PROCESSOR_NUMBER, Number), index % GROUP_SIZE, 1);
    vw_wr(vm, pn + VW_OFFSET(vm, PROCESSOR_NUMBER, Number) + 1, 0, 1);
}

unsigned vw_processor_index(struct vm *vm, gva_t pn)
{
    unsigned group = (unsigned)vw_rd(vm, pn + VW_OFFSET(vm, PROCESSOR_NUMBER, Group), 2);
    unsigned number = (unsigned)vw_rd(vm, pn + VW_OFFSET(vm, PROCESSOR_NUMBER, Number), 1);
    return number < GROUP_SIZE ? group * GROUP_SIZE + number : ~0u;
}

/* Processors in GROUP (ALL_PROCESSOR_GROUPS: all). */
static unsigned in_group(struct vm *vm, unsigned group)
{
    unsigned n = vw_cpu_count(vm);
    if (group == ALL_PROCESSOR_GROUPS)
        return n;
    if (group * GROUP_SIZE >= n)
        return 0;
    return n - group * GROUP_SIZE < GROUP_SIZE ? n - group * GROUP_SIZE : GROUP_SIZE;
}

/* KeGetCurrentProcessorNumberEx(PPROCESSOR_NUMBER optional): the index. */
void vw_KeGetCurrentProcessorNumberEx(struct vm *vm, const struct vw_api *api)
{
    gva_t pn = vw_arg(vm, api, 0);
    if (pn != 0)
        write_processor_number(vm, pn, vw_cpu_current(vm));
    vw_set_return(vm, vw_cpu_current(vm));
}

/* KeQueryActiveProcessorCountEx(USHORT GroupNumber). */
void vw_KeQueryActiveProcessorCountEx(struct vm *vm, const struct vw_api *api)
{
    vw_set_return(vm, in_group(vm, (unsigned)(vw_arg(vm, api, 0) & 0xffff)));
}

/* KeQueryMaximumProcessorCountEx(USHORT GroupNumber): no hot-add, so the
 * active count. */
void vw_KeQueryMaximumProcessorCountEx(struct vm *vm, const struct vw_api *api)
{
    vw_set_return(vm, in_group(vm, (unsigned)(vw_arg(vm, api, 0) & 0xffff)));
}

/* KeGetProcessorNumberFromIndex(ULONG ProcIndex, PPROCESSOR_NUMBER). */
void vw_KeGetProcessorNumberFromIndex(struct vm *vm, const struct vw_api *api)
{
    unsigned index = (unsigned)vw_arg(vm, api, 0);
    if (index >= vw_cpu_count(vm)) {
        vw_set_return(vm, VW_STATUS_INVALID_PARAMETER);
        return;
    }
    write_processor_number(vm, vw_arg(vm, api, 1), index);
    vw_set_return(vm, VW_STATUS_SUCCESS);
}

/* KeQueryActiveProcessorCount(PKAFFINITY optional): group 0's count and
 * mask (the legacy view). */
void vw_KeQueryActiveProcessorCount(struct vm *vm, const struct vw_api *api)
{
    unsigned n = in_group(vm, 0);
    gva_t mask = vw_arg(vm, api, 0);
    if (mask != 0)
        vw_wrptr(vm, mask, n >= 64 ? ~0ull : (1ull << n) - 1);
    vw_set_return(vm, n);
}

/* KeGetCurrentProcessorNumber (an import on x86): the number in its group. */
void vw_KeGetCurrentProcessorNumber(struct vm *vm, const struct vw_api *api)
{
    (void)api;
    vw_set_return(vm, vw_cpu_current(vm) % GROUP_SIZE);
}
