# Kernel structure layouts on every arch (see compare.c).
HOST_PROGS += layout-compare
layout-compare_SRCS := tests/layout/compare.c

LAYOUT_BINS := $(foreach a,$(ARCHES),$(B)/layout/$(a).bin)

layout_dump = $(OBJCOPY) --dump-section=.vwlay=$@ $< $@.tmp && rm -f $@.tmp
doc_dump = $(OBJCOPY) --dump-section=.vwdoc=$@ $< $@.tmp && rm -f $@.tmp
$(B)/layout/%.bin: $(B)/%/obj/tests/layout/probe.o
	@mkdir -p $(@D)
	$(Q)$(layout_dump)
$(B)/layout/arm64-planted.bin: $(B)/layout/arm64-planted.o
	$(Q)$(layout_dump)

# Planted bug: ARM64 headers generated without the 64-bit layout rule (the
# pshpack4 path for IO_STACK_LOCATION).  compare must catch it.
$(B)/layout/planted-ddk/wdm.h: $(B)/arm64/ddk/wdm.h tests/layout/build.mk
	@mkdir -p $(@D)
	$(Q)perl -0pe 's/ && !defined\(_ARM64_\)(\n#include <(pshpack4|poppack)\.h>)/$$1/g' $< >$@
	$(Q)cp $(B)/arm64/ddk/ntddk.h $(@D)/ntddk.h
	$(Q)! cmp -s $< $@ || { echo "layout: planting the bad header changed nothing" >&2; exit 1; }

$(B)/layout/arm64-planted.o: tests/layout/probe.c tests/layout/layout-list.h $(B)/layout/planted-ddk/wdm.h
	$(Q)$(call kcc,arm64,-isystem $(B)/layout/planted-ddk) -c $< -o $@

# Microsoft's documented declarations (documented.h), compiled for the
# Windows targets with the MSVC layout rules and no Windows headers at all:
# only the compiler's own stddef.h/stdint.h.
DOC_TARGET_x86   := i686-pc-windows-msvc
DOC_TARGET_amd64 := x86_64-pc-windows-msvc
doc_cc = $(CLANG) --target=$(DOC_TARGET_$(1)) -std=c11 -ffreestanding -nostdinc \
	-isystem $(CLANG_RES)/include -Wall -Wextra -Werror $(2)
DOC_DEPS := tests/layout/documented.c tests/layout/documented.h tests/layout/documented-list.h
DOC_BINS := $(B)/layout/doc-x86.bin $(B)/layout/doc-amd64.bin
$(B)/layout/doc-%.o: $(DOC_DEPS) | deps-ensure
	@mkdir -p $(@D)
	$(Q)$(call doc_cc,$*) -c $< -o $@
$(B)/layout/doc-%.bin: $(B)/layout/doc-%.o
	$(Q)$(doc_dump)

# Planted bug: the documented table with IRP.IoStatus moved by 8 bytes (a
# member inserted before it on amd64).  compare must fail, naming it.
$(B)/layout/doc-amd64-planted.o: $(DOC_DEPS) | deps-ensure
	@mkdir -p $(@D)
	$(Q)$(call doc_cc,amd64,-DVW_PLANTED_IOSTATUS) -c $< -o $@
$(B)/layout/doc-amd64-planted.bin: $(B)/layout/doc-amd64-planted.o
	$(Q)$(doc_dump)

# probe.o is built by the generic kernel rule; its header dependencies
# (layout-list.h, the generated ddk headers) come from the .d files.
DEPFILES += $(foreach a,$(ARCHES),$(B)/$(a)/obj/tests/layout/probe.d)

CHECKS += check-layout
check-layout: $(B)/host/layout-compare $(LAYOUT_BINS) $(B)/layout/arm64-planted.bin $(DOC_BINS) \
		$(B)/layout/doc-amd64-planted.bin
	$(Q)tests/run-check layout tests/layout/run.sh $(B)
