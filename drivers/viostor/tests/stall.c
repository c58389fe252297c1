/*
 * The StorPort emulation's stall rule (port/storport/stall.c) on viostor
 * with a slow device: one call of a routine StorPort runs at DISPATCH_LEVEL
 * or above busy-waits (StorPortStallExecution summed) 1 ms at most, each
 * delay under a full millisecond (storport/nf-storport-storportstallexecution).
 * HwInitialize runs at DIRQL (storport/nc-storport-hw_initialize): a wait
 * for the device there must end within 1 ms or be left to the passive
 * routine.  (ScsiStopAdapter/ScsiRestartAdapter on a device slow to reset:
 * pnp.c's pnp_d3_d0_slow_reset and pnp_d3_d0_reset_too_slow, under the
 * rule.)
 */
#include "viostor_test.h"

/* One WRITE(10) and its READ(10) back, compared. */
static void write_read(struct vm *vm, const char *what)
{
    uint8_t c[10] = {0x2a, 0, 0, 0, 0, 8, 0, 0, 1, 0}, out[512], in[512] = {0};
    for (unsigned i = 0; i < sizeof(out); i++)
        out[i] = (uint8_t)(i * 7 + 3);
    if (!vs_ok(vm, c, 10, out, sizeof(out), false, what))
        return;
    c[0] = 0x28;
    if (vs_ok(vm, c, 10, in, sizeof(in), true, what))
        VW_EXPECT(vm, memcmp(in, out, sizeof(in)) == 0, "%s: read back differs", what);
}

/* Every request completes 5 ms of virtual time after the device took it
 * (a slow host's back end): no routine waits for it under the rule
 * (HwInitialize no longer polls for GET_ID: 5010 us at DIRQL before). */
VW_SCENARIO("viostor", stall_slow_device_5ms, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {.delay = 5 * VS_SECOND / 1000};
    if (vs_start(vm, &d, &o))
        write_read(vm, "5 ms device");
    vs_finish(vm, &d);
}
