/*
 * 64-bit division for x86 kernel code.
 *
 * On i686-w64-mingw32 clang lowers 64-bit '/' and '%' to calls to the libgcc
 * helpers below (cdecl).  The kernel exports MSVC's _alldiv family instead,
 * and linking libgcc would add a gcc-mingw-w64 dependency, so we provide
 * them: shift-and-subtract, at most 64 iterations, no division inside.
 */
#include <stdint.h>

uint64_t __udivmoddi4(uint64_t num, uint64_t den, uint64_t *rem);
uint64_t __udivdi3(uint64_t num, uint64_t den);
uint64_t __umoddi3(uint64_t num, uint64_t den);
int64_t __divdi3(int64_t num, int64_t den);
int64_t __moddi3(int64_t num, int64_t den);

uint64_t __udivmoddi4(uint64_t num, uint64_t den, uint64_t *rem)
{
    uint64_t quot = 0;

    if (den == 0) {
        /* Same as the hardware: divide error, which bugchecks in kernel. */
        __asm__ __volatile__("ud2");
        __builtin_unreachable();
    }
    if (den <= num) {
        int shift = __builtin_clzll(den) - __builtin_clzll(num);
        den <<= shift;
        for (; shift >= 0; shift--, den >>= 1) {
            quot <<= 1;
            if (num >= den) {
                num -= den;
                quot |= 1;
            }
        }
    }
    if (rem)
        *rem = num;
    return quot;
}

uint64_t __udivdi3(uint64_t num, uint64_t den)
{
    return __udivmoddi4(num, den, 0);
}

uint64_t __umoddi3(uint64_t num, uint64_t den)
{
    uint64_t rem;
    __udivmoddi4(num, den, &rem);
    return rem;
}

/* Magnitudes as unsigned so that INT64_MIN does not overflow. */
static uint64_t magnitude(int64_t v)
{
    return v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
}

int64_t __divdi3(int64_t num, int64_t den)
{
    uint64_t q = __udivmoddi4(magnitude(num), magnitude(den), 0);
    return (int64_t)(((num < 0) != (den < 0)) ? 0 - q : q);
}

int64_t __moddi3(int64_t num, int64_t den)
{
    uint64_t r;
    __udivmoddi4(magnitude(num), magnitude(den), &r);
    return (int64_t)(num < 0 ? 0 - r : r);
}
