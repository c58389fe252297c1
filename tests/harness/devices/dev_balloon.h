/*
 * A virtio-balloon device (spec 5.5) on the virtio PCI function of
 * dev_virtio: three queues (inflate, deflate, stats), num_pages set by the
 * scenario, actual read back.  It checks the driver:
 *  - every inflated frame number is a page the driver holds from
 *    MmAllocatePagesForMdlEx and not already in the balloon;
 *  - every deflated frame number is in the balloon;
 *  - with MUST_TELL_HOST, no page of the balloon goes back to Windows
 *    while the device is live and was not told (deflate queue first);
 *  - statistics buffers hold whole tagged entries with known tags.
 * The balloon survives device resets, as on a host whose pages stay
 * discarded.  The statistics buffer is held until the scenario asks for
 * an update (vw_balloon_stats_request), as a host polls on a timer.
 */
#pragma once
#include "dev_virtio.h"
#include "k_mmpages.h"

#define VW_BALLOON_F_MUST_TELL_HOST (1ull << 0)
#define VW_BALLOON_F_STATS_VQ       (1ull << 1)
#define VW_BALLOON_F_DEFLATE_ON_OOM (1ull << 2)
#define VW_LOW_MEMORY_EVENT         "\\KernelObjects\\LowMemoryCondition"

struct vw_balloon {
    struct vm *vm;
    struct vw_virtio *dev;
    uint8_t in_balloon[VW_MM_PAGE_COUNT / 8]; /* bit per page of the MDL page area */
    unsigned pages;                           /* pages the device holds */
    unsigned inflate_requests, deflate_requests, max_request_pages;
    unsigned stats_updates;
    uint64_t memtot;          /* last MEMTOT reported, bytes */
    unsigned stat_tags;       /* bit per tag seen */
    unsigned last_tags;       /* bit per tag of the last statistics buffer */
    uint64_t stat_values[16]; /* last value per tag */
};

struct vw_balloon *vw_balloon_create(struct vm *vm, enum vmodel_transport transport, bool msix,
                                     uint64_t features);
/* The host's target: num_pages, then a configuration interrupt. */
void vw_balloon_set_target(struct vw_balloon *b, uint32_t pages);
uint32_t vw_balloon_actual(struct vw_balloon *b);
/* Give the held statistics buffer back (the driver refreshes it). */
void vw_balloon_stats_request(struct vw_balloon *b);
