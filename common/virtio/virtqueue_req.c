/*
 * virtqueue_req.c - the out-of-line part of the descriptor writer
 * (virtqueue_req.h): undoing an aborted request.
 *
 * Nothing the device may read changes before close: split descriptors
 * (and, for a table, the head pointing at it, written at open) are free
 * entries exposed by the avail entry at close (and avail->idx at
 * kick_prepare); packed descriptors (a table's: all but its flags, at open)
 * are written in place but exposed only by the head's flags, stored last
 * at close. An abort gives back the counts open took and undoes the packed
 * non-head flags.
 */
#include "virtqueue_req.h"
#include "virtqueue_priv.h"

/**
 * Undo a dropped request. Open took st[head].ndesc descriptors (the chain,
 * or the one pointing at a table) and, packed, counted them as added: both
 * are given back. Split wrote only free descriptors (or a table), and, once
 * every segment was written, the tail's shadow link. Packed wrote the flags
 * of non-head descriptors; each is put back to "used in the previous lap"
 * (AVAIL == USED == !wrap of its lap), so the device never takes a stale one
 * for available.
 * IRQL: any.
 */
void virtqueue_req_undo(struct virtqueue *vq, unsigned mode, uint16_t head, unsigned left,
                        uint16_t cur)
{
    unsigned ndesc = vq->state[head].ndesc, written;
    uint16_t pos;
    bool wrap;

    vq->num_free = (uint16_t)(vq->num_free + ndesc);
    if (mode == VIRTQUEUE_REQ_PACKED_DIRECT || mode == VIRTQUEUE_REQ_PACKED_INDIRECT)
        vq->added -= ndesc;
    if (mode == VIRTQUEUE_REQ_SPLIT_DIRECT && left == 0) {
        /* The whole chain was written: its tail links back to the head;
         * walk to it (rare path) and restore the free-list link */
        uint16_t id = head;

        for (written = ndesc; written > 1; written--)
            id = vq->state[id].next;
        vq->state[id].next = cur;
        return;
    }
    if (mode != VIRTQUEUE_REQ_PACKED_DIRECT)
        return;
    pos = vq->u.packed.next_avail;
    wrap = vq->u.packed.avail_wrap;
    for (written = ndesc - left; written > 1; written--) {
        if (++pos == vq->num) {
            pos = 0;
            wrap = !wrap;
        }
        virtio_write_le16(&vq->u.packed.desc[pos].flags, wrap ? 0 : (PACKED_AVAIL | PACKED_USED));
    }
}
