# vioscsi: the virtio-scsi StorPort miniport.  vscsi_*.c (the configuration
# checks, the queue plan and the wire formats) include no Windows header;
# the host unit tests build them as they are (check-vioscsi).
VIOSCSI_VSCSI_SRCS := drivers/vioscsi/vscsi_config.c drivers/vioscsi/vscsi_findings.c \
	drivers/vioscsi/vscsi_queues.c \
	drivers/vioscsi/vscsi_ua.c drivers/vioscsi/vscsi_an.c drivers/vioscsi/vscsi_luns.c \
	drivers/vioscsi/vscsi_proto.c
XCOMPILE_SRCS += $(VIOSCSI_VSCSI_SRCS)

VIOSCSI_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HOST_PROGS += vioscsi-test vioscsi-test-planted
vioscsi-test_SRCS := drivers/vioscsi/tests/host/vscsi_test.c $(VIOSCSI_VSCSI_SRCS)
vioscsi-test_CFLAGS := -Itests/include -Icommon $(VIOSCSI_SAN)
vioscsi-test_LDFLAGS := $(VIOSCSI_SAN)
# A planted twin compiles with its macro only the sources that name it
# (grep; none is a header); the rest are vioscsi-test's own objects, linked as
# they are.
vioscsi-test-planted_SRCS := $(shell grep -l -w -e VSCSI_PLANTED_RESID $(vioscsi-test_SRCS))
$(B)/host/vioscsi-test-planted: $(patsubst %.c,$(B)/host/obj/vioscsi-test/%.o,$(filter-out $(vioscsi-test-planted_SRCS),$(vioscsi-test_SRCS)))
# The planted bug: the response's residual trusted, so the bytes moved wrap.
vioscsi-test-planted_CFLAGS := -Itests/include -Icommon $(VIOSCSI_SAN) -DVSCSI_PLANTED_RESID
vioscsi-test-planted_LDFLAGS := $(VIOSCSI_SAN)
HOST_PROGS += vioscsi-test-planted-numq
vioscsi-test-planted-numq_SRCS := $(shell grep -l -w -e VSCSI_PLANTED_NUMQ $(vioscsi-test_SRCS))
$(B)/host/vioscsi-test-planted-numq: $(patsubst %.c,$(B)/host/obj/vioscsi-test/%.o,$(filter-out $(vioscsi-test-planted-numq_SRCS),$(vioscsi-test_SRCS)))
# The planted bug: a num_queues no 16-bit queue index reaches taken as a count.
vioscsi-test-planted-numq_CFLAGS := -Itests/include -Icommon $(VIOSCSI_SAN) -DVSCSI_PLANTED_NUMQ
vioscsi-test-planted-numq_LDFLAGS := $(VIOSCSI_SAN)

CHECKS += check-vioscsi
.PHONY: check-vioscsi
check-vioscsi: $(B)/host/vioscsi-test $(B)/host/vioscsi-test-planted \
		$(B)/host/vioscsi-test-planted-numq
	$(Q)tests/run-check vioscsi tests/host-units.sh --unit $< \
		--planted $(word 2,$^) '^FAIL: vscsi: residual .* within the transfer' 'a residual trusted as the device wrote it' \
		--planted $(word 3,$^) '^FAIL: vscsi: num_queues 65535' 'num_queues 65535 taken as a count'

DRIVERS += vioscsi
vioscsi_ARCHES  := x86 amd64 arm64
vioscsi_SRCS    = drivers/vioscsi/driver.c drivers/vioscsi/io.c drivers/vioscsi/complete.c \
	$(VIOSCSI_VSCSI_SRCS) $(VWSTOR_VIRTIO_SRCS) $(VWSTOR_SRB_SRCS)
vioscsi_IMPORTS := ntoskrnl hal storport
