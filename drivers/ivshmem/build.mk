DRIVERS += ivshmem
ivshmem_ARCHES  := x86 amd64 arm64
ivshmem_SRCS    = drivers/ivshmem/driver.c drivers/ivshmem/device.c drivers/ivshmem/map.c \
	drivers/ivshmem/events.c drivers/ivshmem/ioctl.c $(VWDM_SRCS)
ivshmem_IMPORTS := ntoskrnl hal
