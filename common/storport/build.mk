# common/storport: the StorPort OS services of the virtio core (see
# virtio_stor.h), listed in a StorPort miniport's SRCS as
# $(VWSTOR_VIRTIO_SRCS); compiled for every arch even before one uses it.
VWSTOR_VIRTIO_SRCS = common/storport/virtio_stor.c $(VIRTIO_CORE_SRCS)
XCOMPILE_SRCS += common/storport/virtio_stor.c
# stor_srb.c: routines every StorPort miniport writes the same way (sense
# buffer, contiguous pieces of an extension, the CPU's queue, the dump
# argument, registration); stor_pnp.c: PnP SRBs and surprise removal;
# viostor and vioscsi list $(VWSTOR_SRB_SRCS).
# stor_perf.c: performance options and the locks of concurrent channels;
# stor_control.c: adapter control types, surprise removal's locks and the
# bad device value log line.
# stor_holdoff.c: CompletionHoldoff and the sharing of the adapter's timer;
# holdoff_policy.c: the setting as a number (OS-neutral, host-tested).
VWSTOR_SRB_SRCS = common/storport/stor_srb.c common/storport/stor_pnp.c \
	common/storport/stor_perf.c common/storport/stor_control.c \
	common/storport/stor_holdoff.c common/storport/holdoff_policy.c
XCOMPILE_SRCS += common/storport/stor_srb.c common/storport/stor_pnp.c \
	common/storport/stor_perf.c common/storport/stor_control.c \
	common/storport/stor_holdoff.c common/storport/holdoff_policy.c
