/*
 * Failures and log lines of the device models (see model_report.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include "model_report.h"

/* Format one line and hand it to the hook (host code, any thread). */
void model_report(const struct model_report *r, bool failure, const char *fmt, ...)
{
    if (r == NULL || r->fn == NULL)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    r->fn(r->ctx, failure, msg);
}
