DRIVERS += fwcfg
fwcfg_ARCHES  := x86 amd64 arm64
fwcfg_SRCS    = drivers/fwcfg/driver.c drivers/fwcfg/device.c drivers/fwcfg/access.c \
	drivers/fwcfg/directory.c drivers/fwcfg/dma.c drivers/fwcfg/vmcoreinfo.c $(VWDM_SRCS)
fwcfg_IMPORTS := ntoskrnl hal
