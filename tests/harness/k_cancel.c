/*
 * IRP cancellation: IoCancelIrp as the I/O manager (or a port driver) does
 * it, and the cancel spin lock a cancel routine must release.  The routine
 * runs at the canceller's IRQL with Irp->CancelIrql set to it, so releasing
 * the lock restores that IRQL (Windows runs it at DISPATCH_LEVEL; the
 * harness checks the lock protocol, not the raised IRQL).
 */
#include <inttypes.h>
#include "abi.h"
#include "kernel.h"
#include "layout.h"

bool vw_io_cancel_irp(struct vm *vm, gva_t irp)
{
    if (vm->failed)
        return false;
    vw_wr(vm, irp + VW_OFFSET(vm, IRP, Cancel), 1, 1);
    gva_t field = irp + VW_OFFSET(vm, IRP, CancelRoutine);
    gva_t routine = vw_rdptr(vm, field);
    if (routine == 0)
        return false;
    vw_wrptr(vm, field, 0);
    gva_t stack = vw_rdptr(vm, irp + VW_OFFSET(vm, IRP, Tail.Overlay.CurrentStackLocation));
    gva_t device = vw_rdptr(vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, DeviceObject));
    vw_wr(vm, irp + VW_OFFSET(vm, IRP, CancelIrql), vm->irql, 1);
    vm->k->cancel_lock_held = true;
    uint64_t args[2] = {device, irp};
    vw_call(vm, routine, 2, args, NULL);
    if (!vm->failed && vm->k->cancel_lock_held) {
        vm->k->cancel_lock_held = false;
        vw_fail(vm, "cancel routine 0x%" PRIx64 " returned holding the cancel spin lock", routine);
    }
    return true;
}

void vw_IoReleaseCancelSpinLock(struct vm *vm, const struct vw_api *api)
{
    unsigned irql = (unsigned)(vw_arg(vm, api, 0) & 0xff);
    if (!vm->k->cancel_lock_held) {
        vw_fail(vm, "IoReleaseCancelSpinLock without holding the cancel spin lock");
        return;
    }
    vm->k->cancel_lock_held = false;
    if (irql != vm->irql)
        vw_irql_set(vm, irql, "IoReleaseCancelSpinLock");
}
