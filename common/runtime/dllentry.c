/*
 * The entry point of our user-mode DLLs and their stack-protector runtime
 * (the user-mode counterpart of entry.c; no C runtime is linked).
 *
 * VwDllEntry (lld-link /entry) seeds __stack_chk_guard on process attach,
 * before any protected function of the DLL runs, and turns off thread
 * attach/detach calls, which our DLLs do not need.  A smashed stack ends
 * the process with __fastfail(FAST_FAIL_STACK_COOKIE_CHECK_FAILURE), which
 * Windows reports without running any more code of the damaged process.
 */
#include <stdint.h>
#include <windows.h>

#define VW_FAST_FAIL_STACK_COOKIE_CHECK_FAILURE 2

#define VW_NO_STACK_PROTECTOR __attribute__((no_stack_protector))

uintptr_t __stack_chk_guard = (uintptr_t)0x2f9e3b1c5a7d6000ULL;

__attribute__((noreturn)) void __stack_chk_fail(void);
/* Called by the stack protector on a damaged canary: end the process at once with __fastfail. */
void __stack_chk_fail(void)
{
    /* __fastfail: int 0x29 (x86, x64) or brk #0xF003 (arm64), code in
     * ecx/x0.  Never returns. */
#if defined(__aarch64__)
    register uintptr_t code __asm__("x0") = VW_FAST_FAIL_STACK_COOKIE_CHECK_FAILURE;
    __asm__ __volatile__("brk #0xf003" : : "r"(code));
#else
    __asm__ __volatile__("int $0x29" : : "c"(VW_FAST_FAIL_STACK_COOKIE_CHECK_FAILURE));
#endif
    __builtin_unreachable();
}

/* splitmix64 finaliser: spreads the few varying bits of the seed over the whole word. */
static VW_NO_STACK_PROTECTOR uint64_t VwMix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

BOOL WINAPI VwDllEntry(HINSTANCE Instance, DWORD Reason, LPVOID Reserved);

/* DLL entry point: seed the stack-protector guard before the C code runs, then call DllMain. */
VW_NO_STACK_PROTECTOR BOOL WINAPI VwDllEntry(HINSTANCE Instance, DWORD Reason, LPVOID Reserved)
{
    (void)Reserved;
    if (Reason == DLL_PROCESS_ATTACH) {
        LARGE_INTEGER now;
        QueryPerformanceCounter(&now);
        /* Time, the stack (per thread) and image (per load) addresses and
         * the process/thread ids: differs per process and per load. */
        uint64_t seed = (uint64_t)now.QuadPart;
        seed ^= (uint64_t)(uintptr_t)&seed;
        seed ^= (uint64_t)(uintptr_t)Instance << 17;
        seed ^= (uint64_t)GetCurrentProcessId() << 32 ^ GetCurrentThreadId();
        seed = VwMix(seed);
        /* Zero low byte: a terminator canary, as in entry.c. */
        __stack_chk_guard = (uintptr_t)(seed & ~(uint64_t)0xff);
        DisableThreadLibraryCalls(Instance);
    }
    return TRUE;
}
