/*
 * A device that needs a reset says so with a configuration interrupt
 * (spec 2.1.2: DEVICE_NEEDS_RESET, then a configuration change
 * notification).  An entropy device has no configuration, so that is all a
 * configuration interrupt can mean to viorng: the read waiting on the
 * device is woken at once, the device restarted and asked again, and the
 * read succeeds with the restarted device's bytes, far inside the 5 s a
 * silent device costs.  With MSI-X the configuration change shares message
 * 0 with the queue; with INTx the ISR status has only the CONFIG bit.
 * Before the driver handled it (configuration vector NO_VECTOR, the DPC
 * queued for QUEUE only) the read waited the 5 s and timed out.  The same
 * announcement while no read waits is acted on by the next read.
 */
#include "viorng_test.h"

#define MS             10000ull
#define VIRTIO_S_RESET 0x40 /* DEVICE_NEEDS_RESET */

/* Runs inside the read's wait: the back end fails and asks for a reset; it
 * will answer again once reset. */
static void needs_reset_now(struct vm *vm, void *ctx)
{
    struct vw_virtio *dev = ctx;
    (void)vm;
    dev->hold = false;
    vmodel_needs_reset(dev->model);
}

static void needs_reset_while_reading(struct vm *vm, bool msix)
{
    struct vw_virtio *dev = viorng_device(vm, VMODEL_MODERN, msix, 0);
    if (!viorng_start(vm, dev))
        return;
    viorng_read_expect(vm, dev, 64);
    dev->hold = true; /* the device keeps the next request */
    vw_on_next_wait(vm, needs_reset_now, dev);
    uint64_t t0 = vm->k->interrupt_time;
    viorng_read_expect(vm, dev, 64);
    uint64_t took = vm->k->interrupt_time - t0;
    VW_EXPECT(vm, took < 1000 * MS,
              "the read waited %llu ms for a device that asked for a reset (5000: the "
              "configuration interrupt was ignored)",
              (unsigned long long)(took / MS));
    VW_EXPECT(vm, vmodel_status(dev->model) == 0x0f,
              "device status 0x%02x after NEEDS_RESET (0x0f: restarted)",
              vmodel_status(dev->model));
    viorng_finish(vm, dev);
}

VW_SCENARIO("viorng", config_needs_reset_msix, NULL)
{
    needs_reset_while_reading(vm, true);
}

VW_SCENARIO("viorng", config_needs_reset_intx, NULL)
{
    needs_reset_while_reading(vm, false);
}

/* NEEDS_RESET while idle: the next read restarts the device first and gets
 * its bytes at once instead of posting to a device that will not answer. */
VW_SCENARIO("viorng", config_needs_reset_idle, NULL)
{
    struct vw_virtio *dev = viorng_device(vm, VMODEL_MODERN, true, 0);
    if (!viorng_start(vm, dev))
        return;
    viorng_read_expect(vm, dev, 64);
    vmodel_needs_reset(dev->model);
    vw_run_for(vm, 10 * MS);
    VW_EXPECT(vm, vmodel_status(dev->model) & VIRTIO_S_RESET,
              "NEEDS_RESET cleared before any read (status 0x%02x)", vmodel_status(dev->model));
    uint64_t t0 = vm->k->interrupt_time;
    viorng_read_expect(vm, dev, 64);
    VW_EXPECT(vm, vm->k->interrupt_time - t0 < 1000 * MS,
              "the read after NEEDS_RESET waited %llu ms",
              (unsigned long long)((vm->k->interrupt_time - t0) / MS));
    VW_EXPECT(vm, vmodel_status(dev->model) == 0x0f, "device status 0x%02x after the read",
              vmodel_status(dev->model));
    viorng_finish(vm, dev);
}
