/*
 * The WDM implementation of the virtio core's OS services (virtio_os.h),
 * on top of the vwdm framework: registers through READ/WRITE_REGISTER_* and
 * READ/WRITE_PORT_*, configuration space through the bus interface, BARs
 * from the mapped resource ranges, DMA memory from the device's DMA adapter
 * (common buffers, so the bus address is the one the platform gives the
 * device: right behind an IOMMU, with ACCESS_PLATFORM), private memory from
 * non-paged, non-executable pool.
 *
 *   PrepareHardware: VwVirtioStart(&v, device, tag)   adapter + transport
 *   ...              virtio_negotiate(&v.Dev, ...), virtio_queue_setup(...)
 *   ReleaseHardware: VwVirtioStop(&v)                 reset, unmap, adapter
 */
#pragma once
#include "vwdm.h"
#include <virtio/virtio_pci.h>

typedef struct _VW_VIRTIO {
    PVW_DEVICE Device;
    PDMA_ADAPTER Dma;
    ULONG PoolTag;
    BOOLEAN Probed;
    struct virtio_os Os;
    struct virtio_device Dev;
} VW_VIRTIO, *PVW_VIRTIO;

/* Get the DMA adapter and find the virtio transport (modern, else legacy). */
NTSTATUS VwVirtioStart(PVW_VIRTIO Virtio, PVW_DEVICE Device, ULONG PoolTag);

/* Reset the device and release what VwVirtioStart took.  Queues must have
 * been torn down (virtio_queue_teardown) by the caller after the reset that
 * this performs first, so call it as: VwVirtioReset, teardown, VwVirtioStop. */
VOID VwVirtioReset(PVW_VIRTIO Virtio);
VOID VwVirtioStop(PVW_VIRTIO Virtio);

/* The NTSTATUS for a virtio core error code. */
NTSTATUS VwVirtioStatus(int rc);
