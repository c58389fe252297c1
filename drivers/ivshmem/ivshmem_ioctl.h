/*
 * The user-mode interface of ivshmem.  Binary-compatible with the interface
 * existing virtio-win ivshmem clients (Looking Glass, ivshmem-test) use:
 * the same device interface GUID, IOCTL codes and structure layouts, so
 * those programs work unchanged.  Every IOCTL is METHOD_BUFFERED and wants
 * buffers of exactly the structure's size.
 *
 *   REQUEST_PEERID  out: IVSHMEM_PEERID, this VM's peer id (IVPosition)
 *   REQUEST_SIZE    out: IVSHMEM_SIZE, bytes of shared memory (BAR2)
 *   REQUEST_MMAP    in: IVSHMEM_MMAP_CONFIG, out: IVSHMEM_MMAP; maps the
 *                   shared memory into the calling process (one mapping per
 *                   device, owned by the handle that asked for it)
 *   RELEASE_MMAP    undoes REQUEST_MMAP (closing the handle does too)
 *   RING_DOORBELL   in: IVSHMEM_RING; interrupts vector VECTOR of PEER
 *   REGISTER_EVENT  in: IVSHMEM_EVENT; the event is set when VECTOR fires
 *                   (at most IVSHMEM_MAX_EVENTS events per device)
 *   REQUEST_KMAP    as REQUEST_MMAP, mapped for a kernel-mode caller
 *
 * A 32-bit process on 64-bit Windows uses the same structures as compiled
 * for 32 bits (pointer and HANDLE fields of 4 bytes); the driver accepts
 * both.
 *
 * Access: only SYSTEM and Administrators may open the device unless the
 * AllowUserAccess device parameter admits BUILTIN\Users (ivshmem.inx);
 * the check is Windows's, at open, against the descriptor the driver sets.
 * The codes keep FILE_ANY_ACCESS: the required access is part of a code's
 * value, and existing clients (Looking Glass, upstream's test program) open
 * the device with no desired access at all, so any other value would break
 * them.  Whoever may open the device may use every request.
 */
#pragma once

/* {df576976-569d-4672-95a0-f57e4ea0b210} */
#define IVSHMEM_INTERFACE_GUID_INIT                                                                \
    {0xdf576976, 0x569d, 0x4672, {0x95, 0xa0, 0xf5, 0x7e, 0x4e, 0xa0, 0xb2, 0x10}}

typedef UINT16 IVSHMEM_PEERID;
typedef UINT64 IVSHMEM_SIZE;

#define IVSHMEM_CACHE_NONCACHED     0
#define IVSHMEM_CACHE_CACHED        1
#define IVSHMEM_CACHE_WRITECOMBINED 2

#define IVSHMEM_MAX_EVENTS 32

typedef struct IVSHMEM_MMAP_CONFIG {
    UINT8 cacheMode; /* IVSHMEM_CACHE_* */
} IVSHMEM_MMAP_CONFIG, *PIVSHMEM_MMAP_CONFIG;

typedef struct IVSHMEM_MMAP {
    IVSHMEM_PEERID peerID; /* this VM's peer id */
    IVSHMEM_SIZE size;     /* bytes mapped */
    PVOID ptr;             /* where, in the caller's address space */
    UINT16 vectors;        /* interrupt vectors the driver connected */
} IVSHMEM_MMAP, *PIVSHMEM_MMAP;

typedef struct IVSHMEM_RING {
    IVSHMEM_PEERID peerID; /* peer to interrupt */
    UINT16 vector;         /* its vector */
} IVSHMEM_RING, *PIVSHMEM_RING;

typedef struct IVSHMEM_EVENT {
    UINT16 vector;      /* vector that sets the event */
    HANDLE event;       /* an event handle of the caller */
    BOOLEAN singleShot; /* forget the event once it has been set */
} IVSHMEM_EVENT, *PIVSHMEM_EVENT;

#define IOCTL_IVSHMEM_REQUEST_PEERID                                                               \
    CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_IVSHMEM_REQUEST_SIZE                                                                 \
    CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_IVSHMEM_REQUEST_MMAP                                                                 \
    CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_IVSHMEM_RELEASE_MMAP                                                                 \
    CTL_CODE(FILE_DEVICE_UNKNOWN, 0x803, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_IVSHMEM_RING_DOORBELL                                                                \
    CTL_CODE(FILE_DEVICE_UNKNOWN, 0x804, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_IVSHMEM_REGISTER_EVENT                                                               \
    CTL_CODE(FILE_DEVICE_UNKNOWN, 0x805, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_IVSHMEM_REQUEST_KMAP                                                                 \
    CTL_CODE(FILE_DEVICE_UNKNOWN, 0x806, METHOD_BUFFERED, FILE_ANY_ACCESS)
