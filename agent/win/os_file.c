/* Win32 layer: files for guest-file-*. */
#include "../core/os.h"
#include "../core/util.h"
#include "win.h"

/* Open a file for guest-file-open with the access and disposition of its mode. */
bool ga_os_file_open(const char *path, const struct ga_open_mode *mode, void **file,
                     struct ga_err *err)
{
    WCHAR *w = ga_wide(path);
    if (!w) {
        return ga_error(err, "path is not valid UTF-8");
    }
    DWORD access = 0;
    if (mode->read) {
        access |= GENERIC_READ;
    }
    if (mode->write) {
        /* Append: writes always go to the end, as fopen's "a". */
        access |= mode->append ? FILE_APPEND_DATA : GENERIC_WRITE;
    }
    DWORD disp = mode->disposition == GA_CREATE_ALWAYS ? CREATE_ALWAYS
                 : mode->disposition == GA_OPEN_ALWAYS ? OPEN_ALWAYS
                                                       : OPEN_EXISTING;
    HANDLE h = CreateFileW(w, access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           disp, FILE_ATTRIBUTE_NORMAL, NULL);
    DWORD code = GetLastError();
    ga_free(w);
    if (h == INVALID_HANDLE_VALUE) {
        return ga_win_error(err, code);
    }
    *file = h;
    return true;
}

/* Read up to len bytes (in 1 GB pieces). */
bool ga_os_file_read(void *file, void *buf, size_t len, size_t *got, struct ga_err *err)
{
    *got = 0;
    while (len) {
        DWORD chunk = len > (1u << 30) ? (1u << 30) : (DWORD)len, n = 0;
        if (!ReadFile(file, buf, chunk, &n, NULL)) {
            return ga_win_error(err, GetLastError());
        }
        if (!n) {
            break;
        }
        *got += n;
        buf = (char *)buf + n;
        len -= n;
    }
    return true;
}

/* Write len bytes (in 1 GB pieces). */
bool ga_os_file_write(void *file, const void *buf, size_t len, size_t *put, struct ga_err *err)
{
    *put = 0;
    while (len) {
        DWORD chunk = len > (1u << 30) ? (1u << 30) : (DWORD)len, n = 0;
        if (!WriteFile(file, buf, chunk, &n, NULL)) {
            return ga_win_error(err, GetLastError());
        }
        if (!n) {
            break;
        }
        *put += n;
        buf = (const char *)buf + n;
        len -= n;
    }
    return true;
}

/* Move a file's position; returns the new position. */
bool ga_os_file_seek(void *file, int64_t offset, int whence, int64_t *pos, struct ga_err *err)
{
    LARGE_INTEGER off, newpos;
    off.QuadPart = offset;
    DWORD method = whence == 0 ? FILE_BEGIN : whence == 1 ? FILE_CURRENT : FILE_END;
    if (!SetFilePointerEx(file, off, &newpos, method)) {
        return ga_win_error(err, GetLastError());
    }
    *pos = newpos.QuadPart;
    return true;
}

/* Flush a file's buffers to disk. */
bool ga_os_file_flush(void *file, struct ga_err *err)
{
    if (!FlushFileBuffers(file)) {
        return ga_win_error(err, GetLastError());
    }
    return true;
}

/* Close a file handle. */
void ga_os_file_close(void *file)
{
    CloseHandle(file);
}
