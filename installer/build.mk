# The guest tools (installer/README.md): the custom action DLL vwgtca.dll
# per arch, the gt MSIs per arch, the virtio-win-guest-tools.exe bundle.

# vwgtca.dll: the MSI's driver-store custom action (installer/ca/).  Built
# like viorngum.dll; out/<arch>/installer/vwgtca.dll.
UDLLS += vwgtca
vwgtca_ARCHES  := x86 amd64 arm64
vwgtca_PACKAGE := installer
vwgtca_SRCS    := installer/ca/gtca.c installer/ca/gtca_win.c
vwgtca_IMPORTS := kernel32 advapi32 setupapi newdev msi crypt32
vwgtca_DEF     := installer/ca/vwgtca.def

HOST_PROGS += gtca-test gtca-test-planted
gtca-test_SRCS := installer/ca/tests/gtca_test.c installer/ca/gtca.c
gtca-test_CFLAGS := -Itests/include
gtca-test-planted_SRCS := $(gtca-test_SRCS)
# The planted bug: an undo that leaves the packages in the driver store.
gtca-test-planted_CFLAGS := -Itests/include -DGT_PLANTED_KEEP_ON_UNDO

CHECKS += check-gtca
.PHONY: check-gtca
check-gtca: $(B)/host/gtca-test $(B)/host/gtca-test-planted
	$(Q)tests/run-check gtca tests/host-units.sh --unit $< \
		--planted $(word 2,$^) '^FAIL: .*mid-way' 'undo keeps packages'

# The GNUmakefile computes ALL_DLL before this fragment is read: add ours
# so that `make`, check-pecheck and the symbols tarball see it.
ALL_DLL += $(foreach a,$(vwgtca_ARCHES),$(OUT)/$(a)/installer/vwgtca.dll)

# The gt MSIs: out/installer/virtio-win-gt-{x64,x86,arm64}.msi, generated
# from packaging/drivers.json by installer/msi/mkmsi.py (msibuild + gcab),
# each carrying its arch's signed CA DLL, then Authenticode-signed like the
# drivers.  Test-CA builds carry the CA certificate (installed only with
# INSTALLTESTCA=1).
GT_ARCHES := x86 amd64 arm64
GT_DIR    := $(OUT)/installer
gt_msi_arch = $(if $(filter amd64,$(1)),x64,$(1))
GT_MSIS   := $(foreach a,$(GT_ARCHES),$(GT_DIR)/virtio-win-gt-$(call gt_msi_arch,$(a)).msi)
GT_META   := packaging/drivers.json

ifneq ($(strip $(PACKAGES)),)
.PHONY: gt-msi
gt-msi: $(GT_MSIS)
all: gt-msi

# $(1) = arch
define gt_msi_rules
$(B)/installer/$(1)/vwgtca.dll: $(OUT)/$(1)/installer/vwgtca.dll $(SIGN_KEY_DEP) $(SIGN_TOOLS) \
		| sign-key-check
	@mkdir -p $$(@D)
	$$(if $(Q),@echo '  SIGN    $$@')
	$(Q)sign/signfile.sh $$< $$@ "virtio-win guest tools"

$(B)/installer/$(1)/unsigned.msi: $(GT_META) installer/msi/mkmsi.py $(PACKAGES) \
		$(B)/installer/$(1)/vwgtca.dll $(SIGN_CA_CERT) $(EPOCH_STAMP) VERSION | deps-ensure
	$$(if $(Q),@echo '  MSI     $$@')
	$(Q)$(PYTHON) installer/msi/mkmsi.py $(GT_META) $(OUT) $(1) $$@ \
		--ca $(B)/installer/$(1)/vwgtca.dll --version $(VERSION) --epoch $(SOURCE_DATE_EPOCH) \
		--work $(B)/installer/$(1)/msi $(if $(SIGN_CA_CERT),--cert $(SIGN_CA_CERT))

$(GT_DIR)/virtio-win-gt-$(call gt_msi_arch,$(1)).msi: $(B)/installer/$(1)/unsigned.msi \
		$(SIGN_KEY_DEP) $(SIGN_TOOLS) | sign-key-check
	@mkdir -p $$(@D)
	$$(if $(Q),@echo '  SIGN    $$@')
	$(Q)sign/signfile.sh $$< $$@ "virtio-win guest tools"
endef
$(foreach a,$(GT_ARCHES),$(eval $(call gt_msi_rules,$(a))))
endif

ifneq ($(strip $(PACKAGES)),)
CHECKS += check-gt-msi
.PHONY: check-gt-msi
check-gt-msi: $(GT_MSIS) | deps-ensure
	$(Q)PYTHON=$(PYTHON) tests/run-check gt-msi installer/tests/msi.sh $(GT_META) $(OUT) \
		$(VERSION) $(B)/gt-msi-test '$(SIGN_CA_CERT)' \
		$(foreach a,$(GT_ARCHES),$(a):$(GT_DIR)/virtio-win-gt-$(call gt_msi_arch,$(a)).msi:$(B)/installer/$(a)/vwgtca.dll:$(B)/installer/$(a)/unsigned.msi)
endif

# Wine installs and removes the MSIs (installer/tests/wine.sh).
ifneq ($(strip $(PACKAGES)),)
CHECKS += check-gt-wine
.PHONY: check-gt-wine
check-gt-wine: $(GT_MSIS) | deps-ensure
	$(Q)PYTHON=$(PYTHON) tests/run-check gt-wine installer/tests/wine.sh $(B)/gt-wine-test \
		$(GT_META) $(OUT) $(GT_DIR)/virtio-win-gt-x64.msi $(GT_DIR)/virtio-win-gt-x86.msi \
		$(B)/installer/amd64/vwgtca.dll $(VERSION) $(SIGN_CA_CERT)
endif

# virtio-win-guest-tools.exe (installer/boot/): one x86 console image that
# carries the three gt MSIs (and GT_AGENT_MSI_<arch>, the guest agent's MSI,
# when set: the hook for the agent's installer) as RCDATA resources, signed
# like the drivers.  An x64 build of the same source is made for the Wine
# test on machines that cannot run i386 programs.
GT_EXE := $(GT_DIR)/virtio-win-guest-tools.exe
# The guest agent's MSIs (agent/build.mk); set GT_AGENT_MSI_<arch>= to
# leave one out.
GT_AGENT_MSI_x86 ?= $(QGA_MSI_x86)
GT_AGENT_MSI_amd64 ?= $(QGA_MSI_amd64)
GT_AGENT_MSI_arm64 ?= $(QGA_MSI_arm64)
GT_RES_ITEMS := GT_X64=$(GT_DIR)/virtio-win-gt-x64.msi GT_X86=$(GT_DIR)/virtio-win-gt-x86.msi \
	GT_ARM64=$(GT_DIR)/virtio-win-gt-arm64.msi \
	$(if $(GT_AGENT_MSI_x86),AGENT_X86=$(GT_AGENT_MSI_x86)) \
	$(if $(GT_AGENT_MSI_amd64),AGENT_X64=$(GT_AGENT_MSI_amd64)) \
	$(if $(GT_AGENT_MSI_arm64),AGENT_ARM64=$(GT_AGENT_MSI_arm64))
GT_BOOT_LDFLAGS := -lldmingw /auto-import:no /runtime-pseudo-reloc:no /subsystem:console,10.0 \
	/entry:VwGtBootMain /nodefaultlib /dynamicbase /nxcompat /Brepro /release /opt:ref /opt:icf \
	/debug /pdbaltpath:%_PDB% /pdbsourcepath:c:\\virtio-win

ifneq ($(strip $(PACKAGES)),)
.PHONY: gt-exe
gt-exe: $(GT_EXE)
all: gt-exe

$(B)/installer/boot/gt.res: $(GT_MSIS) $(GT_AGENT_MSI_x86) $(GT_AGENT_MSI_amd64) \
		$(GT_AGENT_MSI_arm64) installer/boot/mkrc.py | deps-ensure
	@mkdir -p $(@D)
	$(Q)$(PYTHON) installer/boot/mkrc.py $(@:.res=.rc) $(GT_RES_ITEMS)
	$(Q)$(LLVM_RC) /FO $@ $(@:.res=.rc)

USER_SRCS += installer/boot/gtboot.c
# $(1) = arch
define gt_boot_rules
$(B)/installer/boot/$(1)/virtio-win-guest-tools.exe: $(B)/$(1)/uobj/installer/boot/gtboot.o \
		$(B)/$(1)/uobj/common/runtime/dllentry.o $(B)/$(1)/lib/libkernel32.a \
		$(B)/installer/boot/gt.res
	@mkdir -p $$(@D)
	$$(if $(Q),@echo '  LINK    $$@')
	$(Q)$$(LLD_LINK) $$(GT_BOOT_LDFLAGS) $$(ULDFLAGS_$(1)) /pdb:$$(@:.exe=.pdb) /out:$$@ $$^
DEPFILES += $(B)/$(1)/uobj/installer/boot/gtboot.d
endef
$(foreach a,x86 amd64,$(eval $(call gt_boot_rules,$(a))))

$(GT_EXE): $(B)/installer/boot/x86/virtio-win-guest-tools.exe $(SIGN_KEY_DEP) $(SIGN_TOOLS) \
		| sign-key-check
	@mkdir -p $(@D)
	$(if $(Q),@echo '  SIGN    $@')
	$(Q)sign/signfile.sh $< $@ "virtio-win guest tools"
endif

ifneq ($(strip $(PACKAGES)),)
CHECKS += check-gt-exe
.PHONY: check-gt-exe
check-gt-exe: $(GT_EXE) $(B)/installer/boot/amd64/virtio-win-guest-tools.exe | deps-ensure
	$(Q)PYTHON=$(PYTHON) tests/run-check gt-exe installer/tests/boot.sh $(B)/gt-exe-test $(GT_EXE) \
		$(B)/installer/boot/amd64/virtio-win-guest-tools.exe $(B)/installer/boot/gt.rc \
		$(GT_DIR)/virtio-win-gt-x64.msi $(GT_DIR)/virtio-win-gt-x86.msi \
		$(GT_DIR)/virtio-win-gt-arm64.msi '$(GT_AGENT_MSI_amd64)' '$(GT_AGENT_MSI_x86)' \
		'$(GT_AGENT_MSI_arm64)'
endif

# The ISO's staging tree (iso/build.mk) puts these at the ISO root
# (packaging/drivers.json "installer"); the RPM and the repository follow.
ifneq ($(strip $(PACKAGES)),)
$(B)/iso/root.stamp: $(GT_MSIS) $(GT_EXE)
endif

# The direct-download area (packaging/mkdirect): ISO, RPM, SRPM and the
# guest tools in archive-virtio/virtio-win-<version>-1/, the agent's MSIs in
# archive-qemu-ga/qemu-ga-win-<version>-1/ (latest-qemu-ga), as upstream.
DIRECT := $(DIST)/direct-downloads
# iso/ and spec/ define ISO, RPM and SRPM after this fragment is read, too
# late for a prerequisite list: their names, as those fragments make them.
GT_ISO  := $(DIST)/virtio-win-$(VERSION).iso
GT_RPM  := $(DIST)/virtio-win-$(VERSION)-1.noarch.rpm
GT_SRPM := $(DIST)/virtio-win-$(VERSION)-1.src.rpm
ifneq ($(strip $(PACKAGES)),)
.PHONY: direct-downloads
direct-downloads: $(B)/direct.stamp
all: direct-downloads
# A stamp stands for the area: its files carry SOURCE_DATE_EPOCH as their
# time, older than what they are made from, so make would remake them on
# every run (FORCE when the area is gone).
$(B)/direct.stamp: $(GT_ISO) $(GT_RPM) $(GT_SRPM) $(GT_MSIS) $(GT_EXE) $(QGA_MSIS) \
		packaging/mkdirect $(EPOCH_STAMP) $(if $(wildcard $(DIRECT)/latest-virtio),,FORCE)
	@echo '  DIRECT  $(DIRECT)'
	$(Q)packaging/mkdirect $(DIRECT) $(VERSION) 1 $(GT_ISO) $(GT_RPM) $(GT_SRPM) $(GT_MSIS) $(GT_EXE) \
		-- $(QGA_MSIS)
	$(Q)touch $@

# The guest tools in every distribution form: the ISO root, the RPM's
# /usr/share/virtio-win/installer/, the direct-download area.
CHECKS += check-gt-dist
.PHONY: check-gt-dist
check-gt-dist: $(GT_ISO) $(GT_RPM) $(B)/direct.stamp | deps-ensure
	$(Q)tests/run-check gt-dist installer/tests/dist.sh $(B)/gt-dist-test $(GT_ISO) $(GT_RPM) \
		$(DIRECT) $(VERSION) $(GT_MSIS) $(GT_EXE) -- $(QGA_MSIS)
endif
