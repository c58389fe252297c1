# The driver-in-the-loop harness: real .sys images on unicorn against a fake
# kernel (tests/harness/), scenarios in drivers/*/tests/, planted-bug test
# drivers in tests/harness/bad/ that every checker must flag.
#
#   make harness                          every scenario on every arch
#   make harness DRIVER=pvpanic ARCH=x86  a subset
#   make check-harness                    the same as a check group

HOST_PROGS += harness
harness_SRCS := $(wildcard tests/harness/*.c tests/harness/selftest/*.c drivers/*/tests/*.c)
harness_CFLAGS := -Itests/harness
harness_LDLIBS := -lunicorn -lcapstone -lpthread

# Planted bugs, one per checker (kernel sources in tests/harness/bad/, their scenarios in
# tests/harness/selftest/).
TEST_DRIVERS += badirql badleak badimport
badirql_SRCS    := tests/harness/bad/badirql.c
badleak_SRCS    := tests/harness/bad/badleak.c
badimport_SRCS  := tests/harness/bad/badimport.c
badirql_ARCHES   := x86 amd64 arm64
badleak_ARCHES   := x86 amd64 arm64
badimport_ARCHES := x86 amd64 arm64
badirql_IMPORTS   := ntoskrnl hal
badleak_IMPORTS   := ntoskrnl hal
badimport_IMPORTS := ntoskrnl hal

HARNESS_TESTDRV := $(foreach d,badirql badleak badimport,$(foreach a,$($(d)_ARCHES),$(B)/$(a)/testdrv/$(d)/$(d).sys))
# The layout tables (tests/layout/build.mk, included after this file).
HARNESS_LAYOUT := $(foreach a,$(ARCHES),$(B)/layout/$(a).bin)
HARNESS_ARGS = --out $(OUT) --build $(B) --driver "$(DRIVER)" --arch "$(ARCH)"

.PHONY: harness check-harness
harness: $(B)/host/harness $(ALL_SYS) $(HARNESS_TESTDRV) $(HARNESS_LAYOUT)
	$(Q)$(B)/host/harness $(HARNESS_ARGS)

CHECKS += check-harness
check-harness: $(B)/host/harness $(ALL_SYS) $(HARNESS_TESTDRV) $(HARNESS_LAYOUT)
	$(Q)tests/run-check harness $(B)/host/harness $(HARNESS_ARGS)
