/*
 * Planted bug for hidclass's registration check: a HID minidriver that
 * supplies PnP, power, internal device control and system control dispatch
 * routines but no create or close stubs, which Microsoft requires of every
 * HID minidriver (hid/minidriver-operations).
 */
#include <vw/compiler.h>
#include <vw/hidport.h>
#include <wdm/irp.h>
#include <wdm/vwdm.h>

static NTSTATUS NTAPI StubDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    return VwCompleteIrp(Irp, STATUS_NOT_SUPPORTED, 0);
}

static NTSTATUS NTAPI StubAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Fdo)
{
    (void)DriverObject;
    (void)Fdo;
    return STATUS_SUCCESS;
}

static VOID NTAPI StubUnload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject;
}

DRIVER_INITIALIZE DriverEntry;

VW_INIT_CODE NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    VW_HID_MINIDRIVER_REGISTRATION reg = {
        .Revision = VW_HID_REVISION,
        .DriverObject = DriverObject,
        .RegistryPath = RegistryPath,
        .DeviceExtensionSize = 16,
    };
    DriverObject->DriverExtension->AddDevice = StubAddDevice;
    DriverObject->DriverUnload = StubUnload;
    DriverObject->MajorFunction[IRP_MJ_PNP] = StubDispatch;
    DriverObject->MajorFunction[IRP_MJ_POWER] = StubDispatch;
    DriverObject->MajorFunction[IRP_MJ_INTERNAL_DEVICE_CONTROL] = StubDispatch;
    DriverObject->MajorFunction[IRP_MJ_SYSTEM_CONTROL] = StubDispatch;
    return HidRegisterMinidriver(&reg); /* no IRP_MJ_CREATE / IRP_MJ_CLOSE */
}
