# bench/storage: viostor per 4 KiB request under the StorPort emulation
# against qemu-storage-daemon (harness scenarios of group bench-storage,
# bench/storage/harness_storage.c, built into the harness; the checks never
# run that group).
BENCHES += bench-storage
.PHONY: bench-storage
bench-storage: $(B)/host/harness $(ALL_SYS) $(HARNESS_LAYOUT)
	$(Q)bench/storage/run-bench.sh $(B)/host/harness $(OUT) $(B)
