/*
 * The memory figures the agent hands to the balloon driver
 * (drivers/balloon/balloon_ioctl.h): packed 10-byte tag/value entries,
 * only the figures Windows gave, memory figures clamped to the total so
 * that a figure sampled a moment apart from the total is never refused.
 */
#ifndef GA_BALLOON_STATS_H
#define GA_BALLOON_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ga_mem_figure {
    GA_MEM_SWAP_IN,  /* bytes read from the page file, since boot */
    GA_MEM_SWAP_OUT, /* bytes written to it */
    GA_MEM_MAJFLT,   /* hard faults */
    GA_MEM_MINFLT,   /* soft faults */
    GA_MEM_FREE,     /* bytes on the free and zeroed lists */
    GA_MEM_AVAIL,    /* bytes available to programs */
    GA_MEM_CACHES,   /* bytes of the file cache */
    GA_MEM_COUNT
};

struct ga_mem_figures {
    bool have[GA_MEM_COUNT];
    uint64_t value[GA_MEM_COUNT];
    uint64_t total; /* physical memory in bytes, 0 when unknown */
};

#define GA_BALLOON_ENTRY_SIZE 10
/* Packs the figures into out (GA_MEM_COUNT entries at most); returns the
 * length in bytes (0: nothing to send). */
size_t ga_balloon_pack(const struct ga_mem_figures *f, unsigned char *out);

#endif
