/*
 * vtest_run.c - the runner every host unit-test program built on vtest.h
 * shares: its main() lists its tables and calls vtest_run.
 */
#include <string.h>

#include "vtest.h"

unsigned vtest_failed_checks;
const char *vtest_current;

/* Records one failed CHECK of the current test. */
void vtest_fail(const char *file, int line, const char *expr)
{
    fprintf(stderr, "  %s:%d: CHECK(%s) failed in %s\n", file, line, expr, vtest_current);
    vtest_failed_checks++;
}

/* Runs the selected tests of every table; 0 when none failed. */
int vtest_run(int argc, char **argv, const struct vtest *const *tables, unsigned n)
{
    unsigned passed = 0, failed = 0;

    for (unsigned t = 0; t < n; t++)
        for (const struct vtest *v = tables[t]; v->name != NULL; v++) {
            unsigned before = vtest_failed_checks;

            if (argc > 1 && strstr(v->name, argv[1]) == NULL)
                continue;
            vtest_current = v->name;
            v->fn();
            if (vtest_failed_checks == before) {
                printf("ok   %s\n", v->name);
                passed++;
            } else {
                printf("FAIL %s\n", v->name);
                failed++;
            }
        }
    printf("%u passed, %u failed\n", passed, failed);
    return failed != 0;
}
