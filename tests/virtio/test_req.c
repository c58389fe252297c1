/*
 * test_req.c - the descriptor writer (virtqueue_req.h), the request size
 * boundaries (num, indirect_max, seg_max) for both APIs, and the queue plan
 * (virtqueue_plan.h), each for the split and packed formats.
 */
#include <stdlib.h>
#include <string.h>

#include "../../common/virtio/virtqueue_priv.h"
#include "../../common/virtio/virtqueue_req.h"
#include "traffic.h"
#include "vtest.h"

#define F(x) VIRTIO_BIT(VIRTIO_F_##x)

/** An element shaped like STOR_SCATTER_GATHER_ELEMENT on a 64-bit OS (24 bytes) */
struct os_elem {
    uint64_t addr;
    uint32_t len;
    void *reserved;
};

static int bed_q(struct bed *b, bool packed, bool indirect, uint16_t qsize, uint16_t pool)
{
    struct vmodel_config mc;

    bed_default_config(&mc);
    mc.queue_max = qsize;
    return bed_init(b, &mc, VIRTIO_PCI_MODE_AUTO,
                    F(EVENT_IDX) | (packed ? F(RING_PACKED) : 0) |
                        (indirect ? F(INDIRECT_DESC) : 0),
                    1, qsize, pool);
}

/** header (readable) + OS list (writable) + status (writable), closed with cookie */
static int req_blk(struct virtqueue *vq, struct bed *b, const struct os_elem *sgl, unsigned n,
                   const struct virtqueue_indirect *ind, void *cookie)
{
    struct virtqueue_req rq;
    int rc;

    if ((rc = virtqueue_req_open(vq, &rq, n + 2, ind)) != 0)
        return rc;
    virtqueue_req_seg(&rq, bed_buf_pa(b, 0), 16, 0);
    virtqueue_req_sgl(&rq, sgl, n, sizeof(sgl[0]), VIRTQUEUE_SEG_WRITE);
    virtqueue_req_seg(&rq, bed_buf_pa(b, 1), 1, VIRTQUEUE_SEG_WRITE);
    return virtqueue_req_close(&rq, cookie);
}

/* ---------------------------------------------------------------------- */

static void req_basic(bool packed)
{
    struct os_elem sgl[3];
    struct bed b;
    uint32_t len = 0;
    unsigned i;
    int c[4];

    CHECK_EQ(bed_q(&b, packed, false, 16, 0), 0);
    for (i = 0; i < 3; i++) {
        sgl[i].addr = bed_buf_pa(&b, 2 + i);
        sgl[i].len = 100 * (i + 1);
        sgl[i].reserved = NULL;
    }
    CHECK_EQ(req_blk(&b.vq[0], &b, sgl, 3, NULL, &c[0]), 0);
    CHECK_EQ(virtqueue_num_free(&b.vq[0]), 11); /* direct: 5 descriptors */
    CHECK_EQ(req_blk(&b.vq[0], &b, sgl, 1, NULL, &c[1]), 0);
    CHECK_EQ(virtqueue_num_free(&b.vq[0]), 8);
    CHECK(virtqueue_kick(&b.vq[0]));
    CHECK_EQ(vmodel_run(b.m), 2);
    CHECK(virtqueue_get(&b.vq[0], &len) == &c[0]);
    CHECK_EQ(len, 100 + 200 + 300 + 1);
    CHECK(((uint8_t *)bed_buf_va(&b, 4))[299] != 0); /* the device wrote the last element */
    CHECK(virtqueue_get(&b.vq[0], &len) == &c[1]);
    CHECK_EQ(len, 101);
    CHECK_EQ(virtqueue_num_free(&b.vq[0]), 16);
    CHECK_EQ(vmodel_stats(b.m)->errors, 0);
    bed_fini(&b);
}

static void t_split_req_basic(void)
{
    req_basic(false);
}
static void t_packed_req_basic(void)
{
    req_basic(true);
}

/** Caller-owned indirect tables, no pool: one ring descriptor per request */
static void req_caller_indirect(bool packed)
{
    struct virtqueue_indirect ind[16];
    struct os_elem sgl[2];
    struct bed b;
    uint32_t len;
    unsigned i, n = 0;
    int c[16];

    CHECK_EQ(bed_q(&b, packed, true, 16, 0), 0);
    CHECK(b.vq[0].indirect_va == NULL); /* the pool is optional */
    for (i = 0; i < 2; i++) {
        sgl[i].addr = bed_buf_pa(&b, 2 + i);
        sgl[i].len = 64;
    }
    for (i = 0; i < 16; i++) {
        ind[i].va = (uint8_t *)bed_buf_va(&b, 60) + 64 * i;
        ind[i].pa = bed_buf_pa(&b, 60) + 64 * i;
        ind[i].capacity = 4;
        CHECK_EQ(req_blk(&b.vq[0], &b, sgl, 2, &ind[i], &c[i]), 0);
    }
    CHECK_EQ(virtqueue_num_free(&b.vq[0]), 0);
    /* The first ring descriptor points at the first request's table */
    if (packed) {
        CHECK_EQ(virtio_read_le16(&b.vq[0].u.packed.desc[0].flags) & VIRTQ_DESC_F_INDIRECT,
                 VIRTQ_DESC_F_INDIRECT);
        CHECK(b.vq[0].u.packed.desc[0].addr == ind[0].pa);
    } else {
        CHECK_EQ(b.vq[0].u.split.desc[0].flags, VIRTQ_DESC_F_INDIRECT);
        CHECK(b.vq[0].u.split.desc[0].addr == ind[0].pa);
        CHECK_EQ(b.vq[0].u.split.desc[0].len, 4 * 16);
    }
    /* A table too small for the request: direct, and the ring is full */
    ind[0].capacity = 3;
    CHECK_EQ(req_blk(&b.vq[0], &b, sgl, 2, &ind[0], &c[0]), VIRTIO_ENOSPC);
    CHECK(virtqueue_kick(&b.vq[0]));
    CHECK_EQ(vmodel_run(b.m), 16);
    while (virtqueue_get(&b.vq[0], &len) != NULL) {
        CHECK_EQ(len, 64 + 64 + 1);
        n++;
    }
    CHECK_EQ(n, 16);
    CHECK_EQ(vmodel_stats(b.m)->errors, 0);
    bed_fini(&b);
}

static void t_split_req_caller_indirect(void)
{
    req_caller_indirect(false);
}
static void t_packed_req_caller_indirect(void)
{
    req_caller_indirect(true);
}

/* ---------------------------------------------------------------------- */
/* Boundaries: EINVAL never fits, ENOSPC fits an empty ring but not now   */

/** Open nseg segments with the writer (then abort) */
static int open_n(struct virtqueue *vq, unsigned nseg)
{
    struct virtqueue_req rq;
    int rc = virtqueue_req_open(vq, &rq, nseg, NULL);

    if (rc == 0)
        virtqueue_req_abort(&rq);
    return rc;
}

/** Add nseg segments with the old API */
static int add_n(struct bed *b, struct virtqueue *vq, unsigned nseg, void *cookie)
{
    struct virtqueue_sg sg[40];
    unsigned i;

    for (i = 0; i < nseg && i < 40; i++) {
        sg[i].addr = bed_buf_pa(b, i);
        sg[i].len = 8;
    }
    return virtqueue_add(vq, sg, 1, nseg - 1, cookie);
}

static void boundaries(bool packed)
{
    struct vmodel_config mc;
    struct virtio_queue_config qc = {.index = 0, .size = 16, .indirect_max = 8, .msix_vector = 1};
    struct bed b;
    int c;

    /* num 16, pool tables of 8 */
    CHECK_EQ(bed_q(&b, packed, true, 16, 8), 0);
    CHECK_EQ(open_n(&b.vq[0], 0), VIRTIO_EINVAL);
    CHECK_EQ(open_n(&b.vq[0], 16), 0);             /* num: a direct chain fits */
    CHECK_EQ(open_n(&b.vq[0], 17), VIRTIO_EINVAL); /* num + 1: never */
    CHECK_EQ(open_n(&b.vq[0], 24), VIRTIO_EINVAL); /* num + indirect_max: never */
    CHECK_EQ(add_n(&b, &b.vq[0], 16, &c), 0);
    CHECK_EQ(add_n(&b, &b.vq[0], 17, &c), VIRTIO_EINVAL);
    CHECK_EQ(add_n(&b, &b.vq[0], 24, &c), VIRTIO_EINVAL); /* was ENOSPC: a wait forever */
    /* Ring full: anything that fits an empty ring is ENOSPC, the rest EINVAL */
    CHECK_EQ(virtqueue_num_free(&b.vq[0]), 0);
    CHECK_EQ(open_n(&b.vq[0], 1), VIRTIO_ENOSPC);
    CHECK_EQ(open_n(&b.vq[0], 8), VIRTIO_ENOSPC);
    CHECK_EQ(open_n(&b.vq[0], 16), VIRTIO_ENOSPC);
    CHECK_EQ(open_n(&b.vq[0], 17), VIRTIO_EINVAL);
    CHECK_EQ(add_n(&b, &b.vq[0], 16, &c), VIRTIO_ENOSPC);
    CHECK_EQ(add_n(&b, &b.vq[0], 17, &c), VIRTIO_EINVAL);
    /* One free descriptor: indirect_max segments fit (a table), one more does not */
    CHECK(virtqueue_kick(&b.vq[0]));
    CHECK_EQ(vmodel_run(b.m), 1);
    CHECK(virtqueue_get(&b.vq[0], NULL) == &c);
    CHECK_EQ(add_n(&b, &b.vq[0], 15, &c), 0); /* 15 > 8: direct */
    CHECK_EQ(virtqueue_num_free(&b.vq[0]), 1);
    CHECK_EQ(open_n(&b.vq[0], 8), 0);
    CHECK_EQ(open_n(&b.vq[0], 9), VIRTIO_ENOSPC);
    CHECK_EQ(add_n(&b, &b.vq[0], 8, &c), 0);
    CHECK_EQ(virtqueue_num_free(&b.vq[0]), 0);
    CHECK_EQ(vmodel_stats(b.m)->errors, 0);
    bed_fini(&b);

    /* seg_max 4 (a blk device's limit): 4 fits, 5 never does */
    bed_default_config(&mc);
    mc.queue_max = 16;
    CHECK_EQ(bed_init(&b, &mc, VIRTIO_PCI_MODE_AUTO,
                      F(INDIRECT_DESC) | (packed ? F(RING_PACKED) : 0), 0, 0, 0),
             0);
    CHECK_EQ(virtio_negotiate(&b.dev, F(INDIRECT_DESC) | (packed ? F(RING_PACKED) : 0), NULL), 0);
    qc.seg_max = 4;
    CHECK_EQ(virtio_queue_setup(&b.dev, &b.vq[0], &qc), 0);
    b.nq = 1;
    CHECK_EQ(open_n(&b.vq[0], 4), 0);
    CHECK_EQ(open_n(&b.vq[0], 5), VIRTIO_EINVAL);
    CHECK_EQ(add_n(&b, &b.vq[0], 5, &c), VIRTIO_EINVAL);
    CHECK_EQ(add_n(&b, &b.vq[0], 4, &c), 0);
    bed_fini(&b);
}

static void t_split_boundaries(void)
{
    boundaries(false);
}
static void t_packed_boundaries(void)
{
    boundaries(true);
}

/* ---------------------------------------------------------------------- */
/* The writer's open decides in a few compares: tables from indirect_min    */
/* (or when the ring is short), aborts give back what open took, and a     */
/* broken queue refuses (EIO) and completes nothing                         */

/** Open nseg readable segments with the writer and close with cookie */
static int req_n(struct bed *b, struct virtqueue *vq, unsigned nseg, void *cookie)
{
    struct virtqueue_req rq;
    unsigned i;
    int rc;

    if ((rc = virtqueue_req_open(vq, &rq, nseg, NULL)) != 0)
        return rc;
    for (i = 0; i < nseg; i++)
        virtqueue_req_seg(&rq, bed_buf_pa(b, i), 8, 0);
    return virtqueue_req_close(&rq, cookie);
}

static void req_indirect_min(bool packed)
{
    struct vmodel_config mc;
    struct virtio_queue_config qc = {.index = 0, .size = 16, .indirect_max = 8, .indirect_min = 4};
    struct virtqueue_req rq;
    struct bed b;
    unsigned i, n = 0;
    int c[8];

    bed_default_config(&mc);
    mc.queue_max = 16;
    CHECK_EQ(bed_init(&b, &mc, VIRTIO_PCI_MODE_AUTO,
                      F(INDIRECT_DESC) | (packed ? F(RING_PACKED) : 0), 0, 0, 0),
             0);
    /* bed_init set DRIVER_OK with no queue; redo with the custom queue */
    CHECK_EQ(virtio_negotiate(&b.dev, F(INDIRECT_DESC) | (packed ? F(RING_PACKED) : 0), NULL), 0);
    qc.msix_vector = 1;
    CHECK_EQ(virtio_queue_setup(&b.dev, &b.vq[0], &qc), 0);
    b.nq = 1;
    CHECK_EQ(virtio_device_ready(&b.dev), 0);
    CHECK_EQ(req_n(&b, &b.vq[0], 1, &c[0]), 0); /* one segment: direct */
    CHECK_EQ(req_n(&b, &b.vq[0], 3, &c[1]), 0); /* indirect_min - 1: direct */
    CHECK_EQ(virtqueue_num_free(&b.vq[0]), 12);
    CHECK_EQ(req_n(&b, &b.vq[0], 4, &c[2]), 0); /* indirect_min: a table */
    CHECK_EQ(virtqueue_num_free(&b.vq[0]), 11);
    CHECK_EQ(req_n(&b, &b.vq[0], 8, &c[3]), 0); /* indirect_max: a table */
    CHECK_EQ(virtqueue_num_free(&b.vq[0]), 10);
    CHECK_EQ(req_n(&b, &b.vq[0], 9, &c[4]), 0); /* indirect_max + 1: direct */
    CHECK_EQ(virtqueue_num_free(&b.vq[0]), 1);
    CHECK_EQ(req_n(&b, &b.vq[0], 2, &c[5]), 0); /* short ring: a table below indirect_min */
    CHECK_EQ(virtqueue_num_free(&b.vq[0]), 0);
    CHECK_EQ(req_n(&b, &b.vq[0], 1, &c[6]), VIRTIO_ENOSPC);
    CHECK_EQ(req_n(&b, &b.vq[0], 17, &c[6]), VIRTIO_EINVAL);
    CHECK(virtqueue_kick(&b.vq[0]));
    CHECK_EQ(vmodel_run(b.m), 6);
    for (i = 0; i < 6; i++)
        if (virtqueue_get(&b.vq[0], NULL) == &c[i])
            n++;
    CHECK_EQ(n, 6);
    CHECK_EQ(virtqueue_num_free(&b.vq[0]), 16);
    /* Aborted table and chain requests give back their descriptors, add nothing */
    CHECK_EQ(virtqueue_req_open(&b.vq[0], &rq, 4, NULL), 0);
    virtqueue_req_seg(&rq, bed_buf_pa(&b, 0), 8, 0);
    virtqueue_req_abort(&rq);
    CHECK_EQ(virtqueue_req_open(&b.vq[0], &rq, 3, NULL), 0);
    virtqueue_req_seg(&rq, bed_buf_pa(&b, 0), 8, 0);
    virtqueue_req_abort(&rq);
    CHECK_EQ(virtqueue_req_open(&b.vq[0], &rq, 5, NULL), 0);
    virtqueue_req_seg(&rq, bed_buf_pa(&b, 0), 8, 0);
    CHECK_EQ(virtqueue_req_close(&rq, &c[0]), VIRTIO_EINVAL);
    CHECK_EQ(virtqueue_num_free(&b.vq[0]), 16);
    CHECK(!virtqueue_kick_prepare(&b.vq[0]));
    CHECK_EQ(req_n(&b, &b.vq[0], 2, &c[0]), 0); /* the next one still runs */
    CHECK(virtqueue_kick(&b.vq[0]));
    CHECK_EQ(vmodel_run(b.m), 1);
    CHECK(virtqueue_get(&b.vq[0], NULL) == &c[0]);
    CHECK_EQ(vmodel_stats(b.m)->errors, 0);
    bed_fini(&b);
}

static void t_split_req_indirect_min(void)
{
    req_indirect_min(false);
}
static void t_packed_req_indirect_min(void)
{
    req_indirect_min(true);
}

/** Once broken: open is EIO for every size, and completions already seen are not returned */
static void req_broken(bool packed)
{
    struct bed b;
    int c[2];

    CHECK_EQ(bed_q(&b, packed, false, 16, 0), 0);
    CHECK_EQ(req_n(&b, &b.vq[0], 2, &c[0]), 0);
    CHECK_EQ(req_n(&b, &b.vq[0], 2, &c[1]), 0);
    CHECK(virtqueue_kick(&b.vq[0]));
    CHECK_EQ(vmodel_run(b.m), 2);
    /* The first get reads (and checks) the device's index for both */
    CHECK(virtqueue_get(&b.vq[0], NULL) == &c[0]);
    virtqueue_set_broken(&b.vq[0], VIRTIO_VIOL_USED_LEN);
    CHECK(virtqueue_get(&b.vq[0], NULL) == NULL);
    CHECK(!virtqueue_has_used(&b.vq[0]));
    CHECK_EQ(req_n(&b, &b.vq[0], 1, &c[0]), VIRTIO_EIO);
    CHECK_EQ(req_n(&b, &b.vq[0], 0, &c[0]), VIRTIO_EIO);
    CHECK_EQ(req_n(&b, &b.vq[0], 17, &c[0]), VIRTIO_EIO);
    CHECK_EQ(b.h.reports, 1);
    bed_fini(&b);
}

static void t_split_req_broken(void)
{
    req_broken(false);
}
static void t_packed_req_broken(void)
{
    req_broken(true);
}

/* ---------------------------------------------------------------------- */

/** Bus address of the iterator's buffers (a bed's payload area) */
static uint64_t iter_base;

static int next_seg(void *ctx, uint64_t *addr, uint32_t *len)
{
    unsigned *k = ctx;

    if (*k == 99)
        return -1;
    *addr = iter_base + 64ull * *k;
    *len = 32;
    (*k)++;
    return 0;
}

/** A request the caller gets wrong is dropped; the ring is as before */
static void req_errors(bool packed)
{
    struct virtqueue_req rq;
    struct os_elem sgl[4];
    struct traffic *t = calloc(1, sizeof(*t));
    struct bed b;
    unsigned i, k;
    int c;

    CHECK(t != NULL);
    CHECK_EQ(bed_q(&b, packed, false, 8, 0), 0);
    for (i = 0; i < 4; i++) {
        sgl[i].addr = bed_buf_pa(&b, 2 + i);
        sgl[i].len = 16;
    }
    /* Fewer segments than announced: EINVAL, nothing used (packed: flags undone) */
    CHECK_EQ(virtqueue_req_open(&b.vq[0], &rq, 4, NULL), 0);
    virtqueue_req_sgl(&rq, sgl, 3, sizeof(sgl[0]), VIRTQUEUE_SEG_WRITE);
    CHECK_EQ(virtqueue_req_close(&rq, &c), VIRTIO_EINVAL);
    CHECK_EQ(virtqueue_num_free(&b.vq[0]), 8);
    /* More: refused without writing past the chain */
    CHECK_EQ(virtqueue_req_open(&b.vq[0], &rq, 2, NULL), 0);
    virtqueue_req_sgl(&rq, sgl, 3, sizeof(sgl[0]), VIRTQUEUE_SEG_WRITE);
    CHECK_EQ(virtqueue_req_close(&rq, &c), VIRTIO_EINVAL);
    CHECK_EQ(virtqueue_req_open(&b.vq[0], &rq, 1, NULL), 0);
    virtqueue_req_seg(&rq, sgl[0].addr, 8, 0);
    virtqueue_req_seg(&rq, sgl[0].addr, 8, 0);
    CHECK_EQ(virtqueue_req_close(&rq, &c), VIRTIO_EINVAL);
    /* An iterator that fails */
    k = 98;
    CHECK_EQ(virtqueue_req_open(&b.vq[0], &rq, 3, NULL), 0);
    virtqueue_req_iter(&rq, next_seg, &k, 3, VIRTQUEUE_SEG_WRITE);
    CHECK_EQ(virtqueue_req_close(&rq, &c), VIRTIO_EINVAL);
    /* An abort after three segments */
    CHECK_EQ(virtqueue_req_open(&b.vq[0], &rq, 4, NULL), 0);
    virtqueue_req_sgl(&rq, sgl, 3, sizeof(sgl[0]), VIRTQUEUE_SEG_WRITE);
    virtqueue_req_abort(&rq);
#ifdef VIRTQUEUE_DEBUG
    /* Debug builds: no cookie, writable bytes above 4 GiB, a zero-length
     * segment, a readable one after a writable one */
    CHECK_EQ(virtqueue_req_open(&b.vq[0], &rq, 1, NULL), 0);
    virtqueue_req_seg(&rq, sgl[0].addr, 8, 0);
    CHECK_EQ(virtqueue_req_close(&rq, NULL), VIRTIO_EINVAL);
    CHECK_EQ(virtqueue_req_open(&b.vq[0], &rq, 2, NULL), 0);
    virtqueue_req_seg(&rq, sgl[0].addr, 0xffffffffu, VIRTQUEUE_SEG_WRITE);
    virtqueue_req_seg(&rq, sgl[1].addr, 2, VIRTQUEUE_SEG_WRITE);
    CHECK_EQ(virtqueue_req_close(&rq, &c), VIRTIO_EINVAL);
    CHECK_EQ(virtqueue_req_open(&b.vq[0], &rq, 1, NULL), 0);
    virtqueue_req_seg(&rq, sgl[0].addr, 0, 0);
    CHECK_EQ(virtqueue_req_close(&rq, &c), VIRTIO_EINVAL);
    CHECK_EQ(virtqueue_req_open(&b.vq[0], &rq, 2, NULL), 0);
    virtqueue_req_seg(&rq, sgl[0].addr, 8, VIRTQUEUE_SEG_WRITE);
    virtqueue_req_seg(&rq, sgl[0].addr, 8, 0);
    CHECK_EQ(virtqueue_req_close(&rq, &c), VIRTIO_EINVAL);
#endif
    CHECK_EQ(virtqueue_num_free(&b.vq[0]), 8);
    /* A one-segment request now: the device must not run into the dropped chains */
    CHECK_EQ(virtqueue_req_open(&b.vq[0], &rq, 1, NULL), 0);
    virtqueue_req_seg(&rq, sgl[0].addr, 8, VIRTQUEUE_SEG_WRITE);
    CHECK_EQ(virtqueue_req_close(&rq, &c), 0);
    CHECK(virtqueue_kick(&b.vq[0]));
    CHECK_EQ(vmodel_run(b.m), 1);
    CHECK(virtqueue_get(&b.vq[0], NULL) == &c);
    CHECK(virtqueue_get(&b.vq[0], NULL) == NULL);
    CHECK_EQ(vmodel_pending(b.m, 0), 0);
    CHECK(traffic_run(t, &b, &b.vq[0], 1000, 4) >= 1000);
    CHECK_EQ(t->bad, 0);
    CHECK_EQ(vmodel_stats(b.m)->errors, 0);
    bed_fini(&b);
    free(t);
}

static void t_split_req_errors(void)
{
    req_errors(false);
}
static void t_packed_req_errors(void)
{
    req_errors(true);
}

/**
 * Long run through small rings, out of order, 1-5 segments from an
 * iterator or an element array, direct and through caller tables, across
 * the 16-bit index and packed wrap.
 */
static void req_wrap(bool packed, uint16_t qsize)
{
    struct vmodel_behaviour beh = {.out_of_order = true, .batch = 3};
    struct virtqueue_indirect ind[8];
    struct os_elem sgl[5];
    uint32_t in_len[8] = {0};
    bool live[8] = {false};
    uint64_t seq = 0, done = 0;
    struct bed b;
    unsigned i, stall = 0;

    CHECK_EQ(bed_q(&b, packed, true, qsize, 0), 0);
    iter_base = bed_buf_pa(&b, 20);
    vmodel_set_behaviour(b.m, &beh);
    for (i = 0; i < 8; i++) {
        ind[i].va = (uint8_t *)bed_buf_va(&b, 60) + 128 * i;
        ind[i].pa = bed_buf_pa(&b, 60) + 128 * i;
        ind[i].capacity = 3;
    }
    while (done < 140000 && stall < 100) {
        unsigned n = 0;
        uint32_t len;
        void *ck;

        for (i = 0; i < 8; i++) {
            struct virtqueue_req rq;
            unsigned nseg = 1 + (unsigned)(seq % 5), j, k = (unsigned)(seq % 40);

            if (live[i])
                continue;
            if (virtqueue_req_open(&b.vq[0], &rq, nseg, (seq & 4) ? &ind[i] : NULL) != 0)
                break;
            in_len[i] = 0;
            for (j = 0; j < nseg; j++) {
                sgl[j].addr = bed_buf_pa(&b, 2 + j);
                sgl[j].len = 8 + j + (unsigned)(seq % 7);
                if (j > 0 || nseg == 1)
                    in_len[i] += sgl[j].len;
            }
            if (nseg == 1) {
                virtqueue_req_sgl(&rq, sgl, 1, sizeof(sgl[0]), VIRTQUEUE_SEG_WRITE);
            } else if (seq & 8) {
                virtqueue_req_seg(&rq, sgl[0].addr, sgl[0].len, 0);
                in_len[i] = 32 * (nseg - 1);
                virtqueue_req_iter(&rq, next_seg, &k, nseg - 1, VIRTQUEUE_SEG_WRITE);
            } else {
                virtqueue_req_seg(&rq, sgl[0].addr, sgl[0].len, 0);
                virtqueue_req_sgl(&rq, sgl + 1, nseg - 1, sizeof(sgl[0]), VIRTQUEUE_SEG_WRITE);
            }
            CHECK_EQ(virtqueue_req_close(&rq, &live[i]), 0);
            live[i] = true;
            seq++;
        }
        if (virtqueue_kick_prepare(&b.vq[0]))
            virtqueue_notify(&b.vq[0]);
        vmodel_run(b.m);
        while ((ck = virtqueue_get(&b.vq[0], &len)) != NULL) {
            bool *l = ck;

            CHECK(l >= live && l < live + 8 && *l);
            CHECK_EQ(len, in_len[l - live]);
            *l = false;
            done++;
            n++;
        }
        stall = n ? 0 : stall + 1;
    }
    if (done < 140000)
        fprintf(stderr, "  done %llu seq %llu broken %d errors %s\n", (unsigned long long)done,
                (unsigned long long)seq, virtqueue_broken(&b.vq[0]), vmodel_stats(b.m)->last_error);
    CHECK(done >= 140000);
    CHECK_EQ(virtqueue_broken(&b.vq[0]), 0);
    CHECK_EQ(vmodel_stats(b.m)->errors, 0);
    bed_fini(&b);
}

static void t_split_req_wrap(void)
{
    req_wrap(false, 8);
}
static void t_packed_req_wrap(void)
{
    req_wrap(true, 7);
}

/* ---------------------------------------------------------------------- */
/* Queue plan                                                              */

/** Spec sizes of one ring, computed here independently of the core */
static size_t spec_ring(bool packed, unsigned num, size_t used_align, size_t *used_off)
{
    size_t avail_end;

    if (packed) {
        *used_off = 16 * num + 4;
        return 16 * num + 4 + 4;
    }
    avail_end = 16 * num + 6 + 2 * num;
    *used_off = (avail_end + used_align - 1) / used_align * used_align;
    return *used_off + 6 + 8 * num;
}

static void plan_exact(bool packed, size_t used_align, uint16_t pool)
{
    static const uint16_t sizes_split[] = {1, 2, 4, 8, 16, 128, 256, 1024, 32768, 2, 64};
    static const uint16_t sizes_packed[] = {1, 3, 5, 7, 16, 100, 255, 1024, 32768, 2, 63};
    const uint16_t *num = packed ? sizes_packed : sizes_split;
    unsigned nq = sizeof(sizes_split) / sizeof(sizes_split[0]), q;
    size_t dma = 0, mem = 0, align = used_align > 16 ? used_align : 16;
    struct virtqueue_plan plan;

    CHECK_EQ(virtqueue_plan_init(&plan, packed ? VIRTQUEUE_PACKED : VIRTQUEUE_SPLIT, used_align, nq,
                                 num, pool),
             0);
    CHECK_EQ(plan.dma_align, packed ? 16 : align);
    for (q = 0; q < nq; q++) {
        struct virtqueue_region r;
        size_t used_off, ring = spec_ring(packed, num[q], used_align, &used_off);
        size_t ring_off = (dma + align - 1) / align * align;

        CHECK_EQ(virtqueue_plan_queue(&plan, q, &r), 0);
        /* Where the spec says, in order, nothing between but alignment */
        CHECK_EQ(r.ring_off, ring_off);
        CHECK_EQ(r.layout.ring_size, ring);
        CHECK_EQ(r.layout.desc_off, 0);
        CHECK_EQ(r.layout.driver_off, 16 * num[q]);
        CHECK_EQ(r.layout.device_off, used_off);
        /* Alignments: desc 16, avail 2 / driver event 4, used used_align / device event 4 */
        CHECK_EQ(r.ring_off % 16, 0);
        CHECK_EQ((r.ring_off + r.layout.driver_off) % (packed ? 4 : 2), 0);
        CHECK_EQ((r.ring_off + r.layout.device_off) % (packed ? 4 : used_align), 0);
        if (used_align == 4096)
            CHECK_EQ(r.ring_off % 4096, 0); /* legacy: the ring is a page number */
        /* Areas do not overlap inside the ring */
        CHECK(r.layout.driver_off + (packed ? 4 : 6 + 2 * (size_t)num[q]) <= r.layout.device_off);
        dma = ring_off + ring;
        if (pool) {
            CHECK_EQ(r.indirect_off, (dma + 15) / 16 * 16);
            CHECK_EQ(r.layout.indirect_size, (size_t)num[q] * pool * 16);
            dma = r.indirect_off + r.layout.indirect_size;
        } else {
            CHECK_EQ(r.layout.indirect_size, 0);
        }
        CHECK_EQ(r.state_off, mem);
        CHECK_EQ(r.layout.state_size, (size_t)num[q] * sizeof(struct virtqueue_state));
        mem += r.layout.state_size;
    }
    /* Exact: the totals are the end of the last region */
    CHECK_EQ(plan.dma_size, dma);
    CHECK_EQ(plan.mem_size, mem);
    {
        struct virtqueue_region r;
        CHECK_EQ(virtqueue_plan_queue(&plan, nq, &r), VIRTIO_EINVAL);
    }
}

static void t_plan_split_exact(void)
{
    plan_exact(false, 4, 0);
}
static void t_plan_split_pool_exact(void)
{
    plan_exact(false, 4, 8);
}
static void t_plan_legacy_exact(void)
{
    plan_exact(false, 4096, 0);
}
static void t_plan_packed_exact(void)
{
    plan_exact(true, 4, 0);
}
static void t_plan_packed_pool_exact(void)
{
    plan_exact(true, 4, 5);
}

static void t_plan_invalid(void)
{
    struct virtqueue_plan plan;
    uint16_t bad_split[] = {16, 12}, zero[] = {0}, big[] = {32769};

    CHECK_EQ(virtqueue_plan_init(&plan, VIRTQUEUE_SPLIT, 4, 2, bad_split, 0), VIRTIO_EINVAL);
    CHECK_EQ(virtqueue_plan_init(&plan, VIRTQUEUE_PACKED, 4, 1, zero, 0), VIRTIO_EINVAL);
    CHECK_EQ(virtqueue_plan_init(&plan, VIRTQUEUE_PACKED, 4, 1, big, 0), VIRTIO_EINVAL);
    CHECK_EQ(virtqueue_plan_init(&plan, VIRTQUEUE_SPLIT, 4, 0, bad_split, 0), VIRTIO_EINVAL);
    CHECK_EQ(virtqueue_plan_init(&plan, VIRTQUEUE_SPLIT, 3, 1, bad_split, 0), VIRTIO_EINVAL);
    CHECK_EQ(plan.dma_size, 0);
}

/**
 * Four queues carved from one exact block and one exact private block
 * (each allocated to the byte, so ASan sees any access past them, and the
 * device model sees only the block as DMA memory), with traffic on each.
 */
static void plan_setup(bool packed, enum virtio_pci_mode mode)
{
    struct vmodel_config mc;
    struct virtio_queue_config qc[4];
    struct traffic *t = calloc(4, sizeof(*t));
    struct virtqueue_plan plan;
    struct virtio_dma block = {0};
    uint16_t num[4];
    void *mem = NULL;
    struct bed b;
    unsigned q;

    CHECK(t != NULL);
    bed_default_config(&mc);
    if (mode == VIRTIO_PCI_MODE_LEGACY)
        mc.transport = VMODEL_TRANSITIONAL;
    mc.queue_max = 64;
    CHECK_EQ(bed_init(&b, &mc, mode,
                      F(EVENT_IDX) | F(INDIRECT_DESC) | (packed ? F(RING_PACKED) : 0), 0, 0, 0),
             0);
    CHECK_EQ(virtio_negotiate(
                 &b.dev, F(EVENT_IDX) | F(INDIRECT_DESC) | (packed ? F(RING_PACKED) : 0), NULL),
             0);
    memset(qc, 0, sizeof(qc));
    for (q = 0; q < 4; q++) {
        qc[q].index = (uint16_t)q;
        qc[q].size = (uint16_t)(8 << q); /* 8, 16, 32, 64 */
        qc[q].msix_vector = b.dev.msix ? (uint16_t)(1 + q) : VIRTIO_MSI_NO_VECTOR;
    }
    CHECK_EQ(virtio_queue_plan(&b.dev, qc, 4, 4, num, &plan), 0);
    for (q = 0; q < 4; q++)
        CHECK_EQ(num[q], mode == VIRTIO_PCI_MODE_LEGACY ? 64 : 8 << q);
    CHECK(posix_memalign(&block.va, plan.dma_align, plan.dma_size) == 0);
    CHECK(posix_memalign(&mem, sizeof(void *), plan.mem_size) == 0);
    block.pa = 0x7000000000ull;
    block.size = plan.dma_size;
    CHECK_EQ(vmodel_dma_register(b.m, block.pa, block.va, block.size), 0);
    /* A block one byte short, or misaligned, is refused */
    block.size--;
    CHECK_EQ(virtio_queue_setup_planned(&b.dev, &b.vq[0], &qc[0], &plan, 0, &block, mem),
             VIRTIO_EINVAL);
    block.size++;
    block.pa += 8;
    CHECK_EQ(virtio_queue_setup_planned(&b.dev, &b.vq[0], &qc[0], &plan, 0, &block, mem),
             VIRTIO_EINVAL);
    block.pa -= 8;
    for (q = 0; q < 4; q++) {
        CHECK_EQ(virtio_queue_setup_planned(&b.dev, &b.vq[q], &qc[q], &plan, q, &block, mem), 0);
        b.nq = q + 1;
        CHECK(b.vq[q].ring_pa >= block.pa &&
              b.vq[q].ring_pa + b.vq[q].ring_size <= block.pa + block.size);
    }
    CHECK_EQ(virtio_device_ready(&b.dev), 0);
    for (q = 0; q < 4; q++) {
        t[q].max_seg = 6; /* 2..6 segments go through the pool's tables of 4 */
        CHECK(traffic_run(&t[q], &b, &b.vq[q], 3000, 4 + 2 * q) >= 3000);
        CHECK_EQ(t[q].bad, 0);
    }
    CHECK_EQ(vmodel_stats(b.m)->errors, 0);
    bed_fini(&b); /* teardown frees nothing of the caller's */
    free(block.va);
    free(mem);
    free(t);
}

static void t_plan_setup_split(void)
{
    plan_setup(false, VIRTIO_PCI_MODE_MODERN);
}
static void t_plan_setup_packed(void)
{
    plan_setup(true, VIRTIO_PCI_MODE_MODERN);
}
static void t_plan_setup_legacy(void)
{
    plan_setup(false, VIRTIO_PCI_MODE_LEGACY);
}

const struct vtest vtest_req[] = {
    {"split_req_basic", t_split_req_basic},
    {"packed_req_basic", t_packed_req_basic},
    {"split_req_caller_indirect", t_split_req_caller_indirect},
    {"packed_req_caller_indirect", t_packed_req_caller_indirect},
    {"split_boundaries", t_split_boundaries},
    {"packed_boundaries", t_packed_boundaries},
    {"split_req_indirect_min", t_split_req_indirect_min},
    {"packed_req_indirect_min", t_packed_req_indirect_min},
    {"split_req_broken", t_split_req_broken},
    {"packed_req_broken", t_packed_req_broken},
    {"split_req_errors", t_split_req_errors},
    {"packed_req_errors", t_packed_req_errors},
    {"split_req_wrap", t_split_req_wrap},
    {"packed_req_wrap", t_packed_req_wrap},
    {"plan_split_exact", t_plan_split_exact},
    {"plan_split_pool_exact", t_plan_split_pool_exact},
    {"plan_legacy_exact", t_plan_legacy_exact},
    {"plan_packed_exact", t_plan_packed_exact},
    {"plan_packed_pool_exact", t_plan_packed_pool_exact},
    {"plan_invalid", t_plan_invalid},
    {"plan_setup_split", t_plan_setup_split},
    {"plan_setup_packed", t_plan_setup_packed},
    {"plan_setup_legacy", t_plan_setup_legacy},
    {NULL, NULL},
};
