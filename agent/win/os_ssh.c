/* Windows OpenSSH key files for guest-ssh-*: where they are (the account
 * looked up by name: members of Administrators use
 * %ProgramData%\ssh\administrators_authorized_keys, others the
 * authorized_keys in .ssh of their profile folder, found through the
 * ProfileList by SID), read whole, and replaced all at once with the ACL
 * Microsoft documents for OpenSSH (SYSTEM and Administrators full control,
 * plus the user for its own file; nothing inherited). */
#include "win.h"

#include <lm.h>
#include <sddl.h>

#include "../core/os.h"
#include "../core/util.h"

/* Appends s to d (capacity cap WCHARs); false when it does not fit. */
static bool wcat(WCHAR *d, size_t cap, const WCHAR *s)
{
    size_t n = 0, m = 0;
    while (d[n]) {
        n++;
    }
    while (s[m]) {
        m++;
    }
    if (n + m + 1 > cap) {
        return false;
    }
    for (size_t i = 0; i <= m; i++) {
        d[n + i] = s[i];
    }
    return true;
}

/* Where a user's authorized_keys lives (administrators' file for admins) and the user's SID. */
bool ga_os_ssh_user(const char *user, struct ga_ssh_user *u, struct ga_err *err)
{
    memset(u, 0, sizeof(*u));
    WCHAR *wuser = ga_wide(user);
    if (!wuser) {
        return ga_error(err, "out of memory");
    }
    /* Level 1 for the privilege (USER_PRIV_ADMIN: in Administrators), the
     * SID from LookupAccountNameW (level 4 would give both, but Wine has
     * no level 4). */
    USER_INFO_1 *info = NULL;
    NET_API_STATUS st = NetUserGetInfo(NULL, wuser, 1, (BYTE **)&info);
    if (st == NERR_UserNotFound) {
        ga_free(wuser);
        return ga_error(err, "User %s was not found", user);
    }
    if (st != NERR_Success || !info) {
        ga_free(wuser);
        struct ga_err sys;
        ga_win_error(&sys, st);
        return ga_error(err, "cannot look up user %s: %s", user, sys.desc);
    }
    u->admin = info->usri1_priv == USER_PRIV_ADMIN;
    NetApiBufferFree(info);
    static BYTE sid_buf[SECURITY_MAX_SID_SIZE];
    static WCHAR domain[256];
    DWORD sid_size = sizeof(sid_buf), domain_size = 256;
    SID_NAME_USE use;
    BOOL found = LookupAccountNameW(NULL, wuser, sid_buf, &sid_size, domain, &domain_size, &use);
    ga_free(wuser);
    if (!found || use != SidTypeUser) {
        return ga_error(err, "User %s was not found", user);
    }
    WCHAR *sid = NULL;
    if (!ConvertSidToStringSidW(sid_buf, &sid)) {
        return ga_win_error(err, GetLastError());
    }
    ga_narrow(sid, u->sid, sizeof(u->sid));
    static WCHAR dir[MAX_PATH], key[256], raw[MAX_PATH];
    bool ok = true;
    dir[0] = 0;
    if (u->admin) {
        DWORD n = ExpandEnvironmentStringsW(L"%ProgramData%\\ssh", dir, MAX_PATH);
        ok = n && n <= MAX_PATH && dir[0] != L'%';
        if (!ok) {
            ga_error(err, "cannot find the ProgramData folder");
        }
    } else {
        key[0] = 0;
        wcat(key, 256, L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\");
        DWORD size = sizeof(raw);
        LSTATUS rc = wcat(key, 256, sid)
                         ? RegGetValueW(HKEY_LOCAL_MACHINE, key, L"ProfileImagePath",
                                        RRF_RT_REG_SZ | RRF_RT_REG_EXPAND_SZ | RRF_NOEXPAND, NULL,
                                        raw, &size)
                         : ERROR_BUFFER_OVERFLOW;
        if (rc == ERROR_FILE_NOT_FOUND) {
            ok = ga_error(err, "user %s has no profile folder (it has never logged on)", user);
        } else if (rc != ERROR_SUCCESS) {
            ok = ga_win_error(err, (DWORD)rc);
        } else {
            DWORD n = ExpandEnvironmentStringsW(raw, dir, MAX_PATH);
            ok = n && n <= MAX_PATH && wcat(dir, MAX_PATH, L"\\.ssh");
            if (!ok) {
                ga_error(err, "the profile folder of %s is too long", user);
            }
        }
    }
    LocalFree(sid);
    if (!ok) {
        return false;
    }
    ga_narrow(dir, u->dir, sizeof(u->dir));
    ga_fmt(u->file, sizeof(u->file), "%s\\%s", u->dir,
           u->admin ? "administrators_authorized_keys" : "authorized_keys");
    return true;
}

/* Whether path exists and is a link (symbolic link, junction, other
 * reparse point): the agent runs as SYSTEM and follows none. */
static bool is_link(const WCHAR *path)
{
    DWORD a = GetFileAttributesW(path);
    return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_REPARSE_POINT);
}

/* Read an authorized_keys file whole; missing says it did not exist. */
bool ga_os_ssh_read(const struct ga_ssh_user *u, char **data, size_t *len, bool *missing,
                    struct ga_err *err)
{
    *data = NULL, *len = 0, *missing = false;
    WCHAR *dir = ga_wide(u->dir), *path = ga_wide(u->file);
    bool ok = true;
    HANDLE h = INVALID_HANDLE_VALUE;
    if (!dir || !path) {
        ok = ga_error(err, "out of memory");
    } else if (is_link(dir) || is_link(path)) {
        ok = ga_error(err, "failed to read '%s': it or its folder is a link", u->file);
    } else {
        h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                        FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
        if (h == INVALID_HANDLE_VALUE) {
            DWORD e = GetLastError();
            if (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND) {
                *missing = true;
            } else {
                struct ga_err sys;
                ga_win_error(&sys, e);
                ok = ga_error(err, "failed to read '%s': %s", u->file, sys.desc);
            }
        }
    }
    LARGE_INTEGER size;
    if (ok && h != INVALID_HANDLE_VALUE) {
        if (!GetFileSizeEx(h, &size) || size.QuadPart < 0 || size.QuadPart > GA_SSH_MAX_FILE) {
            ok = ga_error(err, "failed to read '%s': larger than %u bytes", u->file,
                          GA_SSH_MAX_FILE);
        } else if (!(*data = ga_alloc((size_t)size.QuadPart + 1))) {
            ok = ga_error(err, "out of memory");
        } else {
            DWORD got;
            while (ok && *len < (size_t)size.QuadPart) {
                if (!ReadFile(h, *data + *len, (DWORD)((size_t)size.QuadPart - *len), &got, NULL)) {
                    ok = ga_win_error(err, GetLastError());
                } else if (got == 0) {
                    break;
                } else {
                    *len += got;
                }
            }
        }
        CloseHandle(h);
    }
    if (!ok) {
        ga_free(*data);
        *data = NULL, *len = 0;
    }
    ga_free(dir);
    ga_free(path);
    return ok;
}

/* Replace an authorized_keys file whole, with the ACL OpenSSH requires. */
bool ga_os_ssh_write(const struct ga_ssh_user *u, const char *data, size_t len, struct ga_err *err)
{
    static WCHAR sddl[512];
    sddl[0] = 0;
    WCHAR *sid = ga_wide(u->sid);
    bool ok = sid && wcat(sddl, 512, L"D:PAI(A;;FA;;;SY)(A;;FA;;;BA)") &&
              (u->admin ||
               (wcat(sddl, 512, L"(A;;FA;;;") && wcat(sddl, 512, sid) && wcat(sddl, 512, L")")));
    ga_free(sid);
    PSECURITY_DESCRIPTOR sd = NULL;
    if (!ok ||
        !ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, NULL)) {
        return ga_error(err, "cannot build the key file's access list");
    }
    SECURITY_ATTRIBUTES sa = {sizeof(sa), sd, FALSE};
    WCHAR *dir = ga_wide(u->dir), *path = ga_wide(u->file);
    char tmp8[sizeof(u->file) + 16];
    ga_fmt(tmp8, sizeof(tmp8), "%s.qga-new", u->file);
    WCHAR *tmp = ga_wide(tmp8);
    ok = dir && path && tmp;
    if (!ok) {
        ga_error(err, "out of memory");
    }
    DWORD a = ok ? GetFileAttributesW(dir) : 0;
    if (ok && a == INVALID_FILE_ATTRIBUTES) {
        if (!CreateDirectoryW(dir, &sa)) {
            struct ga_err sys;
            ga_win_error(&sys, GetLastError());
            ok = ga_error(err, "failed to create directory '%s': %s", u->dir, sys.desc);
        }
    } else if (ok && (!(a & FILE_ATTRIBUTE_DIRECTORY) || (a & FILE_ATTRIBUTE_REPARSE_POINT))) {
        ok = ga_error(err, "'%s' is not a plain folder", u->dir);
    }
    if (ok && is_link(path)) {
        ok = ga_error(err, "'%s' is a link", u->file);
    }
    HANDLE h = INVALID_HANDLE_VALUE;
    if (ok) {
        DeleteFileW(tmp); /* a leftover (or planted) one: the name itself goes */
        h = CreateFileW(tmp, GENERIC_WRITE, 0, &sa, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
        if (h == INVALID_HANDLE_VALUE) {
            struct ga_err sys;
            ga_win_error(&sys, GetLastError());
            ok = ga_error(err, "failed to write to '%s': %s", u->file, sys.desc);
        }
    }
    size_t put = 0;
    while (ok && put < len) {
        DWORD n;
        if (!WriteFile(h, data + put, (DWORD)(len - put), &n, NULL) || n == 0) {
            ok = ga_win_error(err, GetLastError());
        }
        put += n;
    }
    if (h != INVALID_HANDLE_VALUE) {
        ok = ok && (FlushFileBuffers(h) || ga_win_error(err, GetLastError()));
        CloseHandle(h);
        /* All at once: the new file replaces the old one only when whole. */
        if (ok && !MoveFileExW(tmp, path, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
            struct ga_err sys;
            ga_win_error(&sys, GetLastError());
            ok = ga_error(err, "failed to write to '%s': %s", u->file, sys.desc);
        }
        if (!ok) {
            DeleteFileW(tmp);
        }
    }
    LocalFree(sd);
    ga_free(dir);
    ga_free(path);
    ga_free(tmp);
    return ok;
}
