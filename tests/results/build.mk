# The result plumbing of `make check` on planted groups.
CHECKS += check-results
check-results:
	$(Q)tests/run-check results tests/results/run.sh $(B)/results-test
