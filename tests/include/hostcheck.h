/*
 * The check line of the host unit-test programs (check-viorngum,
 * check-gtca): expect() prints "PASS: " or "FAIL: ", HOSTCHECK_PREFIX and the
 * message, and counts it; hostcheck_end() prints the "N passed, N failed"
 * line tests/host-units.sh reads and returns the exit status.
 *
 * Usage: #define HOSTCHECK_PREFIX "reg: " (optional), #include this header
 * in the one file holding main(); return hostcheck_end() from main().
 */
#ifndef HOSTCHECK_H
#define HOSTCHECK_H

#include <stdarg.h>
#include <stdio.h>

#ifndef HOSTCHECK_PREFIX
#define HOSTCHECK_PREFIX ""
#endif

static int hostcheck_passed, hostcheck_failed;

/* One check: its line, counted. */
__attribute__((format(printf, 2, 3))) static void expect(int ok, const char *fmt, ...)
{
    va_list ap;
    printf("%s: %s", ok ? "PASS" : "FAIL", HOSTCHECK_PREFIX);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    if (ok)
        hostcheck_passed++;
    else
        hostcheck_failed++;
}

/* The summary line; 1 when a check failed. */
static int hostcheck_end(void)
{
    printf("%d passed, %d failed\n", hostcheck_passed, hostcheck_failed);
    return hostcheck_failed ? 1 : 0;
}

#endif
