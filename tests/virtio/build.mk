# tests/virtio: unit tests of the virtio core against the device model
# (tests/models/virtio/), plain and with ASan/UBSan; fuzz targets
# (libFuzzer, clang) with a bounded corpus pass in `make check` and timed
# runs in `make fuzz`.
#
# Recursive (=) on purpose: VIRTIO_CORE_SRCS comes from common/virtio/build.mk.

VIRTIO_MODEL_SRCS = tests/models/virtio/vmodel.c tests/models/virtio/vmodel_ring.c \
	tests/virtio/host_os.c
VIRTIO_TEST_SRCS = tests/virtio/test_main.c tests/virtio/vtest_run.c tests/virtio/test_ring.c tests/virtio/test_req.c \
	tests/virtio/test_packed_ooo.c \
	tests/virtio/test_transport.c tests/virtio/test_harden.c tests/virtio/traffic.c \
	tests/virtio/bed.c $(VIRTIO_MODEL_SRCS) $(VIRTIO_CORE_SRCS)
VIRTIO_FUZZ_SRCS = tests/virtio/fuzz_ring.c tests/virtio/fuzz_caps.c $(VIRTIO_MODEL_SRCS) \
	$(VIRTIO_CORE_SRCS)
VIRTIO_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

HOST_PROGS += virtio-test virtio-test-san virtio-fuzz-replay virtio-test-planted \
	virtio-test-planted-len
virtio-test_SRCS = $(VIRTIO_TEST_SRCS)
# A planted twin compiles with its macro only the sources that name it
# (grep; none is a header); the rest are virtio-test's own objects, linked as
# they are.
virtio-test-planted_SRCS := $(shell grep -l -w -e VMODEL_PLANTED_OWNED_BY_SLOT $(VIRTIO_TEST_SRCS))
$(B)/host/virtio-test-planted: $(patsubst %.c,$(B)/host/obj/virtio-test/%.o,$(filter-out $(virtio-test-planted_SRCS),$(VIRTIO_TEST_SRCS)))
# The planted bug: the model's "device owns this buffer" answer for a packed
# ring taken by ring slot, which an out-of-order used descriptor fools.
virtio-test-planted_CFLAGS := -DVMODEL_PLANTED_OWNED_BY_SLOT
# The core's planted bug: virtqueue_pass_len_past() ignored, so a used length
# past the buffer breaks the queue it was asked to pass on.
virtio-test-planted-len_SRCS := $(shell grep -l -w -e VIRTQUEUE_PLANTED_LEN_PAST_BREAKS $(VIRTIO_TEST_SRCS))
$(B)/host/virtio-test-planted-len: $(patsubst %.c,$(B)/host/obj/virtio-test/%.o,$(filter-out $(virtio-test-planted-len_SRCS),$(VIRTIO_TEST_SRCS)))
virtio-test-planted-len_CFLAGS := -DVIRTQUEUE_PLANTED_LEN_PAST_BREAKS
virtio-test-san_SRCS = $(VIRTIO_TEST_SRCS)
# The sanitizer build is also the debug build: the writer's caller checks are in
virtio-test-san_CFLAGS := $(VIRTIO_SAN) -DVIRTQUEUE_DEBUG
virtio-test-san_LDFLAGS := $(VIRTIO_SAN)
virtio-fuzz-replay_SRCS = tests/virtio/fuzz_replay.c $(VIRTIO_FUZZ_SRCS)
virtio-fuzz-replay_CFLAGS := $(VIRTIO_SAN)
virtio-fuzz-replay_LDFLAGS := $(VIRTIO_SAN)

# libFuzzer binaries, built with clang
VIRTIO_FUZZ_TARGETS := split_used packed_used req pci_caps
VIRTIO_LIBFUZZER := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
define virtio_fuzz_prog
HOST_PROGS += virtio-fuzz-$(1)
virtio-fuzz-$(1)_SRCS = tests/virtio/fuzz_entry_$(1).c $$(VIRTIO_FUZZ_SRCS)
virtio-fuzz-$(1)_CC = $$(CLANG)
virtio-fuzz-$(1)_CFLAGS := $$(VIRTIO_LIBFUZZER)
virtio-fuzz-$(1)_LDFLAGS := $$(VIRTIO_LIBFUZZER)
endef
$(foreach t,$(VIRTIO_FUZZ_TARGETS),$(eval $(call virtio_fuzz_prog,$(t))))

CHECKS += check-virtio check-virtio-san check-virtio-fuzz
.PHONY: check-virtio check-virtio-san check-virtio-fuzz
check-virtio: $(B)/host/virtio-test $(B)/host/virtio-test-planted $(B)/host/virtio-test-planted-len
	$(Q)tests/run-check virtio tests/host-units.sh --unit $< \
		--planted $(word 2,$^) 'failed in packed_ooo_by_id' 'packed ring ownership by ring slot' \
		--planted $(word 3,$^) 'failed in harden_split_len_past_passed' \
		'a used length past the buffer breaks a queue asked to pass it on'
check-virtio-san: $(B)/host/virtio-test-san
	$(Q)tests/run-check virtio-san $(B)/host/virtio-test-san
# Bounded: every corpus file plus 200 deterministic mutations of each
check-virtio-fuzz: $(B)/host/virtio-fuzz-replay
	$(Q)tests/run-check virtio-fuzz $(B)/host/virtio-fuzz-replay tests/virtio/corpus 200

# make fuzz FUZZ_SECONDS=N: each target for N seconds, from a copy of the
# checked-in corpus; a finding (crash file) fails the target.
FUZZ_SECONDS ?= 60
FUZZ += $(patsubst %,fuzz-virtio-%,$(VIRTIO_FUZZ_TARGETS))
.PHONY: $(patsubst %,fuzz-virtio-%,$(VIRTIO_FUZZ_TARGETS))
define virtio_fuzz_run
fuzz-virtio-$(1): $(B)/host/virtio-fuzz-$(1)
	@rm -rf $(B)/fuzz/virtio-$(1)/corpus && mkdir -p $(B)/fuzz/virtio-$(1)/corpus
	@cp tests/virtio/corpus/$(1)/* $(B)/fuzz/virtio-$(1)/corpus/
	$$(Q)$(B)/host/virtio-fuzz-$(1) -max_total_time=$$(FUZZ_SECONDS) -print_final_stats=1 \
		-artifact_prefix=$(B)/fuzz/virtio-$(1)/ $(B)/fuzz/virtio-$(1)/corpus
endef
$(foreach t,$(VIRTIO_FUZZ_TARGETS),$(eval $(call virtio_fuzz_run,$(t))))
