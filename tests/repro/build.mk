# Bit-identical outputs from a second build (the one check-dist uses too,
# packaging/build.mk) and a planted build without /Brepro.
CHECKS += check-repro
check-repro: $(SECOND_BUILD)
	$(Q)tests/run-check repro tests/repro/run.sh $(B)/second
