/*
 * test_main.c - runs the virtio-scsi model tests; ends with "N passed, N failed".  An optional
 * argument selects tests whose name contains it.
 */
#include "scsi_test.h"

int main(int argc, char **argv)
{
    const struct vtest *const tables[] = {scsi_mem_tests, scsi_rule_tests, scsi_tgt_tests};

    return vtest_run(argc, argv, tables, sizeof(tables) / sizeof(tables[0]));
}
