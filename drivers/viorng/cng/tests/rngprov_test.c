/*
 * Host-side unit tests of the viorng CNG provider logic (rngprov.c), with a
 * scripted fake in place of the Windows I/O layer.  Prints one PASS/FAIL
 * line per check and ends with "N passed, N failed" (exit 1 on failures).
 */
#include "../rngprov.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hostcheck.h>

/* ---- the fake I/O layer ---- */

#define FAKE_MAX_READS 64

enum fake_mode {
    FAKE_FULL,      /* every read returns what was asked */
    FAKE_SHORT,     /* every read returns at most short_len bytes */
    FAKE_FAIL_N,    /* the first fail_n reads fail with fail_status, then FULL */
    FAKE_EMPTY,     /* every read succeeds with 0 bytes */
    FAKE_OVERCLAIM, /* the first read claims one byte more than asked */
};

struct fake {
    enum fake_mode mode;
    uint32_t short_len;
    int fail_n;
    rngprov_status fail_status;
    int device_present;
    int alloc_fails;
    /* counters */
    int opens, closes, allocs, frees, reads;
    uint32_t read_len[FAKE_MAX_READS];
    uint32_t largest_read;
    uint8_t next; /* the byte stream the "device" produces: 1, 2, 3, ... */
    int dev_token;
};

static rngprov_status fake_open(void *ctx, void **dev)
{
    struct fake *f = ctx;
    if (!f->device_present)
        return RNGPROV_NO_SUCH_DEVICE;
    f->opens++;
    *dev = &f->dev_token;
    return RNGPROV_SUCCESS;
}

static rngprov_status fake_read(void *ctx, void *dev, uint8_t *buf, uint32_t len, uint32_t *got)
{
    struct fake *f = ctx;
    if (dev != &f->dev_token)
        return RNGPROV_INVALID_HANDLE;
    if (f->reads < FAKE_MAX_READS)
        f->read_len[f->reads] = len;
    f->reads++;
    if (len > f->largest_read)
        f->largest_read = len;
    uint32_t n = len;
    switch (f->mode) {
    case FAKE_FULL:
        break;
    case FAKE_SHORT:
        n = len < f->short_len ? len : f->short_len;
        break;
    case FAKE_FAIL_N:
        if (f->fail_n > 0) {
            f->fail_n--;
            return f->fail_status;
        }
        break;
    case FAKE_EMPTY:
        *got = 0;
        return RNGPROV_SUCCESS;
    case FAKE_OVERCLAIM:
        for (uint32_t i = 0; i < len; i++)
            buf[i] = ++f->next;
        *got = len + 1;
        return RNGPROV_SUCCESS;
    }
    for (uint32_t i = 0; i < n; i++)
        buf[i] = ++f->next;
    *got = n;
    return RNGPROV_SUCCESS;
}

static void fake_close(void *ctx, void *dev)
{
    struct fake *f = ctx;
    if (dev == &f->dev_token)
        f->closes++;
}

/* Freed blocks are kept (poisoned, not released) until the test ends, so
 * that a stale handle can be passed back safely. */
static void *graveyard[64];
static int ngrave;

static void *fake_alloc(void *ctx, size_t size)
{
    struct fake *f = ctx;
    if (f->alloc_fails)
        return NULL;
    f->allocs++;
    return malloc(size);
}

static void fake_free(void *ctx, void *p)
{
    struct fake *f = ctx;
    f->frees++;
    if (ngrave < (int)(sizeof(graveyard) / sizeof(graveyard[0])))
        graveyard[ngrave++] = p;
    else
        free(p);
}

static struct rngprov_io io_for(struct fake *f)
{
    struct rngprov_io io = {f, fake_open, fake_read, fake_close, fake_alloc, fake_free};
    return io;
}

static const uint16_t RNG[] = {'R', 'N', 'G', 0};

static void fresh(struct fake *f)
{
    memset(f, 0, sizeof(*f));
    f->device_present = 1;
}

/* The bytes 1, 2, 3, ... (mod 256) the fake produced, in order. */
static int is_stream(const uint8_t *buf, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        if (buf[i] != (uint8_t)(i + 1))
            return 0;
    return 1;
}

static int is_zero(const uint8_t *buf, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        if (buf[i])
            return 0;
    return 1;
}

/* ---- tests ---- */

static void test_open(void)
{
    struct fake f;
    struct rngprov_io io;
    void *alg = (void *)1;
    static const uint16_t aes[] = {'A', 'E', 'S', 0}, rn[] = {'R', 'N', 0},
                          rngx[] = {'R', 'N', 'G', 'X', 0}, lower[] = {'r', 'n', 'g', 0};

    fresh(&f);
    io = io_for(&f);
    expect(rngprov_open(&io, NULL, RNG, 0) == RNGPROV_INVALID_PARAMETER, "open: NULL handle out");
    expect(rngprov_open(&io, &alg, NULL, 0) == RNGPROV_INVALID_PARAMETER && alg == NULL,
           "open: NULL algorithm id, handle cleared");
    expect(rngprov_open(&io, &alg, aes, 0) == RNGPROV_NOT_FOUND, "open: AES is not ours");
    expect(rngprov_open(&io, &alg, rn, 0) == RNGPROV_NOT_FOUND, "open: RN (prefix) refused");
    expect(rngprov_open(&io, &alg, rngx, 0) == RNGPROV_NOT_FOUND, "open: RNGX (longer) refused");
    expect(rngprov_open(&io, &alg, lower, 0) == RNGPROV_NOT_FOUND,
           "open: ids are case-sensitive like CNG's");
    expect(rngprov_open(&io, &alg, RNG, 1) == RNGPROV_NOT_SUPPORTED,
           "open: BCRYPT_PROV_DISPATCH refused");
    expect(f.opens == 0 && f.allocs == 0, "open: refused calls touch neither device nor heap");

    f.device_present = 0;
    expect(rngprov_open(&io, &alg, RNG, 0) == RNGPROV_NO_SUCH_DEVICE && alg == NULL,
           "open: no device");
    expect(f.allocs == f.frees, "open: no device leaks nothing (%d allocs, %d frees)", f.allocs,
           f.frees);

    fresh(&f);
    f.alloc_fails = 1;
    io = io_for(&f);
    expect(rngprov_open(&io, &alg, RNG, 0) == RNGPROV_NO_MEMORY && f.opens == 0,
           "open: out of memory, device not opened");

    fresh(&f);
    io = io_for(&f);
    expect(rngprov_open(&io, &alg, RNG, 0) == RNGPROV_SUCCESS && alg != NULL && f.opens == 1,
           "open: RNG opens the device once");
    expect(rngprov_close(alg, 0) == RNGPROV_SUCCESS && f.closes == 1 && f.frees == f.allocs,
           "close: device closed, memory freed");
}

static void test_close(void)
{
    struct fake f;
    struct rngprov_io io;
    void *alg;
    uint32_t junk[4] = {0xdeadbeef, 0, 0, 0};

    fresh(&f);
    io = io_for(&f);
    rngprov_open(&io, &alg, RNG, 0);
    expect(rngprov_close(NULL, 0) == RNGPROV_INVALID_HANDLE, "close: NULL handle");
    expect(rngprov_close(junk, 0) == RNGPROV_INVALID_HANDLE, "close: foreign pointer");
    expect(rngprov_close(alg, 4) == RNGPROV_INVALID_PARAMETER && f.closes == 0,
           "close: unknown flags refused, handle stays open");
    expect(rngprov_close(alg, 0) == RNGPROV_SUCCESS, "close: ok");
    expect(rngprov_close(alg, 0) == RNGPROV_INVALID_HANDLE && f.closes == 1,
           "close: a closed handle is refused, not closed twice");
    uint8_t b[4];
    expect(rngprov_gen(alg, b, sizeof(b), 0) == RNGPROV_INVALID_HANDLE && f.reads == 0,
           "gen: a closed handle is refused without I/O");
}

static void test_gen_args(void)
{
    struct fake f;
    struct rngprov_io io;
    void *alg;
    uint8_t b[16];

    fresh(&f);
    io = io_for(&f);
    rngprov_open(&io, &alg, RNG, 0);
    expect(rngprov_gen(NULL, b, sizeof(b), 0) == RNGPROV_INVALID_HANDLE, "gen: NULL handle");
    expect(rngprov_gen(alg, NULL, 5, 0) == RNGPROV_INVALID_PARAMETER, "gen: NULL buffer");
    expect(rngprov_gen(alg, b, sizeof(b), 2) == RNGPROV_INVALID_PARAMETER,
           "gen: BCRYPT_USE_SYSTEM_PREFERRED_RNG never reaches a provider: refused");
    expect(rngprov_gen(alg, b, sizeof(b), 0x100) == RNGPROV_INVALID_PARAMETER,
           "gen: unknown flag refused");
    expect(f.reads == 0, "gen: refused calls do no I/O");
    expect(rngprov_gen(alg, NULL, 0, 0) == RNGPROV_SUCCESS && f.reads == 0,
           "gen: zero bytes succeed without I/O");
    memset(b, 0xee, sizeof(b));
    expect(rngprov_gen(alg, b, sizeof(b), RNGPROV_USE_ENTROPY_IN_BUFFER) == RNGPROV_SUCCESS &&
               is_stream(b, sizeof(b)),
           "gen: USE_ENTROPY_IN_BUFFER accepted (and ignored, as since Windows 8)");
    rngprov_close(alg, 0);
}

static void test_gen_split(void)
{
    struct fake f;
    struct rngprov_io io;
    void *alg;
    static uint8_t big[3 * 4096 + 1000];

    fresh(&f);
    io = io_for(&f);
    rngprov_open(&io, &alg, RNG, 0);
    expect(rngprov_gen(alg, big, 10000, 0) == RNGPROV_SUCCESS && is_stream(big, 10000),
           "gen: 10000 bytes, all from the device, in order");
    expect(f.reads == 3 && f.read_len[0] == 4096 && f.read_len[1] == 4096 &&
               f.read_len[2] == 10000 - 8192,
           "gen: split into 4096 + 4096 + 1808 (got %d reads: %u %u %u)", f.reads, f.read_len[0],
           f.read_len[1], f.read_len[2]);

    f.reads = 0, f.next = 0, f.largest_read = 0;
    rngprov_status st = rngprov_gen(alg, big, sizeof(big), 0);
    expect(st == RNGPROV_SUCCESS && is_stream(big, sizeof(big)) &&
               f.largest_read <= RNGPROV_MAX_READ,
           "gen: %zu bytes, no read over %u (largest %u)", sizeof(big), RNGPROV_MAX_READ,
           f.largest_read);

    f.reads = 0, f.next = 0, f.largest_read = 0;
    expect(rngprov_gen(alg, big, 4096, 0) == RNGPROV_SUCCESS && f.reads == 1 &&
               f.largest_read == 4096,
           "gen: exactly 4096 bytes is one read");
    f.reads = 0, f.next = 0;
    expect(rngprov_gen(alg, big, 4097, 0) == RNGPROV_SUCCESS && f.reads == 2 && f.read_len[1] == 1,
           "gen: 4097 bytes is 4096 + 1");
    rngprov_close(alg, 0);

    fresh(&f);
    f.mode = FAKE_SHORT;
    f.short_len = 100;
    io = io_for(&f);
    rngprov_open(&io, &alg, RNG, 0);
    st = rngprov_gen(alg, big, 1000, 0);
    expect(st == RNGPROV_SUCCESS && is_stream(big, 1000) && f.reads == 10,
           "gen: short reads are continued until the buffer is full (%d reads)", f.reads);
    int ok = 1;
    for (int i = 0; i < f.reads && i < FAKE_MAX_READS; i++)
        ok &= f.read_len[i] == 1000u - 100u * (uint32_t)i;
    expect(ok, "gen: each read asks for exactly what is still missing");
    rngprov_close(alg, 0);
}

static void test_gen_errors(void)
{
    struct fake f;
    struct rngprov_io io;
    void *alg;
    uint8_t b[300];

    /* A device restart fails one read; the retry succeeds. */
    fresh(&f);
    f.mode = FAKE_FAIL_N;
    f.fail_n = 1;
    f.fail_status = RNGPROV_DEVICE_ERROR;
    io = io_for(&f);
    rngprov_open(&io, &alg, RNG, 0);
    expect(rngprov_gen(alg, b, sizeof(b), 0) == RNGPROV_SUCCESS && is_stream(b, sizeof(b)) &&
               f.reads == 2,
           "gen: one failed read is retried");
    rngprov_close(alg, 0);

    /* A dead device: bounded attempts, its status returned, buffer wiped. */
    fresh(&f);
    f.mode = FAKE_FAIL_N;
    f.fail_n = 1000;
    f.fail_status = (rngprov_status)0xC00000A3; /* STATUS_DEVICE_NOT_READY */
    io = io_for(&f);
    rngprov_open(&io, &alg, RNG, 0);
    memset(b, 0x5a, sizeof(b));
    rngprov_status st = rngprov_gen(alg, b, sizeof(b), 0);
    expect(st == (rngprov_status)0xC00000A3, "gen: a dead device's status is returned (0x%08x)",
           (unsigned)st);
    expect(f.reads == RNGPROV_MAX_ATTEMPTS, "gen: gives up after %d attempts (made %d)",
           RNGPROV_MAX_ATTEMPTS, f.reads);
    expect(is_zero(b, sizeof(b)), "gen: failed request leaves the buffer zeroed");
    rngprov_close(alg, 0);

    /* Progress resets the attempt budget: fail, data, fail, data... is fine. */
    fresh(&f);
    f.mode = FAKE_SHORT;
    f.short_len = 100;
    io = io_for(&f);
    rngprov_open(&io, &alg, RNG, 0);
    f.mode = FAKE_FAIL_N;
    f.fail_n = RNGPROV_MAX_ATTEMPTS - 1;
    f.fail_status = RNGPROV_DEVICE_ERROR;
    expect(rngprov_gen(alg, b, sizeof(b), 0) == RNGPROV_SUCCESS,
           "gen: %d failures then data succeed", RNGPROV_MAX_ATTEMPTS - 1);
    rngprov_close(alg, 0);

    /* A device that answers with nothing, forever: no endless loop. */
    fresh(&f);
    f.mode = FAKE_EMPTY;
    io = io_for(&f);
    rngprov_open(&io, &alg, RNG, 0);
    memset(b, 0x5a, sizeof(b));
    st = rngprov_gen(alg, b, sizeof(b), 0);
    expect(st == RNGPROV_DEVICE_ERROR && f.reads == RNGPROV_MAX_ATTEMPTS && is_zero(b, sizeof(b)),
           "gen: empty reads end after %d attempts with an I/O error (status 0x%08x, %d reads)",
           RNGPROV_MAX_ATTEMPTS, (unsigned)st, f.reads);
    rngprov_close(alg, 0);

    /* A layer claiming more bytes than asked: nothing trusted. */
    fresh(&f);
    f.mode = FAKE_OVERCLAIM;
    io = io_for(&f);
    rngprov_open(&io, &alg, RNG, 0);
    st = rngprov_gen(alg, b, sizeof(b), 0);
    expect(st == RNGPROV_DEVICE_ERROR && f.reads == 1 && is_zero(b, sizeof(b)),
           "gen: a read returning more than asked fails at once, buffer zeroed");
    rngprov_close(alg, 0);
    expect(f.allocs == f.frees && f.opens == f.closes, "gen: no leaks across error paths");
}

static void test_properties(void)
{
    struct fake f;
    struct rngprov_io io;
    void *alg;
    uint8_t out[8];
    uint32_t result = 77;
    static const uint16_t prop[] = {'O', 'b', 'j', 'e', 'c', 't', 'L', 'e', 'n', 'g', 't', 'h', 0};

    fresh(&f);
    io = io_for(&f);
    rngprov_open(&io, &alg, RNG, 0);
    expect(rngprov_get_property(alg, prop, out, sizeof(out), &result, 0) == RNGPROV_NOT_SUPPORTED &&
               result == 0,
           "get_property: not supported, result 0");
    expect(rngprov_get_property(NULL, prop, out, sizeof(out), &result, 0) == RNGPROV_INVALID_HANDLE,
           "get_property: NULL handle");
    expect(rngprov_get_property(alg, NULL, out, sizeof(out), &result, 0) ==
               RNGPROV_INVALID_PARAMETER,
           "get_property: NULL property");
    expect(rngprov_get_property(alg, prop, out, sizeof(out), NULL, 0) == RNGPROV_INVALID_PARAMETER,
           "get_property: NULL result");
    expect(rngprov_set_property(alg, prop, out, sizeof(out), 0) == RNGPROV_NOT_SUPPORTED,
           "set_property: not supported");
    expect(rngprov_set_property(NULL, prop, out, sizeof(out), 0) == RNGPROV_INVALID_HANDLE,
           "set_property: NULL handle");
    rngprov_close(alg, 0);
}

static void test_multisz(void)
{
    static const uint16_t two[] = {'a', 0, 'b', 'b', 0, 0};
    static const uint16_t empty[] = {0};
    static const uint16_t unterminated[] = {'a', 0, 'b', 'c'};
    size_t pos = 0;
    const uint16_t *s1 = rngprov_multisz_next(two, 6, &pos);
    const uint16_t *s2 = rngprov_multisz_next(two, 6, &pos);
    const uint16_t *s3 = rngprov_multisz_next(two, 6, &pos);
    expect(s1 == two && s2 == two + 2 && s3 == NULL, "multisz: two strings then the end");
    pos = 0;
    expect(rngprov_multisz_next(empty, 1, &pos) == NULL, "multisz: empty list");
    pos = 0;
    expect(rngprov_multisz_next(two, 0, &pos) == NULL, "multisz: zero length");
    pos = 0;
    s1 = rngprov_multisz_next(unterminated, 4, &pos);
    s2 = rngprov_multisz_next(unterminated, 4, &pos);
    expect(s1 == unterminated && s2 == NULL,
           "multisz: an unterminated last string is dropped, nothing read past the end");
    pos = 99;
    expect(rngprov_multisz_next(two, 6, &pos) == NULL, "multisz: position past the end");
    pos = 0;
    expect(rngprov_multisz_next(NULL, 6, &pos) == NULL, "multisz: NULL list");
}

int main(void)
{
    test_open();
    test_close();
    test_gen_args();
    test_gen_split();
    test_gen_errors();
    test_properties();
    test_multisz();
    for (int i = 0; i < ngrave; i++)
        free(graveyard[i]);
    return hostcheck_end();
}
