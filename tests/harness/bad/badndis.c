/*
 * badndis: the loopback miniport (testdrv/vwndis.c) with its planted bugs
 * compiled in; the vendor OID VWNDIS_OID_PLANT picks one per NDIS checker
 * (tests/harness/selftest/ndis.c).
 */
#define VWNDIS_PLANTED 1
#include "../testdrv/vwndis.c"
