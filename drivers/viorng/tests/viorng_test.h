/*
 * Shared set-up of the viorng scenarios: a virtio-rng PCI function (modern,
 * transitional or legacy; MSI-X or INTx; split or packed ring), the driver
 * loaded and started on it, and reads through IOCTL_VIORNG_READ compared
 * with what the device produced.
 */
#pragma once
#include <string.h>
#include "dev_virtio.h"
#include "kernel.h"
#include "scenario.h"
#include "vw_ntstatus.h"

#define VIORNG_IOCTL_READ 0x226000u /* CTL_CODE(0x22, 0x800, METHOD_BUFFERED, FILE_READ_ACCESS) */
#define VIRTIO_ID_RNG     4
#define F_VERSION_1       (1ull << 32)
#define F_RING_PACKED     (1ull << 34)
#define F_EVENT_IDX       (1ull << 29)
#define F_INDIRECT        (1ull << 28)

static inline struct vw_virtio *viorng_device(struct vm *vm, enum vmodel_transport transport,
                                              bool msix, uint64_t extra_features)
{
    struct vw_virtio_config cfg = {
        .transport = transport,
        .device_type = VIRTIO_ID_RNG,
        .features = (transport == VMODEL_LEGACY ? 0 : F_VERSION_1) | F_EVENT_IDX | F_INDIRECT |
                    extra_features,
        .queues = 1,
        .queue_max = 64,
        .msix = msix,
        .seed = 0x5eed,
    };
    return vw_virtio_create(vm, &cfg);
}

/* Load, add and start: true when the device is up. */
static inline bool viorng_start(struct vm *vm, struct vw_virtio *dev)
{
    if (dev == NULL || !vw_driver_load(vm, "viorng") || !vw_add_device(vm, dev->pdo))
        return false;
    uint32_t status = vw_pnp(vm, dev->pdo, VW_IRP_MN_START_DEVICE);
    VW_EXPECT(vm, status == 0, "START_DEVICE failed with 0x%08x", status);
    VW_EXPECT(vm, vw_create(vm, dev->pdo) == 0, "IRP_MJ_CREATE failed");
    return !vm->failed;
}

/* Read LEN bytes with the IOCTL; they must be the next LEN the device made. */
static inline void viorng_read_expect(struct vm *vm, struct vw_virtio *dev, uint32_t len)
{
    static uint8_t buf[8192];
    uint64_t info = 0;
    uint32_t before = dev->produced_len;
    uint32_t status = vw_ioctl(vm, dev->pdo, VIORNG_IOCTL_READ, NULL, 0, buf, len, &info);
    VW_EXPECT(vm, status == 0, "IOCTL_VIORNG_READ(%u) failed with 0x%08x", len, status);
    VW_EXPECT(vm, info > 0 && info <= len, "IOCTL_VIORNG_READ(%u) returned %llu bytes", len,
              (unsigned long long)info);
    VW_EXPECT(vm, dev->produced_len - before >= info, "more bytes read than the device made");
    VW_EXPECT(vm, memcmp(buf, dev->produced + before, info) == 0,
              "bytes read differ from the device's entropy");
}

/* Close, remove and unload with the leak checks. */
static inline void viorng_finish(struct vm *vm, struct vw_virtio *dev)
{
    VW_EXPECT(vm, vw_close(vm, dev->pdo) == 0, "IRP_MJ_CLOSE failed");
    vw_pnp(vm, dev->pdo, VW_IRP_MN_REMOVE_DEVICE);
    vw_driver_unload(vm);
}
