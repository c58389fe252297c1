/*
 * The framework's rundown (common/wdm/rundown.c) on ivshmem's doorbell: a
 * surprise removal from another thread while IOCTL_IVSHMEM_RING_DOORBELL
 * is inside the dispatch routine (preempted where it takes the map lock,
 * KeEnterCriticalRegion, before it writes the doorbell register).  The
 * removal must not unmap the user view and the registers (ReleaseHardware)
 * before the request has left; the request finishes (its write reaches an
 * unplugged device), and PEERID after the removal fails.
 */
#include "ivshmem_test.h"

struct race {
    struct vw_ivshmem *dev;
    bool request_left; /* the dispatch routine returned */
    bool pnp_done;
};

static void pull(struct vm *vm, void *ctx)
{
    struct race *r = ctx;
    r->dev->regs.removed = true;
    uint32_t status = vw_pnp(vm, r->dev->pdo, VW_IRP_MN_SURPRISE_REMOVAL);
    VW_EXPECT(vm, status == 0, "SURPRISE_REMOVAL failed: 0x%08x", status);
    VW_EXPECT(vm, r->request_left,
              "SURPRISE_REMOVAL released the hardware while a doorbell request was still inside "
              "its dispatch routine");
    r->pnp_done = true;
}

VW_SCENARIO("ivshmem", surprise_removal_waits_for_doorbell_in_dispatch, NULL)
{
    struct vw_ivshmem *dev = ivshmem_doorbell_device(vm);
    gva_t file = dev ? ivshmem_open(vm, dev) : 0;
    if (file == 0)
        return;
    struct ivshmem_map map;
    uint32_t status = ivshmem_map(vm, dev, file, 2, &map);
    VW_EXPECT(vm, status == 0, "REQUEST_MMAP failed: 0x%08x", status);
    if (vm->failed)
        return;
    struct race r = {dev, false, false};
    vw_preempt_at_import(vm, "KeEnterCriticalRegion", 1, pull, &r);
    status = ivshmem_ring(vm, dev, file, 5, 1);
    r.request_left = true;
    vw_preempt_finish(vm);
    VW_EXPECT(vm, r.pnp_done, "the removal never finished (or never landed in the request)");
    /* The device is already unplugged when the request goes on: its
     * write reaches nothing and the request succeeds; it must not fault. */
    VW_EXPECT(vm, status == 0 && dev->regs.doorbell_count == 0,
              "doorbell across removal: 0x%08x, %u rung", status, dev->regs.doorbell_count);
    VW_EXPECT(vm, vm->k->mdl_map_count == 0, "the BAR is still mapped after surprise removal");
    uint16_t peer;
    status = vw_file_ioctl(vm, dev->pdo, file, IOCTL_REQUEST_PEERID, NULL, 0, &peer, 2, NULL);
    VW_EXPECT(vm, status != 0, "PEERID after surprise removal succeeded");
    status = vw_file_close(vm, dev->pdo, file);
    VW_EXPECT(vm, status == 0, "close after removal: 0x%08x", status);
    status = vw_pnp(vm, dev->pdo, VW_IRP_MN_REMOVE_DEVICE);
    VW_EXPECT(vm, status == 0, "REMOVE_DEVICE failed: 0x%08x", status);
    VW_EXPECT(vm, vw_driver_unload(vm), "unload failed");
}
