# Catalog attributes as Inf2Cat writes them (OS, OSAttr, HWID<n>), read back
# by our catalog reader (sign/catdump.py) from every package's catalog.
ifneq ($(strip $(PACKAGES)),)
CHECKS += check-catalog
.PHONY: check-catalog
check-catalog: $(PACKAGES) $(B)/host/mkcat | deps-ensure
	$(Q)tests/run-check catalog tests/catalog/run.sh $(B)/host/mkcat $(B)/catalog-test $(PACKAGES)
endif
