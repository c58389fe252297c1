/*
 * vioser: requests to the port device objects.
 *
 * CREATE/CLOSE tell the host the guest end opened or closed (PORT_OPEN
 * 1/0 on the first open and the last close).  READ takes what the device
 * delivered, or waits (cancellable) until something arrives.  WRITE copies
 * up to VIOSER_MAX_WRITE bytes into a free transmit buffer and completes
 * when the device gives it back; with none free it waits (cancellable) in
 * order.  CLEANUP cancels what the closing handle left waiting.  A port
 * the host removed fails what is pending and new requests.  CREATE, READ,
 * WRITE and IOCTLs run inside the framework's rundown, so a STOP or a
 * removal waits for them before it releases the hardware; after a STOP
 * they fail with STATUS_DEVICE_NOT_READY, after a removal with
 * STATUS_DELETE_PENDING (common/wdm/rundown.c).
 *
 * Waiting requests hang on Irp->Tail.Overlay.ListEntry under Lock.  The
 * cancel routine and whoever dequeues race through IoSetCancelRoutine:
 * whoever clears it owns the request; the loser leaves the entry
 * self-linked so the winner's RemoveEntryList is harmless.
 */
#include "vioser.h"

#define STATUS_PORT_GONE STATUS_DEVICE_NOT_CONNECTED

static DRIVER_CANCEL VioserCancel;

/* The device a port object belongs to, NULL once it was removed. IRQL <= DISPATCH_LEVEL. */
static PVIOSER_DEVICE VioserOwner(PDEVICE_OBJECT DeviceObject)
{
    return ((PVIOSER_PORT_EXT)DeviceObject->DeviceExtension)->Owner;
}

/* Cancel routine of a queued port read or write: unlink and complete it. IRQL: DISPATCH_LEVEL. */
static VOID NTAPI VioserCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    /* The request holds the FDO's remove lock, so the owner is there. */
    PVIOSER_DEVICE dev = VioserOwner(DeviceObject);
    KIRQL irql;

    IoReleaseCancelSpinLock(Irp->CancelIrql);
    KeAcquireSpinLock(&dev->Lock, &irql);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    InitializeListHead(&Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&dev->Lock, irql);
    VwCompleteRequest(dev->Vw, Irp, STATUS_CANCELLED, 0);
}

/* Lock held.  FALSE: already cancelled, the caller completes it. IRQL: DISPATCH_LEVEL. */
static BOOLEAN VioserQueue(PLIST_ENTRY List, PIRP Irp)
{
    IoSetCancelRoutine(Irp, VioserCancel);
    if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL) != NULL)
        return FALSE;
    IoMarkIrpPending(Irp);
    InsertTailList(List, &Irp->Tail.Overlay.ListEntry);
    return TRUE;
}

/* Lock held: the oldest request the cancel routine does not own. IRQL: DISPATCH_LEVEL. */
static PIRP VioserDequeue(PLIST_ENTRY List)
{
    while (!IsListEmpty(List)) {
        PLIST_ENTRY entry = RemoveHeadList(List);
        PIRP irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        if (IoSetCancelRoutine(irp, NULL) != NULL)
            return irp;
        InitializeListHead(entry); /* being cancelled */
    }
    return NULL;
}

/* Set a request's result and put it on the list to complete once the lock is dropped. IRQL: any. */
static VOID VioserFinish(PIRP Irp, NTSTATUS Status, ULONG_PTR Information, PLIST_ENTRY Done)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    InsertTailList(Done, &Irp->Tail.Overlay.ListEntry);
}

/* Complete every request of a Done list (no lock held). IRQL <= DISPATCH_LEVEL. */
VOID VioserCompleteList(PVIOSER_DEVICE Dev, PLIST_ENTRY Done)
{
    while (!IsListEmpty(Done)) {
        PIRP irp = CONTAINING_RECORD(RemoveHeadList(Done), IRP, Tail.Overlay.ListEntry);
        VwCompleteRequest(Dev->Vw, irp, irp->IoStatus.Status, irp->IoStatus.Information);
    }
}

/* Lock held: copy delivered data; buffers read to the end go back. IRQL: DISPATCH_LEVEL. */
static ULONG VioserCopyOut(PVIOSER_DEVICE Dev, PVIOSER_PORT Port, PUCHAR Out, ULONG Length)
{
    ULONG copied = 0;

    while (Port->RxCount != 0 && copied < Length) {
        ULONG n = Port->RxFilled[Port->RxHead];
        PVIOSER_SLOT slot = &Port->Rx[n];
        ULONG take = slot->Length - slot->Offset;
        if (take > Length - copied)
            take = Length - copied;
        RtlCopyMemory(Out + copied, slot->Va + slot->Offset, take);
        slot->Offset += take;
        copied += take;
        if (slot->Offset == slot->Length) {
            Port->RxHead = (UCHAR)((Port->RxHead + 1) % VIOSER_RX_BUFS);
            Port->RxCount--;
            VioserPostRx(Dev, Port, n);
        }
    }
    return copied;
}

/* Complete waiting reads with data the device delivered (Lock held). IRQL: DISPATCH_LEVEL. */
VOID VioserServeReads(PVIOSER_DEVICE Dev, PVIOSER_PORT Port, PLIST_ENTRY Done)
{
    while (Port->RxCount != 0) {
        PIRP irp = VioserDequeue(&Port->Reads);
        if (irp == NULL)
            return;
        ULONG len = IoGetCurrentIrpStackLocation(irp)->Parameters.Read.Length;
        ULONG got = VioserCopyOut(Dev, Port, irp->AssociatedIrp.SystemBuffer, len);
        VioserFinish(irp, STATUS_SUCCESS, got, Done);
    }
}

/* A port's transmit slot not with the device, or NULL. IRQL: any. */
static PVIOSER_SLOT VioserFreeTx(PVIOSER_PORT Port)
{
    for (ULONG i = 0; i < VIOSER_TX_BUFS; i++)
        if (!Port->Tx[i].Posted)
            return &Port->Tx[i];
    return NULL;
}

/* Lock held: Irp (marked pending, no cancel routine) goes to the device. IRQL: DISPATCH_LEVEL. */
static BOOLEAN VioserSend(PVIOSER_DEVICE Dev, PVIOSER_PORT Port, PVIOSER_SLOT Slot, PIRP Irp)
{
    struct virtqueue *vq = &Dev->Queues[VioserRxQueue(Port->Id) + 1];
    ULONG len = IoGetCurrentIrpStackLocation(Irp)->Parameters.Write.Length;

    if (len > VIOSER_TX_SIZE)
        len = VIOSER_TX_SIZE;
    RtlCopyMemory(Slot->Va, Irp->AssociatedIrp.SystemBuffer, len);
    struct virtqueue_sg sg = {Slot->Pa, len};
    if (virtqueue_add(vq, &sg, 1, 0, Slot) != 0)
        return FALSE;
    Slot->Posted = TRUE;
    Slot->Length = len;
    Slot->Irp = Irp;
    if (virtqueue_kick_prepare(vq))
        virtqueue_notify(vq);
    return TRUE;
}

/* Send waiting writes while transmit slots are free (Lock held). IRQL: DISPATCH_LEVEL. */
VOID VioserStartWrites(PVIOSER_DEVICE Dev, PVIOSER_PORT Port, PLIST_ENTRY Done)
{
    PVIOSER_SLOT slot;

    while (Dev->Running && Port->Present && (slot = VioserFreeTx(Port)) != NULL) {
        PIRP irp = VioserDequeue(&Port->Writes);
        if (irp == NULL)
            return;
        if (!VioserSend(Dev, Port, slot, irp))
            VioserFinish(irp, STATUS_DEVICE_NOT_READY, 0, Done);
    }
}

/* The device sent a slot's data: its write completes. IRQL: DISPATCH_LEVEL. */
VOID VioserTxDone(PVIOSER_DEVICE Dev, PVIOSER_PORT Port, PVIOSER_SLOT Slot, PLIST_ENTRY Done)
{
    (void)Dev;
    (void)Port;
    if (Slot->Irp != NULL)
        VioserFinish(Slot->Irp, STATUS_SUCCESS, Slot->Length, Done);
    Slot->Irp = NULL;
}

/* Fail every waiting read and write of a port (Lock held). IRQL: DISPATCH_LEVEL. */
VOID VioserFailAll(PVIOSER_DEVICE Dev, PVIOSER_PORT Port, PLIST_ENTRY Done)
{
    PIRP irp;

    (void)Dev;
    while ((irp = VioserDequeue(&Port->Reads)) != NULL)
        VioserFinish(irp, STATUS_PORT_GONE, 0, Done);
    while ((irp = VioserDequeue(&Port->Writes)) != NULL)
        VioserFinish(irp, STATUS_PORT_GONE, 0, Done);
    /* Writes the device holds: its buffer is ours, the request can go. */
    for (ULONG i = 0; i < VIOSER_TX_BUFS; i++) {
        if (Port->Tx[i].Irp != NULL)
            VioserFinish(Port->Tx[i].Irp, STATUS_PORT_GONE, 0, Done);
        Port->Tx[i].Irp = NULL;
    }
}

/* Lock held: requests of FileObject left waiting. IRQL: DISPATCH_LEVEL. */
static VOID VioserCleanupList(PLIST_ENTRY List, PFILE_OBJECT FileObject, PLIST_ENTRY Done)
{
    PLIST_ENTRY entry = List->Flink;

    while (entry != List) {
        PLIST_ENTRY next = entry->Flink;
        PIRP irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        if (IoGetCurrentIrpStackLocation(irp)->FileObject == FileObject) {
            RemoveEntryList(entry);
            if (IoSetCancelRoutine(irp, NULL) != NULL)
                VioserFinish(irp, STATUS_CANCELLED, 0, Done);
            else
                InitializeListHead(entry);
        }
        entry = next;
    }
}

/* IRP_MJ_READ on a port: data already delivered, or wait for it. IRQL <= APC_LEVEL. */
static NTSTATUS VioserRead(PVIOSER_DEVICE Dev, PVIOSER_PORT Port, PIRP Irp)
{
    ULONG len = IoGetCurrentIrpStackLocation(Irp)->Parameters.Read.Length;
    KIRQL irql;

    if (len == 0)
        return VwCompleteRequest(Dev->Vw, Irp, STATUS_SUCCESS, 0);
    KeAcquireSpinLock(&Dev->Lock, &irql);
    if (!Dev->Running || !Port->Present) {
        KeReleaseSpinLock(&Dev->Lock, irql);
        return VwCompleteRequest(Dev->Vw, Irp, STATUS_PORT_GONE, 0);
    }
    if (Port->RxCount != 0 && IsListEmpty(&Port->Reads)) {
        ULONG got = VioserCopyOut(Dev, Port, Irp->AssociatedIrp.SystemBuffer, len);
        KeReleaseSpinLock(&Dev->Lock, irql);
        return VwCompleteRequest(Dev->Vw, Irp, STATUS_SUCCESS, got);
    }
    BOOLEAN queued = VioserQueue(&Port->Reads, Irp);
    KeReleaseSpinLock(&Dev->Lock, irql);
    return queued ? STATUS_PENDING : VwCompleteRequest(Dev->Vw, Irp, STATUS_CANCELLED, 0);
}

/* IRP_MJ_WRITE on a port: sent when a transmit slot is free, else queued. IRQL <= APC_LEVEL. */
static NTSTATUS VioserWrite(PVIOSER_DEVICE Dev, PVIOSER_PORT Port, PIRP Irp)
{
    ULONG len = IoGetCurrentIrpStackLocation(Irp)->Parameters.Write.Length;
    PVIOSER_SLOT slot;
    KIRQL irql;

    if (len == 0)
        return VwCompleteRequest(Dev->Vw, Irp, STATUS_SUCCESS, 0);
    KeAcquireSpinLock(&Dev->Lock, &irql);
    if (!Dev->Running || !Port->Present) {
        KeReleaseSpinLock(&Dev->Lock, irql);
        return VwCompleteRequest(Dev->Vw, Irp, STATUS_PORT_GONE, 0);
    }
    if (IsListEmpty(&Port->Writes) && (slot = VioserFreeTx(Port)) != NULL) {
        IoMarkIrpPending(Irp);
        BOOLEAN sent = VioserSend(Dev, Port, slot, Irp);
        KeReleaseSpinLock(&Dev->Lock, irql);
        if (!sent)
            VwCompleteRequest(Dev->Vw, Irp, STATUS_DEVICE_NOT_READY, 0);
        return STATUS_PENDING;
    }
    BOOLEAN queued = VioserQueue(&Port->Writes, Irp);
    KeReleaseSpinLock(&Dev->Lock, irql);
    return queued ? STATUS_PENDING : VwCompleteRequest(Dev->Vw, Irp, STATUS_CANCELLED, 0);
}

/* IOCTL_VIOSER_PORT_INFO: the port's id, name and host connection. IRQL <= APC_LEVEL. */
static NTSTATUS VioserPortInfo(PVIOSER_DEVICE Dev, PVIOSER_PORT Port, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PVIOSER_PORT_INFO info = Irp->AssociatedIrp.SystemBuffer;
    KIRQL irql;

    if (stack->Parameters.DeviceIoControl.IoControlCode != IOCTL_VIOSER_PORT_INFO)
        return VwCompleteRequest(Dev->Vw, Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    if (stack->Parameters.DeviceIoControl.OutputBufferLength < sizeof(*info))
        return VwCompleteRequest(Dev->Vw, Irp, STATUS_BUFFER_TOO_SMALL, 0);
    RtlZeroMemory(info, sizeof(*info));
    KeAcquireSpinLock(&Dev->Lock, &irql);
    info->Id = Port->Id;
    info->HostConnected = Port->HostConnected;
    info->IsConsole = Port->IsConsole;
    info->Named = Port->Named;
    RtlCopyMemory(info->Name, Port->Name, sizeof(info->Name));
    KeReleaseSpinLock(&Dev->Lock, irql);
    return VwCompleteRequest(Dev->Vw, Irp, STATUS_SUCCESS, sizeof(*info));
}

/* CREATE, READ, WRITE, DEVICE_CONTROL inside the rundown (the remove
 * lock held): CREATE at PASSIVE_LEVEL, the others at APC_LEVEL at most. IRQL <= APC_LEVEL. */
static NTSTATUS VioserDispatchCounted(PVIOSER_DEVICE Dev, PVIOSER_PORT Port, PIRP Irp, UCHAR Major)
{
    NTSTATUS status;
    KIRQL irql;

    switch (Major) {
    case IRP_MJ_CREATE:
        KeAcquireSpinLock(&Dev->Lock, &irql);
        if (!Port->Present) {
            status = STATUS_PORT_GONE;
        } else {
            if (Port->OpenCount++ == 0)
                VioserControlSend(Dev, Port->Id, VIRTIO_CONSOLE_PORT_OPEN, 1);
            status = STATUS_SUCCESS;
        }
        KeReleaseSpinLock(&Dev->Lock, irql);
        return VwCompleteRequest(Dev->Vw, Irp, status, 0);
    case IRP_MJ_READ:
        return VioserRead(Dev, Port, Irp);
    case IRP_MJ_WRITE:
        return VioserWrite(Dev, Port, Irp);
    default:
        return VioserPortInfo(Dev, Port, Irp);
    }
}

/* Dispatch for a port's device object: find its owner, enter its rundown, serve the request. IRQL
 * <= APC_LEVEL. */
NTSTATUS NTAPI VioserDispatchPort(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PVIOSER_PORT_EXT ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    UCHAR major = stack->MajorFunction;
    NTSTATUS status = STATUS_PORT_GONE;
    PVIOSER_DEVICE dev;
    KIRQL irql;

    KeAcquireSpinLock(&VioserGlobalLock, &irql);
    dev = ext->Owner;
    if (dev != NULL)
        status = IoAcquireRemoveLock(&dev->Vw->RemoveLock, Irp);
    KeReleaseSpinLock(&VioserGlobalLock, irql);
    if (!NT_SUCCESS(status)) {
        /* The device is gone; the handles still open may only close. */
        BOOLEAN closing = major == IRP_MJ_CLOSE || major == IRP_MJ_CLEANUP;
        Irp->IoStatus.Status = closing ? STATUS_SUCCESS : STATUS_PORT_GONE;
        Irp->IoStatus.Information = 0;
        status = Irp->IoStatus.Status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }
    PVIOSER_PORT port = &dev->Ports[ext->Id];
    LIST_ENTRY done;
    InitializeListHead(&done);

    /* CREATE, READ, WRITE and IOCTLs are counted in the framework's
     * rundown (common/wdm/rundown.c): STOP and removal wait for them to
     * leave before D0Exit and ReleaseHardware. */
    switch (major) {
    case IRP_MJ_CREATE:
    case IRP_MJ_READ:
    case IRP_MJ_WRITE:
    case IRP_MJ_DEVICE_CONTROL:
        if (!VwEnterRequest(dev->Vw))
            return VwCompleteRequest(dev->Vw, Irp, dev->Vw->GateStatus, 0);
        status = VioserDispatchCounted(dev, port, Irp, major);
        VwLeaveRequest(dev->Vw);
        return status;
    default:
        break;
    }
    switch (major) {
    case IRP_MJ_CLOSE: {
        KeAcquireSpinLock(&dev->Lock, &irql);
        BOOLEAN last = port->OpenCount > 0 && --port->OpenCount == 0;
        if (last && port->Present)
            VioserControlSend(dev, port->Id, VIRTIO_CONSOLE_PORT_OPEN, 0);
        BOOLEAN orphan = last && !port->Present;
        KeReleaseSpinLock(&dev->Lock, irql);
        if (orphan) /* a removed port's object goes with its last handle */
            VioserSyncPorts(dev, FALSE);
        return VwCompleteRequest(dev->Vw, Irp, STATUS_SUCCESS, 0);
    }
    case IRP_MJ_CLEANUP:
        KeAcquireSpinLock(&dev->Lock, &irql);
        VioserCleanupList(&port->Reads, stack->FileObject, &done);
        VioserCleanupList(&port->Writes, stack->FileObject, &done);
        KeReleaseSpinLock(&dev->Lock, irql);
        VioserCompleteList(dev, &done);
        return VwCompleteRequest(dev->Vw, Irp, STATUS_SUCCESS, 0);
    default:
        return VwCompleteRequest(dev->Vw, Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
}
