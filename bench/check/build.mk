# bench-check: the wall time of make check and of each group (bench/check/run.sh).
BENCHES += bench-check
.PHONY: bench-check
bench-check:
	+$(Q)bench/check/run.sh $(B)
