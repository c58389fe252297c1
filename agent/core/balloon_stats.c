/* Packing of the balloon driver's statistics (balloon_stats.h). */
#include "balloon_stats.h"

/* The virtio tags (spec 5.5.6.3) of the figures, in enum order. */
static const uint16_t tags[GA_MEM_COUNT] = {0, 1, 2, 3, 4, 6, 7};

/* Pack the memory figures Windows gave as virtio-balloon statistics records for the driver. */
size_t ga_balloon_pack(const struct ga_mem_figures *f, unsigned char *out)
{
    size_t n = 0;
    for (int i = 0; i < GA_MEM_COUNT; i++) {
        if (!f->have[i]) {
            continue;
        }
        uint64_t v = f->value[i];
        bool memory = i == GA_MEM_FREE || i == GA_MEM_AVAIL || i == GA_MEM_CACHES;
        if (memory && f->total && v > f->total) {
            v = f->total;
        }
        /* Little-endian, whatever the host compiler's byte order. */
        out[n++] = (unsigned char)tags[i];
        out[n++] = (unsigned char)(tags[i] >> 8);
        for (int b = 0; b < 8; b++) {
            out[n++] = (unsigned char)(v >> (8 * b));
        }
    }
    return n;
}
