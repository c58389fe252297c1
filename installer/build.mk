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
gtca-test-planted_SRCS := $(gtca-test_SRCS)
# The planted bug: an undo that leaves the packages in the driver store.
gtca-test-planted_CFLAGS := -DGT_PLANTED_KEEP_ON_UNDO

CHECKS += check-gtca
.PHONY: check-gtca
check-gtca: $(B)/host/gtca-test $(B)/host/gtca-test-planted
	$(Q)tests/run-check gtca installer/ca/tests/run.sh $^

# The GNUmakefile computes ALL_DLL before this fragment is read: add ours
# so that `make`, check-pecheck and the symbols tarball see it.
ALL_DLL += $(foreach a,$(vwgtca_ARCHES),$(OUT)/$(a)/installer/vwgtca.dll)
