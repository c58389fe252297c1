/*
 * Host test of arch/x86/div64.c, the 64-bit division helpers of x86
 * drivers: every result must equal the host CPU's own division, for edge
 * cases and for a fixed pseudo-random sample.
 */
#include <stdint.h>
#include <stdio.h>

uint64_t __udivmoddi4(uint64_t num, uint64_t den, uint64_t *rem);
uint64_t __udivdi3(uint64_t num, uint64_t den);
uint64_t __umoddi3(uint64_t num, uint64_t den);
int64_t __divdi3(int64_t num, int64_t den);
int64_t __moddi3(int64_t num, int64_t den);

static unsigned passed, failed;

static void check(uint64_t a, uint64_t b)
{
    uint64_t rem;
    int ok = __udivdi3(a, b) == a / b && __umoddi3(a, b) == a % b &&
             __udivmoddi4(a, b, &rem) == a / b && rem == a % b;
    int64_t sa = (int64_t)a, sb = (int64_t)b;
    /* INT64_MIN / -1 overflows in C; the helpers wrap like the hardware
     * would not, so that one case is skipped. */
    if (!(sa == INT64_MIN && sb == -1))
        ok = ok && __divdi3(sa, sb) == sa / sb && __moddi3(sa, sb) == sa % sb;
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAIL %llu / %llu\n", (unsigned long long)a, (unsigned long long)b);
    }
}

static uint64_t next(uint64_t *state)
{
    /* xorshift64*: deterministic, so a failure reproduces. */
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 0x2545F4914F6CDD1DULL;
}

int main(void)
{
    static const uint64_t edges[] = {0,
                                     1,
                                     2,
                                     3,
                                     7,
                                     10,
                                     0xff,
                                     0xffff,
                                     0x7fffffff,
                                     0x80000000,
                                     0xffffffff,
                                     0x100000000ULL,
                                     0x123456789ULL,
                                     0x7fffffffffffffffULL,
                                     0x8000000000000000ULL,
                                     0xfffffffffffffffeULL,
                                     0xffffffffffffffffULL};
    const size_t n = sizeof(edges) / sizeof(edges[0]);

    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (edges[j] != 0)
                check(edges[i], edges[j]);

    uint64_t state = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 200000; i++) {
        uint64_t a = next(&state), b = next(&state);
        b >>= next(&state) % 64; /* divisors of every magnitude */
        if (b == 0)
            b = 1;
        check(a >> (next(&state) % 64), b);
    }
    printf("%u passed, %u failed\n", passed, failed);
    return failed != 0;
}
