/*
 * infcheck.exe: opens driver INFs with setupapi, as Windows' installer does,
 * and resolves everything an installation would need.  Built with our mingw
 * toolchain (x86_64, no C runtime) and run under Wine (tests/wine/run.sh).
 *
 *   infcheck.exe ARCH INF...      ARCH: x86, amd64 or arm64
 *
 * Per INF: SetupOpenInfFileW (INF_STYLE_WIN4) opens it; SetupDiGetINFClassW
 * gives a class name and a non-zero class GUID; every [Manufacturer]
 * decoration names an existing models section and the arch's one exists;
 * every model has an install section (resolved .NT<arch>, .NT, undecorated,
 * the order Windows uses) and at least one hardware ID; every CopyFiles
 * file resolves through SetupGetSourceFileLocationW / SetupGetSourceInfoW to
 * a file present beside the INF and has a target directory
 * (SetupGetTargetPathW); every AddService names a service section with
 * ServiceBinary, ServiceType, StartType and ErrorControl, whose binary is
 * one of the files the install section copies (or is a null service, flag
 * SPSVCINST_ASSOCSERVICE without a name, or services a system INF provides
 * through Include/Needs).
 *
 * Prints "FAIL <inf>: <reason>" per problem and "ok <inf>: <summary>" per
 * clean INF; the exit code is the number of INFs with a problem.
 */
#include <stdint.h>
#include <windows.h>
#include <setupapi.h>

#define NAME_CHARS                512
#define MAX_FILES                 64
#define VW_SPSVCINST_ASSOCSERVICE 0x00000002

/* Everything sized is static: the stack frames stay small. */
static WCHAR g_line[2048];
static char g_utf8[8192];
static WCHAR g_inf_dir[MAX_PATH];
static WCHAR g_copied[MAX_FILES][NAME_CHARS];
static int g_ncopied;
static int g_problems;
static const WCHAR *g_inf;
static const WCHAR *g_decoration;

/* Length of a NUL-terminated wide string. */
static size_t VwLen(const WCHAR *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

/* Copies src into dst (capacity cap characters), always terminated. */
static void VwCopy(WCHAR *dst, size_t cap, const WCHAR *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < cap; i++)
        dst[i] = src[i];
    dst[i] = 0;
}

/* Appends src to dst (capacity cap characters), always terminated. */
static void VwAppend(WCHAR *dst, size_t cap, const WCHAR *src)
{
    size_t n = VwLen(dst);
    if (n < cap)
        VwCopy(dst + n, cap - n, src);
}

/* ASCII case-insensitive equality, as INF names compare. */
static BOOL VwSame(const WCHAR *a, const WCHAR *b)
{
    for (;; a++, b++) {
        WCHAR x = *a >= 'A' && *a <= 'Z' ? (WCHAR)(*a + 32) : *a;
        WCHAR y = *b >= 'A' && *b <= 'Z' ? (WCHAR)(*b + 32) : *b;
        if (x != y)
            return FALSE;
        if (!x)
            return TRUE;
    }
}

/* Writes g_line (UTF-8) and a newline to standard output. */
static void VwFlushLine(void)
{
    DWORD written;
    int n = WideCharToMultiByte(CP_UTF8, 0, g_line, -1, g_utf8, sizeof(g_utf8) - 1, NULL, NULL);
    if (n <= 0)
        return;
    g_utf8[n - 1] = '\n';
    WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), g_utf8, (DWORD)n, &written, NULL);
}

/* Prints "FAIL <inf>: <what><detail>" and counts the problem. */
static void VwProblem(const WCHAR *what, const WCHAR *detail)
{
    g_line[0] = 0;
    VwAppend(g_line, 2048, L"FAIL ");
    VwAppend(g_line, 2048, g_inf);
    VwAppend(g_line, 2048, L": ");
    VwAppend(g_line, 2048, what);
    VwAppend(g_line, 2048, detail ? detail : L"");
    VwFlushLine();
    g_problems++;
}

/* Appends the decimal form of v to g_line. */
static void VwAppendNumber(unsigned v)
{
    WCHAR digits[12];
    int i = 11;
    digits[i] = 0;
    do {
        digits[--i] = (WCHAR)(L'0' + v % 10);
        v /= 10;
    } while (v && i > 0);
    VwAppend(g_line, 2048, digits + i);
}

/* Reads field i of a line into out; FALSE (and out empty) if absent. */
static BOOL VwField(INFCONTEXT *ctx, DWORD i, WCHAR *out)
{
    out[0] = 0;
    return SetupGetStringFieldW(ctx, i, out, NAME_CHARS, NULL);
}

/* TRUE when the INF has a section of that name. */
static BOOL VwHasSection(HINF inf, const WCHAR *section)
{
    return SetupGetLineCountW(inf, section) >= 0;
}

/* Resolves base to base.<decoration>, base.NT or base, the first that exists
 * (Windows' rule for install sections); FALSE if none does. */
static BOOL VwActualSection(HINF inf, const WCHAR *base, WCHAR *out)
{
    static const WCHAR *suffix[3];
    suffix[0] = g_decoration;
    suffix[1] = L".NT";
    suffix[2] = L"";
    for (int i = 0; i < 3; i++) {
        VwCopy(out, NAME_CHARS, base);
        VwAppend(out, NAME_CHARS, suffix[i]);
        if (VwHasSection(inf, out))
            return TRUE;
    }
    return FALSE;
}

/* Checks one file a CopyFiles list names: source location, presence beside
 * the INF, and remembers it for the service binary check. */
static void VwCheckSourceFile(HINF inf, const WCHAR *name)
{
    static WCHAR subdir[NAME_CHARS], disk_path[NAME_CHARS], path[MAX_PATH * 2];
    UINT source_id = 0;
    if (!SetupGetSourceFileLocationW(inf, NULL, name, &source_id, subdir, NAME_CHARS, NULL)) {
        VwProblem(L"no [SourceDisksFiles] entry for ", name);
        return;
    }
    if (!SetupGetSourceInfoW(inf, source_id, SRCINFO_PATH, disk_path, NAME_CHARS, NULL)) {
        VwProblem(L"its [SourceDisksNames] lacks the disk of ", name);
        return;
    }
    VwCopy(path, MAX_PATH * 2, g_inf_dir);
    if (disk_path[0]) {
        VwAppend(path, MAX_PATH * 2, disk_path);
        VwAppend(path, MAX_PATH * 2, L"\\");
    }
    if (subdir[0]) {
        VwAppend(path, MAX_PATH * 2, subdir);
        VwAppend(path, MAX_PATH * 2, L"\\");
    }
    VwAppend(path, MAX_PATH * 2, name);
    if (GetFileAttributesW(path) == INVALID_FILE_ATTRIBUTES)
        VwProblem(L"source file missing: ", path);
    if (g_ncopied < MAX_FILES)
        VwCopy(g_copied[g_ncopied++], NAME_CHARS, name);
}

/* Checks a CopyFiles value: @file or a file-list section. */
static void VwCheckCopyFiles(HINF inf, const WCHAR *value)
{
    static WCHAR target[MAX_PATH], file[NAME_CHARS], source[NAME_CHARS];
    INFCONTEXT ctx;
    if (value[0] == L'@') {
        VwCheckSourceFile(inf, value + 1);
        return;
    }
    if (!VwHasSection(inf, value)) {
        VwProblem(L"CopyFiles names a missing section ", value);
        return;
    }
    if (!SetupGetTargetPathW(inf, NULL, value, target, MAX_PATH, NULL))
        VwProblem(L"no target directory for ", value);
    if (!SetupFindFirstLineW(inf, value, NULL, &ctx)) {
        VwProblem(L"empty file list ", value);
        return;
    }
    do {
        VwField(&ctx, 1, file);
        /* Field 2, when given, is the name on the source medium. */
        if (VwField(&ctx, 2, source) && source[0])
            VwCheckSourceFile(inf, source);
        else
            VwCheckSourceFile(inf, file);
    } while (SetupFindNextLine(&ctx, &ctx));
}

/* Last path component of a ServiceBinary value. */
static const WCHAR *VwBaseName(const WCHAR *path)
{
    const WCHAR *base = path;
    for (const WCHAR *p = path; *p; p++)
        if (*p == L'\\' || *p == L'/')
            base = p + 1;
    return base;
}

/* Checks the <install>.Services section; returns the services found. */
static int VwCheckServices(HINF inf, const WCHAR *install)
{
    static WCHAR section[NAME_CHARS], name[NAME_CHARS], svc[NAME_CHARS], key[NAME_CHARS],
        binary[NAME_CHARS];
    static const WCHAR *required[4] = {L"ServiceBinary", L"ServiceType", L"StartType",
                                       L"ErrorControl"};
    INFCONTEXT ctx, kctx;
    int services = 0;
    VwCopy(section, NAME_CHARS, install);
    VwAppend(section, NAME_CHARS, L".Services");
    if (!SetupFindFirstLineW(inf, section, NULL, &ctx)) {
        VwProblem(L"no services section ", section);
        return 0;
    }
    do {
        INT flags = 0;
        if (!SetupGetStringFieldW(&ctx, 0, key, NAME_CHARS, NULL) || !VwSame(key, L"AddService"))
            continue;
        VwField(&ctx, 1, name);
        SetupGetIntField(&ctx, 2, &flags);
        if (!name[0]) {
            if (!(flags & VW_SPSVCINST_ASSOCSERVICE))
                VwProblem(L"AddService without a name and without flag 2 in ", section);
            services++;
            continue;
        }
        if (!VwField(&ctx, 3, svc) || !VwHasSection(inf, svc)) {
            VwProblem(L"AddService names a missing service section: ", name);
            continue;
        }
        for (int i = 0; i < 4; i++)
            if (!SetupFindFirstLineW(inf, svc, required[i], &kctx))
                VwProblem(L"service section lacks a key: ", required[i]);
        if (SetupFindFirstLineW(inf, svc, L"ServiceBinary", &kctx) && VwField(&kctx, 1, binary)) {
            BOOL copied = FALSE;
            for (int i = 0; i < g_ncopied; i++)
                copied |= VwSame(g_copied[i], VwBaseName(binary));
            if (!copied)
                VwProblem(L"ServiceBinary is not a file the install section copies: ", binary);
        }
        services++;
    } while (SetupFindNextLine(&ctx, &ctx));
    /* Services taken from an included system INF (Include/Needs, e.g. the
     * multifunction mf.inf) are Windows' own: counted, not resolved here. */
    if (!services && SetupFindFirstLineW(inf, section, L"Needs", &kctx) &&
        SetupFindFirstLineW(inf, section, L"Include", &kctx))
        services = 1;
    if (!services)
        VwProblem(L"no AddService in ", section);
    return services;
}

/* Checks one install section: its CopyFiles and its services. */
static int VwCheckInstall(HINF inf, const WCHAR *install)
{
    static WCHAR key[NAME_CHARS], value[NAME_CHARS];
    INFCONTEXT ctx;
    g_ncopied = 0;
    if (SetupFindFirstLineW(inf, install, NULL, &ctx)) {
        do {
            if (!SetupGetStringFieldW(&ctx, 0, key, NAME_CHARS, NULL) || !VwSame(key, L"CopyFiles"))
                continue;
            DWORD n = SetupGetFieldCount(&ctx);
            for (DWORD i = 1; i <= n; i++)
                if (VwField(&ctx, i, value) && value[0])
                    VwCheckCopyFiles(inf, value);
        } while (SetupFindNextLine(&ctx, &ctx));
    }
    return VwCheckServices(inf, install);
}

/* Checks one INF; prints its summary when it holds. */
static void VwCheckInf(const WCHAR *path)
{
    static WCHAR class_name[NAME_CHARS], models[NAME_CHARS], decoration[NAME_CHARS],
        section[NAME_CHARS], install[NAME_CHARS], actual[NAME_CHARS], hwid[NAME_CHARS];
    GUID guid;
    UINT error_line = 0;
    INFCONTEXT mctx, ctx;
    int nmodels = 0, nhwids = 0, nservices = 0, nfiles = 0, arch_models = 0;
    int before = g_problems;

    g_inf = path;
    VwCopy(g_inf_dir, MAX_PATH, path);
    for (size_t i = VwLen(g_inf_dir); i > 0; i--)
        if (g_inf_dir[i - 1] == L'\\') {
            g_inf_dir[i] = 0;
            break;
        }

    HINF inf = SetupOpenInfFileW(path, NULL, INF_STYLE_WIN4, &error_line);
    if (inf == INVALID_HANDLE_VALUE) {
        VwProblem(L"SetupOpenInfFileW refuses it", NULL);
        return;
    }
    if (!SetupDiGetINFClassW(path, &guid, class_name, NAME_CHARS, NULL) || !class_name[0])
        VwProblem(L"SetupDiGetINFClassW finds no class", NULL);
    else if (!guid.Data1 && !guid.Data2 && !guid.Data3)
        VwProblem(L"class GUID is zero for class ", class_name);

    if (!SetupFindFirstLineW(inf, L"Manufacturer", NULL, &mctx)) {
        VwProblem(L"no [Manufacturer] entry", NULL);
    } else {
        do {
            VwField(&mctx, 1, models);
            DWORD n = SetupGetFieldCount(&mctx);
            for (DWORD d = 2; d <= n || d == 2; d++) {
                if (d <= n)
                    VwField(&mctx, d, decoration);
                else
                    decoration[0] = 0;
                VwCopy(section, NAME_CHARS, models);
                if (decoration[0]) {
                    VwAppend(section, NAME_CHARS, L".");
                    VwAppend(section, NAME_CHARS, decoration);
                }
                if (!SetupFindFirstLineW(inf, section, NULL, &ctx)) {
                    VwProblem(L"missing or empty models section ", section);
                    continue;
                }
                /* Decorations are NT<arch>[.<version>...]: this arch's? */
                size_t dl = VwLen(g_decoration + 1);
                WCHAR saved = decoration[dl < NAME_CHARS ? dl : 0];
                decoration[dl < NAME_CHARS ? dl : 0] = 0;
                BOOL ours = VwSame(decoration, g_decoration + 1) && (saved == 0 || saved == L'.');
                arch_models += ours;
                do {
                    nmodels++;
                    if (!VwField(&ctx, 1, install) || !install[0]) {
                        VwProblem(L"a model without an install section in ", section);
                        continue;
                    }
                    /* "description = install[,hw-id][,compatible-id...]": the
                     * hardware ID may be empty when a compatible ID follows
                     * (a package meant to rank below a more specific one). */
                    BOOL has_id = FALSE;
                    for (DWORD f = 2; f <= SetupGetFieldCount(&ctx) && !has_id; f++)
                        has_id = VwField(&ctx, f, hwid) && hwid[0];
                    if (!has_id)
                        VwProblem(L"a model without a hardware or compatible ID: ", install);
                    nhwids += (int)SetupGetFieldCount(&ctx) - 1;
                    if (!VwActualSection(inf, install, actual)) {
                        VwProblem(L"install section missing: ", install);
                        continue;
                    }
                    nservices += VwCheckInstall(inf, actual);
                    nfiles += g_ncopied;
                } while (SetupFindNextLine(&ctx, &ctx));
            }
        } while (SetupFindNextLine(&mctx, &mctx));
    }
    if (!arch_models)
        VwProblem(L"no models section decorated for ", g_decoration + 1);
    SetupCloseInfFile(inf);
    if (g_problems != before)
        return;
    g_line[0] = 0;
    VwAppend(g_line, 2048, L"ok ");
    VwAppend(g_line, 2048, path);
    VwAppend(g_line, 2048, L": class ");
    VwAppend(g_line, 2048, class_name);
    VwAppend(g_line, 2048, L", ");
    VwAppendNumber((unsigned)nmodels);
    VwAppend(g_line, 2048, L" models, ");
    VwAppendNumber((unsigned)nhwids);
    VwAppend(g_line, 2048, L" hardware IDs, ");
    VwAppendNumber((unsigned)nservices);
    VwAppend(g_line, 2048, L" services, ");
    VwAppendNumber((unsigned)nfiles);
    VwAppend(g_line, 2048, L" files resolved");
    VwFlushLine();
}

/* Splits the command line in place: spaces separate, double quotes group. */
static int VwArgs(WCHAR *cmd, WCHAR **argv, int max)
{
    int argc = 0;
    while (*cmd && argc < max) {
        while (*cmd == L' ' || *cmd == L'\t')
            cmd++;
        if (!*cmd)
            break;
        WCHAR *out = cmd;
        argv[argc++] = out;
        BOOL quoted = FALSE;
        for (; *cmd && (quoted || (*cmd != L' ' && *cmd != L'\t')); cmd++) {
            if (*cmd == L'"')
                quoted = !quoted;
            else
                *out++ = *cmd;
        }
        if (*cmd)
            cmd++;
        *out = 0;
    }
    return argc;
}

void VwInfCheckMain(void);

/* Entry point (lld-link /entry): no C runtime, so arguments come from
 * GetCommandLineW. */
void VwInfCheckMain(void)
{
    static WCHAR *argv[512];
    int argc = VwArgs(GetCommandLineW(), argv, 512);
    if (argc < 3) {
        VwCopy(g_line, 2048, L"usage: infcheck.exe x86|amd64|arm64 INF...");
        VwFlushLine();
        ExitProcess(255);
    }
    if (VwSame(argv[1], L"x86"))
        g_decoration = L".NTx86";
    else if (VwSame(argv[1], L"amd64"))
        g_decoration = L".NTamd64";
    else if (VwSame(argv[1], L"arm64"))
        g_decoration = L".NTarm64";
    else {
        VwCopy(g_line, 2048, L"infcheck: unknown arch");
        VwFlushLine();
        ExitProcess(255);
    }
    unsigned bad = 0;
    for (int i = 2; i < argc; i++) {
        int before = g_problems;
        VwCheckInf(argv[i]);
        bad += g_problems != before;
    }
    ExitProcess(bad);
}
