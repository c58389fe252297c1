/*
 * Race testing on one CPU: seeded injection points move where the device
 * completes and where its interrupt lands (any kernel call of the read path,
 * inside or outside the spin lock), combined with a device that completes
 * late, in batches and with short writes.  Every seed must read correctly.
 */
#include "viorng_test.h"

static void run(struct vm *vm, enum vmodel_transport t, bool msix, uint64_t features)
{
    struct vw_virtio *dev = viorng_device(vm, t, msix, features);
    if (!viorng_start(vm, dev))
        return;
    struct vmodel_behaviour b = {.delay = 2, .short_writes = true};
    vmodel_set_behaviour(dev->model, &b);
    for (uint64_t seed = 1; seed <= 32 && !vm->failed; seed++) {
        vw_sched_seed(vm, seed);
        viorng_read_expect(vm, dev, (uint32_t)(seed * 97 % 700 + 1));
        if (vm->failed)
            vw_log(vm, "failing injection seed: %llu", (unsigned long long)seed);
    }
    vw_sched_seed(vm, 0);
    viorng_finish(vm, dev);
}

VW_SCENARIO("viorng", seeded_points_msix_split, NULL)
{
    run(vm, VMODEL_MODERN, true, 0);
}

VW_SCENARIO("viorng", seeded_points_intx_packed, NULL)
{
    run(vm, VMODEL_MODERN, false, F_RING_PACKED);
}

VW_SCENARIO("viorng", seeded_points_legacy_intx, NULL)
{
    run(vm, VMODEL_LEGACY, false, 0);
}
