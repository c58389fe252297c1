/*
 * Mouse and tablet: relative motion, buttons and wheels; absolute positions
 * scaled from the device's ABS_INFO range to the descriptor's 0..32767;
 * a device that is both gets two collections with their own report IDs.
 */
#include "vioinput_test.h"

#define EV(t, c, v) {VMODEL_INPUT_EV_##t, (c), (uint32_t)(v)}

VW_SCENARIO("vioinput", mouse_motion_buttons_wheel, NULL)
{
    struct vioinput_bed bed = vioinput_device(vm, VMODEL_INPUT_MOUSE, true, 0);
    if (!vioinput_start(vm, &bed))
        return;
    VW_EXPECT(vm, vw_hid_collection(vm, PAGE_DESKTOP, 0x02) >= 0, "no mouse collection");
    VW_EXPECT(vm, vw_hid_collection(vm, PAGE_DESKTOP, 0x06) < 0, "a mouse has no keyboard");
    unsigned mark = vw_hid(vm)->log_count;

    const struct vmodel_input_event move[] = {EV(REL, REL_X, 5), EV(REL, REL_Y, -3),
                                              EV(KEY, BTN_LEFT, 1), EV(REL, REL_WHEEL, 1),
                                              EV(REL, REL_HWHEEL, -2)};
    vioinput_frame(vm, &bed, &mark, 1, move, 5);
    const struct hid_report *r = vioinput_last(vm);
    VW_EXPECT(vm, hid_value(r, PAGE_DESKTOP, USAGE_X) == 5, "X %d",
              hid_value(r, PAGE_DESKTOP, USAGE_X));
    VW_EXPECT(vm, hid_value(r, PAGE_DESKTOP, USAGE_Y) == -3, "Y %d",
              hid_value(r, PAGE_DESKTOP, USAGE_Y));
    VW_EXPECT(vm, hid_has(r, PAGE_BUTTON, 1) && !hid_has(r, PAGE_BUTTON, 2), "buttons wrong");
    VW_EXPECT(vm, hid_value(r, PAGE_DESKTOP, USAGE_WHEEL) == 1, "wheel %d",
              hid_value(r, PAGE_DESKTOP, USAGE_WHEEL));
    VW_EXPECT(vm, hid_value(r, PAGE_CONSUMER, USAGE_AC_PAN) == -2, "pan %d",
              hid_value(r, PAGE_CONSUMER, USAGE_AC_PAN));

    /* Motion accumulates within a frame; the button stays down. */
    const struct vmodel_input_event more[] = {EV(REL, REL_X, 7), EV(REL, REL_X, 8),
                                              EV(KEY, BTN_RIGHT, 1)};
    vioinput_frame(vm, &bed, &mark, 1, more, 3);
    r = vioinput_last(vm);
    VW_EXPECT(vm, hid_value(r, PAGE_DESKTOP, USAGE_X) == 15 && !hid_has(r, PAGE_DESKTOP, USAGE_Y),
              "accumulated X %d", hid_value(r, PAGE_DESKTOP, USAGE_X));
    VW_EXPECT(vm, hid_has(r, PAGE_BUTTON, 1) && hid_has(r, PAGE_BUTTON, 2), "buttons not held");

    /* Huge motion saturates at the report's range instead of wrapping. */
    const struct vmodel_input_event huge[] = {EV(REL, REL_X, 100000), EV(REL, REL_Y, -2000000000),
                                              EV(REL, REL_WHEEL, 1000), EV(KEY, BTN_LEFT, 0),
                                              EV(KEY, BTN_RIGHT, 0)};
    vioinput_frame(vm, &bed, &mark, 1, huge, 5);
    r = vioinput_last(vm);
    VW_EXPECT(vm,
              hid_value(r, PAGE_DESKTOP, USAGE_X) == 32767 &&
                  hid_value(r, PAGE_DESKTOP, USAGE_Y) == -32767 &&
                  hid_value(r, PAGE_DESKTOP, USAGE_WHEEL) == 127,
              "saturation: X %d Y %d wheel %d", hid_value(r, PAGE_DESKTOP, USAGE_X),
              hid_value(r, PAGE_DESKTOP, USAGE_Y), hid_value(r, PAGE_DESKTOP, USAGE_WHEEL));
    VW_EXPECT(vm, !hid_has(r, PAGE_BUTTON, 1) && !hid_has(r, PAGE_BUTTON, 2), "buttons stuck");
    vioinput_finish(vm, &bed);
}

VW_SCENARIO("vioinput", tablet_abs_scaled, NULL)
{
    struct vioinput_bed bed = vioinput_device(vm, VMODEL_INPUT_TABLET, true, 0);
    bed.vi->abs_min[0] = -1000, bed.vi->abs_max[0] = 1000; /* X: [-1000, 1000] */
    bed.vi->abs_min[1] = 0, bed.vi->abs_max[1] = 600;      /* Y: [0, 600] */
    if (!vioinput_start(vm, &bed))
        return;
    unsigned mark = vw_hid(vm)->log_count;
    const struct vmodel_input_event mid[] = {EV(ABS, ABS_X, 0), EV(ABS, ABS_Y, 300),
                                             EV(KEY, BTN_LEFT, 1)};
    vioinput_frame(vm, &bed, &mark, 1, mid, 3);
    const struct hid_report *r = vioinput_last(vm);
    VW_EXPECT(vm,
              hid_value(r, PAGE_DESKTOP, USAGE_X) == 16383 &&
                  hid_value(r, PAGE_DESKTOP, USAGE_Y) == 16383,
              "centre scaled to %d,%d", hid_value(r, PAGE_DESKTOP, USAGE_X),
              hid_value(r, PAGE_DESKTOP, USAGE_Y));
    VW_EXPECT(vm, hid_has(r, PAGE_BUTTON, 1), "button not down");
    /* Corners, and values beyond the range clamp to it. */
    const struct vmodel_input_event corner[] = {EV(ABS, ABS_X, 1000), EV(ABS, ABS_Y, 0)};
    vioinput_frame(vm, &bed, &mark, 1, corner, 2);
    r = vioinput_last(vm);
    VW_EXPECT(vm,
              hid_value(r, PAGE_DESKTOP, USAGE_X) == 32767 && !hid_has(r, PAGE_DESKTOP, USAGE_Y),
              "corner scaled to %d,%d", hid_value(r, PAGE_DESKTOP, USAGE_X),
              hid_value(r, PAGE_DESKTOP, USAGE_Y));
    const struct vmodel_input_event beyond[] = {EV(ABS, ABS_X, 0x7fffffff),
                                                EV(ABS, ABS_Y, -5000000), EV(KEY, BTN_LEFT, 0)};
    vioinput_frame(vm, &bed, &mark, 1, beyond, 3);
    r = vioinput_last(vm);
    VW_EXPECT(vm,
              hid_value(r, PAGE_DESKTOP, USAGE_X) == 32767 && !hid_has(r, PAGE_DESKTOP, USAGE_Y),
              "out-of-range scaled to %d,%d", hid_value(r, PAGE_DESKTOP, USAGE_X),
              hid_value(r, PAGE_DESKTOP, USAGE_Y));
    VW_EXPECT(vm, !hid_has(r, PAGE_BUTTON, 1), "button stuck");
    vioinput_finish(vm, &bed);
}

/* One device, all three classes: three collections, reports by ID. */
VW_SCENARIO("vioinput", combined_device, NULL)
{
    struct vioinput_bed bed = vioinput_device(
        vm, VMODEL_INPUT_KEYBOARD | VMODEL_INPUT_MOUSE | VMODEL_INPUT_TABLET, false, 0);
    if (!vioinput_start(vm, &bed))
        return;
    VW_EXPECT(vm, vw_hid(vm)->parsed.ncollections == 3 && vw_hid(vm)->parsed.uses_ids,
              "%u collections", vw_hid(vm)->parsed.ncollections);
    unsigned mark = vw_hid(vm)->log_count;
    const struct vmodel_input_event both[] = {EV(KEY, KEY_A, 1), EV(REL, REL_X, -4),
                                              EV(ABS, ABS_X, 0x7fff)};
    vioinput_frame(vm, &bed, &mark, 3, both, 3);
    VW_EXPECT(vm, hid_has(vioinput_report(vm, 2), PAGE_KEYBOARD, 0x04), "keyboard report first");
    VW_EXPECT(vm, hid_value(vioinput_report(vm, 1), PAGE_DESKTOP, USAGE_X) == -4, "mouse report");
    VW_EXPECT(vm, hid_value(vioinput_report(vm, 0), PAGE_DESKTOP, USAGE_X) == 32767,
              "tablet report");
    vioinput_finish(vm, &bed);
}
