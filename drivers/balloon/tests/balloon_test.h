/*
 * Shared set-up of the balloon scenarios: a virtio-balloon PCI function
 * (tests/harness/devices/dev_balloon), the driver loaded and started on it, the
 * host's target set, virtual time run until the balloon settles, and the
 * three views of the balloon compared: `actual` in the configuration, the
 * pages the device model holds, the pages the driver holds from
 * MmAllocatePagesForMdlEx.
 */
#pragma once
#include "dev_balloon.h"
#include "k_mmpages.h"
#include "kernel.h"
#include "scenario.h"

#define F_VERSION_1     (1ull << 32)
#define F_RING_PACKED   (1ull << 34)
#define SECOND          10000000ull /* virtual time units (100 ns) */
#define STATUS_FAILED   0x80
#define STATUS_DRIVEROK 0x04

static inline struct vw_balloon *balloon_start(struct vm *vm, enum vmodel_transport t, bool msix,
                                               uint64_t features)
{
    struct vw_balloon *b = vw_balloon_create(vm, t, msix, features);
    if (b == NULL || !vw_driver_load(vm, "balloon") || !vw_add_device(vm, b->dev->pdo))
        return NULL;
    uint32_t status = vw_pnp(vm, b->dev->pdo, VW_IRP_MN_START_DEVICE);
    VW_EXPECT(vm, status == 0, "START_DEVICE failed with 0x%08x", status);
    return vm->failed ? NULL : b;
}

static inline unsigned balloon_driver_pages(struct vm *vm)
{
    return vw_mm_pages(vm)->allocated;
}

/* The three views agree on PAGES. */
static inline void balloon_expect(struct vm *vm, struct vw_balloon *b, unsigned pages)
{
    VW_EXPECT(vm, vw_balloon_actual(b) == pages, "actual is %u, expected %u", vw_balloon_actual(b),
              pages);
    VW_EXPECT(vm, b->model.pages == pages, "the device holds %u pages, expected %u", b->model.pages,
              pages);
    VW_EXPECT(vm, balloon_driver_pages(vm) == pages, "the driver holds %u pages, expected %u",
              balloon_driver_pages(vm), pages);
}

/* Set the target and let ten virtual seconds pass. */
static inline void balloon_target(struct vm *vm, struct vw_balloon *b, uint32_t pages)
{
    vw_balloon_set_target(b, pages);
    vw_run_for(vm, 10 * SECOND);
}

/* Remove (the balloon empties first) and unload with the leak checks,
 * which include every page from MmAllocatePagesForMdlEx. */
static inline void balloon_finish(struct vm *vm, struct vw_balloon *b)
{
    vw_pnp(vm, b->dev->pdo, VW_IRP_MN_REMOVE_DEVICE);
    VW_EXPECT(vm, balloon_driver_pages(vm) == 0, "%u pages still held after REMOVE",
              balloon_driver_pages(vm));
    vw_driver_unload(vm);
}
