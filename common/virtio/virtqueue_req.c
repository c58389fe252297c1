/*
 * virtqueue_req.c - the out-of-line part of the descriptor writer
 * (virtqueue_req.h): undoing an aborted request.
 *
 * Nothing the device can see changes before close: split descriptors are
 * written into free entries and exposed by the avail entry at close (and
 * avail->idx at kick_prepare); packed descriptors after the head are
 * written in place but exposed only by the head's flags, stored last at
 * close. An abort undoes the packed non-head flags.
 */
#include "virtqueue_req.h"
#include "virtqueue_priv.h"

/**
 * Undo a dropped request. Split wrote only free descriptors (or a table),
 * and, once every segment was written, the tail's shadow link. Packed wrote the flags of non-head
 * descriptors; each is put back to "used in the previous lap" (AVAIL == USED == !wrap of its lap),
 * so the device never takes a stale one for available.
 */
void virtqueue_req_undo(struct virtqueue *vq, unsigned mode, unsigned written, uint16_t cur)
{
    uint16_t pos;
    bool wrap;

    if (mode == VIRTQUEUE_REQ_SPLIT_DIRECT) {
        /* The whole chain was written: its tail links back to the head;
         * walk to it (rare path) and restore the free-list link */
        uint16_t id = vq->free_head;

        for (; written > 1; written--)
            id = vq->state[id].next;
        vq->state[id].next = cur;
        return;
    }
    if (mode != VIRTQUEUE_REQ_PACKED_DIRECT)
        return;
    pos = vq->u.packed.next_avail;
    wrap = vq->u.packed.avail_wrap;
    for (; written > 1; written--) {
        if (++pos == vq->num) {
            pos = 0;
            wrap = !wrap;
        }
        virtio_write_le16(&vq->u.packed.desc[pos].flags, wrap ? 0 : (PACKED_AVAIL | PACKED_USED));
    }
}
