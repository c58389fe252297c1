/*
 * Plug and Play and power for the pvpanic function device.
 *
 * START: the bus driver starts first; then the register is mapped, the
 * supported events are read and the bug-check callbacks registered.
 * STOP, SURPRISE_REMOVAL and REMOVE undo that in reverse order (callbacks
 * before the mapping they use).  Everything else goes to the bus driver.
 */
#include "pvpanic.h"
#include "../../common/wdm/irp.h"

static NTSTATUS PvPanicStart(PPVPANIC_DEVICE Device, PCM_RESOURCE_LIST Translated)
{
    NTSTATUS status = PvPanicMapRegister(&Device->Register, Translated);
    if (!NT_SUCCESS(status)) {
        PvPanicLog(DPFLTR_ERROR_LEVEL, "no usable register resource (0x%08lx)\n", status);
        return status;
    }

    /* Bits we do not know (e.g. SHUTDOWN) are ignored; an all-ones read
     * means nothing is decoding the address: treat it as no device. */
    UCHAR events = PvPanicReadRegister(&Device->Register);
    if (events == 0xff)
        events = 0;
    Device->SupportedEvents = events & PVPANIC_EVENTS_KNOWN;
    PvPanicLog(DPFLTR_INFO_LEVEL, "%s register, events 0x%02x (supported 0x%02x)\n",
               Device->Register.IsPort ? "port" : "memory", events, Device->SupportedEvents);

    PvPanicRegisterCallbacks(Device);
    Device->Started = TRUE;
    return STATUS_SUCCESS;
}

static VOID PvPanicStop(PPVPANIC_DEVICE Device)
{
    if (!Device->Started)
        return;
    PvPanicDeregisterCallbacks(Device);
    PvPanicUnmapRegister(&Device->Register);
    Device->SupportedEvents = 0;
    Device->Started = FALSE;
}

NTSTATUS NTAPI PvPanicDispatchPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PPVPANIC_DEVICE device = (PPVPANIC_DEVICE)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status;

    status = IoAcquireRemoveLock(&device->RemoveLock, Irp);
    if (!NT_SUCCESS(status))
        return VwCompleteIrp(Irp, status, 0);

    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
        status = VwForwardIrpAndWait(device->LowerDevice, Irp);
        if (NT_SUCCESS(status))
            status =
                PvPanicStart(device, stack->Parameters.StartDevice.AllocatedResourcesTranslated);
        VwCompleteIrp(Irp, status, 0);
        IoReleaseRemoveLock(&device->RemoveLock, Irp);
        return status;

    case IRP_MN_STOP_DEVICE:
    case IRP_MN_SURPRISE_REMOVAL:
        PvPanicStop(device);
        Irp->IoStatus.Status = STATUS_SUCCESS;
        break;

    case IRP_MN_REMOVE_DEVICE:
        PvPanicStop(device);
        Irp->IoStatus.Status = STATUS_SUCCESS;
        status = VwPassIrpDown(device->LowerDevice, Irp);
        IoReleaseRemoveLockAndWait(&device->RemoveLock, Irp);
        IoDetachDevice(device->LowerDevice);
        IoDeleteDevice(DeviceObject);
        return status;

    case IRP_MN_QUERY_STOP_DEVICE:
    case IRP_MN_QUERY_REMOVE_DEVICE:
    case IRP_MN_CANCEL_STOP_DEVICE:
    case IRP_MN_CANCEL_REMOVE_DEVICE:
        Irp->IoStatus.Status = STATUS_SUCCESS;
        break;

    default:
        break;
    }
    status = VwPassIrpDown(device->LowerDevice, Irp);
    IoReleaseRemoveLock(&device->RemoveLock, Irp);
    return status;
}

NTSTATUS NTAPI PvPanicDispatchPower(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PPVPANIC_DEVICE device = (PPVPANIC_DEVICE)DeviceObject->DeviceExtension;
    NTSTATUS status = IoAcquireRemoveLock(&device->RemoveLock, Irp);

    if (!NT_SUCCESS(status)) {
        PoStartNextPowerIrp(Irp);
        return VwCompleteIrp(Irp, status, 0);
    }
    /* No device state to save or restore: the register is only written
     * during a bug check, so every power transition is the bus driver's. */
    status = VwPassPowerIrpDown(device->LowerDevice, Irp);
    IoReleaseRemoveLock(&device->RemoveLock, Irp);
    return status;
}

NTSTATUS NTAPI PvPanicDispatchSystemControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PPVPANIC_DEVICE device = (PPVPANIC_DEVICE)DeviceObject->DeviceExtension;
    NTSTATUS status = IoAcquireRemoveLock(&device->RemoveLock, Irp);

    if (!NT_SUCCESS(status))
        return VwCompleteIrp(Irp, status, 0);
    status = VwPassIrpDown(device->LowerDevice, Irp);
    IoReleaseRemoveLock(&device->RemoveLock, Irp);
    return status;
}
