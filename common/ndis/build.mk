# common/ndis: the NDIS OS services of the virtio core (see virtio_ndis.h),
# listed in an NDIS miniport's SRCS as $(VWNDIS_VIRTIO_SRCS); compiled for
# every arch.
VWNDIS_VIRTIO_SRCS = common/ndis/virtio_ndis.c $(VIRTIO_CORE_SRCS)
XCOMPILE_SRCS += common/ndis/virtio_ndis.c
