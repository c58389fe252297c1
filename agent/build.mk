# The guest agent (agent/README.md): portable core in agent/core, Win32
# layer in agent/win; host unit tests against a fake OS layer.
GA_CORE_SRCS := agent/core/json.c agent/core/stream.c agent/core/agent.c agent/core/util.c \
	agent/core/b64.c agent/core/config.c agent/core/commands.c agent/core/cmd_base.c \
	agent/core/cmd_system.c agent/core/cmd_inventory.c agent/core/cmd_file.c \
	agent/core/cmd_exec.c agent/core/load.c agent/core/balloon_stats.c agent/core/disk.c \
	agent/core/cmd_ssh.c agent/core/freeze.c

GA_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HOST_PROGS += qga-test qga-test-planted
qga-test_SRCS := agent/tests/agent_test.c agent/tests/fake_os.c $(GA_CORE_SRCS)
qga-test_CFLAGS := $(GA_SAN) -Wno-format-truncation
qga-test_LDFLAGS := $(GA_SAN)
# A planted twin compiles with its macro only the sources that name it
# (grep; none is a header); the rest are qga-test's own objects, linked as
# they are.
qga-test-planted_SRCS := $(shell grep -l -w -e GA_PLANTED_NO_FLUSH $(qga-test_SRCS))
$(B)/host/qga-test-planted: $(patsubst %.c,$(B)/host/obj/qga-test/%.o,$(filter-out $(qga-test-planted_SRCS),$(qga-test_SRCS)))
# The planted bug: the stream ignores the host's 0xFF flush.
qga-test-planted_CFLAGS := $(qga-test_CFLAGS) -DGA_PLANTED_NO_FLUSH
qga-test-planted_LDFLAGS := $(GA_SAN)

CHECKS += check-qga
.PHONY: check-qga
check-qga: $(B)/host/qga-test $(B)/host/qga-test-planted $(B)/host/qvss-test \
		$(B)/host/qvss-test-planted
	$(Q)tests/run-check qga tests/host-units.sh --unit $< \
		--planted $(word 2,$^) '^FAIL: 0xFF flush drops the partial command' '0xFF flush ignored' \
		--unit $(word 3,$^) \
		--planted $(word 4,$^) '^FAIL: CommitSnapshots waits at most 10 s' 'provider holds past 10 s'

# qemu-ga.exe for each arch: out/<arch>/qemu-ga/qemu-ga.exe (+ .pdb).  No C
# runtime: win/rt.c has the few string routines, common/runtime/dllentry.c
# the stack-protector runtime; imports come from win/imports.txt (DLL,
# function, bytes of arguments for x86 stdcall names), made into one
# import library per DLL and arch by llvm-dlltool.
GA_ARCHES := x86 amd64 arm64
GA_WIN_SRCS := agent/win/main.c agent/win/channel.c agent/win/service.c agent/win/util_win.c \
	agent/win/os_sys.c agent/win/os_inventory.c agent/win/os_file.c agent/win/os_exec.c \
	agent/win/os_load.c agent/win/os_power.c agent/win/os_devices.c agent/win/os_disks.c agent/win/os_ssh.c \
	agent/win/balloon_win.c agent/win/vss_requester.c agent/win/vss_install.c agent/win/rt.c \
	common/runtime/dllentry.c
GA_DLLS := kernel32 advapi32 shell32 iphlpapi wtsapi32 ntdll pdh cfgmgr32 powrprof netapi32 \
	setupapi ole32 oleaut32
GA_CFLAGS := -fno-builtin -DGA_VERSION='"$(VERSION)"'
GA_LDFLAGS := -lldmingw /auto-import:no /runtime-pseudo-reloc:no /subsystem:console,10.0 \
	/entry:VwAgentEntry /nodefaultlib /dynamicbase /nxcompat /Brepro /release /opt:ref /opt:icf \
	/debug /pdbaltpath:%_PDB% /pdbsourcepath:c:\\virtio-win
GA_EXES := $(foreach a,$(GA_ARCHES),$(OUT)/$(a)/qemu-ga/qemu-ga.exe)
USER_SRCS += $(GA_CORE_SRCS) $(GA_WIN_SRCS)
# Its own precompiled <windows.h> (GNUmakefile: PCH): GA_CFLAGS.
UPCH_SETS += qga
qga_UPCH_CC = $(CLANG) $(UCFLAGS_$(1)) $(UCFLAGS) $(GA_CFLAGS)
qga_UPCH_ODIRS := qga
qga_UPCH_DEPS := agent/build.mk

# $(1) = arch
define ga_rules
ga_$(1)_OBJS := $$(patsubst %.c,$(B)/$(1)/qga/%.o,$$(GA_CORE_SRCS) $$(GA_WIN_SRCS) \
	$$(if $$(filter x86,$(1)),arch/x86/div64.c))
ga_$(1)_LIBS := $$(patsubst %,$(B)/$(1)/qga/lib%.a,$$(GA_DLLS))
$(B)/$(1)/qga/%.o: %.c $$(FLAGS_FILES) arch/$(1)/arch.mk agent/build.mk | deps-ensure
	@mkdir -p $$(@D)
	$$(if $(Q),@echo '  UCC     $(1)/$$<')
	$(Q)$(CLANG) $$(UCFLAGS_$(1)) $$(UCFLAGS) $$(GA_CFLAGS) \
		$$(call upch_set,$(1),$$<,qga) \
		-Xclang -object-file-name=$$@ -MMD -MP -c $$< -o $$@
$(B)/$(1)/qga/%.def: agent/win/imports.txt agent/win/mkdef.sh
	@mkdir -p $$(@D)
	$(Q)agent/win/mkdef.sh $$* $(1) <$$< >$$@
$(B)/$(1)/qga/lib%.a: $(B)/$(1)/qga/%.def | deps-ensure
	$(Q)$$(DLLTOOL) $$(DLLTOOL_$(1)) -d $$< -l $$@
$(OUT)/$(1)/qemu-ga/qemu-ga.exe: $$(ga_$(1)_OBJS) $$(ga_$(1)_LIBS)
	@mkdir -p $$(@D)
	$$(if $(Q),@echo '  LINK    $$@')
	$(Q)$$(LLD_LINK) $$(GA_LDFLAGS) $$(ULDFLAGS_$(1)) /pdb:$$(@:.exe=.pdb) /out:$$@ $$^
DEPFILES += $$(ga_$(1)_OBJS:.o=.d)
endef
$(foreach a,$(GA_ARCHES),$(eval $(call ga_rules,$(a))))

# qga-vss.dll for each arch: out/<arch>/qemu-ga/qga-vss.dll (+ .pdb), our
# VSS provider (agent/vss/), an in-process COM server without C runtime
# built like viorngum.dll (exports from agent/vss/qga-vss.def, imports from
# agent/vss/imports.txt through agent/win/mkdef.sh).
QVSS_SRCS := agent/vss/provider.c agent/vss/provider_win.c common/runtime/dllentry.c
USER_SRCS += $(QVSS_SRCS)
user_UPCH_ODIRS += qvss
QVSS_DLLS := $(foreach a,$(GA_ARCHES),$(OUT)/$(a)/qemu-ga/qga-vss.dll)

# $(1) = arch
define qvss_rules
qvss_$(1)_OBJS := $$(patsubst %.c,$(B)/$(1)/qvss/%.o,$$(QVSS_SRCS))
$(B)/$(1)/qvss/%.o: %.c $$(FLAGS_FILES) arch/$(1)/arch.mk agent/build.mk | deps-ensure
	@mkdir -p $$(@D)
	$$(if $(Q),@echo '  UCC     $(1)/$$<')
	$(Q)$(CLANG) $$(UCFLAGS_$(1)) $$(UCFLAGS) \
		$$(call upch_set,$(1),$$<,user) \
		-Xclang -object-file-name=$$@ -MMD -MP -c $$< -o $$@
$(B)/$(1)/qvss/kernel32.def: agent/vss/imports.txt agent/win/mkdef.sh
	@mkdir -p $$(@D)
	$(Q)agent/win/mkdef.sh kernel32 $(1) <$$< >$$@
$(B)/$(1)/qvss/libkernel32.a: $(B)/$(1)/qvss/kernel32.def | deps-ensure
	$(Q)$$(DLLTOOL) $$(DLLTOOL_$(1)) -d $$< -l $$@
$(OUT)/$(1)/qemu-ga/qga-vss.dll: $$(qvss_$(1)_OBJS) $(B)/$(1)/qvss/libkernel32.a agent/vss/qga-vss.def
	@mkdir -p $$(@D)
	$$(if $(Q),@echo '  LINK    $$@')
	$(Q)$$(LLD_LINK) $$(ULDFLAGS) $$(ULDFLAGS_$(1)) /def:agent/vss/qga-vss.def \
		/pdb:$$(@:.dll=.pdb) /out:$$@ $$(qvss_$(1)_OBJS) $(B)/$(1)/qvss/libkernel32.a
DEPFILES += $$(qvss_$(1)_OBJS:.o=.d)
endef
$(foreach a,$(GA_ARCHES),$(eval $(call qvss_rules,$(a))))

# The provider's logic on the host (state, time-out, bad calls), and a
# planted bug (the provider waits for thaw past the hold limit), which
# must fail.
HOST_PROGS += qvss-test qvss-test-planted
qvss-test_SRCS := agent/vss/tests/provider_test.c agent/vss/provider.c
qvss-test_CFLAGS := $(GA_SAN)
qvss-test_LDFLAGS := $(GA_SAN)
qvss-test-planted_SRCS := $(qvss-test_SRCS)
qvss-test-planted_CFLAGS := $(GA_SAN) -DQVSS_PLANTED_HOLD_MS=60000u
qvss-test-planted_LDFLAGS := $(GA_SAN)

drivers: $(GA_EXES) $(QVSS_DLLS)
.PHONY: qemu-ga
qemu-ga: $(GA_EXES) $(QVSS_DLLS)

# The real agent under Wine (agent/tests/wine.sh).  wine32:i386 (for the
# x86 run) needs the i386 architecture in dpkg; without it that run is a
# skip.
DEBS += wine wine64
CHECKS += check-qga-wine
.PHONY: check-qga-wine
check-qga-wine: $(OUT)/amd64/qemu-ga/qemu-ga.exe $(OUT)/x86/qemu-ga/qemu-ga.exe
	$(Q)tests/run-check qga-wine agent/tests/wine.sh $(B) $^

# The agent's MSIs, under upstream's names: out/guest-agent/qemu-ga-x86_64.msi,
# qemu-ga-i386.msi, qemu-ga-aarch64.msi (installer/msi/mkagentmsi.py, on
# mkmsi.py's machinery), each carrying its arch's signed qemu-ga.exe and
# Authenticode-signed like the gt MSIs.  They go to guest-agent/ on the ISO
# and in the RPM (packaging/drivers.json "guest_agent") and into
# virtio-win-guest-tools.exe (installer/build.mk: GT_AGENT_MSI_<arch>).
QGA_MSI_DIR := $(OUT)/guest-agent
QGA_MSI_x86 := $(QGA_MSI_DIR)/qemu-ga-i386.msi
QGA_MSI_amd64 := $(QGA_MSI_DIR)/qemu-ga-x86_64.msi
QGA_MSI_arm64 := $(QGA_MSI_DIR)/qemu-ga-aarch64.msi
QGA_MSIS := $(foreach a,$(GA_ARCHES),$(QGA_MSI_$(a)))

ifneq ($(strip $(PACKAGES)),)
.PHONY: qga-msi
qga-msi: $(QGA_MSIS)
all: qga-msi

# $(1) = arch
define qga_msi_rules
$(B)/qga-msi/$(1)/qemu-ga.exe: $(OUT)/$(1)/qemu-ga/qemu-ga.exe $(SIGN_KEY_DEP) $(SIGN_TOOLS) \
		| sign-key-check
	@mkdir -p $$(@D)
	$$(if $(Q),@echo '  SIGN    $$@')
	$(Q)sign/signfile.sh $$< $$@ "QEMU guest agent"

$(B)/qga-msi/$(1)/qga-vss.dll: $(OUT)/$(1)/qemu-ga/qga-vss.dll $(SIGN_KEY_DEP) $(SIGN_TOOLS) \
		| sign-key-check
	@mkdir -p $$(@D)
	$$(if $(Q),@echo '  SIGN    $$@')
	$(Q)sign/signfile.sh $$< $$@ "QEMU guest agent VSS provider"

$(B)/qga-msi/$(1)/unsigned.msi: $(B)/qga-msi/$(1)/qemu-ga.exe $(B)/qga-msi/$(1)/qga-vss.dll \
		installer/msi/mkagentmsi.py installer/msi/mkmsi.py agent/vss/qga_vss.h $(EPOCH_STAMP) \
		VERSION | deps-ensure
	$$(if $(Q),@echo '  MSI     $$@')
	$(Q)$(PYTHON) installer/msi/mkagentmsi.py $$< $(1) $$@ --version $(VERSION) \
		--epoch $(SOURCE_DATE_EPOCH) --work $(B)/qga-msi/$(1)/msi \
		--vss-dll $(B)/qga-msi/$(1)/qga-vss.dll

$(QGA_MSI_$(1)): $(B)/qga-msi/$(1)/unsigned.msi $(SIGN_KEY_DEP) $(SIGN_TOOLS) | sign-key-check
	@mkdir -p $$(@D)
	$$(if $(Q),@echo '  SIGN    $$@')
	$(Q)sign/signfile.sh $$< $$@ "QEMU guest agent"
endef
$(foreach a,$(GA_ARCHES),$(eval $(call qga_msi_rules,$(a))))

# The ISO's staging tree carries them in guest-agent/.
$(B)/iso/root.stamp: $(QGA_MSIS)

# Tables and contents (msiinfo), rebuilt elsewhere bit-identical, planted
# defects caught.
CHECKS += check-qga-msi
.PHONY: check-qga-msi
check-qga-msi: $(QGA_MSIS) | deps-ensure
	$(Q)PYTHON=$(PYTHON) tests/run-check qga-msi installer/tests/agent-msi.sh $(B)/qga-msi-test \
		$(VERSION) $(foreach a,$(GA_ARCHES),$(a):$(QGA_MSI_$(a)):$(B)/qga-msi/$(a)/qemu-ga.exe:$(B)/qga-msi/$(a)/unsigned.msi:$(B)/qga-msi/$(a)/qga-vss.dll)

# Wine's msiexec installs the x64 MSI over a stand-in for upstream's agent,
# registers and starts the service, and removes it all again.
CHECKS += check-qga-msi-wine
.PHONY: check-qga-msi-wine
check-qga-msi-wine: $(QGA_MSIS) $(B)/qga-msi/x86/qemu-ga.exe | deps-ensure
	$(Q)PYTHON=$(PYTHON) tests/run-check qga-msi-wine installer/tests/agent-wine.sh \
		$(B)/qga-msi-wine-test $(VERSION) $(QGA_MSI_amd64) $(B)/qga-msi/amd64/qemu-ga.exe \
		$(QGA_MSI_x86) $(B)/qga-msi/x86/qemu-ga.exe $(B)/qga-msi/amd64/qga-vss.dll \
		$(B)/qga-msi/x86/qga-vss.dll
endif
