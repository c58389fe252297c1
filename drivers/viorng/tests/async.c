/*
 * viorng against asynchronous devices: a back end that hangs for 60 s of
 * virtual time (the read times out, the device restarts, and reads work
 * again once the back end is back), the double-fetch knob on both ring
 * formats (the driver reads each used entry once), and out-of-order
 * completion with long seeded delays.
 */
#include "viorng_test.h"

#define SECOND 10000000ull

VW_SCENARIO("viorng", backend_hang_60s, NULL)
{
    struct vw_virtio *dev = viorng_device(vm, VMODEL_MODERN, true, 0);
    if (!viorng_start(vm, dev))
        return;
    viorng_read_expect(vm, dev, 64);
    vw_virtio_hang_queue(dev, 0, 60 * SECOND);
    uint8_t buf[64];
    uint64_t info = 0;
    uint32_t status = vw_ioctl(vm, dev->pdo, VIORNG_IOCTL_READ, NULL, 0, buf, 64, &info);
    VW_EXPECT(vm, status == VW_STATUS_IO_TIMEOUT && info == 0,
              "read from a hung back end: 0x%08x with %llu bytes, expected a time-out", status,
              (unsigned long long)info);
    vw_run_for(vm, 60 * SECOND);
    viorng_read_expect(vm, dev, 128); /* the back end is back */
    viorng_finish(vm, dev);
}

static void double_fetch(struct vm *vm, uint64_t features)
{
    struct vw_virtio *dev = viorng_device(vm, VMODEL_MODERN, true, features);
    if (dev == NULL)
        return;
    vw_virtio_double_fetch(dev, true);
    if (!viorng_start(vm, dev))
        return;
    for (unsigned i = 0; i < 8 && !vm->failed; i++)
        viorng_read_expect(vm, dev, 32 + 100 * i);
    viorng_finish(vm, dev);
}

VW_SCENARIO("viorng", double_fetch_split, NULL)
{
    double_fetch(vm, 0);
}

VW_SCENARIO("viorng", double_fetch_packed, NULL)
{
    double_fetch(vm, F_RING_PACKED);
}

VW_SCENARIO("viorng", out_of_order_long_delays, NULL)
{
    struct vw_virtio *dev = viorng_device(vm, VMODEL_MODERN, true, 0);
    if (dev == NULL)
        return;
    vw_virtio_delay(dev, -1, 100, 20000, true); /* 10 us .. 2 ms */
    if (!viorng_start(vm, dev))
        return;
    for (unsigned i = 0; i < 8 && !vm->failed; i++)
        viorng_read_expect(vm, dev, 1 + 500 * i);
    viorng_finish(vm, dev);
}

/* Two functions of the driver in one machine: AddDevice twice, each device
 * its own queue, interrupts and entropy stream; one removed, the other
 * still reads. */
VW_SCENARIO("viorng", two_functions, NULL)
{
    struct vw_virtio *a = viorng_device(vm, VMODEL_MODERN, true, 0);
    struct vw_virtio *b = viorng_device(vm, VMODEL_MODERN, false, F_RING_PACKED);
    if (a == NULL || b == NULL || !viorng_start(vm, a))
        return;
    if (!vw_add_device(vm, b->pdo))
        return;
    uint32_t status = vw_pnp(vm, b->pdo, VW_IRP_MN_START_DEVICE);
    VW_EXPECT(vm, status == 0, "second START_DEVICE failed with 0x%08x", status);
    VW_EXPECT(vm, vw_create(vm, b->pdo) == 0, "IRP_MJ_CREATE on the second function failed");
    b->rng ^= 0x1234567; /* another entropy stream than the first function's */
    for (unsigned i = 0; i < 4 && !vm->failed; i++) {
        viorng_read_expect(vm, a, 48 + i);
        viorng_read_expect(vm, b, 64 + i);
    }
    VW_EXPECT(vm, vmodel_stats(a->model)->requests >= 4 && vmodel_stats(b->model)->requests >= 4,
              "requests went to one function only (%llu, %llu)",
              (unsigned long long)vmodel_stats(a->model)->requests,
              (unsigned long long)vmodel_stats(b->model)->requests);
    VW_EXPECT(vm, vw_close(vm, b->pdo) == 0, "IRP_MJ_CLOSE on the second function failed");
    vw_pnp(vm, b->pdo, VW_IRP_MN_REMOVE_DEVICE);
    viorng_read_expect(vm, a, 100); /* the first still works */
    viorng_finish(vm, a);
}
