BENCHES += bench-build
bench-build:
	$(Q)bench/build/run.sh $(B)
