/*
 * Keyboard: the descriptor hidclass gets, key presses and releases with
 * modifiers as HID usages, autorepeat, more keys than the report holds,
 * and LED output reports turned into EV_LED events on the status queue.
 */
#include "vioinput_test.h"

#define EV(t, c, v) {VMODEL_INPUT_EV_##t, (c), (v)}

static void keyboard_run(struct vm *vm, bool msix, uint64_t features)
{
    struct vioinput_bed bed = vioinput_device(vm, VMODEL_INPUT_KEYBOARD, msix, features);
    if (!vioinput_start(vm, &bed))
        return;
    struct vw_hidclass *h = vw_hid(vm);
    VW_EXPECT(vm, vw_hid_collection(vm, PAGE_DESKTOP, 0x06) >= 0, "no keyboard collection");
    VW_EXPECT(vm, vw_hid_collection(vm, PAGE_DESKTOP, 0x02) < 0, "a keyboard has no mouse");
    VW_EXPECT(vm, h->vendor == 0x0627 && h->product == 0x0001 && h->version == 1,
              "attributes %04x:%04x v%u are not the device's ids", h->vendor, h->product,
              h->version);
    VW_EXPECT(vm, strcmp(h->product_string, "QEMU Virtio Keyboard") == 0,
              "product string \"%s\" is not the device's ID_NAME", h->product_string);
    unsigned mark = h->log_count;

    /* Shift down, then A: "A" with the left-shift modifier. */
    const struct vmodel_input_event shift[] = {EV(KEY, KEY_LEFTSHIFT, 1)};
    vioinput_frame(vm, &bed, &mark, 1, shift, 1);
    const struct vmodel_input_event a[] = {EV(KEY, KEY_A, 1)};
    vioinput_frame(vm, &bed, &mark, 1, a, 1);
    const struct hid_report *r = vioinput_last(vm);
    VW_EXPECT(vm, hid_has(r, PAGE_KEYBOARD, 0xe1), "left shift not down");
    VW_EXPECT(vm, hid_has(r, PAGE_KEYBOARD, 0x04), "key A not down");
    VW_EXPECT(vm, r->nitems == 2, "%u usages down, expected 2", r->nitems);

    /* Autorepeat changes nothing: no report. */
    const struct vmodel_input_event repeat[] = {EV(KEY, KEY_A, 2)};
    vioinput_frame(vm, &bed, &mark, 0, repeat, 1);

    /* Release A: only shift; release shift and press ctrl+alt in one frame. */
    const struct vmodel_input_event up[] = {EV(KEY, KEY_A, 0)};
    vioinput_frame(vm, &bed, &mark, 1, up, 1);
    r = vioinput_last(vm);
    VW_EXPECT(vm, !hid_has(r, PAGE_KEYBOARD, 0x04) && hid_has(r, PAGE_KEYBOARD, 0xe1),
              "after releasing A: A %d, shift %d", hid_has(r, PAGE_KEYBOARD, 0x04),
              hid_has(r, PAGE_KEYBOARD, 0xe1));
    const struct vmodel_input_event mods[] = {EV(KEY, KEY_LEFTSHIFT, 0), EV(KEY, KEY_LEFTCTRL, 1),
                                              EV(KEY, KEY_RIGHTALT, 1)};
    vioinput_frame(vm, &bed, &mark, 1, mods, 3);
    r = vioinput_last(vm);
    VW_EXPECT(vm,
              !hid_has(r, PAGE_KEYBOARD, 0xe1) && hid_has(r, PAGE_KEYBOARD, 0xe0) &&
                  hid_has(r, PAGE_KEYBOARD, 0xe6),
              "ctrl+altgr frame wrong");

    /* Seven keys: the report holds six, so ErrorRollOver. */
    const struct vmodel_input_event seven[] = {
        EV(KEY, KEY_A, 1), EV(KEY, KEY_B, 1), EV(KEY, KEY_C, 1), EV(KEY, KEY_D, 1),
        EV(KEY, KEY_E, 1), EV(KEY, KEY_F, 1), EV(KEY, KEY_G, 1)};
    vioinput_frame(vm, &bed, &mark, 1, seven, 7);
    r = vioinput_last(vm);
    VW_EXPECT(vm, hid_has(r, PAGE_KEYBOARD, 0x01) && !hid_has(r, PAGE_KEYBOARD, 0x04),
              "seven keys did not roll over");
    const struct vmodel_input_event six_up[] = {
        EV(KEY, KEY_B, 0), EV(KEY, KEY_C, 0), EV(KEY, KEY_D, 0),        EV(KEY, KEY_E, 0),
        EV(KEY, KEY_F, 0), EV(KEY, KEY_G, 0), EV(KEY, KEY_LEFTCTRL, 0), EV(KEY, KEY_RIGHTALT, 0)};
    vioinput_frame(vm, &bed, &mark, 1, six_up, 8);
    r = vioinput_last(vm);
    VW_EXPECT(vm, r->nitems == 1 && hid_has(r, PAGE_KEYBOARD, 0x04), "only A should remain");
    vioinput_finish(vm, &bed);
}

VW_SCENARIO("vioinput", keyboard_keys_msix, NULL)
{
    keyboard_run(vm, true, 0);
}

VW_SCENARIO("vioinput", keyboard_keys_intx_packed, NULL)
{
    keyboard_run(vm, false, F_RING_PACKED);
}

/* LED output report -> EV_LED per changed LED, then SYN, on the status queue. */
VW_SCENARIO("vioinput", keyboard_leds, NULL)
{
    struct vioinput_bed bed = vioinput_device(vm, VMODEL_INPUT_KEYBOARD, true, 0);
    if (!vioinput_start(vm, &bed))
        return;
    const uint8_t on[] = {1, 0x03}; /* Num Lock, Caps Lock */
    uint32_t st = vw_hid_write_report(vm, on, sizeof(on));
    VW_EXPECT(vm, st == 0, "LED output report failed with 0x%08x", st);
    vw_hid_pump(vm);
    struct vmodel_input *vi = bed.vi;
    VW_EXPECT(vm, vi->status_count == 3, "%u status events, expected 3", vi->status_count);
    VW_EXPECT(vm,
              vi->status[0].type == VMODEL_INPUT_EV_LED && vi->status[0].code == 0 &&
                  vi->status[0].value == 1 && vi->status[1].type == VMODEL_INPUT_EV_LED &&
                  vi->status[1].code == 1 && vi->status[1].value == 1 &&
                  vi->status[2].type == VMODEL_INPUT_EV_SYN && vi->status[2].code == 0,
              "status events wrong for Num+Caps on");
    const uint8_t off[] = {1, 0x02}; /* Num Lock off, Caps stays */
    st = vw_hid_write_report(vm, off, sizeof(off));
    vw_hid_pump(vm);
    VW_EXPECT(vm, st == 0 && vi->status_count == 5, "Num off: 0x%08x, %u events", st,
              vi->status_count);
    VW_EXPECT(vm,
              vi->status[3].type == VMODEL_INPUT_EV_LED && vi->status[3].code == 0 &&
                  vi->status[3].value == 0 && vi->status[4].type == VMODEL_INPUT_EV_SYN,
              "status events wrong for Num off");
    /* The same state again sends nothing; a report for another ID fails. */
    st = vw_hid_write_report(vm, off, sizeof(off));
    vw_hid_pump(vm);
    VW_EXPECT(vm, st == 0 && vi->status_count == 5, "unchanged LEDs sent %u events",
              vi->status_count - 5);
    const uint8_t wrong[] = {2, 0x01};
    st = vw_hid_write_report(vm, wrong, sizeof(wrong));
    VW_EXPECT(vm, st != 0, "an output report for the mouse ID was accepted");
    /* Many LED changes in a row: status buffers come back and are reused. */
    for (unsigned i = 0; i < 40 && !vm->failed; i++) {
        const uint8_t toggle[] = {1, (uint8_t)(i & 1 ? 0x1f : 0x00)};
        st = vw_hid_write_report(vm, toggle, sizeof(toggle));
        vw_hid_pump(vm);
        VW_EXPECT(vm, st == 0, "LED toggle %u failed with 0x%08x", i, st);
    }
    vioinput_finish(vm, &bed);
}
