/*
 * vioser: the port device objects and their names, at PASSIVE_LEVEL.
 *
 * VioserSyncPorts makes the objects follow the port states the control
 * queue set: a present port has \Device\vport<d>p<n>; a named present port
 * also \DosDevices\Global\<name>.  A port that goes away loses its link at
 * once (the name is free for a new port) and its object once no handle
 * holds it (the last close calls VioserSyncPorts again).  On removal of
 * the FDO every object goes; one still open keeps answering with errors
 * (VIOSER_PORT_EXT.Owner is NULL) until Windows frees it.
 *
 * Security: a port object gets an explicit descriptor before anyone can
 * open it (SYSTEM and Administrators; BUILTIN\Users too with the
 * AllowUserAccess parameter): with the default one, any user could open
 * org.qemu.guest_agent.0 first, impersonating the agent to the host or
 * keeping the real agent out.  A port whose descriptor cannot be set is
 * not created.
 */
#include "vioser.h"

static const WCHAR VioserDevicePrefix[] = L"\\Device\\vport";
static const WCHAR VioserLinkPrefix[] = L"\\DosDevices\\Global\\";

/* Append a decimal number (no swprintf in the kernel's import list). IRQL: any. */
static ULONG VioserAppendNumber(PWCHAR Buffer, ULONG At, ULONG Value)
{
    WCHAR digits[10];
    ULONG n = 0;

    do {
        digits[n++] = (WCHAR)(L'0' + Value % 10);
        Value /= 10;
    } while (Value != 0);
    while (n != 0)
        Buffer[At++] = digits[--n];
    return At;
}

/* Append a wide string at At; returns the new end. IRQL: any. */
static ULONG VioserAppendText(PWCHAR Buffer, ULONG At, const WCHAR *Text)
{
    while (*Text != 0)
        Buffer[At++] = *Text++;
    return At;
}

/* A port's object name, \Device\vport<d>p<n>. IRQL: any. */
static VOID VioserDeviceName(PVIOSER_DEVICE Dev, ULONG Id, PWCHAR Buffer)
{
    ULONG at = VioserAppendText(Buffer, 0, VioserDevicePrefix);
    at = VioserAppendNumber(Buffer, at, Dev->Instance);
    Buffer[at++] = L'p';
    at = VioserAppendNumber(Buffer, at, Id);
    Buffer[at] = 0;
}

/* Create a port's device object with the ports' security descriptor. IRQL: PASSIVE_LEVEL. */
static VOID VioserCreateObject(PVIOSER_DEVICE Dev, PVIOSER_PORT Port)
{
    WCHAR name[48];
    UNICODE_STRING us;
    PDEVICE_OBJECT obj;

    VioserDeviceName(Dev, Port->Id, name);
    RtlInitUnicodeString(&us, name);
    NTSTATUS status = IoCreateDevice(Dev->Vw->Self->DriverObject, sizeof(VIOSER_PORT_EXT), &us,
                                     FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, FALSE, &obj);
    if (!NT_SUCCESS(status)) {
        VwError(Dev->Vw, "port %u: IoCreateDevice failed 0x%08lx", Port->Id, status);
        return;
    }
    status = VwSetDeviceSecurity(obj, Dev->AllowUsers, VIOSER_POOL_TAG);
    if (!NT_SUCCESS(status)) {
        VwError(Dev->Vw, "port %u: setting its security failed 0x%08lx", Port->Id, status);
        IoDeleteDevice(obj);
        return;
    }
    PVIOSER_PORT_EXT ext = obj->DeviceExtension;
    RtlZeroMemory(ext, sizeof(*ext));
    ext->Owner = Dev;
    ext->Id = Port->Id;
    obj->Flags |= DO_BUFFERED_IO;
    obj->Flags &= ~DO_DEVICE_INITIALIZING;
    Port->Object = obj;
}

/* Detach a port's object from its device and delete it. IRQL: PASSIVE_LEVEL. */
static VOID VioserDeleteObject(PVIOSER_PORT Port)
{
    PVIOSER_PORT_EXT ext = Port->Object->DeviceExtension;
    KIRQL irql;

    KeAcquireSpinLock(&VioserGlobalLock, &irql);
    ext->Owner = NULL;
    KeReleaseSpinLock(&VioserGlobalLock, irql);
    IoDeleteDevice(Port->Object);
    Port->Object = NULL;
}

/* Create the \DosDevices\Global\<name> link the host named the port with. IRQL: PASSIVE_LEVEL. */
static VOID VioserCreateLink(PVIOSER_DEVICE Dev, PVIOSER_PORT Port, const CHAR *Name)
{
    WCHAR target[48];
    UNICODE_STRING us;
    ULONG at = VioserAppendText(Port->LinkBuffer, 0, VioserLinkPrefix);

    for (ULONG i = 0; Name[i] != 0; i++)
        Port->LinkBuffer[at++] = (WCHAR)Name[i];
    Port->LinkBuffer[at] = 0;
    RtlInitUnicodeString(&Port->Link, Port->LinkBuffer);
    VioserDeviceName(Dev, Port->Id, target);
    RtlInitUnicodeString(&us, target);
    NTSTATUS status = IoCreateSymbolicLink(&Port->Link, &us);
    if (!NT_SUCCESS(status)) {
        VwError(Dev->Vw, "port %u: link %s failed 0x%08lx", Port->Id, Name, status);
        return;
    }
    Port->Linked = TRUE;
}

/* PortMutex is an event used as a lock; the last close of a port calls this
 * on the user's thread, which a kernel APC (suspension) could stop while
 * it holds the lock and every other port change waits: held inside a
 * critical region, which holds normal kernel APCs off. IRQL: PASSIVE_LEVEL. */
VOID VioserSyncPorts(PVIOSER_DEVICE Dev, BOOLEAN Removing)
{
    KeEnterCriticalRegion();
    KeWaitForSingleObject(&Dev->PortMutex, Executive, KernelMode, FALSE, NULL);
    for (ULONG i = 0; i < VIOSER_MAX_PORTS; i++) {
        PVIOSER_PORT port = &Dev->Ports[i];
        CHAR name[VIOSER_NAME_MAX + 1];
        KIRQL irql;

        KeAcquireSpinLock(&Dev->Lock, &irql);
        BOOLEAN present = port->Present && !Removing;
        BOOLEAN wantObject = !Removing && (present || port->OpenCount > 0);
        BOOLEAN wantLink = present && port->Named;
        RtlCopyMemory(name, port->Name, sizeof(name));
        KeReleaseSpinLock(&Dev->Lock, irql);

        if (port->Linked && !wantLink) {
            IoDeleteSymbolicLink(&port->Link);
            port->Linked = FALSE;
        }
        if (port->Object != NULL && !wantObject)
            VioserDeleteObject(port);
        if (port->Object == NULL && wantObject)
            VioserCreateObject(Dev, port);
        if (port->Object != NULL && wantLink && !port->Linked)
            VioserCreateLink(Dev, port, name);
    }
    KeSetEvent(&Dev->PortMutex, IO_NO_INCREMENT, FALSE);
    KeLeaveCriticalRegion();
}

/* Broken and up (Lock): the DPC asked for a restart nobody has done. IRQL <= DISPATCH_LEVEL. */
static BOOLEAN VioserRestartWanted(PVIOSER_DEVICE Dev)
{
    KIRQL irql;

    KeAcquireSpinLock(&Dev->Lock, &irql);
    BOOLEAN wanted = Dev->Broken && Dev->QueuesReady;
    KeReleaseSpinLock(&Dev->Lock, irql);
    return wanted;
}

/* The work item the DPC queues: restart a broken device, then sync. IRQL: PASSIVE_LEVEL. */
VOID NTAPI VioserSyncWork(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PVIOSER_DEVICE dev = Context;
    KIRQL irql;

    (void)DeviceObject;
    KeAcquireSpinLock(&dev->Lock, &irql);
    dev->SyncQueued = FALSE;
    BOOLEAN restart = dev->Broken && dev->QueuesReady;
    KeReleaseSpinLock(&dev->Lock, irql);
    if (restart) {
        /* Why StateMutex: PnP (STOP, SURPRISE_REMOVAL, REMOVE) and power
         * take the device down on their own threads, at any moment of this
         * restart, and then release the BARs and the buffers.  With the
         * callbacks waiting on the same mutex, a stop either comes first
         * (and the look again below sees QueuesReady FALSE: nothing to
         * restart, the next D0Entry starts afresh) or waits until the
         * restart is over and takes down the restarted device.  The same
         * holds for this work item queued again while it runs. */
        KeWaitForSingleObject(&dev->StateMutex, Executive, KernelMode, FALSE, NULL);
        if (VioserRestartWanted(dev) && dev->Vw->PnpState != VwSurpriseRemoved) {
            VioserDeviceDown(dev);
            /* A device that breaks again at once is not restarted for ever. */
            if (++dev->Restarts > VIOSER_MAX_RESTARTS) {
                VwError(dev->Vw,
                        "%u restarts without data moving: the device stays down until "
                        "it is restarted (disable/enable)",
                        VIOSER_MAX_RESTARTS);
                virtio_device_fail(&dev->Virtio.Dev);
            } else {
                VwError(dev->Vw, "restarting the device");
                if (!NT_SUCCESS(VioserDeviceUp(dev, TRUE)))
                    VwError(dev->Vw,
                            "restart failed: the ports stay down until the device restarts");
            }
        }
        KeSetEvent(&dev->StateMutex, IO_NO_INCREMENT, FALSE);
    }
    VioserSyncPorts(dev, FALSE);
    IoReleaseRemoveLock(&dev->Vw->RemoveLock, dev->SyncItem);
}
