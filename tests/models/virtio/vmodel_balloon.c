/*
 * The virtio-balloon device (see vmodel_balloon.h).
 */
#include <string.h>
#include "vmodel_balloon.h"

#define STAT_SIZE    10 /* le16 tag, le64 value, packed */
#define STAT_MAX_TAG 15 /* VIRTIO_BALLOON_S_DIRECT_RECLAIM, the last in the spec */

/* The bit of frame PFN in the page area; false outside it. */
static bool page_index(const struct vmodel_balloon *b, uint64_t pfn, unsigned *index)
{
    if (pfn < b->first_pfn || pfn - b->first_pfn >= b->page_count)
        return false;
    *index = (unsigned)(pfn - b->first_pfn);
    return true;
}

/* Whether page I of the area is in the balloon. */
static bool in_balloon(const struct vmodel_balloon *b, unsigned i)
{
    return b->in_balloon[i / 8] >> (i % 8) & 1;
}

/* Put page I of the area into the balloon or take it out. */
static void set_in_balloon(struct vmodel_balloon *b, unsigned i, bool in)
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

/* An inflate or deflate request: the frame numbers it lists. */
static void pfns(struct vmodel_balloon *b, const struct vmodel_req *req, bool inflate)
{
    uint8_t buf[4096];
    uint32_t len = gather(req, buf, sizeof(buf));
    if (req->in_len != 0 || len % 4 != 0 || len == 0) {
        model_report(&b->report, true, "%s request of %u readable and %u writable bytes",
                     inflate ? "inflate" : "deflate", req->out_len, req->in_len);
        return;
    }
    unsigned n = len / 4;
    if (n > b->max_request_pages)
        b->max_request_pages = n;
    for (unsigned k = 0; k < n; k++) {
        uint32_t pfn;
        unsigned i;
        memcpy(&pfn, buf + 4 * k, 4);
        if (inflate) {
            if (!page_index(b, pfn, &i) || b->held == NULL || !b->held(b->held_ctx, pfn)) {
                model_report(&b->report, true, "inflated frame 0x%x is not a page the driver holds",
                             pfn);
                break;
            } else if (in_balloon(b, i)) {
                model_report(&b->report, true, "inflated frame 0x%x is already in the balloon",
                             pfn);
                break;
            } else {
                set_in_balloon(b, i, true);
                b->pages++;
            }
        } else {
            if (!page_index(b, pfn, &i) || !in_balloon(b, i)) {
                model_report(&b->report, true, "deflated frame 0x%x is not in the balloon", pfn);
                break;
            } else {
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

/* A statistics buffer: whole tagged entries with known tags. */
static void stats(struct vmodel_balloon *b, const struct vmodel_req *req)
{
    uint8_t buf[4096];
    uint32_t len = gather(req, buf, sizeof(buf));
    if (req->in_len != 0 || len == 0 || len % STAT_SIZE != 0) {
        model_report(&b->report, true, "statistics buffer of %u bytes is not whole entries", len);
        return;
    }
    unsigned tags = 0;
    for (uint32_t off = 0; off < len; off += STAT_SIZE) {
        uint16_t tag;
        uint64_t value;
        memcpy(&tag, buf + off, 2);
        memcpy(&value, buf + off + 2, 8);
        if (tag > STAT_MAX_TAG) {
            model_report(&b->report, true, "unknown statistics tag %u", tag);
            return;
        }
        if (tags & (1u << tag)) {
            model_report(&b->report, true, "statistics tag %u twice in one buffer", tag);
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

/* Serve one request of queue REQ->queue (see vmodel_balloon.h). */
uint32_t vmodel_balloon_handler(void *ctx, const struct vmodel_req *req)
{
    struct vmodel_balloon *b = ctx;
    if (req->queue == VMODEL_BALLOON_Q_INFLATE || req->queue == VMODEL_BALLOON_Q_DEFLATE)
        pfns(b, req, req->queue == VMODEL_BALLOON_Q_INFLATE);
    else if (req->queue == VMODEL_BALLOON_Q_STATS)
        stats(b, req);
    return 0;
}

bool vmodel_balloon_init(struct vmodel_balloon *b, uint64_t first_pfn, unsigned page_count,
                         bool (*held)(void *ctx, uint64_t pfn), void *held_ctx)
{
    if (page_count > VMODEL_BALLOON_MAX_PAGES)
        return false;
    b->first_pfn = first_pfn;
    b->page_count = page_count;
    b->held = held;
    b->held_ctx = held_ctx;
    return true;
}

bool vmodel_balloon_page_freed(struct vmodel_balloon *b, uint64_t pfn, bool must_tell)
{
    unsigned i;
    if (!page_index(b, pfn, &i) || !in_balloon(b, i))
        return true;
    if (must_tell)
        return false;
    set_in_balloon(b, i, false); /* reset or removed device: forgotten */
    b->pages--;
    return true;
}
