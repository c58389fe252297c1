# The one place where tool versions and Debian packages are pinned.
# Behaviour (struct layouts, PE flags, checksums) was verified with LLVM 19.
LLVM_VERSION := 19

CLANG     := clang-$(LLVM_VERSION)
LLD_LINK  := lld-link-$(LLVM_VERSION)
DLLTOOL   := llvm-dlltool-$(LLVM_VERSION)
OBJCOPY   := llvm-objcopy-$(LLVM_VERSION)
READOBJ   := llvm-readobj-$(LLVM_VERSION)
CLANG_FMT := clang-format-$(LLVM_VERSION)
CLANG_RES := /usr/lib/llvm-$(LLVM_VERSION)/lib/clang/$(LLVM_VERSION)
HOSTCC    := gcc
PYTHON    := /usr/bin/python3
MINGW_INC := /usr/share/mingw-w64/include

# Everything `make` and `make check` need, from Debian 12 (bookworm) main.
DEBS := make gcc libc6-dev \
	clang-$(LLVM_VERSION) lld-$(LLVM_VERSION) llvm-$(LLVM_VERSION) \
	clang-format-$(LLVM_VERSION) libclang-rt-$(LLVM_VERSION)-dev \
	mingw-w64-common python3 python3-pefile libssl-dev openssl osslsigncode \
	libunicorn-dev libcapstone-dev valgrind \
	xorriso mtools dosfstools rpm cpio createrepo-c dnf skopeo umoci
