/*
 * The stall rule (port/storport/stall.c) with the RAM-disk miniport
 * testdrv/vwstor.c: one call of a routine StorPort runs at DISPATCH_LEVEL
 * or above busy-waits 1 ms at most (StorPortStallExecution summed), each
 * delay is under a full millisecond everywhere, and a wait at
 * PASSIVE_LEVEL is not summed.  Each routine's planted wait on the twin
 * (bad/badstor.c, "mode=N") fails by name; HwStartIo's is in storport.c.
 */
#include <string.h>
#include "stor_common.h"

#define SECTOR 512u

/* One WRITE(10) of sector 1 (through HwBuildIo, HwStartIo and the DPC). */
static bool write1(struct vm *vm)
{
    uint8_t cdb[10] = {0x2a, 0, 0, 0, 0, 1, 0, 0, 1, 0}, buf[SECTOR] = {0};
    struct vw_stor_result r;
    if (!vw_stor_scsi(vm, cdb, 10, buf, SECTOR, false, &r))
        return false;
    VW_EXPECT(vm, r.srb_status == 1, "WRITE(10): SRB status 0x%02x", r.srb_status);
    return !vm->failed;
}

/* ScsiSetRunningConfig busy-waiting 5 ms at PASSIVE_LEVEL in 500 us
 * stalls: not summed (the IRQL table of storport/nc-storport-
 * hw_adapter_control puts it at PASSIVE_LEVEL, where other threads run);
 * nothing at DISPATCH_LEVEL or above stalled. */
VW_SCENARIO("vwstor", storport_stall_passive_config, NULL)
{
    if (!stor_start_ram(vm, "vwstor", "config=1 pstall=1") || !vw_stor_power(vm, false) ||
        !vw_stor_power(vm, true) || !write1(vm))
        return;
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm, st.control_running_config == 1 && st.long_stall_us == 0,
              "running config %u, longest stall at DISPATCH_LEVEL or above %u us (%s)",
              st.control_running_config, st.long_stall_us,
              st.long_stall_routine ? st.long_stall_routine : "none");
    stor_finish(vm);
}

/* The allowance for a driver's known wait: HwInitialize's planted 2 ms
 * passes with 2 ms allowed, and the statistics name it. */
VW_SCENARIO("badstor", storport_stall_allowed, NULL)
{
    struct vw_stor_config cfg = {.args = "mode=17", .timeout_s = 10, .msi_messages = 3};
    if (!vw_driver_load(vm, "badstor"))
        return;
    vw_stor_stall_allow(vm, "HwInitialize", 2000);
    if (!vw_stor_start(vm, &cfg) || !write1(vm))
        return;
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm,
              st.long_stall_us == 2000 && st.long_stall_routine != NULL &&
                  strcmp(st.long_stall_routine, "HwInitialize") == 0,
              "longest stall %u us in %s", st.long_stall_us,
              st.long_stall_routine ? st.long_stall_routine : "none");
    stor_finish(vm);
}

VW_SCENARIO("badstor", checker_stor_init_stall,
            "HwInitialize stalled 1500 us in one call at IRQL 5")
{
    stor_start_ram(vm, "badstor", "mode=17");
}

VW_SCENARIO("badstor", checker_stor_stop_stall,
            "HwAdapterControl(ScsiStopAdapter) stalled 1500 us in one call at IRQL 5")
{
    if (stor_start_ram(vm, "badstor", "mode=18"))
        vw_stor_power(vm, false);
}

VW_SCENARIO("badstor", checker_stor_dpc_stall, "HwDpcRoutine stalled 1500 us in one call at IRQL 2")
{
    if (stor_start_ram(vm, "badstor", "mode=19"))
        write1(vm);
}

VW_SCENARIO("badstor", checker_stor_buildio_stall,
            "HwBuildIo stalled 1500 us in one call at IRQL 2")
{
    if (stor_start_ram(vm, "badstor", "mode=20"))
        write1(vm);
}

/* One delay of a full millisecond, at PASSIVE_LEVEL even. */
VW_SCENARIO("badstor", checker_stor_whole_ms_stall,
            "StorPortStallExecution(1000) in HwFindAdapter: the delay must be less than a full "
            "millisecond")
{
    stor_start_ram(vm, "badstor", "mode=21");
}
