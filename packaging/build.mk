# make dist: the reproducible source tarball.
DIST_TARBALL := $(DIST)/virtio-win-$(VERSION).tar.xz

.PHONY: dist
dist: $(DIST_TARBALL)
$(DIST_TARBALL): FORCE
	@mkdir -p $(@D)
	@echo '  DIST    $@'
	$(Q)packaging/dist.sh $@ virtio-win-$(VERSION) $(SOURCE_DATE_EPOCH)

# The one second build of everything, from the tarball outside git, that
# check-dist and check-repro (tests/repro/build.mk) compare with this tree.
# Recursive (+): its make takes its jobs from make check's pool.
SECOND_BUILD := $(B)/second/make.status
$(SECOND_BUILD): $(DIST_TARBALL) all tests/repro/second-build.sh
	@echo '  SECOND  $(B)/second'
	+$(Q)tests/repro/second-build.sh $(DIST_TARBALL) $(@D)

CHECKS += check-dist
check-dist: $(DIST_TARBALL) $(SECOND_BUILD)
	$(Q)tests/run-check dist tests/dist/run.sh $(DIST_TARBALL) $(B)/dist-test $(B)/second

# The KubeVirt container disk (an OCI image archive; see packaging/oci.py).
CONTAINER_DISK := $(DIST)/virtio-container-disk-$(VERSION).tar

ifneq ($(strip $(PACKAGES)),)
.PHONY: container-disk
container-disk: $(CONTAINER_DISK)
all: container-disk

$(CONTAINER_DISK): $(ISO) packaging/oci.py $(EPOCH_STAMP)
	@echo '  OCI     $@'
	$(Q)$(PYTHON) packaging/oci.py $(ISO) $@ --version $(VERSION) --epoch $(SOURCE_DATE_EPOCH)

CHECKS += check-containerdisk
check-containerdisk: $(CONTAINER_DISK) | deps-ensure
	$(Q)tests/run-check containerdisk tests/containerdisk/run.sh $(CONTAINER_DISK) $(ISO) \
		$(VERSION) $(B)/containerdisk-test
endif

# Debug symbols, kept off the ISO: one tarball of every driver's PDB, laid
# out like out/ (<arch>/<driver>/<driver>.pdb).
SYMBOLS  := $(DIST)/virtio-win-debug-$(VERSION).tar.xz
# The agent's VSS provider (agent/build.mk QVSS_DLLS) ships in the agent
# MSIs, not in a driver package: its PDB belongs here all the same.
ALL_PDB  := $(ALL_SYS:.sys=.pdb) $(ALL_DLL:.dll=.pdb) $(QVSS_DLLS:.dll=.pdb)

.PHONY: symbols
symbols: $(SYMBOLS)
all: symbols

$(SYMBOLS): $(ALL_SYS) $(ALL_DLL) $(QVSS_DLLS) $(EPOCH_STAMP)
	@mkdir -p $(@D)
	@echo '  SYMBOLS $@'
	$(Q)tar -C $(OUT) --sort=name --mtime=@$(SOURCE_DATE_EPOCH) --owner=0 --group=0 \
		--numeric-owner --mode=u=rw,go=r --format=gnu \
		--transform='s|^|virtio-win-debug-$(VERSION)/|' -cf - $(ALL_PDB:$(OUT)/%=%) | xz -9 -T1 >$@.tmp
	$(Q)mv $@.tmp $@

CHECKS += check-symbols
check-symbols: $(SYMBOLS) | deps-ensure
	$(Q)tests/run-check symbols tests/symbols/run.sh $(SYMBOLS) $(OUT) $(B)/symbols-test
