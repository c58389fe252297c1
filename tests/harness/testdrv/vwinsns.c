/*
 * Test driver for the instruction counter (machine/cpu_insns.c,
 * selftest/cpu_insns.c): two loops written in assembly whose instructions
 * are known exactly, 1000 rounds of a decrement and a branch between one
 * move and one return: 2002 each on every arch.  DriverUnload is the first,
 * the IRP_MJ_CREATE entry the second (never called by the harness: the
 * driver creates no device); the scenario calls both directly.
 */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;
/* The counted loops (any IRQL; they touch no memory). */
VOID NTAPI VwCountedLoop(PDRIVER_OBJECT DriverObject);
NTSTATUS NTAPI VwCountedLoopToo(PDEVICE_OBJECT DeviceObject, PIRP Irp);

#if defined(_M_IX86) || defined(__i386__)
/* stdcall: the arguments popped by the return. */
__asm__(".text\n"
        ".globl _VwCountedLoop@4\n"
        "_VwCountedLoop@4:\n"
        "  movl $1000, %ecx\n"
        "1:\n"
        "  decl %ecx\n"
        "  jnz 1b\n"
        "  ret $4\n"
        ".globl _VwCountedLoopToo@8\n"
        "_VwCountedLoopToo@8:\n"
        "  movl $1000, %ecx\n"
        "2:\n"
        "  decl %ecx\n"
        "  jnz 2b\n"
        "  ret $8\n");
#elif defined(_M_AMD64) || defined(__x86_64__)
__asm__(".text\n"
        ".globl VwCountedLoop\n"
        "VwCountedLoop:\n"
        "  movl $1000, %ecx\n"
        "1:\n"
        "  decl %ecx\n"
        "  jnz 1b\n"
        "  ret\n"
        ".globl VwCountedLoopToo\n"
        "VwCountedLoopToo:\n"
        "  movl $1000, %ecx\n"
        "2:\n"
        "  decl %ecx\n"
        "  jnz 2b\n"
        "  ret\n");
#else
__asm__(".text\n"
        ".globl VwCountedLoop\n"
        "VwCountedLoop:\n"
        "  mov x9, #1000\n"
        "1:\n"
        "  subs x9, x9, #1\n"
        "  b.ne 1b\n"
        "  ret\n"
        ".globl VwCountedLoopToo\n"
        "VwCountedLoopToo:\n"
        "  mov x9, #1000\n"
        "2:\n"
        "  subs x9, x9, #1\n"
        "  b.ne 2b\n"
        "  ret\n");
#endif

/* Publish the loops where the scenario finds them (PASSIVE_LEVEL). */
NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    DriverObject->DriverUnload = VwCountedLoop;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = VwCountedLoopToo;
    return STATUS_SUCCESS;
}
