/*
 * vwdm: per-device parameters from the registry.  An INF sets them in its
 * [<install>.HW] AddReg section with HKR, which is the device's "Device
 * Parameters" key that IoOpenDeviceRegistryKey(PLUGPLAY_REGKEY_DEVICE) opens.
 */
#include "vwdm.h"

/* Read a DWORD under the device's "Device Parameters" key, or Default when absent or not a DWORD.
 * IRQL: PASSIVE_LEVEL. */
ULONG VwReadDeviceParameter(PVW_DEVICE Device, PCWSTR Name, ULONG Default)
{
    /* Room for a KEY_VALUE_PARTIAL_INFORMATION with a DWORD. */
    union {
        KEY_VALUE_PARTIAL_INFORMATION info;
        UCHAR bytes[sizeof(KEY_VALUE_PARTIAL_INFORMATION) + sizeof(ULONG)];
    } value;
    UNICODE_STRING name;
    HANDLE key;
    ULONG length = 0;
    ULONG result = Default;

    if (!NT_SUCCESS(IoOpenDeviceRegistryKey(Device->Pdo, PLUGPLAY_REGKEY_DEVICE, KEY_READ, &key)))
        return Default;
    RtlInitUnicodeString(&name, Name);
    NTSTATUS status =
        ZwQueryValueKey(key, &name, KeyValuePartialInformation, &value, sizeof(value), &length);
    /* Type and size are checked: a value of the wrong type means "unset". */
    if (NT_SUCCESS(status) && value.info.Type == REG_DWORD &&
        value.info.DataLength == sizeof(ULONG))
        RtlCopyMemory(&result, value.info.Data, sizeof(ULONG));
    ZwClose(key);
    return result;
}
