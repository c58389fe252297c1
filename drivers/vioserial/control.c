/*
 * vioser: the control queues (MULTIPORT, spec 5.3.6.2) and the port states
 * they drive.  Everything here runs with Lock held, mostly in the DPC.
 *
 * Messages from the device are untrusted: a short message, a port id
 * beyond max_nr_ports, an event for a port that is not there, or a name
 * that is too long or has characters an object name cannot hold is logged
 * and dropped; the buffer goes back to the device either way.
 */
#include "vioser.h"

/* The control transmit queue (c_ovq). IRQL: any. */
static struct virtqueue *CtrlOut(PVIOSER_DEVICE Dev)
{
    return &Dev->Queues[3];
}

/* Try to put one message in a free transmit slot; FALSE when none. IRQL: DISPATCH_LEVEL. */
static BOOLEAN VioserControlPost(PVIOSER_DEVICE Dev, const UCHAR *Msg)
{
    for (ULONG i = 0; i < VIOSER_CTRL_TX_BUFS; i++) {
        PVIOSER_SLOT slot = &Dev->CtrlTx[i];
        if (slot->Posted)
            continue;
        RtlCopyMemory(slot->Va, Msg, VIOSER_CTRL_HEADER);
        struct virtqueue_sg sg = {slot->Pa, VIOSER_CTRL_HEADER};
        if (virtqueue_add(CtrlOut(Dev), &sg, 1, 0, slot) != 0)
            return FALSE;
        slot->Posted = TRUE;
        if (virtqueue_kick_prepare(CtrlOut(Dev)))
            virtqueue_notify(CtrlOut(Dev));
        return TRUE;
    }
    return FALSE;
}

/* Messages that waited for a free slot, in order. IRQL: DISPATCH_LEVEL. */
VOID VioserControlFlush(PVIOSER_DEVICE Dev)
{
    if (!Dev->Multiport || !Dev->QueuesReady)
        return;
    while (Dev->CtrlPendingCount != 0 &&
           VioserControlPost(Dev, Dev->CtrlPending[Dev->CtrlPendingHead])) {
        Dev->CtrlPendingHead = (Dev->CtrlPendingHead + 1) % VIOSER_CTRL_PENDING;
        Dev->CtrlPendingCount--;
    }
}

/* Send a control message (event, value) about port Id, or keep it until a slot frees. IRQL:
 * DISPATCH_LEVEL. */
VOID VioserControlSend(PVIOSER_DEVICE Dev, ULONG Id, USHORT Event, USHORT Value)
{
    UCHAR msg[VIOSER_CTRL_HEADER];

    if (!Dev->Multiport || !Dev->QueuesReady)
        return;
    msg[0] = (UCHAR)Id;
    msg[1] = (UCHAR)(Id >> 8);
    msg[2] = (UCHAR)(Id >> 16);
    msg[3] = (UCHAR)(Id >> 24);
    msg[4] = (UCHAR)Event;
    msg[5] = (UCHAR)(Event >> 8);
    msg[6] = (UCHAR)Value;
    msg[7] = (UCHAR)(Value >> 8);
    VioserControlFlush(Dev);
    if (Dev->CtrlPendingCount == 0 && VioserControlPost(Dev, msg))
        return;
    if (Dev->CtrlPendingCount == VIOSER_CTRL_PENDING) {
        VwError(Dev->Vw, "control queue stuck: event %u for port %u dropped", Event, Id);
        return;
    }
    RtlCopyMemory(
        Dev->CtrlPending[(Dev->CtrlPendingHead + Dev->CtrlPendingCount) % VIOSER_CTRL_PENDING], msg,
        VIOSER_CTRL_HEADER);
    Dev->CtrlPendingCount++;
}

/* Give a port's receive buffer to the device (Lock held). IRQL: DISPATCH_LEVEL. */
VOID VioserPostRx(PVIOSER_DEVICE Dev, PVIOSER_PORT Port, ULONG Slot)
{
    PVIOSER_SLOT slot = &Port->Rx[Slot];
    struct virtqueue *vq = &Dev->Queues[VioserRxQueue(Port->Id)];
    struct virtqueue_sg sg = {slot->Pa, VIOSER_RX_SIZE};

    if (slot->Posted || !Dev->QueuesReady)
        return;
    slot->Length = slot->Offset = 0;
    if (virtqueue_add(vq, &sg, 0, 1, slot) != 0)
        return; /* a broken ring: the DPC restarts the device */
    slot->Posted = TRUE;
    if (virtqueue_kick_prepare(vq))
        virtqueue_notify(vq);
}

/* PORT_ADD (or the single port): receive buffers posted, PORT_READY. IRQL: DISPATCH_LEVEL. */
VOID VioserPortAttach(PVIOSER_DEVICE Dev, PVIOSER_PORT Port)
{
    BOOLEAN held[VIOSER_RX_BUFS] = {0};

    Port->Present = TRUE;
    for (ULONG i = 0; i < Port->RxCount; i++)
        held[Port->RxFilled[(Port->RxHead + i) % VIOSER_RX_BUFS]] = TRUE;
    for (ULONG i = 0; i < VIOSER_RX_BUFS; i++)
        if (!held[i])
            VioserPostRx(Dev, Port, i);
    VioserControlSend(Dev, Port->Id, VIRTIO_CONSOLE_PORT_READY, 1);
    if (Port->OpenCount > 0) /* reopened across a device reset */
        VioserControlSend(Dev, Port->Id, VIRTIO_CONSOLE_PORT_OPEN, 1);
}

/* PORT_REMOVE or the device going down: requests fail, data is dropped. IRQL: DISPATCH_LEVEL. */
VOID VioserPortDetach(PVIOSER_DEVICE Dev, PVIOSER_PORT Port, PLIST_ENTRY Failed)
{
    Port->Present = FALSE;
    Port->HostConnected = FALSE;
    Port->Named = FALSE; /* the host names the port again when it adds it */
    Port->IsConsole = FALSE;
    Port->RxHead = Port->RxCount = 0;
    VioserFailAll(Dev, Port, Failed);
}

/* Names become object names (\DosDevices\Global\<name>): printable ASCII
 * without separators or characters the object manager or Win32 treat
 * specially. IRQL: any. */
static BOOLEAN VioserNameValid(const UCHAR *Name, ULONG Length)
{
    if (Length == 0 || Length > VIOSER_NAME_MAX)
        return FALSE;
    for (ULONG i = 0; i < Length; i++) {
        UCHAR c = Name[i];
        BOOLEAN ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '.' || c == '_' || c == '-';
        if (!ok)
            return FALSE;
    }
    /* "." and ".." would name directories. */
    return !(Name[0] == '.' && (Length == 1 || (Length == 2 && Name[1] == '.')));
}

/* A control message from the device (PORT_ADD, PORT_REMOVE, PORT_NAME, PORT_OPEN ...), checked,
 * then its buffer reposted. IRQL: DISPATCH_LEVEL. */
VOID VioserControlReceived(PVIOSER_DEVICE Dev, PVIOSER_SLOT Slot, ULONG Length, PLIST_ENTRY Done)
{
    const UCHAR *m = Slot->Va;

    if (Length < VIOSER_CTRL_HEADER) {
        VwError(Dev->Vw, "control message of %u bytes dropped", Length);
        goto repost;
    }
    ULONG id = m[0] | (ULONG)m[1] << 8 | (ULONG)m[2] << 16 | (ULONG)m[3] << 24;
    USHORT event = (USHORT)(m[4] | m[5] << 8);
    USHORT value = (USHORT)(m[6] | m[7] << 8);
    if (id >= Dev->PortCount) {
        VwError(Dev->Vw, "control event %u for port %u beyond %u ports dropped", event, id,
                Dev->PortCount);
        goto repost;
    }
    PVIOSER_PORT port = &Dev->Ports[id];
    if (event != VIRTIO_CONSOLE_PORT_ADD && !port->Present) {
        VwError(Dev->Vw, "control event %u for port %u that is not there dropped", event, id);
        goto repost;
    }
    switch (event) {
    case VIRTIO_CONSOLE_PORT_ADD:
        if (port->Present) {
            VwError(Dev->Vw, "port %u added twice", id);
            break;
        }
        VioserPortAttach(Dev, port);
        VioserRequestSync(Dev);
        break;
    case VIRTIO_CONSOLE_PORT_REMOVE:
        VioserPortDetach(Dev, port, Done);
        VioserRequestSync(Dev);
        break;
    case VIRTIO_CONSOLE_CONSOLE_PORT:
        port->IsConsole = value != 0;
        break;
    case VIRTIO_CONSOLE_PORT_OPEN:
        port->HostConnected = value != 0;
        break;
    case VIRTIO_CONSOLE_PORT_NAME: {
        ULONG len = Length - VIOSER_CTRL_HEADER;
        const UCHAR *name = m + VIOSER_CTRL_HEADER;
        /* Some hosts send the terminating NUL. */
        if (len > 0 && name[len - 1] == 0)
            len--;
        if (port->Named) {
            VwError(Dev->Vw, "port %u named again: ignored", id);
        } else if (!VioserNameValid(name, len)) {
            VwError(Dev->Vw, "port %u: name of %u bytes refused", id, len);
        } else {
            RtlCopyMemory(port->Name, name, len);
            port->Name[len] = 0;
            port->Named = TRUE;
            VioserRequestSync(Dev);
        }
        break;
    }
    case VIRTIO_CONSOLE_RESIZE:
        break; /* no console window to resize */
    default:
        VwError(Dev->Vw, "control event %u for port %u ignored", event, id);
        break;
    }
repost:
    if (Dev->QueuesReady) {
        struct virtqueue_sg sg = {Slot->Pa, VIOSER_CTRL_RX_SIZE};
        if (virtqueue_add(&Dev->Queues[2], &sg, 0, 1, Slot) == 0) {
            Slot->Posted = TRUE;
            if (virtqueue_kick_prepare(&Dev->Queues[2]))
                virtqueue_notify(&Dev->Queues[2]);
        }
    }
}

/* Ask for VioserSyncPorts at PASSIVE_LEVEL (work item; Lock held, DPC only:
 * PASSIVE_LEVEL callers call VioserSyncPorts themselves). IRQL: DISPATCH_LEVEL. */
VOID VioserRequestSync(PVIOSER_DEVICE Dev)
{
    if (Dev->SyncQueued || Dev->SyncItem == NULL)
        return;
    if (!NT_SUCCESS(IoAcquireRemoveLock(&Dev->Vw->RemoveLock, Dev->SyncItem)))
        return;
    Dev->SyncQueued = TRUE;
    IoQueueWorkItem(Dev->SyncItem, VioserSyncWork, DelayedWorkQueue, Dev);
}
