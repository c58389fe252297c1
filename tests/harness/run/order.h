/*
 * The order the runner starts runs in (harness --order FILE): the costliest
 * scenarios first, by the wall time a list gives each (tests/harness/run/
 * costs, made from a previous run's --times report), so that no long run
 * is started last and ends alone.  The output order does not change.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A scenario's expected wall milliseconds when the list does not name it:
 * a new scenario may be long, so it starts among the first. */
#define VW_COST_UNKNOWN UINT64_MAX

/* Read PATH ("MS driver/name" a line, '#' comments) and set COST[i] for each
 * of the N scenarios named DRIVER[i]/NAME[i] (VW_COST_UNKNOWN when absent).
 * False, with a message, when PATH cannot be read or a line is malformed. */
bool vw_order_costs(const char *path, const char *const *driver, const char *const *name, size_t n,
                    uint64_t *cost);

/* Fill ORDER with 0..N-1 sorted by COST descending, ties in index order. */
void vw_order_sort(const uint64_t *cost, size_t n, size_t *order);
