/*
 * Test driver for the registry path of the WDM framework: AddDevice reads
 * three device parameters with VwReadDeviceParameter and logs them; the
 * scenario (selftest/registry.c) supplies the values.
 */
#include <wdm/vwdm.h>

static NTSTATUS ParamAddDevice(PVW_DEVICE Device)
{
    ULONG answer = VwReadDeviceParameter(Device, L"Answer", 1);
    ULONG wrong = VwReadDeviceParameter(Device, L"WrongType", 5);
    ULONG missing = VwReadDeviceParameter(Device, L"Missing", 7);
    VwInfo(Device, "Answer=%lu WrongType=%lu Missing=%lu", answer, wrong, missing);
    return STATUS_SUCCESS;
}

static const VW_DRIVER_CONFIG ParamConfig = {
    .Name = "vwparam",
    .PoolTag = 'mpWV',
    .DeviceType = FILE_DEVICE_UNKNOWN,
    .AddDevice = ParamAddDevice,
};

DRIVER_INITIALIZE DriverEntry;

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    return VwDriverInitialize(DriverObject, &ParamConfig);
}
