/*
 * badndishw: the NDIS miniport on a virtio-blk function (testdrv/vwndishw.c)
 * with its planted bugs compiled in; the adapter keyword "Plant" picks one
 * per checker of the hardware exports (tests/harness/selftest/ndis_hw.c).
 */
#define VWNDISHW_PLANTED 1
#include "../testdrv/vwndishw.c"
