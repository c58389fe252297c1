/*
 * test_main.c - runs every virtio core test; ends with "N passed, N failed".  An optional argument
 * selects tests whose name contains it.
 */
#include "vtest.h"

int main(int argc, char **argv)
{
    const struct vtest *const tables[] = {vtest_ring, vtest_transport, vtest_harden, vtest_req,
                                          vtest_packed_ooo};

    return vtest_run(argc, argv, tables, sizeof(tables) / sizeof(tables[0]));
}
