/*
 * qemu-ga.exe: entry point, configuration (key file, then command line),
 * logging, and the console/service split.
 */
#include <stdarg.h>
#include <stdint.h>

#include "../core/util.h"
#include "agent_win.h"
#include "win.h"

/* after windows.h, which it needs */
#include <shellapi.h>

#ifndef GA_VERSION
#define GA_VERSION "0"
#endif

bool ga_verbose;
static HANDLE log_handle;

/* Writes UTF-8 text to a handle (standard output, error, or the log). */
static void put(HANDLE h, const char *s, size_t n)
{
    DWORD done;
    if (h && h != INVALID_HANDLE_VALUE) {
        WriteFile(h, s, (DWORD)n, &done, NULL);
    }
}

/* Write a string to standard output. */
static void print(const char *s)
{
    put(GetStdHandle(STD_OUTPUT_HANDLE), s, strlen(s));
}

/* Log a line with the uptime in seconds to the log file or standard error. */
void ga_log(const char *fmt, ...)
{
    char line[640];
    va_list ap;
    va_start(ap, fmt);
    size_t n = ga_fmt(line, sizeof(line), "%lld: ", (long long)(GetTickCount64() / 1000));
    n += ga_vfmt(line + n, sizeof(line) - n - 2, fmt, ap);
    va_end(ap);
    line[n++] = '\r';
    line[n++] = '\n';
    put(log_handle ? log_handle : GetStdHandle(STD_ERROR_HANDLE), line, n);
}

/* The agent's reply writer until the channel takes over (unused). */
static void no_write(void *ctx, const char *d, size_t n)
{
    (void)ctx, (void)d, (void)n;
}

/* Run the agent with a configuration until stop is signalled. */
int ga_serve(const struct ga_config *cfg, HANDLE stop)
{
    struct ga *ga = ga_alloc(sizeof(*ga));
    if (!ga || !ga_init(ga, GA_VERSION, no_write, NULL)) {
        ga_free(ga);
        return 1;
    }
    ga_apply_filters(ga, cfg->nallow ? cfg->allow : NULL, cfg->block);
    ga_win_load_start();
    ga_win_balloon_start();
    int rc = ga_run_agent(ga, cfg, stop);
    ga_fini(ga);
    ga_free(ga);
    return rc;
}

/* Reads the key file (QGA_CONF, or qemu-ga.conf beside the program, or
 * -c); a missing default file is not an error. */
static bool load_config(struct ga_config *cfg, const char *given, char *err, size_t err_size)
{
    WCHAR path[MAX_PATH + 16];
    bool required = given != NULL;
    if (given) {
        WCHAR *w = ga_wide(given);
        if (!w) {
            ga_fmt(err, err_size, "configuration path is not valid UTF-8");
            return false;
        }
        size_t i = 0;
        for (; w[i] && i < MAX_PATH + 15; i++) {
            path[i] = w[i];
        }
        path[i] = 0;
        ga_free(w);
    } else if (!GetEnvironmentVariableW(L"QGA_CONF", path, MAX_PATH)) {
        DWORD n = GetModuleFileNameW(NULL, path, MAX_PATH);
        while (n && path[n - 1] != L'\\') {
            n--;
        }
        const WCHAR *name = L"qemu-ga.conf";
        for (size_t i = 0; name[i]; i++) {
            path[n++] = name[i];
        }
        path[n] = 0;
    }
    HANDLE h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        if (required) {
            ga_fmt(err, err_size, "cannot open configuration file %s", given);
        }
        return !required;
    }
    static char text[65536];
    DWORD n = 0;
    bool ok = ReadFile(h, text, sizeof(text), &n, NULL) && n < sizeof(text);
    CloseHandle(h);
    if (!ok) {
        ga_fmt(err, err_size, "configuration file unreadable or larger than 64 KiB");
        return false;
    }
    return ga_config_load(cfg, text, n, err, err_size);
}

static const char usage[] =
    "Usage: qemu-ga [-m <method> -p <path>] [<options>]\r\n"
    "QEMU Guest Agent for Windows (virtio-win) " GA_VERSION "\r\n\r\n"
    "  -m, --method      transport method: virtio-serial (default), isa-serial,\r\n"
    "                    or stdio (tests)\r\n"
    "  -p, --path        device path (virtio-serial: \\\\.\\Global\\org.qemu.guest_agent.0,\r\n"
    "                    isa-serial: COM1)\r\n"
    "  -l, --logfile     log file path (default: standard error)\r\n"
    "  -f, --pidfile     pid file path\r\n"
    "  -t, --statedir    state directory (accepted; no state is kept)\r\n"
    "  -v, --verbose     log extra information\r\n"
    "  -V, --version     print the version and exit\r\n"
    "  -d, --daemonize   run as the Windows service\r\n"
    "  -s, --service     install, uninstall (the service qemu-ga, \"QEMU Guest Agent\")\r\n"
    "  -b, --block-rpcs  comma-separated commands to disable (help: list them)\r\n"
    "  -a, --allow-rpcs  comma-separated commands to enable, disabling the rest\r\n"
    "  -c, --config      configuration file (default: QGA_CONF or qemu-ga.conf\r\n"
    "                    beside the program)\r\n"
    "  -D, --dump-conf   print the configuration as a key file and exit\r\n"
    "  -r, --retry-path  wait for the channel to appear, reopen it when it goes\r\n"
    "  -h, --help        display this help and exit\r\n";

/* Writes the pid file when one was asked for. */
static void write_pidfile(const char *path)
{
    WCHAR *w = path ? ga_wide(path) : NULL;
    if (!w) {
        return;
    }
    HANDLE h = CreateFileW(w, GENERIC_WRITE, FILE_SHARE_READ, NULL, CREATE_ALWAYS, 0, NULL);
    ga_free(w);
    if (h != INVALID_HANDLE_VALUE) {
        char t[24];
        put(h, t, ga_fmt(t, sizeof(t), "%u\r\n", (unsigned)GetCurrentProcessId()));
        CloseHandle(h);
    }
}

/* The program: parse, then run as the service or in the console. */
static int agent_main(void)
{
    int argc;
    WCHAR **wargv = CommandLineToArgvW(GetCommandLineW(), &argc);
    if (!wargv || argc < 1) {
        return 1;
    }
    char **argv = ga_alloc(((size_t)argc + 1) * sizeof(char *));
    for (int i = 0; argv && i < argc; i++) {
        argv[i] = ga_narrow_dup(wargv[i]);
        if (!argv[i]) {
            return 1;
        }
    }
    LocalFree(wargv);
    if (!argv) {
        return 1;
    }
    static struct ga_config cfg;
    char err[256];
    ga_config_init(&cfg);
    if (!load_config(&cfg, ga_config_path_arg(argc, argv), err, sizeof(err)) ||
        !ga_config_parse_args(&cfg, argc, argv, err, sizeof(err))) {
        ga_log("%s", err);
        return 1;
    }
    ga_verbose = cfg.verbose;
    if (cfg.help) {
        print(usage);
        return 0;
    }
    if (cfg.version) {
        print("QEMU Guest Agent for Windows (virtio-win) " GA_VERSION "\r\n");
        return 0;
    }
    if (cfg.list_rpcs) {
        for (size_t i = 0; i < ga_command_count; i++) {
            print(ga_commands[i].name);
            print("\r\n");
        }
        return 0;
    }
    if (cfg.dump_conf) {
        static char dump[16384];
        ga_config_dump(&cfg, dump, sizeof(dump));
        print(dump);
        return 0;
    }
    if (cfg.logfile) {
        WCHAR *w = ga_wide(cfg.logfile);
        log_handle = w ? CreateFileW(w, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                                     OPEN_ALWAYS, 0, NULL)
                       : INVALID_HANDLE_VALUE;
        ga_free(w);
        if (log_handle == INVALID_HANDLE_VALUE) {
            log_handle = NULL;
            ga_log("cannot open log file %s", cfg.logfile);
        }
    }
    if (cfg.service) {
        return ga_service_command(&cfg);
    }
    write_pidfile(cfg.pidfile);
    if (cfg.daemon) {
        return ga_service_dispatch(&cfg);
    }
    return ga_serve(&cfg, NULL);
}

extern uintptr_t __stack_chk_guard;

/* The image's entry (lld-link /entry): seeds the stack-protector guard
 * before any protected function runs, then runs the program. */
__attribute__((no_stack_protector)) void WINAPI VwAgentEntry(void);
/* Process entry point (no C runtime): seed the stack guard, parse options, run as service or
 * console. */
__attribute__((no_stack_protector)) void WINAPI VwAgentEntry(void)
{
    LARGE_INTEGER now;
    QueryPerformanceCounter(&now);
    uint64_t seed = (uint64_t)now.QuadPart ^ (uint64_t)(uintptr_t)&now;
    seed ^= (uint64_t)GetCurrentProcessId() << 32 ^ GetCurrentThreadId();
    seed ^= seed >> 30;
    seed *= 0xbf58476d1ce4e5b9ULL;
    seed ^= seed >> 27;
    seed *= 0x94d049bb133111ebULL;
    seed ^= seed >> 31;
    __stack_chk_guard = (uintptr_t)(seed & ~(uint64_t)0xff);
    ExitProcess((UINT)agent_main());
}
