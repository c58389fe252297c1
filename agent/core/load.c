/* Fixed-point load averages (load.h). */
#include "load.h"

#include "util.h"

/* exp(-5 s / 1, 5, 15 min) in fixed point, Linux's EXP_1, EXP_5, EXP_15. */
static const uint32_t decay[3] = {1884, 2014, 2037};

/* Fold one processor queue sample into the 1, 5 and 15 minute averages, as Linux does. */
void ga_load_sample(struct ga_load *l, uint32_t queue)
{
    /* More than 2^20 waiting threads would overflow; no machine has them. */
    uint64_t active = (uint64_t)(queue > (1u << 20) ? (1u << 20) : queue) * GA_LOAD_FIXED_1;
    for (int i = 0; i < 3; i++) {
        uint64_t v = (uint64_t)l->avg[i] * decay[i] + active * (GA_LOAD_FIXED_1 - decay[i]);
        if (active >= l->avg[i]) {
            v += GA_LOAD_FIXED_1 - 1; /* round up while rising, as Linux */
        }
        l->avg[i] = (uint32_t)(v / GA_LOAD_FIXED_1);
    }
}

/* A fixed-point load average as decimal text with two places. */
void ga_load_text(uint32_t fixed, char *buf, size_t size)
{
    uint32_t hundredths =
        (uint32_t)(((uint64_t)fixed * 100 + GA_LOAD_FIXED_1 / 2) / GA_LOAD_FIXED_1);
    ga_fmt(buf, size, "%u.%s%u", hundredths / 100, hundredths % 100 < 10 ? "0" : "",
           hundredths % 100);
}
