# Every INF opened by Wine's setupapi (tests/wine/run.sh): infcheck.exe, an
# x86_64 console program built like our user-mode DLLs (UCFLAGS, no C
# runtime; the stack-protector runtime comes from dllentry.c), run under
# Debian's wine64 with a private prefix under $(B)/wine.
INFCHECK := $(B)/amd64/tests/infcheck.exe
INFCHECK_LIBS := $(B)/amd64/tests/libkernel32.a $(B)/amd64/tests/libsetupapi.a

$(B)/amd64/tests/lib%.a: tests/wine/%.def | deps-ensure
	@mkdir -p $(@D)
	$(Q)$(DLLTOOL) $(DLLTOOL_amd64) -d $< -l $@

$(INFCHECK): $(B)/amd64/uobj/tests/wine/infcheck.o $(B)/amd64/uobj/common/runtime/dllentry.o \
		$(INFCHECK_LIBS)
	@mkdir -p $(@D)
	$(if $(Q),@echo '  LINK    $@')
	$(Q)$(LLD_LINK) -lldmingw /auto-import:no /runtime-pseudo-reloc:no /subsystem:console,10.0 \
		/entry:VwInfCheckMain /nodefaultlib /dynamicbase /nxcompat /Brepro /machine:x64 \
		/out:$@ $^

ifneq ($(strip $(PACKAGES)),)
CHECKS += check-wine-inf
.PHONY: check-wine-inf
check-wine-inf: $(INFCHECK) $(PACKAGES) | deps-ensure
	$(Q)tests/run-check wine-inf tests/wine/run.sh $(INFCHECK) $(OUT) $(B)/wine $(B)/wine-test
endif
