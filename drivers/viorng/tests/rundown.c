/*
 * The framework's rundown: a STOP or a surprise removal from another
 * thread while a read is inside its dispatch routine, waiting on the
 * device (preempted at that wait, vw_preempt_at_import).  The PnP IRP must not
 * run D0Exit/ReleaseHardware (reset, free the bounce buffer, unmap the
 * BARs) before the read has left its dispatch routine; the read is woken
 * at once and fails (STATUS_DEVICE_NOT_READY for a stop, the device may
 * drop I/O; STATUS_DELETE_PENDING for a removal) instead of waiting out
 * its 5 s bound; new requests fail the same way.
 */
#include "viorng_test.h"
#include "vw_ntstatus.h"

/* The read's waits: RequestLock first, then the device's answer. */
#define WAITS "KeWaitForSingleObject|KeWaitForMultipleObjects"

struct race {
    struct vw_virtio *dev;
    uint8_t minor;
    bool read_done;
    bool pnp_done;
};

static void pnp_now(struct vm *vm, void *ctx)
{
    struct race *r = ctx;
    if (r->minor == VW_IRP_MN_STOP_DEVICE)
        VW_EXPECT(vm, vw_pnp(vm, r->dev->pdo, VW_IRP_MN_QUERY_STOP_DEVICE) == 0,
                  "QUERY_STOP failed");
    else
        vw_virtio_unplug(r->dev);
    uint32_t status = vw_pnp(vm, r->dev->pdo, r->minor);
    VW_EXPECT(vm, status == 0, "PnP 0x%02x failed with 0x%08x", r->minor, status);
    VW_EXPECT(vm, r->read_done,
              "PnP 0x%02x released the hardware while a read was still inside its dispatch "
              "routine",
              r->minor);
    r->pnp_done = true;
}

static void pnp_during_read(struct vm *vm, uint8_t minor, uint32_t expect)
{
    struct vw_virtio *dev = viorng_device(vm, VMODEL_MODERN, true, 0);
    if (!viorng_start(vm, dev))
        return;
    struct race r = {dev, minor, false, false};
    dev->hold = true; /* the device keeps the buffer: the read waits */
    vw_preempt_at_import(vm, WAITS, 2, pnp_now, &r);
    uint8_t buf[64];
    uint64_t info = 0, before = vm->k->interrupt_time;
    uint32_t status = vw_ioctl(vm, dev->pdo, VIORNG_IOCTL_READ, NULL, 0, buf, 64, &info);
    r.read_done = true;
    VW_EXPECT(vm, status == expect && info == 0, "read across PnP 0x%02x: 0x%08x, %llu bytes",
              minor, status, (unsigned long long)info);
    VW_EXPECT(vm, vm->k->interrupt_time - before < 10000000 /* 1 s */,
              "the read was not woken by the PnP IRP (%llu ms)",
              (unsigned long long)(vm->k->interrupt_time - before) / 10000);
    vw_preempt_finish(vm);
    VW_EXPECT(vm, r.pnp_done, "the PnP IRP never finished");
    status = vw_ioctl(vm, dev->pdo, VIORNG_IOCTL_READ, NULL, 0, buf, 64, &info);
    VW_EXPECT(vm, status == expect, "read after PnP 0x%02x: 0x%08x", minor, status);
    dev->hold = false;
    if (minor == VW_IRP_MN_STOP_DEVICE) {
        VW_EXPECT(vm, vw_pnp(vm, dev->pdo, VW_IRP_MN_START_DEVICE) == 0, "restart failed");
        viorng_read_expect(vm, dev, 32);
    }
    viorng_finish(vm, dev);
}

VW_SCENARIO("viorng", stop_waits_for_read_in_dispatch, NULL)
{
    pnp_during_read(vm, VW_IRP_MN_STOP_DEVICE, VW_STATUS_DEVICE_NOT_READY);
}

VW_SCENARIO("viorng", surprise_removal_waits_for_read_in_dispatch, NULL)
{
    pnp_during_read(vm, VW_IRP_MN_SURPRISE_REMOVAL, VW_STATUS_DELETE_PENDING);
}
