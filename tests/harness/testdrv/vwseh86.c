/*
 * x86 exception handling without __try (which clang cannot compile for
 * i686 mingw): VwGuarded calls a routine with an EXCEPTION_REGISTRATION
 * record of its own on the fs:[0] chain; its handler resumes after the
 * call with the exception code as the result, restoring the registers the
 * caller keeps.  IOCTL_MAP maps a pool page into the caller under it
 * (MmMapLockedPagesSpecifyCache(UserMode) raises when it fails);
 * IOCTL_UNMAP undoes the mapping.  x86 only (k_except.c walks the chain).
 */
#include "pagedev.h"

#define IOCTL_MAP   CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_UNMAP CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_BUFFERED, FILE_ANY_ACCESS)

typedef NTSTATUS(__cdecl *GUARDED_ROUTINE)(PVOID Context);
NTSTATUS __cdecl VwGuarded(GUARDED_ROUTINE Routine, PVOID Context);
EXCEPTION_DISPOSITION __cdecl VwGuardHandler(PEXCEPTION_RECORD Record, PVOID Frame,
                                             PCONTEXT Context, PVOID Dispatcher);
extern char VwGuardResume[];

/* The record {Next, Handler} lives on the stack above the saved ebp, ebx,
 * esi and edi; resuming at VwGuardResume with esp at the record unlinks it
 * and returns eax. */
__asm__(".text\n"
        ".globl _VwGuarded\n"
        "_VwGuarded:\n"
        "  pushl %ebp\n"
        "  pushl %ebx\n"
        "  pushl %esi\n"
        "  pushl %edi\n"
        "  pushl $_VwGuardHandler\n"
        "  pushl %fs:0\n"
        "  movl %esp, %fs:0\n"
        "  pushl 32(%esp)\n"
        "  call *32(%esp)\n"
        "  addl $4, %esp\n"
        ".globl _VwGuardResume\n"
        "_VwGuardResume:\n"
        "  popl %ecx\n"
        "  movl %ecx, %fs:0\n"
        "  addl $4, %esp\n"
        "  popl %edi\n"
        "  popl %esi\n"
        "  popl %ebx\n"
        "  popl %ebp\n"
        "  ret\n");

/* Any IRQL: resume after the guarded call with the code as its result. */
EXCEPTION_DISPOSITION __cdecl VwGuardHandler(PEXCEPTION_RECORD Record, PVOID Frame,
                                             PCONTEXT Context, PVOID Dispatcher)
{
    (void)Dispatcher;
    Context->Eip = (ULONG)(ULONG_PTR)VwGuardResume;
    Context->Esp = (ULONG)(ULONG_PTR)Frame;
    Context->Eax = (ULONG)Record->ExceptionCode;
    return ExceptionContinueExecution;
}

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD SehUnload;
static DRIVER_DISPATCH SehDispatch;

static PVOID UserVa;

/* <= APC_LEVEL, under VwGuarded. */
static NTSTATUS __cdecl SehMap(PVOID Context)
{
    (void)Context;
    UserVa = MmMapLockedPagesSpecifyCache(VwPageMdl, UserMode, MmCached, NULL, FALSE,
                                          NormalPagePriority);
    return STATUS_SUCCESS;
}

static NTSTATUS NTAPI SehDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_SUCCESS;

    (void)DeviceObject;
    if (stack->MajorFunction == IRP_MJ_DEVICE_CONTROL) {
        switch (stack->Parameters.DeviceIoControl.IoControlCode) {
        case IOCTL_MAP:
            status = UserVa != NULL ? STATUS_DEVICE_BUSY : VwGuarded(SehMap, NULL);
            if (!NT_SUCCESS(status))
                UserVa = NULL;
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
