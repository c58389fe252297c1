/*
 * Who undoes a mapping, and when (issue 20): a failing user mapping raises
 * an exception the driver must handle; a mapping is undone in its own
 * process whoever closes the last handle, and at that process's exit;
 * QUERY_STOP/QUERY_REMOVE fail while the memory is mapped; a kernel
 * client's view survives the hardware going.  Each scenario fails on the
 * driver before these fixes (see drivers/ivshmem/README.md).
 */
#include "ivshmem_test.h"
#include "process.h"

/* Open from PROCESS and map into it. */
static gva_t open_mapped(struct vm *vm, struct vw_ivshmem *dev, unsigned process)
{
    uint32_t status;
    gva_t file = vw_open_as(vm, process, dev->pdo, VW_OPEN_READ_WRITE, &status);
    VW_EXPECT(vm, file != 0, "open failed: 0x%08x", status);
    if (file == 0)
        return 0;
    unsigned prev = vw_process_enter(vm, process);
    struct ivshmem_map map;
    status = ivshmem_map(vm, dev, file, 2, &map);
    if (status == 0)
        ivshmem_expect_shared(vm, dev, map.ptr);
    vw_process_enter(vm, prev);
    VW_EXPECT(vm, status == 0, "REQUEST_MMAP failed: 0x%08x", status);
    return file;
}

/* The mapping fails as when the address space is full: Windows raises an
 * exception, which the driver's handler turns into an error for the
 * request (no bug check); the device still maps afterwards. */
VW_SCENARIO("ivshmem", user_map_raises, NULL)
{
    struct vw_ivshmem *dev = ivshmem_doorbell_device(vm);
    gva_t file = dev ? ivshmem_open(vm, dev) : 0;
    if (file == 0)
        return;
    struct ivshmem_map map;
    vw_fail_next_user_map(vm);
    uint32_t status = ivshmem_map(vm, dev, file, 2, &map);
    VW_EXPECT(vm, status == ST_INSUFFICIENT_RESOURCES && vm->k->mdl_map_count == 0,
              "REQUEST_MMAP that raised: 0x%08x, %u mapping(s)", status, vm->k->mdl_map_count);
    if (vm->failed)
        return;
    status = ivshmem_map(vm, dev, file, 2, &map);
    VW_EXPECT(vm, status == 0, "REQUEST_MMAP after the failure: 0x%08x", status);
    if (!vm->failed)
        ivshmem_expect_shared(vm, dev, map.ptr);
    vw_file_close(vm, dev->pdo, file);
    ivshmem_remove_and_unload(vm, dev);
}

/* A maps, duplicates its handle into B and closes its own; B's close is
 * the last: the cleanup runs in B, the mapping must go in A. */
VW_SCENARIO("ivshmem", duplicated_handle_unmaps_in_owner, NULL)
{
    struct vw_ivshmem *dev = ivshmem_doorbell_device(vm);
    if (dev == NULL)
        return;
    unsigned a = vw_process_create(vm, VW_TOKEN_ADMIN);
    unsigned b = vw_process_create(vm, VW_TOKEN_ADMIN);
    gva_t file = open_mapped(vm, dev, a);
    if (file == 0)
        return;
    VW_EXPECT(vm, vw_handle_duplicate(vm, a, file, b), "duplicate failed");
    VW_EXPECT(vm, vw_handle_close(vm, a, file) == 0, "A's close failed");
    VW_EXPECT(vm, vm->k->mdl_map_count == 1, "the mapping went while B holds the handle");
    VW_EXPECT(vm, vw_handle_close(vm, b, file) == 0, "B's close failed");
    VW_EXPECT(vm, vm->k->mdl_map_count == 0, "%u mapping(s) after the last close",
              vm->k->mdl_map_count);
    vw_process_exit(vm, a);
    vw_process_exit(vm, b);
    ivshmem_remove_and_unload(vm, dev);
}

/* The same with RELEASE_MMAP sent by a child that inherited the handle. */
VW_SCENARIO("ivshmem", inherited_handle_releases_in_owner, NULL)
{
    struct vw_ivshmem *dev = ivshmem_doorbell_device(vm);
    if (dev == NULL)
        return;
    unsigned a = vw_process_create(vm, VW_TOKEN_ADMIN);
    gva_t file = open_mapped(vm, dev, a);
    if (file == 0)
        return;
    unsigned child = vw_process_spawn(vm, a, VW_TOKEN_ADMIN);
    unsigned prev = vw_process_enter(vm, child);
    uint32_t status = vw_file_ioctl(vm, dev->pdo, file, IOCTL_RELEASE_MMAP, NULL, 0, NULL, 0, NULL);
    vw_process_enter(vm, prev);
    VW_EXPECT(vm, status == 0 && vm->k->mdl_map_count == 0,
              "RELEASE_MMAP from the child: 0x%08x, %u mapping(s)", status, vm->k->mdl_map_count);
    vw_process_exit(vm, child);
    vw_process_exit(vm, a);
    ivshmem_remove_and_unload(vm, dev);
}

/* A maps, duplicates the handle into B and exits: no cleanup comes (B
 * holds the file object), so the driver must unmap at A's exit, in A;
 * Windows bug-checks 0x76 otherwise. */
VW_SCENARIO("ivshmem", owner_exit_unmaps, NULL)
{
    struct vw_ivshmem *dev = ivshmem_doorbell_device(vm);
    if (dev == NULL)
        return;
    unsigned a = vw_process_create(vm, VW_TOKEN_ADMIN);
    unsigned b = vw_process_create(vm, VW_TOKEN_ADMIN);
    gva_t file = open_mapped(vm, dev, a);
    if (file == 0)
        return;
    VW_EXPECT(vm, vw_handle_duplicate(vm, a, file, b), "duplicate failed");
    vw_process_exit(vm, a);
    VW_EXPECT(vm, vm->k->mdl_map_count == 0, "%u mapping(s) after the owner exited",
              vm->k->mdl_map_count);
    /* B's handle no longer owns a mapping: RELEASE_MMAP has nothing to do. */
    unsigned prev = vw_process_enter(vm, b);
    uint32_t status = vw_file_ioctl(vm, dev->pdo, file, IOCTL_RELEASE_MMAP, NULL, 0, NULL, 0, NULL);
    vw_process_enter(vm, prev);
    VW_EXPECT(vm, status == ST_INVALID_DEVICE_REQUEST, "RELEASE_MMAP after the exit: 0x%08x",
              status);
    vw_process_exit(vm, b);
    ivshmem_remove_and_unload(vm, dev);
}

#define ST_DEVICE_BUSY 0x80000011u

/* QUERY_STOP and QUERY_REMOVE fail while the memory is mapped (a stop may
 * move the BAR under the process); after RELEASE_MMAP the stop goes
 * through, nothing maps while it is pending, and START maps again. */
VW_SCENARIO("ivshmem", stop_refused_while_mapped, NULL)
{
    struct vw_ivshmem *dev = ivshmem_doorbell_device(vm);
    gva_t file = dev ? ivshmem_open(vm, dev) : 0;
    if (file == 0)
        return;
    struct ivshmem_map map;
    uint32_t status = ivshmem_map(vm, dev, file, 2, &map);
    VW_EXPECT(vm, status == 0, "REQUEST_MMAP failed: 0x%08x", status);
    status = vw_pnp(vm, dev->pdo, VW_IRP_MN_QUERY_STOP_DEVICE);
    VW_EXPECT(vm, status == ST_DEVICE_BUSY, "QUERY_STOP while mapped: 0x%08x", status);
    status = vw_pnp(vm, dev->pdo, VW_IRP_MN_QUERY_REMOVE_DEVICE);
    VW_EXPECT(vm, status == ST_DEVICE_BUSY, "QUERY_REMOVE while mapped: 0x%08x", status);
    status = vw_file_ioctl(vm, dev->pdo, file, IOCTL_RELEASE_MMAP, NULL, 0, NULL, 0, NULL);
    VW_EXPECT(vm, status == 0, "RELEASE_MMAP failed: 0x%08x", status);
    status = vw_pnp(vm, dev->pdo, VW_IRP_MN_QUERY_STOP_DEVICE);
    VW_EXPECT(vm, status == 0, "QUERY_STOP after release: 0x%08x", status);
    status = ivshmem_map(vm, dev, file, 2, &map);
    VW_EXPECT(vm, status != 0 && vm->k->mdl_map_count == 0,
              "REQUEST_MMAP with a stop pending: 0x%08x", status);
    status = vw_pnp(vm, dev->pdo, VW_IRP_MN_STOP_DEVICE);
    VW_EXPECT(vm, status == 0, "STOP failed: 0x%08x", status);
    status = vw_pnp(vm, dev->pdo, VW_IRP_MN_START_DEVICE);
    VW_EXPECT(vm, status == 0, "START failed: 0x%08x", status);
    status = ivshmem_map(vm, dev, file, 2, &map);
    VW_EXPECT(vm, status == 0, "REQUEST_MMAP after restart: 0x%08x", status);
    if (!vm->failed)
        ivshmem_expect_shared(vm, dev, map.ptr);
    vw_file_close(vm, dev->pdo, file);
    ivshmem_remove_and_unload(vm, dev);
}

/* A kernel client's view is its own: it stays readable after surprise
 * removal (the driver's register and memory mappings go at
 * ReleaseHardware) until the client closes its handle. */
VW_SCENARIO("ivshmem", kernel_map_outlives_hardware, NULL)
{
    struct vw_ivshmem *dev = ivshmem_doorbell_device(vm);
    gva_t file = dev ? ivshmem_open(vm, dev) : 0;
    if (file == 0)
        return;
    uint8_t out[32] = {0}, cache = 2;
    uint32_t size = vm->arch == VW_X86 ? 24 : 32;
    uint32_t status =
        vw_file_ioctl_kernel(vm, dev->pdo, file, IOCTL_REQUEST_KMAP, &cache, 1, out, size, NULL);
    VW_EXPECT(vm, status == 0, "REQUEST_KMAP: 0x%08x", status);
    uint64_t ptr = 0;
    memcpy(&ptr, out + 16, vm->arch == VW_X86 ? 4 : 8);
    status = vw_pnp(vm, dev->pdo, VW_IRP_MN_QUERY_REMOVE_DEVICE);
    VW_EXPECT(vm, status == ST_DEVICE_BUSY, "QUERY_REMOVE while kernel-mapped: 0x%08x", status);
    dev->regs.removed = true;
    status = vw_pnp(vm, dev->pdo, VW_IRP_MN_SURPRISE_REMOVAL);
    VW_EXPECT(vm, status == 0, "SURPRISE_REMOVAL failed: 0x%08x", status);
    uint8_t byte;
    VW_EXPECT(vm, !vm->failed && vw_read(vm, ptr, &byte, 1),
              "the kernel client's view was unmapped under it");
    status = vw_file_close(vm, dev->pdo, file);
    VW_EXPECT(vm, status == 0, "close failed: 0x%08x", status);
    status = vw_pnp(vm, dev->pdo, VW_IRP_MN_REMOVE_DEVICE);
    VW_EXPECT(vm, status == 0, "REMOVE_DEVICE failed: 0x%08x", status);
    VW_EXPECT(vm, vw_driver_unload(vm), "unload failed");
}
