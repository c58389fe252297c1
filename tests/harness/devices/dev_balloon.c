/*
 * The virtio-balloon PCI function (see dev_balloon.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include "dev_balloon.h"
#include "kernel.h"
#include "ram.h"

#define STATUS_DRIVER_OK 0x04

/* The model's failures and notes, as the scenario's (host code). */
static void report(void *ctx, bool failure, const char *msg)
{
    struct vw_balloon *b = ctx;
    if (failure)
        vw_fail(b->vm, "balloon: %s", msg);
    else
        vw_log(b->vm, "balloon: %s", msg);
}

/* Whether the driver holds page PFN from MmAllocatePagesForMdlEx. */
static bool held(void *ctx, uint64_t pfn)
{
    struct vw_balloon *b = ctx;
    return vw_mm_page_held(b->vm, pfn);
}

/* A page goes back to Windows: with MUST_TELL_HOST and a live device the
 * host must have had it from the deflate queue first. */
static void on_free(struct vm *vm, void *ctx, uint64_t pfn)
{
    struct vw_balloon *b = ctx;
    bool tell = vmodel_driver_features(b->dev->model) & VMODEL_BALLOON_F_MUST_TELL_HOST;
    bool live = !b->dev->gone && (vmodel_status(b->dev->model) & STATUS_DRIVER_OK);
    if (!vmodel_balloon_page_freed(&b->model, pfn, tell && live))
        vw_fail(vm,
                "balloon: page 0x%" PRIx64 " given back to Windows before the host was "
                "told (MUST_TELL_HOST)",
                pfn);
}

struct vw_balloon *vw_balloon_create(struct vm *vm, enum vmodel_transport transport, bool msix,
                                     uint64_t features)
{
    struct vw_virtio_config cfg = {
        .transport = transport,
        .device_type = VMODEL_BALLOON_ID,
        .features = (transport == VMODEL_LEGACY ? 0 : 1ull << 32) | 1ull << 29 | features,
        .queues = 3,
        .queue_max = 64,
        .msix = msix,
        .seed = 0xba11,
        .device_cfg_len = VMODEL_BALLOON_CFG_LEN,
    };
    struct vw_balloon *b = calloc(1, sizeof(*b));
    if (b == NULL)
        return NULL;
    vw_kernel_keep(vm, b);
    b->vm = vm;
    b->model.report = (struct model_report){report, b};
    if (!vmodel_balloon_init(&b->model, VW_MM_PAGES_BASE >> 12, VW_MM_PAGE_COUNT, held, b)) {
        vw_fail(vm, "harness: hard limit: the balloon model tracks at most %u pages",
                VMODEL_BALLOON_MAX_PAGES);
        return NULL;
    }
    b->dev = vw_virtio_create(vm, &cfg);
    if (b->dev == NULL)
        return NULL;
    vmodel_set_handler(b->dev->model, vmodel_balloon_handler, &b->model);
    vmodel_hold_queue(b->dev->model, VMODEL_BALLOON_Q_STATS, true);
    struct vw_mm_pages *mp = vw_mm_pages(vm);
    if (mp == NULL)
        return NULL;
    mp->on_free = on_free;
    mp->on_free_ctx = b;
    return b;
}

void vw_balloon_set_target(struct vw_balloon *b, uint32_t pages)
{
    vmodel_set_device_cfg(b->dev->model, VMODEL_BALLOON_CFG_NUM_PAGES, &pages, 4);
    vmodel_config_changed(b->dev->model);
}

uint32_t vw_balloon_actual(struct vw_balloon *b)
{
    uint32_t actual;
    vmodel_get_device_cfg(b->dev->model, VMODEL_BALLOON_CFG_ACTUAL, &actual, 4);
    return actual;
}

void vw_balloon_stats_request(struct vw_balloon *b)
{
    /* Release the buffer the device kept; hold the next one again once it
     * has been completed (the model completes at its next step). */
    vmodel_hold_queue(b->dev->model, VMODEL_BALLOON_Q_STATS, false);
    vmodel_set_time(b->dev->model, UINT64_MAX); /* whatever its delay: the host asks now */
    vmodel_run(b->dev->model);
    vmodel_set_time(b->dev->model, b->vm->k->interrupt_time);
    vmodel_hold_queue(b->dev->model, VMODEL_BALLOON_Q_STATS, true);
}
