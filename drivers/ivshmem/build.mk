DRIVERS += ivshmem
ivshmem_ARCHES  := x86 amd64 arm64
ivshmem_SRCS    = drivers/ivshmem/driver.c drivers/ivshmem/device.c drivers/ivshmem/map.c \
	drivers/ivshmem/events.c drivers/ivshmem/ioctl.c drivers/ivshmem/process.c \
	$(VWDM_SRCS) $(VWDM_SECURITY_SRCS) $(VWDM_GUARD_SRCS)
ivshmem_IMPORTS := ntoskrnl hal
