/*
 * The framework's rundown on the LED path: a STOP or a surprise removal
 * from another thread while hidclass's IOCTL_HID_WRITE_REPORT is inside
 * the minidriver's dispatch routine, preempted at the request's first
 * spin-lock acquisition (VioinputWriteLeds takes the device lock before it
 * queues EV_LED events on the status queue and notifies the device).  The
 * PnP IRP must not run D0Exit/ReleaseHardware (reset, free the status
 * buffers, unmap the BAR) before the request has left its dispatch routine
 * (common/wdm/rundown.c); the request finishes or fails cleanly, and after
 * a STOP a START brings the LEDs back.
 *
 * The hidclass emulation dispatches as host code (k_irp.c), so the
 * minidriver runs at call depth 1, where vw_preempt_at can switch threads.
 */
#include "vioinput_test.h"

/* KeAcquireSpinLock: an import on x86, the RaiseToDpc form elsewhere. */
#define SPIN                    "KfAcquireSpinLock|KeAcquireSpinLockRaiseToDpc"
#define STATUS_DEVICE_NOT_READY 0xc00000a3u

struct race {
    struct vioinput_bed *bed;
    uint8_t minor;
    bool request_left; /* the dispatch routine returned */
    bool pnp_done;
};

static void pnp_now(struct vm *vm, void *ctx)
{
    struct race *r = ctx;
    gva_t pdo = r->bed->dev->pdo;
    if (r->minor == VW_IRP_MN_STOP_DEVICE)
        VW_EXPECT(vm, vw_pnp(vm, pdo, VW_IRP_MN_QUERY_STOP_DEVICE) == 0, "QUERY_STOP failed");
    else
        vw_virtio_unplug(r->bed->dev);
    uint32_t status = vw_pnp(vm, pdo, r->minor);
    VW_EXPECT(vm, status == 0, "PnP 0x%02x failed with 0x%08x", r->minor, status);
    VW_EXPECT(vm, r->request_left,
              "PnP 0x%02x released the hardware while an LED report was still inside the "
              "minidriver's dispatch routine",
              r->minor);
    r->pnp_done = true;
}

static void pnp_during_led_report(struct vm *vm, uint8_t minor)
{
    struct vioinput_bed bed = vioinput_device(vm, VMODEL_INPUT_KEYBOARD, true, 0);
    if (!vioinput_start(vm, &bed))
        return;
    struct race r = {&bed, minor, false, false};
    const uint8_t on[] = {1, 0x03}; /* Num Lock, Caps Lock */

    vw_preempt_at_import(vm, SPIN, 1, pnp_now, &r);
    uint32_t st = vw_hid_write_report(vm, on, sizeof(on));
    r.request_left = true;
    vw_preempt_finish(vm);
    VW_EXPECT(vm, r.pnp_done, "the PnP IRP never finished (or never landed in the request)");
    /* Finished before the PnP IRP went on, or refused.  A device still
     * there got the events (Num, Caps, SYN); an unplugged one gets none. */
    VW_EXPECT(vm, st == 0 || st == STATUS_DEVICE_NOT_READY,
              "the LED report across PnP 0x%02x ended with 0x%08x", minor, st);
    VW_EXPECT(vm, st != 0 || minor != VW_IRP_MN_STOP_DEVICE || bed.vi->status_count == 3,
              "the LED report succeeded before STOP but the device got %u status events",
              bed.vi->status_count);
    if (minor == VW_IRP_MN_STOP_DEVICE && !vm->failed) {
        VW_EXPECT(vm, vw_pnp(vm, bed.dev->pdo, VW_IRP_MN_START_DEVICE) == 0, "START failed");
        vw_hid_pump(vm);
        unsigned before = bed.vi->status_count;
        const uint8_t caps[] = {1, 0x02};
        st = vw_hid_write_report(vm, caps, sizeof(caps));
        vw_hid_pump(vm);
        /* The device was reset: every LED the driver knows of is sent again
         * or just the change; either way events arrive, ending with SYN. */
        VW_EXPECT(vm,
                  st == 0 && bed.vi->status_count > before &&
                      bed.vi->status[bed.vi->status_count - 1].type == VMODEL_INPUT_EV_SYN,
                  "LEDs after START: 0x%08x, %u new status events", st,
                  bed.vi->status_count - before);
    }
    vioinput_finish(vm, &bed);
}

VW_SCENARIO("vioinput", stop_waits_for_led_report_in_dispatch, NULL)
{
    pnp_during_led_report(vm, VW_IRP_MN_STOP_DEVICE);
}

VW_SCENARIO("vioinput", surprise_removal_waits_for_led_report_in_dispatch, NULL)
{
    pnp_during_led_report(vm, VW_IRP_MN_SURPRISE_REMOVAL);
}
