DRIVERS += balloon
balloon_ARCHES  := x86 amd64 arm64
balloon_SRCS    = drivers/balloon/driver.c drivers/balloon/device.c drivers/balloon/worker.c \
	drivers/balloon/pages.c drivers/balloon/stats.c drivers/balloon/ioctl.c $(VWDM_SRCS) $(VWDM_VIRTIO_SRCS)
balloon_IMPORTS := ntoskrnl hal
