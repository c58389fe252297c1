# NetKVM's OS-neutral modules (nk_params, nk_rss, nk_csum, nk_rxbuf): they
# include no Windows header, are cross-built for every arch (the driver links
# them) and their host unit tests run under ASan/UBSan (check-netkvm-units).
NETKVM_UNIT_SRCS := drivers/netkvm/nk_params.c drivers/netkvm/nk_rss.c \
	drivers/netkvm/nk_csum.c drivers/netkvm/nk_rxbuf.c
XCOMPILE_SRCS += $(NETKVM_UNIT_SRCS)

NETKVM_INX_PLANTED := $(B)/netkvm/planted-netkvm.inx
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
check-netkvm-units: $(B)/host/netkvm-units $(B)/host/netkvm-units-planted \
		$(B)/host/netkvm-infcheck $(B)/host/netkvm-infcheck-planted $(NETKVM_INX_PLANTED)
	$(Q)tests/run-check netkvm-units tests/host-units.sh --unit $< \
		--planted $(word 2,$^) '^FAIL: nk: csum: total length past the frame' \
		'an IPv4 total length past the frame believed' \
		--unit $(word 3,$^) \
		--planted $(word 4,$^) '^FAIL: inf: VlanId: numeric' 'an INF range that drifted from the table'

# netkvm.inx against nk_param_table; the planted copy reads an INF whose
# VlanId Max drifted from the table.
HOST_PROGS += netkvm-infcheck netkvm-infcheck-planted
netkvm-infcheck_SRCS := drivers/netkvm/tests/infcheck/nk_infcheck.c sign/inf.c sign/fileio.c \
	drivers/netkvm/nk_params.c
netkvm-infcheck_CFLAGS := -Itests/include $(NETKVM_UNIT_SAN)
netkvm-infcheck_LDFLAGS := $(NETKVM_UNIT_SAN)
netkvm-infcheck-planted_SRCS := $(netkvm-infcheck_SRCS)
netkvm-infcheck-planted_CFLAGS := -Itests/include $(NETKVM_UNIT_SAN) \
	-DNK_INX_PATH='"$(NETKVM_INX_PLANTED)"'
netkvm-infcheck-planted_LDFLAGS := $(NETKVM_UNIT_SAN)
$(NETKVM_INX_PLANTED): drivers/netkvm/netkvm.inx
	@mkdir -p $(@D)
	$(Q)sed 's/^\(HKR, Ndi\\Params\\VlanId, Max, 0, \)"4094"/\1"4095"/' $< >$@
	$(Q)! cmp -s $< $@
