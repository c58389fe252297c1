/*
 * vioinput: virtio input device (virtio-input, PCI 1AF4:1052, modern only)
 * as a HID minidriver under hidclass.sys.
 *
 * hidclass creates the functional device object and owns it; our state (a
 * VW_DEVICE header, then VIOINPUT_DEVICE) lives at
 * HID_DEVICE_EXTENSION.MiniDeviceExtension.  hid_glue.c runs PnP and power
 * the way hidclass expects of a minidriver and borrows the vwdm framework's
 * hardware half (resources, interrupts, virtio transport).
 *
 * The device describes itself through its configuration space (virtio spec
 * 5.8: select/subsel, then size and up to 128 bytes); config.c reads that,
 * validates every size, and classifies the device as any of keyboard,
 * relative mouse and absolute tablet.  descriptor.c writes one HID top-level
 * collection per class, each with its own report ID.  The event queue
 * carries Linux input events (type, code, value); events.c turns them into
 * HID input reports at each SYN_REPORT.  Keyboard LED output reports go
 * back to the device as EV_LED events on the status queue (status.c).
 */
#pragma once
#include <wdm/virtio_wdm.h>
#include <vw/hidport.h>

#define VIOINPUT_POOL_TAG 'pnIV'

#define VIOINPUT_QUEUE_EVENT  0
#define VIOINPUT_QUEUE_STATUS 1

#define VIOINPUT_EVENT_BUFFERS  64 /* event buffers kept posted */
#define VIOINPUT_STATUS_SLOTS   32 /* status events in flight */
#define VIOINPUT_REPORT_QUEUE   32 /* input reports kept while hidclass has no read pending */
#define VIOINPUT_REPORT_MAX     16
#define VIOINPUT_DESCRIPTOR_MAX 256

/* Device configuration (virtio spec 5.8.4). */
#define VIRTIO_INPUT_CFG_UNSET     0x00
#define VIRTIO_INPUT_CFG_ID_NAME   0x01
#define VIRTIO_INPUT_CFG_ID_SERIAL 0x02
#define VIRTIO_INPUT_CFG_ID_DEVIDS 0x03
#define VIRTIO_INPUT_CFG_PROP_BITS 0x10
#define VIRTIO_INPUT_CFG_EV_BITS   0x11
#define VIRTIO_INPUT_CFG_ABS_INFO  0x12
#define VIRTIO_INPUT_CFG_SELECT    0
#define VIRTIO_INPUT_CFG_SUBSEL    1
#define VIRTIO_INPUT_CFG_SIZE      2
#define VIRTIO_INPUT_CFG_DATA      8
#define VIRTIO_INPUT_CFG_DATA_MAX  128

/* Linux input event types and codes (include/uapi/linux/input-event-codes.h). */
#define EV_SYN      0x00
#define EV_KEY      0x01
#define EV_REL      0x02
#define EV_ABS      0x03
#define EV_LED      0x11
#define SYN_REPORT  0
#define SYN_DROPPED 3
#define REL_X       0x00
#define REL_Y       0x01
#define REL_HWHEEL  0x06
#define REL_WHEEL   0x08
#define ABS_X       0x00
#define ABS_Y       0x01
#define BTN_LEFT    0x110 /* ..BTN_EXTRA 0x114: HID buttons 1-5 */
#define BTN_TOUCH   0x14a
#define BTN_STYLUS  0x14b
#define LED_COUNT   5 /* NUML, CAPSL, SCROLLL, COMPOSE, KANA: HID LED usages 1-5 */

/* Report IDs, one per top-level collection. */
#define VIOINPUT_ID_KEYBOARD 1
#define VIOINPUT_ID_MOUSE    2
#define VIOINPUT_ID_TABLET   3

#define VIOINPUT_KEYBOARD_REPORT 9 /* id, modifiers, reserved, 6 keys */
#define VIOINPUT_MOUSE_REPORT    8 /* id, buttons, x16, y16, wheel, pan */
#define VIOINPUT_TABLET_REPORT   6 /* id, buttons, x16, y16 */
#define VIOINPUT_TABLET_MAX      32767

#pragma pack(push, 1)
typedef struct _VIRTIO_INPUT_EVENT {
    USHORT Type;
    USHORT Code;
    ULONG Value;
} VIRTIO_INPUT_EVENT, *PVIRTIO_INPUT_EVENT;
#pragma pack(pop)

typedef struct _VIOINPUT_AXIS {
    LONG Min, Max;
} VIOINPUT_AXIS;

/* What config.c found. */
typedef struct _VIOINPUT_CAPS {
    BOOLEAN Keyboard; /* keys with a HID keyboard usage */
    BOOLEAN Leds;     /* EV_LED: the keyboard gets an output report */
    BOOLEAN Mouse;    /* REL_X and REL_Y */
    BOOLEAN Tablet;   /* ABS_X and ABS_Y with usable ranges */
    UCHAR LedBits;    /* LED_* codes the device has */
    VIOINPUT_AXIS Abs[2];
    USHORT VendorId, ProductId, Version;
    CHAR Name[VIRTIO_INPUT_CFG_DATA_MAX + 1];   /* ID_NAME, NUL-terminated */
    CHAR Serial[VIRTIO_INPUT_CFG_DATA_MAX + 1]; /* ID_SERIAL */
} VIOINPUT_CAPS;

typedef struct _VIOINPUT_REPORT {
    UCHAR Length;
    UCHAR Data[VIOINPUT_REPORT_MAX];
} VIOINPUT_REPORT;

typedef struct _VIOINPUT_DEVICE {
    VW_VIRTIO Virtio;
    struct virtqueue EventQ, StatusQ;
    BOOLEAN QueuesReady; /* rings exist (the DPC may look at them) */
    BOOLEAN Ready;       /* DRIVER_OK, events flowing */
    BOOLEAN Broken;      /* the device misbehaved: no input until it restarts */
    BOOLEAN Removed;     /* stopped or removed: reads fail */
    ULONG Restarts;      /* automatic restarts after a device fault */

    /* Restart at PASSIVE_LEVEL after a fault seen in the DPC (restart.c). */
    PIO_WORKITEM RestartItem;
    BOOLEAN RestartQueued;  /* under Lock */
    KEVENT RestartIdle;     /* notification: no restart queued or running */
    PIO_WORKITEM PowerItem; /* a set-power IRP that came where we cannot block */
    KEVENT StateLock;       /* synchronization: D0Entry/D0Exit/restart one at a time */

    struct virtio_dma Events; /* VIOINPUT_EVENT_BUFFERS events, device-writable */
    struct virtio_dma Status; /* VIOINPUT_STATUS_SLOTS events, device-readable */
    BOOLEAN StatusBusy[VIOINPUT_STATUS_SLOTS];

    VIOINPUT_CAPS Caps;
    UCHAR Descriptor[VIOINPUT_DESCRIPTOR_MAX];
    USHORT DescriptorLength;

    KSPIN_LOCK Lock; /* everything below, the queues, the read list */

    /* Input state between SYN_REPORTs. */
    UCHAR KeysDown[32]; /* HID keyboard usages 0-255 */
    UCHAR MouseButtons, TabletButtons;
    LONG RelX, RelY, Wheel, Pan;
    LONG AbsX, AbsY;
    BOOLEAN KeyboardDirty, MouseDirty, TabletDirty;
    UCHAR Leds;    /* LED state last sent to the device */
    ULONG Ignored; /* events we do not translate */

    LIST_ENTRY Reads; /* pending IOCTL_HID_READ_REPORT IRPs */
    VIOINPUT_REPORT Reports[VIOINPUT_REPORT_QUEUE];
    ULONG ReportHead, ReportCount, ReportsDropped;
} VIOINPUT_DEVICE, *PVIOINPUT_DEVICE;

/* vioinput's state behind the framework's device header. IRQL: any. */
static inline PVIOINPUT_DEVICE VioinputFromDevice(PVW_DEVICE Device)
{
    return (PVIOINPUT_DEVICE)VwDeviceContext(Device);
}

/* The VW_DEVICE hidclass keeps for us behind its FDO. IRQL: any. */
static inline PVW_DEVICE VioinputDeviceFromFdo(PDEVICE_OBJECT Fdo)
{
    return (PVW_DEVICE)((PVW_HID_DEVICE_EXTENSION)Fdo->DeviceExtension)->MiniDeviceExtension;
}

/* hid_glue.c */
extern const VW_DRIVER_CONFIG VioinputConfig;

/* device.c */
NTSTATUS VioinputPrepareHardware(PVW_DEVICE Device, PVW_RESOURCES Resources);
VOID VioinputReleaseHardware(PVW_DEVICE Device);
NTSTATUS VioinputD0Entry(PVW_DEVICE Device, DEVICE_POWER_STATE Previous);
NTSTATUS VioinputD0Exit(PVW_DEVICE Device, DEVICE_POWER_STATE Target);
/* The same with StateLock already held (the restart worker). */
NTSTATUS VioinputD0EntryLocked(PVW_DEVICE Device);
NTSTATUS VioinputD0ExitLocked(PVW_DEVICE Device);
BOOLEAN VioinputIsr(PVW_DEVICE Device, ULONG MessageId, PBOOLEAN QueueDpc);
VOID VioinputDpc(PVW_DEVICE Device, ULONG MessageId);

/* restart.c */
VOID VioinputQueueRestart(PVW_DEVICE Device); /* Lock held, DISPATCH_LEVEL */
VOID VioinputWaitRestart(PVW_DEVICE Device);

/* config.c */
NTSTATUS VioinputReadCaps(PVW_DEVICE Device, VIOINPUT_CAPS *Caps);

/* descriptor.c */
USHORT VioinputBuildDescriptor(const VIOINPUT_CAPS *Caps, UCHAR *Out, USHORT Capacity);

/* keymap.c: HID keyboard usage for a Linux key code, 0 if none. */
UCHAR VioinputKeyUsage(ULONG Code);

/* events.c, under Lock */
VOID VioinputHandleEvent(PVIOINPUT_DEVICE Input, const VIRTIO_INPUT_EVENT *Event);
VOID VioinputResetState(PVIOINPUT_DEVICE Input);

/* reports.c: reports to hidclass; Lock held by the caller where noted. */
VOID VioinputPostReport(PVIOINPUT_DEVICE Input, const UCHAR *Data, UCHAR Length); /* Lock */
VOID VioinputDrainReports(PVW_DEVICE Device); /* not under Lock: pairs reports with reads */
NTSTATUS VioinputReadReport(PVW_DEVICE Device, PIRP Irp);
VOID VioinputFailReads(PVW_DEVICE Device, NTSTATUS Status);

/* status.c */
NTSTATUS VioinputWriteLeds(PVW_DEVICE Device, const UCHAR *Report, ULONG Length);
VOID VioinputReclaimStatus(PVIOINPUT_DEVICE Input); /* Lock */

/* hid.c */
NTSTATUS VioinputInternalIoctl(PVW_DEVICE Device, PIRP Irp);
