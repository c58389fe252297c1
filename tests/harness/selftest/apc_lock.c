/*
 * The event-used-as-a-lock check (k_apc.c) with badapc: held inside a
 * critical region it passes; held with normal kernel APCs enabled in a
 * user process's thread it is flagged.
 */
#include "kernel.h"
#include "scenario.h"

#define IOCTL_LOCKED    (0x22u << 16 | 0x800u << 2)
#define IOCTL_LOCKED_CR (0x22u << 16 | 0x801u << 2)

static void run(struct vm *vm, uint32_t code)
{
    if (!vw_driver_load(vm, "badapc"))
        return;
    gva_t dev = vw_object_lookup(vm, "\\Device\\BadApc");
    uint32_t status;
    gva_t file = vw_open(vm, dev, &status);
    status = vw_file_ioctl(vm, dev, file, code, NULL, 0, NULL, 0, NULL);
    VW_EXPECT(vm, status == VW_STATUS_SUCCESS, "IOCTL: 0x%08x", status);
    vw_file_close(vm, dev, file);
    vw_driver_unload(vm);
}

VW_SCENARIO("harness", event_lock_in_critical_region, NULL)
{
    run(vm, IOCTL_LOCKED_CR);
}

VW_SCENARIO("harness", checker_event_lock_apcs_enabled, "used as a lock with normal kernel APCs")
{
    run(vm, IOCTL_LOCKED);
}
