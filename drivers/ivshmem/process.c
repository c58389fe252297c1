/*
 * ivshmem: learning of a process's exit, to undo a user mapping in it.
 *
 * A mapping's process can exit while its handle lives on in another
 * process (duplicated or inherited): then no cleanup comes from it, and
 * Windows bug-checks (0x76 PROCESS_HAS_LOCKED_PAGES) when an address space
 * is torn down with a driver's MDL mapping in it.  The process-notify
 * routine runs "in the context of the last thread to exit from the
 * process", at PASSIVE_LEVEL inside a critical region, before the address
 * space goes (PCREATE_PROCESS_NOTIFY_ROUTINE), which is where the mapping
 * can still be undone.  One routine for the driver (a routine can be
 * registered once), over the list of its devices.
 */
#include "ivshmem.h"

static LIST_ENTRY IvshmemDevices;
static KEVENT IvshmemDevicesLock; /* synchronization event, in a critical region */
static BOOLEAN IvshmemWatching;

/* Take the lock of the list of devices, inside a critical region. IRQL: PASSIVE_LEVEL. */
static VOID IvshmemLockDevices(VOID)
{
    KeEnterCriticalRegion();
    KeWaitForSingleObject(&IvshmemDevicesLock, Executive, KernelMode, FALSE, NULL);
}

/* Release the devices list lock and leave the critical region. IRQL: PASSIVE_LEVEL. */
static VOID IvshmemUnlockDevices(VOID)
{
    KeSetEvent(&IvshmemDevicesLock, IO_NO_INCREMENT, FALSE);
    KeLeaveCriticalRegion();
}

/* PASSIVE_LEVEL: a process exits (Create FALSE), in its own context. IRQL: PASSIVE_LEVEL. */
static VOID NTAPI IvshmemProcessNotify(HANDLE ParentId, HANDLE ProcessId, BOOLEAN Create)
{
    (void)ParentId;
    if (Create)
        return;
    IvshmemLockDevices();
    for (PLIST_ENTRY e = IvshmemDevices.Flink; e != &IvshmemDevices; e = e->Flink) {
        PIVSHMEM_DEVICE ivshmem = CONTAINING_RECORD(e, IVSHMEM_DEVICE, Link);
        IvshmemLockMaps(ivshmem);
        if (ivshmem->MappedVa != NULL && !ivshmem->MapIsKernel &&
            ivshmem->MapProcessId == ProcessId) {
            VwInfo(ivshmem->Device, "mapping's process exits: unmapped");
            IvshmemUndoMapping(ivshmem);
        }
        IvshmemUnlockMaps(ivshmem);
    }
    IvshmemUnlockDevices();
}

/* DriverEntry (PASSIVE_LEVEL).  Without the routine, user mappings are
 * refused: nothing could undo one at its process's exit. IRQL: PASSIVE_LEVEL. */
NTSTATUS IvshmemWatchProcesses(VOID)
{
    InitializeListHead(&IvshmemDevices);
    KeInitializeEvent(&IvshmemDevicesLock, SynchronizationEvent, TRUE);
    NTSTATUS status = PsSetCreateProcessNotifyRoutine(IvshmemProcessNotify, FALSE);
    IvshmemWatching = NT_SUCCESS(status);
    return status;
}

/* Unload (PASSIVE_LEVEL): removal waits for routines in flight. IRQL: PASSIVE_LEVEL. */
VOID IvshmemUnwatchProcesses(VOID)
{
    if (IvshmemWatching)
        PsSetCreateProcessNotifyRoutine(IvshmemProcessNotify, TRUE);
    IvshmemWatching = FALSE;
}

/* Whether process exits are watched (user mappings allowed). IRQL: any. */
BOOLEAN IvshmemWatchingProcesses(VOID)
{
    return IvshmemWatching;
}

/* AddDevice (Track TRUE) and RemoveDevice (FALSE), PASSIVE_LEVEL. IRQL: PASSIVE_LEVEL. */
VOID IvshmemTrackDevice(PIVSHMEM_DEVICE Ivshmem, BOOLEAN Track)
{
    IvshmemLockDevices();
    if (Track)
        InsertTailList(&IvshmemDevices, &Ivshmem->Link);
    else
        RemoveEntryList(&Ivshmem->Link);
    IvshmemUnlockDevices();
}
