/*
 * Guest barriers are host fences (machine/cpu_barrier.c): unicorn drops a
 * guest barrier and runs a locked read-modify-write as a plain load and
 * store, while the guest's memory is shared with back ends on other host
 * cores, so the hooks on the barrier instructions issue the host fences.
 * testdrv/vwfence.c runs each ordering instruction once; the full fences
 * issued over one call must be those its instructions need: 5 on x86 and
 * amd64 (MFENCE one; LOCK OR and XCHG with memory one before and one after
 * their own store), 3 on arm64 (DMB ISH, DSB SY; STLR one after).  A count
 * is what can be asserted every time: a lost fence shows as a lost kick only
 * rarely, under load (viostor qsd_qcow2_1q_split once hung with avail idx
 * 114, used idx 82, avail_event 82).  Planted: without the fence after an
 * instruction's own store (the hooks before only), 3 and 2.
 */
#include <inttypes.h>
#include "abi.h"
#include "kernel.h"
#include "layout.h"
#include "scenario.h"

/* Host fences one call of vwfence's routine must issue on VM's arch. */
static uint64_t fences_wanted(const struct vm *vm)
{
    return vm->arch == VW_ARM64 ? 3 : 5;
}

/* Call the routine once and compare the host fences it got. */
static void fences_counted(struct vm *vm)
{
    if (!vw_driver_load(vm, "vwfence"))
        return;
    gva_t routine = vw_rdptr(vm, vm->k->driver_object + VW_OFFSET(vm, DRIVER_OBJECT, DriverUnload));
    uint64_t args[1] = {0};
    uint64_t before = vm->barriers.host_fences;
    uint64_t full_before = vm->barriers.full;
    if (routine == 0 || !vw_call(vm, routine, 1, args, NULL)) {
        VW_EXPECT(vm, false, "vwfence: its routine could not be called");
        return;
    }
    uint64_t got = vm->barriers.host_fences - before;
    VW_EXPECT(vm, got == fences_wanted(vm),
              "host fences: vwfence's barriers got %" PRIu64 " full host fences, want %" PRIu64
              " (a guest barrier the host does not fence lets a store wait past a later load)",
              got, fences_wanted(vm));
    uint64_t full = vm->barriers.full - full_before;
    uint64_t full_wanted = vm->arch == VW_ARM64 ? 2 : 3;
    VW_EXPECT(vm, full == full_wanted,
              "host fences: vwfence's full barriers counted %" PRIu64 ", want %" PRIu64, full,
              full_wanted);
    vw_driver_unload(vm);
}

VW_SCENARIO("harness", cpu_fences_counted, NULL)
{
    fences_counted(vm);
}

/* Planted: the hooks before each barrier only, none after an own store. */
VW_SCENARIO("harness", checker_cpu_fences_before_only, "host fences: vwfence's barriers got")
{
    vm->barriers.plant_no_after = true;
    fences_counted(vm);
}
