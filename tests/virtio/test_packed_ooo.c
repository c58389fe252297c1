/*
 * test_packed_ooo.c - a packed ring used out of order, step by step: the
 * device completes the second of three two-descriptor chains first, so
 * its used descriptor lands in the first chain's slot (virtio 1.2 2.8,
 * Packed Virtqueues: used descriptors are written in completion order at
 * the next used position, each naming a buffer ID).  The core must map
 * it by ID and give back that chain's slots; the model's record of what
 * the device still owns (the harness's "device still owns the buffer"
 * check) must follow buffers, not ring slots.
 */
#include <string.h>

#include "../../common/virtio/virtqueue_priv.h"
#include "bed.h"
#include "vtest.h"

#define F(x) VIRTIO_BIT(VIRTIO_F_##x)

/** Buffer IDs in the order the device took them; all completed later */
struct taken {
    uint16_t id[8];
    unsigned n;
};

/** Model handler: take the request, complete it only when told */
static uint32_t take_async(void *ctx, const struct vmodel_req *req)
{
    struct taken *t = ctx;

    if (t->n < 8)
        t->id[t->n++] = req->id;
    return VMODEL_ASYNC;
}

/** What the device owns, as payload buffer numbers (bit i: buffer i) */
struct owned {
    struct bed *b;
    uint64_t bufs;
};

/** vmodel_packed_owned_each's visitor: note which payload buffer D names */
static bool note_owned(void *ctx, uint16_t slot, const uint8_t *d)
{
    struct owned *o = ctx;
    uint64_t addr;

    (void)slot;
    memcpy(&addr, d, 8);
    for (unsigned i = 0; i < 64; i++)
        if (addr >= bed_buf_pa(o->b, i) && addr < bed_buf_pa(o->b, i) + BED_BUF_SIZE)
            o->bufs |= 1ull << i;
    return false;
}

/** The payload buffers the device owns right now */
static uint64_t owned_bufs(struct bed *b)
{
    struct owned o = {.b = b};
    struct virtqueue *vq = &b->vq[0];

    vmodel_packed_owned_each(b->m, 0, vq->u.packed.next_avail, vq->u.packed.avail_wrap, note_owned,
                             &o);
    return o.bufs;
}

/** Add request R: buffer 2R device-readable, 2R+1 device-writable (8 bytes) */
static int add_pair(struct bed *b, int *cookies, unsigned r)
{
    struct virtqueue_sg sg[2] = {{bed_buf_pa(b, 2 * r), 16}, {bed_buf_pa(b, 2 * r + 1), 8}};

    return virtqueue_add(&b->vq[0], sg, 1, 1, &cookies[r]);
}

#define PAIR(r) (3ull << (2 * (r)))

static void t_packed_ooo_by_id(void)
{
    struct vmodel_config mc;
    struct taken t = {0};
    struct bed b;
    int c[5];
    uint32_t len = 0;

    bed_default_config(&mc);
    mc.queue_max = 8;
    CHECK_EQ(bed_init(&b, &mc, VIRTIO_PCI_MODE_AUTO, 0x3 | F(RING_PACKED), 1, 8, 0), 0);
    struct virtqueue *vq = &b.vq[0];
    vmodel_set_handler(b.m, take_async, &t);
    for (unsigned r = 0; r < 3; r++) /* A, B, C in slots 0-1, 2-3, 4-5 */
        CHECK_EQ(add_pair(&b, c, r), 0);
    CHECK_EQ(owned_bufs(&b), PAIR(0) | PAIR(1) | PAIR(2)); /* available, not taken */
    virtqueue_kick(vq);
    vmodel_run(b.m);
    CHECK_EQ(t.n, 3);
    CHECK_EQ(owned_bufs(&b), PAIR(0) | PAIR(1) | PAIR(2)); /* taken, not used */

    /* B first: its used descriptor overwrites A's head in slot 0 */
    CHECK_EQ(vmodel_complete(b.m, 0, t.id[1], 5), 0);
    vmodel_run(b.m);
    CHECK_EQ(vq->u.packed.desc[0].id, t.id[1]);
    CHECK(virtqueue_get(vq, &len) == &c[1]);
    CHECK_EQ(len, 5);
    CHECK(virtqueue_get(vq, &len) == NULL);
    CHECK_EQ(virtqueue_num_free(vq), 4); /* B's two descriptors back */
    /* Ring slots 2-3 (B's) are still ahead of the device's used position, so
     * the driver may not write them; but B's buffers are the driver's again
     * and A's, whose head slot now holds B's used element, are not. */
    CHECK(vmodel_packed_desc_owned(b.m, 0, 2, vq->u.packed.next_avail, vq->u.packed.avail_wrap));
    CHECK(!vmodel_packed_desc_owned(b.m, 0, 0, vq->u.packed.next_avail, vq->u.packed.avail_wrap));
    CHECK_EQ(owned_bufs(&b), PAIR(0) | PAIR(2));

    /* D in slots 6-7, E wraps into 0-1 over A's descriptors, A still the
     * device's; then A, C, D, E used in that order */
    CHECK_EQ(add_pair(&b, c, 3), 0);
    CHECK_EQ(add_pair(&b, c, 4), 0);
    CHECK_EQ(virtqueue_num_free(vq), 0);
    CHECK_EQ(owned_bufs(&b), PAIR(0) | PAIR(2) | PAIR(3) | PAIR(4));
    virtqueue_kick(vq);
    vmodel_run(b.m);
    CHECK_EQ(t.n, 5);
    CHECK_EQ(owned_bufs(&b), PAIR(0) | PAIR(2) | PAIR(3) | PAIR(4));
    static const unsigned order[] = {0, 2, 3, 4};
    for (unsigned k = 0; k < 4; k++) {
        unsigned r = order[k];
        CHECK_EQ(vmodel_complete(b.m, 0, t.id[r], r), 0);
        vmodel_run(b.m);
        CHECK(virtqueue_get(vq, &len) == &c[r]);
        CHECK_EQ(len, r);
    }
    CHECK_EQ(owned_bufs(&b), 0);
    CHECK_EQ(virtqueue_num_free(vq), 8);
    CHECK_EQ(virtqueue_broken(vq), 0);
    CHECK_EQ(vmodel_stats(b.m)->errors, 0);
    CHECK_EQ(vmodel_stats(b.m)->overtaking, 1); /* B over A; the rest oldest first */
    bed_fini(&b);
}

const struct vtest vtest_packed_ooo[] = {
    {"packed_ooo_by_id", t_packed_ooo_by_id},
    {NULL, NULL},
};
