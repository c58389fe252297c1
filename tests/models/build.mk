# tests/models: device models shared by the harness, the virtio unit tests
# and the benchmarks.  Here: the virtio-scsi model's host tests (check-scsimodel),
# driven through the virtio core, against the in-process target and against
# a private tgtd through libiscsi (a missing tgtd fails).
#
# Recursive (=) on purpose: VIRTIO_MODEL_SRCS and VIRTIO_CORE_SRCS come from
# other fragments.

SCSI_MODEL_SRCS = tests/models/virtio/vmodel_scsi.c tests/models/scsi/mem_target.c \
	tests/models/scsi/iscsi_target.c tests/models/scsi/tgt_fixture.c
HOST_PROGS += scsimodel-test
scsimodel-test_SRCS = tests/models/scsi/test_main.c tests/virtio/vtest_run.c tests/models/scsi/test_mem.c \
	tests/models/scsi/test_rules.c tests/models/scsi/test_tgt.c tests/models/scsi/rig.c \
	tests/virtio/bed.c $(SCSI_MODEL_SRCS) $(VIRTIO_MODEL_SRCS) $(VIRTIO_CORE_SRCS)
scsimodel-test_LDLIBS := -liscsi
# make check runs it under ASan/UBSan: the model parses what hostile drivers
# and back ends hand it
HOST_PROGS += scsimodel-test-san
scsimodel-test-san_SRCS = $(scsimodel-test_SRCS)
scsimodel-test-san_CFLAGS := $(VIRTIO_SAN)
scsimodel-test-san_LDFLAGS := $(VIRTIO_SAN)
scsimodel-test-san_LDLIBS := -liscsi

CHECKS += check-scsimodel
.PHONY: check-scsimodel
check-scsimodel: $(B)/host/scsimodel-test-san
	$(Q)SCSI_TGT_DIR=$(B)/scsimodel tests/run-check scsimodel $(B)/host/scsimodel-test-san

# The virtio-net model's host tests (check-netmodel): transmit, receive and the control
# queue driven through the virtio core, under ASan/UBSan.
NET_MODEL_SRCS = tests/models/virtio/vmodel_net.c tests/models/virtio/vmodel_net_tx.c \
	tests/models/virtio/vmodel_net_rx.c tests/models/virtio/vmodel_net_ctrl.c \
	tests/models/virtio/vmodel_net_pkt.c tests/models/model_report.c
HOST_PROGS += netmodel-test-san
netmodel-test-san_SRCS = tests/models/net/test_main.c tests/virtio/vtest_run.c tests/models/net/test_tx.c \
	tests/models/net/test_rx.c tests/models/net/test_ctrl.c tests/models/net/rig.c \
	tests/models/net/frames.c tests/virtio/bed.c $(NET_MODEL_SRCS) $(VIRTIO_MODEL_SRCS) \
	$(VIRTIO_CORE_SRCS)
netmodel-test-san_CFLAGS := $(VIRTIO_SAN)
netmodel-test-san_LDFLAGS := $(VIRTIO_SAN)

CHECKS += check-netmodel
.PHONY: check-netmodel
check-netmodel: $(B)/host/netmodel-test-san
	$(Q)tests/run-check netmodel $(B)/host/netmodel-test-san
