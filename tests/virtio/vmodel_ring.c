/*
 * vmodel_ring.c - the device end of the split and packed virtqueues.
 *
 * The device reads what the driver made available, checks it (descriptor
 * ranges, loops, ordering of readable/writable segments, index jumps),
 * hands each request to the handler, and completes requests as the
 * behaviour says: in order or not, after a delay, in batches, honouring
 * the driver's event suppression - or, in malicious mode, writing values a
 * correct device never would.
 */
#include <string.h>

#include "vmodel_priv.h"
#include "../../common/virtio/virtio_spec.h"

#define P_AVAIL ((uint16_t)1 << VIRTQ_DESC_F_AVAIL)
#define P_USED  ((uint16_t)1 << VIRTQ_DESC_F_USED)

static uint16_t rd16(const void *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v; /* host is little-endian (checked in the tests) */
}

static uint32_t rd32(const void *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t rd64(const void *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static void wr16(void *p, uint16_t v)
{
    memcpy(p, &v, 2);
}

static void wr32(void *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static void barrier(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void vmodel_queue_reset(struct vmodel *m, struct vmodel_queue *q)
{
    struct vmodel_pending *pending = q->pending;
    bool hold = q->hold; /* the scenario's setting, not device state */

    memset(q, 0, sizeof(*q));
    q->pending = pending;
    q->hold = hold;
    q->size = m->cfg.queue_max;
    q->msix_vector = VIRTIO_MSI_NO_VECTOR;
    q->avail_wrap = true;
    q->used_wrap = true;
}

/** Parser state for one request */
struct chain {
    unsigned nsegs;
    uint32_t out_len, in_len;
    bool seen_write;
    bool bad;
};

static void chain_seg(struct vmodel *m, struct chain *c, uint64_t addr, uint32_t len, bool write)
{
    void *va;

    if (c->bad)
        return;
    if (c->nsegs >= VMODEL_MAX_SEGS) {
        vmodel_error(m, "request with more than %u segments", VMODEL_MAX_SEGS);
        c->bad = true;
        return;
    }
    if (len == 0) {
        vmodel_error(m, "zero-length descriptor");
        c->bad = true;
        return;
    }
    if (!write && c->seen_write) {
        vmodel_error(m, "device-readable descriptor after a writable one");
        c->bad = true;
        return;
    }
    if ((va = vmodel_dma(m, addr, len)) == NULL) {
        c->bad = true;
        return;
    }
    c->seen_write |= write;
    m->segs[c->nsegs].va = va;
    m->segs[c->nsegs].len = len;
    m->segs[c->nsegs].write = write;
    c->nsegs++;
    if (write)
        c->in_len += len;
    else
        c->out_len += len;
}

/** Walk an indirect table (split or packed layout) */
static void chain_indirect(struct vmodel *m, struct chain *c, uint64_t addr, uint32_t len,
                           bool packed)
{
    const uint8_t *tbl;
    unsigned n, i, count = 0;

    if (len == 0 || (len & 15)) {
        vmodel_error(m, "indirect table length %u", len);
        c->bad = true;
        return;
    }
    if ((tbl = vmodel_dma(m, addr, len)) == NULL) {
        c->bad = true;
        return;
    }
    n = len / 16;
    for (i = 0; i < n && !c->bad; count++) {
        const uint8_t *d = tbl + 16 * i;
        uint16_t flags = rd16(d + (packed ? 14 : 12));

        if (count >= n) {
            vmodel_error(m, "loop in indirect table");
            c->bad = true;
            return;
        }
        if (flags & VIRTQ_DESC_F_INDIRECT) {
            vmodel_error(m, "nested indirect descriptor");
            c->bad = true;
            return;
        }
        chain_seg(m, c, rd64(d), rd32(d + 8), flags & VIRTQ_DESC_F_WRITE);
        if (packed) {
            i++;
        } else {
            if (!(flags & VIRTQ_DESC_F_NEXT))
                break;
            i = rd16(d + 14);
            if (i >= n) {
                vmodel_error(m, "indirect next %u out of table", i);
                c->bad = true;
            }
        }
    }
}

/** Hand a parsed request to the handler; returns the written length */
static uint32_t handle(struct vmodel *m, uint16_t qi, uint16_t id, const struct chain *c)
{
    struct vmodel_req req = {
        .queue = qi,
        .id = id,
        .nsegs = (uint16_t)c->nsegs,
        .out_len = c->out_len,
        .in_len = c->in_len,
        .segs = m->segs,
    };
    uint32_t written;
    unsigned i;

    if (m->handler != NULL) {
        written = m->handler(m->handler_ctx, &req);
        if (written == VMODEL_LATER)
            return VMODEL_LATER; /* left in the ring, not consumed */
        m->stats.requests++;
    } else {
        m->stats.requests++;
        for (i = 0; i < c->nsegs; i++)
            if (m->segs[i].write)
                memset(m->segs[i].va, (uint8_t)(0xa0 + id), m->segs[i].len);
        written = c->in_len;
    }
    if (m->beh.short_writes)
        written = c->in_len ? vmodel_rand(m) % (c->in_len + 1) : 0;
    return written > c->in_len ? c->in_len : written;
}

/** Pick the next request to complete, or -1 */
static int pick(struct vmodel *m, struct vmodel_queue *q)
{
    unsigned i, start;

    if (q->npending == 0 || q->hold)
        return -1;
    start = m->beh.out_of_order ? vmodel_rand(m) % q->npending : 0;
    for (i = 0; i < q->npending; i++) {
        unsigned k = (start + i) % q->npending;

        if (m->step >= q->pending[k].step + m->beh.delay)
            return (int)k;
        if (!m->beh.out_of_order)
            return -1;
    }
    return -1;
}

static void drop(struct vmodel_queue *q, unsigned k)
{
    memmove(&q->pending[k], &q->pending[k + 1], (q->npending - k - 1) * sizeof(q->pending[0]));
    q->npending--;
}

/** Should this completion misbehave? Returns one VMODEL_EVIL_* bit or 0 */
static uint32_t evil_now(struct vmodel *m, uint32_t allowed)
{
    uint32_t bits = m->beh.evil & allowed, pickbit;
    unsigned n = 0, i;

    if (bits == 0)
        return 0;
    if (m->beh.evil_rate > 1 && vmodel_rand(m) % m->beh.evil_rate != 0)
        return 0;
    for (i = 0; i < 32; i++)
        n += (bits >> i) & 1;
    pickbit = vmodel_rand(m) % n;
    for (i = 0; i < 32; i++)
        if (((bits >> i) & 1) && pickbit-- == 0)
            break;
    m->stats.evil_done++;
    return 1u << i;
}

/** An id the driver does not have outstanding */
static uint16_t idle_id(struct vmodel *m, struct vmodel_queue *q)
{
    unsigned tries, k;

    for (tries = 0; tries < 4u * q->size; tries++) {
        uint16_t id = (uint16_t)(vmodel_rand(m) % q->size);
        bool busy = false;

        for (k = 0; k < q->npending && !busy; k++)
            busy = q->pending[k].id == id;
        if (!busy)
            return id;
    }
    return q->size; /* all busy: out of range instead */
}

/* ---------------------------------------------------------------------- */
/* Split ring (spec 2.7)                                                  */

static bool split_consume(struct vmodel *m, uint16_t qi, const uint8_t *desc, uint16_t head,
                          struct chain *c)
{
    struct vmodel_queue *q = &m->q[qi];
    unsigned count = 0;
    uint16_t i = head;

    memset(c, 0, sizeof(*c));
    for (;;) {
        const uint8_t *d;
        uint16_t flags;

        if (i >= q->size) {
            vmodel_error(m, "descriptor index %u >= %u", i, q->size);
            return false;
        }
        if (++count > q->size) {
            vmodel_error(m, "descriptor loop from head %u", head);
            return false;
        }
        d = desc + 16u * i;
        flags = rd16(d + 12);
        if (flags & VIRTQ_DESC_F_INDIRECT) {
            if (count != 1 || (flags & VIRTQ_DESC_F_NEXT)) {
                vmodel_error(m, "indirect descriptor inside a chain");
                return false;
            }
            if (!vmodel_has(m, VIRTIO_F_INDIRECT_DESC))
                vmodel_error(m, "indirect descriptor without INDIRECT_DESC");
            chain_indirect(m, c, rd64(d), rd32(d + 8), false);
            return !c->bad;
        }
        chain_seg(m, c, rd64(d), rd32(d + 8), flags & VIRTQ_DESC_F_WRITE);
        if (c->bad)
            return false;
        if (!(flags & VIRTQ_DESC_F_NEXT))
            return true;
        i = rd16(d + 14);
    }
}

static unsigned split_run(struct vmodel *m, uint16_t qi)
{
    struct vmodel_queue *q = &m->q[qi];
    uint16_t num = q->size;
    bool event_idx = vmodel_has(m, VIRTIO_F_EVENT_IDX) && !m->beh.ignore_event_idx;
    uint8_t *desc = vmodel_dma(m, q->desc, 16u * num);
    uint8_t *avail = vmodel_dma(m, q->driver, 6u + 2u * num);
    uint8_t *used = vmodel_dma(m, q->device, 6u + 8u * num);
    unsigned n = 0, limit = m->beh.batch ? m->beh.batch : ~0u;
    uint16_t avail_idx;
    struct chain c;

    if (desc == NULL || avail == NULL || used == NULL)
        return 0;

    /* Consume what the driver published */
    avail_idx = rd16(avail + 2);
    if ((uint16_t)(avail_idx - q->last_avail) > num) {
        vmodel_error(m, "avail idx moved by %u on a ring of %u",
                     (uint16_t)(avail_idx - q->last_avail), num);
        return 0;
    }
    barrier();
    while (q->last_avail != avail_idx) {
        uint16_t head = rd16(avail + 4 + 2u * (q->last_avail & (num - 1)));

        if (q->npending >= m->cfg.queue_max) {
            vmodel_error(m, "more requests in flight than the ring holds");
            return 0;
        }
        if (!split_consume(m, qi, desc, head, &c))
            return 0;
        uint32_t written = handle(m, qi, head, &c);
        if (written == VMODEL_LATER)
            break;
        q->pending[q->npending].id = head;
        q->pending[q->npending].in_len = written;
        q->pending[q->npending].step = m->step;
        q->npending++;
        q->last_avail++;
    }
    /* Ask to be notified at the next new buffer (event idx) or always */
    if (event_idx)
        wr16(used + 4 + 8u * num, q->last_avail);
    else
        wr16(used, 0);

    /* Complete */
    while (n < limit) {
        int k = pick(m, q);
        uint32_t evil;
        uint8_t *e;
        uint32_t id, len;

        if (k < 0)
            break;
        id = q->pending[k].id;
        len = q->pending[k].in_len;
        evil = evil_now(m, VMODEL_EVIL_BAD_ID | VMODEL_EVIL_IDLE_ID | VMODEL_EVIL_DOUBLE |
                               VMODEL_EVIL_BAD_LEN | VMODEL_EVIL_IDX_JUMP);
        if (evil == VMODEL_EVIL_BAD_ID)
            id = num + vmodel_rand(m) % 1000;
        else if (evil == VMODEL_EVIL_IDLE_ID)
            id = idle_id(m, q);
        else if (evil == VMODEL_EVIL_BAD_LEN)
            len = len + 1 + vmodel_rand(m) % 100;
        e = used + 4 + 8u * (q->used_idx & (num - 1));
        wr32(e, id);
        wr32(e + 4, len);
        q->used_idx++;
        if (evil == VMODEL_EVIL_DOUBLE) {
            e = used + 4 + 8u * (q->used_idx & (num - 1));
            wr32(e, id);
            wr32(e + 4, len);
            q->used_idx++;
        }
        if (evil == VMODEL_EVIL_IDX_JUMP)
            q->used_idx = (uint16_t)(q->used_idx + num + 1);
        if (evil != VMODEL_EVIL_BAD_ID && evil != VMODEL_EVIL_IDLE_ID)
            drop(q, (unsigned)k);
        n++;
        if (evil)
            break;
    }
    if (n == 0)
        return 0;
    barrier();
    wr16(used + 2, q->used_idx);
    m->stats.completions += n;
    barrier();

    /* Used buffer notification, as the driver asked (spec 2.7.10) */
    if (event_idx) {
        uint16_t ue = rd16(avail + 4 + 2u * num);

        if ((uint16_t)(q->used_idx - ue - 1) < (uint16_t)(q->used_idx - q->signalled))
            vmodel_interrupt(m, qi);
    } else if (m->beh.ignore_event_idx || !(rd16(avail) & VIRTQ_AVAIL_F_NO_INTERRUPT)) {
        vmodel_interrupt(m, qi);
    }
    q->signalled = q->used_idx;
    return n;
}

/* ---------------------------------------------------------------------- */
/* Packed ring (spec 2.8)                                                 */

static unsigned packed_run(struct vmodel *m, uint16_t qi)
{
    struct vmodel_queue *q = &m->q[qi];
    uint16_t num = q->size;
    bool event_idx = vmodel_has(m, VIRTIO_F_EVENT_IDX) && !m->beh.ignore_event_idx;
    uint8_t *desc = vmodel_dma(m, q->desc, 16u * num);
    uint8_t *drv = vmodel_dma(m, q->driver, 4);
    uint8_t *dev = vmodel_dma(m, q->device, 4);
    unsigned n = 0, limit = m->beh.batch ? m->beh.batch : ~0u;
    uint32_t old_lin = q->used_lin;
    struct chain c;

    if (desc == NULL || drv == NULL || dev == NULL)
        return 0;

    /* Consume available descriptors */
    for (;;) {
        uint16_t pos = q->last_avail, flags, id = 0, count = 0;
        bool wrap = q->avail_wrap;
        const uint8_t *d;

        flags = rd16(desc + 16u * pos + 14);
        if (!(((flags & P_AVAIL) != 0) == wrap && ((flags & P_USED) != 0) != wrap))
            break;
        barrier();
        memset(&c, 0, sizeof(c));
        for (;;) {
            d = desc + 16u * pos;
            flags = rd16(d + 14);
            if (++count > num) {
                vmodel_error(m, "packed chain longer than the ring");
                return 0;
            }
            if (count > 1 && !(((flags & P_AVAIL) != 0) == wrap && ((flags & P_USED) != 0) != wrap))
                vmodel_error(m, "packed chain element not available");
            id = rd16(d + 12);
            if (flags & VIRTQ_DESC_F_INDIRECT) {
                if (count != 1 || (flags & VIRTQ_DESC_F_NEXT))
                    vmodel_error(m, "packed indirect inside a chain");
                chain_indirect(m, &c, rd64(d), rd32(d + 8), true);
            } else {
                chain_seg(m, &c, rd64(d), rd32(d + 8), flags & VIRTQ_DESC_F_WRITE);
            }
            if (++pos == num) {
                pos = 0;
                wrap = !wrap;
            }
            if (!(flags & VIRTQ_DESC_F_NEXT) || c.bad)
                break;
        }
        if (c.bad)
            return 0;
        if (q->npending >= m->cfg.queue_max) {
            vmodel_error(m, "more requests in flight than the ring holds");
            return 0;
        }
        uint32_t written = handle(m, qi, id, &c);
        if (written == VMODEL_LATER)
            break;
        q->pending[q->npending].id = id;
        q->pending[q->npending].ndesc = count;
        q->pending[q->npending].in_len = written;
        q->pending[q->npending].step = m->step;
        q->npending++;
        q->last_avail = pos;
        q->avail_wrap = wrap;
    }
    /* Device event suppression: notify me at the next position, or always */
    if (event_idx) {
        wr16(dev, (uint16_t)(q->last_avail | (q->avail_wrap << RING_EVENT_WRAP_SHIFT)));
        barrier();
        wr16(dev + 2, RING_EVENT_FLAGS_DESC);
    } else {
        wr16(dev + 2, RING_EVENT_FLAGS_ENABLE);
    }

    /* Complete: one used descriptor per request, flags last */
    while (n < limit) {
        int k = pick(m, q);
        uint32_t evil, len;
        uint16_t id, ndesc, flags;
        uint8_t *d;
        unsigned times = 1, t;

        if (k < 0)
            break;
        id = q->pending[k].id;
        len = q->pending[k].in_len;
        ndesc = q->pending[k].ndesc;
        evil = evil_now(m, VMODEL_EVIL_BAD_ID | VMODEL_EVIL_IDLE_ID | VMODEL_EVIL_DOUBLE |
                               VMODEL_EVIL_BAD_LEN | VMODEL_EVIL_WRAP);
        if (evil == VMODEL_EVIL_BAD_ID)
            id = (uint16_t)(num + vmodel_rand(m) % 1000);
        else if (evil == VMODEL_EVIL_IDLE_ID)
            id = idle_id(m, q);
        else if (evil == VMODEL_EVIL_BAD_LEN)
            len = len + 1 + vmodel_rand(m) % 100;
        else if (evil == VMODEL_EVIL_DOUBLE)
            times = 2;
        for (t = 0; t < times; t++) {
            d = desc + 16u * q->used_idx;
            wr16(d + 12, id);
            wr32(d + 8, len);
            flags = q->used_wrap ? (P_AVAIL | P_USED) : 0;
            barrier();
            wr16(d + 14, flags);
            q->used_idx = (uint16_t)(q->used_idx + ndesc);
            q->used_lin += ndesc;
            if (q->used_idx >= num) {
                q->used_idx = (uint16_t)(q->used_idx - num);
                q->used_wrap = !q->used_wrap;
            }
        }
        if (evil == VMODEL_EVIL_WRAP) {
            /* A phantom used descriptor past the real ones, same lap */
            d = desc + 16u * q->used_idx;
            wr16(d + 12, id);
            wr32(d + 8, 0);
            barrier();
            wr16(d + 14, q->used_wrap ? (P_AVAIL | P_USED) : 0);
        }
        if (evil != VMODEL_EVIL_BAD_ID && evil != VMODEL_EVIL_IDLE_ID)
            drop(q, (unsigned)k);
        n++;
        if (evil)
            break;
    }
    if (n == 0)
        return 0;
    m->stats.completions += n;
    barrier();

    /* Driver event suppression (spec 2.8.10) */
    {
        uint16_t flags = rd16(drv + 2), off_wrap = rd16(drv);
        bool fire;

        if (m->beh.ignore_event_idx || flags == RING_EVENT_FLAGS_ENABLE) {
            fire = true;
        } else if (flags == RING_EVENT_FLAGS_DESC && event_idx) {
            uint32_t lap = q->used_lin - q->used_idx;
            uint32_t ev = lap + (off_wrap & 0x7fff);

            if ((bool)(off_wrap >> RING_EVENT_WRAP_SHIFT) != q->used_wrap)
                ev -= num;
            fire = ev - old_lin < q->used_lin - old_lin;
        } else if (flags == RING_EVENT_FLAGS_DESC) {
            vmodel_error(m, "driver event DESC without EVENT_IDX");
            fire = true;
        } else {
            fire = flags != RING_EVENT_FLAGS_DISABLE;
        }
        if (fire)
            vmodel_interrupt(m, qi);
    }
    return n;
}

unsigned vmodel_ring_run(struct vmodel *m, uint16_t qi)
{
    if (vmodel_has(m, VIRTIO_F_RING_PACKED))
        return packed_run(m, qi);
    return split_run(m, qi);
}
