# make check: every test group (CHECKS, appended by the fragments), then the
# summary.  Kept out of GNUmakefile, whose changes rebuild every object.
# Every group runs even when one fails (-k); a group whose prerequisites
# failed to build leaves no log and so counts as failed in the summary.
# Groups run CHECK_JOBS at a time (default: one per core), the slowest
# started first (measured CPU and wall: the second build that check-repro
# starts and check-harness, then check-sign; check-rpm as soon as the
# second build it shares with check-repro is there), so that the last
# groups to end are short ones; each group's output is printed whole when it ends
# (tests/run-check with CHECK_GROUPED=1; -O for the build steps).
# The recipe is recursive (+): the makes the groups run themselves (the
# second build of check-repro, the rebuilds of check-sign) take their jobs
# from the same pool, so the machine is never asked for more than
# CHECK_JOBS at once.
CHECK_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CHECK_FIRST := check-repro check-harness check-sign check-rpm check-harness-cpus64 check-pecheck \
	check-gt-wine check-qga-msi-wine check-qga-wine check-wine-inf check-virtio-san check-virtio-fuzz
CHECK_ORDER = $(foreach c,$(CHECK_FIRST),$(filter $(c),$(CHECKS))) $(filter-out $(CHECK_FIRST),$(CHECKS))
check:
	@rm -rf $(B)/check
	@mkdir -p $(B)/check
	@date +%s >$(B)/check/started
	+@CHECK_GROUPED=1 $(MAKE) --no-print-directory -k -j$(CHECK_JOBS) -Otarget $(CHECK_ORDER) || true
	@tests/summary --since $(B)/check/started --build second $(B)/second $(patsubst check-%,$(B)/check/%.log,$(CHECKS))
