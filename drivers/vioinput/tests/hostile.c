/*
 * A hostile or broken device: absurd configuration sizes, empty abs
 * ranges, unknown event types, events without SYN_REPORT, short event
 * writes, more reports than anyone reads.  Each costs at most the device
 * (START fails with one clear error) or the bad events, never memory, and
 * unload finds nothing leaked.
 */
#include "vioinput_test.h"

#define EV(t, c, v) {VMODEL_INPUT_EV_##t, (c), (uint32_t)(v)}

/* Every configuration answer claims 200 bytes (the structure holds 128). */
VW_SCENARIO("vioinput", hostile_config_size, NULL)
{
    struct vioinput_bed bed = vioinput_device(vm, VMODEL_INPUT_KEYBOARD, true, 0);
    bed.vi->size_override = 200;
    uint32_t status = vioinput_try_start(vm, &bed);
    VW_EXPECT(vm, status == VW_STATUS_DEVICE_CONFIGURATION_ERROR,
              "START with a 200-byte config answer: 0x%08x", status);
    VW_EXPECT(vm, !vw_hid(vm)->started, "hidclass started a refused device");
    vioinput_finish(vm, &bed);
}

/* A tablet whose X range is empty is not a tablet; alone it is nothing. */
VW_SCENARIO("vioinput", hostile_abs_range, NULL)
{
    struct vioinput_bed bed = vioinput_device(vm, VMODEL_INPUT_TABLET, false, 0);
    bed.vi->abs_min[0] = 500, bed.vi->abs_max[0] = 500;
    uint32_t status = vioinput_try_start(vm, &bed);
    VW_EXPECT(vm, status == VW_STATUS_DEVICE_CONFIGURATION_ERROR,
              "START with an empty abs range: 0x%08x", status);
    vioinput_finish(vm, &bed);
}

/* With a mouse beside it, the mouse still works and abs events are ignored. */
VW_SCENARIO("vioinput", hostile_abs_range_with_mouse, NULL)
{
    struct vioinput_bed bed =
        vioinput_device(vm, VMODEL_INPUT_MOUSE | VMODEL_INPUT_TABLET, true, 0);
    bed.vi->abs_min[1] = 10, bed.vi->abs_max[1] = -10;
    if (!vioinput_start(vm, &bed))
        return;
    VW_EXPECT(vm, vw_hid(vm)->parsed.ncollections == 1, "%u collections, expected the mouse only",
              vw_hid(vm)->parsed.ncollections);
    unsigned mark = vw_hid(vm)->log_count;
    const struct vmodel_input_event ev[] = {EV(ABS, ABS_X, 5), EV(REL, REL_X, 3)};
    vioinput_frame(vm, &bed, &mark, 1, ev, 2);
    VW_EXPECT(vm, hid_value(vioinput_last(vm), PAGE_DESKTOP, USAGE_X) == 3, "mouse X %d",
              hid_value(vioinput_last(vm), PAGE_DESKTOP, USAGE_X));
    vioinput_finish(vm, &bed);
}

/* Unknown types and codes, keys a mouse lacks, events without SYN. */
VW_SCENARIO("vioinput", hostile_events, NULL)
{
    struct vioinput_bed bed = vioinput_device(vm, VMODEL_INPUT_MOUSE, true, 0);
    if (!vioinput_start(vm, &bed))
        return;
    unsigned mark = vw_hid(vm)->log_count;
    const struct vmodel_input_event junk[] = {
        EV(MSC, 4, 0x70004), {0x1f, 0xffff, 0xffffffff}, {0xffff, 1, 1},  EV(KEY, KEY_A, 1),
        EV(REL, 0x7fff, 9),  EV(ABS, ABS_X, 100),        EV(SYN, 0x55, 0)};
    vioinput_frame(vm, &bed, &mark, 0, junk, 7);
    /* Motion without SYN is held, not reported, until the frame ends. */
    vmodel_input_event(bed.vi, VMODEL_INPUT_EV_REL, REL_X, 2);
    vmodel_input_event(bed.vi, VMODEL_INPUT_EV_REL, REL_X, 2);
    VW_EXPECT(vm, vioinput_new_reports(vm, &mark) == 0, "a report without SYN_REPORT");
    vmodel_input_syn(bed.vi);
    VW_EXPECT(vm, vioinput_new_reports(vm, &mark) == 1, "no report at SYN_REPORT");
    VW_EXPECT(vm, hid_value(vioinput_last(vm), PAGE_DESKTOP, USAGE_X) == 4, "X %d",
              hid_value(vioinput_last(vm), PAGE_DESKTOP, USAGE_X));
    /* SYN_DROPPED forgets the frame's motion. */
    vmodel_input_event(bed.vi, VMODEL_INPUT_EV_REL, REL_Y, 50);
    vmodel_input_event(bed.vi, VMODEL_INPUT_EV_SYN, 3 /* SYN_DROPPED */, 0);
    vmodel_input_syn(bed.vi);
    VW_EXPECT(vm, vioinput_new_reports(vm, &mark) == 0, "motion reported across SYN_DROPPED");
    vioinput_finish(vm, &bed);
}

/* The device writes 4 bytes per event: each is dropped, none half-read. */
VW_SCENARIO("vioinput", hostile_short_events, NULL)
{
    struct vioinput_bed bed = vioinput_device(vm, VMODEL_INPUT_KEYBOARD, true, 0);
    if (!vioinput_start(vm, &bed))
        return;
    unsigned mark = vw_hid(vm)->log_count;
    bed.vi->event_len = 4;
    const struct vmodel_input_event a[] = {EV(KEY, KEY_A, 1)};
    vioinput_frame(vm, &bed, &mark, 0, a, 1);
    bed.vi->event_len = 0;
    vioinput_frame(vm, &bed, &mark, 1, a, 1);
    VW_EXPECT(vm, hid_has(vioinput_last(vm), PAGE_KEYBOARD, 0x04), "key A after good events");
    vioinput_finish(vm, &bed);
}

/* Forty frames at once: hidclass has two reads pending; the rest wait in
 * the driver's bounded queue (32), the oldest dropped beyond it. */
VW_SCENARIO("vioinput", report_queue_bounded, NULL)
{
    struct vioinput_bed bed = vioinput_device(vm, VMODEL_INPUT_MOUSE, true, 0);
    if (!vioinput_start(vm, &bed))
        return;
    unsigned mark = vw_hid(vm)->log_count;
    for (unsigned i = 1; i <= 20; i++) {
        vmodel_input_event(bed.vi, VMODEL_INPUT_EV_REL, REL_X, i);
        vmodel_input_syn(bed.vi);
    }
    unsigned got = vioinput_new_reports(vm, &mark);
    VW_EXPECT(vm, got == 20, "20 frames gave %u reports", got);
    for (unsigned i = 0; i < 20 && !vm->failed; i++)
        VW_EXPECT(vm, hid_value(vioinput_report(vm, 19 - i), PAGE_DESKTOP, USAGE_X) == (int)i + 1,
                  "report %u out of order (X %d)", i,
                  hid_value(vioinput_report(vm, 19 - i), PAGE_DESKTOP, USAGE_X));
    /* Nobody reading: hidclass's reads are held back by a stopped pump,
     * so frames beyond the queue are lost, the newest kept. */
    vw_hid(vm)->reading = false;
    for (unsigned i = 1; i <= 60; i++) {
        vmodel_input_event(bed.vi, VMODEL_INPUT_EV_REL, REL_Y, i);
        vmodel_input_syn(bed.vi);
        vw_run(vm);
    }
    vw_hid(vm)->reading = true;
    got = vioinput_new_reports(vm, &mark);
    VW_EXPECT(vm, got == 2 + 32, "60 unread frames gave %u reports (2 pending reads + 32 queued)",
              got);
    VW_EXPECT(vm, hid_value(vioinput_last(vm), PAGE_DESKTOP, USAGE_Y) == 60,
              "the newest frame was lost");
    vioinput_finish(vm, &bed);
}
