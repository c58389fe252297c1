/*
 * viorngum.dll: the Win32 side of the viorng CNG random number provider.
 *
 * CNG loads the DLL named in the provider's registration (viorng.inx) and
 * calls its export GetRngInterface for the RNG function table; the entries
 * forward to rngprov.c.  This file only finds the device (through the
 * device interface viorng registers, VIORNG_INTERFACE_GUID_INIT), opens it
 * and issues IOCTL_VIORNG_READ.
 *
 * The device is found with cfgmgr32 (CM_Get_Device_Interface_List), the
 * lightweight in-box API, rather than SetupAPI: CNG may load providers into
 * any process, so the DLL pulls in as little as possible.
 */
#include <windows.h>
#include <winioctl.h>
#include <bcrypt.h>
#include <cfgmgr32.h>

#include "../viorng_ioctl.h"
#include "rngprov.h"

_Static_assert(RNGPROV_MAX_READ == VIORNG_MAX_READ, "the provider splits reads as the driver");
_Static_assert(sizeof(WCHAR) == sizeof(uint16_t), "LPCWSTR is UTF-16");

/* BCRYPT_RNG_FUNCTION_TABLE as Microsoft's CNG provider interface defines
 * it (bcrypt_provider.h, not part of mingw-w64): an interface version, then
 * five entries in this order. */
typedef NTSTATUS(WINAPI *RngOpenFn)(BCRYPT_ALG_HANDLE *, LPCWSTR, ULONG);
typedef NTSTATUS(WINAPI *RngGetPropertyFn)(BCRYPT_HANDLE, LPCWSTR, PUCHAR, ULONG, ULONG *, ULONG);
typedef NTSTATUS(WINAPI *RngSetPropertyFn)(BCRYPT_HANDLE, LPCWSTR, PUCHAR, ULONG, ULONG);
typedef NTSTATUS(WINAPI *RngCloseFn)(BCRYPT_ALG_HANDLE, ULONG);
typedef NTSTATUS(WINAPI *RngGenRandomFn)(BCRYPT_ALG_HANDLE, PUCHAR, ULONG, ULONG);

typedef struct {
    BCRYPT_INTERFACE_VERSION Version;
    RngOpenFn OpenAlgorithmProvider;
    RngGetPropertyFn GetProperty;
    RngSetPropertyFn SetProperty;
    RngCloseFn CloseAlgorithmProvider;
    RngGenRandomFn GenRandom;
} VIORNGUM_RNG_FUNCTION_TABLE;

/* Interface lists are re-read this often when devices arrive between the
 * size query and the list query (CR_BUFFER_SMALL). */
#define VIORNGUM_LIST_TRIES 3

static const GUID ViorngumInterface = VIORNG_INTERFACE_GUID_INIT;

/* Memory for the provider core, from the process heap. */
static void *ViorngumAlloc(void *ctx, size_t size)
{
    (void)ctx;
    return HeapAlloc(GetProcessHeap(), 0, size);
}

/* Free memory ViorngumAlloc gave. */
static void ViorngumFree(void *ctx, void *p)
{
    (void)ctx;
    HeapFree(GetProcessHeap(), 0, p);
}

/* The present interfaces of viorng as a multi-string, or NULL. */
static WCHAR *ViorngumInterfaceList(ULONG *count)
{
    for (int i = 0; i < VIORNGUM_LIST_TRIES; i++) {
        ULONG n = 0;
        if (CM_Get_Device_Interface_List_SizeW(&n, (LPGUID)&ViorngumInterface, NULL,
                                               CM_GET_DEVICE_INTERFACE_LIST_PRESENT) !=
                CR_SUCCESS ||
            n <= 1)
            return NULL;
        WCHAR *list = ViorngumAlloc(NULL, (size_t)n * sizeof(WCHAR));
        if (list == NULL)
            return NULL;
        CONFIGRET cr = CM_Get_Device_Interface_ListW((LPGUID)&ViorngumInterface, NULL, list, n,
                                                     CM_GET_DEVICE_INTERFACE_LIST_PRESENT);
        if (cr == CR_SUCCESS) {
            *count = n;
            return list;
        }
        ViorngumFree(NULL, list);
        if (cr != CR_BUFFER_SMALL)
            return NULL;
    }
    return NULL;
}

/* Open the first viorng device interface that answers. */
static rngprov_status ViorngumOpenDevice(void *ctx, void **dev)
{
    (void)ctx;
    ULONG count = 0;
    WCHAR *list = ViorngumInterfaceList(&count);
    if (list == NULL)
        return RNGPROV_NO_SUCH_DEVICE;
    rngprov_status status = RNGPROV_NO_SUCH_DEVICE;
    size_t pos = 0;
    const uint16_t *path;
    while ((path = rngprov_multisz_next((const uint16_t *)list, count, &pos)) != NULL) {
        /* Synchronous handle: the I/O manager serialises our reads on it. */
        HANDLE h = CreateFileW((LPCWSTR)path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE,
                               NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
        if (h != INVALID_HANDLE_VALUE) {
            *dev = h;
            status = RNGPROV_SUCCESS;
            break;
        }
    }
    ViorngumFree(NULL, list);
    return status;
}

/* Read random bytes from an open device with IOCTL_VIORNG_READ. */
static rngprov_status ViorngumRead(void *ctx, void *dev, uint8_t *buf, uint32_t len, uint32_t *got)
{
    (void)ctx;
    DWORD n = 0;
    if (!DeviceIoControl(dev, IOCTL_VIORNG_READ, NULL, 0, buf, len, &n, NULL))
        return RNGPROV_DEVICE_ERROR;
    *got = n;
    return RNGPROV_SUCCESS;
}

/* Close a device handle ViorngumOpenDevice opened. */
static void ViorngumCloseDevice(void *ctx, void *dev)
{
    (void)ctx;
    CloseHandle(dev);
}

static const struct rngprov_io ViorngumIo = {
    .open = ViorngumOpenDevice,
    .read = ViorngumRead,
    .close = ViorngumCloseDevice,
    .alloc = ViorngumAlloc,
    .free = ViorngumFree,
};

/* CNG's OpenAlgorithmProvider entry, on the portable core. */
static NTSTATUS WINAPI ViorngumOpen(BCRYPT_ALG_HANDLE *alg, LPCWSTR id, ULONG flags)
{
    return rngprov_open(&ViorngumIo, (void **)alg, (const uint16_t *)id, flags);
}

/* CNG's GetProperty entry, on the portable core. */
static NTSTATUS WINAPI ViorngumGetProperty(BCRYPT_HANDLE obj, LPCWSTR prop, PUCHAR out, ULONG len,
                                           ULONG *result, ULONG flags)
{
    return rngprov_get_property(obj, (const uint16_t *)prop, out, len, (uint32_t *)result, flags);
}

/* CNG's SetProperty entry, on the portable core. */
static NTSTATUS WINAPI ViorngumSetProperty(BCRYPT_HANDLE obj, LPCWSTR prop, PUCHAR in, ULONG len,
                                           ULONG flags)
{
    return rngprov_set_property(obj, (const uint16_t *)prop, in, len, flags);
}

/* CNG's CloseAlgorithmProvider entry, on the portable core. */
static NTSTATUS WINAPI ViorngumClose(BCRYPT_ALG_HANDLE alg, ULONG flags)
{
    return rngprov_close(alg, flags);
}

/* CNG's GenRandom entry, on the portable core. */
static NTSTATUS WINAPI ViorngumGenRandom(BCRYPT_ALG_HANDLE alg, PUCHAR buf, ULONG len, ULONG flags)
{
    return rngprov_gen(alg, buf, len, flags);
}

static const VIORNGUM_RNG_FUNCTION_TABLE ViorngumTable = {
    .Version = {1, 0}, /* BCRYPT_RNG_INTERFACE_VERSION_1 */
    .OpenAlgorithmProvider = ViorngumOpen,
    .GetProperty = ViorngumGetProperty,
    .SetProperty = ViorngumSetProperty,
    .CloseAlgorithmProvider = ViorngumClose,
    .GenRandom = ViorngumGenRandom,
};

NTSTATUS WINAPI GetRngInterface(LPCWSTR provider, VIORNGUM_RNG_FUNCTION_TABLE **table, ULONG flags);

/* Exported by name (viorngum.def).  One table serves every provider name
 * the registration may use; CNG passes no flags today. */
NTSTATUS WINAPI GetRngInterface(LPCWSTR provider, VIORNGUM_RNG_FUNCTION_TABLE **table, ULONG flags)
{
    (void)provider;
    (void)flags;
    if (table == NULL)
        return RNGPROV_INVALID_PARAMETER;
    /* CNG's prototype takes a non-const table; it only reads it. */
    *table = (VIORNGUM_RNG_FUNCTION_TABLE *)&ViorngumTable;
    return RNGPROV_SUCCESS;
}
