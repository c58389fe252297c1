# Driver packages: out/<arch>/<driver>/<set>/ holding the signed <driver>.sys,
# the stamped <driver>.inf and the signed <driver>.cat, for every driver that
# has an INF template drivers/<name>/<name>.inx.
#   set w10: Windows 10, Server 2016/2019/2022 (x86, amd64, arm64)
#   set w11: Windows 11, Server 2025 (amd64, arm64)
# Signing uses the test CA in SIGN_KEYDIR (made on first use, outside the
# tree) unless SIGN_PKCS12/SIGN_PASSFILE or SIGN_PKCS11_* name a production
# key (see sign/signfile.sh).  Only the CA certificate is published.
# Also: make verify (every package against SIGN_VERIFY_CA), make
# attestation-cab (CABs for Microsoft's portal), make import-signed DIR=...
# IMPORT_CA=... (the portal's results replace our packages); sign/README.md.

SIGN_KEYDIR      ?= $(HOME)/.local/share/virtio-win/test-ca
INF_PROVIDER     ?= virtio-win
INF_MANUFACTURER ?= virtio-win
# Optional RFC 3161 timestamp server (production): adds a timestamp to every
# signature; outputs are then no longer reproducible.
SIGN_TSA_URL     ?=
export SIGN_KEYDIR SIGN_TSA_URL

# Private keys never go near an output: refuse a key directory inside the
# tree (which holds $(B), $(OUT) and $(DIST)).
ifneq ($(filter $(CURDIR)/%,$(abspath $(SIGN_KEYDIR))/),)
$(error SIGN_KEYDIR=$(SIGN_KEYDIR) is inside the source tree; keys must stay outside every output)
endif

SIGN_SETS         := w10 w11
SIGN_SET_ARCHES_w10 := x86 amd64 arm64
SIGN_SET_ARCHES_w11 := amd64 arm64
# Catalog OSAttr: platform 2 (NT) version 10.0 covers Windows 10 and 11 and
# Server 2016-2025 alike (all report NT 10.0); the INF decoration is what
# narrows a set to its builds.
SIGN_OSATTR_w10 := 2:10.0
SIGN_OSATTR_w11 := 2:10.0
# Catalog attribute OS, as Inf2Cat writes it for each set's targets: w10 =
# Windows 10 (10_X86, 10_X64, 10_ARM64) and Server 2016-2022 (Server10_X64);
# w11 = Windows 11 21H2 and later (10_CO_*) and Server 2025 (ServerGE_*).
# mkcat checks each name against the INF's [Manufacturer] decoration.
SIGN_CATOS_w10_x86   := _v100
SIGN_CATOS_w10_amd64 := _v100_X64,Server_v100_X64
SIGN_CATOS_w10_arm64 := _v100_ARM64
SIGN_CATOS_w11_amd64 := _v100_X64_21H2,Server_v100_X64_24H2
SIGN_CATOS_w11_arm64 := _v100_ARM64_21H2,Server_v100_ARM64_24H2

HOST_PROGS += infgen inflint mkcat keyscan authhash
infgen_SRCS    := sign/infgen.c sign/inf.c sign/fileio.c
inflint_SRCS   := sign/inflint.c sign/inflint_ndi.c sign/inflint_ndis.c sign/inflint_policy.c sign/inflint_rank.c sign/inflint_service.c \
	sign/inf.c sign/fileio.c
mkcat_SRCS     := sign/mkcat.c sign/catattrs.c sign/inf.c sign/der.c sign/pehash.c sign/fileio.c
mkcat_LDLIBS   := -lcrypto
keyscan_SRCS   := sign/keyscan.c sign/fileio.c
keyscan_LDLIBS := -lcrypto
authhash_SRCS  := sign/authhash.c sign/pehash.c sign/fileio.c
authhash_LDLIBS := -lcrypto

# A driver's folder is drivers/<name> unless its build.mk sets <name>_DIR
# (vioser.sys lives in drivers/vioserial, upstream's folder name).
drv_dir = $(or $($(1)_DIR),drivers/$(1))
# Packages: every driver with an INF template, then the INF-only packages
# (INF_ONLY: an INF and its catalog, no image of ours; <name>_ARCHES).
# UNPACKAGED: drivers built but not packaged yet, INF template or not.
PKG_DRIVERS := $(foreach d,$(filter-out $(UNPACKAGED),$(DRIVERS)),$(if $(wildcard $(call drv_dir,$(d))/$(d).inx),$(d))) $(INF_ONLY)

# The test CA, unless a production key is configured.
ifeq ($(SIGN_PKCS12)$(SIGN_PKCS11_MODULE),)
SIGN_KEY_DEP := $(SIGN_KEYDIR)/chain.pem
SIGN_CA_CERT := $(OUT)/cert/virtio-win-test-ca.cer
SIGN_VERIFY_CA ?= $(SIGN_KEYDIR)/ca.pem
$(SIGN_KEY_DEP): | deps-ensure
	$(Q)sign/testca.sh $(SIGN_KEYDIR)
# Published in DER, the form Windows' certificate import tools expect.
$(SIGN_CA_CERT): $(SIGN_KEY_DEP)
	@mkdir -p $(@D)
	$(Q)openssl x509 -in $(SIGN_KEYDIR)/ca.pem -outform DER -out $@.tmp && mv $@.tmp $@
else
SIGN_KEY_DEP :=
SIGN_CA_CERT ?=
SIGN_VERIFY_CA ?=
endif

# The key is checked once before anything is signed (sign/signfile.sh
# --check): a bad key stops the build with one error line before the first
# file, so no tree is left half signed with it.  Order-only, so that it
# never makes a package out of date.
# The check's result, for the signing calls of this make (SIGN_CHECKED in
# sign/signfile.sh: they skip the checks it made).
export SIGN_CHECKED := $(B)/sign/key-checked
.PHONY: sign-key-check
sign-key-check: $(SIGN_KEY_DEP)
	$(Q)sign/signfile.sh --check

# Packages that import-signed filled with Microsoft-signed files carry a
# .imported marker: signing over them would silently drop Microsoft's
# signature, so make stops instead.
sign_guard = @if [ -e $(1)/.imported ]; then echo "sign: $(1) holds Microsoft-signed files (make import-signed); remove it to build and sign it again" >&2; exit 1; fi

# Artifacts carry SOURCE_DATE_EPOCH: rebuild them when it changes.
SIGN_EPOCH := $(EPOCH_STAMP)

SIGN_TOOLS := sign/signfile.sh $(SIGN_EPOCH)

# The PE files of a package: the driver image (none for INF-only packages,
# INF_ONLY), then the extra images it ships (<name>_EXTRA_PE, e.g. a
# user-mode DLL built under $(OUT)/<arch>/<name>/).  Each is signed into
# the set directory and is a member of the package's catalog.
pkg_pe = $(if $(filter $(1),$(DRIVERS)),$(1).sys) $($(1)_EXTRA_PE)

# The built image a set's package signs as PE file $(4) of package $(1):
# out/<arch>/<package>/<file>, unless <package>_IMAGE_<set> names another
# driver whose image the set ships under the package's name (netkvm's w11
# packages: netkvm683.sys, the NDIS 6.83 build, as netkvm.sys).
# $(1) = package, $(2) = arch, $(3) = set, $(4) = PE file name
pkg_src = $(if $(and $($(1)_IMAGE_$(3)),$(filter $(1).sys,$(4))),$(OUT)/$(2)/$($(1)_IMAGE_$(3))/$($(1)_IMAGE_$(3)).sys,$(OUT)/$(2)/$(1)/$(4))

# $(1) = package, $(2) = arch, $(3) = set, $(4) = PE file name
define pe_sign_rule
$(OUT)/$(2)/$(1)/$(3)/$(4): $(call pkg_src,$(1),$(2),$(3),$(4)) $(SIGN_KEY_DEP) $(SIGN_TOOLS) | sign-key-check
	$$(call sign_guard,$$(@D))
	@mkdir -p $$(@D)
	$$(if $(Q),@echo '  SIGN    $$@')
	$(Q)sign/signfile.sh --ph $$< $$@ "$(1) driver"
endef

# <package>_MIN_BUILD_<set>: the lowest Windows build the set's INF targets
# when its image needs more than the set's floor (infgen --min-build).
# $(1) = package, $(2) = arch, $(3) = set
define package_rules
$(foreach f,$(call pkg_pe,$(1)),$(eval $(call pe_sign_rule,$(1),$(2),$(3),$(f))))
$(1)_$(2)_$(3)_PE := $(addprefix $(OUT)/$(2)/$(1)/$(3)/,$(call pkg_pe,$(1)))

$(OUT)/$(2)/$(1)/$(3)/$(1).inf: $(call drv_dir,$(1))/$(1).inx VERSION $(B)/host/infgen $(SIGN_EPOCH)
	@mkdir -p $$(@D)
	$$(if $(Q),@echo '  INF     $$@')
	$(Q)$(B)/host/infgen -o $$@ --set $(3) --arch $(2) --version-file VERSION \
		--epoch $(SOURCE_DATE_EPOCH) --catalog $(1).cat --provider '$(INF_PROVIDER)' \
		--manufacturer '$(INF_MANUFACTURER)' $(if $($(1)_MIN_BUILD_$(3)),--min-build $($(1)_MIN_BUILD_$(3))) $$<

# The catalog lists the signed images and the INF (an INF-only package:
# the INF alone).
$(OUT)/$(2)/$(1)/$(3)/$(1).cat: $$($(1)_$(2)_$(3)_PE) $(OUT)/$(2)/$(1)/$(3)/$(1).inf \
		$(B)/host/inflint $(B)/host/mkcat $(SIGN_KEY_DEP) $(SIGN_TOOLS) | sign-key-check
	$$(call sign_guard,$$(@D))
	@mkdir -p $(B)/sign/$(2)/$(1)/$(3)
	$$(if $(Q),@echo '  CAT     $$@')
	$(Q)$(B)/host/inflint --arch $(2) --dir $$(@D) $$(@D)/$(1).inf
	$(Q)$(B)/host/mkcat -o $(B)/sign/$(2)/$(1)/$(3)/$(1).cat --os $(SIGN_OSATTR_$(3)) \
		--catos $(SIGN_CATOS_$(3)_$(2)) --time $(SOURCE_DATE_EPOCH) $$($(1)_$(2)_$(3)_PE) $$(@D)/$(1).inf
	$(Q)sign/signfile.sh $(B)/sign/$(2)/$(1)/$(3)/$(1).cat $$@ "$(1) driver package"

PACKAGES += $(OUT)/$(2)/$(1)/$(3)/$(1).cat

# Attestation submission: one signed CAB per driver, set and arch, with the
# symbols of every image that has them.
$(DIST)/attestation/$(1)_$(3)_$(2).cab: $(OUT)/$(2)/$(1)/$(3)/$(1).cat sign/attest-cab.sh \
		$(SIGN_KEY_DEP) $(SIGN_TOOLS) | sign-key-check deps-ensure
	$$(if $(Q),@echo '  CAB     $$@')
	$(Q)sign/attest-cab.sh $$@ $(B)/attest/$(1)_$(3)_$(2) $(1)_$(3)_$(2) \
		$(OUT)/$(2)/$(1)/$(3)/$(1).inf $$($(1)_$(2)_$(3)_PE) $(OUT)/$(2)/$(1)/$(3)/$(1).cat \
		$$(wildcard $(addsuffix .pdb,$(basename $(foreach f,$(call pkg_pe,$(1)),$(call pkg_src,$(1),$(2),$(3),$(f))))))

ATTEST_CABS += $(DIST)/attestation/$(1)_$(3)_$(2).cab
endef

PACKAGES :=
ATTEST_CABS :=
$(foreach d,$(PKG_DRIVERS),$(foreach s,$(SIGN_SETS),\
	$(foreach a,$(filter $($(d)_ARCHES),$(SIGN_SET_ARCHES_$(s))),\
		$(eval $(call package_rules,$(d),$(a),$(s))))))

# No two packages one ISO folder offers may match a hardware ID with equal
# rank (Windows would bind either): inflint --ranks over each folder's INFs
# per arch, as packaging/drivers.json lays them out.
SIGN_RANKS := $(B)/sign/ranks.ok
$(SIGN_RANKS): $(PACKAGES) packaging/drivers.json packaging/layout.py $(B)/host/inflint
	@mkdir -p $(@D)
	$(Q)$(PYTHON) packaging/layout.py rank-groups packaging/drivers.json | \
	while read -r os arch infs; do \
		$(B)/host/inflint --ranks --arch $$arch $$(for i in $$infs; do echo $(OUT)/$$i; done) || exit 1; \
	done
	@touch $@

.PHONY: packages
packages: $(PACKAGES) $(SIGN_CA_CERT) $(SIGN_RANKS)

# make verify: every package against the CA in use (SIGN_VERIFY_CA: the
# test CA by default; with a production key, or after import-signed, its
# root, e.g. Microsoft's).  One line per failure.
.PHONY: verify
verify: $(PACKAGES)
	$(if $(SIGN_VERIFY_CA),,$(error make verify needs SIGN_VERIFY_CA=<root CA PEM> with a production key))
	$(Q)sign/verify.sh $(SIGN_VERIFY_CA) $(PACKAGES)

# make attestation-cab: the CABs to upload to Microsoft's hardware portal,
# signed with the configured (production) key.  Attestation signatures load
# on client Windows only (Windows 10 and 11); Windows Server 2016 and later
# load dashboard (HLK-tested) signatures.  Packages that ship only in the
# ISO's server folders (2k16..2k25, from ATTEST_META) get no CAB, and make
# says so; the packages it does submit also ship in server folders, where
# their attestation signature does not load (sign/README.md).
ATTEST_META ?= packaging/drivers.json
ATTEST_SERVER_ONLY := $(shell $(PYTHON) packaging/layout.py server-only $(ATTEST_META))
ATTEST_SKIPPED := $(filter $(addprefix $(DIST)/attestation/,$(addsuffix .cab,$(ATTEST_SERVER_ONLY))),$(ATTEST_CABS))
.PHONY: attestation-cab
attestation-cab: $(filter-out $(ATTEST_SKIPPED),$(ATTEST_CABS))
	$(if $(SIGN_PKCS12)$(SIGN_PKCS11_MODULE),,@echo 'note: signed with the test CA; the portal needs SIGN_PKCS12 or SIGN_PKCS11_* (EV certificate)')
	@$(foreach c,$(ATTEST_SKIPPED),echo 'note: no CAB for $(notdir $(basename $(c))): it ships only in server folders (2k16..2k25), which load dashboard (HLK) signatures, not attestation ones';) true
	@echo 'note: attestation signatures load on Windows 10 and 11 only; the 2k16..2k25 folders need dashboard (HLK) signatures (sign/README.md)'

# make import-signed DIR=... IMPORT_CA=...: the portal's results replace our
# packages (after every check passes), so that the ISO/RPM carry them.
.PHONY: import-signed
import-signed: $(PACKAGES) $(B)/host/authhash
	$(if $(DIR),,$(error make import-signed needs DIR=<folder with the portal's signed packages>))
	$(if $(IMPORT_CA),,$(error make import-signed needs IMPORT_CA=<Microsoft root CA PEM>))
	$(Q)sign/import-signed.sh $(DIR) $(IMPORT_CA) $(B)/sign/import $(B)/host/authhash $(PACKAGES)

# For the tests: <package>.<set>=<build> per INF floor above its set's, and
# <package>.<set>=<driver> per package image built as another driver.
SIGN_MIN_BUILDS := $(foreach d,$(PKG_DRIVERS),$(foreach s,$(SIGN_SETS),$(if $($(d)_MIN_BUILD_$(s)),$(d).$(s)=$($(d)_MIN_BUILD_$(s)))))
SIGN_IMAGES := $(foreach d,$(PKG_DRIVERS),$(foreach s,$(SIGN_SETS),$(if $($(d)_IMAGE_$(s)),$(d).$(s)=$($(d)_IMAGE_$(s)))))

CHECKS += check-sign
# After all: the key scan covers every output, none of them still being
# written.  Recursive (+): its makes take their jobs from make check's pool.
check-sign: all $(PACKAGES) $(SIGN_CA_CERT) $(B)/host/infgen $(B)/host/inflint $(B)/host/mkcat \
		$(B)/host/keyscan $(B)/host/authhash | deps-ensure
	+$(Q)SIGN_MIN_BUILDS='$(SIGN_MIN_BUILDS)' SIGN_IMAGES='$(SIGN_IMAGES)' \
		tests/run-check sign sign/tests/run.sh $(B) $(OUT) $(DIST) $(SIGN_KEYDIR) $(PACKAGES)
