/*
 * test_main.c - runs the virtio-net model tests; ends with "N passed, N
 * failed".  An optional argument selects tests whose name contains it.
 */
#include <stdio.h>
#include <string.h>

#include "net_test.h"

unsigned vtest_failed_checks;
const char *vtest_current;

void vtest_fail(const char *file, int line, const char *expr)
{
    fprintf(stderr, "  %s:%d: CHECK(%s) failed in %s\n", file, line, expr, vtest_current);
    vtest_failed_checks++;
}

int main(int argc, char **argv)
{
    const struct vtest *tables[] = {net_tx_tests, net_rx_tests, net_ctrl_tests};
    unsigned passed = 0, failed = 0;

    for (unsigned t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
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
