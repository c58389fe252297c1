/*
 * Shared steps of the ivshmem scenarios.  The IOCTL codes and structure
 * layouts are those of ivshmem_ioctl.h as a Windows process of each arch
 * sees them (CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800 + n, METHOD_BUFFERED,
 * FILE_ANY_ACCESS)); 32-bit layouts for x86 and for 32-bit processes.
 */
#pragma once
#include <string.h>
#include "dev_ivshmem.h"
#include "kernel.h"
#include "scenario.h"

#define IOCTL_REQUEST_PEERID 0x222000u
#define IOCTL_REQUEST_SIZE   0x222004u
#define IOCTL_REQUEST_MMAP   0x222008u
#define IOCTL_RELEASE_MMAP   0x22200cu
#define IOCTL_RING_DOORBELL  0x222010u
#define IOCTL_REGISTER_EVENT 0x222014u
#define IOCTL_REQUEST_KMAP   0x222018u

#define ST_INVALID_HANDLE          0xc0000008u
#define ST_INVALID_PARAMETER       0xc000000du
#define ST_INVALID_DEVICE_REQUEST  0xc0000010u
#define ST_ACCESS_DENIED           0xc0000022u
#define ST_DEVICE_ALREADY_ATTACHED 0xc0000038u
#define ST_INSUFFICIENT_RESOURCES  0xc000009au
#define ST_DEVICE_NOT_READY        0xc00000a3u
#define ST_INVALID_BUFFER_SIZE     0xc0000206u

#define SHM_LEN (64ull << 10)

/* IVSHMEM_MMAP as the caller lays it out. */
struct ivshmem_map {
    uint16_t peer;
    uint64_t size, ptr;
    uint16_t vectors;
};

static inline bool ivshmem_caller_32(struct vm *vm)
{
    return vm->arch == VW_X86 || vm->k->process_32bit;
}

static inline uint32_t ivshmem_map_size(struct vm *vm)
{
    return ivshmem_caller_32(vm) ? 24 : 32;
}

static inline uint32_t ivshmem_event_size(struct vm *vm)
{
    return ivshmem_caller_32(vm) ? 12 : 24;
}

/* Device configured by CFG, driver loaded, device started. */
static inline struct vw_ivshmem *ivshmem_started(struct vm *vm, const struct vw_ivshmem_config *cfg)
{
    struct vw_ivshmem *dev = vw_ivshmem_create(vm, cfg);
    if (dev == NULL || !vw_driver_load(vm, "ivshmem") || !vw_add_device(vm, dev->pdo))
        return NULL;
    uint32_t status = vw_pnp(vm, dev->pdo, VW_IRP_MN_START_DEVICE);
    VW_EXPECT(vm, status == 0, "START_DEVICE failed: 0x%08x", status);
    return vm->failed ? NULL : dev;
}

static inline struct vw_ivshmem *ivshmem_doorbell_device(struct vm *vm)
{
    struct vw_ivshmem_config cfg = {.shm_len = SHM_LEN, .vectors = 2, .position = 3};
    return ivshmem_started(vm, &cfg);
}

static inline gva_t ivshmem_open(struct vm *vm, struct vw_ivshmem *dev)
{
    uint32_t status;
    gva_t file = vw_open(vm, dev->pdo, &status);
    VW_EXPECT(vm, status == 0, "CREATE failed: 0x%08x", status);
    return file;
}

/* REQUEST_MMAP with CACHE; the status, and *MAP on success. */
static inline uint32_t ivshmem_map(struct vm *vm, struct vw_ivshmem *dev, gva_t file, uint8_t cache,
                                   struct ivshmem_map *map)
{
    uint8_t out[32] = {0};
    uint64_t info = 0;
    uint32_t size = ivshmem_map_size(vm);
    uint32_t status =
        vw_file_ioctl(vm, dev->pdo, file, IOCTL_REQUEST_MMAP, &cache, 1, out, size, &info);
    memset(map, 0, sizeof(*map));
    if (status != 0)
        return status;
    VW_EXPECT(vm, info == size, "REQUEST_MMAP returned %llu bytes, expected %u",
              (unsigned long long)info, size);
    memcpy(&map->peer, out, 2);
    memcpy(&map->size, out + 8, 8);
    if (ivshmem_caller_32(vm)) {
        uint32_t p32, v;
        memcpy(&p32, out + 16, 4);
        memcpy(&v, out + 20, 2);
        map->ptr = p32;
        map->vectors = (uint16_t)v;
    } else {
        memcpy(&map->ptr, out + 16, 8);
        memcpy(&map->vectors, out + 24, 2);
    }
    return status;
}

static inline uint32_t ivshmem_register(struct vm *vm, struct vw_ivshmem *dev, gva_t file,
                                        uint16_t vector, uint64_t handle, bool single)
{
    uint8_t in[24] = {0};
    memcpy(in, &vector, 2);
    if (ivshmem_caller_32(vm)) {
        uint32_t h = (uint32_t)handle;
        memcpy(in + 4, &h, 4);
        in[8] = single;
    } else {
        memcpy(in + 8, &handle, 8);
        in[16] = single;
    }
    return vw_file_ioctl(vm, dev->pdo, file, IOCTL_REGISTER_EVENT, in, ivshmem_event_size(vm), NULL,
                         0, NULL);
}

static inline uint32_t ivshmem_ring(struct vm *vm, struct vw_ivshmem *dev, gva_t file,
                                    uint16_t peer, uint16_t vector)
{
    uint16_t in[2] = {peer, vector};
    return vw_file_ioctl(vm, dev->pdo, file, IOCTL_RING_DOORBELL, in, 4, NULL, 0, NULL);
}

/* The mapping reaches the device's memory both ways. */
static inline void ivshmem_expect_shared(struct vm *vm, struct vw_ivshmem *dev, uint64_t ptr)
{
    uint8_t pattern[16] = "shared-memory!!", back[16] = {0};
    if (!vw_write(vm, ptr + dev->shm_len - 16, pattern, 16))
        return;
    VW_EXPECT(vm, memcmp(dev->shm + dev->shm_len - 16, pattern, 16) == 0,
              "a write through the mapping did not reach the device's memory");
    memcpy(dev->shm, "from the peer..", 16);
    vw_read(vm, ptr, back, 16);
    VW_EXPECT(vm, memcmp(back, "from the peer..", 16) == 0,
              "the peer's write is not visible through the mapping");
}

static inline void ivshmem_remove_and_unload(struct vm *vm, struct vw_ivshmem *dev)
{
    uint32_t status = vw_pnp(vm, dev->pdo, VW_IRP_MN_QUERY_REMOVE_DEVICE);
    VW_EXPECT(vm, status == 0, "QUERY_REMOVE failed: 0x%08x", status);
    status = vw_pnp(vm, dev->pdo, VW_IRP_MN_REMOVE_DEVICE);
    VW_EXPECT(vm, status == 0, "REMOVE_DEVICE failed: 0x%08x", status);
    VW_EXPECT(vm, vw_driver_unload(vm), "unload failed");
}
