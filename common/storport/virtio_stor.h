/*
 * The StorPort implementation of the virtio core's OS services
 * (virtio_os.h), for StorPort miniports (viostor; vioscsi next): registers
 * through StorPort's register and port routines on the access ranges
 * StorPortGetDeviceBase mapped, PCI configuration space read once with
 * StorPortGetBusData (HwFindAdapter is the only place StorPort allows it),
 * DMA memory and private memory carved from the one uncached extension
 * (StorPortGetUncachedExtension, HwFindAdapter only; it is also all the
 * memory a dump or hibernation copy may use), bus addresses from
 * StorPortGetPhysicalAddress.  Nothing is ever freed: the uncached
 * extension lives as long as the adapter.
 *
 *   HwFindAdapter: VwStorVirtioFind(&v, ext, config)    map, probe
 *                  virtio_negotiate(&v.Dev, ...), virtio_queue_plan(...)
 *                  VwStorVirtioUncached(&v, config, plan.dma_size + ...)
 *                  VwStorCarve(&v, size, align, &dma)    the queues' block
 *   HwInitialize:  virtio_queue_setup_planned(...), virtio_device_ready()
 */
#pragma once
#include <vw/storport.h>
#include <virtio/virtio_pci.h>
#include <storport/stor_holdoff.h>

#define VW_STOR_PCI_CONFIG_BYTES 256 /* the capability list lives here */
#define VW_STOR_BARS             6

typedef struct _VW_STOR_BAR {
    PVOID Va; /* mapped base (MMIO address or port number) */
    ULONG Length;
    BOOLEAN InIo; /* port space */
} VW_STOR_BAR;

typedef struct _VW_STOR_VIRTIO {
    PVOID DeviceExtension;
    struct virtio_os Os;
    struct virtio_device Dev;
    UCHAR PciConfig[VW_STOR_PCI_CONFIG_BYTES];
    ULONG PciConfigLength; /* bytes StorPortGetBusData returned */
    VW_STOR_BAR Bars[VW_STOR_BARS];
    PUCHAR Uncached; /* the uncached extension */
    ULONG UncachedSize, UncachedUsed;
    ULONG Violations; /* device protocol violations reported */
    BOOLEAN Probed;
    VW_STOR_HOLDOFF Holdoff; /* CompletionHoldoff, and the adapter's timer (stor_holdoff.h) */
} VW_STOR_VIRTIO, *PVW_STOR_VIRTIO;

/* Status reads a device reset may wait for inside a StorPort routine: 8,
 * 700 us of stalls (StorPortStallExecution: "less than a full millisecond") */
#define VW_STOR_RESET_POLLS 8
/* A device slower than that is read once per 1 ms period of the adapter's
 * StorPort timer, 100 periods at most (the 100 ms VIRTIO_RESET_POLLS
 * allows elsewhere), then given up */
#define VW_STOR_RESET_PERIOD_US 1000
#define VW_STOR_RESET_PERIODS   100

/* PASSIVE_LEVEL (HIGH_LEVEL in a dump copy), HwFindAdapter only: read the
 * configuration space, map the access ranges that are BARs and find the
 * virtio transport.  Returns an SP_RETURN_* value. */
ULONG VwStorVirtioFind(PVW_STOR_VIRTIO Virtio, PVOID DeviceExtension,
                       PPORT_CONFIGURATION_INFORMATION ConfigInfo);

/* HwFindAdapter only: take the uncached extension of Size bytes (once). */
BOOLEAN VwStorVirtioUncached(PVW_STOR_VIRTIO Virtio, PPORT_CONFIGURATION_INFORMATION ConfigInfo,
                             ULONG Size);

/* Any IRQL: carve Size bytes aligned to Align (a power of two) from the
 * uncached extension, zeroed, with its bus address; 0 or VIRTIO_ENOMEM
 * (also when the block is not physically contiguous). */
int VwStorCarve(PVW_STOR_VIRTIO Virtio, size_t Size, size_t Align, struct virtio_dma *Dma);

/* Any IRQL: the bus address of Va inside the SRB (or NULL: the uncached
 * extension) and the bytes physically contiguous from it (Length). */
uint64_t VwStorPhysical(PVW_STOR_VIRTIO Virtio, PVOID Srb, PVOID Va, ULONG *Length);

/* DIRQL, interrupt lock (ScsiStopAdapter): reset the device without waiting
 * more than VW_STOR_RESET_POLLS reads for it to finish (the restart resets
 * it again, and nothing is at the device at a stop). */
VOID VwStorVirtioStop(PVW_STOR_VIRTIO Virtio);

/* DIRQL, interrupt lock (ScsiRestartAdapter): reset the device, waiting at
 * most VW_STOR_RESET_POLLS reads, and negotiate Wanted again, which must
 * give the features it had (the rings are laid out for them).  0;
 * VIRTIO_EAGAIN: the device has not read 0 yet (VwStorVirtioRestartPoll
 * later, from a timer: nothing may wait longer at DIRQL); else the device
 * is left FAILED. */
int VwStorVirtioRestart(PVW_STOR_VIRTIO Virtio, uint64_t Wanted);

/* DISPATCH_LEVEL, StartIo lock (a timer): one more read of the status after
 * VwStorVirtioRestart's VIRTIO_EAGAIN, then as VwStorVirtioRestart. */
int VwStorVirtioRestartPoll(PVW_STOR_VIRTIO Virtio, uint64_t Wanted);

/* DISPATCH_LEVEL or above, StartIo lock: a reset (or a restart's) the device
 * has not finished within VW_STOR_RESET_POLLS reads: *Waits from 0, the
 * adapter's one HwTimer (Virtio->Holdoff's) asked for the first period. */
VOID VwStorResetArm(PVW_STOR_VIRTIO Virtio, PULONG Waits);

/* DISPATCH_LEVEL, StartIo lock (the adapter's HwTimer): Rc is what one
 * more step of that reset gave.  VIRTIO_EAGAIN (not read 0 yet) below the
 * bound: the period is counted, the timer asked for the next, VIRTIO_EAGAIN
 * returned; at the bound: the device is marked broken (RESET_TIMEOUT) and
 * VIRTIO_ETIMEDOUT returned; anything else is returned as it is. */
int VwStorResetWaited(PVW_STOR_VIRTIO Virtio, int Rc, PULONG Waits);
