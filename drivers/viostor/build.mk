# viostor: the virtio-blk StorPort miniport.  vblk_*.c (the configuration
# checks, the queue plan and the SCSI translation) include no Windows
# header; the host unit tests build them as they are (check-viostor).
VIOSTOR_VBLK_SRCS := drivers/viostor/vblk_config.c drivers/viostor/vblk_findings.c \
	drivers/viostor/vblk_queues.c \
	drivers/viostor/vblk_scsi.c
XCOMPILE_SRCS += $(VIOSTOR_VBLK_SRCS)

VIOSTOR_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HOST_PROGS += viostor-test viostor-test-planted
viostor-test_SRCS := drivers/viostor/tests/host/vblk_test.c $(VIOSTOR_VBLK_SRCS)
viostor-test_CFLAGS := -Itests/include -Icommon $(VIOSTOR_SAN)
viostor-test_LDFLAGS := $(VIOSTOR_SAN)
# A planted twin compiles with its macro only the sources that name it
# (grep; none is a header); the rest are viostor-test's own objects, linked as
# they are.
viostor-test-planted_SRCS := $(shell grep -l -w -e VBLK_PLANTED_WRAP $(viostor-test_SRCS))
$(B)/host/viostor-test-planted: $(patsubst %.c,$(B)/host/obj/viostor-test/%.o,$(filter-out $(viostor-test-planted_SRCS),$(viostor-test_SRCS)))
# The planted bug: the LBA range check as a sum, which wraps past 2^64.
viostor-test-planted_CFLAGS := -Itests/include -Icommon $(VIOSTOR_SAN) -DVBLK_PLANTED_WRAP
viostor-test-planted_LDFLAGS := $(VIOSTOR_SAN)
# The other planted twins, built the same way: $(1) names the copy, $(2)
# the macro that plants its bug.
define VIOSTOR_PLANTED_TWIN
HOST_PROGS += viostor-test-planted-$(1)
viostor-test-planted-$(1)_SRCS := $$(shell grep -l -w -e $(2) $$(viostor-test_SRCS))
$$(B)/host/viostor-test-planted-$(1): $$(patsubst %.c,$$(B)/host/obj/viostor-test/%.o,$$(filter-out $$(viostor-test-planted-$(1)_SRCS),$$(viostor-test_SRCS)))
viostor-test-planted-$(1)_CFLAGS := -Itests/include -Icommon $$(VIOSTOR_SAN) -D$(2)
viostor-test-planted-$(1)_LDFLAGS := $$(VIOSTOR_SAN)
endef
# RDPROTECT/WRPROTECT/VRPROTECT ignored on a disk without protection information
$(eval $(call VIOSTOR_PLANTED_TWIN,protect,VBLK_PLANTED_PROTECT))
# size_max 0 with VIRTIO_BLK_F_SIZE_MAX taken silently
$(eval $(call VIOSTOR_PLANTED_TWIN,size0,VBLK_PLANTED_SIZE0))
# SYNCHRONIZE CACHE of a range past the capacity flushed
$(eval $(call VIOSTOR_PLANTED_TWIN,sync,VBLK_PLANTED_SYNC_RANGE))
# NACA in the CONTROL byte ignored
$(eval $(call VIOSTOR_PLANTED_TWIN,naca,VBLK_PLANTED_NACA))

# CompletionHoldoff (viostor and vioscsi): the core's used_event on a split
# ring the test drives as the device, and the setting's clamp.
HOST_PROGS += holdoff-test holdoff-test-planted
# (The core's files by name: common/virtio/build.mk is read after this one,
# and a rule's prerequisites are expanded as it is read.)
HOLDOFF_TEST_SRCS := drivers/viostor/tests/host/holdoff_test.c common/storport/holdoff_policy.c \
	$(addprefix common/virtio/,virtqueue.c virtqueue_split.c virtqueue_packed.c \
	virtqueue_req.c virtqueue_plan.c virtio_device.c virtio_pci_caps.c virtio_pci_modern.c \
	virtio_pci_legacy.c)
holdoff-test_SRCS := $(HOLDOFF_TEST_SRCS)
holdoff-test_CFLAGS := -Itests/include -Icommon $(VIOSTOR_SAN)
holdoff-test_LDFLAGS := $(VIOSTOR_SAN)
# Its planted bug: used_event one past the last held request (no interrupt for it).
holdoff-test-planted_SRCS = common/virtio/virtqueue.c
$(B)/host/holdoff-test-planted: $(patsubst %.c,$(B)/host/obj/holdoff-test/%.o,$(filter-out common/virtio/virtqueue.c,$(HOLDOFF_TEST_SRCS)))
holdoff-test-planted_CFLAGS := -Itests/include -Icommon $(VIOSTOR_SAN) -DVIRTQUEUE_PLANTED_HOLDOFF_PAST
holdoff-test-planted_LDFLAGS := $(VIOSTOR_SAN)
# The publish's planted bug: the held requests counted without the newest
# (the interrupt at a batch's 31st completion, none at its 32nd).
HOST_PROGS += holdoff-test-planted-publish
holdoff-test-planted-publish_SRCS = common/virtio/virtqueue.c
$(B)/host/holdoff-test-planted-publish: $(patsubst %.c,$(B)/host/obj/holdoff-test/%.o,$(filter-out common/virtio/virtqueue.c,$(HOLDOFF_TEST_SRCS)))
holdoff-test-planted-publish_CFLAGS := -Itests/include -Icommon $(VIOSTOR_SAN) -DVIRTQUEUE_PLANTED_HOLD_BEFORE_PUBLISH
holdoff-test-planted-publish_LDFLAGS := $(VIOSTOR_SAN)

CHECKS += check-viostor
.PHONY: check-viostor
check-viostor: $(B)/host/viostor-test $(B)/host/viostor-test-planted \
		$(B)/host/viostor-test-planted-protect $(B)/host/viostor-test-planted-size0 \
		$(B)/host/viostor-test-planted-sync $(B)/host/holdoff-test $(B)/host/holdoff-test-planted \
		$(B)/host/viostor-test-planted-naca $(B)/host/holdoff-test-planted-publish
	$(Q)tests/run-check viostor tests/host-units.sh --unit $< --unit $(word 6,$^) \
		--planted $(word 7,$^) '^FAIL: holdoff: used_event for last_used' 'used_event one past the last held request' \
		--planted $(word 9,$^) '^FAIL: holdoff: publish: the interrupt at the 32nd' 'a publish that counts the held requests without its own' \
		--planted $(word 8,$^) '^FAIL: vblk: NACA set' 'NACA in the CONTROL byte ignored' \
		--planted $(word 2,$^) '^FAIL: vblk: .*wraps' 'an LBA range check that wraps' \
		--planted $(word 3,$^) '^FAIL: vblk: protect field 1-7' 'a protect field ignored' \
		--planted $(word 4,$^) '^FAIL: vblk: size_max 0' 'size_max 0 taken silently' \
		--planted $(word 5,$^) '^FAIL: vblk: sync range' 'SYNCHRONIZE CACHE past the capacity flushed'

DRIVERS += viostor
viostor_ARCHES  := x86 amd64 arm64
viostor_SRCS    = drivers/viostor/driver.c drivers/viostor/io.c drivers/viostor/complete.c \
	drivers/viostor/serial.c \
	$(VIOSTOR_VBLK_SRCS) $(VWSTOR_VIRTIO_SRCS) $(VWSTOR_SRB_SRCS)
viostor_IMPORTS := ntoskrnl hal storport
