/*
 * No silent limits: the tables that once had fixed sizes (64 common
 * buffers, 64 DMA regions in the device model, ring watches up to 16
 * queues of 1024 entries, 4 pollers, 4 DMA listeners, 8 destructors) grow
 * as the driver asks; a hard limit that remains fails the run by name.
 */
#include "dev_virtio.h"
#include "kernel.h"
#include "scenario.h"

/* badvirtio mode 18: 100 common buffers and a request in the last one, on
 * a ring of 2048 entries (watched). */
VW_SCENARIO("harness", limits_beyond_old_sizes, NULL)
{
    struct vw_virtio_config cfg = {
        .transport = VMODEL_MODERN,
        .device_type = 4,
        .features = 1ull << 32,
        .queues = 20,
        .queue_max = 2048,
        .msix = true,
        .seed = 9,
        .device_cfg_len = 4,
    };
    uint8_t mode = 18;
    struct vw_virtio *dev = vw_virtio_create(vm, &cfg);
    for (unsigned i = 0; i < 5 && dev != NULL; i++) /* more devices than the old 4 pollers */
        vw_virtio_create(vm, &(struct vw_virtio_config){.transport = VMODEL_MODERN,
                                                        .device_type = 4,
                                                        .features = 1ull << 32,
                                                        .queues = 1,
                                                        .queue_max = 16,
                                                        .seed = i});
    if (dev == NULL)
        return;
    vmodel_set_device_cfg(dev->model, 0, &mode, 1);
    if (!vw_driver_load(vm, "badvirtio") || !vw_add_device(vm, dev->pdo))
        return;
    uint32_t status = vw_pnp(vm, dev->pdo, VW_IRP_MN_START_DEVICE);
    VW_EXPECT(vm, status == 0, "START_DEVICE failed with 0x%08x", status);
    VW_EXPECT(vm, dev->watch[0].active && dev->watch[0].size == 2048,
              "the ring of 2048 entries is not watched (size %u)", dev->watch[0].size);
    const struct vmodel_stats *st = vmodel_stats(dev->model);
    VW_EXPECT(vm, st->completions == 1 && st->errors == 0,
              "the device completed %llu request(s) with %llu error(s); expected 1, 0",
              (unsigned long long)st->completions, (unsigned long long)st->errors);
    vw_pnp(vm, dev->pdo, VW_IRP_MN_REMOVE_DEVICE);
    vw_driver_unload(vm);
}

/* A limit that remains (PDOs per machine) fails by name, never silently. */
VW_SCENARIO("harness", limits_hard_limit_named, "hard limit: more than 8 devices")
{
    for (unsigned i = 0; i < 9 && !vm->failed; i++)
        vw_virtio_create(vm, &(struct vw_virtio_config){.transport = VMODEL_MODERN,
                                                        .device_type = 4,
                                                        .features = 1ull << 32,
                                                        .queues = 1,
                                                        .queue_max = 16,
                                                        .seed = i});
}
