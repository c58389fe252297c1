/*
 * vioinput: getting a faulty device back.  The DPC sees the fault (the
 * device set NEEDS_RESET, or broke the event queue's protocol) and queues
 * one work item; at PASSIVE_LEVEL the device is reset and brought up again
 * exactly as at D0 (fresh rings, buffers reposted), unless it left D0 or
 * stopped meanwhile.  Keys and buttons held before the fault are released
 * towards hidclass first, so nothing stays stuck.  A device that faults
 * again is restarted again, at most VIOINPUT_MAX_RESTARTS times per start.
 */
#include "vioinput.h"

#define VIOINPUT_MAX_RESTARTS 8

static IO_WORKITEM_ROUTINE VioinputRestartWorker;

/* Queue the restart work item for a broken device, at most VIOINPUT_MAX_RESTARTS times per start
 * (Lock held). IRQL: DISPATCH_LEVEL. */
VOID VioinputQueueRestart(PVW_DEVICE Device)
{
    PVIOINPUT_DEVICE input = VioinputFromDevice(Device);

    if (input->RestartQueued || input->RestartItem == NULL)
        return;
    if (input->Restarts >= VIOINPUT_MAX_RESTARTS) {
        if (input->Restarts++ == VIOINPUT_MAX_RESTARTS)
            VwError(Device, "device keeps failing: no more restarts until it is restarted");
        return;
    }
    input->RestartQueued = TRUE;
    KeClearEvent(&input->RestartIdle);
    IoQueueWorkItem(input->RestartItem, VioinputRestartWorker, DelayedWorkQueue, Device);
}

/* Release what the host had pressed: the reset forgets it (Lock held). IRQL: DISPATCH_LEVEL. */
static VOID VioinputReleaseAll(PVIOINPUT_DEVICE Input)
{
    static const VIRTIO_INPUT_EVENT syn = {EV_SYN, SYN_REPORT, 0};
    BOOLEAN keys = FALSE;

    for (ULONG i = 0; i < sizeof(Input->KeysDown); i++)
        keys |= Input->KeysDown[i] != 0;
    if (!keys && Input->MouseButtons == 0 && Input->TabletButtons == 0)
        return;
    RtlZeroMemory(Input->KeysDown, sizeof(Input->KeysDown));
    Input->KeyboardDirty = keys;
    Input->MouseDirty = Input->MouseButtons != 0;
    Input->TabletDirty = Input->TabletButtons != 0;
    Input->MouseButtons = Input->TabletButtons = 0;
    Input->RelX = Input->RelY = Input->Wheel = Input->Pan = 0;
    VioinputHandleEvent(Input, &syn);
}

/* Restart work item: reset and bring up the device again under StateLock. IRQL: PASSIVE_LEVEL. */
static VOID NTAPI VioinputRestartWorker(PDEVICE_OBJECT Fdo, PVOID Context)
{
    PVW_DEVICE device = (PVW_DEVICE)Context;
    PVIOINPUT_DEVICE input = VioinputFromDevice(device);
    KIRQL irql;

    (void)Fdo;
    KeWaitForSingleObject(&input->StateLock, Executive, KernelMode, FALSE, NULL);
    KeAcquireSpinLock(&input->Lock, &irql);
    BOOLEAN running = input->QueuesReady && input->Broken && !input->Removed;
    if (running)
        VioinputReleaseAll(input);
    KeReleaseSpinLock(&input->Lock, irql);
    if (running) {
        input->Restarts++;
        NTSTATUS status = VioinputD0ExitLocked(device);
        if (NT_SUCCESS(status))
            status = VioinputD0EntryLocked(device);
        if (NT_SUCCESS(status))
            VwInfo(device, "device restarted (%lu)", input->Restarts);
        else
            VwError(device, "restart failed 0x%08lx: no input until the device restarts", status);
    }
    KeSetEvent(&input->StateLock, IO_NO_INCREMENT, FALSE);
    VioinputDrainReports(device);

    KeAcquireSpinLock(&input->Lock, &irql);
    input->RestartQueued = FALSE;
    KeSetEvent(&input->RestartIdle, IO_NO_INCREMENT, FALSE);
    KeReleaseSpinLock(&input->Lock, irql);
}

/* Wait until no restart work item is queued or running. IRQL: PASSIVE_LEVEL. */
VOID VioinputWaitRestart(PVW_DEVICE Device)
{
    PVIOINPUT_DEVICE input = VioinputFromDevice(Device);

    KeWaitForSingleObject(&input->RestartIdle, Executive, KernelMode, FALSE, NULL);
}
