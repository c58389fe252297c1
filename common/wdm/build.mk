# The WDM device framework (vwdm.h), listed in a driver's SRCS as
# $(VWDM_SRCS); a virtio driver adds $(VWDM_VIRTIO_SRCS) (the WDM OS services
# and the virtio core).  Compiled for every arch even before a driver uses it.
VWDM_SRCS := common/wdm/driver.c common/wdm/pnp.c common/wdm/power.c common/wdm/resources.c \
	common/wdm/interrupt.c common/wdm/registry.c common/wdm/irp.c common/wdm/rundown.c
VWDM_VIRTIO_SRCS = common/wdm/virtio_wdm.c $(VIRTIO_CORE_SRCS)
# Device security (security.c) and calls under an exception handler
# (guard.c), for the drivers that use them: they bring their own imports.
VWDM_SECURITY_SRCS := common/wdm/security.c
VWDM_GUARD_SRCS := common/wdm/guard.c
XCOMPILE_SRCS += $(VWDM_SRCS) common/wdm/virtio_wdm.c $(VWDM_SECURITY_SRCS) $(VWDM_GUARD_SRCS)

# guard.c holds the one __try/__except of the framework (see its comment):
# -fms-extensions on every arch, and on x86 the MSVC triple, whose SEH
# tables clang can emit (no stack protector there: it would want MSVC's
# __security_cookie; and no build time in its COFF header, which that
# triple writes unless told not to, as clang-cl's /Brepro does).
$(B)/amd64/obj/common/wdm/guard.o $(B)/arm64/obj/common/wdm/guard.o: KCFLAGS += -fms-extensions
$(B)/x86/obj/common/wdm/guard.o: KCFLAGS += -fms-extensions -fno-stack-protector \
	-mno-incremental-linker-compatible
$(B)/x86/obj/common/wdm/guard.o: KCFLAGS_x86 := --target=i686-pc-windows-msvc \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -mgeneral-regs-only
