/*
 * vwdm: the rundown of dispatch routines in flight (see vwdm.h).
 *
 * Why: STOP, SURPRISE_REMOVAL and REMOVE release the hardware (D0Exit,
 * ReleaseHardware, MmUnmapIoSpace); a dispatch routine still running on
 * another thread would then write unmapped registers or copy from freed
 * buffers.  Microsoft's rule for a stop: "the driver must not start any IRP
 * that accesses the device" and outstanding requests are finished first,
 * counted with "a reference count and an event" (Handling an
 * IRP_MN_QUERY_STOP_DEVICE Request / Handling an IRP_MN_STOP_DEVICE
 * Request, learn.microsoft.com/windows-hardware/drivers/kernel/); for a
 * surprise removal: "prevent any new I/O operations", "fail outstanding
 * I/O requests" (Handling an IRP_MN_SURPRISE_REMOVAL Request).  A stopped
 * device may either hold requests or, when it can drop I/O, fail them
 * (the query-stop page's exception): ours fail them with
 * STATUS_DEVICE_NOT_READY (an entropy read, a port read are retried by
 * their callers); after a removal with STATUS_DELETE_PENDING.
 *
 * The count starts with a bias of 1 while the gate is open; a rundown
 * clears the idle event, closes the gate, wakes waiters, drops the bias
 * and waits for the count to reach 0.  An entrant increments first and
 * then looks at the gate, so it is either counted before the gate closed
 * or backs out.
 */
#include "vwdm.h"

/* Set up a device's request gate closed, with no request inside. IRQL: PASSIVE_LEVEL. */
VOID VwRequestsInitialize(PVW_DEVICE Device)
{
    Device->ActiveRequests = 0;
    Device->GateOpen = 0;
    Device->GateStatus = STATUS_DEVICE_NOT_READY;
    KeInitializeEvent(&Device->RequestsIdle, NotificationEvent, TRUE);
    KeInitializeEvent(&Device->RequestsAbort, NotificationEvent, FALSE);
}

/* START succeeded: requests may come in (PnP thread). IRQL: PASSIVE_LEVEL. */
VOID VwRequestsOpen(PVW_DEVICE Device)
{
    if (Device->GateOpen)
        return;
    KeClearEvent(&Device->RequestsAbort);
    InterlockedIncrement(&Device->ActiveRequests);
    InterlockedExchange(&Device->GateOpen, 1);
}

/* Close the gate and wait for every dispatch routine inside to leave
 * (PnP thread). IRQL: PASSIVE_LEVEL. */
VOID VwRequestsRundown(PVW_DEVICE Device, NTSTATUS Status)
{
    Device->GateStatus = Status;
    if (!Device->GateOpen)
        return;
    KeClearEvent(&Device->RequestsIdle);
    InterlockedExchange(&Device->GateOpen, 0);
    KeSetEvent(&Device->RequestsAbort, IO_NO_INCREMENT, FALSE);
    VwLeaveRequest(Device); /* the bias */
    KeWaitForSingleObject(&Device->RequestsIdle, Executive, KernelMode, FALSE, NULL);
}

/* Enter the gate for one request; FALSE when the device is not started (the gate is closed). IRQL
 * <= DISPATCH_LEVEL. */
BOOLEAN VwEnterRequest(PVW_DEVICE Device)
{
    InterlockedIncrement(&Device->ActiveRequests);
    if (InterlockedCompareExchange(&Device->GateOpen, 1, 1) == 1)
        return TRUE;
    VwLeaveRequest(Device);
    return FALSE;
}

/* Leave the gate; the last one out wakes a rundown waiting for it. IRQL <= DISPATCH_LEVEL. */
VOID VwLeaveRequest(PVW_DEVICE Device)
{
    if (InterlockedDecrement(&Device->ActiveRequests) == 0)
        KeSetEvent(&Device->RequestsIdle, IO_NO_INCREMENT, FALSE);
}

/* Wait on an object from inside a request, giving up when a rundown aborts the requests. IRQL:
 * PASSIVE_LEVEL. */
NTSTATUS VwWaitInRequest(PVW_DEVICE Device, PVOID Object, PLARGE_INTEGER Timeout)
{
    PVOID objects[2] = {Object, &Device->RequestsAbort};
    NTSTATUS status =
        KeWaitForMultipleObjects(2, objects, WaitAny, Executive, KernelMode, FALSE, Timeout, NULL);
    if (status == STATUS_WAIT_0)
        return STATUS_SUCCESS;
    if (status == STATUS_WAIT_1)
        return Device->GateStatus;
    return status;
}
