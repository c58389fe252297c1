/*
 * Planted bugs for the hidclass emulation's checks (selftest/planted_hid.c):
 * a HID minidriver with no hardware whose device parameter "Bug" picks
 *   1: a report descriptor with a collection left open;
 *   2: an input report shorter than its descriptor says;
 *   3: a cancel routine that never releases the cancel spin lock.
 * Everything else is what a minidriver must do, so only the planted bug
 * can make the scenario fail.
 */
#include <vw/compiler.h>
#include <vw/hidport.h>
#include <wdm/irp.h>
#include <wdm/vwdm.h>

static const VW_DRIVER_CONFIG BadConfig = {.Name = "badhid", .PoolTag = 'dHdB'};

typedef struct _BAD_HID {
    VW_DEVICE Vw;
    ULONG Bug;
    PIRP Pending;
} BAD_HID, *PBAD_HID;

/* Keyboard-like: one input report (ID 1) of 2 bytes after the ID. */
static const UCHAR BadDescriptor[] = {
    0x05, 0x01, 0x09, 0x06, 0xa1, 0x01, 0x85, 0x01, 0x05, 0x07, 0x19, 0xe0, 0x29,
    0xe7, 0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x10, 0x81, 0x02, 0xc0,
};

static PBAD_HID BadFromFdo(PDEVICE_OBJECT Fdo)
{
    return (PBAD_HID)((PVW_HID_DEVICE_EXTENSION)Fdo->DeviceExtension)->MiniDeviceExtension;
}

static NTSTATUS NTAPI BadAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Fdo)
{
    PVW_HID_DEVICE_EXTENSION hid = (PVW_HID_DEVICE_EXTENSION)Fdo->DeviceExtension;
    PBAD_HID bad = (PBAD_HID)hid->MiniDeviceExtension;

    (void)DriverObject;
    RtlZeroMemory(bad, sizeof(*bad));
    bad->Vw.Self = Fdo;
    bad->Vw.Pdo = hid->PhysicalDeviceObject;
    bad->Vw.Lower = hid->NextDeviceObject;
    bad->Vw.Config = &BadConfig;
    bad->Bug = VwReadDeviceParameter(&bad->Vw, L"Bug", 0);
    Fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

static VOID NTAPI BadUnload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject;
}

static NTSTATUS NTAPI BadPnp(PDEVICE_OBJECT Fdo, PIRP Irp)
{
    PBAD_HID bad = BadFromFdo(Fdo);

    if (IoGetCurrentIrpStackLocation(Irp)->MinorFunction == IRP_MN_START_DEVICE) {
        NTSTATUS status = VwForwardIrpAndWait(bad->Vw.Lower, Irp);
        return VwCompleteIrp(Irp, status, 0);
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    return VwPassIrpDown(bad->Vw.Lower, Irp);
}

static NTSTATUS NTAPI BadPower(PDEVICE_OBJECT Fdo, PIRP Irp)
{
    return VwPassPowerIrpDown(BadFromFdo(Fdo)->Vw.Lower, Irp);
}

/* Planted bug 3: the cancel spin lock is never released. */
static VOID NTAPI BadCancel(PDEVICE_OBJECT Fdo, PIRP Irp)
{
    BadFromFdo(Fdo)->Pending = NULL;
    VwCompleteIrp(Irp, STATUS_CANCELLED, 0);
}

static NTSTATUS BadCopy(PIRP Irp, const void *Data, ULONG Length)
{
    if (IoGetCurrentIrpStackLocation(Irp)->Parameters.DeviceIoControl.OutputBufferLength < Length)
        return VwCompleteIrp(Irp, STATUS_BUFFER_TOO_SMALL, 0);
    RtlCopyMemory(Irp->UserBuffer, Data, Length);
    return VwCompleteIrp(Irp, STATUS_SUCCESS, Length);
}

static NTSTATUS NTAPI BadInternal(PDEVICE_OBJECT Fdo, PIRP Irp)
{
    PBAD_HID bad = BadFromFdo(Fdo);
    ULONG code = IoGetCurrentIrpStackLocation(Irp)->Parameters.DeviceIoControl.IoControlCode;

    switch (code) {
    case VW_IOCTL_HID_GET_DEVICE_DESCRIPTOR: {
        /* Planted bug 1: one byte less, so the collection stays open. */
        USHORT len = (USHORT)(sizeof(BadDescriptor) - (bad->Bug == 1));
        VW_HID_DESCRIPTOR d = {9, 0x21, 0x0111, 0, 1, {{0x22, len}}};
        return BadCopy(Irp, &d, sizeof(d));
    }
    case VW_IOCTL_HID_GET_REPORT_DESCRIPTOR:
        return BadCopy(Irp, BadDescriptor, sizeof(BadDescriptor) - (bad->Bug == 1));
    case VW_IOCTL_HID_GET_DEVICE_ATTRIBUTES: {
        VW_HID_DEVICE_ATTRIBUTES a = {.Size = sizeof(a), .VendorID = 0x1af4, .ProductID = 1};
        return BadCopy(Irp, &a, sizeof(a));
    }
    case VW_IOCTL_HID_READ_REPORT:
        if (bad->Bug == 2) {
            static const UCHAR shorty[] = {1, 0x02}; /* planted bug 2: 2 bytes, not 3 */
            return BadCopy(Irp, shorty, sizeof(shorty));
        }
        if (bad->Pending != NULL)
            return VwCompleteIrp(Irp, STATUS_DEVICE_BUSY, 0);
        IoMarkIrpPending(Irp);
        bad->Pending = Irp;
        IoSetCancelRoutine(Irp, BadCancel);
        return STATUS_PENDING;
    default:
        return VwCompleteIrp(Irp, STATUS_NOT_SUPPORTED, 0);
    }
}

/* Create, close (never called: hidclass keeps the FDO closed) and system
 * control, which every HID minidriver must supply. */
static NTSTATUS NTAPI BadStub(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    return VwCompleteIrp(Irp, STATUS_SUCCESS, 0);
}

DRIVER_INITIALIZE DriverEntry;

VW_INIT_CODE NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    VW_HID_MINIDRIVER_REGISTRATION reg = {
        .Revision = VW_HID_REVISION,
        .DriverObject = DriverObject,
        .RegistryPath = RegistryPath,
        .DeviceExtensionSize = sizeof(BAD_HID),
    };
    DriverObject->DriverExtension->AddDevice = BadAddDevice;
    DriverObject->DriverUnload = BadUnload;
    DriverObject->MajorFunction[IRP_MJ_PNP] = BadPnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = BadPower;
    DriverObject->MajorFunction[IRP_MJ_INTERNAL_DEVICE_CONTROL] = BadInternal;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = BadStub;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = BadStub;
    DriverObject->MajorFunction[IRP_MJ_SYSTEM_CONTROL] = BadStub;
    return HidRegisterMinidriver(&reg);
}
