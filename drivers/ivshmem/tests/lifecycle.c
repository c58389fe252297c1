/* STOP/START and surprise removal with a mapping open. */
#include "ivshmem_test.h"

VW_SCENARIO("ivshmem", stop_restart, NULL)
{
    struct vw_ivshmem *dev = ivshmem_doorbell_device(vm);
    if (dev == NULL)
        return;
    uint32_t status = vw_pnp(vm, dev->pdo, VW_IRP_MN_QUERY_STOP_DEVICE);
    VW_EXPECT(vm, status == 0, "QUERY_STOP failed: 0x%08x", status);
    status = vw_pnp(vm, dev->pdo, VW_IRP_MN_STOP_DEVICE);
    VW_EXPECT(vm, status == 0, "STOP failed: 0x%08x", status);
    status = vw_pnp(vm, dev->pdo, VW_IRP_MN_START_DEVICE);
    VW_EXPECT(vm, status == 0, "second START failed: 0x%08x", status);
    gva_t file = ivshmem_open(vm, dev);
    struct ivshmem_map map;
    status = vm->failed ? 0 : ivshmem_map(vm, dev, file, 2, &map);
    VW_EXPECT(vm, status == 0, "REQUEST_MMAP after restart: 0x%08x", status);
    if (!vm->failed)
        ivshmem_expect_shared(vm, dev, map.ptr);
    vw_file_close(vm, dev->pdo, file);
    ivshmem_remove_and_unload(vm, dev);
}

/* The device goes while a process has it mapped: the mapping goes at once
 * (in that process: the BAR range may be given to another device), not
 * when the process closes its handle; then REMOVE and unload are clean.
 * Fails on a driver that keeps the mapping until the handle closes. */
VW_SCENARIO("ivshmem", surprise_removal_mapped, NULL)
{
    struct vw_ivshmem *dev = ivshmem_doorbell_device(vm);
    gva_t file = dev ? ivshmem_open(vm, dev) : 0;
    if (file == 0)
        return;
    struct ivshmem_map map;
    uint32_t status = ivshmem_map(vm, dev, file, 2, &map);
    VW_EXPECT(vm, status == 0, "REQUEST_MMAP failed: 0x%08x", status);
    dev->regs.removed = true;
    status = vw_pnp(vm, dev->pdo, VW_IRP_MN_SURPRISE_REMOVAL);
    VW_EXPECT(vm, status == 0, "SURPRISE_REMOVAL failed: 0x%08x", status);
    VW_EXPECT(vm, vm->k->mdl_map_count == 0,
              "the process still maps the BAR after surprise removal (%u mapping(s))",
              vm->k->mdl_map_count);
    uint16_t peer;
    status = vw_file_ioctl(vm, dev->pdo, file, IOCTL_REQUEST_PEERID, NULL, 0, &peer, 2, NULL);
    VW_EXPECT(vm, status != 0, "PEERID after surprise removal succeeded");
    status = vw_file_close(vm, dev->pdo, file);
    VW_EXPECT(vm, status == 0, "close after removal: 0x%08x", status);
    status = vw_pnp(vm, dev->pdo, VW_IRP_MN_REMOVE_DEVICE);
    VW_EXPECT(vm, status == 0, "REMOVE_DEVICE failed: 0x%08x", status);
    VW_EXPECT(vm, vw_driver_unload(vm), "unload failed");
}
