# tests/pecheck: post-link checks of every driver image (toolchain.md §10) and
# user-mode DLL,
# with one planted-bad copy per rule and a pefile-based cross-check.
HOST_PROGS += pecheck pemutate
pecheck_SRCS := tests/pecheck/pecheck.c
pemutate_SRCS := tests/pecheck/pemutate.c
CHECKS += check-pecheck

.PHONY: check-pecheck
# Recursive (+): the images are checked in parallel by a make that takes
# its jobs from make check's pool.
check-pecheck: $(B)/host/pecheck $(B)/host/pemutate $(ALL_SYS) $(ALL_DLL) | deps-ensure
	+$(Q)PYTHON=$(PYTHON) tests/run-check pecheck tests/pecheck/run-tests.sh \
		$(OUT) $(B)/host $(B)/pecheck
