/* Mapping the shared memory into the calling process. */
#include "ivshmem_test.h"

/* Peer id, size, one mapping that reaches the device's memory both ways,
 * a second mapping refused, release, and a fresh mapping after it. */
VW_SCENARIO("ivshmem", map_unmap, NULL)
{
    struct vw_ivshmem *dev = ivshmem_doorbell_device(vm);
    gva_t file = dev ? ivshmem_open(vm, dev) : 0;
    if (file == 0)
        return;
    uint16_t peer = 0;
    uint64_t size = 0, info = 0;
    uint32_t status =
        vw_file_ioctl(vm, dev->pdo, file, IOCTL_REQUEST_PEERID, NULL, 0, &peer, 2, &info);
    VW_EXPECT(vm, status == 0 && info == 2 && peer == 3, "PEERID: 0x%08x, %u", status, peer);
    status = vw_file_ioctl(vm, dev->pdo, file, IOCTL_REQUEST_SIZE, NULL, 0, &size, 8, &info);
    VW_EXPECT(vm, status == 0 && size == SHM_LEN, "SIZE: 0x%08x, %llu", status,
              (unsigned long long)size);

    struct ivshmem_map map;
    status = ivshmem_map(vm, dev, file, 2 /* write-combined */, &map);
    VW_EXPECT(vm, status == 0, "REQUEST_MMAP failed: 0x%08x", status);
    VW_EXPECT(vm, map.peer == 3 && map.size == SHM_LEN && map.vectors == 2 && map.ptr != 0,
              "REQUEST_MMAP: peer %u size %llu vectors %u ptr 0x%llx", map.peer,
              (unsigned long long)map.size, map.vectors, (unsigned long long)map.ptr);
    if (vm->failed)
        return;
    ivshmem_expect_shared(vm, dev, map.ptr);
    struct ivshmem_map again;
    status = ivshmem_map(vm, dev, file, 2, &again);
    VW_EXPECT(vm, status == ST_DEVICE_ALREADY_ATTACHED, "second REQUEST_MMAP: 0x%08x", status);
    status = vw_file_ioctl(vm, dev->pdo, file, IOCTL_RELEASE_MMAP, NULL, 0, NULL, 0, NULL);
    VW_EXPECT(vm, status == 0, "RELEASE_MMAP failed: 0x%08x", status);
    VW_EXPECT(vm, vm->k->mdl_map_count == 0, "%u mapping(s) left after RELEASE_MMAP",
              vm->k->mdl_map_count);
    status = vw_file_ioctl(vm, dev->pdo, file, IOCTL_RELEASE_MMAP, NULL, 0, NULL, 0, NULL);
    VW_EXPECT(vm, status == ST_INVALID_DEVICE_REQUEST, "second RELEASE_MMAP: 0x%08x", status);
    status = ivshmem_map(vm, dev, file, 0 /* uncached */, &map);
    VW_EXPECT(vm, status == 0, "REQUEST_MMAP after release failed: 0x%08x", status);
    if (!vm->failed)
        ivshmem_expect_shared(vm, dev, map.ptr);
    status = vw_file_close(vm, dev->pdo, file);
    VW_EXPECT(vm, status == 0, "close failed: 0x%08x", status);
    ivshmem_remove_and_unload(vm, dev);
}

/* Closing the handle undoes its mapping; another handle cannot release it. */
VW_SCENARIO("ivshmem", close_unmaps, NULL)
{
    struct vw_ivshmem *dev = ivshmem_doorbell_device(vm);
    gva_t file = dev ? ivshmem_open(vm, dev) : 0;
    gva_t other = file ? ivshmem_open(vm, dev) : 0;
    if (other == 0)
        return;
    struct ivshmem_map map;
    uint32_t status = ivshmem_map(vm, dev, file, 1 /* cached */, &map);
    VW_EXPECT(vm, status == 0, "REQUEST_MMAP failed: 0x%08x", status);
    status = vw_file_ioctl(vm, dev->pdo, other, IOCTL_RELEASE_MMAP, NULL, 0, NULL, 0, NULL);
    VW_EXPECT(vm, status == ST_INVALID_HANDLE, "RELEASE_MMAP by another handle: 0x%08x", status);
    status = vw_file_close(vm, dev->pdo, other);
    VW_EXPECT(vm, status == 0 && vm->k->mdl_map_count == 1,
              "closing another handle: 0x%08x, %u mapping(s)", status, vm->k->mdl_map_count);
    status = vw_file_close(vm, dev->pdo, file);
    VW_EXPECT(vm, status == 0 && vm->k->mdl_map_count == 0,
              "closing the owner: 0x%08x, %u mapping(s) left", status, vm->k->mdl_map_count);
    ivshmem_remove_and_unload(vm, dev);
}

/* Requests that must be refused, each with its own status. */
VW_SCENARIO("ivshmem", bad_requests, NULL)
{
    struct vw_ivshmem *dev = ivshmem_doorbell_device(vm);
    gva_t file = dev ? ivshmem_open(vm, dev) : 0;
    if (file == 0)
        return;
    uint8_t buf[64] = {0}, cache = 2;
    uint32_t status =
        vw_file_ioctl(vm, dev->pdo, file, IOCTL_REQUEST_PEERID, NULL, 0, buf, 4, NULL);
    VW_EXPECT(vm, status == ST_INVALID_BUFFER_SIZE, "PEERID with 4 bytes: 0x%08x", status);
    status = vw_file_ioctl(vm, dev->pdo, file, IOCTL_REQUEST_SIZE, NULL, 0, buf, 4, NULL);
    VW_EXPECT(vm, status == ST_INVALID_BUFFER_SIZE, "SIZE with 4 bytes: 0x%08x", status);
    status = vw_file_ioctl(vm, dev->pdo, file, IOCTL_REQUEST_MMAP, &cache, 1, buf,
                           ivshmem_map_size(vm) + 8, NULL);
    VW_EXPECT(vm, status == ST_INVALID_BUFFER_SIZE, "MMAP with a long buffer: 0x%08x", status);
    status = vw_file_ioctl(vm, dev->pdo, file, IOCTL_REQUEST_MMAP, NULL, 0, buf,
                           ivshmem_map_size(vm), NULL);
    VW_EXPECT(vm, status == ST_INVALID_BUFFER_SIZE, "MMAP without a config: 0x%08x", status);
    cache = 7;
    status = vw_file_ioctl(vm, dev->pdo, file, IOCTL_REQUEST_MMAP, &cache, 1, buf,
                           ivshmem_map_size(vm), NULL);
    VW_EXPECT(vm, status == ST_INVALID_PARAMETER, "MMAP with cache mode 7: 0x%08x", status);
    cache = 2;
    status = vw_file_ioctl(vm, dev->pdo, file, IOCTL_REQUEST_KMAP, &cache, 1, buf,
                           ivshmem_map_size(vm), NULL);
    VW_EXPECT(vm, status == ST_ACCESS_DENIED, "KMAP from user mode: 0x%08x", status);
    status = ivshmem_ring(vm, dev, file, 1, 0);
    VW_EXPECT(vm, status == ST_INVALID_HANDLE && dev->regs.doorbell_count == 0,
              "doorbell without a mapping: 0x%08x, %u rung", status, dev->regs.doorbell_count);
    status = vw_file_ioctl(vm, dev->pdo, file, 0x22201cu, NULL, 0, NULL, 0, NULL);
    VW_EXPECT(vm, status == ST_INVALID_DEVICE_REQUEST, "unknown IOCTL: 0x%08x", status);
    VW_EXPECT(vm, vm->k->mdl_map_count == 0, "%u mapping(s) after refused requests",
              vm->k->mdl_map_count);
    vw_file_close(vm, dev->pdo, file);
    ivshmem_remove_and_unload(vm, dev);
}

/* Revision 0 before the server answered: IVPosition -1, nothing maps. */
VW_SCENARIO("ivshmem", not_ready, NULL)
{
    struct vw_ivshmem_config cfg = {.shm_len = SHM_LEN, .line = true, .position = -1};
    struct vw_ivshmem *dev = ivshmem_started(vm, &cfg);
    gva_t file = dev ? ivshmem_open(vm, dev) : 0;
    if (file == 0)
        return;
    uint16_t peer;
    uint32_t status =
        vw_file_ioctl(vm, dev->pdo, file, IOCTL_REQUEST_PEERID, NULL, 0, &peer, 2, NULL);
    VW_EXPECT(vm, status == ST_DEVICE_NOT_READY, "PEERID: 0x%08x", status);
    struct ivshmem_map map;
    status = ivshmem_map(vm, dev, file, 2, &map);
    VW_EXPECT(vm, status == ST_DEVICE_NOT_READY && vm->k->mdl_map_count == 0,
              "MMAP before the server: 0x%08x", status);
    vw_file_close(vm, dev->pdo, file);
    ivshmem_remove_and_unload(vm, dev);
}

/* A 32-bit process on 64-bit Windows gets the 32-bit layout. */
VW_SCENARIO_ON("ivshmem", wow64_map, NULL, VW_ARCH_BIT(VW_AMD64) | VW_ARCH_BIT(VW_ARM64))
{
    struct vw_ivshmem *dev = ivshmem_doorbell_device(vm);
    gva_t file = dev ? ivshmem_open(vm, dev) : 0;
    if (file == 0)
        return;
    vm->k->process_32bit = true;
    struct ivshmem_map map;
    uint32_t status = ivshmem_map(vm, dev, file, 2, &map);
    VW_EXPECT(vm, status == 0 && map.size == SHM_LEN && map.vectors == 2,
              "32-bit REQUEST_MMAP: 0x%08x", status);
    gva_t event;
    uint64_t handle = vw_user_event(vm, &event);
    status = ivshmem_register(vm, dev, file, 1, handle, false);
    VW_EXPECT(vm, status == 0, "32-bit REGISTER_EVENT: 0x%08x", status);
    vw_file_close(vm, dev->pdo, file);
    ivshmem_remove_and_unload(vm, dev);
}

/* A kernel-mode client gets a kernel view of its own (MmMapIoSpace),
 * owned by its file object like a user mapping; no MDL mapping is made. */
VW_SCENARIO("ivshmem", kernel_map, NULL)
{
    struct vw_ivshmem *dev = ivshmem_doorbell_device(vm);
    gva_t file = dev ? ivshmem_open(vm, dev) : 0;
    if (file == 0)
        return;
    uint8_t out[32] = {0}, cache = 2;
    uint32_t size = vm->arch == VW_X86 ? 24 : 32;
    uint32_t status =
        vw_file_ioctl_kernel(vm, dev->pdo, file, IOCTL_REQUEST_KMAP, &cache, 1, out, size, NULL);
    VW_EXPECT(vm, status == 0, "REQUEST_KMAP from kernel mode: 0x%08x", status);
    uint64_t ptr = 0;
    memcpy(&ptr, out + 16, vm->arch == VW_X86 ? 4 : 8);
    VW_EXPECT(vm, ptr != 0 && vm->k->mdl_map_count == 0, "KMAP: ptr 0x%llx, %u MDL mapping(s) made",
              (unsigned long long)ptr, vm->k->mdl_map_count);
    if (!vm->failed)
        ivshmem_expect_shared(vm, dev, ptr);
    struct ivshmem_map map;
    status = ivshmem_map(vm, dev, file, 2, &map);
    VW_EXPECT(vm, status == ST_DEVICE_ALREADY_ATTACHED, "MMAP while kernel-mapped: 0x%08x", status);
    status = vw_file_close(vm, dev->pdo, file);
    VW_EXPECT(vm, status == 0, "close failed: 0x%08x", status);
    ivshmem_remove_and_unload(vm, dev);
}
