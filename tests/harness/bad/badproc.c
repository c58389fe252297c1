/*
 * Planted bugs for the process checks: a named device that maps a pool
 * buffer into the calling process (IOCTL_MAP) with no exception handler
 * around MmMapLockedPagesSpecifyCache(UserMode), and unmaps it at
 * IRP_MJ_CLEANUP in whatever process closes the last handle (a handle
 * duplicated into another process makes that the wrong one).  IOCTL_MAP_KEEP
 * maps without undoing it at cleanup (a process exit then leaves it);
 * IOCTL_UNMAP_ATTACHED unmaps correctly from any process by attaching to
 * the owner.  A process-notify routine records the last exit it saw
 * (IOCTL_LAST_EXIT: the process ID given, and the one it ran in).
 */
#include "../testdrv/pagedev.h"

#define IOCTL_MAP            CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_MAP_KEEP       CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_UNMAP_ATTACHED CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_LAST_EXIT      CTL_CODE(FILE_DEVICE_UNKNOWN, 0x803, METHOD_BUFFERED, FILE_ANY_ACCESS)

/* ntifs.h's; mingw-w64's ntddk.h does not declare them. */
typedef struct {
    UCHAR Opaque[0x40]; /* at least a KAPC_STATE on every arch */
} BAD_APC_STATE;
NTKERNELAPI VOID NTAPI KeStackAttachProcess(PEPROCESS Process, BAD_APC_STATE *ApcState);
NTKERNELAPI VOID NTAPI KeUnstackDetachProcess(BAD_APC_STATE *ApcState);

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD BadProcUnload;
static DRIVER_DISPATCH BadProcDispatch;

static PVOID UserVa;
static PEPROCESS Owner;
static BOOLEAN Keep;
static ULONG_PTR ExitPid[2]; /* the exiting process's ID, the ID it ran in */

/* PASSIVE_LEVEL, inside a critical region. */
static VOID NTAPI BadProcNotify(HANDLE ParentId, HANDLE ProcessId, BOOLEAN Create)
{
    (void)ParentId;
    if (!Create) {
        ExitPid[0] = (ULONG_PTR)ProcessId;
        ExitPid[1] = (ULONG_PTR)PsGetCurrentProcessId();
    }
}

static VOID Unmap(VOID)
{
    if (UserVa != NULL) {
        MmUnmapLockedPages(UserVa, VwPageMdl);
        UserVa = NULL;
    }
}

/* PASSIVE_LEVEL, in the caller's process. */
static NTSTATUS NTAPI BadProcDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_SUCCESS;
    BAD_APC_STATE apc;

    (void)DeviceObject;
    Irp->IoStatus.Information = 0;
    if (stack->MajorFunction == IRP_MJ_CLEANUP && !Keep) {
        Unmap(); /* in whichever process closes the last handle */
    } else if (stack->MajorFunction == IRP_MJ_DEVICE_CONTROL) {
        switch (stack->Parameters.DeviceIoControl.IoControlCode) {
        case IOCTL_MAP:
        case IOCTL_MAP_KEEP:
            /* No __try: a failing user mapping raises into nothing. */
            UserVa = MmMapLockedPagesSpecifyCache(VwPageMdl, UserMode, MmCached, NULL, FALSE,
                                                  NormalPagePriority);
            Owner = IoGetCurrentProcess();
            Keep = stack->Parameters.DeviceIoControl.IoControlCode == IOCTL_MAP_KEEP;
            status = UserVa != NULL ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
            break;
        case IOCTL_UNMAP_ATTACHED:
            KeStackAttachProcess(Owner, &apc);
            Unmap();
            KeUnstackDetachProcess(&apc);
            break;
        case IOCTL_LAST_EXIT:
            if (stack->Parameters.DeviceIoControl.OutputBufferLength < sizeof(ExitPid)) {
                status = STATUS_BUFFER_TOO_SMALL;
                break;
            }
            RtlCopyMemory(Irp->AssociatedIrp.SystemBuffer, ExitPid, sizeof(ExitPid));
            Irp->IoStatus.Information = sizeof(ExitPid);
            break;
        default:
            status = STATUS_INVALID_DEVICE_REQUEST;
        }
    }
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

static VOID NTAPI BadProcUnload(PDRIVER_OBJECT DriverObject)
{
    PsSetCreateProcessNotifyRoutine(BadProcNotify, TRUE);
    VwPageDevDelete(DriverObject);
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NTSTATUS status;

    (void)RegistryPath;
    status = VwPageDevCreate(DriverObject, L"\\Device\\BadProc", BadProcDispatch, BadProcUnload);
    if (NT_SUCCESS(status)) {
        status = PsSetCreateProcessNotifyRoutine(BadProcNotify, FALSE);
        if (!NT_SUCCESS(status))
            VwPageDevDelete(DriverObject);
    }
    return status;
}
