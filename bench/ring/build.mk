# bench/ring: instructions per request cycle of the virtio rings (callgrind)
# and notifications / interrupts per request against the model device.

HOST_PROGS += ring-bench
ring-bench_SRCS = bench/ring/ring_bench.c tests/virtio/vmodel.c tests/virtio/vmodel_ring.c \
	tests/virtio/host_os.c $(VIRTIO_CORE_SRCS)

BENCHES += bench-ring
.PHONY: bench-ring
bench-ring: $(B)/host/ring-bench
	$(Q)bench/ring/run-bench.sh $(B)/host/ring-bench
