DRIVERS += vioser
vioser_DIR     := drivers/vioserial
vioser_ARCHES  := x86 amd64 arm64
vioser_SRCS    = drivers/vioserial/driver.c drivers/vioserial/device.c \
	drivers/vioserial/control.c drivers/vioserial/port.c drivers/vioserial/io.c \
	$(VWDM_SRCS) $(VWDM_SECURITY_SRCS) $(VWDM_VIRTIO_SRCS)
vioser_IMPORTS := ntoskrnl hal
