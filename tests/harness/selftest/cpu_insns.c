/*
 * The instruction counter (machine/cpu_insns.c) counts a routine's real
 * instructions also when counting starts after the routine already ran:
 * testdrv/vwinsns.c has two loops of exactly VWINSNS_LOOP instructions on
 * every arch.  The second runs twice uncounted, then counting starts and
 * both are called: the first, never run before, counts as counting from
 * the start would, and the second must count the same.  A code hook
 * reaches only blocks translated after it, so the counter flushes
 * unicorn's blocks when it starts; without that flush (planted) the second
 * loop's blocks, translated before, run uncounted (bench/storage's tgt rows
 * once counted 18 instructions a request instead of ~1256).  One run for
 * both: the flush costs 0.1-2 CPU-s (unicorn clears its code buffer).
 */
#include <inttypes.h>
#include "abi.h"
#include "cpu.h"
#include "kernel.h"
#include "layout.h"
#include "scenario.h"
#include "vw_irp.h"

#define VWINSNS_LOOP 2002u /* a move, 1000 x (decrement, branch), a return */

/* The loop at OFFSET of the driver object (a routine pointer there). */
static gva_t loop_at(struct vm *vm, uint64_t offset)
{
    return vw_rdptr(vm, vm->k->driver_object + offset);
}

/* Instructions counted over one call of LOOP with N (1 or 2) zero arguments. */
static uint64_t count_one_call(struct vm *vm, gva_t loop, unsigned n)
{
    uint64_t args[2] = {0, 0};
    uint64_t before = vm->insns;
    if (loop == 0 || !vw_call(vm, loop, n, args, NULL))
        VW_EXPECT(vm, false, "vwinsns: its counted loop could not be called");
    return vm->insns - before;
}

/* Counting started after the second loop ran twice: both count whole. */
static void counted_late(struct vm *vm)
{
    if (!vw_driver_load(vm, "vwinsns"))
        return;
    gva_t first = loop_at(vm, VW_OFFSET(vm, DRIVER_OBJECT, DriverUnload));
    gva_t ran_before = loop_at(vm, VW_OFFSET(vm, DRIVER_OBJECT, MajorFunction) +
                                       (uint64_t)vm->ptr_size * VW_IRP_MJ_CREATE);
    count_one_call(vm, ran_before, 2);
    count_one_call(vm, ran_before, 2);
    if (vm->failed)
        return;
    if (!vw_cpu_count_insns(vm)) {
        vw_fail(vm, "harness: cannot start counting instructions");
        return;
    }
    uint64_t fresh = count_one_call(vm, first, 1);
    VW_EXPECT(vm, fresh == VWINSNS_LOOP,
              "instruction count: the loop first run while counted counted %" PRIu64 ", want %u",
              fresh, VWINSNS_LOOP);
    for (unsigned i = 0; i < 2 && !vm->failed; i++) {
        uint64_t n = count_one_call(vm, ran_before, 2);
        VW_EXPECT(vm, n == fresh,
                  "instruction count: call %u of the loop run twice before counting started "
                  "counted %" PRIu64 ", want %" PRIu64 " as counted from its first run (blocks "
                  "translated before the code hook run uncounted unless they are flushed)",
                  i + 1, n, fresh);
    }
    vw_driver_unload(vm);
}

VW_SCENARIO("harness", cpu_insns_counted_late, NULL)
{
    counted_late(vm);
}

/* Planted: the late start without the flush misses the loop's blocks. */
VW_SCENARIO("harness", checker_cpu_insns_late_without_flush,
            "instruction count: call 1 of the loop run twice before counting started counted 0, "
            "want 2002")
{
    vw_cpu_plant_count_without_flush(vm);
    counted_late(vm);
}
