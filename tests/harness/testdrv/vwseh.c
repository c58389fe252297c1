/*
 * Structured exception handling in driver code (k_except.c): IOCTL_MAP maps
 * a pool page into the caller with MmMapLockedPagesSpecifyCache(UserMode)
 * inside __try/__except, as the routine's page requires; IOCTL_MAP_NESTED
 * makes the call in a helper, with the __except one frame out (found by
 * unwinding on amd64).  IOCTL_UNMAP undoes the mapping.  The status of a
 * failed mapping is the exception code the __except block saw.  amd64 and
 * arm64 only: clang cannot compile __try for i686 mingw.
 */
#include "pagedev.h"

#define IOCTL_MAP        CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_MAP_NESTED CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_UNMAP      CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_BUFFERED, FILE_ANY_ACCESS)

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD SehUnload;
static DRIVER_DISPATCH SehDispatch;

static PVOID UserVa;
static volatile LONG Steps; /* keeps the helper's frame honest */

/* <= APC_LEVEL: the call that raises when it fails. */
static __attribute__((noinline)) PVOID SehMapHelper(VOID)
{
    PVOID va;
    InterlockedIncrement(&Steps);
    va = MmMapLockedPagesSpecifyCache(VwPageMdl, UserMode, MmCached, NULL, FALSE,
                                      NormalPagePriority);
    InterlockedIncrement(&Steps);
    return va;
}

static NTSTATUS SehMap(BOOLEAN Nested)
{
    NTSTATUS status = STATUS_SUCCESS;
    PVOID va = NULL;

    if (UserVa != NULL)
        return STATUS_DEVICE_BUSY;
    if (Nested) {
        __try {
            va = SehMapHelper();
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
        }
    } else {
        __try {
            va = MmMapLockedPagesSpecifyCache(VwPageMdl, UserMode, MmCached, NULL, FALSE,
                                              NormalPagePriority);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
        }
    }
    if (NT_SUCCESS(status))
        UserVa = va;
    return status;
}

/* PASSIVE_LEVEL, in the caller's process. */
static NTSTATUS NTAPI SehDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_SUCCESS;

    (void)DeviceObject;
    if (stack->MajorFunction == IRP_MJ_DEVICE_CONTROL) {
        switch (stack->Parameters.DeviceIoControl.IoControlCode) {
        case IOCTL_MAP:
            status = SehMap(FALSE);
            break;
        case IOCTL_MAP_NESTED:
            status = SehMap(TRUE);
            break;
        case IOCTL_UNMAP:
            if (UserVa != NULL)
                MmUnmapLockedPages(UserVa, VwPageMdl);
            UserVa = NULL;
            break;
        default:
            status = STATUS_INVALID_DEVICE_REQUEST;
        }
    }
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

static VOID NTAPI SehUnload(PDRIVER_OBJECT DriverObject)
{
    VwPageDevDelete(DriverObject);
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    return VwPageDevCreate(DriverObject, L"\\Device\\VwSeh", SehDispatch, SehUnload);
}
