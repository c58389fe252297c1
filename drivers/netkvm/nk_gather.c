/*
 * nk_gather.c - the copy of a send's MDL chain into one flat buffer
 * (nk_gather.h).  Only the plan's arithmetic lives here; tx.c maps the MDLs.
 */
#include "nk_gather.h"

#include <string.h>

/* IRQL: any. see nk_gather.h */
int nk_gather_init(struct nk_gather *g, uint8_t *dst, uint32_t cap, uint32_t offset,
                   uint32_t length)
{
    g->dst = dst;
    g->cap = cap;
    g->skip = offset;
    g->left = 0;
    g->at = 0;
    if (length > cap)
        return NK_GATHER_ERR;
    g->left = length;
    return NK_GATHER_OK;
}

/* IRQL: any. see nk_gather.h */
int nk_gather_add(struct nk_gather *g, const uint8_t *p, uint32_t len)
{
    /* The offset may pass over whole MDLs (an empty first MDL, or an
     * offset at the MDL's very end) before the data starts */
#ifdef NK_PLANTED_GATHER_SKIP
    uint32_t pass = 0; /* planted: the first MDL's offset ignored */
#else
    uint32_t pass = g->skip < len ? g->skip : len;
#endif
    g->skip -= pass;
    len -= pass;
    if (len == 0 || g->left == 0)
        return NK_GATHER_OK;
    if (p == NULL)
        return NK_GATHER_ERR;
    uint32_t take = len < g->left ? len : g->left;
    memcpy(g->dst + g->at, p + pass, take);
    g->at += take;
    g->left -= take;
    return NK_GATHER_OK;
}
