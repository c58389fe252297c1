# check-pch: objects built with the precompiled headers (GNUmakefile: PCH)
# are the bytes a build without them makes (arch/pch/check.sh).  A few per
# arch, one for each header set a PCH stands in front of: plain <ntddk.h>
# (viorng), <ntifs.h> (ivshmem), StorPort (viostor), NDIS (netkvm), HID
# (vioinput), NDIS 6.83 with its own PCH (netkvm683's <driver>_KDEFS); and
# some that must take none: a source whose flags differ (vwseh's
# -fms-extensions, guard.c's MSVC triple) and one that includes no Windows
# header (vblk_scsi.c).  User mode: <windows.h> with UCFLAGS (viorngum's
# rngprov_win.c) and with the agent's flags (os_sys.c), and an agent source
# that must take none (vss_requester.c: COBJMACROS and <initguid.h> first).
# The whole tree was compared once (README: How drivers are built).
# The planted twin: a PCH built with -D_NTOSKRNL_ (the kernel's own view of
# its exports: not dllimport), which clang accepts and the headers obey.
PCH_CHECK_SRCS := drivers/viorng/read.c drivers/ivshmem/map.c drivers/viostor/driver.c \
	drivers/netkvm/tx.c drivers/vioinput/hid.c common/wdm/guard.c drivers/viostor/vblk_scsi.c
PCH_CHECK_OBJS := $(foreach a,$(ARCHES),$(patsubst %.c,$(B)/$(a)/obj/%.o,$(PCH_CHECK_SRCS)) \
		$(B)/$(a)/uobj/drivers/viorng/cng/rngprov_win.o $(B)/$(a)/qga/agent/win/os_sys.o \
		$(B)/$(a)/qga/agent/win/vss_requester.o) \
	$(foreach a,amd64 arm64,$(B)/$(a)/obj-netkvm683/drivers/netkvm/tx.o \
		$(B)/$(a)/obj/tests/harness/testdrv/vwseh.o)

CHECKS += check-pch
.PHONY: check-pch
check-pch: $(PCH_CHECK_OBJS) arch/pch/check.sh
	$(Q)tests/run-check pch arch/pch/check.sh '$(KPCH_USES) $(UPCH_USES)' -D_NTOSKRNL_ $(PCH_CHECK_OBJS)
