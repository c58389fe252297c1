/* Win32 layer: the virtio and QEMU PCI devices and their drivers
 * (guest-get-devices), through SetupAPI. */
#include "../core/os.h"
#include "../core/util.h"
#include "win.h"

/* after windows.h, which it needs */
#include <setupapi.h>

/* DEVPKEY_Device_DriverDate and _DriverVersion (devpkey.h). */
static const DEVPROPKEY driver_date = {
    {0xa8b865dd, 0x2e3d, 0x4094, {0xad, 0x97, 0xe5, 0x93, 0xa7, 0x0c, 0x75, 0xd6}}, 2};
static const DEVPROPKEY driver_version = {
    {0xa8b865dd, 0x2e3d, 0x4094, {0xad, 0x97, 0xe5, 0x93, 0xa7, 0x0c, 0x75, 0xd6}}, 3};

/* 100 ns intervals between 1601-01-01 and 1970-01-01. */
#define EPOCH_DIFF 116444736000000000LL

/* List present PCI devices with their IDs and their driver's version and date. */
bool ga_os_devices(ga_device_cb cb, void *ctx, struct ga_err *err)
{
    HDEVINFO set = SetupDiGetClassDevsW(NULL, L"PCI", NULL, DIGCF_PRESENT | DIGCF_ALLCLASSES);
    if (set == INVALID_HANDLE_VALUE) {
        return ga_win_error(err, GetLastError());
    }
    struct ga_device *d = ga_alloc(sizeof(*d));
    WCHAR *buf = ga_alloc(4096 * sizeof(WCHAR));
    if (!d || !buf) {
        ga_free(d);
        ga_free(buf);
        SetupDiDestroyDeviceInfoList(set);
        return ga_error(err, "out of memory");
    }
    SP_DEVINFO_DATA info;
    info.cbSize = sizeof(info);
    for (DWORD i = 0; SetupDiEnumDeviceInfo(set, i, &info); i++) {
        memset(d, 0, sizeof(*d));
        memset(buf, 0, 4096 * sizeof(WCHAR));
        /* The first hardware ID is the most specific: PCI\VEN_x&DEV_y&... */
        if (!SetupDiGetDeviceRegistryPropertyW(set, &info, SPDRP_HARDWAREID, NULL, (BYTE *)buf,
                                               4095 * sizeof(WCHAR), NULL)) {
            continue;
        }
        char hwid[256];
        ga_narrow(buf, hwid, sizeof(hwid));
        if (!ga_pci_hwid(hwid, &d->vendor, &d->device)) {
            continue;
        }
        memset(buf, 0, 4096 * sizeof(WCHAR));
        if (SetupDiGetDeviceRegistryPropertyW(set, &info, SPDRP_FRIENDLYNAME, NULL, (BYTE *)buf,
                                              4095 * sizeof(WCHAR), NULL) ||
            SetupDiGetDeviceRegistryPropertyW(set, &info, SPDRP_DEVICEDESC, NULL, (BYTE *)buf,
                                              4095 * sizeof(WCHAR), NULL)) {
            ga_narrow(buf, d->name, sizeof(d->name));
        }
        DEVPROPTYPE type;
        memset(buf, 0, 4096 * sizeof(WCHAR));
        if (SetupDiGetDevicePropertyW(set, &info, &driver_version, &type, (BYTE *)buf,
                                      4095 * sizeof(WCHAR), NULL, 0) &&
            type == DEVPROP_TYPE_STRING) {
            ga_narrow(buf, d->version, sizeof(d->version));
        }
        FILETIME ft;
        if (SetupDiGetDevicePropertyW(set, &info, &driver_date, &type, (BYTE *)&ft, sizeof(ft),
                                      NULL, 0) &&
            type == DEVPROP_TYPE_FILETIME) {
            int64_t t = (int64_t)((uint64_t)ft.dwHighDateTime << 32 | ft.dwLowDateTime);
            if (t >= EPOCH_DIFF) {
                d->have_date = true;
                d->date_ns = (t - EPOCH_DIFF) * 100;
            }
        }
        cb(ctx, d);
    }
    ga_free(buf);
    ga_free(d);
    SetupDiDestroyDeviceInfoList(set);
    return true;
}
