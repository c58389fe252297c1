# The one place where tool versions and Debian packages are pinned.
# Behaviour (struct layouts, PE flags, checksums) was verified with LLVM 19.
# Other distributions override the names from the command line (see
# spec/virtio-win.spec.in for Fedora): LLVM_SUFFIX= for unversioned tools,
# CLANG_RES, MINGW_INC, and DEPS_CHECK=0 where dpkg does not exist.
LLVM_VERSION := 19
LLVM_SUFFIX  ?= -$(LLVM_VERSION)

CLANG     ?= clang$(LLVM_SUFFIX)
LLD_LINK  ?= lld-link$(LLVM_SUFFIX)
DLLTOOL   ?= llvm-dlltool$(LLVM_SUFFIX)
OBJCOPY   ?= llvm-objcopy$(LLVM_SUFFIX)
READOBJ   ?= llvm-readobj$(LLVM_SUFFIX)
LLVM_RC   ?= llvm-rc$(LLVM_SUFFIX)
CLANG_FMT ?= clang-format$(LLVM_SUFFIX)
CLANG_RES ?= /usr/lib/llvm-$(LLVM_VERSION)/lib/clang/$(LLVM_VERSION)
HOSTCC    ?= gcc
PYTHON    ?= /usr/bin/python3
MINGW_INC ?= /usr/share/mingw-w64/include
DEPS_CHECK ?= 1

# Everything `make` and `make check` need, from Debian 12 (bookworm) main.
# NAME:i386 packages need the i386 foreign architecture, which arch/deps.sh
# adds first (wine32 runs the x86 guest-tools MSI's custom action).
DEBS := make gcc libc6-dev \
	clang-$(LLVM_VERSION) lld-$(LLVM_VERSION) llvm-$(LLVM_VERSION) \
	clang-format-$(LLVM_VERSION) libclang-rt-$(LLVM_VERSION)-dev \
	mingw-w64-common python3 python3-pefile libssl-dev openssl osslsigncode \
	libunicorn-dev libcapstone-dev valgrind \
	xorriso mtools dosfstools rpm cpio createrepo-c dnf skopeo umoci \
	gcab qemu-system-common qemu-utils dpdk-dev softhsm2 opensc libengine-pkcs11-openssl \
	podman osinfo-db osinfo-db-tools rpmlint msitools wine wine64 wine32:i386 \
	tgt libiscsi-dev
