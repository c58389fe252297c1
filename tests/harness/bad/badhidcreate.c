/*
 * badhid without the IRP_MJ_CREATE/IRP_MJ_CLOSE stubs a HID minidriver must
 * supply (selftest/planted_hid.c: checker_hid_dispatch).
 */
#define BADHID_NO_CREATE_CLOSE
#include "badhid.c"
