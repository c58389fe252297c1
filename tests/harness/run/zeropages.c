/*
 * Release the runner's all-zero pages before it forks runs (zeropages.h).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "zeropages.h"

/* Is the page at P all zero? */
static bool page_zero(const uint8_t *p, size_t page)
{
    const uint64_t *w = (const uint64_t *)p;
    for (size_t i = 0; i < page / sizeof(*w); i++)
        if (w[i] != 0)
            return false;
    return true;
}

/* Drop the resident all-zero pages of [start, end). */
static size_t release_range(uint8_t *start, uint8_t *end, size_t page)
{
    size_t pages = (size_t)(end - start) / page, released = 0;
    unsigned char *resident = malloc(pages ? pages : 1);
    if (resident == NULL || mincore(start, (size_t)(end - start), resident) != 0) {
        free(resident);
        return 0;
    }
    for (size_t i = 0; i < pages;) {
        if (!(resident[i] & 1) || !page_zero(start + i * page, page)) {
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < pages && (resident[j] & 1) && page_zero(start + j * page, page))
            j++;
        if (madvise(start + i * page, (j - i) * page, MADV_DONTNEED) == 0)
            released += j - i;
        i = j;
    }
    free(resident);
    return released;
}

/* Is this process's only thread the caller (a page found zero must stay
 * zero until it is released)? */
static bool single_threaded(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[128];
    long threads = 0;
    while (f != NULL && fgets(line, sizeof(line), f) != NULL)
        if (sscanf(line, "Threads: %ld", &threads) == 1)
            break;
    if (f != NULL)
        fclose(f);
    return threads == 1;
}

size_t vw_release_zero_pages(void)
{
    if (!single_threaded())
        return 0;
    FILE *f = fopen("/proc/self/maps", "r");
    if (f == NULL)
        return 0;
    size_t page = (size_t)sysconf(_SC_PAGESIZE), released = 0;
    char line[512];
    while (fgets(line, sizeof(line), f) != NULL) {
        unsigned long lo, hi, off;
        char perms[8], dev[16];
        unsigned long inode;
        int name = 0;
        if (sscanf(line, "%lx-%lx %7s %lx %15s %lu %n", &lo, &hi, perms, &off, dev, &inode, &name) <
            6)
            continue;
        const char *path = line + name;
        /* Private anonymous memory the process reads and writes: the heap
         * and anonymous mappings, not files, the stack or special areas. */
        if (perms[0] != 'r' || perms[1] != 'w' || perms[3] != 'p' || inode != 0 ||
            (path[0] != 0 && path[0] != '\n' && strncmp(path, "[heap]", 6) != 0))
            continue;
        released += release_range((uint8_t *)lo, (uint8_t *)hi, page);
    }
    fclose(f);
    return released;
}
