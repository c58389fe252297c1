/*
 * vioinput: Linux input events to HID input reports.
 *
 * Events change the state (keys down, buttons, accumulated motion, the
 * latest absolute position); a SYN_REPORT ends a frame and sends one report
 * for each class whose state changed in it.  SYN_DROPPED (the device lost
 * events) forgets the motion of the frame.  Values come from the device and
 * are clamped, never trusted: relative motion saturates at the report's
 * range, absolute positions are clamped to the axis range before scaling,
 * unknown types and codes are counted and ignored.
 */
#include "vioinput.h"

/* Clamp an accumulated relative value to what a report field holds. IRQL: any. */
static LONG VioinputSaturate(LONGLONG Value, LONG Limit)
{
    return Value > Limit ? Limit : Value < -Limit ? -Limit : (LONG)Value;
}

/* Forget every key, button and motion (after a reset or SYN_DROPPED). IRQL <= DISPATCH_LEVEL. */
VOID VioinputResetState(PVIOINPUT_DEVICE Input)
{
    RtlZeroMemory(Input->KeysDown, sizeof(Input->KeysDown));
    Input->MouseButtons = Input->TabletButtons = 0;
    Input->RelX = Input->RelY = Input->Wheel = Input->Pan = 0;
    Input->AbsX = Input->AbsY = 0;
    Input->KeyboardDirty = Input->MouseDirty = Input->TabletDirty = FALSE;
}

/* Record a key's usage as down or up; the keyboard report is due when it changed. IRQL:
 * DISPATCH_LEVEL. */
static VOID VioinputSetKey(PVIOINPUT_DEVICE Input, UCHAR Usage, BOOLEAN Down)
{
    UCHAR bit = (UCHAR)(1u << (Usage % 8));
    BOOLEAN was = (Input->KeysDown[Usage / 8] & bit) != 0;

    if (was == Down)
        return; /* autorepeat (value 2) or a repeated release */
    if (Down)
        Input->KeysDown[Usage / 8] |= bit;
    else
        Input->KeysDown[Usage / 8] &= (UCHAR)~bit;
    Input->KeyboardDirty = TRUE;
}

/* Record a pointer button for the mouse or the tablet, whichever the device has. IRQL:
 * DISPATCH_LEVEL. */
static VOID VioinputSetButton(PVIOINPUT_DEVICE Input, ULONG Button, BOOLEAN Down)
{
    UCHAR bit = (UCHAR)(1u << Button);

    /* One pointer device may be a mouse, a tablet, or both: a button
     * belongs to whichever the device has (the mouse when both). */
    if (Input->Caps.Mouse) {
        Input->MouseButtons = Down ? Input->MouseButtons | bit : Input->MouseButtons & ~bit;
        Input->MouseDirty = TRUE;
    } else if (Input->Caps.Tablet) {
        Input->TabletButtons = Down ? Input->TabletButtons | bit : Input->TabletButtons & ~bit;
        Input->TabletDirty = TRUE;
    } else {
        Input->Ignored++;
    }
}

/* An EV_KEY event: a key, a mouse button or a touch. IRQL: DISPATCH_LEVEL. */
static VOID VioinputKey(PVIOINPUT_DEVICE Input, ULONG Code, ULONG Value)
{
    BOOLEAN down = Value != 0;

    if (Code >= BTN_LEFT && Code < BTN_LEFT + 5) {
        VioinputSetButton(Input, Code - BTN_LEFT, down);
    } else if (Code == BTN_TOUCH || Code == BTN_STYLUS) {
        /* A touch is the primary button of an absolute device. */
        if (Input->Caps.Tablet) {
            UCHAR bit = Code == BTN_TOUCH ? 1 : 2;
            Input->TabletButtons =
                down ? Input->TabletButtons | bit : Input->TabletButtons & (UCHAR)~bit;
            Input->TabletDirty = TRUE;
        } else {
            Input->Ignored++;
        }
    } else {
        UCHAR usage = Input->Caps.Keyboard ? VioinputKeyUsage(Code) : 0;
        if (usage != 0)
            VioinputSetKey(Input, usage, down);
        else
            Input->Ignored++;
    }
}

/* An EV_REL event: accumulate motion, wheel or pan until SYN_REPORT. IRQL: DISPATCH_LEVEL. */
static VOID VioinputRel(PVIOINPUT_DEVICE Input, ULONG Code, LONG Value)
{
    LONG *axis;
    LONG limit;

    if (!Input->Caps.Mouse) {
        Input->Ignored++;
        return;
    }
    switch (Code) {
    case REL_X:
        axis = &Input->RelX, limit = 32767;
        break;
    case REL_Y:
        axis = &Input->RelY, limit = 32767;
        break;
    case REL_WHEEL:
        axis = &Input->Wheel, limit = 127;
        break;
    case REL_HWHEEL:
        axis = &Input->Pan, limit = 127;
        break;
    default:
        Input->Ignored++;
        return;
    }
    *axis = VioinputSaturate((LONGLONG)*axis + Value, limit);
    Input->MouseDirty = TRUE;
}

/* The device's range of the axis, linearly onto 0..VIOINPUT_TABLET_MAX. IRQL: any. */
static LONG VioinputScale(const VIOINPUT_AXIS *Axis, LONG Value)
{
    if (Value <= Axis->Min)
        return 0;
    if (Value >= Axis->Max)
        return VIOINPUT_TABLET_MAX;
    ULONGLONG offset = (ULONGLONG)((LONGLONG)Value - Axis->Min);
    ULONGLONG span = (ULONGLONG)((LONGLONG)Axis->Max - Axis->Min); /* > 0: config.c */
    return (LONG)(offset * VIOINPUT_TABLET_MAX / span);
}

/* An EV_ABS event: a tablet position, scaled. IRQL: DISPATCH_LEVEL. */
static VOID VioinputAbs(PVIOINPUT_DEVICE Input, ULONG Code, LONG Value)
{
    if (!Input->Caps.Tablet || Code > ABS_Y) {
        Input->Ignored++;
        return;
    }
    LONG scaled = VioinputScale(&Input->Caps.Abs[Code], Value);
    if (Code == ABS_X)
        Input->AbsX = scaled;
    else
        Input->AbsY = scaled;
    Input->TabletDirty = TRUE;
}

/* Queue the keyboard report: modifiers and up to six keys. IRQL: DISPATCH_LEVEL. */
static VOID VioinputKeyboardReport(PVIOINPUT_DEVICE Input)
{
    UCHAR r[VIOINPUT_KEYBOARD_REPORT] = {VIOINPUT_ID_KEYBOARD};
    ULONG keys = 0;

    r[1] = Input->KeysDown[0xe0 / 8]; /* usages 0xe0-0xe7 are the modifier bits */
    for (ULONG usage = 1; usage < 0xe0; usage++) {
        if (!(Input->KeysDown[usage / 8] & (1u << (usage % 8))))
            continue;
        if (keys == 6) {
            /* More keys than the report holds: ErrorRollOver everywhere. */
            for (ULONG i = 0; i < 6; i++)
                r[3 + i] = 0x01;
            break;
        }
        r[3 + keys++] = (UCHAR)usage;
    }
    VioinputPostReport(Input, r, sizeof(r));
}

/* Queue the mouse report with the motion accumulated since the last one. IRQL: DISPATCH_LEVEL. */
static VOID VioinputMouseReport(PVIOINPUT_DEVICE Input)
{
    UCHAR r[VIOINPUT_MOUSE_REPORT] = {VIOINPUT_ID_MOUSE};

    r[1] = Input->MouseButtons;
    r[2] = (UCHAR)(Input->RelX & 0xff);
    r[3] = (UCHAR)((ULONG)Input->RelX >> 8 & 0xff);
    r[4] = (UCHAR)(Input->RelY & 0xff);
    r[5] = (UCHAR)((ULONG)Input->RelY >> 8 & 0xff);
    r[6] = (UCHAR)(CHAR)Input->Wheel;
    r[7] = (UCHAR)(CHAR)Input->Pan;
    Input->RelX = Input->RelY = Input->Wheel = Input->Pan = 0;
    VioinputPostReport(Input, r, sizeof(r));
}

/* Queue the tablet report: buttons and absolute position. IRQL: DISPATCH_LEVEL. */
static VOID VioinputTabletReport(PVIOINPUT_DEVICE Input)
{
    UCHAR r[VIOINPUT_TABLET_REPORT] = {VIOINPUT_ID_TABLET};

    r[1] = Input->TabletButtons;
    r[2] = (UCHAR)(Input->AbsX & 0xff);
    r[3] = (UCHAR)(Input->AbsX >> 8 & 0xff);
    r[4] = (UCHAR)(Input->AbsY & 0xff);
    r[5] = (UCHAR)(Input->AbsY >> 8 & 0xff);
    VioinputPostReport(Input, r, sizeof(r));
}

/* One event from the device: state updated, reports queued at SYN_REPORT. IRQL: DISPATCH_LEVEL. */
VOID VioinputHandleEvent(PVIOINPUT_DEVICE Input, const VIRTIO_INPUT_EVENT *Event)
{
    switch (Event->Type) {
    case EV_SYN:
        if (Event->Code == SYN_DROPPED) {
            Input->RelX = Input->RelY = Input->Wheel = Input->Pan = 0;
            Input->MouseDirty = FALSE;
            break;
        }
        if (Event->Code != SYN_REPORT)
            break;
        if (Input->KeyboardDirty)
            VioinputKeyboardReport(Input);
        if (Input->MouseDirty)
            VioinputMouseReport(Input);
        if (Input->TabletDirty)
            VioinputTabletReport(Input);
        Input->KeyboardDirty = Input->MouseDirty = Input->TabletDirty = FALSE;
        break;
    case EV_KEY:
        VioinputKey(Input, Event->Code, Event->Value);
        break;
    case EV_REL:
        VioinputRel(Input, Event->Code, (LONG)Event->Value);
        break;
    case EV_ABS:
        VioinputAbs(Input, Event->Code, (LONG)Event->Value);
        break;
    default:
        Input->Ignored++; /* EV_MSC scan codes, EV_LED echoes, anything else */
        break;
    }
}
