# amd64.  -ffreestanding drops SEH unwind tables unless asked for explicitly;
# without .pdata, exception dispatch and stack walks through the driver fail.
KCFLAGS_amd64  := --target=x86_64-w64-mingw32 -fasynchronous-unwind-tables
KLDFLAGS_amd64 := /machine:x64 /base:0x140000000 /highentropyva
DLLTOOL_amd64  := -m i386:x86-64
KRT_SRCS_amd64 :=
# User-mode DLLs (UDLLS).
UCFLAGS_amd64  := --target=x86_64-w64-mingw32 -fasynchronous-unwind-tables
ULDFLAGS_amd64 := /machine:x64 /highentropyva
