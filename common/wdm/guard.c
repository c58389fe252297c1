/*
 * vwdm: MmMapLockedPagesSpecifyCache(UserMode) under a structured exception
 * handler.  The routine raises an exception instead of returning NULL when
 * the pages cannot be mapped into the process (its DDI page: callers that
 * pass UserMode must wrap the call in try/except);
 * Windows bug-checks (0x1E, or 0x7E in a system thread) when such an
 * exception finds no handler in the driver's frames.
 *
 * The handler is the compiler's own __try/__except, which is why this file
 * includes no header and is built with its own flags (common/wdm/build.mk):
 *  - amd64, arm64: clang with -fms-extensions on the mingw triples emits
 *    the unwind data with __C_specific_handler and a scope table (exported
 *    by ntoskrnl on both);
 *  - x86: clang's i686-w64-mingw32 triple cannot emit SEH tables, so this
 *    one file is compiled for i686-pc-windows-msvc (same COFF, same cdecl
 *    symbol names), which registers an fs:[0] frame with _except_handler3
 *    (exported by x86 ntoskrnl; the frame points at our image's import
 *    thunk to it).  The image has no SafeSEH table and does not set
 *    IMAGE_DLLCHARACTERISTICS_NO_SEH, which is the case where Windows's
 *    SafeSEH validation accepts any handler inside the image.
 * clang's SEH is synchronous: only exceptions raised inside a call made
 * under __try are caught, which is all this helper is for.  The exception
 * code is not kept (every failure is "no room in the address space").
 */
#include "guard.h"

/* The routine as wdm.h declares it (no header here, see above): PMDL,
 * KPROCESSOR_MODE (CCHAR), MEMORY_CACHING_TYPE, PVOID, ULONG, ULONG. */
__declspec(dllimport) void *__stdcall MmMapLockedPagesSpecifyCache(void *Mdl, char AccessMode,
                                                                   int CacheType,
                                                                   void *RequestedAddress,
                                                                   unsigned long BugCheckOnFailure,
                                                                   unsigned long Priority);

/* PASSIVE or APC_LEVEL, in the process to map into.  The call sits
 * directly in the __try (no routine in between), so the handler covers
 * its call site in this very frame. IRQL <= APC_LEVEL. */
long VwMapLockedPagesUser(void *Mdl, int CacheType, unsigned long Priority, void **Va)
{
    long raised = 0;
    void *va = 0;

    __try {
        va = MmMapLockedPagesSpecifyCache(Mdl, 1 /* UserMode */, CacheType, 0, 0, Priority);
    } __except (1 /* EXCEPTION_EXECUTE_HANDLER */) {
        raised = 1;
        va = 0;
    }
    *Va = va;
    return raised;
}
