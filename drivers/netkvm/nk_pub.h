/*
 * nk_pub.h - two copies of a value and the index of the one published: the
 * data path (any number of readers, <= DISPATCH, no lock) reads the
 * published copy while the one writer (an OID set, PASSIVE) builds the
 * other, so no reader sees a half-written value.  The caller owns the two
 * copies (any type); this keeps only the index and the reader counts.
 * nk_pub.c says why it is safe.  Users: the RSS map (nk_rss_pub.c) and the
 * receive filter (nk_rxfilter.c).
 *
 *   Reader:  unsigned s = nk_pub_read_begin(p);  ... copy[s] ...;
 *            nk_pub_read_end(p, s);
 *   Writer:  int s = nk_pub_write_begin(p);      // -1: a reader is still
 *            ... build copy[s] ...;              // inside it, retry
 *            nk_pub_publish(p);                  // or drop: nothing changed
 */
#ifndef NK_PUB_H
#define NK_PUB_H

struct nk_pub {
    unsigned published;  /* index of the copy readers take */
    unsigned readers[2]; /* readers inside each copy */
};

/* IRQL <= DISPATCH_LEVEL. enter the published copy (never waits for a
 * writer).  Inline: it runs per received frame (RSS map, filter) */
static inline unsigned nk_pub_read_begin(struct nk_pub *p)
{
    for (;;) {
        unsigned s = __atomic_load_n(&p->published, __ATOMIC_SEQ_CST) & 1u;
        __atomic_fetch_add(&p->readers[s], 1u, __ATOMIC_SEQ_CST);
        if ((__atomic_load_n(&p->published, __ATOMIC_SEQ_CST) & 1u) == s)
            return s;
        /* republished meanwhile: take the new one */
        __atomic_fetch_sub(&p->readers[s], 1u, __ATOMIC_SEQ_CST);
    }
}

/* IRQL <= DISPATCH_LEVEL. leave the copy nk_pub_read_begin gave. */
static inline void nk_pub_read_end(struct nk_pub *p, unsigned slot)
{
    __atomic_fetch_sub(&p->readers[slot & 1u], 1u, __ATOMIC_SEQ_CST);
}

unsigned nk_pub_current(const struct nk_pub *p);
int nk_pub_write_begin(struct nk_pub *p);
void nk_pub_publish(struct nk_pub *p);

#endif /* NK_PUB_H */
