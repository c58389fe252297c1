# bench/net: NetKVM per packet and its receive memory under the NDIS
# emulation on the in-process net model (harness scenarios of group
# bench-net, bench/net/harness_net.c, built into the harness).
# make bench-net: the tables (amd64; BENCH_NET_ARCH=x86 or arm64 for another).
# make check-bench-net (in make check): the short set on every arch, each
# run passing and its figures sane (bench/net/check.sh, validate.awk).
BENCH_NET_ARCH ?= amd64
BENCHES += bench-net
.PHONY: bench-net check-bench-net
bench-net: $(B)/host/harness $(ALL_SYS) $(HARNESS_LAYOUT)
	$(Q)bench/net/run-bench.sh $(B)/host/harness $(OUT) $(B) $(BENCH_NET_ARCH)

CHECKS += check-bench-net
check-bench-net: $(B)/host/harness $(ALL_SYS) $(HARNESS_LAYOUT)
	$(Q)tests/run-check bench-net bench/net/check.sh $(B)/host/harness $(OUT) $(B)
