/* Win32 layer: suspend to disk or RAM, and local account passwords. */
#include "../core/os.h"
#include "../core/util.h"
#include "win.h"

/* after windows.h, which they need */
#include <lm.h>
#include <powrprof.h>

/* Thread: suspends, after the agent's request handling has finished. */
static DWORD WINAPI suspend_thread(void *arg)
{
    Sleep(100);
    SetSuspendState(arg != NULL, FALSE, TRUE);
    return 0;
}

/* Hibernate or sleep, when the power capabilities allow it. */
bool ga_os_suspend(enum ga_suspend_mode mode, struct ga_err *err)
{
    SYSTEM_POWER_CAPABILITIES caps;
    memset(&caps, 0, sizeof(caps));
    if (!GetPwrCapabilities(&caps)) {
        return ga_win_error(err, GetLastError());
    }
    bool disk = mode == GA_SUSPEND_DISK;
    if (disk && !(caps.SystemS4 && caps.HiberFilePresent)) {
        return ga_error(err, "suspend-to-disk not supported by OS");
    }
    if (!disk && !caps.SystemS3) {
        return ga_error(err, "suspend-to-ram not supported by OS");
    }
    if (!ga_enable_privilege(L"SeShutdownPrivilege", err)) {
        return false;
    }
    HANDLE t = CreateThread(NULL, 64 * 1024, suspend_thread, disk ? (void *)1 : NULL, 0, NULL);
    if (!t) {
        return ga_win_error(err, GetLastError());
    }
    CloseHandle(t);
    return true;
}

/* Set a local user's password. */
bool ga_os_set_password(const char *user, const char *password, struct ga_err *err)
{
    WCHAR *wuser = ga_wide(user), *wpass = ga_wide(password);
    NET_API_STATUS st = ERROR_NOT_ENOUGH_MEMORY;
    if (wuser && wpass) {
        USER_INFO_1003 info = {wpass};
        st = NetUserSetInfo(NULL, wuser, 1003, (BYTE *)&info, NULL);
    }
    if (wpass) {
        for (volatile WCHAR *p = wpass; *p; p++) {
            *p = 0;
        }
    }
    ga_free(wuser);
    ga_free(wpass);
    if (st != NERR_Success) {
        struct ga_err sys;
        if (st == NERR_UserNotFound) {
            ga_error(&sys, "The user name could not be found.");
        } else {
            ga_win_error(&sys, st);
        }
        return ga_error(err, "setting password failed: %s", sys.desc);
    }
    return true;
}
