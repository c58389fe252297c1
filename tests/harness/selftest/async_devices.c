/*
 * Asynchronous devices (dev_virtio.c, vmodel_queue_delay): every request
 * completes after a seeded virtual delay, so a driver that reads the result
 * right after its kick fails, and the same driver passes only against a
 * device that completes at once.  The double-fetch knob: a used entry read
 * twice fails by name; the virtio core reading each entry once passes.
 */
#include "dev_virtio.h"
#include "kernel.h"
#include "scenario.h"

/* badvirtio in MODE on a one-queue device; the START status. */
static uint32_t run_mode(struct vm *vm, uint8_t mode, bool sync, bool double_fetch,
                         struct vw_virtio **out)
{
    struct vw_virtio_config cfg = {
        .transport = VMODEL_MODERN,
        .device_type = 4,
        .features = 1ull << 32 | (mode == 12 ? 1ull << 29 : 0), /* VERSION_1, EVENT_IDX */
        .queues = 1,
        .queue_max = 16,
        .msix = true,
        .seed = 7,
        .device_cfg_len = 4,
        .sync = sync,
    };
    struct vw_virtio *dev = vw_virtio_create(vm, &cfg);
    uint32_t status = VW_STATUS_INVALID_DEVICE_REQUEST;
    if (dev == NULL)
        return status;
    *out = dev;
    vw_virtio_double_fetch(dev, double_fetch);
    vmodel_set_device_cfg(dev->model, 0, &mode, 1);
    if (vw_driver_load(vm, "badvirtio") && vw_add_device(vm, dev->pdo))
        status = vw_pnp(vm, dev->pdo, VW_IRP_MN_START_DEVICE);
    return status;
}

VW_SCENARIO("harness", checker_virtio_assumes_sync, "START_DEVICE failed with 0xc0000185")
{
    struct vw_virtio *dev;
    uint32_t status = run_mode(vm, 16, false, false, &dev);
    VW_EXPECT(vm, status == 0, "START_DEVICE failed with 0x%08x", status);
}

/* The counterpart: against a device that completes at once the same driver
 * passes, so the delay is what catches it. */
VW_SCENARIO("harness", virtio_sync_device_hides_it, NULL)
{
    struct vw_virtio *dev;
    uint32_t status = run_mode(vm, 16, true, false, &dev);
    VW_EXPECT(vm, status == 0, "START_DEVICE failed with 0x%08x", status);
}

VW_SCENARIO("harness", checker_virtio_double_fetch, "used element 0 read twice by the driver")
{
    struct vw_virtio *dev;
    run_mode(vm, 17, false, true, &dev);
}

/* The virtio core reads each used entry once: three requests through it
 * with the knob on pass, and the device really rewrote what was read. */
VW_SCENARIO("harness", virtio_double_fetch_core_clean, NULL)
{
    struct vw_virtio *dev;
    uint32_t status = run_mode(vm, 12, false, true, &dev);
    VW_EXPECT(vm, status == 0, "START_DEVICE failed with 0x%08x", status);
    vw_run_for(vm, 2 * VW_VIRTIO_STALL_LIMIT);
    const struct vmodel_stats *st = vmodel_stats(dev->model);
    VW_EXPECT(vm, st->completions == 3, "the device completed %llu request(s), expected 3",
              (unsigned long long)st->completions);
}

/* Completions really come later: the request is taken at once, its used
 * entry only after the seeded delay, on the virtual clock. */
VW_SCENARIO("harness", virtio_completion_delayed, NULL)
{
    struct vw_virtio *dev;
    uint32_t status = run_mode(vm, 12, false, false, &dev);
    VW_EXPECT(vm, status == 0, "START_DEVICE failed with 0x%08x", status);
    VW_EXPECT(vm, vm->k->interrupt_time > 0x0000001234abcd00ull,
              "no virtual time passed while three requests completed");
}
