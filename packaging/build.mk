# make dist: the reproducible source tarball.
DIST_TARBALL := $(DIST)/virtio-win-$(VERSION).tar.xz

.PHONY: dist
dist: $(DIST_TARBALL)
$(DIST_TARBALL): FORCE
	@mkdir -p $(@D)
	@echo '  DIST    $@'
	$(Q)packaging/dist.sh $@ virtio-win-$(VERSION) $(SOURCE_DATE_EPOCH)

CHECKS += check-dist
check-dist: $(DIST_TARBALL) $(ALL_SYS)
	$(Q)tests/run-check dist tests/dist/run.sh $(DIST_TARBALL) $(B)/dist-test
