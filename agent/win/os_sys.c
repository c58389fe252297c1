/* Win32 layer: time, names, OS version, processors, users, shutdown. */
#include "../core/os.h"
#include "../core/util.h"
#include "win.h"

/* after windows.h, which it needs */
#include <wtsapi32.h>

/* 100 ns intervals between 1601-01-01 and 1970-01-01. */
#define EPOCH_DIFF 116444736000000000LL

/* The system time in nanoseconds since the Unix epoch. */
int64_t ga_os_time_ns(void)
{
    FILETIME ft;
    GetSystemTimeAsFileTime(&ft);
    int64_t t = (int64_t)((uint64_t)ft.dwHighDateTime << 32 | ft.dwLowDateTime);
    return (t - EPOCH_DIFF) * 100;
}

/* Set the system time from nanoseconds since the Unix epoch. */
bool ga_os_set_time_ns(int64_t ns, struct ga_err *err)
{
    uint64_t t = (uint64_t)(ns / 100 + EPOCH_DIFF);
    FILETIME ft = {(DWORD)t, (DWORD)(t >> 32)};
    SYSTEMTIME st;
    if (!FileTimeToSystemTime(&ft, &st)) {
        return ga_error(err, "Failed to convert system time");
    }
    if (!ga_enable_privilege(L"SeSystemtimePrivilege", err)) {
        return false;
    }
    if (!SetSystemTime(&st)) {
        struct ga_err sys;
        ga_win_error(&sys, GetLastError());
        return ga_error(err, "failed to set time: %s", sys.desc);
    }
    return true;
}

/* The computer name as UTF-8. */
bool ga_os_host_name(char *buf, size_t size, struct ga_err *err)
{
    WCHAR name[MAX_COMPUTERNAME_LENGTH + 1];
    DWORD n = MAX_COMPUTERNAME_LENGTH + 1;
    if (!GetComputerNameW(name, &n)) {
        return ga_win_error(err, GetLastError());
    }
    ga_narrow(name, buf, size);
    return true;
}

/* The time zone's name and its offset from UTC, with daylight saving applied. */
bool ga_os_timezone(char *zone, size_t size, int64_t *offset, struct ga_err *err)
{
    TIME_ZONE_INFORMATION tz;
    DWORD id = GetTimeZoneInformation(&tz);
    if (id == TIME_ZONE_ID_INVALID) {
        return ga_win_error(err, GetLastError());
    }
    LONG bias = tz.Bias + (id == TIME_ZONE_ID_DAYLIGHT ? tz.DaylightBias : tz.StandardBias);
    *offset = -(int64_t)bias * 60;
    ga_narrow(id == TIME_ZONE_ID_DAYLIGHT ? tz.DaylightName : tz.StandardName, zone, size);
    return true;
}

NTSTATUS NTAPI RtlGetVersion(PRTL_OSVERSIONINFOW info);

/* Reads a REG_SZ under HKLM into buf as UTF-8; false when absent. */
static bool reg_string(const WCHAR *key, const WCHAR *value, char *buf, size_t size)
{
    WCHAR w[256];
    DWORD n = sizeof(w);
    if (RegGetValueW(HKEY_LOCAL_MACHINE, key, value, RRF_RT_REG_SZ, NULL, w, &n) != ERROR_SUCCESS) {
        return false;
    }
    ga_narrow(w, buf, size);
    return true;
}

/* Windows' version, build, edition and names for guest-get-osinfo. */
bool ga_os_osinfo(struct ga_osinfo *info, struct ga_err *err)
{
    RTL_OSVERSIONINFOEXW v;
    memset(&v, 0, sizeof(v));
    v.dwOSVersionInfoSize = sizeof(v);
    if (RtlGetVersion((PRTL_OSVERSIONINFOW)&v) != 0) {
        return ga_error(err, "failed to read the Windows version");
    }
    SYSTEM_INFO si;
    GetNativeSystemInfo(&si);
    const char *machine = si.wProcessorArchitecture == PROCESSOR_ARCHITECTURE_AMD64   ? "x86_64"
                          : si.wProcessorArchitecture == PROCESSOR_ARCHITECTURE_INTEL ? "x86"
                          : si.wProcessorArchitecture == PROCESSOR_ARCHITECTURE_ARM64 ? "arm64"
                                                                                      : "";
    ga_fmt(info->machine, sizeof(info->machine), "%s", machine);
    ga_fmt(info->kernel_release, sizeof(info->kernel_release), "%u", (unsigned)v.dwBuildNumber);
    ga_fmt(info->kernel_version, sizeof(info->kernel_version), "%u.%u", (unsigned)v.dwMajorVersion,
           (unsigned)v.dwMinorVersion);
    info->server = v.wProductType != VER_NT_WORKSTATION;
    reg_string(L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion", L"ProductName",
               info->pretty_name, sizeof(info->pretty_name));
    /* The marketing names of Windows 10.0 builds, as QEMU's agent names them. */
    const char *id = "10";
    if (v.dwMajorVersion == 10 && info->server) {
        id = v.dwBuildNumber >= 26100   ? "2025"
             : v.dwBuildNumber >= 20344 ? "2022"
             : v.dwBuildNumber >= 17763 ? "2019"
                                        : "2016";
    } else if (v.dwMajorVersion == 10 && v.dwBuildNumber >= 22000) {
        id = "11";
    } else if (v.dwMajorVersion != 10) {
        id = "";
    }
    if (id[0]) {
        ga_fmt(info->version_id, sizeof(info->version_id), "%s", id);
        ga_fmt(info->version, sizeof(info->version), "Microsoft Windows %s%s",
               info->server ? "Server " : "", id);
    }
    return true;
}

/* Number of active processors in every group. */
bool ga_os_cpu_count(unsigned *count, struct ga_err *err)
{
    DWORD n = GetActiveProcessorCount(ALL_PROCESSOR_GROUPS);
    if (!n) {
        return ga_win_error(err, GetLastError());
    }
    *count = n;
    return true;
}

/* List the users of active sessions with their login times. */
bool ga_os_users(ga_user_cb cb, void *ctx, struct ga_err *err)
{
    WTS_SESSION_INFOW *sessions;
    DWORD count;
    if (!WTSEnumerateSessionsW(WTS_CURRENT_SERVER_HANDLE, 0, 1, &sessions, &count)) {
        return ga_win_error(err, GetLastError());
    }
    for (DWORD i = 0; i < count; i++) {
        WCHAR *user = NULL, *domain = NULL;
        WTSINFOW *info = NULL;
        DWORD size;
        if (!WTSQuerySessionInformationW(WTS_CURRENT_SERVER_HANDLE, sessions[i].SessionId,
                                         WTSUserName, &user, &size) ||
            !user || !user[0]) {
            if (user) {
                WTSFreeMemory(user);
            }
            continue;
        }
        WTSQuerySessionInformationW(WTS_CURRENT_SERVER_HANDLE, sessions[i].SessionId, WTSDomainName,
                                    &domain, &size);
        int64_t login = 0;
        if (WTSQuerySessionInformationW(WTS_CURRENT_SERVER_HANDLE, sessions[i].SessionId,
                                        WTSSessionInfo, (WCHAR **)&info, &size) &&
            info && size >= sizeof(*info) && info->LogonTime.QuadPart > EPOCH_DIFF) {
            login = info->LogonTime.QuadPart - EPOCH_DIFF;
        }
        char u[128], d[128] = "";
        ga_narrow(user, u, sizeof(u));
        if (domain) {
            ga_narrow(domain, d, sizeof(d));
        }
        cb(ctx, u, d, login);
        WTSFreeMemory(user);
        if (domain) {
            WTSFreeMemory(domain);
        }
        if (info) {
            WTSFreeMemory(info);
        }
    }
    WTSFreeMemory(sessions);
    return true;
}

/* Shut down, halt or restart, forcing other sessions' applications closed. */
bool ga_os_shutdown(enum ga_shutdown_mode mode, struct ga_err *err)
{
    if (!ga_enable_privilege(L"SeShutdownPrivilege", err)) {
        return false;
    }
    DWORD flags = SHUTDOWN_FORCE_OTHERS;
    flags |= mode == GA_SHUTDOWN_REBOOT      ? SHUTDOWN_RESTART
             : mode == GA_SHUTDOWN_POWERDOWN ? SHUTDOWN_POWEROFF
                                             : 0;
    DWORD rc = InitiateShutdownW(NULL, NULL, 0, flags, SHTDN_REASON_FLAG_PLANNED);
    if (rc != ERROR_SUCCESS) {
        struct ga_err sys;
        ga_win_error(&sys, rc);
        return ga_error(err, "failed to shut down: %s", sys.desc);
    }
    return true;
}
