/*
 * vmodel_balloon.h - a virtio-balloon device (virtio spec 5.5) on the device
 * model: three queues (inflate, deflate, stats), num_pages set by the host,
 * actual read back.  It checks the driver:
 *  - every inflated frame number is a page the driver holds (the user's
 *    HELD hook) and not already in the balloon;
 *  - every deflated frame number is in the balloon;
 *  - with MUST_TELL_HOST, no page of the balloon goes back to the OS while
 *    the device is live and was not told (deflate queue first);
 *  - statistics buffers hold whole tagged entries with known tags.
 * The balloon survives device resets, as on a host whose pages stay
 * discarded.  The PCI function around it, and the statistics buffer held
 * until the host asks, are tests/harness/devices/dev_balloon.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "model_report.h"
#include "vmodel.h"

#define VMODEL_BALLOON_ID               5
#define VMODEL_BALLOON_F_MUST_TELL_HOST (1ull << 0)
#define VMODEL_BALLOON_F_STATS_VQ       (1ull << 1)
#define VMODEL_BALLOON_F_DEFLATE_ON_OOM (1ull << 2)
#define VMODEL_BALLOON_Q_INFLATE        0
#define VMODEL_BALLOON_Q_DEFLATE        1
#define VMODEL_BALLOON_Q_STATS          2
#define VMODEL_BALLOON_CFG_NUM_PAGES    0
#define VMODEL_BALLOON_CFG_ACTUAL       4
#define VMODEL_BALLOON_CFG_LEN          8
#define VMODEL_BALLOON_MAX_PAGES        65536 /* pages the balloon can track */

struct vmodel_balloon {
    struct model_report report; /* failures and log lines */
    /* The pages a driver may give the balloon: frames FIRST_PFN ..
     * FIRST_PFN + PAGE_COUNT - 1; HELD says whether the driver holds one. */
    uint64_t first_pfn;
    unsigned page_count;
    bool (*held)(void *ctx, uint64_t pfn);
    void *held_ctx;
    uint8_t in_balloon[VMODEL_BALLOON_MAX_PAGES / 8]; /* bit per page of that area */
    unsigned pages;                                   /* pages the device holds */
    unsigned inflate_requests, deflate_requests, max_request_pages;
    unsigned stats_updates;
    uint64_t memtot;          /* last MEMTOT reported, bytes */
    unsigned stat_tags;       /* bit per tag seen */
    unsigned last_tags;       /* bit per tag of the last statistics buffer */
    uint64_t stat_values[16]; /* last value per tag */
};

/* A balloon over PAGE_COUNT pages from FIRST_PFN (at most
 * VMODEL_BALLOON_MAX_PAGES); false when that is too many. */
bool vmodel_balloon_init(struct vmodel_balloon *b, uint64_t first_pfn, unsigned page_count,
                         bool (*held)(void *ctx, uint64_t pfn), void *held_ctx);
/* The model's request handler (vmodel_set_handler with B as context). */
uint32_t vmodel_balloon_handler(void *ctx, const struct vmodel_req *req);
/* Page PFN goes back to the OS.  False when it is in the balloon and
 * MUST_TELL says the host must hear of it first (the driver's bug; the
 * page stays in the balloon); otherwise the balloon forgets it. */
bool vmodel_balloon_page_freed(struct vmodel_balloon *b, uint64_t pfn, bool must_tell);
