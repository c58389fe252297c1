/*
 * qga-vss.dll: our VSS software provider as an in-process COM server in
 * C, over mingw-w64's C vtables (vsprov.h).  One object carries
 * IVssSoftwareSnapshotProvider, IVssProviderCreateSnapshotSet and
 * IVssProviderNotifications; the snapshot-set logic and the freeze
 * handshake are in provider.c (host-tested), the events are the agent's
 * (qga_vss.h).  Exports DllGetClassObject and DllCanUnloadNow; the agent
 * MSI writes the class's registry keys and `qemu-ga.exe -s vss-install`
 * registers the provider with VSS.
 */
#include <stddef.h>

#include <initguid.h>
#include <windows.h>
#include <vss.h>
#include <vsprov.h>

#include "provider.h"
#include "qga_vss.h"

_Static_assert(sizeof(VSS_ID) == 16, "a VSS_ID is 16 bytes");

static const CLSID ProviderClsid = QGA_VSS_CLSID_INIT;

/* Objects and server locks alive: DllCanUnloadNow answers S_OK at 0. */
static volatile LONG LiveObjects;

/* GUID equality without a C runtime (IsEqualGUID calls memcmp). */
static BOOL SameGuid(REFGUID a, REFGUID b)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    for (int i = 0; i < 16; i++) {
        if (x[i] != y[i]) {
            return FALSE;
        }
    }
    return TRUE;
}

/* ---- the events of the freeze handshake ---- */

struct SyncEvents {
    HANDLE Frozen, Thaw, Timeout;
};

/* Closes whichever events are open. */
static void SyncClose(void *ctx)
{
    struct SyncEvents *e = ctx;
    HANDLE *all[] = {&e->Frozen, &e->Thaw, &e->Timeout};
    for (int i = 0; i < 3; i++) {
        if (*all[i]) {
            CloseHandle(*all[i]);
            *all[i] = NULL;
        }
    }
}

/* Opens the agent's three events (all or none). */
static bool SyncOpen(void *ctx)
{
    struct SyncEvents *e = ctx;
    e->Frozen = OpenEventW(EVENT_MODIFY_STATE, FALSE, L"" QGA_VSS_EVENT_FROZEN);
    e->Thaw = OpenEventW(SYNCHRONIZE, FALSE, L"" QGA_VSS_EVENT_THAW);
    e->Timeout = OpenEventW(EVENT_MODIFY_STATE, FALSE, L"" QGA_VSS_EVENT_TIMEOUT);
    if (!e->Frozen || !e->Thaw || !e->Timeout) {
        SyncClose(e);
        return false;
    }
    return true;
}

/* Signal the agent's Frozen event. */
static void SyncSignalFrozen(void *ctx)
{
    SetEvent(((struct SyncEvents *)ctx)->Frozen);
}

/* Wait up to ms for the agent's Thaw event. */
static bool SyncWaitThaw(void *ctx, uint32_t ms)
{
    return WaitForSingleObject(((struct SyncEvents *)ctx)->Thaw, ms) == WAIT_OBJECT_0;
}

/* Signal that the writes were held too long (the agent reports the timeout). */
static void SyncSignalTimeout(void *ctx)
{
    SetEvent(((struct SyncEvents *)ctx)->Timeout);
}

static const struct qvss_sync_ops SyncOps = {SyncOpen, SyncSignalFrozen, SyncWaitThaw,
                                             SyncSignalTimeout, SyncClose};

/* ---- the empty enumerator Query answers with ---- */

struct EnumObject {
    IVssEnumObject Iface;
    volatile LONG Refs;
};

/* QueryInterface of IVssEnumObject: the interfaces this object answers to. */
static HRESULT STDMETHODCALLTYPE EnumQueryInterface(IVssEnumObject *This, REFIID riid, void **ppv)
{
    if (!ppv) {
        return E_POINTER;
    }
    if (SameGuid(riid, &IID_IUnknown) || SameGuid(riid, &IID_IVssEnumObject)) {
        *ppv = This;
        This->lpVtbl->AddRef(This);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

/* AddRef of IVssEnumObject: one more reference to the object. */
static ULONG STDMETHODCALLTYPE EnumAddRef(IVssEnumObject *This)
{
    return (ULONG)InterlockedIncrement(&((struct EnumObject *)This)->Refs);
}

/* IVssEnumObject::Release, freeing the object at zero. */
static ULONG STDMETHODCALLTYPE EnumRelease(IVssEnumObject *This)
{
    LONG n = InterlockedDecrement(&((struct EnumObject *)This)->Refs);
    if (n == 0) {
        HeapFree(GetProcessHeap(), 0, This);
        InterlockedDecrement(&LiveObjects);
    }
    return (ULONG)n;
}

/* Next: there are never objects (we make no shadow copies). */
static HRESULT STDMETHODCALLTYPE EnumNext(IVssEnumObject *This, ULONG celt, VSS_OBJECT_PROP *rgelt,
                                          ULONG *pceltFetched)
{
    (void)This, (void)celt, (void)rgelt;
    if (pceltFetched) {
        *pceltFetched = 0;
    }
    return S_FALSE;
}

/* IVssEnumObject::Skip: the enumeration is always empty. */
static HRESULT STDMETHODCALLTYPE EnumSkip(IVssEnumObject *This, ULONG celt)
{
    (void)This, (void)celt;
    return S_FALSE;
}

/* IVssEnumObject::Reset: nothing to rewind. */
static HRESULT STDMETHODCALLTYPE EnumReset(IVssEnumObject *This)
{
    (void)This;
    return S_OK;
}

/* IVssEnumObject::Clone: not implemented. */
static HRESULT STDMETHODCALLTYPE EnumClone(IVssEnumObject *This, IVssEnumObject **ppenum)
{
    (void)This;
    if (ppenum) {
        *ppenum = NULL;
    }
    return E_NOTIMPL;
}

static const IVssEnumObjectVtbl EnumVtbl = {EnumQueryInterface, EnumAddRef, EnumRelease, EnumNext,
                                            EnumSkip,           EnumReset,  EnumClone};

/* ---- the provider object ---- */

struct Provider {
    IVssSoftwareSnapshotProvider Software;
    IVssProviderCreateSnapshotSet Create;
    IVssProviderNotifications Notify;
    volatile LONG Refs;
    CRITICAL_SECTION Lock; /* VSS may call from several threads */
    struct qvss_provider Logic;
};

#define FROM(iface, member)                                                                        \
    ((struct Provider *)((char *)(iface) - offsetof(struct Provider, member)))

/* QueryInterface of all three interfaces. */
static HRESULT ProviderQuery(struct Provider *p, REFIID riid, void **ppv)
{
    if (!ppv) {
        return E_POINTER;
    }
    if (SameGuid(riid, &IID_IUnknown) || SameGuid(riid, &IID_IVssSoftwareSnapshotProvider)) {
        *ppv = &p->Software;
    } else if (SameGuid(riid, &IID_IVssProviderCreateSnapshotSet)) {
        *ppv = &p->Create;
    } else if (SameGuid(riid, &IID_IVssProviderNotifications)) {
        *ppv = &p->Notify;
    } else {
        *ppv = NULL;
        return E_NOINTERFACE;
    }
    InterlockedIncrement(&p->Refs);
    return S_OK;
}

/* Count one more reference to the provider object. */
static ULONG ProviderAddRef(struct Provider *p)
{
    return (ULONG)InterlockedIncrement(&p->Refs);
}

/* Drop a reference, freeing the provider at zero. */
static ULONG ProviderRelease(struct Provider *p)
{
    LONG n = InterlockedDecrement(&p->Refs);
    if (n == 0) {
        DeleteCriticalSection(&p->Lock);
        HeapFree(GetProcessHeap(), 0, p);
        InterlockedDecrement(&LiveObjects);
    }
    return (ULONG)n;
}

/* Runs one logic step under the object's lock. */
typedef int32_t (*SetStep)(struct qvss_provider *, const unsigned char *);
/* Run one state machine step for a snapshot set under the provider's lock. */
static HRESULT ProviderStep(struct Provider *p, SetStep step, VSS_ID set)
{
    EnterCriticalSection(&p->Lock);
    HRESULT hr = (HRESULT)step(&p->Logic, (const unsigned char *)&set);
    LeaveCriticalSection(&p->Lock);
    return hr;
}

/* IVssSoftwareSnapshotProvider */

/* QueryInterface of IVssSoftwareSnapshotProvider: the interfaces this object answers to. */
static HRESULT STDMETHODCALLTYPE SwQueryInterface(IVssSoftwareSnapshotProvider *This, REFIID riid,
                                                  void **ppv)
{
    return ProviderQuery(FROM(This, Software), riid, ppv);
}

/* AddRef of IVssSoftwareSnapshotProvider: one more reference to the object. */
static ULONG STDMETHODCALLTYPE SwAddRef(IVssSoftwareSnapshotProvider *This)
{
    return ProviderAddRef(FROM(This, Software));
}

/* Release of IVssSoftwareSnapshotProvider: drop a reference to the object. */
static ULONG STDMETHODCALLTYPE SwRelease(IVssSoftwareSnapshotProvider *This)
{
    return ProviderRelease(FROM(This, Software));
}

/* SetContext: every context is accepted. */
static HRESULT STDMETHODCALLTYPE SwSetContext(IVssSoftwareSnapshotProvider *This, LONG lContext)
{
    (void)This, (void)lContext;
    return S_OK;
}

/* GetSnapshotProperties: we make no shadow copies, so there is none. */
static HRESULT STDMETHODCALLTYPE SwGetSnapshotProperties(IVssSoftwareSnapshotProvider *This,
                                                         VSS_ID SnapshotId,
                                                         VSS_SNAPSHOT_PROP *pProp)
{
    (void)This, (void)SnapshotId, (void)pProp;
    return VSS_E_OBJECT_NOT_FOUND;
}

/* Query: an empty enumerator. */
static HRESULT STDMETHODCALLTYPE SwQuery(IVssSoftwareSnapshotProvider *This, VSS_ID QueriedObjectId,
                                         VSS_OBJECT_TYPE eQueriedObjectType,
                                         VSS_OBJECT_TYPE eReturnedObjectsType,
                                         IVssEnumObject **ppEnum)
{
    (void)This, (void)QueriedObjectId, (void)eQueriedObjectType, (void)eReturnedObjectsType;
    if (!ppEnum) {
        return E_POINTER;
    }
    struct EnumObject *e = HeapAlloc(GetProcessHeap(), 0, sizeof(*e));
    if (!e) {
        *ppEnum = NULL;
        return E_OUTOFMEMORY;
    }
    e->Iface.lpVtbl = (IVssEnumObjectVtbl *)&EnumVtbl;
    e->Refs = 1;
    InterlockedIncrement(&LiveObjects);
    *ppEnum = &e->Iface;
    return S_OK;
}

/* DeleteSnapshots: we keep no snapshots, so none is deleted. */
static HRESULT STDMETHODCALLTYPE SwDeleteSnapshots(IVssSoftwareSnapshotProvider *This,
                                                   VSS_ID SourceObjectId,
                                                   VSS_OBJECT_TYPE eSourceObjectType,
                                                   WINBOOL bForceDelete, LONG *plDeletedSnapshots,
                                                   VSS_ID *pNondeletedSnapshotID)
{
    (void)This, (void)eSourceObjectType, (void)bForceDelete;
    if (!plDeletedSnapshots || !pNondeletedSnapshotID) {
        return E_POINTER;
    }
    *plDeletedSnapshots = 0;
    *pNondeletedSnapshotID = SourceObjectId;
    return S_OK;
}

/* BeginPrepareSnapshot: a step of the state machine. */
static HRESULT STDMETHODCALLTYPE SwBeginPrepareSnapshot(IVssSoftwareSnapshotProvider *This,
                                                        VSS_ID SnapshotSetId, VSS_ID SnapshotId,
                                                        VSS_PWSZ pwszVolumeName, LONG lNewContext)
{
    (void)SnapshotId, (void)pwszVolumeName, (void)lNewContext;
    return ProviderStep(FROM(This, Software), qvss_begin_prepare, SnapshotSetId);
}

/* IsVolumeSupported: only while the agent holds a freeze request. */
static HRESULT STDMETHODCALLTYPE SwIsVolumeSupported(IVssSoftwareSnapshotProvider *This,
                                                     VSS_PWSZ pwszVolumeName, WINBOOL *pbSupported)
{
    (void)This, (void)pwszVolumeName;
    if (!pbSupported) {
        return E_POINTER;
    }
    struct SyncEvents e = {0};
    *pbSupported = qvss_volume_supported(&SyncOps, &e);
    return S_OK;
}

/* IsVolumeSnapshotted: never, we keep no snapshots. */
static HRESULT STDMETHODCALLTYPE SwIsVolumeSnapshotted(IVssSoftwareSnapshotProvider *This,
                                                       VSS_PWSZ pwszVolumeName,
                                                       WINBOOL *pbSnapshotsPresent,
                                                       LONG *plSnapshotCompatibility)
{
    (void)This, (void)pwszVolumeName;
    if (!pbSnapshotsPresent || !plSnapshotCompatibility) {
        return E_POINTER;
    }
    *pbSnapshotsPresent = FALSE;
    *plSnapshotCompatibility = 0;
    return S_OK;
}

/* SetSnapshotProperty: not implemented. */
static HRESULT STDMETHODCALLTYPE SwSetSnapshotProperty(IVssSoftwareSnapshotProvider *This,
                                                       VSS_ID SnapshotId,
                                                       VSS_SNAPSHOT_PROPERTY_ID eSnapshotPropertyId,
                                                       VARIANT vProperty)
{
    (void)This, (void)SnapshotId, (void)eSnapshotPropertyId, (void)vProperty;
    return E_NOTIMPL;
}

/* RevertToSnapshot: not implemented. */
static HRESULT STDMETHODCALLTYPE SwRevertToSnapshot(IVssSoftwareSnapshotProvider *This,
                                                    VSS_ID SnapshotId)
{
    (void)This, (void)SnapshotId;
    return E_NOTIMPL;
}

/* QueryRevertStatus: not implemented. */
static HRESULT STDMETHODCALLTYPE SwQueryRevertStatus(IVssSoftwareSnapshotProvider *This,
                                                     VSS_PWSZ pwszVolume, IVssAsync **ppAsync)
{
    (void)This, (void)pwszVolume;
    if (ppAsync) {
        *ppAsync = NULL;
    }
    return E_NOTIMPL;
}

static const IVssSoftwareSnapshotProviderVtbl SoftwareVtbl = {SwQueryInterface,
                                                              SwAddRef,
                                                              SwRelease,
                                                              SwSetContext,
                                                              SwGetSnapshotProperties,
                                                              SwQuery,
                                                              SwDeleteSnapshots,
                                                              SwBeginPrepareSnapshot,
                                                              SwIsVolumeSupported,
                                                              SwIsVolumeSnapshotted,
                                                              SwSetSnapshotProperty,
                                                              SwRevertToSnapshot,
                                                              SwQueryRevertStatus};

/* IVssProviderCreateSnapshotSet */

/* QueryInterface of IVssProviderCreateSnapshotSet: the interfaces this object answers to. */
static HRESULT STDMETHODCALLTYPE CsQueryInterface(IVssProviderCreateSnapshotSet *This, REFIID riid,
                                                  void **ppv)
{
    return ProviderQuery(FROM(This, Create), riid, ppv);
}

/* AddRef of IVssProviderCreateSnapshotSet: one more reference to the object. */
static ULONG STDMETHODCALLTYPE CsAddRef(IVssProviderCreateSnapshotSet *This)
{
    return ProviderAddRef(FROM(This, Create));
}

/* Release of IVssProviderCreateSnapshotSet: drop a reference to the object. */
static ULONG STDMETHODCALLTYPE CsRelease(IVssProviderCreateSnapshotSet *This)
{
    return ProviderRelease(FROM(This, Create));
}

/* EndPrepareSnapshots: a step of the state machine. */
static HRESULT STDMETHODCALLTYPE CsEndPrepareSnapshots(IVssProviderCreateSnapshotSet *This,
                                                       VSS_ID SnapshotSetId)
{
    return ProviderStep(FROM(This, Create), qvss_end_prepare, SnapshotSetId);
}

/* PreCommitSnapshots: a step of the state machine. */
static HRESULT STDMETHODCALLTYPE CsPreCommitSnapshots(IVssProviderCreateSnapshotSet *This,
                                                      VSS_ID SnapshotSetId)
{
    return ProviderStep(FROM(This, Create), qvss_pre_commit, SnapshotSetId);
}

/* CommitSnapshots: VSS holds writes and I/O now; the handshake runs
 * without the object's lock so AbortSnapshots is not kept waiting. */
static HRESULT STDMETHODCALLTYPE CsCommitSnapshots(IVssProviderCreateSnapshotSet *This,
                                                   VSS_ID SnapshotSetId)
{
    struct Provider *p = FROM(This, Create);
    struct SyncEvents e = {0};
    struct qvss_provider copy;
    EnterCriticalSection(&p->Lock);
    copy = p->Logic;
    LeaveCriticalSection(&p->Lock);
    HRESULT hr = (HRESULT)qvss_commit(&copy, (const unsigned char *)&SnapshotSetId, &SyncOps, &e);
    EnterCriticalSection(&p->Lock);
    if (p->Logic.state == QVSS_PREPARED) { /* not aborted meanwhile */
        p->Logic = copy;
    }
    LeaveCriticalSection(&p->Lock);
    return hr;
}

/* PostCommitSnapshots: a step of the state machine. */
static HRESULT STDMETHODCALLTYPE CsPostCommitSnapshots(IVssProviderCreateSnapshotSet *This,
                                                       VSS_ID SnapshotSetId, LONG lSnapshotsCount)
{
    (void)lSnapshotsCount;
    return ProviderStep(FROM(This, Create), qvss_after_commit, SnapshotSetId);
}

/* PreFinalCommitSnapshots: a step of the state machine. */
static HRESULT STDMETHODCALLTYPE CsPreFinalCommitSnapshots(IVssProviderCreateSnapshotSet *This,
                                                           VSS_ID SnapshotSetId)
{
    return ProviderStep(FROM(This, Create), qvss_after_commit, SnapshotSetId);
}

/* PostFinalCommitSnapshots: a step of the state machine. */
static HRESULT STDMETHODCALLTYPE CsPostFinalCommitSnapshots(IVssProviderCreateSnapshotSet *This,
                                                            VSS_ID SnapshotSetId)
{
    return ProviderStep(FROM(This, Create), qvss_after_commit, SnapshotSetId);
}

/* AbortSnapshots: back to rest. */
static HRESULT STDMETHODCALLTYPE CsAbortSnapshots(IVssProviderCreateSnapshotSet *This,
                                                  VSS_ID SnapshotSetId)
{
    return ProviderStep(FROM(This, Create), qvss_abort, SnapshotSetId);
}

static const IVssProviderCreateSnapshotSetVtbl CreateVtbl = {CsQueryInterface,
                                                             CsAddRef,
                                                             CsRelease,
                                                             CsEndPrepareSnapshots,
                                                             CsPreCommitSnapshots,
                                                             CsCommitSnapshots,
                                                             CsPostCommitSnapshots,
                                                             CsPreFinalCommitSnapshots,
                                                             CsPostFinalCommitSnapshots,
                                                             CsAbortSnapshots};

/* IVssProviderNotifications */

/* QueryInterface of IVssProviderNotifications: the interfaces this object answers to. */
static HRESULT STDMETHODCALLTYPE NtQueryInterface(IVssProviderNotifications *This, REFIID riid,
                                                  void **ppv)
{
    return ProviderQuery(FROM(This, Notify), riid, ppv);
}

/* AddRef of IVssProviderNotifications: one more reference to the object. */
static ULONG STDMETHODCALLTYPE NtAddRef(IVssProviderNotifications *This)
{
    return ProviderAddRef(FROM(This, Notify));
}

/* Release of IVssProviderNotifications: drop a reference to the object. */
static ULONG STDMETHODCALLTYPE NtRelease(IVssProviderNotifications *This)
{
    return ProviderRelease(FROM(This, Notify));
}

/* OnLoad: nothing to set up. */
static HRESULT STDMETHODCALLTYPE NtOnLoad(IVssProviderNotifications *This, IUnknown *pCallback)
{
    (void)This, (void)pCallback;
    return S_OK;
}

/* OnUnload: nothing to tear down. */
static HRESULT STDMETHODCALLTYPE NtOnUnload(IVssProviderNotifications *This, WINBOOL bForceUnload)
{
    (void)This, (void)bForceUnload;
    return S_OK;
}

static const IVssProviderNotificationsVtbl NotifyVtbl = {NtQueryInterface, NtAddRef, NtRelease,
                                                         NtOnLoad, NtOnUnload};

/* ---- the class factory (one static object) ---- */

/* QueryInterface of IClassFactory: the interfaces this object answers to. */
static HRESULT STDMETHODCALLTYPE FactoryQueryInterface(IClassFactory *This, REFIID riid, void **ppv)
{
    if (!ppv) {
        return E_POINTER;
    }
    if (SameGuid(riid, &IID_IUnknown) || SameGuid(riid, &IID_IClassFactory)) {
        *ppv = This;
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

/* The factory is static: its count only keeps COM's bookkeeping happy. */
static ULONG STDMETHODCALLTYPE FactoryAddRef(IClassFactory *This)
{
    (void)This;
    return 2;
}

/* IClassFactory::Release: the factory is static. */
static ULONG STDMETHODCALLTYPE FactoryRelease(IClassFactory *This)
{
    (void)This;
    return 1;
}

/* IClassFactory::CreateInstance: a new provider object. */
static HRESULT STDMETHODCALLTYPE FactoryCreateInstance(IClassFactory *This, IUnknown *pUnkOuter,
                                                       REFIID riid, void **ppv)
{
    (void)This;
    if (!ppv) {
        return E_POINTER;
    }
    *ppv = NULL;
    if (pUnkOuter) {
        return CLASS_E_NOAGGREGATION;
    }
    struct Provider *p = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*p));
    if (!p) {
        return E_OUTOFMEMORY;
    }
    p->Software.lpVtbl = (IVssSoftwareSnapshotProviderVtbl *)&SoftwareVtbl;
    p->Create.lpVtbl = (IVssProviderCreateSnapshotSetVtbl *)&CreateVtbl;
    p->Notify.lpVtbl = (IVssProviderNotificationsVtbl *)&NotifyVtbl;
    p->Refs = 1;
    InitializeCriticalSection(&p->Lock);
    qvss_init(&p->Logic);
    InterlockedIncrement(&LiveObjects);
    HRESULT hr = ProviderQuery(p, riid, ppv);
    ProviderRelease(p); /* the query's reference remains, or the object goes */
    return hr;
}

/* IClassFactory::LockServer: keep the DLL loaded while locked. */
static HRESULT STDMETHODCALLTYPE FactoryLockServer(IClassFactory *This, BOOL fLock)
{
    (void)This;
    if (fLock) {
        InterlockedIncrement(&LiveObjects);
    } else {
        InterlockedDecrement(&LiveObjects);
    }
    return S_OK;
}

static const IClassFactoryVtbl FactoryVtbl = {FactoryQueryInterface, FactoryAddRef, FactoryRelease,
                                              FactoryCreateInstance, FactoryLockServer};
static IClassFactory Factory = {(IClassFactoryVtbl *)&FactoryVtbl};

/* ---- exports ---- */

HRESULT WINAPI DllGetClassObject(REFCLSID rclsid, REFIID riid, LPVOID *ppv);
HRESULT WINAPI DllCanUnloadNow(void);

/* COM entry: the class factory of our provider's CLSID. */
HRESULT WINAPI DllGetClassObject(REFCLSID rclsid, REFIID riid, LPVOID *ppv)
{
    if (!ppv) {
        return E_POINTER;
    }
    *ppv = NULL;
    if (!SameGuid(rclsid, &ProviderClsid)) {
        return CLASS_E_CLASSNOTAVAILABLE;
    }
    return FactoryQueryInterface(&Factory, riid, ppv);
}

/* COM entry: unloadable when no object or lock is alive. */
HRESULT WINAPI DllCanUnloadNow(void)
{
    return LiveObjects == 0 ? S_OK : S_FALSE;
}
