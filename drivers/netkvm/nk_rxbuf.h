/*
 * nk_rxbuf.h - NetKVM's receive-buffer plan, OS-neutral (no Windows header;
 * built as is by the host tests): how big each RX buffer is, how many a
 * queue posts, how they share pages, and the memory that costs, with a
 * bound.  With MRG_RXBUF (on by default) buffers are sized to the MTU and
 * packed several to a page; a large frame (GUEST_TSO/RSC) spans several
 * buffers (num_buffers).  Without MRG_RXBUF every buffer must hold the
 * largest frame the device may send: 65562 bytes once GUEST_TSO4/6 or
 * GUEST_UFO is negotiated (virtio 1.2 5.1.6.3.1), which is what costs
 * hundreds of MB on many queues.
 *
 * Usage (PASSIVE, at init and when MTU/features change):
 *     struct nk_rxbuf_in in = { .mtu = 1500, .mrg_rxbuf = true, .big_packets = true,
 *                               .ring_size = 256, .capacity = p.value[NK_P_RX_CAPACITY],
 *                               .min_percent = p.value[NK_P_MIN_RX_BUFFER_PCT],
 *                               .page_size = 4096, .vnet_hdr_bytes = 12,
 *                               .max_bytes = 8u << 20 };
 *     struct nk_rxbuf_plan plan;
 *     int rc = nk_rxbuf_plan(&in, &plan);          // NK_RXBUF_* status
 *     allocate plan.pages pages of shared memory per queue; buffer i lives at
 *     nk_rxbuf_locate(&plan, i, &page, &off); post plan.count buffers of
 *     plan.buf_bytes (plan.descs_per_buf descriptors each).
 *   RX completion (≤ DISPATCH): the device's used length and num_buffers are
 *   untrusted:
 *     rc = nk_rxbuf_check_used(&plan, used_len, num_buffers, outstanding);
 *   and a shortage (fewer than plan.min_count posted) is counted and logged
 *   by the driver, never silent.
 */
#ifndef NK_RXBUF_H
#define NK_RXBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NK_RX_MAX_FRAME_BIG 65562u /* 65535 + 14 (Ethernet) + 4 (VLAN) + 9, spec 5.1.6.3.1 */
#define NK_RX_L2_OVERHEAD   18u    /* Ethernet header and one 802.1Q tag */

struct nk_rxbuf_in {
    uint32_t mtu;            /* L3 MTU (*JumboPacket - 14), capped by the device MTU */
    bool mrg_rxbuf;          /* VIRTIO_NET_F_MRG_RXBUF negotiated */
    bool big_packets;        /* GUEST_TSO4/6, GUEST_UFO or GUEST_USO negotiated */
    uint16_t ring_size;      /* receive virtqueue size (descriptors) */
    bool indirect;           /* INDIRECT_DESC: a multi-descriptor buffer takes one slot */
    uint32_t capacity;       /* RxCapacity: buffers wanted */
    uint32_t min_percent;    /* MinRxBufferPercent: 0..100 of count that must be posted */
    uint32_t page_size;      /* 4096 (power of two) */
    uint32_t vnet_hdr_bytes; /* 10, 12 or 20 */
    uint64_t max_bytes;      /* memory bound per queue (0: none) */
};

struct nk_rxbuf_plan {
    uint32_t buf_bytes;     /* one buffer, header included */
    uint32_t max_frame;     /* largest frame (header excluded) the plan receives */
    uint32_t descs_per_buf; /* descriptors per buffer (1 unless a big non-merged buffer) */
    uint32_t bufs_per_page; /* > 1: buffers share a page; 0: a buffer spans pages */
    uint32_t pages_per_buf; /* when bufs_per_page is 0 */
    uint32_t count;         /* buffers posted per queue */
    uint32_t min_count;     /* below this the queue reports a shortage */
    uint32_t max_merge;     /* num_buffers accepted at most */
    uint32_t pages;         /* pages allocated per queue */
    uint64_t bytes;         /* pages * page_size */
    bool mergeable;         /* MRG_RXBUF: frames may span max_merge buffers */
    uint32_t hdr_bytes;     /* virtio header at the start of a frame's first buffer */
    uint32_t ring_slots;    /* ring descriptors one posted buffer takes */
    bool bounded;           /* count was reduced to honour max_bytes */
};

enum nk_rxbuf_status {
    NK_RXBUF_OK = 0,
    NK_RXBUF_BAD_INPUT, /* MTU 0 or > 65535, page size not a power of two, header size */
    NK_RXBUF_BAD_RING,  /* ring size 0 or above 32768, or too small for one buffer */
    NK_RXBUF_NO_MEMORY, /* max_bytes cannot hold even one frame's worth of buffers */
};

/* Computes the plan; returns enum nk_rxbuf_status (plan zeroed on error). */
int nk_rxbuf_plan(const struct nk_rxbuf_in *in, struct nk_rxbuf_plan *plan);

/* Where buffer i (< plan->count) starts: page index and byte offset. */
void nk_rxbuf_locate(const struct nk_rxbuf_plan *plan, uint32_t i, uint32_t *page, uint32_t *off);

enum nk_rxbuf_used {
    NK_RXUSED_OK = 0,
    NK_RXUSED_SHORT,     /* used length below the virtio header */
    NK_RXUSED_TOO_LONG,  /* used length beyond the buffer */
    NK_RXUSED_BAD_MERGE, /* num_buffers 0, > max_merge, > outstanding, or > 1 without MRG_RXBUF;
                            a merged buffer used for 0 bytes */
};
/* Checks the device's used length of the first buffer and num_buffers
 * (mergeable; 1 otherwise) against the plan and the buffers outstanding. */
int nk_rxbuf_check_used(const struct nk_rxbuf_plan *plan, uint32_t used_len, uint32_t num_buffers,
                        uint32_t outstanding);
/* How many buffers a frame refused at its first buffer takes with it: its
 * num_buffers when the header is there (used_len covers it, MRG_RXBUF) and
 * the count is one the device could have used (1..max_merge, at most
 * outstanding): a first buffer filled past its end still names the
 * buffers the frame went on into, which are dropped with it, never taken
 * for frames of their own; else 1 (nothing tells how many). */
uint32_t nk_rxbuf_drop_count(const struct nk_rxbuf_plan *plan, uint32_t used_len,
                             uint32_t num_buffers, uint32_t outstanding);
/* Checks the used length of a merged frame's second or later buffer: past
 * the buffer is NK_RXUSED_TOO_LONG; 0 is NK_RXUSED_BAD_MERGE (the device
 * named a buffer it put nothing in: the frame needed fewer than num_buffers). */
int nk_rxbuf_check_more(const struct nk_rxbuf_plan *plan, uint32_t used_len);

#endif /* NK_RXBUF_H */
