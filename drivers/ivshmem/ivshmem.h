/*
 * ivshmem: QEMU's inter-VM shared memory device (PCI 1AF4:1110,
 * docs/specs/ivshmem-spec.rst).  BAR0 holds four 32-bit registers, BAR1
 * the MSI-X table (ivshmem-doorbell only), BAR2 the shared memory, which
 * the driver maps into the process that asks (ivshmem_ioctl.h).
 *
 * The shared memory is described once by an MDL over its kernel mapping.
 * There is one mapping at a time, owned by the handle (file object) that
 * asked for it:
 *  - a user mapping lives in the process that asked (MapProcess).  It is
 *    undone there whoever ends it: RELEASE_MMAP or the handle's cleanup
 *    from another process (a duplicated or inherited handle) attach to the
 *    owner's address space; the owner's exit undoes it from the
 *    process-notify routine (process.c), which runs in the exiting
 *    process; surprise removal undoes it too, so no process keeps page
 *    table entries to a BAR range that may be given to another device;
 *  - a kernel mapping (REQUEST_KMAP) is the caller's own MmMapIoSpace view,
 *    which only the caller ends (RELEASE_MMAP or its handle's cleanup):
 *    ReleaseHardware cannot pull it from under a kernel client.
 * While either exists, QUERY_STOP and QUERY_REMOVE fail (a rebalance
 * would move the BAR under the mapping); once one of them succeeded, no
 * new mapping is made until START or CANCEL.
 *
 * MapLock is a synchronization event taken inside a critical region
 * (IvshmemLockMaps): requests run in user threads, and a thread suspended
 * by a kernel APC while holding it would block every other client.
 * Events registered for interrupt vectors belong to their handle.
 *
 * Device values are checked: BAR sizes, IVPosition (-1 on revision 0
 * devices until the server answered: requests wait with
 * STATUS_DEVICE_NOT_READY; anything else outside 0-65535 is an error).
 */
#pragma once
#include <ntifs.h> /* KeStackAttachProcess */
#include <wdm/vwdm.h>
#include "ivshmem_ioctl.h"

#define IVSHMEM_POOL_TAG 'mhSI'

/* BAR0 registers. */
#define IVSHMEM_REG_INTR_MASK   0x00
#define IVSHMEM_REG_INTR_STATUS 0x04 /* read clears (revision 0 INTx) */
#define IVSHMEM_REG_IV_POSITION 0x08
#define IVSHMEM_REG_DOORBELL    0x0c /* peer << 16 | vector */
#define IVSHMEM_REGS_LENGTH     0x100

typedef struct _IVSHMEM_EVENT_ENTRY {
    PFILE_OBJECT Owner; /* NULL: free slot */
    PKEVENT Event;      /* referenced */
    USHORT Vector;
    BOOLEAN SingleShot;
} IVSHMEM_EVENT_ENTRY;

typedef struct _IVSHMEM_DEVICE {
    PVW_DEVICE Device;
    PUCHAR Regs;
    PUCHAR Shmem; /* kernel mapping of BAR2 */
    ULONG ShmemLength;
    ULONG Vectors; /* MSI-X messages connected, or 1 for a line */

    PHYSICAL_ADDRESS ShmemStart; /* BAR2, for a kernel client's own view */
    LIST_ENTRY Link;             /* in the driver's device list (process.c) */

    /* Mapping state, under MapLock (IvshmemLockMaps; PASSIVE_LEVEL). */
    KEVENT MapLock;
    PMDL Mdl;       /* over the current BAR2 mapping, NULL when stopped */
    PVOID MappedVa; /* the one mapping, user or kernel */
    ULONG MapLength;
    BOOLEAN MapIsKernel;
    BOOLEAN MapsBlocked; /* QUERY_STOP/QUERY_REMOVE succeeded */
    PFILE_OBJECT MapOwner;
    PEPROCESS MapProcess; /* a user mapping's process */
    HANDLE MapProcessId;

    /* Events, under EventLock (shared with the DPC). */
    KSPIN_LOCK EventLock;
    IVSHMEM_EVENT_ENTRY Events[IVSHMEM_MAX_EVENTS];
} IVSHMEM_DEVICE, *PIVSHMEM_DEVICE;

/* ivshmem's state behind the framework's device header. IRQL: any. */
static inline PIVSHMEM_DEVICE IvshmemFromDevice(PVW_DEVICE Device)
{
    return (PIVSHMEM_DEVICE)VwDeviceContext(Device);
}

/* Documented exports mingw's headers lack. */
#if !defined(_M_IX86)
NTKERNELAPI BOOLEAN NTAPI IoIs32bitProcess(PIRP Irp);
#endif

/* device.c */
NTSTATUS IvshmemPrepareHardware(PVW_DEVICE Device, PVW_RESOURCES Resources);
VOID IvshmemReleaseHardware(PVW_DEVICE Device);
BOOLEAN IvshmemIsr(PVW_DEVICE Device, ULONG MessageId, PBOOLEAN QueueDpc);
VOID IvshmemDpc(PVW_DEVICE Device, ULONG MessageId);
NTSTATUS IvshmemPeerId(PIVSHMEM_DEVICE Ivshmem, PUSHORT PeerId);

/* map.c */
VOID IvshmemLockMaps(PIVSHMEM_DEVICE Ivshmem);
VOID IvshmemUnlockMaps(PIVSHMEM_DEVICE Ivshmem);
NTSTATUS IvshmemMap(PIVSHMEM_DEVICE Ivshmem, PFILE_OBJECT Owner, KPROCESSOR_MODE Mode,
                    UCHAR CacheMode, PVOID *Va);
NTSTATUS IvshmemUnmap(PIVSHMEM_DEVICE Ivshmem, PFILE_OBJECT Owner);
BOOLEAN IvshmemIsMapOwner(PIVSHMEM_DEVICE Ivshmem, PFILE_OBJECT File);
VOID IvshmemUndoMapping(PIVSHMEM_DEVICE Ivshmem);
BOOLEAN IvshmemBlockMaps(PIVSHMEM_DEVICE Ivshmem, BOOLEAN Block);

/* process.c */
NTSTATUS IvshmemWatchProcesses(VOID);
VOID IvshmemUnwatchProcesses(VOID);
BOOLEAN IvshmemWatchingProcesses(VOID);
VOID IvshmemTrackDevice(PIVSHMEM_DEVICE Ivshmem, BOOLEAN Track);

/* events.c */
NTSTATUS IvshmemRegisterEvent(PIVSHMEM_DEVICE Ivshmem, PFILE_OBJECT Owner, HANDLE Handle,
                              USHORT Vector, BOOLEAN SingleShot, KPROCESSOR_MODE Mode);
VOID IvshmemSignalVector(PIVSHMEM_DEVICE Ivshmem, ULONG Vector);
VOID IvshmemDropEvents(PIVSHMEM_DEVICE Ivshmem, PFILE_OBJECT Owner);

/* ioctl.c */
DRIVER_DISPATCH IvshmemDispatchCreate;
DRIVER_DISPATCH IvshmemDispatchCleanup;
DRIVER_DISPATCH IvshmemDispatchClose;
DRIVER_DISPATCH IvshmemDispatchIoctl;
