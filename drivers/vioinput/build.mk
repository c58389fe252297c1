DRIVERS += vioinput
vioinput_ARCHES  := x86 amd64 arm64
vioinput_SRCS    = drivers/vioinput/hid_glue.c drivers/vioinput/device.c \
	drivers/vioinput/config.c drivers/vioinput/keymap.c drivers/vioinput/descriptor.c \
	drivers/vioinput/events.c drivers/vioinput/reports.c drivers/vioinput/status.c \
	drivers/vioinput/hid.c drivers/vioinput/restart.c $(VWDM_SRCS) $(VWDM_VIRTIO_SRCS)
vioinput_IMPORTS := ntoskrnl hal hidclass
