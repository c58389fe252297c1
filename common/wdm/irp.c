/*
 * IRP forwarding helpers (see irp.h).
 */
#include <vw/compiler.h>
#include "irp.h"

/* Hand an IRP to the next driver down without a completion routine. IRQL <= DISPATCH_LEVEL. */
NTSTATUS VwPassIrpDown(PDEVICE_OBJECT LowerDevice, PIRP Irp)
{
    IoSkipCurrentIrpStackLocation(Irp);
    return IoCallDriver(LowerDevice, Irp);
}

static IO_COMPLETION_ROUTINE VwSignalCompletion;

/* Runs when the lower drivers complete the IRP: wake the waiter and keep the
 * IRP (STATUS_MORE_PROCESSING_REQUIRED stops the completion walk here). IRQL <= DISPATCH_LEVEL. */
static NTSTATUS NTAPI VwSignalCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    (void)DeviceObject;
    (void)Irp;
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Send an IRP down the stack and wait until the lower drivers completed it. IRQL: PASSIVE_LEVEL. */
NTSTATUS VwForwardIrpAndWait(PDEVICE_OBJECT LowerDevice, PIRP Irp)
{
    KEVENT done;
    NTSTATUS status;

    KeInitializeEvent(&done, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, VwSignalCompletion, &done, TRUE, TRUE, TRUE);
    status = IoCallDriver(LowerDevice, Irp);
    if (status == STATUS_PENDING) {
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
        status = Irp->IoStatus.Status;
    }
    return status;
}

/* Complete an IRP with a status and information value. IRQL <= DISPATCH_LEVEL. */
NTSTATUS VwCompleteIrp(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

/* Hand a power IRP to the next driver down, with the power IRP protocol. IRQL <= DISPATCH_LEVEL. */
NTSTATUS VwPassPowerIrpDown(PDEVICE_OBJECT LowerDevice, PIRP Irp)
{
    /* Both are no-ops on Windows Vista and later but remain the documented
     * protocol for power IRPs. */
    PoStartNextPowerIrp(Irp);
    IoSkipCurrentIrpStackLocation(Irp);
    return PoCallDriver(LowerDevice, Irp);
}
