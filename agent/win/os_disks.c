/* Disks for guest-get-disks and guest-get-fsinfo (SetupAPI, the storage
 * IOCTLs, the configuration manager for the PCI controller), and
 * guest-fstrim (defrag.exe /L per fixed volume, as QEMU's agent). */
#include "win.h"

#include <cfgmgr32.h>
#include <ntddscsi.h>
#include <setupapi.h>
#include <stddef.h>
#include <winioctl.h>

#include "../core/disk.h"
#include "../core/os.h"
#include "../core/util.h"

/* GUID_DEVINTERFACE_DISK (ntddstor.h). */
static const GUID disk_interface = {
    0x53f56307, 0xb6bf, 0x11d0, {0x94, 0xf2, 0x00, 0xa0, 0xc9, 0x1e, 0xfb, 0x8b}};

/* PCI bus, slot and function of the disk's controller (its parent device
 * node, when that is a PCI device); left at -1 otherwise. */
static void controller_address(DEVINST disk, struct ga_disk_addr *a)
{
    DEVINST parent;
    WCHAR id[MAX_DEVICE_ID_LEN];
    ULONG bus, address, len;
    if (CM_Get_Parent(&parent, disk, 0) != CR_SUCCESS ||
        CM_Get_Device_IDW(parent, id, MAX_DEVICE_ID_LEN, 0) != CR_SUCCESS ||
        !(id[0] == L'P' && id[1] == L'C' && id[2] == L'I' && id[3] == L'\\')) {
        return;
    }
    len = sizeof(bus);
    if (CM_Get_DevNode_Registry_PropertyW(parent, CM_DRP_BUSNUMBER, NULL, &bus, &len, 0) !=
        CR_SUCCESS) {
        return;
    }
    len = sizeof(address);
    if (CM_Get_DevNode_Registry_PropertyW(parent, CM_DRP_ADDRESS, NULL, &address, &len, 0) !=
        CR_SUCCESS) {
        return;
    }
    a->pci_domain = 0;
    a->pci_bus = (int)bus;
    ga_pci_slot_function(address, &a->pci_slot, &a->pci_function);
}

/* Fills a from the open disk h (number n, device node inst); false when
 * the disk does not describe itself. */
static bool disk_address(HANDLE h, DEVINST inst, DWORD n, struct ga_disk_addr *a)
{
    memset(a, 0, sizeof(*a));
    a->pci_domain = a->pci_bus = a->pci_slot = a->pci_function = -1;
    ga_fmt(a->dev, sizeof(a->dev), "\\\\.\\PhysicalDrive%u", (unsigned)n);
    STORAGE_PROPERTY_QUERY q;
    memset(&q, 0, sizeof(q));
    q.PropertyId = StorageDeviceProperty;
    q.QueryType = PropertyStandardQuery;
    static unsigned char buf[4096];
    DWORD got = 0;
    uint32_t bus_type;
    if (!DeviceIoControl(h, IOCTL_STORAGE_QUERY_PROPERTY, &q, sizeof(q), buf, sizeof(buf), &got,
                         NULL) ||
        !ga_storage_descriptor(buf, got, &bus_type, a->serial, sizeof(a->serial))) {
        return false;
    }
    a->bus_type = ga_bus_type_name(bus_type);
    controller_address(inst, a);
    if (ga_streq(a->bus_type, "scsi") || ga_streq(a->bus_type, "ide") ||
        ga_streq(a->bus_type, "raid") || ga_streq(a->bus_type, "sas")) {
        SCSI_ADDRESS s;
        if (DeviceIoControl(h, IOCTL_SCSI_GET_ADDRESS, NULL, 0, &s, sizeof(s), &got, NULL)) {
            a->bus = s.PathId;
            a->target = s.TargetId;
            a->unit = s.Lun;
        }
    }
    return true;
}

/* Calls fn for each present disk: its number, open handle, device node. */
typedef bool (*disk_fn)(void *ctx, DWORD number, HANDLE h, DEVINST inst);
/* Call fn for every present disk device interface with an open handle. */
static bool for_each_disk(disk_fn fn, void *ctx, struct ga_err *err)
{
    HDEVINFO set =
        SetupDiGetClassDevsW(&disk_interface, NULL, NULL, DIGCF_PRESENT | DIGCF_DEVICEINTERFACE);
    if (set == INVALID_HANDLE_VALUE) {
        return ga_win_error(err, GetLastError());
    }
    SP_DEVICE_INTERFACE_DATA ifd;
    ifd.cbSize = sizeof(ifd);
    bool more = true;
    for (DWORD i = 0; more && SetupDiEnumDeviceInterfaces(set, NULL, &disk_interface, i, &ifd);
         i++) {
        DWORD size = 0;
        SP_DEVINFO_DATA dev;
        dev.cbSize = sizeof(dev);
        SetupDiGetDeviceInterfaceDetailW(set, &ifd, NULL, 0, &size, NULL);
        if (size < sizeof(SP_DEVICE_INTERFACE_DETAIL_DATA_W) || size > 65536) {
            continue;
        }
        SP_DEVICE_INTERFACE_DETAIL_DATA_W *detail = ga_alloc(size);
        if (!detail) {
            continue;
        }
        detail->cbSize = sizeof(*detail);
        if (SetupDiGetDeviceInterfaceDetailW(set, &ifd, detail, size, NULL, &dev)) {
            HANDLE h = CreateFileW(detail->DevicePath, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                                   OPEN_EXISTING, 0, NULL);
            STORAGE_DEVICE_NUMBER sdn;
            DWORD got;
            if (h != INVALID_HANDLE_VALUE) {
                if (DeviceIoControl(h, IOCTL_STORAGE_GET_DEVICE_NUMBER, NULL, 0, &sdn, sizeof(sdn),
                                    &got, NULL)) {
                    more = fn(ctx, sdn.DeviceNumber, h, dev.DevInst);
                }
                CloseHandle(h);
            }
        }
        ga_free(detail);
    }
    SetupDiDestroyDeviceInfoList(set);
    return true;
}

struct list_ctx {
    ga_disk_cb cb;
    void *ctx;
    struct ga_disk disk;
};

/* guest-get-disks: one entry per disk. */
static bool list_one(void *ctx, DWORD number, HANDLE h, DEVINST inst)
{
    struct list_ctx *c = ctx;
    memset(&c->disk, 0, sizeof(c->disk));
    ga_fmt(c->disk.name, sizeof(c->disk.name), "\\\\.\\PhysicalDrive%u", (unsigned)number);
    c->disk.have_address = disk_address(h, inst, number, &c->disk.addr);
    c->cb(c->ctx, &c->disk);
    return true;
}

/* List disks with bus type, PCI address and serial. */
bool ga_os_disks(ga_disk_cb cb, void *ctx, struct ga_err *err)
{
    struct list_ctx *c = ga_alloc(sizeof(*c));
    if (!c) {
        return ga_error(err, "out of memory");
    }
    c->cb = cb;
    c->ctx = ctx;
    bool ok = for_each_disk(list_one, c, err);
    ga_free(c);
    return ok;
}

struct find_ctx {
    DWORD number;
    struct ga_disk_addr *addr;
    bool found;
};

/* Stops at disk number ctx->number, filling its address. */
static bool find_one(void *ctx, DWORD number, HANDLE h, DEVINST inst)
{
    struct find_ctx *c = ctx;
    if (number != c->number) {
        return true;
    }
    c->found = disk_address(h, inst, number, c->addr);
    return false;
}

/* Fill in the disks a volume spans (its extents). */
void ga_win_volume_disks(const WCHAR *volume, struct ga_volume *vol)
{
    /* The volume device: its GUID path without the trailing backslash. */
    WCHAR name[MAX_PATH];
    size_t n = 0;
    while (volume[n] && n + 1 < MAX_PATH) {
        name[n] = volume[n];
        n++;
    }
    if (n && name[n - 1] == L'\\') {
        n--;
    }
    name[n] = 0;
    HANDLE h =
        CreateFileW(name, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        return;
    }
    static union {
        VOLUME_DISK_EXTENTS e;
        unsigned char raw[sizeof(VOLUME_DISK_EXTENTS) + 63 * sizeof(DISK_EXTENT)];
    } ext;
    DWORD got = 0;
    BOOL ok = DeviceIoControl(h, IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS, NULL, 0, &ext, sizeof(ext),
                              &got, NULL);
    CloseHandle(h);
    if (!ok || got < sizeof(ext.e)) {
        return; /* not on a disk (a CD, a RAM disk) or too many extents */
    }
    DWORD count = ext.e.NumberOfDiskExtents;
    DWORD fit = (DWORD)((got - offsetof(VOLUME_DISK_EXTENTS, Extents)) / sizeof(DISK_EXTENT));
    for (DWORD i = 0; i < count && i < fit && vol->ndisks < GA_VOLUME_MAX_DISKS; i++) {
        struct find_ctx c = {ext.e.Extents[i].DiskNumber, &vol->disks[vol->ndisks], false};
        static struct ga_err err;
        if (for_each_disk(find_one, &c, &err) && c.found) {
            vol->ndisks++;
        }
    }
}

/* Runs defrag.exe /L on path (UTF-8) and hands cb its output, ending it
 * after GA_TRIM_TIMEOUT_MS. */
static void trim_one(const char *path, ga_trim_cb cb, void *ctx)
{
    /* Commands run one at a time: static buffers keep the stack small. */
    static WCHAR dir[MAX_PATH];
    static char exe[MAX_PATH * 3];
    UINT n = GetSystemDirectoryW(dir, MAX_PATH - 12);
    if (!n || n >= MAX_PATH - 12) {
        cb(ctx, path, NULL, 0, "cannot find the system folder");
        return;
    }
    ga_narrow(dir, exe, sizeof(exe) - 12);
    ga_fmt(exe + strlen(exe), 12, "\\defrag.exe");
    const char *argv[] = {"/L", path, NULL};
    struct ga_exec_req req;
    memset(&req, 0, sizeof(req));
    req.path = exe;
    req.argv = argv;
    req.capture = true;
    static struct ga_err err;
    void *proc;
    int64_t pid;
    err.desc[0] = 0;
    if (!ga_os_exec_start(&req, &proc, &pid, &err)) {
        static char msg[sizeof(err.desc) + 64];
        ga_fmt(msg, sizeof(msg), "failed to execute defrag.exe: %s", err.desc);
        cb(ctx, path, NULL, 0, msg);
        return;
    }
    for (DWORD waited = 0;; waited += 100) {
        struct ga_exec_state st;
        memset(&st, 0, sizeof(st));
        ga_os_exec_poll(proc, &st);
        if (st.exited) {
            cb(ctx, path, (const char *)st.out, st.out_len, NULL);
            break;
        }
        if (waited >= GA_TRIM_TIMEOUT_MS) {
            ga_os_exec_kill(proc);
            cb(ctx, path, NULL, 0, "defrag.exe /L did not finish within 600 seconds");
            break;
        }
        Sleep(100);
    }
    ga_os_exec_free(proc);
}

/* Trim every fixed volume with defrag /L, reporting each path's result. */
bool ga_os_trim(ga_trim_cb cb, void *ctx, struct ga_err *err)
{
    WCHAR name[MAX_PATH];
    HANDLE find = FindFirstVolumeW(name, MAX_PATH);
    if (find == INVALID_HANDLE_VALUE) {
        return ga_win_error(err, GetLastError());
    }
    char *path = ga_alloc(MAX_PATH * 3);
    if (!path) {
        FindVolumeClose(find);
        return ga_error(err, "out of memory");
    }
    do {
        WCHAR paths[MAX_PATH + 1];
        DWORD len = 0;
        memset(paths, 0, sizeof(paths));
        if (GetDriveTypeW(name) != DRIVE_FIXED ||
            !GetVolumePathNamesForVolumeNameW(name, paths, MAX_PATH, &len) || !paths[0]) {
            continue; /* only fixed volumes mounted somewhere, as QEMU's agent */
        }
        ga_narrow(paths, path, MAX_PATH * 3);
        trim_one(path, cb, ctx);
    } while (FindNextVolumeW(find, name, MAX_PATH));
    FindVolumeClose(find);
    ga_free(path);
    return true;
}
