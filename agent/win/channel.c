/*
 * The agent's channel: the virtio-serial port \\.\Global\org.qemu.guest_agent.0
 * (or a COM port), opened for overlapped I/O so a stop request can
 * interrupt a read.  When the host side closes or the port goes away (a
 * read fails or ends), the port is closed and opened again every second
 * until it is back; any partial request is dropped.  The "stdio" method
 * (ours, for tests) uses the process's standard input and output and ends
 * the agent at end of input.
 */
#include "../core/agent.h"
#include "../core/config.h"
#include "../core/util.h"
#include "agent_win.h"
#include "win.h"

#define GA_VIRTIO_PATH_DEFAULT "\\\\.\\Global\\org.qemu.guest_agent.0"
#define GA_SERIAL_PATH_DEFAULT "COM1"
#define GA_RETRY_MS            1000

struct channel {
    HANDLE in, out;
    bool overlapped;
    OVERLAPPED wov;
};

/* Writes a whole reply; a failure is logged and the reply dropped. */
static void channel_write(void *ctx, const char *data, size_t len)
{
    struct channel *ch = ctx;
    while (len) {
        DWORD n = 0;
        BOOL ok;
        if (ch->overlapped) {
            ResetEvent(ch->wov.hEvent);
            ok = WriteFile(ch->out, data, (DWORD)len, NULL, &ch->wov);
            if (ok || GetLastError() == ERROR_IO_PENDING) {
                ok = GetOverlappedResult(ch->out, &ch->wov, &n, TRUE);
            }
        } else {
            ok = WriteFile(ch->out, data, (DWORD)len, &n, NULL);
        }
        if (!ok || !n) {
            ga_log("channel write failed (error %u), reply dropped", (unsigned)GetLastError());
            return;
        }
        data += n;
        len -= n;
    }
}

/* Opens the port; false when it is not there (yet). */
static bool channel_open(struct channel *ch, const WCHAR *path)
{
    HANDLE h = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                           FILE_FLAG_OVERLAPPED, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        return false;
    }
    ch->in = ch->out = h;
    ch->overlapped = true;
    return true;
}

/* Reads what is there; 0 at end or error, -1 when stop was signalled. */
static long channel_read(struct channel *ch, char *buf, DWORD size, HANDLE stop)
{
    DWORD n = 0;
    if (!ch->overlapped) {
        return ReadFile(ch->in, buf, size, &n, NULL) ? (long)n : 0;
    }
    OVERLAPPED ov;
    memset(&ov, 0, sizeof(ov));
    ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!ov.hEvent) {
        return 0;
    }
    long rc = 0;
    if (ReadFile(ch->in, buf, size, NULL, &ov) || GetLastError() == ERROR_IO_PENDING) {
        HANDLE events[2] = {ov.hEvent, stop};
        DWORD w = WaitForMultipleObjects(stop ? 2 : 1, events, FALSE, INFINITE);
        if (w == WAIT_OBJECT_0 + 1) {
            CancelIoEx(ch->in, &ov);
            GetOverlappedResult(ch->in, &ov, &n, TRUE);
            rc = -1;
        } else if (GetOverlappedResult(ch->in, &ov, &n, FALSE)) {
            rc = (long)n;
        }
    }
    CloseHandle(ov.hEvent);
    return rc;
}

/* Waits ms milliseconds; true when stop was signalled meanwhile. */
static bool wait_stop(HANDLE stop, DWORD ms)
{
    if (!stop) {
        Sleep(ms);
        return false;
    }
    return WaitForSingleObject(stop, ms) == WAIT_OBJECT_0;
}

/* Serve requests on the channel (virtio-serial port, isa-serial or stdio) until stop is signalled.
 */
int ga_run_agent(struct ga *ga, const struct ga_config *cfg, HANDLE stop)
{
    const char *method = cfg->method ? cfg->method : "virtio-serial";
    bool stdio = ga_streq(method, "stdio");
    const char *path = cfg->path;
    if (!stdio && !ga_streq(method, "virtio-serial") && !ga_streq(method, "isa-serial")) {
        ga_log("transport method '%s' is not supported on Windows", method);
        return 1;
    }
    if (!path) {
        path = ga_streq(method, "isa-serial") ? GA_SERIAL_PATH_DEFAULT : GA_VIRTIO_PATH_DEFAULT;
    }
    struct channel ch;
    memset(&ch, 0, sizeof(ch));
    ch.wov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    WCHAR *wpath = ga_wide(path);
    if (!ch.wov.hEvent || !wpath) {
        ga_free(wpath);
        return 1;
    }
    ga->write = channel_write;
    ga->write_ctx = &ch;
    char *buf = ga_alloc(4096);
    int rc = 0;
    bool virtio = ga_streq(method, "virtio-serial");
    for (bool first = true;; first = false) {
        if (stdio) {
            if (!first) {
                break; /* end of the test's input */
            }
            ch.in = GetStdHandle(STD_INPUT_HANDLE);
            ch.out = GetStdHandle(STD_OUTPUT_HANDLE);
        } else {
            while (!channel_open(&ch, wpath)) {
                /* A port that never was there is an error unless asked to
                 * wait for it (-r), as QEMU's agent does. */
                if (first && !cfg->retry_path) {
                    ga_log("failed to open channel %s (error %u)", path, (unsigned)GetLastError());
                    rc = 1;
                    goto out;
                }
                if (wait_stop(stop, GA_RETRY_MS)) {
                    goto out;
                }
            }
            ga_log("channel %s open", path);
        }
        for (;;) {
            long n = channel_read(&ch, buf, 4096, stop);
            if (n < 0) {
                if (!stdio) {
                    CloseHandle(ch.in);
                }
                goto out;
            }
            if (n == 0) {
                break;
            }
            ga_feed(ga, buf, (size_t)n);
        }
        /* The host side closed, or the port was unplugged. */
        ga_channel_reset(ga);
        if (!stdio) {
            CloseHandle(ch.in);
            ga_log("channel %s closed; reopening", path);
            if (!virtio && !cfg->retry_path) {
                break;
            }
            if (wait_stop(stop, GA_RETRY_MS)) {
                break;
            }
        }
    }
out:
    ga_free(buf);
    ga_free(wpath);
    CloseHandle(ch.wov.hEvent);
    return rc;
}
