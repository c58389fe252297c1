DRIVERS += viorng
viorng_ARCHES  := x86 amd64 arm64
viorng_SRCS    = drivers/viorng/driver.c drivers/viorng/device.c drivers/viorng/read.c \
	$(VWDM_SRCS) $(VWDM_VIRTIO_SRCS)
viorng_IMPORTS := ntoskrnl hal
