/*
 * Device life: NEEDS_RESET, surprise removal with reads pending, D3 and
 * back, stop and restart, and unload without leaks after each.
 */
#include "vioinput_test.h"

#define EV(t, c, v) {VMODEL_INPUT_EV_##t, (c), (uint32_t)(v)}

static void key_works(struct vm *vm, struct vioinput_bed *bed, unsigned *mark, uint32_t value)
{
    const struct vmodel_input_event a[] = {EV(KEY, KEY_A, value)};
    vioinput_frame(vm, bed, mark, 1, a, 1);
    VW_EXPECT(vm, hid_has(vioinput_last(vm), PAGE_KEYBOARD, 0x04) == (value != 0),
              "key A state wrong after the frame");
}

/* NEEDS_RESET: the driver restarts the device by itself; the key held
 * before is released towards hidclass, then input flows again. */
VW_SCENARIO("vioinput", needs_reset_restarts, NULL)
{
    struct vioinput_bed bed = vioinput_device(vm, VMODEL_INPUT_KEYBOARD, true, 0);
    if (!vioinput_start(vm, &bed))
        return;
    unsigned mark = vw_hid(vm)->log_count;
    key_works(vm, &bed, &mark, 1);
    vmodel_needs_reset(bed.dev->model);
    const struct vmodel_input_event b[] = {EV(KEY, KEY_B, 1)};
    vioinput_frame(vm, &bed, &mark, 2, b, 1);
    VW_EXPECT(vm, vioinput_report(vm, 1)->nitems == 0, "held key A not released at the restart");
    VW_EXPECT(vm,
              hid_has(vioinput_last(vm), PAGE_KEYBOARD, 0x05) &&
                  !hid_has(vioinput_last(vm), PAGE_KEYBOARD, 0x04),
              "B after the restart");
    VW_EXPECT(vm, (vmodel_status(bed.dev->model) & 0x44) == 0x04,
              "device not running after the restart (status 0x%02x)",
              vmodel_status(bed.dev->model));
    vioinput_finish(vm, &bed);
}

/* A device that breaks the event queue (a used id never posted): the
 * frame is lost, the device is restarted, the next frame arrives. */
VW_SCENARIO("vioinput", broken_event_queue_restarts, NULL)
{
    struct vioinput_bed bed = vioinput_device(vm, VMODEL_INPUT_MOUSE, true, 0);
    if (!vioinput_start(vm, &bed))
        return;
    unsigned mark = vw_hid(vm)->log_count;
    struct vmodel_behaviour bad = {.evil = VMODEL_EVIL_BAD_ID};
    vmodel_set_behaviour(bed.dev->model, &bad);
    const struct vmodel_input_event x[] = {EV(REL, REL_X, 9)};
    vmodel_input_event(bed.vi, VMODEL_INPUT_EV_REL, REL_X, 9);
    vmodel_input_syn(bed.vi);
    vw_hid_pump(vm);
    struct vmodel_behaviour good = {0};
    vmodel_set_behaviour(bed.dev->model, &good);
    bed.vi->fifo_count = 0;
    mark = vw_hid(vm)->log_count;
    vioinput_frame(vm, &bed, &mark, 1, x, 1);
    VW_EXPECT(vm, hid_value(vioinput_last(vm), PAGE_DESKTOP, USAGE_X) == 9, "X after restart");
    vioinput_finish(vm, &bed);
}

/* A device that faults again as soon as it is restarted: the restart
 * fails once, the device is left reset (no loop), input stops; a later
 * D3/D0 with a healthy device brings it back. */
VW_SCENARIO("vioinput", faulting_device_left_reset, NULL)
{
    struct vioinput_bed bed = vioinput_device(vm, VMODEL_INPUT_KEYBOARD, true, 0);
    if (!vioinput_start(vm, &bed))
        return;
    unsigned mark = vw_hid(vm)->log_count;
    struct vmodel_behaviour bad = {.evil = VMODEL_EVIL_NEEDS_RESET};
    vmodel_set_behaviour(bed.dev->model, &bad);
    vmodel_needs_reset(bed.dev->model);
    vw_hid_pump(vm);
    VW_EXPECT(vm, vmodel_status(bed.dev->model) == 0,
              "the hopeless device is not left reset (0x%02x)", vmodel_status(bed.dev->model));
    uint64_t irqs = vmodel_stats(bed.dev->model)->interrupts;
    const struct vmodel_input_event a[] = {EV(KEY, KEY_A, 1)};
    vioinput_frame(vm, &bed, &mark, 0, a, 1);
    VW_EXPECT(vm, vmodel_stats(bed.dev->model)->interrupts == irqs,
              "the driver keeps restarting a hopeless device");
    struct vmodel_behaviour good = {0};
    vmodel_set_behaviour(bed.dev->model, &good);
    VW_EXPECT(vm, vw_power_set_device(vm, bed.dev->pdo, 4) == 0, "D3 failed");
    bed.vi->fifo_count = 0;
    VW_EXPECT(vm, vw_power_set_device(vm, bed.dev->pdo, 1) == 0, "D0 failed");
    key_works(vm, &bed, &mark, 1);
    vioinput_finish(vm, &bed);
}

VW_SCENARIO("vioinput", power_d3_and_back, NULL)
{
    struct vioinput_bed bed =
        vioinput_device(vm, VMODEL_INPUT_KEYBOARD | VMODEL_INPUT_MOUSE, true, 0);
    if (!vioinput_start(vm, &bed))
        return;
    unsigned mark = vw_hid(vm)->log_count;
    key_works(vm, &bed, &mark, 1);
    VW_EXPECT(vm, vw_power_set_device(vm, bed.dev->pdo, 4) == 0, "D3 failed");
    VW_EXPECT(vm, vmodel_status(bed.dev->model) == 0, "device not reset in D3 (status 0x%02x)",
              vmodel_status(bed.dev->model));
    VW_EXPECT(vm, vw_hid(vm)->read_errors == VW_HID_READS, "%u reads cancelled at D3, expected %u",
              vw_hid(vm)->read_errors, VW_HID_READS);
    VW_EXPECT(vm, vw_power_set_device(vm, bed.dev->pdo, 1) == 0, "D0 failed");
    key_works(vm, &bed, &mark, 1);
    key_works(vm, &bed, &mark, 0);
    /* LEDs after power-up: the device got reset, the driver sends again. */
    const uint8_t caps[] = {1, 0x02};
    VW_EXPECT(vm, vw_hid_write_report(vm, caps, 2) == 0, "LED report after D0 failed");
    vw_hid_pump(vm);
    VW_EXPECT(vm, bed.vi->status_count == 2, "%u status events after D0", bed.vi->status_count);
    vioinput_finish(vm, &bed);
}

VW_SCENARIO("vioinput", stop_restart, NULL)
{
    struct vioinput_bed bed = vioinput_device(vm, VMODEL_INPUT_MOUSE, false, 0);
    if (!vioinput_start(vm, &bed))
        return;
    unsigned mark = vw_hid(vm)->log_count;
    const struct vmodel_input_event x[] = {EV(REL, REL_X, 1)};
    vioinput_frame(vm, &bed, &mark, 1, x, 1);
    VW_EXPECT(vm, vw_pnp(vm, bed.dev->pdo, VW_IRP_MN_QUERY_STOP_DEVICE) == 0, "QUERY_STOP failed");
    VW_EXPECT(vm, vw_pnp(vm, bed.dev->pdo, VW_IRP_MN_STOP_DEVICE) == 0, "STOP failed");
    VW_EXPECT(vm, vw_pnp(vm, bed.dev->pdo, VW_IRP_MN_START_DEVICE) == 0, "restart failed");
    vw_hid_pump(vm);
    vioinput_frame(vm, &bed, &mark, 1, x, 1);
    vioinput_finish(vm, &bed);
}

static void pull(struct vm *vm, struct vioinput_bed *bed)
{
    vw_virtio_unplug(bed->dev);
    uint32_t status = vw_pnp(vm, bed->dev->pdo, VW_IRP_MN_SURPRISE_REMOVAL);
    VW_EXPECT(vm, status == 0, "SURPRISE_REMOVAL failed with 0x%08x", status);
}

/* Surprise removal with reads pending and events in flight. */
VW_SCENARIO("vioinput", surprise_removal, NULL)
{
    struct vioinput_bed bed = vioinput_device(vm, VMODEL_INPUT_KEYBOARD, true, 0);
    if (!vioinput_start(vm, &bed))
        return;
    unsigned mark = vw_hid(vm)->log_count;
    key_works(vm, &bed, &mark, 1);
    vmodel_input_event(bed.vi, VMODEL_INPUT_EV_KEY, KEY_B, 1); /* never delivered */
    pull(vm, &bed);
    VW_EXPECT(vm, vw_hid(vm)->read_errors == VW_HID_READS, "%u pending reads failed, expected %u",
              vw_hid(vm)->read_errors, VW_HID_READS);
    vmodel_input_syn(bed.vi);
    VW_EXPECT(vm, vioinput_new_reports(vm, &mark) == 0, "a report from a removed device");
    vioinput_finish(vm, &bed);
}

/* Unload with no device left after a plain start and removal. */
VW_SCENARIO("vioinput", unload_without_leaks, NULL)
{
    struct vioinput_bed bed =
        vioinput_device(vm, VMODEL_INPUT_KEYBOARD | VMODEL_INPUT_TABLET, true, 0);
    if (!vioinput_start(vm, &bed))
        return;
    VW_EXPECT(vm, vw_pnp(vm, bed.dev->pdo, VW_IRP_MN_QUERY_REMOVE_DEVICE) == 0,
              "QUERY_REMOVE failed");
    vioinput_finish(vm, &bed);
    VW_EXPECT(vm, vw_driver_device_count(vm) == 0, "%u device objects left",
              vw_driver_device_count(vm));
}

/* A device that refuses FEATURES_OK on the way back from D3: the D0
 * set-power IRP is not failed (a driver "cannot fail IRP_MN_SET_POWER",
 * Microsoft's Power IRPs for the System); the next D3/D0 with a good
 * device brings input back. */
VW_SCENARIO("vioinput", power_up_with_failing_device_not_failed, NULL)
{
    struct vioinput_bed bed = vioinput_device(vm, VMODEL_INPUT_KEYBOARD, true, 0);
    if (!vioinput_start(vm, &bed))
        return;
    unsigned mark = vw_hid(vm)->log_count;
    key_works(vm, &bed, &mark, 1);
    VW_EXPECT(vm, vw_power_set_device(vm, bed.dev->pdo, 4) == 0, "D3 failed");
    struct vmodel_behaviour refuse = {.refuse_features_ok = true};
    vmodel_set_behaviour(bed.dev->model, &refuse);
    uint32_t status = vw_power_set_device(vm, bed.dev->pdo, 1);
    VW_EXPECT(vm, status == 0, "D0 set-power IRP failed with 0x%08x (must not fail)", status);
    struct vmodel_behaviour good = {0};
    vmodel_set_behaviour(bed.dev->model, &good);
    VW_EXPECT(vm, vw_power_set_device(vm, bed.dev->pdo, 4) == 0, "D3 failed");
    bed.vi->fifo_count = 0;
    VW_EXPECT(vm, vw_power_set_device(vm, bed.dev->pdo, 1) == 0, "D0 failed");
    key_works(vm, &bed, &mark, 1);
    vioinput_finish(vm, &bed);
}

/* hidclass's FDO is not ours: without DO_POWER_PAGABLE its device power
 * IRPs may come at DISPATCH_LEVEL, where the driver must not wait or bring
 * the device up; it finishes them at PASSIVE_LEVEL on a work item. */
VW_SCENARIO("vioinput", power_irps_at_dispatch_level, NULL)
{
    struct vioinput_bed bed = vioinput_device(vm, VMODEL_INPUT_KEYBOARD, true, 0);
    if (!vioinput_start(vm, &bed))
        return;
    unsigned mark = vw_hid(vm)->log_count;
    key_works(vm, &bed, &mark, 1);
    vw_hidclass_power_at_dispatch(vm, true);
    VW_EXPECT(vm, vw_power_set_device(vm, bed.dev->pdo, 4) == 0, "D3 failed");
    VW_EXPECT(vm, vmodel_status(bed.dev->model) == 0, "device not reset in D3 (status 0x%02x)",
              vmodel_status(bed.dev->model));
    VW_EXPECT(vm, vw_power_set_device(vm, bed.dev->pdo, 1) == 0, "D0 failed");
    VW_EXPECT(vm, vmodel_status(bed.dev->model) & 0x04, "device not running after D0");
    vw_hidclass_power_at_dispatch(vm, false);
    key_works(vm, &bed, &mark, 1);
    key_works(vm, &bed, &mark, 0);
    vioinput_finish(vm, &bed);
}
