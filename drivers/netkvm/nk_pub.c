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
 * The reader half is inline in nk_pub.h (per frame); the same accesses.
 */
#include "nk_pub.h"

#define LOAD(p)     __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)

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
