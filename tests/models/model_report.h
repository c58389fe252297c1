/*
 * How a host-only device model tells its user what it saw, with no harness
 * type: a failure (the driver broke the device's rules, or a scenario asked
 * for the impossible) or a log line.  The harness attachment forwards them
 * to vw_fail / vw_log; a model without a hook stays silent.
 */
#pragma once
#include <stdbool.h>

typedef void (*model_report_fn)(void *ctx, bool failure, const char *msg);

struct model_report {
    model_report_fn fn;
    void *ctx;
};

/* Format and pass one failure or log line to R's hook, if any. */
void model_report(const struct model_report *r, bool failure, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
