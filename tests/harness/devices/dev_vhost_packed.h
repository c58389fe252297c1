/*
 * Following a packed ring from outside (virtio 1.2 2.8): the vhost front
 * end shares the ring with the driver and the back end and counts what each
 * wrote, cheaply, by two cursors instead of reading every descriptor at each
 * poll.  The driver's cursor walks the chains made available in ring order
 * (AVAIL flag equal to the driver's wrap counter), noting each buffer ID's
 * chain length and where the chain ends; the device's cursor walks the used
 * descriptors (AVAIL and USED both equal to the device's wrap counter),
 * which a device writes in ring order, one per buffer, then skips as many
 * descriptors as that buffer had (or, with IN_ORDER, the whole batch up to
 * the buffer it names).  Shared memory: every flag is read once, acquiring.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct vw_vhost_packed {
    unsigned num;
    bool in_order;
    unsigned avail_pos, used_pos; /* next head the driver / device writes */
    bool avail_wrap, used_wrap;   /* their wrap counters (1 at the start) */
    uint64_t made_available;      /* chains the driver made available */
    uint64_t used;                /* buffers the device used */
    uint16_t *len;                /* per buffer ID < num: descriptors of its chain */
    uint32_t *end;                /* per buffer ID: position after it, bit 31 its wrap */
    uint64_t *seq;                /* per buffer ID: made_available before it */
    /* Per buffer ID: its head descriptor's address and flags as the driver
     * wrote them, read while still available (head_addr VW_VHOST_NO_ADDR
     * when the device had used it first: the field is no longer the
     * driver's). */
    uint64_t *head_addr;
    uint16_t *head_flags;
    /* The buffer IDs in the order the driver made them available, and in
     * the order the device used them (IN_ORDER batches expanded), each a
     * ring of NUM indexed by made_available / used modulo NUM: a reader
     * that keeps within NUM of the cursor sees each used buffer once. */
    uint16_t *avail_id;
    uint16_t *used_id;
};

#define VW_VHOST_NO_ADDR UINT64_MAX

/* Start following a ring of NUM descriptors (false: out of memory). */
bool vw_vhost_packed_init(struct vw_vhost_packed *p, unsigned num, bool in_order);
void vw_vhost_packed_free(struct vw_vhost_packed *p);
/* Catch up with what the driver and the device wrote to descriptor ring
 * DESC since the last call. */
void vw_vhost_packed_follow(struct vw_vhost_packed *p, const void *desc);
