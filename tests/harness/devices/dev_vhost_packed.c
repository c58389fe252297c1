/*
 * Packed-ring cursors for the vhost front end (see dev_vhost_packed.h).
 */
#include "dev_vhost_packed.h"
#include <stdlib.h>
#include <string.h>

#define DESC_F_NEXT  (1u << 0)
#define DESC_F_AVAIL (1u << 7)
#define DESC_F_USED  (1u << 15)

/* Start following a ring of NUM descriptors, both wrap counters at 1. */
bool vw_vhost_packed_init(struct vw_vhost_packed *p, unsigned num, bool in_order)
{
    vw_vhost_packed_free(p);
    *p = (struct vw_vhost_packed){.num = num, .in_order = in_order};
    p->avail_wrap = p->used_wrap = true;
    p->len = calloc(num ? num : 1, sizeof(*p->len));
    p->end = calloc(num ? num : 1, sizeof(*p->end));
    p->seq = calloc(num ? num : 1, sizeof(*p->seq));
    p->head_addr = calloc(num ? num : 1, sizeof(*p->head_addr));
    p->head_flags = calloc(num ? num : 1, sizeof(*p->head_flags));
    p->avail_id = calloc(num ? num : 1, sizeof(*p->avail_id));
    p->used_id = calloc(num ? num : 1, sizeof(*p->used_id));
    return p->len != NULL && p->end != NULL && p->seq != NULL && p->head_addr != NULL &&
           p->head_flags != NULL && p->avail_id != NULL && p->used_id != NULL;
}

/* Release the per-ID tables. */
void vw_vhost_packed_free(struct vw_vhost_packed *p)
{
    free(p->len);
    free(p->end);
    free(p->seq);
    free(p->head_addr);
    free(p->head_flags);
    free(p->avail_id);
    free(p->used_id);
    p->len = NULL;
    p->end = NULL;
    p->seq = NULL;
    p->head_addr = NULL;
    p->head_flags = NULL;
    p->avail_id = NULL;
    p->used_id = NULL;
}

/* Descriptor I's flags, read once (the other side writes them last). */
static uint16_t flags_at(const void *desc, unsigned i)
{
    return __atomic_load_n((const uint16_t *)((const uint8_t *)desc + 16ull * i + 14),
                           __ATOMIC_ACQUIRE);
}

/* Descriptor I's buffer ID. */
static uint16_t id_at(const void *desc, unsigned i)
{
    uint16_t id;
    memcpy(&id, (const uint8_t *)desc + 16ull * i + 12, 2);
    return id;
}

/* Advance a cursor by N descriptors, flipping its wrap counter past the end. */
static void advance(const struct vw_vhost_packed *p, unsigned *pos, bool *wrap, unsigned n)
{
    *pos += n;
    while (*pos >= p->num) {
        *pos -= p->num;
        *wrap = !*wrap;
    }
}

/* Do flags F say available in the lap whose wrap counter is WRAP (AVAIL
 * as WRAP, USED not)? */
static bool is_avail(uint16_t f, bool wrap)
{
    return !!(f & DESC_F_AVAIL) == wrap && !!(f & DESC_F_USED) != wrap;
}

/* Do flags F say used in the lap whose wrap counter is WRAP (both as WRAP)? */
static bool is_used(uint16_t f, bool wrap)
{
    return !!(f & DESC_F_AVAIL) == wrap && !!(f & DESC_F_USED) == wrap;
}

/* Descriptors of the chain whose head is at POS in the lap WRAP, and its
 * buffer ID (in the last descriptor).  A head the device already
 * overwrote lost its NEXT flag: its chain is the run of still-available
 * descriptors after it ending in one without NEXT that names the same ID,
 * else the head alone. */
static unsigned chain_at(const struct vw_vhost_packed *p, const void *desc, unsigned pos, bool wrap,
                         uint16_t *id)
{
    uint16_t f = flags_at(desc, pos);
    unsigned n = 1, at = pos;
    bool w = wrap;
    if (is_used(f, wrap)) {
        *id = id_at(desc, pos);
        for (unsigned k = 1; k < p->num; k++) {
            advance(p, &at, &w, 1);
            uint16_t g = flags_at(desc, at);
            if (!is_avail(g, w))
                return 1;
            if (!(g & DESC_F_NEXT))
                return id_at(desc, at) == *id ? k + 1 : 1;
        }
        return 1;
    }
    while ((f & DESC_F_NEXT) && n < p->num) {
        advance(p, &at, &w, 1);
        f = flags_at(desc, at);
        n++;
    }
    *id = id_at(desc, at);
    return n;
}

/* Catch up: chains the driver made available, then buffers the device
 * used, each from where the cursor stopped (at most a lap each). */
void vw_vhost_packed_follow(struct vw_vhost_packed *p, const void *desc)
{
    if (p->num == 0 || p->len == NULL)
        return;
    for (unsigned steps = 0; steps < p->num; steps++) {
        uint16_t f = flags_at(desc, p->avail_pos), id;
        if (!!(f & DESC_F_AVAIL) != p->avail_wrap)
            break; /* not made available in this lap yet */
        /* The head's address, kept only when the slot was still available
         * before and after reading it (a used slot is the device's). */
        uint64_t addr;
        memcpy(&addr, (const uint8_t *)desc + 16ull * p->avail_pos, 8);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (!is_avail(f, p->avail_wrap) || !is_avail(flags_at(desc, p->avail_pos), p->avail_wrap))
            addr = VW_VHOST_NO_ADDR;
        unsigned n = chain_at(p, desc, p->avail_pos, p->avail_wrap, &id);
        advance(p, &p->avail_pos, &p->avail_wrap, n);
        if (id < p->num) {
            p->len[id] = (uint16_t)n;
            p->end[id] = p->avail_pos | (uint32_t)p->avail_wrap << 31;
            p->seq[id] = p->made_available;
            p->head_addr[id] = addr;
            p->head_flags[id] = f;
        }
        p->avail_id[p->made_available % p->num] = id;
        p->made_available++;
        steps += n - 1;
    }
    for (unsigned steps = 0; steps < p->num && p->used < p->made_available; steps++) {
        uint16_t f = flags_at(desc, p->used_pos);
        if (!is_used(f, p->used_wrap))
            break;
        uint16_t id = id_at(desc, p->used_pos);
        bool known = id < p->num && p->len[id] != 0;
        if (p->in_order && known && p->seq[id] >= p->used) {
            /* IN_ORDER: one used descriptor for the batch up to ID. */
            for (uint64_t k = p->used; k <= p->seq[id]; k++)
                p->used_id[k % p->num] = p->avail_id[k % p->num];
            p->used = p->seq[id] + 1;
            p->used_pos = p->end[id] & 0x7fffffff;
            p->used_wrap = p->end[id] >> 31;
        } else {
            p->used_id[p->used % p->num] = id;
            p->used++;
            advance(p, &p->used_pos, &p->used_wrap, known ? p->len[id] : 1);
        }
    }
}
