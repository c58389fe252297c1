/*
 * Test driver for the host fences of guest barriers (machine/cpu_barrier.c,
 * selftest/cpu_fences.c): one routine, written in assembly so its barrier
 * instructions are known exactly, runs each ordering instruction once.
 *   x86, amd64: MFENCE (1 full fence), LOCK OR and XCHG with memory (2 each:
 *               before and after, their own store), SFENCE, LFENCE (none);
 *   arm64:      DMB ISH, DSB SY (1 each), STLR (1, after), LDAR, DMB ISHST,
 *               DMB ISHLD (none).
 * DriverUnload holds it (the driver creates no device); the scenario calls
 * it directly.
 */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;
/* The barriers, each once (any IRQL; it touches only its own stack). */
VOID NTAPI VwFences(PDRIVER_OBJECT DriverObject);

#if defined(_M_IX86) || defined(__i386__)
/* stdcall: the argument popped by the return. */
__asm__(".text\n"
        ".globl _VwFences@4\n"
        "_VwFences@4:\n"
        "  mfence\n"
        "  lock orl $0, (%esp)\n"
        "  pushl $0\n"
        "  xchgl %eax, (%esp)\n"
        "  popl %eax\n"
        "  sfence\n"
        "  lfence\n"
        "  ret $4\n");
#elif defined(_M_AMD64) || defined(__x86_64__)
__asm__(".text\n"
        ".globl VwFences\n"
        "VwFences:\n"
        "  mfence\n"
        "  lock orl $0, (%rsp)\n"
        "  pushq $0\n"
        "  xchgq %rax, (%rsp)\n"
        "  popq %rax\n"
        "  sfence\n"
        "  lfence\n"
        "  ret\n");
#else
__asm__(".text\n"
        ".globl VwFences\n"
        "VwFences:\n"
        "  dmb ish\n"
        "  dsb sy\n"
        "  sub sp, sp, #16\n"
        "  stlr x0, [sp]\n"
        "  ldar x1, [sp]\n"
        "  add sp, sp, #16\n"
        "  dmb ishst\n"
        "  dmb ishld\n"
        "  ret\n");
#endif

/* Publish the routine where the scenario finds it (PASSIVE_LEVEL). */
NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    DriverObject->DriverUnload = VwFences;
    return STATUS_SUCCESS;
}
