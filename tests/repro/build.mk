# Bit-identical drivers from two other source directories.
CHECKS += check-repro
check-repro: $(ALL_SYS)
	$(Q)tests/run-check repro tests/repro/run.sh $(B)
