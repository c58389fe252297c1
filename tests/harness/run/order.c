/*
 * The runner's start order: the expected cost of each scenario from a list
 * and the runs sorted costliest first (order.h).
 */
#include "order.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool vw_order_costs(const char *path, const char *const *driver, const char *const *name, size_t n,
                    uint64_t *cost)
{
    for (size_t i = 0; i < n; i++)
        cost[i] = VW_COST_UNKNOWN;
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "harness: cannot read %s: %s\n", path, strerror(errno));
        return false;
    }
    char line[512];
    unsigned lineno = 0;
    bool ok = true;
    while (ok && fgets(line, sizeof(line), f) != NULL) {
        lineno++;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        unsigned long long ms;
        char full[300];
        const char *slash;
        if (sscanf(line, "%llu %299s", &ms, full) != 2 || (slash = strchr(full, '/')) == NULL) {
            fprintf(stderr, "harness: %s:%u: \"MS driver/name\" expected\n", path, lineno);
            ok = false;
            break;
        }
        size_t dlen = (size_t)(slash - full);
        /* A scenario gone since the list was made is no error: the list
         * only orders, it never selects. */
        for (size_t i = 0; i < n; i++)
            if (strlen(driver[i]) == dlen && strncmp(driver[i], full, dlen) == 0 &&
                strcmp(name[i], slash + 1) == 0)
                cost[i] = ms;
    }
    fclose(f);
    return ok;
}

static const uint64_t *sort_cost; /* qsort has no context argument in C11 */

/* Costliest first, then in index order (qsort). */
static int by_cost(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (sort_cost[x] != sort_cost[y])
        return sort_cost[x] < sort_cost[y] ? 1 : -1;
    return x < y ? -1 : x > y;
}

void vw_order_sort(const uint64_t *cost, size_t n, size_t *order)
{
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    sort_cost = cost;
    qsort(order, n, sizeof(*order), by_cost);
    sort_cost = NULL;
}
