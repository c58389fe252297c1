/*
 * vioinput: input reports to hidclass.
 *
 * hidclass keeps IOCTL_HID_READ_REPORT requests pending (ping-pong); each
 * report completes one.  Reports made while none is pending wait in a
 * bounded ring (the oldest is dropped when it is full: input is lossy, but
 * memory is not).  Pending reads are cancellable; stop and removal fail
 * them.  Each pending read holds the remove lock taken in the dispatch.
 */
#include "vioinput.h"

/* Queue a report for hidclass, dropping the oldest when the queue is full (Lock held). IRQL:
 * DISPATCH_LEVEL. */
VOID VioinputPostReport(PVIOINPUT_DEVICE Input, const UCHAR *Data, UCHAR Length)
{
    if (Input->ReportCount == VIOINPUT_REPORT_QUEUE) {
        Input->ReportHead = (Input->ReportHead + 1) % VIOINPUT_REPORT_QUEUE;
        Input->ReportCount--;
        Input->ReportsDropped++;
    }
    VIOINPUT_REPORT *r =
        &Input->Reports[(Input->ReportHead + Input->ReportCount) % VIOINPUT_REPORT_QUEUE];
    r->Length = Length <= VIOINPUT_REPORT_MAX ? Length : VIOINPUT_REPORT_MAX;
    RtlCopyMemory(r->Data, Data, r->Length);
    Input->ReportCount++;
}

/* A pending read off the list, no longer cancellable; NULL if none (Lock). IRQL: DISPATCH_LEVEL. */
static PIRP VioinputTakeRead(PVIOINPUT_DEVICE Input)
{
    while (!IsListEmpty(&Input->Reads)) {
        PLIST_ENTRY entry = RemoveHeadList(&Input->Reads);
        PIRP irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        InitializeListHead(entry); /* the cancel routine may still unlink it */
        if (IoSetCancelRoutine(irp, NULL) != NULL)
            return irp;
        /* Being cancelled: its cancel routine completes it. */
    }
    return NULL;
}

/* Complete pending reads with queued reports while both exist. IRQL <= DISPATCH_LEVEL. */
VOID VioinputDrainReports(PVW_DEVICE Device)
{
    PVIOINPUT_DEVICE input = VioinputFromDevice(Device);
    KIRQL irql;

    for (;;) {
        VIOINPUT_REPORT report;
        PIRP irp = NULL;

        KeAcquireSpinLock(&input->Lock, &irql);
        if (input->ReportCount != 0 && (irp = VioinputTakeRead(input)) != NULL) {
            report = input->Reports[input->ReportHead];
            input->ReportHead = (input->ReportHead + 1) % VIOINPUT_REPORT_QUEUE;
            input->ReportCount--;
        }
        KeReleaseSpinLock(&input->Lock, irql);
        if (irp == NULL)
            return;
        ULONG room =
            IoGetCurrentIrpStackLocation(irp)->Parameters.DeviceIoControl.OutputBufferLength;
        if (room < report.Length) {
            VwCompleteRequest(Device, irp, STATUS_BUFFER_TOO_SMALL, 0);
            continue;
        }
        RtlCopyMemory(irp->UserBuffer, report.Data, report.Length);
        VwCompleteRequest(Device, irp, STATUS_SUCCESS, report.Length);
    }
}

static DRIVER_CANCEL VioinputCancelRead;

/* Cancel routine of a pending read: unlink and complete it as cancelled. IRQL: DISPATCH_LEVEL. */
static VOID NTAPI VioinputCancelRead(PDEVICE_OBJECT Fdo, PIRP Irp)
{
    PVW_DEVICE device = VioinputDeviceFromFdo(Fdo);
    PVIOINPUT_DEVICE input = VioinputFromDevice(device);
    KIRQL irql;

    IoReleaseCancelSpinLock(Irp->CancelIrql);
    KeAcquireSpinLock(&input->Lock, &irql);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&input->Lock, irql);
    VwCompleteRequest(device, Irp, STATUS_CANCELLED, 0);
}

/* IOCTL_HID_READ_REPORT: complete at once with a queued report, or keep the read pending. IRQL <=
 * DISPATCH_LEVEL. */
NTSTATUS VioinputReadReport(PVW_DEVICE Device, PIRP Irp)
{
    PVIOINPUT_DEVICE input = VioinputFromDevice(Device);
    KIRQL irql;

    if (Irp->UserBuffer == NULL)
        return VwCompleteRequest(Device, Irp, STATUS_INVALID_PARAMETER, 0);
    KeAcquireSpinLock(&input->Lock, &irql);
    if (input->Removed) {
        KeReleaseSpinLock(&input->Lock, irql);
        return VwCompleteRequest(Device, Irp, STATUS_DEVICE_NOT_CONNECTED, 0);
    }
    IoMarkIrpPending(Irp);
    IoSetCancelRoutine(Irp, VioinputCancelRead);
    if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL) != NULL) {
        /* Cancelled before we could queue it, and the routine never ran. */
        KeReleaseSpinLock(&input->Lock, irql);
        VwCompleteRequest(Device, Irp, STATUS_CANCELLED, 0);
        return STATUS_PENDING;
    }
    InsertTailList(&input->Reads, &Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&input->Lock, irql);
    VioinputDrainReports(Device); /* a report may be waiting already */
    return STATUS_PENDING;
}

/* Complete every pending read with Status (stop, removal). IRQL <= DISPATCH_LEVEL. */
VOID VioinputFailReads(PVW_DEVICE Device, NTSTATUS Status)
{
    PVIOINPUT_DEVICE input = VioinputFromDevice(Device);
    KIRQL irql;

    for (;;) {
        KeAcquireSpinLock(&input->Lock, &irql);
        PIRP irp = VioinputTakeRead(input);
        if (irp == NULL) {
            input->ReportHead = input->ReportCount = 0;
            KeReleaseSpinLock(&input->Lock, irql);
            return;
        }
        KeReleaseSpinLock(&input->Lock, irql);
        VwCompleteRequest(Device, irp, Status, 0);
    }
}
