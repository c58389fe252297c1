/*
 * A virtio-balloon PCI function: dev_virtio around the balloon model
 * (tests/models/virtio/vmodel_balloon), whose page area is the harness's
 * pages for drivers (MmAllocatePagesForMdlEx, k_mmpages): inflated frames
 * are checked against the pages the driver holds, and a page freed back to
 * Windows while the balloon holds it fails the scenario under
 * MUST_TELL_HOST.  The statistics buffer is held until the scenario asks
 * for an update (vw_balloon_stats_request), as a host polls on a timer.
 */
#pragma once
#include "dev_virtio.h"
#include "k_mmpages.h"
#include "vmodel_balloon.h"

#define VW_LOW_MEMORY_EVENT "\\KernelObjects\\LowMemoryCondition"

struct vw_balloon {
    struct vm *vm;
    struct vw_virtio *dev;
    struct vmodel_balloon model; /* pages in the balloon, statistics */
};

struct vw_balloon *vw_balloon_create(struct vm *vm, enum vmodel_transport transport, bool msix,
                                     uint64_t features);
/* The host's target: num_pages, then a configuration interrupt. */
void vw_balloon_set_target(struct vw_balloon *b, uint32_t pages);
uint32_t vw_balloon_actual(struct vw_balloon *b);
/* Give the held statistics buffer back (the driver refreshes it). */
void vw_balloon_stats_request(struct vw_balloon *b);
