/*
 * Planted bugs for the StorPort checkers: the RAM-disk miniport with
 * VWSTOR_PLANTED, whose ArgumentString "mode=N" picks one bug
 * (testdrv/vwstor.c, VWSTOR_BUG_*; scenarios in selftest/storport.c).
 */
#define VWSTOR_PLANTED 1
#include "../testdrv/vwstor.c"
