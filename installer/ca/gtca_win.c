/*
 * vwgtca.dll: the Win32 side of the guest-tools MSI's custom action.
 *
 * The MSI calls the exports VwGtInstall (deferred, not impersonated, right
 * after InstallFiles), VwGtRollback (its rollback), VwGtCommit and VwGtRemove
 * (deferred, before RemoveFiles) with their CustomActionData; the decisions
 * are gtca.c's.  This file reads the Windows version from the registry (as
 * upstream's installer does: CurrentBuildNumber, ProductType), talks to the
 * driver store through SetupAPI and newdev, to the certificate stores
 * through crypt32, and logs each step to the MSI log (and to the file
 * log= names, when given).
 */
#include <windows.h>
#include <msi.h>
#include <msiquery.h>
#include <setupapi.h>
#include <newdev.h>
#include <wincrypt.h>

#include "gtca.h"

_Static_assert(sizeof(WCHAR) == sizeof(gt_char), "LPCWSTR is UTF-16");
_Static_assert(GT_ERROR_FILE_NOT_FOUND == ERROR_FILE_NOT_FOUND, "winerror.h");
_Static_assert(GT_ERROR_INVALID_DATA == ERROR_INVALID_DATA, "winerror.h");
_Static_assert(GT_ERROR_FILE_EXISTS == ERROR_FILE_EXISTS, "winerror.h");
_Static_assert(GT_ERROR_OLD_WIN_VERSION == ERROR_OLD_WIN_VERSION, "winerror.h");
_Static_assert(GT_ERROR_INSTALL_FAILURE == ERROR_INSTALL_FAILURE, "winerror.h");
_Static_assert(GT_ERROR_REBOOT_REQUIRED == ERROR_SUCCESS_REBOOT_REQUIRED, "winerror.h");
_Static_assert(GT_ERROR_NO_SUCH_DEVINST == (uint32_t)ERROR_NO_SUCH_DEVINST, "winerror.h");
_Static_assert(GT_ERROR_INSUFFICIENT_BUFF == ERROR_INSUFFICIENT_BUFFER, "winerror.h");
_Static_assert(GT_ERROR_NO_MORE_ITEMS == ERROR_NO_MORE_ITEMS, "winerror.h");

/* The largest certificate file we read. */
#define VWGT_CERT_MAX 16384

struct vwgt_ctx {
    MSIHANDLE msi;
    const WCHAR *log; /* the log file, or NULL */
};

/* A registry string value under HKLM, into buf (cap characters). */
static uint32_t VwGtRegString(const WCHAR *key, const WCHAR *name, WCHAR *buf, DWORD cap)
{
    HKEY h;
    LONG r = RegOpenKeyExW(HKEY_LOCAL_MACHINE, key, 0, KEY_QUERY_VALUE, &h);
    if (r != ERROR_SUCCESS)
        return (uint32_t)r;
    DWORD type = 0, bytes = (cap - 1) * sizeof(WCHAR);
    r = RegQueryValueExW(h, name, NULL, &type, (BYTE *)buf, &bytes);
    RegCloseKey(h);
    if (r != ERROR_SUCCESS)
        return (uint32_t)r;
    if (type != REG_SZ)
        return ERROR_INVALID_DATA;
    buf[bytes / sizeof(WCHAR)] = 0;
    return ERROR_SUCCESS;
}

/* The running Windows' build number and whether it is a server, from the registry. */
static uint32_t VwGtOsVersion(void *ctx, uint32_t *build, int *server)
{
    WCHAR buf[64];
    (void)ctx;
    uint32_t r = VwGtRegString(L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion",
                               L"CurrentBuildNumber", buf, 64);
    if (r != ERROR_SUCCESS)
        return r;
    uint32_t n = 0;
    for (const WCHAR *p = buf; *p; p++) {
        if (*p < L'0' || *p > L'9' || n > 100000000u)
            return ERROR_INVALID_DATA;
        n = n * 10 + (uint32_t)(*p - L'0');
    }
    *build = n;
    /* WinNT: a workstation; ServerNT, LanmanNT: a server. */
    r = VwGtRegString(L"SYSTEM\\CurrentControlSet\\Control\\ProductOptions", L"ProductType", buf,
                      64);
    if (r != ERROR_SUCCESS)
        return r;
    *server = lstrcmpiW(buf, L"WinNT") != 0;
    return ERROR_SUCCESS;
}

/* Whether a path names an existing file (not a directory). */
static int VwGtFileExists(void *ctx, const gt_char *path)
{
    (void)ctx;
    DWORD a = GetFileAttributesW((const WCHAR *)path);
    return a != INVALID_FILE_ATTRIBUTES && !(a & FILE_ATTRIBUTE_DIRECTORY);
}

/* Add an INF to the driver store; returns its oem<N>.inf name. */
static uint32_t VwGtStoreAdd(void *ctx, const gt_char *inf, gt_char *oem, size_t cap)
{
    static WCHAR dest[MAX_PATH];
    WCHAR *name = NULL;
    (void)ctx;
    dest[0] = 0;
    BOOL ok = SetupCopyOEMInfW((const WCHAR *)inf, NULL, SPOST_PATH, SP_COPY_NOOVERWRITE, dest,
                               MAX_PATH, NULL, &name);
    uint32_t r = ok ? ERROR_SUCCESS : GetLastError();
    if (r != ERROR_SUCCESS && r != ERROR_FILE_EXISTS)
        return r;
    if (name == NULL || !*name)
        return ERROR_INVALID_DATA;
    size_t n = (size_t)lstrlenW(name);
    if (n + 1 > cap)
        return ERROR_INSUFFICIENT_BUFFER;
    for (size_t i = 0; i <= n; i++)
        oem[i] = name[i];
    return r;
}

/* Remove a package from the driver store by its oem<N>.inf name. */
static uint32_t VwGtStoreRemove(void *ctx, const gt_char *oem)
{
    (void)ctx;
    /* SUOI_FORCEDELETE: removed even while a device still uses it (that
     * device keeps the driver it runs until it restarts). */
    return SetupUninstallOEMInfW((const WCHAR *)oem, SUOI_FORCEDELETE, NULL) ? ERROR_SUCCESS
                                                                             : GetLastError();
}

/* Appends one ID to a multi-string unless it is there already. */
static uint32_t VwGtAddId(WCHAR *ids, size_t cap, size_t *used, const WCHAR *id)
{
    for (const WCHAR *p = ids; *p; p += lstrlenW(p) + 1)
        if (lstrcmpiW(p, id) == 0)
            return ERROR_SUCCESS;
    size_t n = (size_t)lstrlenW(id);
    if (*used + n + 2 > cap)
        return ERROR_INSUFFICIENT_BUFFER;
    for (size_t i = 0; i <= n; i++)
        ids[*used + i] = id[i];
    *used += n + 1;
    ids[*used] = 0;
    return ERROR_SUCCESS;
}

/* The IDs (fields 2 and up) of every line of one models section. */
static uint32_t VwGtSectionIds(HINF inf, const WCHAR *section, WCHAR *ids, size_t cap, size_t *used)
{
    static WCHAR id[MAX_PATH];
    INFCONTEXT line;
    if (!SetupFindFirstLineW(inf, section, NULL, &line))
        return ERROR_SUCCESS; /* no such decoration: nothing to add */
    do {
        DWORD n = SetupGetFieldCount(&line);
        for (DWORD f = 2; f <= n; f++) {
            if (!SetupGetStringFieldW(&line, f, id, MAX_PATH, NULL))
                return GetLastError();
            if (!*id)
                continue;
            uint32_t r = VwGtAddId(ids, cap, used, id);
            if (r != ERROR_SUCCESS)
                return r;
        }
    } while (SetupFindNextLine(&line, &line));
    return ERROR_SUCCESS;
}

/* The hardware IDs an INF's models section lists, as a MULTI_SZ. */
static uint32_t VwGtHardwareIds(void *ctx, const gt_char *path, gt_char *out, size_t cap)
{
    static WCHAR models[MAX_PATH], decoration[MAX_PATH], section[2 * MAX_PATH + 2];
    WCHAR *ids = (WCHAR *)out;
    size_t used = 0;
    uint32_t r = ERROR_SUCCESS;
    INFCONTEXT line;
    (void)ctx;
    if (cap < 2)
        return ERROR_INSUFFICIENT_BUFFER;
    ids[0] = ids[1] = 0;
    HINF inf = SetupOpenInfFileW((const WCHAR *)path, NULL, INF_STYLE_WIN4, NULL);
    if (inf == INVALID_HANDLE_VALUE)
        return GetLastError();
    /* [Manufacturer]: name = models section, decoration, decoration... */
    if (SetupFindFirstLineW(inf, L"Manufacturer", NULL, &line)) {
        do {
            DWORD n = SetupGetFieldCount(&line);
            if (!SetupGetStringFieldW(&line, 1, models, MAX_PATH, NULL)) {
                r = GetLastError();
                break;
            }
            r = VwGtSectionIds(inf, models, ids, cap, &used);
            for (DWORD f = 2; r == ERROR_SUCCESS && f <= n; f++) {
                if (!SetupGetStringFieldW(&line, f, decoration, MAX_PATH, NULL)) {
                    r = GetLastError();
                    break;
                }
                lstrcpyW(section, models);
                lstrcatW(section, L".");
                lstrcatW(section, decoration);
                r = VwGtSectionIds(inf, section, ids, cap, &used);
            }
        } while (r == ERROR_SUCCESS && SetupFindNextLine(&line, &line));
    }
    SetupCloseInfFile(inf);
    return r;
}

/* Install an INF onto present devices with a hardware ID; says whether a restart is needed. */
static uint32_t VwGtUpdateDevices(void *ctx, const gt_char *hwid, const gt_char *inf, int *reboot)
{
    BOOL need = FALSE;
    (void)ctx;
    if (!UpdateDriverForPlugAndPlayDevicesW(NULL, (const WCHAR *)hwid, (const WCHAR *)inf, 0,
                                            &need))
        return GetLastError();
    *reboot = need != FALSE;
    return ERROR_SUCCESS;
}

/* Reads a whole file of at most cap bytes. */
static uint32_t VwGtReadFile(const WCHAR *path, void *buf, DWORD cap, DWORD *got)
{
    HANDLE f = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                           FILE_ATTRIBUTE_NORMAL, NULL);
    if (f == INVALID_HANDLE_VALUE)
        return GetLastError();
    BOOL ok = ReadFile(f, buf, cap, got, NULL);
    uint32_t r = ok ? ERROR_SUCCESS : GetLastError();
    CloseHandle(f);
    return r;
}

/* Adds (add != 0) or deletes the certificate in one machine store. */
static uint32_t VwGtCertStore(const WCHAR *store_name, const BYTE *der, DWORD len, int add)
{
    HCERTSTORE store =
        CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, CERT_SYSTEM_STORE_LOCAL_MACHINE, store_name);
    if (store == NULL)
        return GetLastError();
    uint32_t r = ERROR_SUCCESS;
    if (add) {
        if (!CertAddEncodedCertificateToStore(store, X509_ASN_ENCODING, der, len,
                                              CERT_STORE_ADD_REPLACE_EXISTING, NULL))
            r = GetLastError();
    } else {
        PCCERT_CONTEXT cert = CertCreateCertificateContext(X509_ASN_ENCODING, der, len);
        if (cert == NULL) {
            r = GetLastError();
        } else {
            PCCERT_CONTEXT found = CertFindCertificateInStore(store, X509_ASN_ENCODING, 0,
                                                              CERT_FIND_EXISTING, cert, NULL);
            /* Not there (any more) is fine: nothing to take away. */
            if (found != NULL && !CertDeleteCertificateFromStore(found))
                r = GetLastError();
            CertFreeCertificateContext(cert);
        }
    }
    /* Written to the machine's store now, not when the last reference to
     * the store goes. */
    if (r == ERROR_SUCCESS && !CertControlStore(store, 0, CERT_STORE_CTRL_COMMIT, NULL))
        r = GetLastError();
    CertCloseStore(store, 0);
    return r;
}

/* Add the test CA certificate to, or remove it from, the machine's Root and TrustedPublisher
 * stores. */
static uint32_t VwGtCa(const gt_char *cer, int add)
{
    static BYTE der[VWGT_CERT_MAX];
    DWORD len = 0;
    uint32_t r = VwGtReadFile((const WCHAR *)cer, der, VWGT_CERT_MAX, &len);
    if (r != ERROR_SUCCESS)
        return r;
    if (len == 0 || len == VWGT_CERT_MAX)
        return ERROR_INVALID_DATA;
    /* Root makes the chain trusted; TrustedPublisher lets PnP install
     * packages signed under it without asking. */
    r = VwGtCertStore(L"Root", der, len, add);
    if (r == ERROR_SUCCESS)
        r = VwGtCertStore(L"TrustedPublisher", der, len, add);
    return r;
}

/* Trust the test CA (gt_ops callback). */
static uint32_t VwGtTrustCa(void *ctx, const gt_char *cer)
{
    (void)ctx;
    return VwGtCa(cer, 1);
}

/* Withdraw the test CA (gt_ops callback). */
static uint32_t VwGtUntrustCa(void *ctx, const gt_char *cer)
{
    (void)ctx;
    return VwGtCa(cer, 0);
}

/* Read the install journal into buf, bounded by cap. */
static uint32_t VwGtJournalRead(void *ctx, const gt_char *path, gt_char *buf, size_t cap)
{
    DWORD got = 0;
    (void)ctx;
    uint32_t r = VwGtReadFile((const WCHAR *)path, buf, (DWORD)(cap * sizeof(gt_char)), &got);
    if (r != ERROR_SUCCESS)
        return r;
    got /= sizeof(gt_char);
    if (got < cap)
        buf[got] = 0;
    return ERROR_SUCCESS;
}

/* Write the install journal whole. */
static uint32_t VwGtJournalWrite(void *ctx, const gt_char *path, const gt_char *buf, size_t len)
{
    DWORD done = 0;
    (void)ctx;
    HANDLE f = CreateFileW((const WCHAR *)path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                           FILE_ATTRIBUTE_NORMAL, NULL);
    if (f == INVALID_HANDLE_VALUE)
        return GetLastError();
    DWORD bytes = (DWORD)(len * sizeof(gt_char));
    BOOL ok = WriteFile(f, buf, bytes, &done, NULL) && done == bytes && FlushFileBuffers(f);
    uint32_t r = ok ? ERROR_SUCCESS : GetLastError();
    CloseHandle(f);
    return r;
}

/* Delete the install journal. */
static uint32_t VwGtJournalDelete(void *ctx, const gt_char *path)
{
    (void)ctx;
    return DeleteFileW((const WCHAR *)path) ? ERROR_SUCCESS : GetLastError();
}

/* One log line: into the MSI log, and appended to the log file if any
 * (ASCII, other characters as '?'). */
static void VwGtLog(void *ctx, const gt_char *line)
{
    static char text[2 * GT_PATH_MAX + 16];
    struct vwgt_ctx *c = ctx;
    MSIHANDLE rec = MsiCreateRecord(1);
    if (rec) {
        MsiRecordSetStringW(rec, 0, L"vwgtca: [1]");
        MsiRecordSetStringW(rec, 1, (const WCHAR *)line);
        MsiProcessMessage(c->msi, INSTALLMESSAGE_INFO, rec);
        MsiCloseHandle(rec);
    }
    if (c->log == NULL)
        return;
    DWORD n = 0;
    for (; line[n] && n < sizeof text - 2; n++)
        text[n] = line[n] < 0x80 ? (char)line[n] : '?';
    text[n++] = '\n';
    HANDLE f = CreateFileW(c->log, FILE_APPEND_DATA, FILE_SHARE_READ, NULL, OPEN_ALWAYS,
                           FILE_ATTRIBUTE_NORMAL, NULL);
    if (f == INVALID_HANDLE_VALUE)
        return;
    DWORD done;
    WriteFile(f, text, n, &done, NULL);
    CloseHandle(f);
}

enum vwgt_action { VWGT_INSTALL, VWGT_ROLLBACK, VWGT_COMMIT, VWGT_REMOVE };

/* Runs one action with the CustomActionData the MSI prepared. */
static UINT VwGtRun(MSIHANDLE msi, enum vwgt_action action)
{
    static WCHAR data[GT_DATA_MAX];
    static struct gt_data d;
    struct vwgt_ctx ctx = {msi, NULL};
    const struct gt_ops ops = {
        .ctx = &ctx,
        .os_version = VwGtOsVersion,
        .file_exists = VwGtFileExists,
        .store_add = VwGtStoreAdd,
        .store_remove = VwGtStoreRemove,
        .hardware_ids = VwGtHardwareIds,
        .update_devices = VwGtUpdateDevices,
        .trust_ca = VwGtTrustCa,
        .untrust_ca = VwGtUntrustCa,
        .journal_read = VwGtJournalRead,
        .journal_write = VwGtJournalWrite,
        .journal_delete = VwGtJournalDelete,
        .log = VwGtLog,
    };
    DWORD n = GT_DATA_MAX;
    if (MsiGetPropertyW(msi, L"CustomActionData", data, &n) != ERROR_SUCCESS ||
        gt_parse(&d, (const gt_char *)data) != GT_OK) {
        VwGtLog(&ctx, u"error: the action's CustomActionData is malformed");
        return action == VWGT_INSTALL ? ERROR_INSTALL_FAILURE : ERROR_SUCCESS;
    }
    ctx.log = (const WCHAR *)d.log;
    uint32_t r;
    switch (action) {
    case VWGT_INSTALL:
        r = gt_install(&ops, &d);
        break;
    case VWGT_ROLLBACK:
        r = gt_rollback(&ops, &d);
        break;
    case VWGT_COMMIT:
        r = gt_commit(&ops, &d);
        break;
    default:
        r = gt_remove(&ops, &d);
        break;
    }
    if (r == GT_ERROR_REBOOT_REQUIRED) {
        /* msiexec then ends with 3010 (or restarts, without /norestart). */
        MsiSetMode(msi, MSIRUNMODE_REBOOTATEND, TRUE);
        return ERROR_SUCCESS;
    }
    return r == GT_OK ? ERROR_SUCCESS : ERROR_INSTALL_FAILURE;
}

UINT WINAPI VwGtInstall(MSIHANDLE msi);
UINT WINAPI VwGtRollback(MSIHANDLE msi);
UINT WINAPI VwGtCommit(MSIHANDLE msi);
UINT WINAPI VwGtRemove(MSIHANDLE msi);

/* Deferred custom action: install the selected packages. */
UINT WINAPI VwGtInstall(MSIHANDLE msi)
{
    return VwGtRun(msi, VWGT_INSTALL);
}

/* Rollback custom action: undo an interrupted install. */
UINT WINAPI VwGtRollback(MSIHANDLE msi)
{
    return VwGtRun(msi, VWGT_ROLLBACK);
}

/* Commit custom action: forget the journal. */
UINT WINAPI VwGtCommit(MSIHANDLE msi)
{
    return VwGtRun(msi, VWGT_COMMIT);
}

/* Uninstall custom action: remove the packages. */
UINT WINAPI VwGtRemove(MSIHANDLE msi)
{
    return VwGtRun(msi, VWGT_REMOVE);
}
