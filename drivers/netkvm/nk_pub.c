/*
 * nk_pub.c - the published index of two copies (nk_pub.h).  Why a reader
 * never sees a half-written copy: every access below is sequentially
 * consistent, so they fall in one total order.  A reader uses copy s only
 * after it counted itself in readers[s] AND then still found s published.
 * The writer writes only the copy that is not published, and only after it
 * found its reader count 0.  If the writer's "0" came first, the reader's
 * count came later, so the reader's re-check of the index came after the
 * writer published the other copy: it sees the other index and backs out
 * without touching s.  If the reader's count came first, the writer sees it
 * and does not write.  The writer publishes a copy only once it is complete.
 */
#include "nk_pub.h"

#define LOAD(p)     __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#define INC(p)      ((void)__atomic_fetch_add((p), 1u, __ATOMIC_SEQ_CST))
#define DEC(p)      ((void)__atomic_fetch_sub((p), 1u, __ATOMIC_SEQ_CST))

/* IRQL <= DISPATCH_LEVEL. enter the published copy (never waits for a writer). */
unsigned nk_pub_read_begin(struct nk_pub *p)
{
    for (;;) {
        unsigned s = LOAD(&p->published) & 1u;
        INC(&p->readers[s]);
        if ((LOAD(&p->published) & 1u) == s)
            return s;
        DEC(&p->readers[s]); /* republished meanwhile: take the new one */
    }
}

/* IRQL <= DISPATCH_LEVEL. leave the copy nk_pub_read_begin gave. */
void nk_pub_read_end(struct nk_pub *p, unsigned slot)
{
    DEC(&p->readers[slot & 1u]);
}

/* IRQL: any (one writer at a time). the published copy's index, for the writer. */
unsigned nk_pub_current(const struct nk_pub *p)
{
    return LOAD(&p->published) & 1u;
}

/* IRQL: any (one writer at a time). the spare copy's index, -1 while a
 * reader is still inside it (try again). */
int nk_pub_write_begin(struct nk_pub *p)
{
    unsigned spare = (LOAD(&p->published) & 1u) ^ 1u;
    if (LOAD(&p->readers[spare]) != 0)
        return -1;
    return (int)spare;
}

/* IRQL: any (one writer at a time). the spare copy, now complete, published. */
void nk_pub_publish(struct nk_pub *p)
{
    STORE(&p->published, (LOAD(&p->published) & 1u) ^ 1u);
}
