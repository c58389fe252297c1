DRIVERS += viorng
viorng_ARCHES  := x86 amd64 arm64
viorng_SRCS    = drivers/viorng/driver.c drivers/viorng/device.c drivers/viorng/read.c \
	$(VWDM_SRCS) $(VWDM_VIRTIO_SRCS)
viorng_IMPORTS := ntoskrnl hal

# viorngum.dll: the CNG random number provider that ships in the viorng
# package (drivers/viorng/cng/; registered by its DllRegisterServer, which
# the guest-tools MSI runs).  The logic in rngprov.c and rngreg.c is also
# built for the host and unit-tested (check-viorngum).
UDLLS += viorngum
viorngum_ARCHES  := $(viorng_ARCHES)
viorngum_PACKAGE := viorng
viorngum_SRCS    := drivers/viorng/cng/rngprov.c drivers/viorng/cng/rngprov_win.c \
	drivers/viorng/cng/rngreg.c drivers/viorng/cng/rngreg_win.c
viorngum_IMPORTS := kernel32 cfgmgr32 bcrypt
viorngum_DEF     := drivers/viorng/cng/viorngum.def
# Extra PE files of the package: signed and catalogued with the driver.
viorng_EXTRA_PE  := viorngum.dll

HOST_PROGS += viorngum-test viorngum-test-planted viorngum-regtest viorngum-regtest-planted
viorngum-test_SRCS := drivers/viorng/cng/tests/rngprov_test.c drivers/viorng/cng/rngprov.c
viorngum-test_CFLAGS := -Itests/include
viorngum-test-planted_SRCS := $(viorngum-test_SRCS)
# The planted bug: one byte more per read than the driver accepts.
viorngum-test-planted_CFLAGS := -Itests/include -DRNGPROV_READ_CHUNK=4097
viorngum-regtest_SRCS := drivers/viorng/cng/tests/rngreg_test.c drivers/viorng/cng/rngreg.c
viorngum-regtest_CFLAGS := -Itests/include
viorngum-regtest-planted_SRCS := $(viorngum-regtest_SRCS)
# The planted bug: the provider at the top of the RNG list (CRYPT_PRIORITY_TOP).
viorngum-regtest-planted_CFLAGS := -Itests/include -DRNGREG_POSITION=0

CHECKS += check-viorngum
.PHONY: check-viorngum
check-viorngum: $(B)/host/viorngum-test $(B)/host/viorngum-test-planted \
		$(B)/host/viorngum-regtest $(B)/host/viorngum-regtest-planted
	$(Q)tests/run-check viorngum tests/host-units.sh --unit $< \
		--planted $(word 2,$^) '^FAIL: gen: .*4096' '4097-byte reads' \
		--unit $(word 3,$^) \
		--planted $(word 4,$^) '^FAIL: reg: added at CRYPT_PRIORITY_BOTTOM' 'provider at the top of the RNG list'
