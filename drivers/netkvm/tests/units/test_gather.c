/* The bounce copy's plan (nk_gather, tx.c): a send's bytes taken from an
 * MDL chain, CurrentMdlOffset bytes into the first MDL, DataLength bytes
 * long, land in the flat buffer exactly, with nothing written past them;
 * a short chain, an unmapped MDL with bytes to read or data longer than the
 * buffer are refused.  The oracle is the chain's bytes laid end to end. */
#include <string.h>

#include "../../nk_gather.h"
#include "nku.h"

#define GMAX 70000u

static uint8_t whole[GMAX + 4096], flat[GMAX + 64];

/* A chain over whole: n pieces of the given lengths (NULL p for an
 * unmapped one when unmapped names its index). */
struct gchain {
    const uint8_t *p[4096];
    uint32_t len[4096];
    unsigned n;
};

/* Walks the chain as tx.c walks MDLs: while data is wanted, one add each. */
static int gather(const struct gchain *c, uint32_t cap, uint32_t off, uint32_t len, uint32_t *got)
{
    struct nk_gather g;
    memset(flat, 0xEE, sizeof(flat));
    if (nk_gather_init(&g, flat, cap, off, len) != NK_GATHER_OK)
        return -2;
    for (unsigned i = 0; i < c->n && nk_gather_want(&g); i++)
        if (nk_gather_add(&g, c->p[i], c->len[i]) != NK_GATHER_OK)
            return -1;
    *got = g.at;
    return nk_gather_done(&g) ? 0 : 1;
}

/* The bytes landed as the oracle says and nothing after them changed. */
static bool landed(uint32_t off, uint32_t len)
{
    if (memcmp(flat, whole + off, len) != 0)
        return false;
    for (uint32_t i = len; i < len + 64; i++)
        if (flat[i] != 0xEE)
            return false;
    return true;
}

/* Lays pieces of the given lengths end to end over whole. */
static void lay(struct gchain *c, const uint32_t *lens, unsigned n)
{
    uint32_t at = 0;
    c->n = n;
    for (unsigned i = 0; i < n; i++) {
        c->p[i] = whole + at;
        c->len[i] = lens[i];
        at += lens[i];
    }
}

static uint32_t seed = 0x2545F491u;

/* A small deterministic generator (xorshift32). */
static uint32_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    return seed;
}

/* Random chains: lengths 0..maxlen, an offset within the first piece (its
 * end included), data up to the chain's end; every copy exact. */
static void gather_random(unsigned rounds, uint32_t maxlen)
{
    static struct gchain c;
    static uint32_t lens[4096];
    unsigned bad = 0;
    for (unsigned r = 0; r < rounds; r++) {
        unsigned n = 1 + rnd() % 300;
        uint32_t total = 0;
        for (unsigned i = 0; i < n; i++) {
            lens[i] = rnd() % (maxlen + 1);
            if (total + lens[i] > GMAX)
                lens[i] = 0;
            total += lens[i];
        }
        lay(&c, lens, n);
        uint32_t off = lens[0] != 0 ? rnd() % (lens[0] + 1) : 0;
        uint32_t len = total - off != 0 ? rnd() % (total - off + 1) : 0;
        uint32_t got = 0;
        if (gather(&c, GMAX, off, len, &got) != 0 || got != len || !landed(off, len))
            bad++;
    }
    check(bad == 0, "gather: %u random chains (pieces of 0..%u bytes) copied exactly (%u wrong)",
          rounds, maxlen, bad);
}

/* IRQL: n/a. the test group. */
void test_gather(void)
{
    static struct gchain c;
    static uint32_t lens[4096];
    uint32_t got = 0;
    for (unsigned i = 0; i < sizeof(whole); i++)
        whole[i] = (uint8_t)(i * 7 + (i >> 8) + 1);

    /* One MDL, the data 20 bytes in (a LEAD of fill, as a stack leaves) */
    lens[0] = 1534;
    lay(&c, lens, 1);
    check(gather(&c, GMAX, 20, 1514, &got) == 0 && got == 1514 && landed(20, 1514),
          "gather: one MDL, CurrentMdlOffset 20: the 1514 bytes behind it");

    /* 1-byte MDLs: 1514 of them plus the 20-byte lead MDL */
    lens[0] = 21;
    for (unsigned i = 1; i < 1515; i++)
        lens[i] = 1;
    lay(&c, lens, 1515);
    check(gather(&c, GMAX, 20, 1515, &got) == 0 && got == 1515 && landed(20, 1515),
          "gather: a chain of 1514 one-byte MDLs behind a 21-byte first MDL at offset 20");
    lens[0] = 1;
    lay(&c, lens, 1515);
    check(gather(&c, GMAX, 1, 1514, &got) == 0 && got == 1514 && landed(1, 1514),
          "gather: one-byte MDLs, the first passed over whole (offset 1 of 1)");

    /* The offset at the first MDL's end, then empty MDLs before the data */
    uint32_t z[6] = {20, 0, 0, 700, 0, 814};
    lay(&c, z, 6);
    check(gather(&c, GMAX, 20, 1514, &got) == 0 && got == 1514 && landed(20, 1514),
          "gather: offset at the first MDL's end and empty MDLs between: exact");

    /* The chain goes on past the data: only DataLength bytes land */
    uint32_t longer[3] = {100, 2000, 5000};
    lay(&c, longer, 3);
    check(gather(&c, GMAX, 30, 1514, &got) == 0 && got == 1514 && landed(30, 1514),
          "gather: a chain longer than DataLength: 1514 bytes, nothing after them");

    /* 80 MDLs of a 64 KiB LSOv2 send behind a 20-byte lead (the scenario's shape) */
    uint32_t frame = 65549, per = (frame + 79) / 80;
    for (unsigned i = 0; i < 80; i++)
        lens[i] = per + (i == 0 ? 20 : 0);
    lay(&c, lens, 80);
    check(gather(&c, GMAX, 20, frame, &got) == 0 && got == frame && landed(20, frame),
          "gather: a 65549-byte LSOv2 frame in 80 MDLs at offset 20: exact");
    check(gather(&c, frame, 20, frame, &got) == 0 && got == frame && landed(20, frame),
          "gather: data exactly the buffer's size fits");

    /* Refusals: short chain, data longer than the buffer, an unmapped MDL */
    uint32_t shortc[2] = {100, 1000};
    lay(&c, shortc, 2);
    int rc = gather(&c, GMAX, 20, 1514, &got);
    check(rc == 1 && got == 1080, "gather: a chain 434 bytes short is not done (%u copied)", got);
    check(gather(&c, 1513, 0, 1514, &got) == -2,
          "gather: 1514 bytes into a 1513-byte buffer refused before any copy");
    lay(&c, longer, 3);
    c.p[1] = NULL;
    check(gather(&c, GMAX, 30, 1514, &got) == -1,
          "gather: an MDL that could not be mapped, with bytes to read, refused");
    c.p[1] = whole + 100;
    c.p[0] = NULL;
    lens[0] = 20;
    lens[1] = 1514;
    lay(&c, lens, 2);
    c.p[0] = NULL;
    check(gather(&c, GMAX, 20, 1514, &got) == 0 && landed(20, 1514),
          "gather: an unmapped first MDL that holds only the offset is passed over");
    check(gather(&c, GMAX, 0, 0, &got) == 0 && got == 0 && landed(0, 0),
          "gather: zero bytes: done at once, nothing written");

    gather_random(400, 1);
    gather_random(400, 40);
    gather_random(200, 1500);
}
