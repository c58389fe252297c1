/*
 * The NDIS implementation of the virtio core's OS services (virtio_os.h),
 * for NDIS miniports (NetKVM): registers through the mappings NDIS gives
 * (NdisMMapIoSpace for memory BARs, NdisMRegisterIoPortRange for port
 * BARs; on ARM64 an I/O BAR arrives as a memory range, mapped as memory and
 * given to the I/O BAR no other range took) of the translated resources
 * MiniportInitializeEx receives, PCI configuration space read once with
 * NdisMGetBusData (after the interrupts
 * are registered, so that the MSI-X enable bit is what NDIS set), DMA
 * memory from NdisMAllocateSharedMemory (PASSIVE_LEVEL: every ring and
 * buffer is allocated in MiniportInitializeEx), private memory from
 * NdisAllocateMemoryWithTagPriority.
 *
 *   MiniportInitializeEx:
 *     NdisMRegisterInterruptEx(...)                     messages granted
 *     VwNdisVirtioMap(&v, handle, resources)            map, probe
 *     virtio_negotiate(&v.Dev, ...), virtio_queue_plan(...)
 *     VwNdisShared(&v, plan.dma_size, &block)            the rings' block
 *     virtio_queue_setup_planned(...), virtio_device_ready()
 *   MiniportHaltEx:
 *     virtio_device_reset(), VwNdisSharedFree(&v, &block), VwNdisVirtioUnmap(&v)
 */
#pragma once
#include <vw/ndis.h>
#include <virtio/virtio_pci.h>

#define VW_NDIS_PCI_CONFIG_BYTES 256 /* the capability list lives here */
#define VW_NDIS_BARS             6

typedef struct _VW_NDIS_BAR {
    PVOID Va; /* mapped base (MMIO address, or the port number NDIS gave) */
    ULONG Length;
    ULONG Start;  /* port BARs: the first port, for the deregistration */
    BOOLEAN InIo; /* port space */
} VW_NDIS_BAR;

typedef struct _VW_NDIS_VIRTIO {
    NDIS_HANDLE Adapter; /* the miniport adapter handle */
    struct virtio_os Os;
    struct virtio_device Dev;
    UCHAR PciConfig[VW_NDIS_PCI_CONFIG_BYTES];
    ULONG PciConfigLength; /* bytes NdisMGetBusData returned */
    VW_NDIS_BAR Bars[VW_NDIS_BARS];
    ULONG Violations; /* device protocol violations reported */
    BOOLEAN Probed;
} VW_NDIS_VIRTIO, *PVW_NDIS_VIRTIO;

#define VW_NDIS_TAG 'ivWV' /* "VWvi" in a pool dump */

/* PASSIVE_LEVEL (MiniportInitializeEx): read the configuration space, map
 * the resources that are BARs and find the virtio transport.  Returns
 * NDIS_STATUS_SUCCESS, NDIS_STATUS_ADAPTER_NOT_FOUND (not a usable virtio
 * function) or NDIS_STATUS_RESOURCES; on failure nothing stays mapped. */
NDIS_STATUS VwNdisVirtioMap(PVW_NDIS_VIRTIO Virtio, NDIS_HANDLE Adapter,
                            PNDIS_RESOURCE_LIST Resources);

/* PASSIVE_LEVEL (MiniportHaltEx, or a failed initialisation): undo
 * VwNdisVirtioMap.  The device must be reset first. */
void VwNdisVirtioUnmap(PVW_NDIS_VIRTIO Virtio);

/* PASSIVE_LEVEL: Size bytes of shared memory (zeroed, physically
 * contiguous, page aligned); 0 or VIRTIO_ENOMEM. */
int VwNdisShared(PVW_NDIS_VIRTIO Virtio, size_t Size, struct virtio_dma *Dma);

/* PASSIVE_LEVEL: free what VwNdisShared gave (a NULL va is ignored). */
void VwNdisSharedFree(PVW_NDIS_VIRTIO Virtio, struct virtio_dma *Dma);

/* IRQL <= DISPATCH_LEVEL: nonpaged private memory, zeroed; NULL when none. */
PVOID VwNdisAlloc(PVW_NDIS_VIRTIO Virtio, ULONG Size);

/* IRQL <= DISPATCH_LEVEL: free what VwNdisAlloc gave (NULL is ignored). */
void VwNdisFree(PVOID Ptr, ULONG Size);
