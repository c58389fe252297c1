/*
 * fuzz_ring.c - fuzz the used-ring consumers. The input is a program of
 * driver operations and device writes; the "device" is the input itself,
 * so it can write any value anywhere in the ring memory, including the
 * areas only the driver should write. Oracles: every cookie returned was
 * outstanding and is returned once, the length is within what was posted,
 * get() always terminates, the free count stays in range, and after a
 * reset every outstanding cookie comes back exactly once.
 */
#include <stdlib.h>
#include <string.h>

#include "../../common/virtio/virtqueue.h"
#include "../../common/virtio/virtqueue_req.h"
#include "fuzz.h"

#define NTOK 256

struct tok {
    bool live;
    uint32_t in_len;
};

struct input {
    const uint8_t *p;
    size_t left;
};

static uint32_t take(struct input *in, unsigned n)
{
    uint32_t v = 0;
    unsigned i;

    for (i = 0; i < n; i++) {
        v |= (uint32_t)(in->left ? *in->p : 0) << (8 * i);
        if (in->left) {
            in->p++;
            in->left--;
        }
    }
    return v;
}

/**
 * The writer's add: nseg announced, a possibly different number appended
 * (from an element array, one by one, or an iterator), through a caller
 * table or not. Returns 0 and the writable bytes if the request went in.
 */
struct fuzz_iter {
    struct input *in;
    unsigned n;
};

static int fuzz_next(void *ctx, uint64_t *addr, uint32_t *len)
{
    struct fuzz_iter *it = ctx;

    *addr = 0x30000000 + 0x1000 * it->n++;
    *len = 1 + take(it->in, 1) * 16;
    return take(it->in, 1) == 0xff ? -1 : 0;
}

static int fuzz_writer(struct virtqueue *vq, struct input *in, uint8_t *tables, unsigned slot,
                       void *cookie, uint32_t *in_len)
{
    struct virtqueue_indirect ind = {tables + 16 * 8 * slot, 0x40000000 + 16 * 8 * slot,
                                     (uint16_t)(take(in, 1) % 9)};
    struct virtqueue_sg sg[8];
    struct virtqueue_req rq;
    struct fuzz_iter it = {in, 0};
    uint8_t k = (uint8_t)take(in, 1);
    unsigned nseg = k % 9, extra = (k >> 4) % 3, nout = take(in, 1) % (nseg + 1), i;
    uint64_t sum = 0;
    int rc;

    if ((rc = virtqueue_req_open(vq, &rq, nseg, (k & 8) ? &ind : NULL)) != 0)
        return rc;
    /* Usually the announced count; sometimes one less or one more (a caller's bug) */
    nseg = extra == 1 && nseg > 0 ? nseg - 1 : extra == 2 ? nseg + 1 : nseg;
    for (i = 0; i < nseg && i < 8; i++) {
        sg[i].addr = 0x30000000 + 0x1000 * i;
        sg[i].len = 1 + take(in, 1) * 16;
    }
    for (unsigned j = nout; j < i; j++)
        sum += sg[j].len;
    if (nout > i)
        nout = i;
    switch (take(in, 1) % 3) {
    case 0:
        virtqueue_req_sgl(&rq, sg, nout, sizeof(sg[0]), 0);
        virtqueue_req_sgl(&rq, sg + nout, i - nout, sizeof(sg[0]), VIRTQUEUE_SEG_WRITE);
        break;
    case 1:
        for (unsigned j = 0; j < i; j++)
            virtqueue_req_seg(&rq, sg[j].addr, sg[j].len, j < nout ? 0 : VIRTQUEUE_SEG_WRITE);
        break;
    default:
        sum = 0;
        virtqueue_req_iter(&rq, fuzz_next, &it, i, VIRTQUEUE_SEG_WRITE);
        break;
    }
    if (take(in, 1) == 0x55) {
        virtqueue_req_abort(&rq);
        return VIRTIO_EINVAL;
    }
    rc = virtqueue_req_close(&rq, cookie);
    /* The iterator's lengths are not tracked: its writable bytes are bounded by 8 * 4081 */
    *in_len = it.n ? 8 * 4081 : (uint32_t)sum;
    return rc;
}

static int fuzz_ring(bool packed, bool writer, const uint8_t *data, size_t size)
{
    struct input in = {data, size};
    struct virtqueue_layout layout;
    struct virtqueue_params p;
    struct virtqueue vq;
    struct tok tok[NTOK];
    uint32_t hdr = take(&in, 2);
    uint16_t num = packed ? (uint16_t)(1 + (hdr & 63)) : (uint16_t)(1u << (hdr % 7));
    uint16_t indirect_max = (hdr >> 8) & 1 ? 4 : 0;
    uint16_t dev_used = 0;
    void *ring, *ind, *state;
    uint8_t *tables;
    unsigned ops = 0;

    memset(tok, 0, sizeof(tok));
    if (virtqueue_layout(packed ? VIRTQUEUE_PACKED : VIRTQUEUE_SPLIT, num, indirect_max, 4,
                         &layout) != 0)
        return 0;
    ring = aligned_alloc(64, (layout.ring_size + 63) & ~(size_t)63);
    ind = malloc(layout.indirect_size + 16);
    state = malloc(layout.state_size);
    tables = malloc(16 * 8 * NTOK);
    FUZZ_ASSERT(ring && ind && state && tables);
    memset(&p, 0, sizeof(p));
    p.format = packed ? VIRTQUEUE_PACKED : VIRTQUEUE_SPLIT;
    p.num = num;
    p.indirect_max = indirect_max;
    p.indirect_min = (uint16_t)(2 + ((hdr >> 9) & 3));
    p.options = ((hdr >> 11) & 1 ? VIRTQUEUE_OPT_EVENT_IDX : 0) |
                (indirect_max ? VIRTQUEUE_OPT_INDIRECT : 0) |
                ((hdr >> 12) & 1 ? VIRTQUEUE_OPT_NOTIFICATION_DATA : 0);
    p.used_align = 4;
    p.ring_va = ring;
    p.ring_pa = 0x10000000;
    p.indirect_va = ind;
    p.indirect_pa = 0x20000000;
    p.state = state;
    FUZZ_ASSERT(virtqueue_init(&vq, &p) == 0);

    while (in.left && ops++ < 4096) {
        uint8_t op = (uint8_t)take(&in, 1);

        switch (op % 8) {
        case 0: { /* driver adds a request */
            struct virtqueue_sg sg[6];
            unsigned nseg = 1 + take(&in, 1) % 6, nout = take(&in, 1) % (nseg + 1), i, t;
            uint32_t in_len = 0;

            for (t = 0; t < NTOK && tok[t].live; t++)
                ;
            if (t == NTOK)
                break;
            if (writer) {
                if (fuzz_writer(&vq, &in, tables, t, &tok[t], &in_len) == 0) {
                    tok[t].live = true;
                    tok[t].in_len = in_len;
                }
                break;
            }
            for (i = 0; i < nseg; i++) {
                sg[i].addr = 0x30000000 + 0x1000 * i;
                sg[i].len = 1 + take(&in, 1) * 16;
                if (i >= nout)
                    in_len += sg[i].len;
            }
            if (virtqueue_add(&vq, sg, nout, nseg - nout, &tok[t]) == 0) {
                tok[t].live = true;
                tok[t].in_len = in_len;
            }
            break;
        }
        case 1:
            (void)virtqueue_kick_prepare(&vq);
            (void)virtqueue_notify_data(&vq);
            break;
        case 2: /* device writes a used entry */
            if (packed) {
                struct pvirtq_desc *d = &vq.u.packed.desc[take(&in, 1) % num];
                virtio_write_le16(&d->id, (uint16_t)take(&in, 2));
                virtio_write_le32(&d->len, take(&in, 4));
                virtio_write_le16(&d->flags, (uint16_t)take(&in, 2));
            } else {
                struct virtq_used_elem *e = &vq.u.split.used->ring[dev_used & (num - 1)];
                virtio_write_le32(&e->id, take(&in, 1) % (num + 2u));
                virtio_write_le32(&e->len, take(&in, 1) ? take(&in, 2) : take(&in, 4));
                dev_used++;
            }
            break;
        case 3: /* device publishes (split) or sets its event (packed) */
            if (packed) {
                virtio_write_le16(&vq.u.packed.device->off_wrap, (uint16_t)take(&in, 2));
                virtio_write_le16(&vq.u.packed.device->flags, (uint16_t)(take(&in, 1) % 4));
            } else {
                uint8_t k = (uint8_t)take(&in, 1);
                if (k & 0x80)
                    dev_used = (uint16_t)take(&in, 2);
                virtio_write_le16(&vq.u.split.used->idx, dev_used);
                virtio_write_le16(&vq.u.split.used->flags, k & 1);
                virtio_write_le16(&vq.u.split.used->ring[num], (uint16_t)take(&in, 2));
            }
            break;
        case 4: { /* driver reaps: every result must be an outstanding token */
            unsigned n;
            uint32_t len;
            void *c;

            for (n = 0; n <= num; n++) {
                struct tok *t;

                if ((c = virtqueue_get(&vq, &len)) == NULL)
                    break;
                t = c;
                FUZZ_ASSERT(t >= tok && t < tok + NTOK && t->live);
                FUZZ_ASSERT(len <= t->in_len);
                t->live = false;
            }
            FUZZ_ASSERT(n <= num);
            (void)virtqueue_has_used(&vq);
            break;
        }
        case 5: {
            uint8_t k = (uint8_t)take(&in, 1) % 3;
            if (k == 0)
                virtqueue_disable_cb(&vq);
            else if (k == 1)
                (void)virtqueue_enable_cb(&vq);
            else
                (void)virtqueue_enable_cb_delayed(&vq);
            break;
        }
        case 6: { /* device scribbles anywhere in the shared ring memory */
            size_t off = take(&in, 2) % layout.ring_size;
            ((uint8_t *)ring)[off] = (uint8_t)take(&in, 1);
            break;
        }
        case 7: { /* reset: all outstanding come back exactly once */
            void *c;
            unsigned n = 0, live = 0, t;

            for (t = 0; t < NTOK; t++)
                live += tok[t].live;
            while ((c = virtqueue_detach_unused(&vq)) != NULL) {
                struct tok *tk = c;
                FUZZ_ASSERT(tk >= tok && tk < tok + NTOK && tk->live);
                tk->live = false;
                FUZZ_ASSERT(++n <= num);
            }
            FUZZ_ASSERT(n == live);
            virtqueue_reinit(&vq);
            dev_used = 0;
            FUZZ_ASSERT(virtqueue_num_free(&vq) == num);
            break;
        }
        }
        FUZZ_ASSERT(virtqueue_num_free(&vq) <= num);
    }
    free(ring);
    free(ind);
    free(state);
    free(tables);
    return 0;
}

int fuzz_split_used(const uint8_t *data, size_t size)
{
    return fuzz_ring(false, false, data, size);
}

int fuzz_packed_used(const uint8_t *data, size_t size)
{
    return fuzz_ring(true, false, data, size);
}

int fuzz_req(const uint8_t *data, size_t size)
{
    /* First byte: the format; the rest as for the used-ring targets */
    if (size == 0)
        return 0;
    return fuzz_ring((data[0] & 1) != 0, true, data + 1, size - 1);
}
