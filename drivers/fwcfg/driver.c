/*
 * fwcfg: the driver object (everything else is the vwdm framework's).
 * No requests: the device has no user-mode interface.
 */
#include <vw/compiler.h>
#include "fwcfg.h"

static const VW_DRIVER_CONFIG FwCfgConfig = {
    .Name = "fwcfg",
    .PoolTag = FWCFG_POOL_TAG,
    .ContextSize = sizeof(FWCFG_DEVICE),
    .DeviceType = FILE_DEVICE_UNKNOWN,
    .PrepareHardware = FwCfgPrepareHardware,
    .ReleaseHardware = FwCfgReleaseHardware,
    .D0Entry = FwCfgD0Entry,
};

DRIVER_INITIALIZE DriverEntry;

/* Driver entry: hand fwcfg's configuration to the WDM framework. IRQL: PASSIVE_LEVEL. */
VW_INIT_CODE NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    return VwDriverInitialize(DriverObject, &FwCfgConfig);
}
