# The WDM device framework (vwdm.h), listed in a driver's SRCS as
# $(VWDM_SRCS); a virtio driver adds $(VWDM_VIRTIO_SRCS) (the WDM OS services
# and the virtio core).  Compiled for every arch even before a driver uses it.
VWDM_SRCS := common/wdm/driver.c common/wdm/pnp.c common/wdm/power.c common/wdm/resources.c \
	common/wdm/interrupt.c common/wdm/registry.c common/wdm/irp.c common/wdm/rundown.c
VWDM_VIRTIO_SRCS = common/wdm/virtio_wdm.c $(VIRTIO_CORE_SRCS)
XCOMPILE_SRCS += $(VWDM_SRCS) common/wdm/virtio_wdm.c
