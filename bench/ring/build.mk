# bench/ring: instructions per request cycle of the virtio rings (callgrind)
# and notifications / interrupts per request against the model device.

HOST_PROGS += ring-bench ring-bench-fences
ring-bench_SRCS = bench/ring/ring_bench.c tests/models/virtio/vmodel.c tests/models/virtio/vmodel_ring.c \
	tests/virtio/host_os.c $(VIRTIO_CORE_SRCS)
# The same, counting full fences (for the rates; not used for instructions)
ring-bench-fences_SRCS = $(ring-bench_SRCS)
ring-bench-fences_CFLAGS := -DVIRTIO_BENCH_FENCES

BENCHES += bench-ring
.PHONY: bench-ring
bench-ring: $(B)/host/ring-bench $(B)/host/ring-bench-fences
	$(Q)bench/ring/run-bench.sh $(B)/host/ring-bench $(B)/host/ring-bench-fences
