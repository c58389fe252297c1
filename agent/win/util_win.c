/* Memory, strings and error text for the agent's Win32 layer. */
#include <stdarg.h>

#include "../core/util.h"
#include "win.h"

/* Zeroed memory from the process heap. */
void *ga_alloc(size_t size)
{
    return HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, size ? size : 1);
}

/* Resize memory from ga_alloc. */
void *ga_realloc(void *p, size_t size)
{
    if (!p) {
        return ga_alloc(size);
    }
    return HeapReAlloc(GetProcessHeap(), 0, p, size ? size : 1);
}

/* Free memory from ga_alloc. */
void ga_free(void *p)
{
    if (p) {
        HeapFree(GetProcessHeap(), 0, p);
    }
}

/* A UTF-16 copy of a UTF-8 string, or NULL when it is not valid UTF-8. */
WCHAR *ga_wide(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    if (n <= 0) {
        return NULL;
    }
    WCHAR *w = ga_alloc((size_t)n * sizeof(WCHAR));
    if (w && MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
        ga_free(w);
        w = NULL;
    }
    return w;
}

/* UTF-16 to UTF-8 into a bounded buffer, cut at a character boundary. */
void ga_narrow(const WCHAR *w, char *buf, size_t size)
{
    if (!size) {
        return;
    }
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, buf, (int)size, NULL, NULL);
    if (n <= 0) {
        /* Too long for buf: convert what fits, a character at a time. */
        size_t o = 0;
        for (; *w; w++) {
            char t[8];
            int l =
                WideCharToMultiByte(CP_UTF8, 0, w, (*w >= 0xd800 && *w < 0xdc00 && w[1]) ? 2 : 1, t,
                                    sizeof(t), NULL, NULL);
            if (l <= 0 || o + (size_t)l >= size) {
                break;
            }
            for (int i = 0; i < l; i++) {
                buf[o++] = t[i];
            }
            if (*w >= 0xd800 && *w < 0xdc00 && w[1]) {
                w++;
            }
        }
        buf[o] = 0;
    }
}

/* A UTF-8 copy of a UTF-16 string. */
char *ga_narrow_dup(const WCHAR *w)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    if (n <= 0) {
        return NULL;
    }
    char *s = ga_alloc((size_t)n);
    if (s) {
        WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL);
    }
    return s;
}

/* Set an error from a Windows error code with its message text. */
bool ga_win_error(struct ga_err *err, DWORD code)
{
    WCHAR text[256];
    DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code,
                             MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT), text, 256, NULL);
    while (n && (text[n - 1] == L'\r' || text[n - 1] == L'\n' || text[n - 1] == L' ')) {
        text[--n] = 0;
    }
    if (n) {
        char t[400];
        ga_narrow(text, t, sizeof(t));
        return ga_error(err, "%s", t);
    }
    return ga_error(err, "Windows error 0x%x", (unsigned)code);
}

/* Enable a privilege in the process token. */
bool ga_enable_privilege(const WCHAR *name, struct ga_err *err)
{
    HANDLE token;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, &token)) {
        return ga_win_error(err, GetLastError());
    }
    TOKEN_PRIVILEGES tp;
    tp.PrivilegeCount = 1;
    tp.Privileges[0].Attributes = SE_PRIVILEGE_ENABLED;
    bool ok = LookupPrivilegeValueW(NULL, name, &tp.Privileges[0].Luid) &&
              AdjustTokenPrivileges(token, FALSE, &tp, 0, NULL, NULL) &&
              GetLastError() != ERROR_NOT_ALL_ASSIGNED;
    DWORD code = GetLastError();
    CloseHandle(token);
    return ok ? true : ga_win_error(err, code);
}
