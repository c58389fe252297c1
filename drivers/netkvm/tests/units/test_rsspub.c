/* nk_rss_pub: the map the data path reads without a lock.  Reader and
 * writer steps interleaved by hand: a map a reader is inside is never
 * written (the writer is told to retry), a reader arriving after a publish
 * takes the new map, and a set dropped before its publish changes nothing
 * for readers.  The copy built with NK_PLANTED_RSS_INPLACE (the published
 * map rewritten in place) must fail. */
#include <string.h>

#include "nku.h"

/* Marks a map as generation g: every entry and key byte says g. */
static void fill(struct nk_rss_map *m, unsigned g)
{
    m->enabled = true;
    m->itable_len = NK_RSS_MAX_ITABLE;
    for (unsigned i = 0; i < NK_RSS_MAX_ITABLE; i++)
        m->cpu[i] = (uint16_t)g, m->queue[i] = (uint16_t)g;
    memset(m->key, (int)g, sizeof(m->key));
}

/* The map is whole generation g (no entry of another). */
static bool whole(const struct nk_rss_map *m, unsigned g)
{
    for (unsigned i = 0; i < NK_RSS_MAX_ITABLE; i++)
        if (m->cpu[i] != g || m->queue[i] != g)
            return false;
    for (unsigned i = 0; i < sizeof(m->key); i++)
        if (m->key[i] != (uint8_t)g)
            return false;
    return true;
}

void test_rsspub(void)
{
    static struct nk_rss_pub p;
    unsigned sa, sb, sc;
    memset(&p, 0, sizeof(p));
    struct nk_rss_map *w = nk_rss_write_begin(&p);
    if (w != NULL)
        fill(w, 1);
    nk_rss_publish(&p);
    const struct nk_rss_map *a = nk_rss_read_begin(&p, &sa);
    check(w != NULL && whole(a, 1), "rsspub: the first set is what a reader takes");
    /* Reader A stays inside generation 1 while a set builds generation 2 */
    w = nk_rss_write_begin(&p);
    check(w != NULL && w != a && whole(w, 1),
          "rsspub: a set builds in the spare map, a copy of the published one");
    if (w != NULL)
        fill(w, 2);
    check(whole(a, 1), "rsspub: a reader inside the map sees none of a set being built");
    nk_rss_publish(&p);
    const struct nk_rss_map *b = nk_rss_read_begin(&p, &sb);
    check(whole(b, 2) && whole(a, 1),
          "rsspub: after the publish a new reader takes generation 2, the old one keeps 1");
    /* The next set needs A's map: it must wait for A */
    w = nk_rss_write_begin(&p);
    check(w == NULL && whole(a, 1),
          "rsspub: a set never writes the map a reader is still inside (retry)");
    nk_rss_read_end(&p, sa);
    w = nk_rss_write_begin(&p);
    check(w != NULL && w != b && whole(w, 2), "rsspub: once the reader left, the set may build");
    if (w != NULL)
        fill(w, 3);
    check(whole(b, 2), "rsspub: the published map is untouched while the next one is built");
    /* Dropped without publishing (a refused set): readers keep generation 2 */
    const struct nk_rss_map *c = nk_rss_read_begin(&p, &sc);
    check(whole(c, 2) && whole(nk_rss_current(&p), 2),
          "rsspub: a set not published changes nothing for readers");
    nk_rss_read_end(&p, sb);
    nk_rss_read_end(&p, sc);
    check(p.pub.readers[0] == 0 && p.pub.readers[1] == 0,
          "rsspub: every reader counted out (%u, %u)", p.pub.readers[0], p.pub.readers[1]);
}
