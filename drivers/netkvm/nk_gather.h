/*
 * nk_gather.h - the copy of a send's data into one flat buffer (tx.c's
 * bounce copy): a NET_BUFFER's bytes are DataLength bytes of its MDL chain,
 * starting CurrentMdlOffset bytes into CurrentMdl
 * (ndis/ns-ndis-_net_buffer).  The driver maps each MDL in turn and hands
 * its bytes here; this module holds the plan (what to skip, what to take,
 * where it goes) and checks it against the buffer, so a chain that is short
 * or longer than the buffer is one clear error, never a copy past either
 * end.  Includes no Windows header (host unit tests: test_gather.c).
 *
 *   struct nk_gather g;
 *   nk_gather_init(&g, dst, cap, first_mdl_offset, data_length);
 *   for each MDL from the current one, while nk_gather_want(&g):
 *       nk_gather_add(&g, mdl_va, mdl_bytes);        // NK_GATHER_ERR: stop
 *   nk_gather_done(&g)                               // every byte copied
 */
#ifndef NK_GATHER_H
#define NK_GATHER_H

#include <stdbool.h>
#include <stdint.h>

enum { NK_GATHER_OK = 0, NK_GATHER_ERR = -1 };

struct nk_gather {
    uint8_t *dst;  /* the flat buffer */
    uint32_t cap;  /* its bytes */
    uint32_t skip; /* bytes of the chain before the data (the first MDL's offset) */
    uint32_t left; /* data bytes still to copy */
    uint32_t at;   /* data bytes copied */
};

/* IRQL: any. a plan for length bytes, offset bytes into the chain, into
 * dst (cap bytes); NK_GATHER_ERR when length exceeds cap (nothing copied). */
int nk_gather_init(struct nk_gather *g, uint8_t *dst, uint32_t cap, uint32_t offset,
                   uint32_t length);

/* IRQL: any. whether the data needs another MDL's bytes. */
static inline bool nk_gather_want(const struct nk_gather *g)
{
    return g->left != 0;
}

/* IRQL: any. the next MDL's len bytes at p (p may be NULL when len is 0):
 * the skipped bytes passed over, the rest copied up to the data's end.
 * NK_GATHER_ERR: p is NULL with bytes to read (an MDL that could not be
 * mapped). */
int nk_gather_add(struct nk_gather *g, const uint8_t *p, uint32_t len);

/* IRQL: any. every data byte was copied (the chain was long enough). */
static inline bool nk_gather_done(const struct nk_gather *g)
{
    return g->left == 0;
}

#endif /* NK_GATHER_H */
