/*
 * The entry point of every driver image, and the stack-protector runtime.
 *
 * Drivers are compiled with -fstack-protector-strong.  On the mingw targets
 * the compiler compares a canary against __stack_chk_guard on function exit
 * and calls __stack_chk_fail on a mismatch.  MSVC's /GS runtime
 * (GsDriverEntry) exists only in the WDK, so this file provides ours:
 * VwDriverEntry (the image entry, see KLDFLAGS in GNUmakefile) seeds the guard
 * before any protected function runs, then calls the driver's DriverEntry.
 *
 * A smashed stack stops the system with bug check 0xF7
 * DRIVER_OVERRAN_STACK_BUFFER, the code Windows documents for stack-buffer
 * overruns.  Parameters: 1 = 0 (the compiler does not pass the damaged
 * canary), 2 = the expected guard, 3 = its complement, 4 = the return address
 * into the function whose frame was damaged.
 */
#include <stdint.h>
#include <ntddk.h>
#include <vw/compiler.h>

#define VW_BUGCHECK_STACK_OVERRUN 0xF7

/* Non-zero from the start so that a guard check running before seeding (it
 * cannot: VwDriverEntry is unprotected) would not compare against zero. */
uintptr_t __stack_chk_guard = (uintptr_t)0x2f9e3b1c5a7d6000ULL;

VW_NORETURN void __stack_chk_fail(void);
/* Called by the stack protector on a damaged canary: bug check DRIVER_OVERRAN_STACK_BUFFER. IRQL:
 * any. */
void __stack_chk_fail(void)
{
    KeBugCheckEx(VW_BUGCHECK_STACK_OVERRUN, 0, (ULONG_PTR)__stack_chk_guard,
                 ~(ULONG_PTR)__stack_chk_guard, (ULONG_PTR)__builtin_return_address(0));
    __builtin_unreachable();
}

/* Cycle counter: differs on every boot and every load. IRQL: any. */
static VW_NO_STACK_PROTECTOR uint64_t VwCycleCounter(void)
{
#if defined(_M_ARM64)
    uint64_t value;
    __asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(value));
    return value;
#else
    return __builtin_ia32_rdtsc();
#endif
}

/* splitmix64 finaliser: spreads the few varying bits over the whole word. IRQL: any. */
static VW_NO_STACK_PROTECTOR uint64_t VwMix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

DRIVER_INITIALIZE DriverEntry;
DRIVER_INITIALIZE VwDriverEntry;

/* DriverEntry is reached through this pointer in initialised data.  The
 * absolute address gives every image at least one base relocation: the
 * kernel relocates every driver it loads, and our PE checker insists the
 * relocation directory is present. */
static PDRIVER_INITIALIZE volatile VwDriverEntryTarget = DriverEntry;

/* Image entry point: seed the stack-protector guard, then call the driver's DriverEntry. IRQL:
 * PASSIVE_LEVEL. */
VW_INIT_CODE VW_NO_STACK_PROTECTOR NTSTATUS NTAPI VwDriverEntry(PDRIVER_OBJECT DriverObject,
                                                                PUNICODE_STRING RegistryPath)
{
    uint64_t seed = VwCycleCounter();

    /* Interrupt time, the stack address (randomised per thread) and the
     * image address (randomised per load). */
    seed ^= (uint64_t)SharedUserData->InterruptTime.LowPart << 32;
    seed ^= (uint64_t)(uintptr_t)&seed;
    seed ^= (uint64_t)(uintptr_t)&__stack_chk_guard << 17;
    seed = VwMix(seed);

    /* A zero low byte stops string functions from reading or writing past
     * the canary (terminator canary). */
    uintptr_t guard = (uintptr_t)seed & ~(uintptr_t)0xff;
    if (guard == 0)
        guard = (uintptr_t)0x5ca1ab1e00ULL;
    __stack_chk_guard = guard;

    return VwDriverEntryTarget(DriverObject, RegistryPath);
}
