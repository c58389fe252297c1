/*
 * Load averages for guest-get-load.  Windows has no load average; like
 * QEMU's agent we smooth the processor queue length sampled every 5
 * seconds, here in fixed point with Linux's 1/5/15-minute decay factors
 * (11 fraction bits), so the figures mean what they mean on Linux.
 */
#ifndef GA_LOAD_H
#define GA_LOAD_H

#include <stddef.h>
#include <stdint.h>

#define GA_LOAD_FIXED_1   2048u
#define GA_LOAD_PERIOD_MS 5000u

struct ga_load {
    uint32_t avg[3]; /* 1, 5, 15 minutes, fixed point */
};

/* Folds one sample (threads waiting for a processor) into the averages. */
void ga_load_sample(struct ga_load *l, uint32_t queue);
/* A fixed-point average as a JSON number with two decimals ("1.25"). */
void ga_load_text(uint32_t fixed, char *buf, size_t size);

#endif
