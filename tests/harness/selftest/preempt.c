/*
 * PnP landing inside a dispatch routine (vw_preempt_at) with badstop: a
 * STOP that waits for the requests in flight lets the dispatch routine
 * finish first; one that unmaps at once leaves it reading unmapped
 * registers.
 */
#include "bus.h"
#include "kernel.h"
#include "scenario.h"

#define IOCTL_UNTRACKED (0x22u << 16 | 0x800u << 2)
#define IOCTL_TRACKED   (0x22u << 16 | 0x801u << 2)
#define REGS            0xfebf0000ull

static uint64_t reg_read(struct vm *vm, void *dev, uint64_t offset, unsigned size)
{
    (void)vm, (void)dev, (void)offset, (void)size;
    return 0x1234;
}

static void reg_write(struct vm *vm, void *dev, uint64_t offset, uint64_t value, unsigned size)
{
    (void)vm, (void)dev, (void)offset, (void)value, (void)size;
}

static const struct vw_device_ops regs = {reg_read, reg_write};

struct stop {
    gva_t pdo;
    uint32_t query, stop;
    bool done;
};

/* The PnP manager's thread: QUERY_STOP, then STOP. */
static void stop_device(struct vm *vm, void *ctx)
{
    struct stop *s = ctx;
    s->query = vw_pnp(vm, s->pdo, VW_IRP_MN_QUERY_STOP_DEVICE);
    s->stop = vw_pnp(vm, s->pdo, VW_IRP_MN_STOP_DEVICE);
    s->done = true;
}

static void run(struct vm *vm, uint32_t code, unsigned at)
{
    static const struct vw_resource res[] = {{VW_RES_MEMORY, REGS, 0x1000, 0}};
    if (!vw_driver_load(vm, "badstop"))
        return;
    vw_bus_add_memory(vm, REGS, 0x1000, &regs, NULL);
    gva_t pdo = vw_pdo_create(vm, VW_PCI_BUS, res, 1);
    if (!vw_add_device(vm, pdo))
        return;
    VW_EXPECT(vm, vw_pnp(vm, pdo, VW_IRP_MN_START_DEVICE) == VW_STATUS_SUCCESS, "start");
    static struct stop s;
    s = (struct stop){.pdo = pdo};
    uint32_t status;
    gva_t file = vw_open(vm, pdo, &status);
    vw_preempt_at(vm, at, stop_device, &s);
    status = vw_file_ioctl(vm, pdo, file, code, NULL, 0, NULL, 0, NULL);
    VW_EXPECT(vm, status == VW_STATUS_SUCCESS, "IOCTL: 0x%08x", status);
    VW_EXPECT(vm, vw_preempt_finish(vm) && s.done, "the STOP never finished");
    VW_EXPECT(vm, s.query == VW_STATUS_SUCCESS && s.stop == VW_STATUS_SUCCESS,
              "query-stop 0x%08x, stop 0x%08x", s.query, s.stop);
    vw_file_close(vm, pdo, file);
    VW_EXPECT(vm, vw_pnp(vm, pdo, VW_IRP_MN_REMOVE_DEVICE) == VW_STATUS_SUCCESS, "remove");
    vw_driver_unload(vm);
}

/* KeClearEvent is the first kernel call, KeStallExecutionProcessor the
 * second: the STOP lands between them and waits for the request. */
VW_SCENARIO("harness", preempt_stop_waits_for_dispatch, NULL)
{
    run(vm, IOCTL_TRACKED, 2);
}

VW_SCENARIO("harness", checker_stop_unmaps_under_dispatch, "unmapped")
{
    run(vm, IOCTL_UNTRACKED, 1);
}
