/*
 * ivshmem: requests from a handle.  Every buffer must be exactly the size
 * of its structure (as upstream's clients send them); a 32-bit process on
 * 64-bit Windows sends the 32-bit layouts.  Ringing doorbells and
 * registering events are for the handle that mapped the memory, as
 * upstream's driver requires.
 */
#include "ivshmem.h"

#if !defined(_M_IX86)
/* The structures as a 32-bit process lays them out. */
typedef struct _IVSHMEM_MMAP32 {
    IVSHMEM_PEERID peerID;
    IVSHMEM_SIZE size;
    UINT32 ptr;
    UINT16 vectors;
} IVSHMEM_MMAP32;
typedef struct _IVSHMEM_EVENT32 {
    UINT16 vector;
    UINT32 event;
    BOOLEAN singleShot;
} IVSHMEM_EVENT32;
#endif

/* Whether the request comes from a 32-bit process (WOW64 layouts). IRQL: PASSIVE_LEVEL. */
static BOOLEAN IvshmemIs32Bit(PIRP Irp)
{
#if defined(_M_IX86)
    (void)Irp;
    return FALSE;
#else
    return Irp->RequestorMode == UserMode && IoIs32bitProcess(Irp);
#endif
}

/* IOCTL_IVSHMEM_REQUEST_MMAP (user or kernel): map the shared memory and return its address and
 * peer id. IRQL: PASSIVE_LEVEL. */
static NTSTATUS IvshmemRequestMap(PIVSHMEM_DEVICE Ivshmem, PIRP Irp, ULONG InLength,
                                  ULONG OutLength, BOOLEAN ForKernel, PULONG_PTR Written)
{
    PVOID buffer = Irp->AssociatedIrp.SystemBuffer;
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    BOOLEAN is32 = IvshmemIs32Bit(Irp);
    ULONG outSize = sizeof(IVSHMEM_MMAP);
    USHORT peer;
    PVOID va;

#if !defined(_M_IX86)
    if (is32)
        outSize = sizeof(IVSHMEM_MMAP32);
#else
    (void)is32;
#endif
    if (InLength != sizeof(IVSHMEM_MMAP_CONFIG) || OutLength != outSize)
        return STATUS_INVALID_BUFFER_SIZE;
    if (ForKernel && Irp->RequestorMode != KernelMode)
        return STATUS_ACCESS_DENIED; /* a kernel address is no use to a process */
    NTSTATUS status = IvshmemPeerId(Ivshmem, &peer);
    if (!NT_SUCCESS(status))
        return status;
    UCHAR cacheMode = ((PIVSHMEM_MMAP_CONFIG)buffer)->cacheMode;
    status = IvshmemMap(Ivshmem, file, ForKernel ? KernelMode : UserMode, cacheMode, &va);
    if (!NT_SUCCESS(status))
        return status;

    RtlZeroMemory(buffer, outSize);
#if !defined(_M_IX86)
    if (is32) {
        IVSHMEM_MMAP32 *out = buffer;
        out->peerID = peer;
        out->size = Ivshmem->ShmemLength;
        out->ptr = (UINT32)(ULONG_PTR)va; /* a 32-bit process maps below 4 GB */
        out->vectors = (UINT16)Ivshmem->Vectors;
        *Written = outSize;
        return STATUS_SUCCESS;
    }
#endif
    IVSHMEM_MMAP *out = buffer;
    out->peerID = peer;
    out->size = Ivshmem->ShmemLength;
    out->ptr = va;
    out->vectors = (UINT16)Ivshmem->Vectors;
    *Written = outSize;
    return STATUS_SUCCESS;
}

/* IOCTL_IVSHMEM_REGISTER_EVENT: check the request and register its event. IRQL: PASSIVE_LEVEL. */
static NTSTATUS IvshmemRegister(PIVSHMEM_DEVICE Ivshmem, PIRP Irp, ULONG InLength)
{
    PVOID buffer = Irp->AssociatedIrp.SystemBuffer;
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    HANDLE handle;
    USHORT vector;
    BOOLEAN singleShot;

#if !defined(_M_IX86)
    if (IvshmemIs32Bit(Irp)) {
        if (InLength != sizeof(IVSHMEM_EVENT32))
            return STATUS_INVALID_BUFFER_SIZE;
        IVSHMEM_EVENT32 *in = buffer;
        handle = (HANDLE)(ULONG_PTR)in->event; /* handles are 32-bit values */
        vector = in->vector;
        singleShot = in->singleShot;
    } else
#endif
    {
        if (InLength != sizeof(IVSHMEM_EVENT))
            return STATUS_INVALID_BUFFER_SIZE;
        IVSHMEM_EVENT *in = buffer;
        handle = in->event;
        vector = in->vector;
        singleShot = in->singleShot;
    }
    return IvshmemRegisterEvent(Ivshmem, file, handle, vector, singleShot != FALSE,
                                Irp->RequestorMode);
}

/* IRP_MJ_DEVICE_CONTROL: upstream's ivshmem IOCTLs, sizes checked per caller width. IRQL:
 * PASSIVE_LEVEL. */
NTSTATUS NTAPI IvshmemDispatchIoctl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PVW_DEVICE device = VwDeviceFromObject(DeviceObject);
    PIVSHMEM_DEVICE ivshmem = IvshmemFromDevice(device);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG in = stack->Parameters.DeviceIoControl.InputBufferLength;
    ULONG out = stack->Parameters.DeviceIoControl.OutputBufferLength;
    PVOID buffer = Irp->AssociatedIrp.SystemBuffer;
    ULONG_PTR written = 0;
    NTSTATUS status;
    USHORT peer;

    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_IVSHMEM_REQUEST_PEERID:
        if (out != sizeof(IVSHMEM_PEERID)) {
            status = STATUS_INVALID_BUFFER_SIZE;
            break;
        }
        status = IvshmemPeerId(ivshmem, &peer);
        if (NT_SUCCESS(status)) {
            *(IVSHMEM_PEERID *)buffer = peer;
            written = sizeof(IVSHMEM_PEERID);
        }
        break;
    case IOCTL_IVSHMEM_REQUEST_SIZE:
        if (out != sizeof(IVSHMEM_SIZE)) {
            status = STATUS_INVALID_BUFFER_SIZE;
            break;
        }
        *(IVSHMEM_SIZE *)buffer = ivshmem->ShmemLength;
        written = sizeof(IVSHMEM_SIZE);
        status = STATUS_SUCCESS;
        break;
    case IOCTL_IVSHMEM_REQUEST_MMAP:
    case IOCTL_IVSHMEM_REQUEST_KMAP:
        status = IvshmemRequestMap(ivshmem, Irp, in, out,
                                   stack->Parameters.DeviceIoControl.IoControlCode ==
                                       IOCTL_IVSHMEM_REQUEST_KMAP,
                                   &written);
        break;
    case IOCTL_IVSHMEM_RELEASE_MMAP:
        status = IvshmemUnmap(ivshmem, stack->FileObject);
        break;
    case IOCTL_IVSHMEM_RING_DOORBELL:
        if (!IvshmemIsMapOwner(ivshmem, stack->FileObject)) {
            status = STATUS_INVALID_HANDLE;
        } else if (in != sizeof(IVSHMEM_RING)) {
            status = STATUS_INVALID_BUFFER_SIZE;
        } else {
            const IVSHMEM_RING *ring = buffer;
            WRITE_REGISTER_ULONG((PULONG)(ivshmem->Regs + IVSHMEM_REG_DOORBELL),
                                 (ULONG)ring->vector | (ULONG)ring->peerID << 16);
            status = STATUS_SUCCESS;
        }
        break;
    case IOCTL_IVSHMEM_REGISTER_EVENT:
        status = IvshmemIsMapOwner(ivshmem, stack->FileObject) ? IvshmemRegister(ivshmem, Irp, in)
                                                               : STATUS_INVALID_HANDLE;
        break;
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    return VwCompleteRequest(device, Irp, status, written);
}

/* IRP_MJ_CREATE: nothing to do (the security descriptor decided). IRQL: PASSIVE_LEVEL. */
NTSTATUS NTAPI IvshmemDispatchCreate(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    return VwCompleteRequest(VwDeviceFromObject(DeviceObject), Irp, STATUS_SUCCESS, 0);
}

/* The last handle of a file object closes, in its process: undo what it
 * owns. IRQL: PASSIVE_LEVEL. */
NTSTATUS NTAPI IvshmemDispatchCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PVW_DEVICE device = VwDeviceFromObject(DeviceObject);
    PIVSHMEM_DEVICE ivshmem = IvshmemFromDevice(device);
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(Irp)->FileObject;

    IvshmemDropEvents(ivshmem, file);
    if (file != NULL)
        IvshmemUnmap(ivshmem, file); /* only the owner's mapping, under MapLock */
    return VwCompleteRequest(device, Irp, STATUS_SUCCESS, 0);
}

/* IRP_MJ_CLOSE: nothing left to do (cleanup undid what the handle owned). IRQL: PASSIVE_LEVEL. */
NTSTATUS NTAPI IvshmemDispatchClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    return VwCompleteRequest(VwDeviceFromObject(DeviceObject), Irp, STATUS_SUCCESS, 0);
}
