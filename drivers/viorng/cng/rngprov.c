/*
 * rngprov: argument validation, handle bookkeeping and the read loop of the
 * viorng CNG provider (see rngprov.h).  No Windows headers here.
 */
#include "rngprov.h"

/* "VRNG": marks a live handle, cleared on close so that a stale or foreign
 * pointer is refused instead of used. */
#define RNGPROV_MAGIC 0x474e5256u

/* The largest read issued.  Overridable only so that check-viorngum can
 * build a planted-bug copy (one byte too many) and see its tests fail. */
#ifndef RNGPROV_READ_CHUNK
#define RNGPROV_READ_CHUNK RNGPROV_MAX_READ
#endif

struct rngprov_alg {
    uint32_t magic;
    const struct rngprov_io *io;
    void *dev;
};

/* The algorithm object a CNG handle stands for, or NULL when it is not one of ours. */
static struct rngprov_alg *rngprov_from_handle(void *alg)
{
    struct rngprov_alg *a = alg;
    return a != NULL && a->magic == RNGPROV_MAGIC ? a : NULL;
}

/* Volatile stores: a failed request must not leave half-random bytes that
 * a caller ignoring the status would use, and the compiler must not drop
 * the wipe as dead. */
static void rngprov_wipe(uint8_t *buf, uint32_t len)
{
    volatile uint8_t *p = buf;
    for (uint32_t i = 0; i < len; i++)
        p[i] = 0;
}

/* Whether a CNG algorithm id is "RNG", the only one the provider implements. */
static int rngprov_is_rng(const uint16_t *id)
{
    static const uint16_t rng[] = {'R', 'N', 'G', 0};
    for (size_t i = 0; i < sizeof(rng) / sizeof(rng[0]); i++)
        if (id[i] != rng[i])
            return 0;
    return 1;
}

/* BCryptOpenAlgorithmProvider for "RNG": an algorithm object with the device opened. */
rngprov_status rngprov_open(const struct rngprov_io *io, void **alg, const uint16_t *alg_id,
                            uint32_t flags)
{
    if (alg == NULL)
        return RNGPROV_INVALID_PARAMETER;
    *alg = NULL;
    if (alg_id == NULL)
        return RNGPROV_INVALID_PARAMETER;
    if (!rngprov_is_rng(alg_id))
        return RNGPROV_NOT_FOUND;
    /* BCRYPT_PROV_DISPATCH and the hash flags mean nothing to a user-mode RNG. */
    if (flags != 0)
        return RNGPROV_NOT_SUPPORTED;

    struct rngprov_alg *a = io->alloc(io->ctx, sizeof(*a));
    if (a == NULL)
        return RNGPROV_NO_MEMORY;
    void *dev = NULL;
    rngprov_status status = io->open(io->ctx, &dev);
    if (status != RNGPROV_SUCCESS) {
        io->free(io->ctx, a);
        return status;
    }
    a->magic = RNGPROV_MAGIC;
    a->io = io;
    a->dev = dev;
    *alg = a;
    return RNGPROV_SUCCESS;
}

/* BCryptCloseAlgorithmProvider: close the device and free the object. */
rngprov_status rngprov_close(void *alg, uint32_t flags)
{
    struct rngprov_alg *a = rngprov_from_handle(alg);
    if (a == NULL)
        return RNGPROV_INVALID_HANDLE;
    if (flags != 0)
        return RNGPROV_INVALID_PARAMETER;
    const struct rngprov_io *io = a->io;
    a->magic = 0;
    io->close(io->ctx, a->dev);
    io->free(io->ctx, a);
    return RNGPROV_SUCCESS;
}

/* BCryptGenRandom: fill buf from the device, read by read until len bytes came. */
rngprov_status rngprov_gen(void *alg, uint8_t *buf, uint32_t len, uint32_t flags)
{
    struct rngprov_alg *a = rngprov_from_handle(alg);
    if (a == NULL)
        return RNGPROV_INVALID_HANDLE;
    if ((flags & ~RNGPROV_USE_ENTROPY_IN_BUFFER) != 0 || (buf == NULL && len != 0))
        return RNGPROV_INVALID_PARAMETER;

    uint32_t done = 0;
    int attempts = 0;
    rngprov_status last = RNGPROV_DEVICE_ERROR;
    while (done < len) {
        uint32_t want = len - done < RNGPROV_READ_CHUNK ? len - done : RNGPROV_READ_CHUNK;
        uint32_t got = 0;
        rngprov_status status = a->io->read(a->io->ctx, a->dev, buf + done, want, &got);
        if (status == RNGPROV_SUCCESS && got > want) {
            /* The layer claims more than the buffer holds: nothing it
             * returned can be trusted. */
            last = RNGPROV_DEVICE_ERROR;
            break;
        }
        if (status == RNGPROV_SUCCESS && got > 0) {
            done += got;
            attempts = 0;
            continue;
        }
        last = status == RNGPROV_SUCCESS ? RNGPROV_DEVICE_ERROR : status;
        if (++attempts >= RNGPROV_MAX_ATTEMPTS)
            break;
    }
    if (done == len)
        return RNGPROV_SUCCESS;
    rngprov_wipe(buf, len);
    return last;
}

/* BCryptGetProperty: the provider has no properties to report. */
rngprov_status rngprov_get_property(void *object, const uint16_t *property, uint8_t *out,
                                    uint32_t len, uint32_t *result, uint32_t flags)
{
    (void)out;
    (void)len;
    (void)flags;
    if (rngprov_from_handle(object) == NULL)
        return RNGPROV_INVALID_HANDLE;
    if (property == NULL || result == NULL)
        return RNGPROV_INVALID_PARAMETER;
    *result = 0;
    return RNGPROV_NOT_SUPPORTED;
}

/* BCryptSetProperty: the provider has no properties to change. */
rngprov_status rngprov_set_property(void *object, const uint16_t *property, const uint8_t *in,
                                    uint32_t len, uint32_t flags)
{
    (void)in;
    (void)len;
    (void)flags;
    if (rngprov_from_handle(object) == NULL)
        return RNGPROV_INVALID_HANDLE;
    if (property == NULL)
        return RNGPROV_INVALID_PARAMETER;
    return RNGPROV_NOT_SUPPORTED;
}

/* The next string of a bounded MULTI_SZ list at *pos, or NULL at its end. */
const uint16_t *rngprov_multisz_next(const uint16_t *list, size_t count, size_t *pos)
{
    size_t start = *pos;
    if (list == NULL || start >= count || list[start] == 0)
        return NULL;
    size_t end = start;
    while (end < count && list[end] != 0)
        end++;
    if (end == count)
        return NULL; /* unterminated last string: not a usable path */
    *pos = end + 1;
    return list + start;
}
