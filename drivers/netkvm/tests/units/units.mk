# NetKVM's OS-neutral modules (nk_params, nk_rss, nk_csum, nk_rxbuf): they
# include no Windows header, are cross-built for every arch (the driver links
# them) and their host unit tests run under ASan/UBSan (check-netkvm-units).
NETKVM_UNIT_SRCS := drivers/netkvm/nk_params.c drivers/netkvm/nk_rss.c \
	drivers/netkvm/nk_csum.c drivers/netkvm/nk_rxbuf.c
XCOMPILE_SRCS += $(NETKVM_UNIT_SRCS)

NETKVM_UNIT_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
NETKVM_UNIT_TESTS := $(wildcard drivers/netkvm/tests/units/*.c)
HOST_PROGS += netkvm-units netkvm-units-planted
netkvm-units_SRCS := $(NETKVM_UNIT_TESTS) $(NETKVM_UNIT_SRCS)
netkvm-units_CFLAGS := -Itests/include $(NETKVM_UNIT_SAN)
netkvm-units_LDFLAGS := $(NETKVM_UNIT_SAN)
netkvm-units-planted_SRCS := $(netkvm-units_SRCS)
# The planted bug: the parser believes an IPv4 total length past the frame.
netkvm-units-planted_CFLAGS := -Itests/include $(NETKVM_UNIT_SAN) -DNK_PLANTED_TRUST_LEN
netkvm-units-planted_LDFLAGS := $(NETKVM_UNIT_SAN)

CHECKS += check-netkvm-units
.PHONY: check-netkvm-units
check-netkvm-units: $(B)/host/netkvm-units $(B)/host/netkvm-units-planted
	$(Q)tests/run-check netkvm-units tests/host-units.sh --unit $< \
		--planted $(word 2,$^) '^FAIL: nk: csum: total length past the frame' \
		'an IPv4 total length past the frame believed'
