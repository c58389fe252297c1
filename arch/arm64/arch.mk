# arm64.  mingw-w64's wdm.h/ntddk.h know no ARM64: adapted copies are
# generated from the installed headers into $(B)/arm64/ddk (see gen-ddk.py).
# NEON use in drivers is unverified on Windows, so general registers only.
# Their directory is named absolute, as the installed headers are (the
# PCH: GNUmakefile, kcc).
KCFLAGS_arm64  := --target=aarch64-w64-mingw32 -fasynchronous-unwind-tables -mgeneral-regs-only \
	-isystem $(abspath $(B))/arm64/ddk
KLDFLAGS_arm64 := /machine:arm64 /base:0x140000000 /highentropyva
DLLTOOL_arm64  := -m arm64
KRT_SRCS_arm64 :=
KGEN_arm64     := $(B)/arm64/ddk/wdm.h

$(B)/arm64/ddk/wdm.h: arch/arm64/gen-ddk.py | deps-ensure
	@mkdir -p $(@D)
	$(Q)$(PYTHON) arch/arm64/gen-ddk.py $(MINGW_INC)/ddk $(@D)
# User-mode DLLs (UDLLS): the user-mode headers know arm64 already.
UCFLAGS_arm64  := --target=aarch64-w64-mingw32 -fasynchronous-unwind-tables
ULDFLAGS_arm64 := /machine:arm64 /highentropyva
