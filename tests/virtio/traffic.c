/*
 * traffic.c - see traffic.h.
 */
#include <string.h>

#include "traffic.h"

void traffic_sg(struct bed *b, unsigned k, unsigned nseg, struct virtqueue_sg *sg, unsigned *out,
                unsigned *in)
{
    unsigned i;

    /* First segment readable (a header), the rest writable */
    for (i = 0; i < nseg; i++) {
        sg[i].addr = bed_buf_pa(b, k + i) + 16u * i;
        sg[i].len = 16u + (k % 7) * 8u + i;
    }
    *out = 1;
    *in = nseg - 1;
    if (nseg == 1) {
        *out = (k & 1) ? 1 : 0;
        *in = (k & 1) ? 0 : 1;
    }
}

uint64_t traffic_run(struct traffic *t, struct bed *b, struct virtqueue *vq, uint64_t total,
                     unsigned depth)
{
    unsigned stall = 0;
    uint64_t start = t->completed;

    if (t->max_seg == 0)
        t->max_seg = 3;
    if (depth > TRAFFIC_MAX)
        depth = TRAFFIC_MAX;
    while (t->completed - start < total && !virtqueue_broken(vq)) {
        unsigned slot, n = 0;
        uint32_t len;
        void *cookie;

        /* Fill up to depth */
        for (slot = 0; slot < depth && t->added - t->completed < depth; slot++) {
            struct virtqueue_sg sg[8];
            unsigned out, in, nseg = 1 + (unsigned)(t->seq % t->max_seg);
            struct treq *r = &t->req[slot];

            if (r->live)
                continue;
            traffic_sg(b, t->seq, nseg, sg, &out, &in);
            if (virtqueue_add(vq, sg, out, in, r) != 0)
                break;
            r->live = true;
            r->seq = t->seq++;
            r->in_len = 0;
            for (unsigned i = out; i < out + in; i++)
                r->in_len += sg[i].len;
            t->added++;
        }
        if (virtqueue_kick_prepare(vq))
            virtqueue_notify(vq);

        vmodel_run(b->m);

        while ((cookie = virtqueue_get(vq, &len)) != NULL) {
            struct treq *r = cookie;

            if (r < t->req || r >= t->req + TRAFFIC_MAX || !r->live ||
                (t->short_ok ? len > r->in_len : len != r->in_len))
                t->bad++;
            r->live = false;
            t->completed++;
            n++;
        }
        stall = n ? 0 : stall + 1;
        if (stall > 1000)
            break;
    }
    return t->completed - start;
}
