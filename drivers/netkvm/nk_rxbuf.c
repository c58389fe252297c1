/* nk_rxbuf.c - the receive-buffer plan (see nk_rxbuf.h).  Facts: virtio
 * 1.2 5.1.6.3.1 (buffer sizes with and without MRG_RXBUF; num_buffers) and
 * 2.7.7 (indirect descriptors take one ring slot).  No allocation here:
 * the driver allocates what the plan says. */
#include "nk_rxbuf.h"

#include <string.h>

#define NK_RX_MIN_BUF   256u   /* smallest mergeable buffer we post */
#define NK_RX_MAX_RING  32768u /* virtio 1.2: queue size at most 32768 */
#define NK_RX_MAX_MTU   65535u
#define NK_RX_BIG_BYTES 65562u /* spec: big-packet buffers, header included */

/* IRQL: any. True when n is a power of two (n > 0). */
static bool is_pow2(uint32_t n)
{
    return n && !(n & (n - 1));
}

/* IRQL: any. a / b rounded up */
static uint64_t div_up(uint64_t a, uint64_t b)
{
    return (a + b - 1) / b;
}

/* IRQL: any. Memory one buffer costs: its share of a page, or its whole pages. */
static uint64_t buf_cost(const struct nk_rxbuf_plan *p, uint32_t page)
{
    return p->bufs_per_page ? page / p->bufs_per_page : (uint64_t)p->pages_per_buf * page;
}

/* IRQL: any. Computes the receive-buffer plan for one queue. */
int nk_rxbuf_plan(const struct nk_rxbuf_in *in, struct nk_rxbuf_plan *plan)
{
    struct nk_rxbuf_plan p;
    memset(plan, 0, sizeof(*plan));
    memset(&p, 0, sizeof(p));
    uint32_t hdr = in->vnet_hdr_bytes, page = in->page_size;
    if (!in->mtu || in->mtu > NK_RX_MAX_MTU || !is_pow2(page) || page < 1024 ||
        (hdr != 10 && hdr != 12 && hdr != 20))
        return NK_RXBUF_BAD_INPUT;
    if (!in->ring_size || in->ring_size > NK_RX_MAX_RING)
        return NK_RXBUF_BAD_RING;
    p.hdr_bytes = hdr;
    p.mergeable = in->mrg_rxbuf;
    uint32_t small = hdr + NK_RX_L2_OVERHEAD + in->mtu; /* one MTU frame and its header */
    if (in->mrg_rxbuf) {
        /* Sized to the MTU, packed several to a page; bigger frames merge. */
        uint32_t b = page;
        while (b / 2 >= small && b / 2 >= NK_RX_MIN_BUF)
            b /= 2;
        p.buf_bytes = b;
        p.bufs_per_page = page / b;
        p.descs_per_buf = 1;
        p.max_frame = in->big_packets ? NK_RX_BIG_BYTES - hdr : NK_RX_L2_OVERHEAD + in->mtu;
        p.max_merge = (uint32_t)div_up((uint64_t)p.max_frame + hdr, b);
    } else {
        /* Each buffer takes the largest frame whole: 65562 bytes with GUEST_TSO/UFO. */
        p.buf_bytes = in->big_packets && small < NK_RX_BIG_BYTES ? NK_RX_BIG_BYTES : small;
        p.max_frame = p.buf_bytes - hdr;
        p.max_merge = 1;
        if (p.buf_bytes <= page / 2) {
            uint32_t b = page;
            while (b / 2 >= p.buf_bytes)
                b /= 2;
            p.buf_bytes = b;
            p.bufs_per_page = page / b;
            p.descs_per_buf = 1;
        } else {
            p.pages_per_buf = (uint32_t)div_up(p.buf_bytes, page);
            p.descs_per_buf = p.pages_per_buf; /* one descriptor per page */
        }
    }
    p.ring_slots = in->indirect ? 1 : p.descs_per_buf;
    uint64_t count =
        in->capacity < in->ring_size / p.ring_slots ? in->capacity : in->ring_size / p.ring_slots;
    if (!count)
        return in->capacity ? NK_RXBUF_BAD_RING : NK_RXBUF_BAD_INPUT;
    if (in->max_bytes) {
        uint64_t fit = in->max_bytes / buf_cost(&p, page);
        if (p.bufs_per_page)
            fit -= fit % p.bufs_per_page; /* whole pages */
        if (fit < count) {
            count = fit;
            p.bounded = true;
        }
        if (count < p.max_merge)
            return NK_RXBUF_NO_MEMORY; /* not even one largest frame fits */
    }
    p.count = (uint32_t)count;
    uint32_t pct = in->min_percent > 100 ? 100 : in->min_percent;
    p.min_count = (uint32_t)div_up((uint64_t)p.count * pct, 100);
    if (p.min_count < p.max_merge)
        p.min_count = p.max_merge;
    if (p.min_count > p.count)
        p.min_count = p.count;
    p.pages =
        p.bufs_per_page ? (uint32_t)div_up(p.count, p.bufs_per_page) : p.count * p.pages_per_buf;
    p.bytes = (uint64_t)p.pages * page;
    *plan = p;
    return NK_RXBUF_OK;
}

/* IRQL: any. Where buffer i starts: page index and byte offset. */
void nk_rxbuf_locate(const struct nk_rxbuf_plan *plan, uint32_t i, uint32_t *page, uint32_t *off)
{
    if (i >= plan->count) {
        *page = *off = 0;
        return;
    }
    if (plan->bufs_per_page) {
        *page = i / plan->bufs_per_page;
        *off = i % plan->bufs_per_page * plan->buf_bytes;
    } else {
        *page = i * plan->pages_per_buf;
        *off = 0;
    }
}

/* IRQL: any. Checks the device's used length and num_buffers for one received frame. */
int nk_rxbuf_check_used(const struct nk_rxbuf_plan *plan, uint32_t used_len, uint32_t num_buffers,
                        uint32_t outstanding)
{
    if (used_len < plan->hdr_bytes)
        return NK_RXUSED_SHORT;
#ifndef NK_PLANTED_RXUSED_LONG /* planted: a used length past the buffer believed */
    if (used_len > plan->buf_bytes)
        return NK_RXUSED_TOO_LONG;
#endif
    if (!num_buffers || num_buffers > outstanding ||
        num_buffers > (plan->mergeable ? plan->max_merge : 1u))
        return NK_RXUSED_BAD_MERGE;
    return NK_RXUSED_OK;
}

/* IRQL: any. The buffers a frame refused at its first buffer takes with it (nk_rxbuf.h). */
uint32_t nk_rxbuf_drop_count(const struct nk_rxbuf_plan *plan, uint32_t used_len,
                             uint32_t num_buffers, uint32_t outstanding)
{
#ifdef NK_PLANTED_RXPAST_ONE /* planted: the frame's later buffers left to pass as frames */
    (void)plan, (void)used_len, (void)num_buffers, (void)outstanding;
    return 1;
#else
    if (!plan->mergeable || used_len < plan->hdr_bytes || num_buffers == 0 ||
        num_buffers > plan->max_merge || num_buffers > outstanding)
        return 1;
    return num_buffers;
#endif
}

/* IRQL: any. Checks the device's used length of a merged frame's later buffer. */
int nk_rxbuf_check_more(const struct nk_rxbuf_plan *plan, uint32_t used_len)
{
    if (used_len > plan->buf_bytes)
        return NK_RXUSED_TOO_LONG;
#ifndef NK_PLANTED_RXMORE_ZERO /* planted: an empty merged buffer taken into the frame */
    if (used_len == 0)
        return NK_RXUSED_BAD_MERGE;
#endif
    return NK_RXUSED_OK;
}
