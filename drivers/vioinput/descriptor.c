/*
 * vioinput: the HID report descriptor, one application collection per
 * class the device has (HID 1.11, section 6.2.2), each with its report ID:
 *   1 keyboard: modifiers (8 bits), reserved byte, six key usages; with
 *     LEDs an output report of five LED bits;
 *   2 mouse: five buttons, X/Y relative 16-bit, wheel and AC Pan 8-bit;
 *   3 tablet: five buttons, X/Y absolute 0..32767 (the device's ranges
 *     are scaled to it).
 * The report layouts are the VIOINPUT_*_REPORT sizes events.c fills.
 */
#include "vioinput.h"

/*
 * One HID item per line: the prefix byte (tag, type, size), then its data.
 * clang-format would put each byte on a line of its own.
 */
/* clang-format off */
static const UCHAR VioinputKeyboardHead[] = {
    0x05, 0x01,                 /* Usage Page (Generic Desktop) */
    0x09, 0x06,                 /* Usage (Keyboard) */
    0xa1, 0x01,                 /* Collection (Application) */
    0x85, VIOINPUT_ID_KEYBOARD, /*   Report ID */
    0x05, 0x07,                 /*   Usage Page (Keyboard/Keypad) */
    0x19, 0xe0,                 /*   Usage Minimum (Left Control) */
    0x29, 0xe7,                 /*   Usage Maximum (Right GUI) */
    0x15, 0x00,                 /*   Logical Minimum 0 */
    0x25, 0x01,                 /*   Logical Maximum 1 */
    0x75, 0x01,                 /*   Report Size 1 */
    0x95, 0x08,                 /*   Report Count 8 */
    0x81, 0x02,                 /*   Input (Data, Variable, Absolute) */
    0x75, 0x08,                 /*   Report Size 8 */
    0x95, 0x01,                 /*   Report Count 1 */
    0x81, 0x01,                 /*   Input (Constant): reserved */
};

static const UCHAR VioinputKeyboardLeds[] = {
    0x05, 0x08,                 /*   Usage Page (LEDs) */
    0x19, 0x01,                 /*   Usage Minimum (Num Lock) */
    0x29, 0x05,                 /*   Usage Maximum (Kana) */
    0x75, 0x01,                 /*   Report Size 1 */
    0x95, 0x05,                 /*   Report Count 5 */
    0x91, 0x02,                 /*   Output (Data, Variable, Absolute) */
    0x75, 0x03,                 /*   Report Size 3 */
    0x95, 0x01,                 /*   Report Count 1 */
    0x91, 0x01,                 /*   Output (Constant) */
};

static const UCHAR VioinputKeyboardTail[] = {
    0x05, 0x07,                 /*   Usage Page (Keyboard/Keypad) */
    0x19, 0x00,                 /*   Usage Minimum 0 */
    0x29, 0xe7,                 /*   Usage Maximum 0xe7 */
    0x15, 0x00,                 /*   Logical Minimum 0 */
    0x26, 0xe7, 0x00,           /*   Logical Maximum 0xe7 */
    0x75, 0x08,                 /*   Report Size 8 */
    0x95, 0x06,                 /*   Report Count 6 */
    0x81, 0x00,                 /*   Input (Data, Array) */
    0xc0,                       /* End Collection */
};

/* Mouse and tablet alike: the pointer collection with five buttons and
 * padding, up to the X and Y usages. */
#define VIOINPUT_POINTER_HEAD(ReportId)                                         \
    0x05, 0x01,                 /* Usage Page (Generic Desktop) */              \
    0x09, 0x02,                 /* Usage (Mouse) */                             \
    0xa1, 0x01,                 /* Collection (Application) */                  \
    0x85, (ReportId),           /*   Report ID */                               \
    0x09, 0x01,                 /*   Usage (Pointer) */                         \
    0xa1, 0x00,                 /*   Collection (Physical) */                   \
    0x05, 0x09,                 /*     Usage Page (Button) */                   \
    0x19, 0x01,                 /*     Usage Minimum 1 */                       \
    0x29, 0x05,                 /*     Usage Maximum 5 */                       \
    0x15, 0x00,                 /*     Logical Minimum 0 */                     \
    0x25, 0x01,                 /*     Logical Maximum 1 */                     \
    0x75, 0x01,                 /*     Report Size 1 */                         \
    0x95, 0x05,                 /*     Report Count 5 */                        \
    0x81, 0x02,                 /*     Input (Data, Variable, Absolute) */      \
    0x75, 0x03,                 /*     Report Size 3 */                         \
    0x95, 0x01,                 /*     Report Count 1 */                        \
    0x81, 0x01,                 /*     Input (Constant) */                      \
    0x05, 0x01,                 /*     Usage Page (Generic Desktop) */          \
    0x09, 0x30,                 /*     Usage (X) */                             \
    0x09, 0x31                  /*     Usage (Y) */

static const UCHAR VioinputMouse[] = {
    VIOINPUT_POINTER_HEAD(VIOINPUT_ID_MOUSE),
    0x16, 0x01, 0x80,           /*     Logical Minimum -32767 */
    0x26, 0xff, 0x7f,           /*     Logical Maximum 32767 */
    0x75, 0x10,                 /*     Report Size 16 */
    0x95, 0x02,                 /*     Report Count 2 */
    0x81, 0x06,                 /*     Input (Data, Variable, Relative) */
    0x09, 0x38,                 /*     Usage (Wheel) */
    0x15, 0x81,                 /*     Logical Minimum -127 */
    0x25, 0x7f,                 /*     Logical Maximum 127 */
    0x75, 0x08,                 /*     Report Size 8 */
    0x95, 0x01,                 /*     Report Count 1 */
    0x81, 0x06,                 /*     Input (Data, Variable, Relative) */
    0x05, 0x0c,                 /*     Usage Page (Consumer) */
    0x0a, 0x38, 0x02,           /*     Usage (AC Pan) */
    0x81, 0x06,                 /*     Input (Data, Variable, Relative) */
    0xc0,                       /*   End Collection */
    0xc0,                       /* End Collection */
};

/* An absolute pointer: the device's ranges are scaled to 0..32767. */
static const UCHAR VioinputTablet[] = {
    VIOINPUT_POINTER_HEAD(VIOINPUT_ID_TABLET),
    0x15, 0x00,                 /*     Logical Minimum 0 */
    0x26, 0xff, 0x7f,           /*     Logical Maximum 32767 */
    0x75, 0x10,                 /*     Report Size 16 */
    0x95, 0x02,                 /*     Report Count 2 */
    0x81, 0x02,                 /*     Input (Data, Variable, Absolute) */
    0xc0,                       /*   End Collection */
    0xc0,                       /* End Collection */
};
/* clang-format on */

/* Append a part to the report descriptor; FALSE when it does not fit. IRQL: any. */
static BOOLEAN VioinputAppend(UCHAR *Out, USHORT Capacity, USHORT *Used, const UCHAR *Part,
                              USHORT Length)
{
    if (Length > Capacity - *Used)
        return FALSE;
    RtlCopyMemory(Out + *Used, Part, Length);
    *Used += Length;
    return TRUE;
}

/* The HID report descriptor: one top-level collection per class the device has. IRQL: any. */
USHORT VioinputBuildDescriptor(const VIOINPUT_CAPS *Caps, UCHAR *Out, USHORT Capacity)
{
    USHORT used = 0;
    BOOLEAN ok = TRUE;

    if (Caps->Keyboard) {
        ok &= VioinputAppend(Out, Capacity, &used, VioinputKeyboardHead,
                             sizeof(VioinputKeyboardHead));
        if (Caps->Leds)
            ok &= VioinputAppend(Out, Capacity, &used, VioinputKeyboardLeds,
                                 sizeof(VioinputKeyboardLeds));
        ok &= VioinputAppend(Out, Capacity, &used, VioinputKeyboardTail,
                             sizeof(VioinputKeyboardTail));
    }
    if (Caps->Mouse)
        ok &= VioinputAppend(Out, Capacity, &used, VioinputMouse, sizeof(VioinputMouse));
    if (Caps->Tablet)
        ok &= VioinputAppend(Out, Capacity, &used, VioinputTablet, sizeof(VioinputTablet));
    return ok ? used : 0;
}
