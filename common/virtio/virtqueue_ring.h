/*
 * virtqueue_ring.h - ring encoding helpers shared by the core and the
 * inline descriptor writer (virtqueue_req.h).
 */
#ifndef VIRTQUEUE_RING_H
#define VIRTQUEUE_RING_H

#include "virtio_spec.h"
#include "virtio_types.h"

#define PACKED_AVAIL ((uint16_t)1 << VIRTQ_DESC_F_AVAIL)
#define PACKED_USED  ((uint16_t)1 << VIRTQ_DESC_F_USED)

/** packed.used_bits of a broken queue: no masked descriptor flags ever equal it */
#define VIRTQUEUE_USED_BITS_BROKEN ((uint16_t)0xffff)

/** Avail/used flag bits that make a packed descriptor available in wrap w. IRQL: any. */
static inline uint16_t virtqueue_packed_avail_bits(bool wrap)
{
    return wrap ? PACKED_AVAIL : PACKED_USED;
}

#endif /* VIRTQUEUE_RING_H */
