/*
 * IRP cancellation: the cancel spin lock (IoAcquireCancelSpinLock /
 * IoReleaseCancelSpinLock) and IoCancelIrp as the I/O manager runs it when
 * a scenario cancels a request (vw_request_cancel): Irp->Cancel set, the
 * cancel spin lock taken, the cancel routine swapped out and called at
 * DISPATCH_LEVEL with the lock held; the routine must release it (with
 * Irp->CancelIrql) before it returns.
 */
#include <inttypes.h>
#include "abi.h"
#include "kernel.h"
#include "layout.h"

void vw_IoAcquireCancelSpinLock(struct vm *vm, const struct vw_api *api)
{
    struct vw_kernel *k = vm->k;
    if (k->cancel_lock_held) {
        vw_fail(vm, "deadlock: IoAcquireCancelSpinLock with the cancel spin lock held");
        return;
    }
    vw_wr(vm, vw_arg(vm, api, 0), vm->irql, 1);
    k->cancel_lock_held = true;
    vw_irql_set(vm, VW_DISPATCH_LEVEL, api->name);
}

void vw_IoReleaseCancelSpinLock(struct vm *vm, const struct vw_api *api)
{
    struct vw_kernel *k = vm->k;
    unsigned irql = (unsigned)(vw_arg(vm, api, 0) & 0xff);
    if (!k->cancel_lock_held) {
        vw_fail(vm, "IoReleaseCancelSpinLock without the cancel spin lock held");
        return;
    }
    if (irql > VW_DISPATCH_LEVEL) {
        vw_fail(vm, "IRQL: IoReleaseCancelSpinLock restores IRQL %u", irql);
        return;
    }
    k->cancel_lock_held = false;
    vw_irql_set(vm, irql, api->name);
}

/* After a cancel routine returned (routine.c): the lock must be released
 * and the IRQL back where IoCancelIrp's caller was. */
bool vw_cancel_routine_returned(struct vm *vm, gva_t fn)
{
    struct vw_kernel *k = vm->k;
    k->cancel_routine_running = 0;
    if (k->cancel_lock_held)
        vw_fail(vm, "cancel routine 0x%" PRIx64 " returned holding the cancel spin lock", fn);
    else if (vm->irql != k->cancel_irql)
        vw_fail(vm, "cancel routine 0x%" PRIx64 " returned at IRQL %u, expected %u", fn, vm->irql,
                k->cancel_irql);
    return true;
}

/* IoCancelIrp; true when a cancel routine was called. */
bool vw_irp_cancel(struct vm *vm, gva_t irp)
{
    struct vw_kernel *k = vm->k;
    if (vm->failed)
        return false;
    vw_wr(vm, irp + VW_OFFSET(vm, IRP, Cancel), 1, 1);
    unsigned before = vm->irql;
    k->cancel_lock_held = true;
    vw_irql_set(vm, VW_DISPATCH_LEVEL, "IoCancelIrp");
    gva_t field = irp + VW_OFFSET(vm, IRP, CancelRoutine);
    gva_t routine = vw_rdptr(vm, field);
    vw_wrptr(vm, field, 0);
    if (routine == 0) {
        k->cancel_lock_held = false;
        vw_irql_set(vm, before, "IoCancelIrp");
        return false;
    }
    vw_wr(vm, irp + VW_OFFSET(vm, IRP, CancelIrql), before, 1);
    gva_t stack = vw_rdptr(vm, irp + VW_OFFSET(vm, IRP, Tail.Overlay.CurrentStackLocation));
    gva_t device = vw_rdptr(vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, DeviceObject));
    uint64_t args[2] = {device, irp};
    k->cancel_irql = before;
    k->cancel_routine_running = routine;
    vw_call(vm, routine, 2, args, NULL);
    k->cancel_routine_running = 0;
    return true;
}
