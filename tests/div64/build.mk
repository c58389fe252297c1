# The x86 64-bit division runtime, tested on the host.
HOST_PROGS += div64-test
div64-test_SRCS := tests/div64/test.c arch/x86/div64.c

CHECKS += check-div64
check-div64: $(B)/host/div64-test
	$(Q)tests/run-check div64 $<
