/*
 * Exceptions dispatched to the driver's __except (k_except.c) with vwseh:
 * a failing user mapping raises STATUS_INSUFFICIENT_RESOURCES, which the
 * __except around the call turns into the request's status; on amd64 an
 * __except one frame further out is found by unwinding; on x86 a handler
 * the driver put on the fs:[0] chain (vwseh86) resumes after the call.
 */
#include "kernel.h"
#include "process.h"
#include "scenario.h"

#define IOCTL(f)         (0x22u << 16 | (0x800u + (f)) << 2)
#define IOCTL_MAP        IOCTL(0)
#define IOCTL_MAP_NESTED IOCTL(1)
#define IOCTL_UNMAP      IOCTL(2)
#define AMD64_ARM64      (VW_ARCH_BIT(VW_AMD64) | VW_ARCH_BIT(VW_ARM64))

static void run(struct vm *vm, uint32_t map)
{
    if (!vw_driver_load(vm, vm->arch == VW_X86 ? "vwseh86" : "vwseh"))
        return;
    gva_t dev = vw_object_lookup(vm, "\\Device\\VwSeh");
    uint32_t status;
    gva_t file = vw_open(vm, dev, &status);
    vw_fail_next_user_map(vm);
    status = vw_file_ioctl(vm, dev, file, map, NULL, 0, NULL, 0, NULL);
    VW_EXPECT(vm, status == VW_STATUS_INSUFFICIENT_RESOURCES,
              "failed mapping: 0x%08x (want the exception code)", status);
    status = vw_file_ioctl(vm, dev, file, map, NULL, 0, NULL, 0, NULL);
    VW_EXPECT(vm, status == VW_STATUS_SUCCESS, "mapping: 0x%08x", status);
    status = vw_file_ioctl(vm, dev, file, IOCTL_UNMAP, NULL, 0, NULL, 0, NULL);
    vw_file_close(vm, dev, file);
    vw_driver_unload(vm);
}

VW_SCENARIO_ON("harness", seh_except_around_call, NULL, AMD64_ARM64)
{
    run(vm, IOCTL_MAP);
}

VW_SCENARIO_ON("harness", seh_except_one_frame_out, NULL, VW_ARCH_BIT(VW_AMD64))
{
    run(vm, IOCTL_MAP_NESTED);
}

/* x86: a handler of the driver's own on the fs:[0] chain. */
VW_SCENARIO_ON("harness", seh_fs0_handler, NULL, VW_ARCH_BIT(VW_X86))
{
    run(vm, IOCTL_MAP);
}
