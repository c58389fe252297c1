/*
 * pvpanic on the WDM framework: START reads the supported events from the
 * register and registers the bug-check callbacks; every way out (STOP,
 * SURPRISE_REMOVAL, REMOVE) deregisters them before the framework unmaps the
 * register they write.  Power transitions need nothing: the register is only
 * written during a bug check.
 */
#include <vw/compiler.h>
#include "pvpanic.h"

DRIVER_INITIALIZE DriverEntry;

/* START: take the register range, read the supported events, register the callbacks. IRQL:
 * PASSIVE_LEVEL. */
static NTSTATUS PvPanicPrepareHardware(PVW_DEVICE Device, PVW_RESOURCES Resources)
{
    PPVPANIC_DEVICE pv = VwDeviceContext(Device);

    /* The register is the first range (an ACPI port or BAR0); one byte is
     * all the driver touches, and the framework refused empty ranges. */
    if (Resources->RangeCount == 0) {
        VwError(Device, "no register resource");
        return STATUS_DEVICE_CONFIGURATION_ERROR;
    }
    pv->Register = Resources->Ranges[0];

    /* Bits we do not know (e.g. SHUTDOWN) are ignored; an all-ones read
     * means nothing is decoding the address: treat it as no device. */
    UCHAR events = PvPanicReadRegister(&pv->Register);
    if (events == 0xff)
        events = 0;
    pv->SupportedEvents = events & PVPANIC_EVENTS_KNOWN;
    VwInfo(Device, "%s register, events 0x%02x (supported 0x%02x)",
           pv->Register.IsPort ? "port" : "memory", events, pv->SupportedEvents);
    PvPanicRegisterCallbacks(pv);
    return STATUS_SUCCESS;
}

/* STOP/REMOVE: deregister the callbacks and forget the register. IRQL: PASSIVE_LEVEL. */
static VOID PvPanicReleaseHardware(PVW_DEVICE Device)
{
    PPVPANIC_DEVICE pv = VwDeviceContext(Device);

    PvPanicDeregisterCallbacks(pv);
    pv->SupportedEvents = 0;
    RtlZeroMemory(&pv->Register, sizeof(pv->Register));
}

static const VW_DRIVER_CONFIG PvPanicConfig = {
    .Name = "pvpanic",
    .PoolTag = PVPANIC_POOL_TAG,
    .ContextSize = sizeof(PVPANIC_DEVICE),
    .DeviceType = FILE_DEVICE_UNKNOWN,
    .Characteristics = FILE_DEVICE_SECURE_OPEN,
    .PrepareHardware = PvPanicPrepareHardware,
    .ReleaseHardware = PvPanicReleaseHardware,
};

/* Driver entry: hand pvpanic's configuration to the WDM framework. IRQL: PASSIVE_LEVEL. */
VW_INIT_CODE NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    return VwDriverInitialize(DriverObject, &PvPanicConfig);
}
