/*
 * pvpanic driver object: entry, AddDevice and unload.
 */
#include <vw/compiler.h>
#include "pvpanic.h"

static DRIVER_ADD_DEVICE PvPanicAddDevice;
static DRIVER_UNLOAD PvPanicUnload;
DRIVER_INITIALIZE DriverEntry;

static NTSTATUS NTAPI PvPanicAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo)
{
    PDEVICE_OBJECT fdo;
    NTSTATUS status;

    status = IoCreateDevice(DriverObject, sizeof(PVPANIC_DEVICE), NULL, FILE_DEVICE_UNKNOWN,
                            FILE_DEVICE_SECURE_OPEN, FALSE, &fdo);
    if (!NT_SUCCESS(status))
        return status;

    PPVPANIC_DEVICE device = (PPVPANIC_DEVICE)fdo->DeviceExtension;
    RtlZeroMemory(device, sizeof(*device));
    device->Self = fdo;
    IoInitializeRemoveLock(&device->RemoveLock, PVPANIC_POOL_TAG, 0, 0);

    device->LowerDevice = IoAttachDeviceToDeviceStack(fdo, Pdo);
    if (device->LowerDevice == NULL) {
        IoDeleteDevice(fdo);
        return STATUS_NO_SUCH_DEVICE;
    }
    fdo->Flags |= DO_POWER_PAGABLE;
    fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

static VOID NTAPI PvPanicUnload(PDRIVER_OBJECT DriverObject)
{
    /* Every device was removed (and its callbacks deregistered) before the
     * PnP manager unloads a PnP driver: nothing is left to undo. */
    (void)DriverObject;
}

VW_INIT_CODE NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    DriverObject->DriverExtension->AddDevice = PvPanicAddDevice;
    DriverObject->DriverUnload = PvPanicUnload;
    DriverObject->MajorFunction[IRP_MJ_PNP] = PvPanicDispatchPnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = PvPanicDispatchPower;
    DriverObject->MajorFunction[IRP_MJ_SYSTEM_CONTROL] = PvPanicDispatchSystemControl;
    return STATUS_SUCCESS;
}
