# x86 (32-bit, Windows 10 only).  stdcall entry, no unwind tables (x86 has no
# .pdata), no FPU/SSE in kernel code, 64-bit division from our own runtime.
KCFLAGS_x86  := --target=i686-w64-mingw32 -fno-asynchronous-unwind-tables -fno-unwind-tables \
	-mgeneral-regs-only
KLDFLAGS_x86 := /machine:x86 /base:0x10000
DLLTOOL_x86  := -m i386 -k
KRT_SRCS_x86 := arch/x86/div64.c
# User-mode DLLs (UDLLS): no unwind tables either (x86 SEH is frame-based).
UCFLAGS_x86  := --target=i686-w64-mingw32 -fno-asynchronous-unwind-tables -fno-unwind-tables
ULDFLAGS_x86 := /machine:x86
