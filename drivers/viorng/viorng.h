/*
 * viorng: virtio entropy device (virtio-rng, PCI 1AF4:1005 transitional,
 * 1AF4:1044 modern).  One queue ("requestq"); the driver posts a
 * device-writable buffer and the device fills some or all of it with
 * entropy (virtio spec 5.4).
 *
 * Requests are served one at a time: a user read waits for the device to
 * complete one DMA buffer, bounded by VIORNG_TIMEOUT_MS, after which the
 * device is reset and the read fails.  The device is not trusted: the
 * written length comes back checked by the virtio core (never more than
 * posted), and a broken queue turns every later read into an error until
 * the device restarts.
 */
#pragma once
#include <wdm/virtio_wdm.h>
#include "viorng_ioctl.h"

#define VIORNG_POOL_TAG   'gnRV'
#define VIORNG_QUEUE      0
#define VIORNG_TIMEOUT_MS 5000

typedef struct _VIORNG_DEVICE {
    VW_VIRTIO Virtio;
    struct virtqueue Queue;
    BOOLEAN QueueReady;
    BOOLEAN Ready;    /* DRIVER_OK and accepting reads */
    ULONG Generation; /* distinguishes requests across resets */

    /* One bounce buffer the device writes into. */
    struct virtio_dma Buffer;

    KSPIN_LOCK Lock; /* queue state, shared with the DPC */
    /* One read at a time (synchronization event, ViorngLock).  Readers are
     * user threads: a thread suspended (a kernel APC) while holding it would
     * block every other reader, so it is held inside a critical region. */
    KEVENT RequestLock;
    /* Bringing the device up and down one at a time (synchronization
     * event, ViorngLock): D0Entry, D0Exit, ReleaseHardware (PnP and power
     * threads) and a reader's restart.  Taken after RequestLock. */
    KEVENT StateLock;
    KEVENT Completed;      /* signalled by the DPC */
    ULONG CompletedLength; /* bytes the device wrote */
    BOOLEAN CompletedBroken;
    /* The device set DEVICE_NEEDS_RESET and said so with a configuration
     * interrupt (Lock): the reader restarts it before its next request. */
    BOOLEAN ResetNeeded;
    volatile LONG ConfigEvent; /* the ISR saw a configuration change */
} VIORNG_DEVICE, *PVIORNG_DEVICE;

/* An event used as a lock (PASSIVE_LEVEL), inside a critical region so that
 * normal kernel APCs (suspension) cannot stop its holder. IRQL: PASSIVE_LEVEL. */
static inline VOID ViorngLock(PKEVENT Lock)
{
    KeEnterCriticalRegion();
    KeWaitForSingleObject(Lock, Executive, KernelMode, FALSE, NULL);
}

/* Release an event lock taken by ViorngLock and leave the critical region. IRQL: PASSIVE_LEVEL. */
static inline VOID ViorngUnlock(PKEVENT Lock)
{
    KeSetEvent(Lock, IO_NO_INCREMENT, FALSE);
    KeLeaveCriticalRegion();
}

/* viorng's state behind the framework's device header. IRQL: any. */
static inline PVIORNG_DEVICE ViorngFromDevice(PVW_DEVICE Device)
{
    return (PVIORNG_DEVICE)VwDeviceContext(Device);
}

/* device.c */
NTSTATUS ViorngPrepareHardware(PVW_DEVICE Device, PVW_RESOURCES Resources);
VOID ViorngReleaseHardware(PVW_DEVICE Device);
NTSTATUS ViorngD0Entry(PVW_DEVICE Device, DEVICE_POWER_STATE Previous);
NTSTATUS ViorngD0Exit(PVW_DEVICE Device, DEVICE_POWER_STATE Target);
BOOLEAN ViorngIsr(PVW_DEVICE Device, ULONG MessageId, PBOOLEAN QueueDpc);
VOID ViorngDpc(PVW_DEVICE Device, ULONG MessageId);

/* read.c */
DRIVER_DISPATCH ViorngDispatchRead;
DRIVER_DISPATCH ViorngDispatchIoctl;
DRIVER_DISPATCH ViorngDispatchCreateClose;
