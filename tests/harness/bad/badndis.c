/*
 * badndis: the loopback miniport (testdrv/vwndis.c) with its planted bugs
 * compiled in; the vendor OID VW_OID_VWNDIS_PLANT picks one per NDIS checker
 * (tests/harness/selftest/ndis.c).
 */
#define VWNDIS_PLANTED 1
#include "../testdrv/vwndis.c"
