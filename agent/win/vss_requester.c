/*
 * guest-fsfreeze-* on Windows: our VSS requester, in C over mingw-w64's
 * C vtables (vsbackup.h), with the same steps and error texts as QEMU's
 * agent (qga/vss-win32/requester.cpp, taken as facts).
 *
 * One freeze at a time runs on a worker thread, which owns every VSS
 * object: it prepares the backup, adds the volumes with our provider's ID
 * and starts DoSnapshotSet; VSS then holds writers and I/O and calls our
 * provider's CommitSnapshots (agent/vss/), which signals "frozen" and
 * waits for "thaw" at most 10 seconds.  The worker reports the freeze,
 * and waits for the snapshot set to end; thaw signals "thaw", joins the
 * worker and reads how the set ended (VSS_E_HOLD_WRITES_TIMEOUT, or a
 * provider error with "timeout" signalled: the hold ran out).  The agent
 * keeps answering the host meanwhile.  The three named events
 * (qga_vss.h) are created here with an ACL for SYSTEM and
 * Administrators only; one that already exists is refused (another
 * requester would own it).
 */
#define COBJMACROS
#include <initguid.h>
#include <windows.h>
#include <sddl.h>
#include <vss.h>
#include <vswriter.h>
#include <vsbackup.h>

#include "../core/freeze.h"
#include "../core/os.h"
#include "../core/util.h"
#include "../vss/qga_vss.h"
#include "win.h"

/* QueryStatus is polled this often while waiting for "frozen" (VSS needs
 * it to make progress, as QEMU's requester notes), for at most the hold
 * limit. */
#define VSS_POLL_MS 10u
/* How long a freeze may take to reach "frozen" (writers gathering their
 * metadata can be slow) and a thaw to finish the set. */
#define VSS_FREEZE_WAIT_MS (5u * 60 * 1000)
#define VSS_THAW_WAIT_MS   (60u * 1000)

static const VSS_ID ProviderId = QGA_VSS_PROVIDER_ID_INIT;

typedef HRESULT(WINAPI *CreateBackupFn)(IVssBackupComponents **);

/* The freeze in progress (one at a time). */
static struct {
    HANDLE thread;                             /* the worker; NULL: no freeze */
    HANDLE frozen, thaw, timeout;              /* the handshake with the provider */
    HANDLE reported;                           /* the worker knows the freeze's outcome */
    WCHAR *volumes[GA_FREEZE_MAX_VOLUMES + 1]; /* NULL list: every fixed volume */
    bool all;
    bool freeze_ok;
    int64_t count;
    struct ga_err err;
    bool thaw_ok, timed_out;
    struct ga_err thaw_err;
} job;

/* The system's text for hr, or QEMU's "unknown Windows error 0x..." when
 * Windows has none (VSS's own codes). */
static void hr_text(HRESULT hr, char *buf, size_t size)
{
    WCHAR text[256];
    DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                             (DWORD)hr, MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT), text, 256, NULL);
    while (n && (text[n - 1] == L'\r' || text[n - 1] == L'\n' || text[n - 1] == L' ' ||
                 text[n - 1] == L'.')) {
        text[--n] = 0;
    }
    if (n) {
        ga_narrow(text, buf, size);
    } else {
        ga_fmt(buf, size, "unknown Windows error 0x%x", (unsigned)hr);
    }
}

/* Sets err to "<what>: <text of hr>", as QEMU's error_setg_win32. */
bool ga_vss_hr_error(struct ga_err *err, HRESULT hr, const char *what)
{
    char t[300];
    hr_text(hr, t, sizeof(t));
    return ga_error(err, "%s: %s", what, t);
}
#define hr_error ga_vss_hr_error

/* Waits for an asynchronous VSS operation; its final status. */
static HRESULT wait_async(IVssAsync *async)
{
    HRESULT ret;
    do {
        HRESULT hr = IVssAsync_Wait(async, INFINITE);
        if (FAILED(hr)) {
            return hr;
        }
        hr = IVssAsync_QueryStatus(async, &ret, NULL);
        if (FAILED(hr)) {
            return hr;
        }
    } while (ret == VSS_S_ASYNC_PENDING);
    return ret;
}

/* Runs an operation that answers with an IVssAsync to its end. */
static HRESULT run_async(HRESULT hr, IVssAsync *async)
{
    if (SUCCEEDED(hr)) {
        hr = wait_async(async);
        IVssAsync_Release(async);
    }
    return hr;
}

/* Adds every selectable component of every writer, so that the writers
 * take part in the freeze (as QEMU's requester does). */
static bool add_components(IVssBackupComponents *bc, struct ga_err *err)
{
    UINT writers;
    HRESULT hr = IVssBackupComponents_GetWriterMetadataCount(bc, &writers);
    if (FAILED(hr)) {
        return hr_error(err, hr, "failed to get writer metadata count");
    }
    for (UINT i = 0; i < writers; i++) {
        IVssExamineWriterMetadata *md = NULL;
        VSS_ID id, instance, writer;
        BSTR name = NULL;
        VSS_USAGE_TYPE usage;
        VSS_SOURCE_TYPE source;
        UINT includes, excludes, components;
        char what[160];
        hr = IVssBackupComponents_GetWriterMetadata(bc, i, &id, &md);
        if (FAILED(hr)) {
            ga_fmt(what, sizeof(what), "failed to get writer metadata of %u/%u", i, writers);
            return hr_error(err, hr, what);
        }
        hr = IVssExamineWriterMetadata_GetIdentity(md, &instance, &writer, &name, &usage, &source);
        if (SUCCEEDED(hr)) {
            hr = IVssExamineWriterMetadata_GetFileCounts(md, &includes, &excludes, &components);
        }
        for (UINT j = 0; SUCCEEDED(hr) && j < components; j++) {
            IVssWMComponent *comp = NULL;
            PVSSCOMPONENTINFO info = NULL;
            hr = IVssExamineWriterMetadata_GetComponent(md, j, &comp);
            if (SUCCEEDED(hr)) {
                hr = IVssWMComponent_GetComponentInfo(comp, &info);
                if (SUCCEEDED(hr)) {
                    if (info->bSelectable) {
                        hr = IVssBackupComponents_AddComponent(bc, instance, writer, info->type,
                                                               info->bstrLogicalPath,
                                                               info->bstrComponentName);
                    }
                    IVssWMComponent_FreeComponentInfo(comp, info);
                }
                IVssWMComponent_Release(comp);
            }
        }
        if (FAILED(hr)) {
            char w[128] = "?";
            if (name) {
                ga_narrow(name, w, sizeof(w));
            }
            ga_fmt(what, sizeof(what), "failed to add the components of writer %s", w);
            hr_error(err, hr, what);
        }
        SysFreeString(name);
        IVssExamineWriterMetadata_Release(md);
        if (FAILED(hr)) {
            return false;
        }
    }
    return true;
}

/* Adds one volume (a mount path or volume GUID path) to the set. */
static bool add_volume(IVssBackupComponents *bc, WCHAR *volume, struct ga_err *err)
{
    VSS_ID snapshot;
    HRESULT hr = IVssBackupComponents_AddToSnapshotSet(bc, volume, ProviderId, &snapshot);
    if (SUCCEEDED(hr)) {
        return true;
    }
    WCHAR paths[MAX_PATH + 1];
    char name[400], what[440];
    DWORD len;
    if (GetVolumePathNamesForVolumeNameW(volume, paths, MAX_PATH, &len) && paths[0]) {
        ga_narrow(paths, name, sizeof(name)); /* "C:\" rather than the GUID path */
    } else {
        ga_narrow(volume, name, sizeof(name));
    }
    ga_fmt(what, sizeof(what), "failed to add %s to snapshot set", name);
    return hr_error(err, hr, what);
}

/* Adds the named volumes, or every fixed one; *count gets how many. */
static bool add_volumes(IVssBackupComponents *bc, int64_t *count, struct ga_err *err)
{
    *count = 0;
    if (!job.all) {
        for (WCHAR **v = job.volumes; *v; v++) {
            if (!add_volume(bc, *v, err)) {
                return false;
            }
            ++*count;
        }
        return true;
    }
    WCHAR name[MAX_PATH + 1];
    HANDLE find = FindFirstVolumeW(name, MAX_PATH);
    if (find == INVALID_HANDLE_VALUE) {
        return hr_error(err, HRESULT_FROM_WIN32(GetLastError()), "failed to find first volume");
    }
    bool ok = true;
    do {
        if (GetDriveTypeW(name) == DRIVE_FIXED) {
            if (!add_volume(bc, name, err)) {
                ok = false;
                break;
            }
            ++*count;
        }
    } while (FindNextVolumeW(find, name, MAX_PATH));
    FindVolumeClose(find);
    return ok;
}

/* Everything up to DoSnapshotSet; on success *snap runs. */
static bool start_snapshot_set(IVssBackupComponents *bc, IVssAsync **snap, struct ga_err *err)
{
    HRESULT hr = IVssBackupComponents_InitializeForBackup(bc, NULL);
    if (FAILED(hr)) {
        return hr_error(err, hr, "failed to initialize for backup");
    }
    hr = IVssBackupComponents_SetBackupState(bc, TRUE, TRUE, VSS_BT_FULL, FALSE);
    if (FAILED(hr)) {
        return hr_error(err, hr, "failed to set backup state");
    }
    /* No writable shadow copies: no auto-recovery, transportable where the
     * edition allows it (client Windows refuses it), as QEMU's requester. */
    LONG ctx = VSS_CTX_APP_ROLLBACK | VSS_VOLSNAP_ATTR_TRANSPORTABLE |
               VSS_VOLSNAP_ATTR_NO_AUTORECOVERY | VSS_VOLSNAP_ATTR_TXF_RECOVERY;
    hr = IVssBackupComponents_SetContext(bc, ctx);
    if (hr == (HRESULT)VSS_E_UNSUPPORTED_CONTEXT) {
        hr = IVssBackupComponents_SetContext(bc, ctx & ~VSS_VOLSNAP_ATTR_TRANSPORTABLE);
    }
    if (FAILED(hr)) {
        return hr_error(err, hr, "failed to set backup context");
    }
    IVssAsync *async = NULL;
    hr = run_async(IVssBackupComponents_GatherWriterMetadata(bc, &async), async);
    if (FAILED(hr)) {
        return hr_error(err, hr, "failed to gather writer metadata");
    }
    if (!add_components(bc, err)) {
        return false;
    }
    VSS_ID set;
    hr = IVssBackupComponents_StartSnapshotSet(bc, &set);
    if (FAILED(hr)) {
        return hr_error(err, hr, "failed to start snapshot set");
    }
    if (!add_volumes(bc, &job.count, err) || job.count == 0) {
        return false; /* no volume: nothing to freeze, no error */
    }
    hr = run_async(IVssBackupComponents_PrepareForBackup(bc, &async), async);
    if (FAILED(hr)) {
        return hr_error(err, hr, "failed to prepare for backup");
    }
    hr = run_async(IVssBackupComponents_GatherWriterStatus(bc, &async), async);
    if (FAILED(hr)) {
        return hr_error(err, hr, "failed to gather writer status");
    }
    hr = IVssBackupComponents_DoSnapshotSet(bc, snap);
    if (FAILED(hr)) {
        return hr_error(err, hr, "failed to do snapshot set");
    }
    return true;
}

/* Polls the running set until the provider says "frozen" (true). */
static bool wait_frozen(IVssAsync *snap, bool *vss_timed_out, struct ga_err *err)
{
    *vss_timed_out = false;
    for (unsigned i = 0; i < QGA_VSS_HOLD_MS / VSS_POLL_MS; i++) {
        HRESULT status;
        HRESULT hr = IVssAsync_QueryStatus(snap, &status, NULL);
        if (FAILED(hr)) {
            return hr_error(err, hr, "failed to do snapshot set");
        }
        if (status != VSS_S_ASYNC_PENDING) {
            return ga_error(err, "DoSnapshotSet exited without Frozen event");
        }
        if (WaitForSingleObject(job.frozen, VSS_POLL_MS) == WAIT_OBJECT_0) {
            return true;
        }
    }
    *vss_timed_out = true;
    return ga_error(err, "timeout when try to receive Frozen event from VSS provider");
}

/* Reads how the snapshot set ended after thaw (QEMU's mapping). */
static void finish(IVssBackupComponents *bc, IVssAsync *snap)
{
    HRESULT hr = wait_async(snap);
    job.thaw_ok = true;
    if (hr == (HRESULT)VSS_S_ASYNC_FINISHED) {
        IVssAsync *async = NULL;
        hr = run_async(IVssBackupComponents_BackupComplete(bc, &async), async);
        if (FAILED(hr)) {
            job.thaw_ok = hr_error(&job.thaw_err, hr, "failed to complete backup");
        }
    } else if (hr == (HRESULT)VSS_E_OBJECT_NOT_FOUND) {
        /* The final commit was not skipped: the hold lasted until thaw all
         * the same (QEMU ignores this too). */
        IVssBackupComponents_AbortBackup(bc);
        return;
    } else if (hr == (HRESULT)VSS_E_HOLD_WRITES_TIMEOUT ||
               (hr == (HRESULT)VSS_E_UNEXPECTED_PROVIDER_ERROR &&
                WaitForSingleObject(job.timeout, 0) == WAIT_OBJECT_0)) {
        job.timed_out = true;
        job.thaw_ok = false;
        char t[300]; /* the system part: freeze.c writes QEMU's sentence */
        hr_text(hr, t, sizeof(t));
        ga_error(&job.thaw_err, "%s", t);
    } else if (hr == (HRESULT)VSS_E_UNEXPECTED_PROVIDER_ERROR) {
        job.thaw_ok = hr_error(&job.thaw_err, hr, "unexpected error in VSS provider");
    } else {
        job.thaw_ok = hr_error(&job.thaw_err, hr, "failed to do snapshot set");
    }
    if (!job.thaw_ok) {
        IVssBackupComponents_AbortBackup(bc);
    }
}

/* The worker: the whole freeze, the hold, and the end of the set. */
static DWORD WINAPI worker(void *arg)
{
    (void)arg;
    static bool security_done;
    HRESULT hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (FAILED(hr)) {
        hr_error(&job.err, hr, "failed to initialize COM");
        SetEvent(job.reported);
        return 0;
    }
    if (!security_done) {
        /* Once per process: VSS calls back into the requester. */
        CoInitializeSecurity(NULL, -1, NULL, NULL, RPC_C_AUTHN_LEVEL_PKT_PRIVACY,
                             RPC_C_IMP_LEVEL_IDENTIFY, NULL, EOAC_NONE, NULL);
        security_done = true;
    }
    IVssBackupComponents *bc = NULL;
    IVssAsync *snap = NULL;
    HMODULE vssapi = LoadLibraryExW(L"vssapi.dll", NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
    CreateBackupFn create =
        vssapi ? (CreateBackupFn)(void *)GetProcAddress(vssapi, "CreateVssBackupComponentsInternal")
               : NULL;
    if (!create) {
        hr_error(&job.err, HRESULT_FROM_WIN32(GetLastError()), "failed to load VSSAPI.DLL");
    } else if (FAILED(hr = create(&bc))) {
        bc = NULL;
        hr_error(&job.err, hr, "failed to create VSS backup components");
    } else if (start_snapshot_set(bc, &snap, &job.err)) {
        bool vss_timed_out;
        job.freeze_ok = wait_frozen(snap, &vss_timed_out, &job.err);
        if (job.freeze_ok) {
            SetEvent(job.reported);
            finish(bc, snap); /* returns once thaw came, or the hold ran out */
        } else if (!vss_timed_out) {
            IVssBackupComponents_AbortBackup(bc);
        }
    } else {
        job.freeze_ok = job.err.cls == GA_ERR_NONE; /* no volume: 0, nothing held */
        IVssBackupComponents_AbortBackup(bc);
    }
    if (snap) {
        IVssAsync_Release(snap);
    }
    if (bc) {
        IVssBackupComponents_Release(bc);
    }
    CoUninitialize();
    SetEvent(job.reported); /* again for the failures: harmless after success */
    return 0;
}

/* Closes the job's handles and frees its volume names. */
static void job_clear(void)
{
    HANDLE *all[] = {&job.thread, &job.frozen, &job.thaw, &job.timeout, &job.reported};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if (*all[i]) {
            CloseHandle(*all[i]);
            *all[i] = NULL;
        }
    }
    for (size_t i = 0; i < GA_FREEZE_MAX_VOLUMES && job.volumes[i]; i++) {
        ga_free(job.volumes[i]);
        job.volumes[i] = NULL;
    }
}

/* Creates one of the handshake's events, SYSTEM and Administrators only;
 * an existing one is refused. */
static HANDLE make_event(const WCHAR *name, const char *text, SECURITY_ATTRIBUTES *sa,
                         struct ga_err *err)
{
    HANDLE h = CreateEventW(sa, TRUE, FALSE, name);
    DWORD code = GetLastError();
    if (h && code == ERROR_ALREADY_EXISTS) {
        CloseHandle(h);
        ga_error(err, "failed to create event %s: it exists already (another freeze runs)", text);
        return NULL;
    }
    if (!h) {
        char what[96];
        ga_fmt(what, sizeof(what), "failed to create event %s", text);
        hr_error(err, HRESULT_FROM_WIN32(code), what);
    }
    return h;
}

/* Freeze volumes through a VSS snapshot set whose commit our provider holds. */
bool ga_os_vss_freeze(const char *const *volumes, int64_t *count, struct ga_err *err)
{
    *count = 0;
    if (job.thread) {
        /* A worker from a freeze that never reported, or a thaw that did
         * not finish, still runs. */
        if (WaitForSingleObject(job.thread, 0) != WAIT_OBJECT_0) {
            return ga_error(err, "a previous freeze is still ending in VSS");
        }
        job_clear();
    }
    memset(&job, 0, sizeof(job));
    job.all = volumes == NULL;
    for (size_t i = 0; volumes && volumes[i] && i < GA_FREEZE_MAX_VOLUMES; i++) {
        job.volumes[i] = ga_wide(volumes[i]);
        if (!job.volumes[i]) {
            job_clear();
            return ga_error(err, "failed to add %s to snapshot set: not UTF-8", volumes[i]);
        }
    }
    SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, FALSE};
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(
            L"D:P(A;;GA;;;SY)(A;;GA;;;BA)", SDDL_REVISION_1, &sa.lpSecurityDescriptor, NULL)) {
        job_clear();
        return hr_error(err, HRESULT_FROM_WIN32(GetLastError()), "failed to make the events' ACL");
    }
    job.frozen = make_event(L"" QGA_VSS_EVENT_FROZEN, QGA_VSS_EVENT_FROZEN, &sa, err);
    job.thaw = job.frozen ? make_event(L"" QGA_VSS_EVENT_THAW, QGA_VSS_EVENT_THAW, &sa, err) : NULL;
    job.timeout =
        job.thaw ? make_event(L"" QGA_VSS_EVENT_TIMEOUT, QGA_VSS_EVENT_TIMEOUT, &sa, err) : NULL;
    LocalFree(sa.lpSecurityDescriptor);
    job.reported = job.timeout ? CreateEventW(NULL, TRUE, FALSE, NULL) : NULL;
    if (!job.reported) {
        if (job.timeout) {
            hr_error(err, HRESULT_FROM_WIN32(GetLastError()), "failed to create an event");
        }
        job_clear();
        return false;
    }
    job.thread = CreateThread(NULL, 0, worker, NULL, 0, NULL);
    if (!job.thread) {
        hr_error(err, HRESULT_FROM_WIN32(GetLastError()), "failed to start the VSS thread");
        job_clear();
        return false;
    }
    if (WaitForSingleObject(job.reported, VSS_FREEZE_WAIT_MS) != WAIT_OBJECT_0) {
        SetEvent(job.thaw); /* let a late freeze go at once; the worker ends alone */
        return ga_error(err, "VSS did not freeze within %u seconds", VSS_FREEZE_WAIT_MS / 1000);
    }
    if (!job.freeze_ok || job.count == 0) {
        WaitForSingleObject(job.thread, VSS_THAW_WAIT_MS); /* it ends right after reporting */
        bool ok = job.freeze_ok;
        if (!ok) {
            *err = job.err;
        }
        if (WaitForSingleObject(job.thread, 0) == WAIT_OBJECT_0) {
            job_clear();
        }
        return ok;
    }
    *count = job.count;
    return true;
}

/* Release the held commit; says how many volumes were frozen and whether writes timed out. */
bool ga_os_vss_thaw(int64_t *count, bool *timed_out, struct ga_err *err)
{
    *count = 0;
    *timed_out = false;
    if (!job.thread || !job.freeze_ok) {
        return true; /* nothing held */
    }
    SetEvent(job.thaw);
    if (WaitForSingleObject(job.thread, VSS_THAW_WAIT_MS) != WAIT_OBJECT_0) {
        job.freeze_ok = false; /* the worker ends alone; the next freeze joins it */
        return ga_error(err, "VSS did not end the snapshot set within %u seconds",
                        VSS_THAW_WAIT_MS / 1000);
    }
    *count = job.count;
    *timed_out = job.timed_out;
    bool ok = job.thaw_ok;
    if (!ok) {
        *err = job.thaw_err;
    }
    job_clear();
    return ok;
}
