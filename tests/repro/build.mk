# Bit-identical outputs from two other source directories.
CHECKS += check-repro
check-repro: all
	$(Q)tests/run-check repro tests/repro/run.sh $(B)
