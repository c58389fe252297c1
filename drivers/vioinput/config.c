/*
 * vioinput: what the device is (virtio spec 5.8.4).  The driver writes
 * select and subsel, then reads size and up to 128 bytes of data.  The
 * device is not trusted: a size above 128, a configuration space too small
 * for the structure, or abs ranges that are empty or inverted are reported
 * and the device (or that axis) is refused, never used to index anything.
 */
#include "vioinput.h"

/* The size the device reports for (select, subsel), its data copied to Out
 * (VIRTIO_INPUT_CFG_DATA_MAX bytes, zero-filled).  Returns -1 when the
 * device's answer is unusable. IRQL: PASSIVE_LEVEL. */
static int VioinputQuery(PVW_DEVICE Device, UCHAR Select, UCHAR Subsel, UCHAR *Out)
{
    PVIOINPUT_DEVICE input = VioinputFromDevice(Device);
    struct virtio_device *dev = &input->Virtio.Dev;
    UCHAR size = 0;

    RtlZeroMemory(Out, VIRTIO_INPUT_CFG_DATA_MAX);
    if (virtio_config_write(dev, VIRTIO_INPUT_CFG_SELECT, &Select, 1) != 0 ||
        virtio_config_write(dev, VIRTIO_INPUT_CFG_SUBSEL, &Subsel, 1) != 0 ||
        virtio_config_read(dev, VIRTIO_INPUT_CFG_SIZE, &size, 1) != 0) {
        VwError(Device, "configuration space unreadable (select 0x%02x)", Select);
        return -1;
    }
    if (size > VIRTIO_INPUT_CFG_DATA_MAX) {
        VwError(Device, "device reports %u configuration bytes for select 0x%02x/0x%02x (max %u)",
                size, Select, Subsel, VIRTIO_INPUT_CFG_DATA_MAX);
        return -1;
    }
    if (size != 0 && virtio_config_read(dev, VIRTIO_INPUT_CFG_DATA, Out, size) != 0) {
        VwError(Device, "configuration data unreadable (select 0x%02x)", Select);
        return -1;
    }
    return size;
}

/* Whether bit Bit is set in a device bitmap of Size bytes. IRQL: any. */
static BOOLEAN VioinputBit(const UCHAR *Bitmap, int Size, ULONG Bit)
{
    return (int)(Bit / 8) < Size && (Bitmap[Bit / 8] >> (Bit % 8)) & 1;
}

/* A little-endian 32-bit value from device configuration bytes. IRQL: any. */
static LONG VioinputLe32(const UCHAR *p)
{
    return (LONG)((ULONG)p[0] | (ULONG)p[1] << 8 | (ULONG)p[2] << 16 | (ULONG)p[3] << 24);
}

/* A device string: printable ASCII kept, anything else becomes '?'; it
 * ends at the first NUL or the size the device gave. IRQL: any. */
static VOID VioinputCopyString(CHAR *Out, const UCHAR *Data, int Size)
{
    int n = 0;
    for (; n < Size && Data[n] != 0; n++)
        Out[n] = Data[n] >= 0x20 && Data[n] < 0x7f ? (CHAR)Data[n] : '?';
    Out[n] = 0;
}

/* Read what the device is (keys, relative and absolute axes, names) into Caps, every size checked.
 * IRQL: PASSIVE_LEVEL. */
NTSTATUS VioinputReadCaps(PVW_DEVICE Device, VIOINPUT_CAPS *Caps)
{
    PVIOINPUT_DEVICE input = VioinputFromDevice(Device);
    UCHAR data[VIRTIO_INPUT_CFG_DATA_MAX];
    int size;

    RtlZeroMemory(Caps, sizeof(*Caps));
    if (virtio_config_len(&input->Virtio.Dev) < VIRTIO_INPUT_CFG_DATA) {
        VwError(Device, "configuration space of %u bytes is too small",
                virtio_config_len(&input->Virtio.Dev));
        return STATUS_DEVICE_CONFIGURATION_ERROR;
    }

    /* Identity: the name for the log, the ids for the HID attributes. */
    size = VioinputQuery(Device, VIRTIO_INPUT_CFG_ID_NAME, 0, data);
    if (size < 0)
        return STATUS_DEVICE_CONFIGURATION_ERROR;
    VioinputCopyString(Caps->Name, data, size);
    VwInfo(Device, "device \"%s\"", Caps->Name);
    size = VioinputQuery(Device, VIRTIO_INPUT_CFG_ID_SERIAL, 0, data);
    if (size < 0)
        return STATUS_DEVICE_CONFIGURATION_ERROR;
    VioinputCopyString(Caps->Serial, data, size);
    Caps->VendorId = 0x1af4; /* virtio's, when the device gives none */
    Caps->ProductId = 0x1052;
    size = VioinputQuery(Device, VIRTIO_INPUT_CFG_ID_DEVIDS, 0, data);
    if (size < 0)
        return STATUS_DEVICE_CONFIGURATION_ERROR;
    if (size >= 8) {
        Caps->VendorId = (USHORT)(data[2] | data[3] << 8);
        Caps->ProductId = (USHORT)(data[4] | data[5] << 8);
        Caps->Version = (USHORT)(data[6] | data[7] << 8);
    }

    /* Keys: a keyboard if any has a keyboard usage (buttons are not keys). */
    size = VioinputQuery(Device, VIRTIO_INPUT_CFG_EV_BITS, EV_KEY, data);
    if (size < 0)
        return STATUS_DEVICE_CONFIGURATION_ERROR;
    for (ULONG code = 1; code < 0x100 && !Caps->Keyboard; code++)
        Caps->Keyboard = VioinputBit(data, size, code) && VioinputKeyUsage(code) != 0;
    BOOLEAN buttons = FALSE;
    for (ULONG code = BTN_LEFT; code < BTN_LEFT + 5; code++)
        buttons |= VioinputBit(data, size, code);
    buttons |= VioinputBit(data, size, BTN_TOUCH);

    size = VioinputQuery(Device, VIRTIO_INPUT_CFG_EV_BITS, EV_LED, data);
    if (size < 0)
        return STATUS_DEVICE_CONFIGURATION_ERROR;
    for (ULONG led = 0; led < LED_COUNT; led++)
        if (VioinputBit(data, size, led))
            Caps->LedBits |= (UCHAR)(1u << led);
    Caps->Leds = Caps->Keyboard && Caps->LedBits != 0;

    size = VioinputQuery(Device, VIRTIO_INPUT_CFG_EV_BITS, EV_REL, data);
    if (size < 0)
        return STATUS_DEVICE_CONFIGURATION_ERROR;
    Caps->Mouse = VioinputBit(data, size, REL_X) && VioinputBit(data, size, REL_Y);

    size = VioinputQuery(Device, VIRTIO_INPUT_CFG_EV_BITS, EV_ABS, data);
    if (size < 0)
        return STATUS_DEVICE_CONFIGURATION_ERROR;
    if (VioinputBit(data, size, ABS_X) && VioinputBit(data, size, ABS_Y)) {
        Caps->Tablet = TRUE;
        for (UCHAR axis = ABS_X; axis <= ABS_Y; axis++) {
            size = VioinputQuery(Device, VIRTIO_INPUT_CFG_ABS_INFO, axis, data);
            if (size < 0)
                return STATUS_DEVICE_CONFIGURATION_ERROR;
            LONG min = size >= 8 ? VioinputLe32(data) : 0;
            LONG max = size >= 8 ? VioinputLe32(data + 4) : 0;
            if (min >= max) {
                VwError(Device, "abs axis %u has an empty range [%ld, %ld]: no tablet", axis,
                        (long)min, (long)max);
                Caps->Tablet = FALSE;
                break;
            }
            Caps->Abs[axis].Min = min;
            Caps->Abs[axis].Max = max;
        }
    }
    if (!Caps->Keyboard && !Caps->Mouse && !Caps->Tablet) {
        VwError(Device, "no keyboard, mouse or tablet events offered: nothing to drive");
        return STATUS_DEVICE_CONFIGURATION_ERROR;
    }
    VwInfo(Device, "keyboard %u (leds 0x%02x), mouse %u, tablet %u, buttons %u, ids %04x:%04x",
           Caps->Keyboard, Caps->LedBits, Caps->Mouse, Caps->Tablet, buttons, Caps->VendorId,
           Caps->ProductId);
    /* A mouse or tablet without buttons is unusual but legal. */
    return STATUS_SUCCESS;
}
