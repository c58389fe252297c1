/*
 * virtio-win-guest-tools.exe: one x86 image that carries the gt MSIs of
 * every arch as resources and runs the one that fits the machine with
 * msiexec, then the guest agent's MSI of that arch when one is embedded.
 *
 *   virtio-win-guest-tools.exe [/quiet] [/passive] [/norestart] [/log FILE] [/uninstall]
 *
 * The machine comes from IsWow64Process2 (Windows 10 1709 and later, looked
 * up at run time) or, before it, IsWow64Process (WOW64 means x64 then: the
 * first ARM64 Windows was 1709).  Each embedded MSI has a CRC-32 beside it
 * (resource <name>_CRC, 8 hex digits): a damaged one stops the run with one
 * error and exit code 1620 (ERROR_INSTALL_PACKAGE_INVALID) before anything
 * is installed.  The exit code is msiexec's (3010: reboot needed).
 */
#include <windows.h>

#define GTB_EXIT_USAGE   87   /* ERROR_INVALID_PARAMETER */
#define GTB_EXIT_DAMAGED 1620 /* ERROR_INSTALL_PACKAGE_INVALID */
#define GTB_EXIT_NO_MSI  1633 /* ERROR_INSTALL_PLATFORM_UNSUPPORTED */
#define GTB_REBOOT       3010 /* ERROR_SUCCESS_REBOOT_REQUIRED */

#define GTB_MACHINE_I386  0x014c
#define GTB_MACHINE_AMD64 0x8664
#define GTB_MACHINE_ARM64 0xaa64

#define GTB_CMD_MAX 2048

struct gtb_opts {
    int quiet, passive, norestart, uninstall;
    const WCHAR *log; /* points into the command line copy */
};

/* One line to stdout (ASCII; other characters as '?'). */
static void GtbSay(const WCHAR *a, const WCHAR *b)
{
    static char text[1024];
    DWORD n = 0, done;
    const WCHAR *parts[2] = {a, b};
    for (int p = 0; p < 2; p++)
        for (const WCHAR *s = parts[p]; s && *s && n < sizeof text - 2; s++)
            text[n++] = *s < 0x80 ? (char)*s : '?';
    text[n++] = '\r';
    text[n++] = '\n';
    WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), text, n, &done, NULL);
}

/* CRC-32 (IEEE 802.3, reflected), computed bit by bit: the MSIs are read
 * once, so no table is worth its size. */
static DWORD GtbCrc32(const BYTE *p, DWORD len)
{
    DWORD crc = 0xffffffffu;
    for (DWORD i = 0; i < len; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

/* A resource's bytes, or NULL. */
static const BYTE *GtbResource(const WCHAR *name, DWORD *len)
{
    HRSRC r = FindResourceW(NULL, name, MAKEINTRESOURCEW(10) /* RT_RCDATA */);
    if (r == NULL)
        return NULL;
    HGLOBAL g = LoadResource(NULL, r);
    *len = SizeofResource(NULL, r);
    return g ? LockResource(g) : NULL;
}

/* Whether the MSI resource matches the CRC stored beside it. */
static int GtbIntact(const WCHAR *name, const BYTE *msi, DWORD len)
{
    WCHAR crc_name[64];
    DWORD n = 0, want = 0;
    lstrcpyW(crc_name, name);
    lstrcatW(crc_name, L"_CRC");
    const BYTE *hex = GtbResource(crc_name, &n);
    if (hex == NULL || n < 8)
        return 0;
    for (int i = 0; i < 8; i++) {
        BYTE c = hex[i];
        DWORD v = c >= '0' && c <= '9'   ? (DWORD)(c - '0')
                  : c >= 'a' && c <= 'f' ? (DWORD)(c - 'a' + 10)
                                         : 16;
        if (v == 16)
            return 0;
        want = want << 4 | v;
    }
    static const BYTE cfb[8] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1};
    for (int i = 0; i < 8; i++)
        if (len < 8 || msi[i] != cfb[i])
            return 0;
    return GtbCrc32(msi, len) == want;
}

typedef BOOL(WINAPI *GtbIsWow64Process2)(HANDLE, USHORT *, USHORT *);

/* The machine Windows runs on. */
static USHORT GtbMachine(void)
{
    HMODULE k32 = GetModuleHandleW(L"kernel32.dll");
    GtbIsWow64Process2 fn =
        k32 ? (GtbIsWow64Process2)(void (*)(void))GetProcAddress(k32, "IsWow64Process2") : NULL;
    USHORT process = 0, native = 0;
    if (fn != NULL && fn(GetCurrentProcess(), &process, &native))
        return native;
    /* Windows 10 before 1709: x86 or x64 only. */
    BOOL wow = FALSE;
    if (IsWow64Process(GetCurrentProcess(), &wow) && wow)
        return GTB_MACHINE_AMD64;
#if defined(__x86_64__)
    return GTB_MACHINE_AMD64;
#elif defined(__aarch64__)
    return GTB_MACHINE_ARM64;
#else
    return GTB_MACHINE_I386;
#endif
}

/* Writes the MSI to dir\name; 0 on failure. */
static int GtbWrite(const WCHAR *path, const BYTE *data, DWORD len)
{
    HANDLE f =
        CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (f == INVALID_HANDLE_VALUE)
        return 0;
    DWORD done = 0;
    BOOL ok = WriteFile(f, data, len, &done, NULL) && done == len;
    CloseHandle(f);
    if (!ok)
        DeleteFileW(path);
    return ok;
}

/* Appends s to the command line being built; 0 when it does not fit. */
static int GtbAppend(WCHAR *cmd, const WCHAR *s)
{
    if (lstrlenW(cmd) + lstrlenW(s) + 1 > GTB_CMD_MAX)
        return 0;
    lstrcatW(cmd, s);
    return 1;
}

/* Runs msiexec on one MSI; its exit code, or a Win32 error of our own. */
static DWORD GtbMsiexec(const struct gtb_opts *o, const WCHAR *msi, const WCHAR *log_suffix)
{
    static WCHAR cmd[GTB_CMD_MAX], exe[MAX_PATH];
    UINT n = GetSystemDirectoryW(exe, MAX_PATH - 16);
    if (n == 0 || n >= MAX_PATH - 16)
        return GetLastError();
    lstrcatW(exe, L"\\msiexec.exe");
    cmd[0] = 0;
    int ok = GtbAppend(cmd, L"\"") && GtbAppend(cmd, exe) && GtbAppend(cmd, L"\" ") &&
             GtbAppend(cmd, o->uninstall ? L"/x \"" : L"/i \"") && GtbAppend(cmd, msi) &&
             GtbAppend(cmd, L"\"");
    if (o->quiet)
        ok = ok && GtbAppend(cmd, L" /qn");
    else if (o->passive)
        ok = ok && GtbAppend(cmd, L" /passive");
    if (o->norestart)
        ok = ok && GtbAppend(cmd, L" /norestart");
    if (o->log)
        ok = ok && GtbAppend(cmd, L" /l*v \"") && GtbAppend(cmd, o->log) &&
             GtbAppend(cmd, log_suffix) && GtbAppend(cmd, L"\"");
    if (!ok)
        return ERROR_FILENAME_EXCED_RANGE;
    STARTUPINFOW si = {.cb = sizeof si};
    PROCESS_INFORMATION pi;
    if (!CreateProcessW(exe, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
        return GetLastError();
    WaitForSingleObject(pi.hProcess, INFINITE);
    DWORD code = 1;
    if (!GetExitCodeProcess(pi.hProcess, &code))
        code = GetLastError();
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    return code;
}

/* Extracts one embedded MSI to dir and runs it; the MSI's exit code. */
static DWORD GtbRun(const struct gtb_opts *o, const WCHAR *dir, const WCHAR *res, const WCHAR *file,
                    const WCHAR *log_suffix)
{
    static WCHAR path[MAX_PATH];
    DWORD len = 0;
    const BYTE *msi = GtbResource(res, &len);
    if (msi == NULL)
        return ERROR_FILE_NOT_FOUND;
    if (!GtbIntact(res, msi, len)) {
        GtbSay(L"virtio-win-guest-tools: error: the embedded MSI is damaged: ", file);
        return GTB_EXIT_DAMAGED;
    }
    if (lstrlenW(dir) + lstrlenW(file) + 2 > MAX_PATH)
        return ERROR_FILENAME_EXCED_RANGE;
    lstrcpyW(path, dir);
    lstrcatW(path, file);
    if (!GtbWrite(path, msi, len)) {
        DWORD e = GetLastError();
        GtbSay(L"virtio-win-guest-tools: error: cannot write ", path);
        return e ? e : ERROR_WRITE_FAULT;
    }
    GtbSay(o->uninstall ? L"virtio-win-guest-tools: removing "
                        : L"virtio-win-guest-tools: running ",
           file);
    DWORD code = GtbMsiexec(o, path, log_suffix);
    DeleteFileW(path);
    return code;
}

/* Parses the arguments after the program name; 0 on a bad one. */
static int GtbParse(WCHAR *p, struct gtb_opts *o)
{
    /* Skip the program name (quoted or not). */
    if (*p == L'"') {
        for (p++; *p && *p != L'"'; p++)
            ;
        if (*p)
            p++;
    } else {
        while (*p && *p != L' ' && *p != L'\t')
            p++;
    }
    for (;;) {
        while (*p == L' ' || *p == L'\t')
            p++;
        if (!*p)
            return 1;
        WCHAR *arg = p;
        int quoted = *p == L'"';
        if (quoted) {
            arg = ++p;
            while (*p && *p != L'"')
                p++;
        } else {
            while (*p && *p != L' ' && *p != L'\t')
                p++;
        }
        if (*p)
            *p++ = 0;
        if (lstrcmpiW(arg, L"/quiet") == 0 || lstrcmpiW(arg, L"/q") == 0)
            o->quiet = 1;
        else if (lstrcmpiW(arg, L"/passive") == 0)
            o->passive = 1;
        else if (lstrcmpiW(arg, L"/norestart") == 0)
            o->norestart = 1;
        else if (lstrcmpiW(arg, L"/uninstall") == 0)
            o->uninstall = 1;
        else if (lstrcmpiW(arg, L"/log") == 0 || lstrcmpiW(arg, L"/l") == 0) {
            while (*p == L' ' || *p == L'\t')
                p++;
            if (!*p)
                return 0;
            WCHAR *v = p;
            if (*p == L'"') {
                v = ++p;
                while (*p && *p != L'"')
                    p++;
            } else {
                while (*p && *p != L' ' && *p != L'\t')
                    p++;
            }
            if (*p)
                *p++ = 0;
            o->log = v;
        } else
            return 0;
    }
}

/* A fresh folder under %TEMP% for the extracted MSIs, ending with '\'. */
static int GtbTempDir(WCHAR *dir)
{
    DWORD n = GetTempPathW(MAX_PATH - 40, dir);
    if (n == 0 || n >= MAX_PATH - 40)
        return 0;
    static const WCHAR hex[] = L"0123456789abcdef";
    DWORD id = GetCurrentProcessId();
    lstrcatW(dir, L"virtio-win-gt-");
    WCHAR num[9];
    for (int i = 0; i < 8; i++)
        num[i] = hex[(id >> (28 - 4 * i)) & 15];
    num[8] = 0;
    lstrcatW(dir, num);
    if (!CreateDirectoryW(dir, NULL) && GetLastError() != ERROR_ALREADY_EXISTS)
        return 0;
    lstrcatW(dir, L"\\");
    return 1;
}

BOOL WINAPI VwDllEntry(HINSTANCE Instance, DWORD Reason, LPVOID Reserved);
void VwGtBootMain(void);

/* Entry point of virtio-win-guest-tools.exe: pick the machine's MSI and run msiexec with the
 * options given. */
__attribute__((no_stack_protector)) void VwGtBootMain(void)
{
    /* The stack-protector guard is seeded as in our DLLs. */
    VwDllEntry(GetModuleHandleW(NULL), DLL_PROCESS_ATTACH, NULL);
    static WCHAR line[GTB_CMD_MAX], dir[MAX_PATH];
    struct gtb_opts o = {0};
    const WCHAR *cl = GetCommandLineW();
    if (lstrlenW(cl) >= GTB_CMD_MAX || (lstrcpyW(line, cl), !GtbParse(line, &o))) {
        GtbSay(L"usage: virtio-win-guest-tools.exe [/quiet] [/passive] [/norestart] "
               L"[/log FILE] [/uninstall]",
               NULL);
        ExitProcess(GTB_EXIT_USAGE);
    }
    const WCHAR *res, *file, *agent;
    switch (GtbMachine()) {
    case GTB_MACHINE_AMD64:
        res = L"GT_X64", file = L"virtio-win-gt-x64.msi", agent = L"AGENT_X64";
        break;
    case GTB_MACHINE_ARM64:
        res = L"GT_ARM64", file = L"virtio-win-gt-arm64.msi", agent = L"AGENT_ARM64";
        break;
    case GTB_MACHINE_I386:
        res = L"GT_X86", file = L"virtio-win-gt-x86.msi", agent = L"AGENT_X86";
        break;
    default:
        GtbSay(L"virtio-win-guest-tools: error: no MSI for this machine", NULL);
        ExitProcess(GTB_EXIT_NO_MSI);
    }
    if (!GtbTempDir(dir)) {
        GtbSay(L"virtio-win-guest-tools: error: cannot make a folder under %TEMP%", NULL);
        ExitProcess(GetLastError() ? GetLastError() : ERROR_PATH_NOT_FOUND);
    }
    DWORD len, code;
    int has_agent = GtbResource(agent, &len) != NULL;
    /* Install: drivers first, then the agent (it needs vioserial);
     * uninstall: the other way round. */
    if (o.uninstall && has_agent) {
        code = GtbRun(&o, dir, agent, L"guest-agent.msi", L".agent.log");
        if (code == ERROR_SUCCESS || code == GTB_REBOOT) {
            DWORD c2 = GtbRun(&o, dir, res, file, L"");
            code = c2 == ERROR_SUCCESS ? code : c2;
        }
    } else {
        code = GtbRun(&o, dir, res, file, L"");
        if (has_agent && (code == ERROR_SUCCESS || code == GTB_REBOOT)) {
            DWORD c2 = GtbRun(&o, dir, agent, L"guest-agent.msi", L".agent.log");
            code = c2 == ERROR_SUCCESS ? code : c2;
        }
    }
    dir[lstrlenW(dir) - 1] = 0;
    RemoveDirectoryW(dir);
    ExitProcess(code);
}
