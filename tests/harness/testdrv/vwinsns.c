/*
 * Test driver for the instruction counter (machine/cpu_insns.c,
 * selftest/cpu_insns.c): its DriverUnload is a loop written in assembly
 * whose instructions are known exactly, VW_INSNS_LOOP (1000) rounds of a
 * decrement and a branch between one move and one return: 2002 on every
 * arch.  The scenarios call it directly and compare what was counted.
 */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;
/* The counted loop (any IRQL; touches no memory): also a valid unload. */
VOID NTAPI VwCountedLoop(PDRIVER_OBJECT DriverObject);

#if defined(_M_IX86) || defined(__i386__)
/* stdcall: one argument popped by the return. */
__asm__(".text\n"
        ".globl _VwCountedLoop@4\n"
        "_VwCountedLoop@4:\n"
        "  movl $1000, %ecx\n"
        "1:\n"
        "  decl %ecx\n"
        "  jnz 1b\n"
        "  ret $4\n");
#elif defined(_M_AMD64) || defined(__x86_64__)
__asm__(".text\n"
        ".globl VwCountedLoop\n"
        "VwCountedLoop:\n"
        "  movl $1000, %ecx\n"
        "1:\n"
        "  decl %ecx\n"
        "  jnz 1b\n"
        "  ret\n");
#else
__asm__(".text\n"
        ".globl VwCountedLoop\n"
        "VwCountedLoop:\n"
        "  mov x9, #1000\n"
        "1:\n"
        "  subs x9, x9, #1\n"
        "  b.ne 1b\n"
        "  ret\n");
#endif

/* Publish the loop as DriverUnload, where the scenario finds it (PASSIVE_LEVEL). */
NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    DriverObject->DriverUnload = VwCountedLoop;
    return STATUS_SUCCESS;
}
