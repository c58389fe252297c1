/*
 * vwdm: the small WDM device framework our non-storage, non-network drivers
 * are thin users of (see common/wdm/README.md for the whole picture).
 *
 * A driver describes itself in a VW_DRIVER_CONFIG and calls
 * VwDriverInitialize from DriverEntry.  The framework then owns the driver
 * object: it creates and attaches the function device object (FDO), runs
 * Plug and Play and power, guards every request with the remove lock, finds
 * and maps the hardware resources, and calls the driver back:
 *
 *   AddDevice        once, after the FDO exists (allocate software state)
 *   PrepareHardware  START: resources are mapped; connect the device
 *   D0Entry/D0Exit   power-up after START and after sleep / power-down
 *                    (D0Exit target VW_POWER_DEVICE_D3_FINAL before release)
 *   ReleaseHardware  STOP, SURPRISE_REMOVAL, REMOVE: undo PrepareHardware
 *   RemoveDevice     last call before the FDO is deleted
 *   Dispatch[]       IRP_MJ_CREATE/CLOSE/CLEANUP/READ/WRITE/DEVICE_CONTROL
 *                    (requests arrive only between START and removal)
 *
 * Every callback runs at PASSIVE_LEVEL.  The driver's own per-device state
 * (ContextSize bytes) follows the VW_DEVICE header in the device extension;
 * VwDeviceContext returns it.
 */
#pragma once
#include <ntddk.h>

#define VW_MAX_BARS       6
#define VW_MAX_INTERRUPTS 32

typedef struct _VW_DEVICE VW_DEVICE, *PVW_DEVICE;

/* One memory or port range of the device, in resource-list order. */
typedef struct _VW_RANGE {
    PHYSICAL_ADDRESS Start; /* translated (CPU) address */
    ULONG Length;
    PVOID Va;       /* mapped address, or the port number for I/O ports */
    BOOLEAN IsPort; /* accessed with READ/WRITE_PORT_* (x86/amd64 only) */
    BOOLEAN Mapped; /* Va came from MmMapIoSpace */
    LONG PciBar;    /* PCI BAR number 0-5, or -1 when not known */
} VW_RANGE, *PVW_RANGE;

typedef struct _VW_RESOURCES {
    VW_RANGE Ranges[VW_MAX_BARS];
    ULONG RangeCount;
    BOOLEAN HasInterrupt; /* a line or message interrupt was assigned */
    BOOLEAN MessageBased; /* MSI/MSI-X assigned */
    ULONG MessageCount;
} VW_RESOURCES, *PVW_RESOURCES;

/* Interrupt callbacks: Isr runs at device IRQL and returns TRUE when the
 * interrupt was ours; it may ask for Dpc by returning TRUE with
 * *QueueDpc set.  Dpc runs at DISPATCH_LEVEL. */
typedef BOOLEAN VW_ISR(PVW_DEVICE Device, ULONG MessageId, PBOOLEAN QueueDpc);
typedef VOID VW_DPC(PVW_DEVICE Device, ULONG MessageId);

/* D0Exit's Target when the device is leaving for good (STOP, REMOVE,
 * SURPRISE_REMOVAL: the hardware is released next), as KMDF's
 * WdfPowerDeviceD3Final; a sleep or idle power-down passes D1-D3. */
#define VW_POWER_DEVICE_D3_FINAL PowerDeviceMaximum

typedef struct _VW_DRIVER_CONFIG {
    const char *Name; /* log prefix */
    ULONG PoolTag;
    ULONG ContextSize; /* bytes of driver state after VW_DEVICE */
    DEVICE_TYPE DeviceType;
    ULONG Characteristics;
    ULONG DeviceFlags;     /* DO_BUFFERED_IO or DO_DIRECT_IO for READ/WRITE */
    const GUID *Interface; /* device interface to register and enable, or NULL */

    NTSTATUS (*AddDevice)(PVW_DEVICE Device);
    NTSTATUS (*PrepareHardware)(PVW_DEVICE Device, PVW_RESOURCES Resources);
    NTSTATUS (*D0Entry)(PVW_DEVICE Device, DEVICE_POWER_STATE Previous);
    NTSTATUS (*D0Exit)(PVW_DEVICE Device, DEVICE_POWER_STATE Target);
    VOID (*ReleaseHardware)(PVW_DEVICE Device);
    VOID (*RemoveDevice)(PVW_DEVICE Device);

    VW_ISR *Isr; /* set to connect the device's interrupt(s) */
    VW_DPC *Dpc;

    /* Request handlers, indexed by IRP_MJ_*; NULL = not supported.  The
     * framework holds the remove lock for each request until the handler
     * finishes it with VwCompleteRequest, at once or later. */
    DRIVER_DISPATCH *Dispatch[IRP_MJ_MAXIMUM_FUNCTION + 1];

    /* Every request to a device object the driver created itself (its
     * extension starts with VW_CHILD): no remove lock, no state check, the
     * handler does it all.  NULL: such requests fail. */
    DRIVER_DISPATCH *ChildDispatch;
} VW_DRIVER_CONFIG, *PVW_DRIVER_CONFIG;

/* The first field of the extension of a device object that the driver
 * creates itself (a named port, a control device): Reserved stays NULL,
 * where an FDO's extension holds its own device object (VW_DEVICE.Self). */
typedef struct _VW_CHILD {
    PVOID Reserved;
} VW_CHILD, *PVW_CHILD;

typedef enum _VW_PNP_STATE {
    VwNotStarted,
    VwStarted,
    VwStopPending,
    VwStopped,
    VwRemovePending,
    VwSurpriseRemoved,
    VwDeleted
} VW_PNP_STATE;

typedef struct _VW_INTERRUPT_CONTEXT {
    PVW_DEVICE Device;
    ULONG MessageId;
    KDPC Dpc;
} VW_INTERRUPT_CONTEXT, *PVW_INTERRUPT_CONTEXT;

struct _VW_DEVICE {
    PDEVICE_OBJECT Self;
    PDEVICE_OBJECT Pdo;
    PDEVICE_OBJECT Lower;
    const VW_DRIVER_CONFIG *Config;
    IO_REMOVE_LOCK RemoveLock;
    VW_PNP_STATE PnpState;
    VW_PNP_STATE PreviousPnpState;

    DEVICE_POWER_STATE DevicePower;
    SYSTEM_POWER_STATE SystemPower;
    DEVICE_POWER_STATE SystemToDevice[POWER_SYSTEM_MAXIMUM];
    BOOLEAN HardwarePrepared;

    VW_RESOURCES Resources;
    BUS_INTERFACE_STANDARD Bus;
    BOOLEAN HaveBus;

    /* Interrupts (interrupt.c). */
    PVOID ConnectionContext;
    ULONG ConnectionVersion;
    VW_INTERRUPT_CONTEXT Interrupts[VW_MAX_INTERRUPTS];
    ULONG InterruptCount;

    UNICODE_STRING InterfaceName;

    /* Rundown of dispatch routines in flight (pnp.c, VwEnterRequest). */
    LONG volatile ActiveRequests; /* routines inside, plus 1 while the gate is open */
    LONG volatile GateOpen;       /* changed by PnP IRPs only (they are serialised) */
    NTSTATUS GateStatus;          /* what requests get while the gate is closed */
    KEVENT RequestsIdle;          /* notification: the count reached 0 */
    KEVENT RequestsAbort;         /* notification: set while the gate is closed */
};

/* DriverEntry helper: fills the driver object from Config (which must stay
 * valid while the driver is loaded: make it a static const). */
NTSTATUS VwDriverInitialize(PDRIVER_OBJECT DriverObject, const VW_DRIVER_CONFIG *Config);

/* Finish a request the framework handed to a Dispatch handler: completes it
 * and releases the remove lock taken for it.  Returns Status. */
NTSTATUS VwCompleteRequest(PVW_DEVICE Device, PIRP Irp, NTSTATUS Status, ULONG_PTR Information);

/* The driver's state following the header. IRQL: any. */
static inline PVOID VwDeviceContext(PVW_DEVICE Device)
{
    return (PUCHAR)Device + ((sizeof(VW_DEVICE) + 15) & ~(SIZE_T)15);
}

/* The framework's device header kept in a device object's extension. IRQL: any. */
static inline PVW_DEVICE VwDeviceFromObject(PDEVICE_OBJECT DeviceObject)
{
    return (PVW_DEVICE)DeviceObject->DeviceExtension;
}

/* TRUE for an FDO the framework made, FALSE for a driver's own object. IRQL: any. */
static inline BOOLEAN VwIsFdo(PDEVICE_OBJECT DeviceObject)
{
    PVW_DEVICE device = VwDeviceFromObject(DeviceObject);
    return device != NULL && device->Self == DeviceObject;
}

/* PCI configuration space through the bus driver's BUS_INTERFACE_STANDARD.
 * Returns the number of bytes read (0 when the device is not on PCI). */
ULONG VwReadPciConfig(PVW_DEVICE Device, ULONG Offset, PVOID Buffer, ULONG Length);

/* Registry: a DWORD value from the device's hardware key (its INF's
 * AddReg HKR section, "Parameters" subkey), or Default. */
ULONG VwReadDeviceParameter(PVW_DEVICE Device, PCWSTR Name, ULONG Default);

/* Security (security.c): Object's DACL becomes SYSTEM and Administrators
 * (all access), plus BUILTIN\Users (read and write) when AllowUsers.
 * PASSIVE_LEVEL; on failure the object is unchanged. */
NTSTATUS VwSetDeviceSecurity(PDEVICE_OBJECT Object, BOOLEAN AllowUsers, ULONG PoolTag);

/* The device parameter (DWORD, INF HKR in the .HW section) that widens a
 * driver's device security to BUILTIN\Users when 1. */
#define VW_ALLOW_USERS_PARAMETER L"AllowUserAccess"

/* resources.c, used by the framework */
NTSTATUS VwMapResources(PVW_DEVICE Device, PCM_RESOURCE_LIST Raw, PCM_RESOURCE_LIST Translated);
VOID VwUnmapResources(PVW_DEVICE Device);

/* interrupt.c, used by the framework */
NTSTATUS VwConnectInterrupts(PVW_DEVICE Device);
VOID VwDisconnectInterrupts(PVW_DEVICE Device);

/* The hardware half of START and its undo (pnp.c), for drivers whose PnP
 * IRPs arrive through a port driver that owns the device object (a HID
 * minidriver under hidclass.sys): they run their own PnP and power
 * dispatch and call these around forwarding.  START: after the lower
 * drivers completed the IRP; Stack is its stack location.  Stop copes with
 * whatever point START reached. */
NTSTATUS VwStartHardware(PVW_DEVICE Device, PIO_STACK_LOCATION Stack);
VOID VwStopHardware(PVW_DEVICE Device);
/* PnP state for QUERY_STOP/QUERY_REMOVE and their CANCELs (drivers with
 * their own PnP dispatch, like a HID minidriver, keep the same rules). */
VOID VwPnpQueryOrCancel(PVW_DEVICE Device, UCHAR Minor);

/* Dispatch routines in flight, run down before the hardware goes (pnp.c).
 * A request enters before it touches the device and leaves when its
 * dispatch routine returns (a request it left pending is the driver's to
 * fail in D0Exit).  STOP, SURPRISE_REMOVAL and REMOVE close the gate (new
 * requests fail: STATUS_DEVICE_NOT_READY after STOP, STATUS_DELETE_PENDING
 * after removal), wake routines waiting in VwWaitInRequest, and wait until
 * every routine left before D0Exit and ReleaseHardware run.  The
 * framework's own dispatch does this for every request except CLOSE and
 * CLEANUP; a driver with its own dispatch (a HID minidriver) calls these
 * around what touches the hardware.  PASSIVE_LEVEL for the rundown,
 * <= DISPATCH_LEVEL for enter/leave. */
VOID VwRequestsInitialize(PVW_DEVICE Device);
VOID VwRequestsOpen(PVW_DEVICE Device);
VOID VwRequestsRundown(PVW_DEVICE Device, NTSTATUS Status);
BOOLEAN VwEnterRequest(PVW_DEVICE Device);
VOID VwLeaveRequest(PVW_DEVICE Device);
/* A wait inside a dispatch routine (PASSIVE_LEVEL): STATUS_SUCCESS when
 * Object was signalled, STATUS_TIMEOUT, or the gate's status when a stop
 * or removal wants the routine out. */
NTSTATUS VwWaitInRequest(PVW_DEVICE Device, PVOID Object, PLARGE_INTEGER Timeout);

/* power.c / pnp.c, used by the framework */
DRIVER_DISPATCH VwDispatchPnp;
DRIVER_DISPATCH VwDispatchPower;

/* Logging through DbgPrintEx (visible with the IHVDRIVER filter). */
#define VwLog(dev, level, fmt, ...)                                                                \
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, (level), "%s: " fmt "\n", (dev)->Config->Name, ##__VA_ARGS__)
#define VwError(dev, ...) VwLog(dev, DPFLTR_ERROR_LEVEL, __VA_ARGS__)
#define VwInfo(dev, ...)  VwLog(dev, DPFLTR_INFO_LEVEL, __VA_ARGS__)
