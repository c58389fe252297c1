/*
 * test_main.c - runs the virtio-net model tests; ends with "N passed, N failed".  An optional
 * argument selects tests whose name contains it.
 */
#include "net_test.h"

int main(int argc, char **argv)
{
    const struct vtest *const tables[] = {net_tx_tests, net_rx_tests, net_ctrl_tests};

    return vtest_run(argc, argv, tables, sizeof(tables) / sizeof(tables[0]));
}
