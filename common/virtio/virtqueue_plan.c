/*
 * virtqueue_plan.c - exact memory plan for a set of queues and carving of
 * their rings, indirect pools and private state from two caller blocks
 * (see virtqueue_plan.h).
 */
#include "virtqueue_plan.h"
#include "virtqueue_priv.h"

/** Alignment of the private state (it holds pointers) */
#define PLAN_STATE_ALIGN sizeof(void *)

/**
 * The ring of one queue, tight (spec 2.7 and 2.8 alignments, nothing
 * rounded up beyond them). Returns 0 or VIRTIO_EINVAL.
 * IRQL: any.
 */
static int plan_ring(enum virtqueue_format format, uint16_t num, uint16_t indirect_max,
                     size_t used_align, struct virtqueue_layout *l)
{
    int rc;

    /* The same validation as for a queue of its own */
    if ((rc = virtqueue_layout(format, num, indirect_max, used_align, l)) != 0)
        return rc;
    if (format == VIRTQUEUE_SPLIT) {
        /* desc 16 * num (align 16), avail 6 + 2 * num (align 2), used 6 + 8 * num */
        l->driver_off = (size_t)16 * num;
        l->device_off = VIRTIO_ALIGN_UP(l->driver_off + 6 + (size_t)2 * num, used_align);
        l->ring_size = l->device_off + 6 + (size_t)8 * num;
        /* Legacy: the ring is given to the device as a 4096-byte page number */
        l->ring_align = used_align > 16 ? used_align : 16;
    } else {
        /* desc 16 * num (align 16), driver event 4 (align 4), device event 4 (align 4) */
        l->driver_off = (size_t)16 * num;
        l->device_off = l->driver_off + sizeof(struct pvirtq_event_suppress);
        l->ring_size = l->device_off + sizeof(struct pvirtq_event_suppress);
        l->ring_align = 16;
    }
    return 0;
}

/**
 * Walk the queues up to and including q (or all when q == nqueues),
 * placing each; the single source of every offset and of the totals.
 * IRQL: any.
 */
static int plan_walk(const struct virtqueue_plan *plan, unsigned q, struct virtqueue_region *r,
                     size_t *dma_end, size_t *mem_end, size_t *align)
{
    size_t dma = 0, mem = 0, a = 16;
    unsigned i;
    int rc;

    for (i = 0; i < plan->nqueues; i++) {
        struct virtqueue_region cur;

        if ((rc = plan_ring(plan->format, plan->num[i], plan->indirect_max, plan->used_align,
                            &cur.layout)) != 0)
            return rc;
        if (cur.layout.ring_align > a)
            a = cur.layout.ring_align;
        cur.ring_off = VIRTIO_ALIGN_UP(dma, cur.layout.ring_align);
        dma = cur.ring_off + cur.layout.ring_size;
        cur.indirect_off = VIRTIO_ALIGN_UP(dma, 16);
        if (cur.layout.indirect_size != 0)
            dma = cur.indirect_off + cur.layout.indirect_size;
        else
            cur.indirect_off = dma;
        cur.state_off = VIRTIO_ALIGN_UP(mem, PLAN_STATE_ALIGN);
        mem = cur.state_off + cur.layout.state_size;
        if (i == q && r != NULL) {
            *r = cur;
            return 0;
        }
    }
    if (dma_end != NULL)
        *dma_end = dma;
    if (mem_end != NULL)
        *mem_end = mem;
    if (align != NULL)
        *align = a;
    return q == plan->nqueues ? 0 : VIRTIO_EINVAL;
}

/* Lay out the rings of nqueues queues in one DMA block and one state block, with their totals.
 * IRQL: any. */
int virtqueue_plan_init(struct virtqueue_plan *plan, enum virtqueue_format format,
                        size_t used_align, unsigned nqueues, const uint16_t *num,
                        uint16_t indirect_max)
{
    int rc;

    memset(plan, 0, sizeof(*plan));
    if (nqueues == 0 || num == NULL)
        return VIRTIO_EINVAL;
    plan->format = format;
    plan->used_align = used_align;
    plan->indirect_max = indirect_max;
    plan->nqueues = nqueues;
    plan->num = num;
    if ((rc = plan_walk(plan, nqueues, NULL, &plan->dma_size, &plan->mem_size, &plan->dma_align)) !=
        0) {
        memset(plan, 0, sizeof(*plan));
        return rc;
    }
    return 0;
}

/* Where queue q's ring areas sit inside the plan's blocks. IRQL: any. */
int virtqueue_plan_queue(const struct virtqueue_plan *plan, unsigned q,
                         struct virtqueue_region *region)
{
    if (q >= plan->nqueues)
        return VIRTIO_EINVAL;
    return plan_walk(plan, q, region, NULL, NULL, NULL);
}

/* Initialise queue q over its slice of the caller's planned blocks. IRQL: any. */
int virtqueue_init_planned(struct virtqueue *vq, const struct virtqueue_plan *plan, unsigned q,
                           const struct virtqueue_params *params, void *dma_va, uint64_t dma_pa,
                           void *mem)
{
    struct virtqueue_region r;
    struct virtqueue_params p = *params;
    int rc;

    if (dma_va == NULL || mem == NULL || ((uintptr_t)dma_va & (plan->dma_align - 1)) != 0 ||
        (dma_pa & (plan->dma_align - 1)) != 0 || ((uintptr_t)mem & (PLAN_STATE_ALIGN - 1)) != 0)
        return VIRTIO_EINVAL;
    if ((rc = virtqueue_plan_queue(plan, q, &r)) != 0)
        return rc;
    p.format = plan->format;
    p.num = plan->num[q];
    p.indirect_max = plan->indirect_max;
    p.used_align = plan->used_align;
    p.ring_va = (uint8_t *)dma_va + r.ring_off;
    p.ring_pa = dma_pa + r.ring_off;
    p.indirect_va = plan->indirect_max ? (uint8_t *)dma_va + r.indirect_off : NULL;
    p.indirect_pa = plan->indirect_max ? dma_pa + r.indirect_off : 0;
    p.state = (uint8_t *)mem + r.state_off;
    return virtqueue_init_layout(vq, &p, &r.layout);
}
