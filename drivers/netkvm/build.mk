# netkvm: the virtio-net NDIS 6.50 miniport.  nk_*.c (the feature choice,
# the configuration checks, the queue and message plan, the control-queue
# commands) include no Windows header; the host unit tests build them as
# they are (check-netkvm).
NETKVM_NK_SRCS := drivers/netkvm/nk_features.c drivers/netkvm/nk_config.c \
	drivers/netkvm/nk_queues.c drivers/netkvm/nk_ctrl.c
XCOMPILE_SRCS += $(NETKVM_NK_SRCS)

NETKVM_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HOST_PROGS += netkvm-test netkvm-test-planted
netkvm-test_SRCS := drivers/netkvm/tests/host/nk_test.c $(NETKVM_NK_SRCS)
netkvm-test_CFLAGS := -Itests/include $(NETKVM_SAN)
netkvm-test_LDFLAGS := $(NETKVM_SAN)
# A planted twin compiles with its macro only the sources that name it
# (grep; none is a header); the rest are netkvm-test's own objects, linked as
# they are.
netkvm-test-planted_SRCS := $(shell grep -l -w -e NK_PLANTED_PAIRS $(netkvm-test_SRCS))
$(B)/host/netkvm-test-planted: $(patsubst %.c,$(B)/host/obj/netkvm-test/%.o,$(filter-out $(netkvm-test-planted_SRCS),$(netkvm-test_SRCS)))
# The planted bug: max_virtqueue_pairs 0 accepted (no queue would run).
netkvm-test-planted_CFLAGS := -Itests/include $(NETKVM_SAN) -DNK_PLANTED_PAIRS
netkvm-test-planted_LDFLAGS := $(NETKVM_SAN)
# The planted bug: MQ / F_MTU kept negotiated after their field was rejected.
HOST_PROGS += netkvm-test-planted-keep
netkvm-test-planted-keep_SRCS := $(shell grep -l -w -e NK_PLANTED_KEEP_REJECTED $(netkvm-test_SRCS))
$(B)/host/netkvm-test-planted-keep: $(patsubst %.c,$(B)/host/obj/netkvm-test/%.o,$(filter-out $(netkvm-test-planted-keep_SRCS),$(netkvm-test_SRCS)))
netkvm-test-planted-keep_CFLAGS := -Itests/include $(NETKVM_SAN) -DNK_PLANTED_KEEP_REJECTED
netkvm-test-planted-keep_LDFLAGS := $(NETKVM_SAN)
# The planted bug: rss_max_key_size / rss_max_indirection_table_length below
# the spec's minimums accepted.
HOST_PROGS += netkvm-test-planted-rss
netkvm-test-planted-rss_SRCS := $(shell grep -l -w -e NK_PLANTED_RSS_LIMITS $(netkvm-test_SRCS))
$(B)/host/netkvm-test-planted-rss: $(patsubst %.c,$(B)/host/obj/netkvm-test/%.o,$(filter-out $(netkvm-test-planted-rss_SRCS),$(netkvm-test_SRCS)))
netkvm-test-planted-rss_CFLAGS := -Itests/include $(NETKVM_SAN) -DNK_PLANTED_RSS_LIMITS
netkvm-test-planted-rss_LDFLAGS := $(NETKVM_SAN)
# The planted bug: a control answer whose used length is past the one
# writable byte (the ack) believed.
HOST_PROGS += netkvm-test-planted-ctrllen
netkvm-test-planted-ctrllen_SRCS := $(shell grep -l -w -e NK_PLANTED_CTRL_LEN $(netkvm-test_SRCS))
$(B)/host/netkvm-test-planted-ctrllen: $(patsubst %.c,$(B)/host/obj/netkvm-test/%.o,$(filter-out $(netkvm-test-planted-ctrllen_SRCS),$(netkvm-test_SRCS)))
netkvm-test-planted-ctrllen_CFLAGS := -Itests/include $(NETKVM_SAN) -DNK_PLANTED_CTRL_LEN
netkvm-test-planted-ctrllen_LDFLAGS := $(NETKVM_SAN)

CHECKS += check-netkvm
.PHONY: check-netkvm
check-netkvm: $(B)/host/netkvm-test $(B)/host/netkvm-test-planted $(B)/host/netkvm-test-planted-keep \
		$(B)/host/netkvm-test-planted-rss $(B)/host/netkvm-test-planted-ctrllen
	$(Q)tests/run-check netkvm tests/host-units.sh --unit $< \
		--planted $(word 2,$^) '^FAIL: netkvm: max_virtqueue_pairs 0 ' 'max_virtqueue_pairs 0 accepted' \
		--planted $(word 3,$^) '^FAIL: netkvm: max_virtqueue_pairs 0x8001 drops MQ' \
		'MQ kept after max_virtqueue_pairs was rejected' \
		--planted $(word 4,$^) '^FAIL: netkvm: RSS key 39 refused' 'an RSS key size below 40 accepted' \
		--planted $(word 5,$^) '^FAIL: netkvm: an ack with used length 2' \
		'a control ack with a used length past its byte believed'

DRIVERS += netkvm
netkvm_ARCHES  := x86 amd64 arm64
netkvm_SRCS    = drivers/netkvm/driver.c drivers/netkvm/init.c drivers/netkvm/device.c \
	drivers/netkvm/intr.c drivers/netkvm/tx.c drivers/netkvm/tx_offload.c drivers/netkvm/tx_uso.c drivers/netkvm/rx.c drivers/netkvm/rx_offload.c drivers/netkvm/ctrl.c \
	drivers/netkvm/oid.c drivers/netkvm/state.c drivers/netkvm/params.c drivers/netkvm/offload.c \
	drivers/netkvm/rss.c drivers/netkvm/vlan.c \
	$(NETKVM_NK_SRCS) drivers/netkvm/nk_params.c drivers/netkvm/nk_rxbuf.c \
	drivers/netkvm/nk_settings.c drivers/netkvm/nk_offload.c drivers/netkvm/nk_csum.c drivers/netkvm/nk_rxhdr.c drivers/netkvm/nk_reset.c drivers/netkvm/nk_txdone.c drivers/netkvm/nk_stats.c drivers/netkvm/nk_refill.c drivers/netkvm/nk_rsc.c $(VWNDIS_VIRTIO_SRCS) \
	drivers/netkvm/nk_rss.c drivers/netkvm/nk_vlan.c drivers/netkvm/nk_rss_pub.c \
	drivers/netkvm/nk_pub.c drivers/netkvm/nk_rxfilter.c drivers/netkvm/nk_gather.c \
	drivers/netkvm/nk_announce.c drivers/netkvm/announce.c drivers/netkvm/power.c drivers/netkvm/reset.c
netkvm_IMPORTS := ntoskrnl hal ndis

# netkvm683: the same sources at NDIS 6.83 (netkvm.h: NK_NDIS683), the
# first level whose NDIS_OFFLOAD (revision 6) carries UDP segmentation
# offload; for Windows 11 and Server 2025 (NDIS 6.86 and later run it), so
# no x86.  The w11 packages ship it as netkvm.sys (sign/build.mk:
# netkvm_IMAGE_w11), its version resource naming that file; the harness
# loads it by its own name (out/<arch>/netkvm683/netkvm683.sys).
DRIVERS += netkvm683
UNPACKAGED += netkvm683
netkvm683_ARCHES  := amd64 arm64
netkvm683_SRCS     = $(netkvm_SRCS)
netkvm683_IMPORTS := $(netkvm_IMPORTS)
netkvm683_KDEFS   := -DNK_NDIS683
netkvm683_RES     := netkvm
netkvm_IMAGE_w11  := netkvm683
# Its INF targets Windows 11 (build 22000, NDIS 6.86) and later, Server 2025
# among them: the w11 set's floor, build 16299 (Windows 10 1709, NDIS 6.80),
# would offer a 6.83 image to systems whose NDIS is older.
netkvm_MIN_BUILD_w11 := 22000
