/*
 * Planted bugs for the StorPort PCI checkers: the stordisk miniport with
 * VWPCIDISK_PLANTED, whose ArgumentString "mode=N" picks one bug
 * (testdrv/vwpcidisk.c, VWPCIDISK_BUG_*; scenarios in
 * selftest/storport_pci.c).
 */
#define VWPCIDISK_PLANTED 1
#include "../testdrv/vwpcidisk.c"
