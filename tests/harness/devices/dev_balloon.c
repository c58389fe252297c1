/*
 * The virtio-balloon device model (see dev_balloon.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "dev_balloon.h"
#include "kernel.h"

#define VIRTIO_ID_BALLOON 5
#define Q_INFLATE         0
#define Q_DEFLATE         1
#define Q_STATS           2
#define CFG_NUM_PAGES     0
#define CFG_ACTUAL        4
#define STAT_SIZE         10 /* le16 tag, le64 value, packed */
#define STAT_MAX_TAG      15 /* VIRTIO_BALLOON_S_DIRECT_RECLAIM, the last in the spec */
#define STATUS_DRIVER_OK  0x04

static bool page_index(uint64_t pfn, unsigned *index)
{
    uint64_t pa = pfn << 12;
    if (pa < VW_MM_PAGES_BASE || pa >= VW_RAM_SIZE)
        return false;
    *index = (unsigned)((pa - VW_MM_PAGES_BASE) >> 12);
    return true;
}

static bool in_balloon(struct vw_balloon *b, unsigned i)
{
    return b->in_balloon[i / 8] >> (i % 8) & 1;
}

static void set_in_balloon(struct vw_balloon *b, unsigned i, bool in)
{
    if (in)
        b->in_balloon[i / 8] |= (uint8_t)(1u << (i % 8));
    else
        b->in_balloon[i / 8] &= (uint8_t)~(1u << (i % 8));
}

/* Device-readable bytes of a request, gathered (at most 4 KiB). */
static uint32_t gather(const struct vmodel_req *req, uint8_t *buf, uint32_t cap)
{
    uint32_t n = 0;
    for (unsigned i = 0; i < req->nsegs; i++) {
        const struct vmodel_seg *s = &req->segs[i];
        if (s->write)
            continue;
        uint32_t take = s->len < cap - n ? s->len : cap - n;
        memcpy(buf + n, s->va, take);
        n += take;
    }
    return n;
}

static void pfns(struct vw_balloon *b, const struct vmodel_req *req, bool inflate)
{
    struct vm *vm = b->vm;
    uint8_t buf[4096];
    uint32_t len = gather(req, buf, sizeof(buf));
    if (req->in_len != 0 || len % 4 != 0 || len == 0) {
        vw_fail(vm, "balloon: %s request of %u readable and %u writable bytes",
                inflate ? "inflate" : "deflate", req->out_len, req->in_len);
        return;
    }
    unsigned n = len / 4;
    if (n > b->max_request_pages)
        b->max_request_pages = n;
    for (unsigned k = 0; k < n && !vm->failed; k++) {
        uint32_t pfn;
        unsigned i;
        memcpy(&pfn, buf + 4 * k, 4);
        if (inflate) {
            if (!page_index(pfn, &i) || !vw_mm_page_held(vm, pfn))
                vw_fail(vm, "balloon: inflated frame 0x%x is not a page the driver holds", pfn);
            else if (in_balloon(b, i))
                vw_fail(vm, "balloon: inflated frame 0x%x is already in the balloon", pfn);
            else {
                set_in_balloon(b, i, true);
                b->pages++;
            }
        } else {
            if (!page_index(pfn, &i) || !in_balloon(b, i))
                vw_fail(vm, "balloon: deflated frame 0x%x is not in the balloon", pfn);
            else {
                set_in_balloon(b, i, false);
                b->pages--;
            }
        }
    }
    if (inflate)
        b->inflate_requests++;
    else
        b->deflate_requests++;
}

static void stats(struct vw_balloon *b, const struct vmodel_req *req)
{
    struct vm *vm = b->vm;
    uint8_t buf[4096];
    uint32_t len = gather(req, buf, sizeof(buf));
    if (req->in_len != 0 || len == 0 || len % STAT_SIZE != 0) {
        vw_fail(vm, "balloon: statistics buffer of %u bytes is not whole entries", len);
        return;
    }
    unsigned tags = 0;
    for (uint32_t off = 0; off < len; off += STAT_SIZE) {
        uint16_t tag;
        uint64_t value;
        memcpy(&tag, buf + off, 2);
        memcpy(&value, buf + off + 2, 8);
        if (tag > STAT_MAX_TAG) {
            vw_fail(vm, "balloon: unknown statistics tag %u", tag);
            return;
        }
        if (tags & (1u << tag)) {
            vw_fail(vm, "balloon: statistics tag %u twice in one buffer", tag);
            return;
        }
        tags |= 1u << tag;
        b->stat_values[tag] = value;
        if (tag == 5)
            b->memtot = value;
    }
    b->stat_tags |= tags;
    b->last_tags = tags;
    b->stats_updates++;
}

static uint32_t handler(void *ctx, const struct vmodel_req *req)
{
    struct vw_balloon *b = ctx;
    if (req->queue == Q_INFLATE || req->queue == Q_DEFLATE)
        pfns(b, req, req->queue == Q_INFLATE);
    else if (req->queue == Q_STATS)
        stats(b, req);
    return 0;
}

/* A page goes back to Windows: with MUST_TELL_HOST and a live device the
 * host must have had it from the deflate queue first. */
static void on_free(struct vm *vm, void *ctx, uint64_t pfn)
{
    struct vw_balloon *b = ctx;
    unsigned i;
    bool tell = vmodel_driver_features(b->dev->model) & VW_BALLOON_F_MUST_TELL_HOST;
    bool live = !b->dev->gone && (vmodel_status(b->dev->model) & STATUS_DRIVER_OK);
    if (page_index(pfn, &i) && in_balloon(b, i)) {
        if (tell && live) {
            vw_fail(vm,
                    "balloon: page 0x%" PRIx64 " given back to Windows before the host was "
                    "told (MUST_TELL_HOST)",
                    pfn);
            return;
        }
        set_in_balloon(b, i, false); /* reset or removed device: forgotten */
        b->pages--;
    }
}

struct vw_balloon *vw_balloon_create(struct vm *vm, enum vmodel_transport transport, bool msix,
                                     uint64_t features)
{
    struct vw_virtio_config cfg = {
        .transport = transport,
        .device_type = VIRTIO_ID_BALLOON,
        .features = (transport == VMODEL_LEGACY ? 0 : 1ull << 32) | 1ull << 29 | features,
        .queues = 3,
        .queue_max = 64,
        .msix = msix,
        .seed = 0xba11,
        .device_cfg_len = 8,
    };
    struct vw_balloon *b = calloc(1, sizeof(*b));
    if (b == NULL)
        return NULL;
    vw_kernel_keep(vm, b);
    b->vm = vm;
    b->dev = vw_virtio_create(vm, &cfg);
    if (b->dev == NULL)
        return NULL;
    vmodel_set_handler(b->dev->model, handler, b);
    vmodel_hold_queue(b->dev->model, Q_STATS, true);
    struct vw_mm_pages *mp = vw_mm_pages(vm);
    if (mp == NULL)
        return NULL;
    mp->on_free = on_free;
    mp->on_free_ctx = b;
    return b;
}

void vw_balloon_set_target(struct vw_balloon *b, uint32_t pages)
{
    vmodel_set_device_cfg(b->dev->model, CFG_NUM_PAGES, &pages, 4);
    vmodel_config_changed(b->dev->model);
}

uint32_t vw_balloon_actual(struct vw_balloon *b)
{
    uint32_t actual;
    vmodel_get_device_cfg(b->dev->model, CFG_ACTUAL, &actual, 4);
    return actual;
}

void vw_balloon_stats_request(struct vw_balloon *b)
{
    /* Release the buffer the device kept; hold the next one again once it
     * has been completed (the model completes at its next step). */
    vmodel_hold_queue(b->dev->model, Q_STATS, false);
    vmodel_set_time(b->dev->model, UINT64_MAX); /* whatever its delay: the host asks now */
    vmodel_run(b->dev->model);
    vmodel_set_time(b->dev->model, b->vm->k->interrupt_time);
    vmodel_hold_queue(b->dev->model, Q_STATS, true);
}
