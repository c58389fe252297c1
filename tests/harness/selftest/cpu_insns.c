/*
 * The instruction counter (machine/cpu_insns.c) counts a routine's real
 * instructions also when counting starts after the routine already ran:
 * testdrv/vwinsns.c's DriverUnload is a loop of exactly VWINSNS_LOOP
 * instructions on every arch.  A code hook reaches only blocks translated
 * after it, so the counter flushes unicorn's blocks when it starts; without
 * that flush (planted) the loop's blocks, translated at its first call, run
 * uncounted (bench/storage's tgt rows once counted 18 instructions a
 * request instead of ~1256).
 */
#include <inttypes.h>
#include "abi.h"
#include "cpu.h"
#include "kernel.h"
#include "layout.h"
#include "scenario.h"

#define VWINSNS_LOOP 2002u /* a move, 1000 x (decrement, branch), a return */

/* Instructions counted over one call of the driver's DriverUnload (the loop). */
static uint64_t count_one_call(struct vm *vm)
{
    gva_t loop = vw_rdptr(vm, vm->k->driver_object + VW_OFFSET(vm, DRIVER_OBJECT, DriverUnload));
    uint64_t args[1] = {vm->k->driver_object};
    uint64_t before = vm->insns;
    if (loop == 0 || !vw_call(vm, loop, 1, args, NULL))
        VW_EXPECT(vm, false, "vwinsns: its counted loop could not be called");
    return vm->insns - before;
}

/* Counting from CALLS_BEFORE calls on: each counted call must count the loop whole. */
static void counted_after(struct vm *vm, unsigned calls_before)
{
    if (!vw_driver_load(vm, "vwinsns"))
        return;
    for (unsigned i = 0; i < calls_before; i++)
        count_one_call(vm);
    if (!vw_cpu_count_insns(vm)) {
        vw_fail(vm, "harness: cannot start counting instructions");
        return;
    }
    for (unsigned i = 0; i < 2 && !vm->failed; i++) {
        uint64_t n = count_one_call(vm);
        VW_EXPECT(vm, n == VWINSNS_LOOP,
                  "instruction count: call %u of the loop counted %" PRIu64 " instructions, want %u"
                  " (counting started after %u uncounted calls: blocks translated before the code"
                  " hook run uncounted unless they are flushed)",
                  i + 1, n, VWINSNS_LOOP, calls_before);
    }
    vw_driver_unload(vm);
}

/* Counting on before the loop first runs: its real count. */
VW_SCENARIO("harness", cpu_insns_counted_from_first_call, NULL)
{
    counted_after(vm, 0);
}

/* Counting started after the loop ran twice: the same count. */
VW_SCENARIO("harness", cpu_insns_counted_late, NULL)
{
    counted_after(vm, 2);
}

/* Planted: the late start without the flush misses the loop's blocks. */
VW_SCENARIO("harness", checker_cpu_insns_late_without_flush,
            "instruction count: call 1 of the loop counted 0 instructions, want 2002")
{
    vw_cpu_plant_count_without_flush(vm);
    counted_after(vm, 2);
}
