# common/virtio: the OS-neutral virtio 1.x core (see common/virtio/*.h).
# Compiled into each driver that uses it; here it is only compile-checked
# for the Windows targets and linked into the host tests and benchmarks.

VIRTIO_CORE_SRCS := \
	common/virtio/virtqueue.c \
	common/virtio/virtqueue_split.c \
	common/virtio/virtqueue_packed.c \
	common/virtio/virtqueue_req.c \
	common/virtio/virtqueue_plan.c \
	common/virtio/virtio_device.c \
	common/virtio/virtio_pci_caps.c \
	common/virtio/virtio_pci_modern.c \
	common/virtio/virtio_pci_legacy.c

XCOMPILE_SRCS += $(VIRTIO_CORE_SRCS)
