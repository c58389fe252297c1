/*
 * ivshmem: QEMU's inter-VM shared memory device (PCI 1AF4:1110,
 * docs/specs/ivshmem-spec.rst).  BAR0 holds four 32-bit registers, BAR1
 * the MSI-X table (ivshmem-doorbell only), BAR2 the shared memory, which
 * the driver maps into the process that asks (ivshmem_ioctl.h).
 *
 * The shared memory is described once by an MDL over its kernel mapping;
 * a user mapping belongs to the file object (handle) that asked for it and
 * goes when that handle is cleaned up, in the owner's process, which is
 * the only context where a user mapping can be undone.  Events registered
 * for interrupt vectors also belong to their handle.
 *
 * Device values are checked: BAR sizes, IVPosition (-1 on revision 0
 * devices until the server answered: requests wait with
 * STATUS_DEVICE_NOT_READY; anything else outside 0-65535 is an error).
 */
#pragma once
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

    /* Mapping state, under MapLock (a synchronization event: requests and
     * cleanup run at PASSIVE_LEVEL). */
    KEVENT MapLock;
    PMDL Mdl;       /* over the current BAR2 mapping, NULL when stopped */
    PVOID MappedVa; /* the one mapping, user or kernel */
    PMDL MapMdl;    /* the MDL MappedVa came from; freed at unmap when the
                     * hardware it described went meanwhile */
    PFILE_OBJECT MapOwner;

    /* Events, under EventLock (shared with the DPC). */
    KSPIN_LOCK EventLock;
    IVSHMEM_EVENT_ENTRY Events[IVSHMEM_MAX_EVENTS];
} IVSHMEM_DEVICE, *PIVSHMEM_DEVICE;

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
NTSTATUS IvshmemMap(PIVSHMEM_DEVICE Ivshmem, PFILE_OBJECT Owner, KPROCESSOR_MODE Mode,
                    UCHAR CacheMode, PVOID *Va);
NTSTATUS IvshmemUnmap(PIVSHMEM_DEVICE Ivshmem, PFILE_OBJECT Owner);

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
