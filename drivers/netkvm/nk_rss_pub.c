/*
 * nk_rss_pub.c - the RSS map the data path reads without a lock: two maps
 * and a published index (nk_rss.h, "Publishing").  Why a reader never sees
 * a half-written map: every access below is sequentially consistent, so
 * they fall in one total order.  A reader uses map s only after it counted
 * itself in readers[s] AND then still found s published.  The writer
 * writes only the map that is not published, and only after it found its
 * reader count 0.  If the writer's "0" came first, the reader's count came
 * later, so the reader's re-check of the index came after the writer
 * published the other map: it sees the other index and backs out without
 * touching s.  If the reader's count came first, the writer sees it and
 * does not write.  The writer publishes a map only once it is complete.
 */
#include "nk_rss.h"

#include <string.h>

#define LOAD(p)     __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#define INC(p)      ((void)__atomic_fetch_add((p), 1u, __ATOMIC_SEQ_CST))
#define DEC(p)      ((void)__atomic_fetch_sub((p), 1u, __ATOMIC_SEQ_CST))

/* IRQL <= DISPATCH_LEVEL. enter the published map (never waits for a writer). */
const struct nk_rss_map *nk_rss_read_begin(struct nk_rss_pub *p, unsigned *slot)
{
    for (;;) {
        unsigned s = LOAD(&p->published) & 1u;
        INC(&p->readers[s]);
        if ((LOAD(&p->published) & 1u) == s) {
            *slot = s;
            return &p->map[s];
        }
        DEC(&p->readers[s]); /* republished meanwhile: take the new one */
    }
}

/* IRQL <= DISPATCH_LEVEL. leave the map nk_rss_read_begin gave. */
void nk_rss_read_end(struct nk_rss_pub *p, unsigned slot)
{
    DEC(&p->readers[slot & 1u]);
}

/* IRQL: any (one writer at a time). the published map, for the writer. */
const struct nk_rss_map *nk_rss_current(const struct nk_rss_pub *p)
{
    return &p->map[LOAD(&p->published) & 1u];
}

/* IRQL: any (one writer at a time). the spare map, a copy of the published
 * one to change; NULL while a reader is still inside it (try again). */
struct nk_rss_map *nk_rss_write_begin(struct nk_rss_pub *p)
{
    unsigned spare = (LOAD(&p->published) & 1u) ^ 1u;
#ifndef NK_PLANTED_RSS_INPLACE
    if (LOAD(&p->readers[spare]) != 0)
        return NULL;
#else
    spare ^= 1u; /* planted: the published map rewritten under its readers */
#endif
    memcpy(&p->map[spare], &p->map[spare ^ 1u], sizeof(p->map[0]));
    return &p->map[spare];
}

/* IRQL: any (one writer at a time). the spare map, now complete, published. */
void nk_rss_publish(struct nk_rss_pub *p)
{
#ifndef NK_PLANTED_RSS_INPLACE
    STORE(&p->published, (LOAD(&p->published) & 1u) ^ 1u);
#else
    (void)p; /* planted: written in place, nothing to flip */
#endif
}
