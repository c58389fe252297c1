# Windows constants pinned to Microsoft's documented values (see README.md):
# the table compiled against the drivers' headers once per arch (drivers.c,
# its values in section .vwconst) and against the harness's headers (in
# compare.c); a planted compare with wrong documented values must fail.
CONSTANTS_CFLAGS = -I$(B)/constants -Itests/harness/include -Itests/harness/machine -Itests/harness/port/storport \
	$(patsubst %,-Itests/harness/%,$(HARNESS_PARTS)) -Itests/models -Itests/models/virtio
HOST_PROGS += constants-compare constants-planted
constants-compare_SRCS := tests/constants/compare.c
constants-compare_CFLAGS = $(CONSTANTS_CFLAGS)
# The same source under another object directory, with planted.h's values.
constants-planted_SRCS := tests/constants/compare.c
constants-planted_CFLAGS = $(CONSTANTS_CFLAGS) -DVW_CONSTANTS_PLANTED

# The harness's Windows constants defined in .c files (harness-local.txt),
# renamed so compare.c can include them all at once.
HARNESS_LOCAL_SRCS := $(shell sed -e 's/\#.*//' tests/constants/harness-local.txt | awk 'NF { print $$1 }' | sort -u)
$(B)/constants/harness-local.h: tests/constants/harness-local.sh tests/constants/harness-local.txt \
		$(HARNESS_LOCAL_SRCS)
	@mkdir -p $(@D)
	$(Q)tests/constants/harness-local.sh . >$@.tmp && mv $@.tmp $@
$(B)/host/obj/constants-compare/tests/constants/compare.o \
	$(B)/host/obj/constants-planted/tests/constants/compare.o: $(B)/constants/harness-local.h

CONSTANT_BINS := $(foreach a,$(ARCHES),$(B)/constants/$(a).bin)
$(B)/constants/%.bin: $(B)/%/obj/tests/constants/drivers.o
	@mkdir -p $(@D)
	$(Q)$(OBJCOPY) --dump-section=.vwconst=$@ $< $@.tmp && rm -f $@.tmp
DEPFILES += $(foreach a,$(ARCHES),$(B)/$(a)/obj/tests/constants/drivers.d)

CHECKS += check-constants
check-constants: $(B)/host/constants-compare $(B)/host/constants-planted $(CONSTANT_BINS)
	$(Q)tests/run-check constants tests/constants/run.sh $(B) $(ARCHES)

# Planted header: common/include/vw/storport.h with SRB_STATUS_UNEXPECTED_BUS_FREE
# 0x0c (the value it once had; srb.h says 0x13), found first on the include
# path of an amd64 drivers.o.  compare must fail, naming it.
$(B)/constants/planted-inc/vw/storport.h: common/include/vw/storport.h tests/constants/build.mk
	@mkdir -p $(@D)
	$(Q)sed -E 's/^(#define SRB_STATUS_UNEXPECTED_BUS_FREE +)0x13/\10x0c/' $< >$@
	$(Q)! cmp -s $< $@ || { echo "constants: planting the bad header changed nothing" >&2; exit 1; }
$(B)/constants/amd64-planted.o: tests/constants/drivers.c tests/constants/table.h \
		$(B)/constants/planted-inc/vw/storport.h $(KGEN_amd64) | deps-ensure
	$(Q)$(call kcc,amd64,-I$(B)/constants/planted-inc) -c $< -o $@
$(B)/constants/amd64-planted.bin: $(B)/constants/amd64-planted.o
	$(Q)$(OBJCOPY) --dump-section=.vwconst=$@ $< $@.tmp && rm -f $@.tmp
check-constants: $(B)/constants/amd64-planted.bin
