# The virtio-win ISO, mastered with xorriso from a staging tree that
# packaging/layout.py builds from packaging/drivers.json and the signed
# packages (sign/).  Deterministic: xorriso takes every date from
# SOURCE_DATE_EPOCH and the staging tree is sorted and hardlinked.
ISO       := $(DIST)/virtio-win-$(VERSION).iso
ISO_STAGE := $(B)/iso/root
ISO_META  := packaging/drivers.json

# Active once drivers are packaged (sign/build.mk defines PACKAGES).
ifneq ($(strip $(PACKAGES)),)
.PHONY: iso
iso: $(ISO)
all: iso

$(B)/iso/root.stamp: $(ISO_META) packaging/layout.py LICENSE $(PACKAGES) $(SIGN_CA_CERT) $(EPOCH_STAMP)
	@mkdir -p $(@D)
	@echo '  STAGE   $(ISO_STAGE)'
	$(Q)$(PYTHON) packaging/layout.py stage-iso $(ISO_META) $(OUT) $(ISO_STAGE) \
		--epoch $(SOURCE_DATE_EPOCH) --license LICENSE $(if $(SIGN_CA_CERT),--cert $(SIGN_CA_CERT))
	@touch $@

$(ISO): $(B)/iso/root.stamp iso/master | deps-ensure
	@mkdir -p $(@D)
	@echo '  ISO     $@'
	$(Q)iso/master $(ISO_STAGE) $@ virtio-win-$(VERSION)

CHECKS += check-iso
check-iso: $(ISO)
	$(Q)tests/run-check iso tests/iso/run.sh $(ISO) $(ISO_STAGE) $(ISO_META) $(OUT) $(B)/iso-test \
		$(SIGN_CA_CERT)
endif

# VFD floppy images for Windows Setup: the storage and network drivers, split
# as the historic virtio-win floppies were (packaging/layout.py: images x86,
# amd64, servers_amd64; folders i386/Win10, amd64/Win11, amd64/Win2019 ...).
# Only images that would hold a driver are made (viostor, vioscsi and
# NetKVM); with none `make` says so instead of writing empty floppies.
VFD_IMAGES := $(if $(strip $(PACKAGES)),$(shell $(PYTHON) packaging/layout.py vfd-images $(ISO_META)))
VFDS := $(foreach i,$(VFD_IMAGES),$(DIST)/virtio-win-$(VERSION)_$(i).vfd)

ifneq ($(strip $(PACKAGES)),)
.PHONY: vfd
vfd: $(VFDS)
ifeq ($(VFDS),)
	@echo 'note: no VFD image: no storage or network driver (viostor, vioscsi, NetKVM) is packaged yet'
endif
all: vfd

$(DIST)/virtio-win-$(VERSION)_%.vfd: $(ISO_META) packaging/layout.py iso/mkvfd $(PACKAGES) \
		$(EPOCH_STAMP) | deps-ensure
	@mkdir -p $(@D)
	@echo '  VFD     $@'
	$(Q)$(PYTHON) packaging/layout.py stage-vfd $(ISO_META) $(OUT) $* $(B)/vfd/$* \
		--epoch $(SOURCE_DATE_EPOCH)
	$(Q)iso/mkvfd $(B)/vfd/$* $@

CHECKS += check-vfd
check-vfd: $(VFDS) $(PACKAGES) | deps-ensure
	$(Q)tests/run-check vfd tests/vfd/run.sh $(DIST)/virtio-win-$(VERSION) $(ISO_META) $(OUT) \
		$(B)/vfd-test $(VFD_IMAGES)
endif
