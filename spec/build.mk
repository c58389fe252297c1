# The RPM (noarch) and the SRPM that rebuilds everything from the source
# tarball.  `make rpm-tree` stages the installed tree; spec/virtio-win.spec.in
# describes both builds (see its header).
RPM_TREE := $(B)/rpm/tree
RPM_SPEC := $(B)/rpm/virtio-win.spec
RPM      := $(DIST)/virtio-win-$(VERSION)-1.noarch.rpm
SRPM     := $(DIST)/virtio-win-$(VERSION)-1.src.rpm
RPM_DATE  = $(shell LC_ALL=C date -u -d @$(SOURCE_DATE_EPOCH) '+%a %b %d %Y')
# libosinfo's signed="true" (Windows accepts the drivers without test mode)
# only for production-signed builds: true when SIGN_PKCS12 or SIGN_PKCS11_*
# name the key; set OSINFO_SIGNED=true after `make import-signed` of
# Microsoft-signed packages, or false to override.
OSINFO_SIGNED ?= $(if $(SIGN_PKCS12)$(SIGN_PKCS11_MODULE),true,false)
# rpmbuild writes nothing outside this directory.
rpmbuild = rpmbuild --define '_topdir $(abspath $(B)/rpm/top)' --quiet --nodeps

ifneq ($(strip $(PACKAGES)),)
.PHONY: rpm srpm rpm-tree
rpm: $(RPM)
srpm: $(SRPM)
rpm-tree: $(B)/rpm/tree.stamp
all: rpm

# Changes exactly when OSINFO_SIGNED does.
$(B)/rpm/osinfo-signed: FORCE
	@mkdir -p $(@D)
	@[ "$$(cat $@ 2>/dev/null)" = "$(OSINFO_SIGNED)" ] || echo $(OSINFO_SIGNED) >$@

$(B)/rpm/tree.stamp: $(ISO) $(VFDS) $(B)/iso/root.stamp packaging/layout.py $(ISO_META) \
		$(EPOCH_STAMP) $(B)/rpm/osinfo-signed
	@mkdir -p $(@D)
	@echo '  STAGE   $(RPM_TREE)'
	$(Q)$(PYTHON) packaging/layout.py stage-rpm $(ISO_META) $(ISO_STAGE) $(ISO) $(VFDS) \
		--tree $(RPM_TREE) --version $(VERSION) --epoch $(SOURCE_DATE_EPOCH) \
		$(if $(filter true,$(OSINFO_SIGNED)),--signed)
	@touch $@

$(RPM_SPEC): spec/virtio-win.spec.in VERSION $(EPOCH_STAMP)
	@mkdir -p $(@D)
	$(Q)sed 's/@VERSION@/$(VERSION)/g; s/@EPOCH@/$(SOURCE_DATE_EPOCH)/g; s/@DATE@/$(RPM_DATE)/g' $< >$@

$(RPM): $(RPM_SPEC) $(B)/rpm/tree.stamp | deps-ensure
	@echo '  RPM     $@'
	$(Q)rm -rf $(B)/rpm/top
	$(Q)$(rpmbuild) -bb --define 'vw_tree $(abspath $(RPM_TREE))' $(RPM_SPEC)
	$(Q)cp $(B)/rpm/top/RPMS/noarch/$(notdir $@) $@

# An SRPM records its files' mtimes, which rpmbuild does not clamp: the spec
# and the tarball are staged with SOURCE_DATE_EPOCH; the directories its
# scripts name are relative, so no path of this machine gets in.
$(SRPM): $(RPM_SPEC) $(DIST_TARBALL) | deps-ensure
	@echo '  SRPM    $@'
	$(Q)rm -rf $(B)/rpm/stop
	$(Q)mkdir -p $(B)/rpm/stop/src
	$(Q)cp $(RPM_SPEC) $(DIST_TARBALL) $(B)/rpm/stop/src/
	$(Q)touch -d @$(SOURCE_DATE_EPOCH) $(B)/rpm/stop/src/*
	$(Q)rpmbuild --define '_topdir $(B)/rpm/stop' --define '_builddir $(B)/rpm/stop/BUILD' --quiet --nodeps \
		--define '_sourcedir $(B)/rpm/stop/src' -bs $(B)/rpm/stop/src/$(notdir $(RPM_SPEC))
	$(Q)cp $(B)/rpm/stop/SRPMS/$(notdir $@) $@

# The SRPM's rebuild reuses the objects of check-repro's second build
# (tests/rpm/run.sh says why that is still the stranger's build).
CHECKS += check-rpm
check-rpm: $(RPM) $(SRPM) $(SECOND_BUILD) | deps-ensure
	$(Q)OSINFO_SIGNED=$(OSINFO_SIGNED) tests/run-check rpm tests/rpm/run.sh $(RPM) $(SRPM) $(RPM_TREE) $(RPM_SPEC) \
		$(B)/rpm-test $(B)/second
endif

# The yum repository and direct downloads (packaging/mkrepo).  REPO_BASEURL
# is the URL where dist/repo/ is published; virtio-win.repo and the install
# lines point there.  The default, http://localhost:8000, is dist/repo/
# served on the build machine (`python3 -m http.server 8000 -d dist/repo`);
# set it to your server's URL for a published build.  REPO_STABLE lists the
# RPMs linked from stable/ (default: this one).
REPO := $(DIST)/repo
REPO_BASEURL ?= http://localhost:8000
REPO_STABLE ?=

ifneq ($(strip $(PACKAGES)),)
.PHONY: repo
repo: $(B)/repo.stamp
all: repo

# Changes exactly when REPO_BASEURL does.
$(B)/repo-baseurl: FORCE
	@mkdir -p $(@D)
	@[ "$$(cat $@ 2>/dev/null)" = "$(REPO_BASEURL)" ] || echo '$(REPO_BASEURL)' >$@

# A stamp stands for the repository, whose files carry SOURCE_DATE_EPOCH
# (FORCE when the repository is gone).
$(B)/repo.stamp: $(ISO) $(RPM) $(SRPM) packaging/mkrepo $(EPOCH_STAMP) $(B)/repo-baseurl \
		$(if $(wildcard $(REPO)/virtio-win.repo),,FORCE) | deps-ensure
	@echo '  REPO    $(REPO)'
	$(Q)packaging/mkrepo $(REPO) $(REPO_BASEURL) $(ISO) $(RPM) $(SRPM) $(REPO_STABLE)
	$(Q)touch $@

CHECKS += check-repo
check-repo: $(B)/repo.stamp
	$(Q)tests/run-check repo tests/repo/run.sh $(REPO) $(REPO_BASEURL) $(ISO) $(RPM) $(SRPM) \
		$(B)/repo-test
endif
