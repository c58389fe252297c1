# Windows constants pinned to Microsoft's documented values (see README.md):
# the table compiled against the drivers' headers once per arch (drivers.c,
# its values in section .vwconst) and against the harness's headers (in
# compare.c).
CONSTANTS_CFLAGS = -Itests/harness/include -Itests/harness/machine -Itests/harness/port/storport \
	$(patsubst %,-Itests/harness/%,$(HARNESS_PARTS)) -Itests/models -Itests/models/virtio
HOST_PROGS += constants-compare
constants-compare_SRCS := tests/constants/compare.c
constants-compare_CFLAGS = $(CONSTANTS_CFLAGS)

CONSTANT_BINS := $(foreach a,$(ARCHES),$(B)/constants/$(a).bin)
$(B)/constants/%.bin: $(B)/%/obj/tests/constants/drivers.o
	@mkdir -p $(@D)
	$(Q)$(OBJCOPY) --dump-section=.vwconst=$@ $< $@.tmp && rm -f $@.tmp
DEPFILES += $(foreach a,$(ARCHES),$(B)/$(a)/obj/tests/constants/drivers.d)

CHECKS += check-constants
check-constants: $(B)/host/constants-compare $(CONSTANT_BINS)
	$(Q)tests/run-check constants tests/constants/run.sh $(B) $(ARCHES)
