/*
 * nk_rss_pub.c - the RSS map the data path reads without a lock: two maps
 * and a published index (nk_rss.h, "Publishing"; nk_pub.c says why a
 * reader never sees a half-written map).
 */
#include "nk_rss.h"

#include <string.h>

/* IRQL <= DISPATCH_LEVEL. enter the published map (never waits for a writer). */
const struct nk_rss_map *nk_rss_read_begin(struct nk_rss_pub *p, unsigned *slot)
{
    *slot = nk_pub_read_begin(&p->pub);
    return &p->map[*slot];
}

/* IRQL <= DISPATCH_LEVEL. leave the map nk_rss_read_begin gave. */
void nk_rss_read_end(struct nk_rss_pub *p, unsigned slot)
{
    nk_pub_read_end(&p->pub, slot);
}

/* IRQL: any (one writer at a time). the published map, for the writer. */
const struct nk_rss_map *nk_rss_current(const struct nk_rss_pub *p)
{
    return &p->map[nk_pub_current(&p->pub)];
}

/* IRQL: any (one writer at a time). the spare map, a copy of the published
 * one to change; NULL while a reader is still inside it (try again). */
struct nk_rss_map *nk_rss_write_begin(struct nk_rss_pub *p)
{
    unsigned cur = nk_pub_current(&p->pub);
#ifndef NK_PLANTED_RSS_INPLACE
    int spare = nk_pub_write_begin(&p->pub);
    if (spare < 0)
        return NULL;
#else
    int spare = (int)cur; /* planted: the published map rewritten under its readers */
#endif
    if ((unsigned)spare != cur)
        memcpy(&p->map[spare], &p->map[cur], sizeof(p->map[0]));
    return &p->map[spare];
}

/* IRQL: any (one writer at a time). the spare map, now complete, published. */
void nk_rss_publish(struct nk_rss_pub *p)
{
#ifndef NK_PLANTED_RSS_INPLACE
    nk_pub_publish(&p->pub);
#else
    (void)p; /* planted: written in place, nothing to flip */
#endif
}
