/*
 * badndisoff: the offload loopback miniport (testdrv/vwndisoff.c) with its
 * planted bugs compiled in; the keyword "Plant" picks one per offload
 * checker (tests/harness/selftest/ndis_offload.c).
 */
#define VWNDISOFF_PLANTED 1
#include "../testdrv/vwndisoff.c"
