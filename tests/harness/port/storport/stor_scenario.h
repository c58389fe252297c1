/*
 * What the scenarios of every StorPort miniport (viostor, vioscsi) share:
 * SCSI's big-endian fields (SPC-4 3.5.2: the most significant byte first)
 * and the check that the driver logged a line (its DbgPrint lines land in
 * the scenario log).  Included by viostor_test.h and vioscsi_test.h.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "scenario.h"
#include "vw_srb.h"

/* The big-endian 32-bit field at P. */
static inline uint32_t stor_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The big-endian 64-bit field at P. */
static inline uint64_t stor_be64(const uint8_t *p)
{
    return (uint64_t)stor_be32(p) << 32 | stor_be32(p + 4);
}

/* V as an N-byte big-endian field at P. */
static inline void stor_put_be(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

/* A line of the scenario log holds A and, when not NULL, B after it. */
static inline bool stor_logged(struct vm *vm, const char *a, const char *b)
{
    const char *line = vm->log;
    while (line != NULL && *line != 0) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        const char *at = strstr(line, a);
        if (at != NULL && (size_t)(at - line) < len) {
            const char *found = b ? strstr(at + strlen(a), b) : at;
            if (found != NULL && (size_t)(found - line) < len)
                return true;
        }
        line = end ? end + 1 : NULL;
    }
    return false;
}

/* Such a line, or the run fails naming it (a choice or a bad value the
 * driver must log). */
static inline void stor_expect_logged(struct vm *vm, const char *a, const char *b)
{
    VW_EXPECT(vm, stor_logged(vm, a, b), "no log line \"%s%s%s\" (the driver must log it)", a,
              b ? "..." : "", b ? b : "");
}
