/*
 * virtqueue_plan.h - all of a device's queues in two caller blocks: one
 * DMA block (StorPort's uncached extension, NDIS shared memory) and one
 * private block, sized exactly before the device starts.
 *
 * Usage protocol
 * ==============
 *
 *   uint16_t num[N] = {...};                   queue sizes (virtio_queue_plan
 *                                              reads them from the device)
 *   virtqueue_plan_init(&plan, format, used_align, N, num, indirect_max);
 *       - plan.dma_size / plan.dma_align: the DMA block (rings, and the
 *         indirect pools when indirect_max != 0; with 0 the requests bring
 *         their own tables, see virtqueue_req.h);
 *       - plan.mem_size: the private block (per-request state), pointer
 *         aligned.
 *   (the OS allocates both; the DMA block's VA and bus address aligned to
 *   plan.dma_align, which a page-aligned block always is)
 *   virtqueue_plan_queue(&plan, q, &region);    where queue q lives
 *   virtqueue_init_planned(&vq[q], &plan, q, &params, dma_va, dma_pa, mem);
 *       - or virtio_queue_setup_planned() (virtio_pci.h), which also tells
 *         the device.
 *
 * Placement, per queue in order: the ring at its alignment, then its
 * indirect pool (16). Inside the ring, split: descriptors (16), avail (2)
 * right after, used at used_align (4, or 4096 for legacy devices, whose
 * ring also starts on a 4096 boundary); packed: descriptors (16), driver
 * event (4), device event (4). No byte is reserved that is not carved.
 */
#ifndef VIRTQUEUE_PLAN_H
#define VIRTQUEUE_PLAN_H

#include "virtqueue.h"

/** The memory of a set of queues */
struct virtqueue_plan {
    enum virtqueue_format format;
    size_t used_align;     /**< Split: 4 (VERSION_1) or 4096 (legacy) */
    uint16_t indirect_max; /**< Segments per pool table, 0 = no pool */
    unsigned nqueues;
    const uint16_t *num; /**< Queue sizes; the caller's array, kept by pointer */
    size_t dma_size;     /**< Exact bytes of the DMA block */
    size_t dma_align;    /**< Alignment the DMA block needs */
    size_t mem_size;     /**< Exact bytes of the private block */
};

/** Where one queue lives in the two blocks */
struct virtqueue_region {
    size_t ring_off;                /**< In the DMA block */
    size_t indirect_off;            /**< In the DMA block (size layout.indirect_size) */
    size_t state_off;               /**< In the private block (size layout.state_size) */
    struct virtqueue_layout layout; /**< Offsets inside the ring, exact sizes */
};

/**
 * Plan the memory of nqueues queues.
 *
 * @ret rc  0, or VIRTIO_EINVAL (a size unusable for the format, nqueues 0)
 */
int virtqueue_plan_init(struct virtqueue_plan *plan, enum virtqueue_format format,
                        size_t used_align, unsigned nqueues, const uint16_t *num,
                        uint16_t indirect_max);

/** Where queue q lives; 0 or VIRTIO_EINVAL (q out of range) */
int virtqueue_plan_queue(const struct virtqueue_plan *plan, unsigned q,
                         struct virtqueue_region *region);

/**
 * Initialise queue q of the plan over the caller's blocks. From params only
 * index, indirect_min, seg_max, options, notify, priv and os are used; the
 * geometry and memory come from the plan.
 *
 * @ret rc  0, or VIRTIO_EINVAL (q out of range, block misaligned or NULL)
 */
int virtqueue_init_planned(struct virtqueue *vq, const struct virtqueue_plan *plan, unsigned q,
                           const struct virtqueue_params *params, void *dma_va, uint64_t dma_pa,
                           void *mem);

#endif /* VIRTQUEUE_PLAN_H */
