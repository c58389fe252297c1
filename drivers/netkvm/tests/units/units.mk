# NetKVM's OS-neutral modules (nk_params, nk_rss, nk_csum, nk_rxbuf): they
# include no Windows header, are cross-built for every arch (the driver links
# them) and their host unit tests run under ASan/UBSan (check-netkvm-units).
NETKVM_UNIT_SRCS := drivers/netkvm/nk_params.c drivers/netkvm/nk_rss.c \
	drivers/netkvm/nk_csum.c drivers/netkvm/nk_rxbuf.c drivers/netkvm/nk_settings.c \
	drivers/netkvm/nk_offload.c drivers/netkvm/nk_vlan.c drivers/netkvm/nk_rss_pub.c \
	drivers/netkvm/nk_announce.c drivers/netkvm/nk_pub.c drivers/netkvm/nk_rxfilter.c \
	drivers/netkvm/nk_gather.c drivers/netkvm/nk_rxhdr.c drivers/netkvm/nk_reset.c \
	drivers/netkvm/nk_txdone.c drivers/netkvm/nk_stats.c drivers/netkvm/nk_refill.c \
	drivers/netkvm/nk_rsc.c
XCOMPILE_SRCS += $(NETKVM_UNIT_SRCS)

NETKVM_INX_PLANTED := $(B)/netkvm/planted-netkvm.inx
NETKVM_UNIT_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
NETKVM_UNIT_TESTS := $(wildcard drivers/netkvm/tests/units/*.c)
HOST_PROGS += netkvm-units
netkvm-units_SRCS := $(NETKVM_UNIT_TESTS) $(NETKVM_UNIT_SRCS) drivers/netkvm/nk_features.c \
	drivers/netkvm/nk_ctrl.c
netkvm-units_CFLAGS := -Itests/include $(NETKVM_UNIT_SAN)
netkvm-units_LDFLAGS := $(NETKVM_UNIT_SAN) -pthread
# Each planted twin compiles with its macro only the sources that name it
# (none of them is in a header); the rest are netkvm-units' own objects,
# the same compile, linked as they are (10 twins: about 260 ASan compiles -> 18).
nk_planted_srcs = $(shell grep -l -w -e $(1) $(netkvm-units_SRCS))
define nk_planted_twin
HOST_PROGS += netkvm-units-$(1)
netkvm-units-$(1)_SRCS := $$(call nk_planted_srcs,$(2))
netkvm-units-$(1)_CFLAGS := -Itests/include $$(NETKVM_UNIT_SAN) -D$(2)
netkvm-units-$(1)_LDFLAGS := $$(NETKVM_UNIT_SAN) -pthread
$(B)/host/netkvm-units-$(1): $$(patsubst %.c,$(B)/host/obj/netkvm-units/%.o,\
	$$(filter-out $$(netkvm-units-$(1)_SRCS),$$(netkvm-units_SRCS)))
endef
# The planted bugs: the parser believes an IPv4 total length past the frame
# (the plain twin); *JumboPacket's MTU not held within the device's MTU;
# LSOv2 / RSC turned on without the device's feature; the RSS/VLAN device and
# frame checks: the device's rss_max_indirection_table_length /
# rss_max_key_size ignored, a hash report out of range believed, VlanId not
# filtering another VLAN's frames, the published RSS map rewritten in place
# under its readers, an announce address length past the list believed, the
# published receive filter rewritten in place under the frames judged by it,
# the bounce copy ignoring the first MDL's offset, the per-frame filter
# judge taking a unicast frame to us without the DIRECTED bit (its macro is
# in nk_rxfilter.h's inline judge; test_rxfilter.c names it, so that file is
# the twin's compile with it), the neighbour advertisement's checksum taken
# without the IPv6 pseudo-header; a received frame's NEEDS_CSUM offsets
# believed past the frame; the reset's restore taken without the device reset;
# sends still refused after a successful reset; a used length past the
# first receive buffer believed; an empty merged buffer taken into a frame;
# a send completed with a used length believed; a stopped transmit queue
# never reported by CheckForHang; an error counted as a discard too; a
# large send without a tag allowed the tag's 4 bytes; a NetworkAddress the
# device cannot take as its own (no CTRL_MAC_ADDR) never put in the MAC
# table's unicast list; a merged frame refused at its first buffer (used
# length past its end) leaving its later buffers to pass as frames; the
# receive refill timer retrying without a bound; its gate letting a post set
# the timer while closed (D3, halt); a retry cancelled at D3 still counted
# as set, so none is set after D0; DoLog 0 not turning the log off; a
# coalesced unit's TCP header counted in OID_TCP_RSC_STATISTICS' octets.
NETKVM_UNIT_PLANTS := planted:NK_PLANTED_TRUST_LEN planted-mtu:NK_PLANTED_MTU \
	planted-offload:NK_PLANTED_OFFLOAD_UNOFFERED planted-rssdev:NK_PLANTED_RSS_DEVMAX \
	planted-report:NK_PLANTED_REPORT_RANGE planted-vlan:NK_PLANTED_VLAN_ANY \
	planted-rsspub:NK_PLANTED_RSS_INPLACE planted-announce:NK_PLANTED_ANNOUNCE_LEN \
	planted-rxfilter:NK_PLANTED_RXFILTER_INPLACE planted-gather:NK_PLANTED_GATHER_SKIP \
	planted-rxjudge:NK_PLANTED_RXFILTER_FAST planted-na:NK_PLANTED_NA_PSEUDO \
	planted-rxhdr:NK_PLANTED_RXHDR_CSUM planted-reset:NK_PLANTED_RESET_SKIP \
	planted-resetstuck:NK_PLANTED_RESET_STUCK planted-rxused:NK_PLANTED_RXUSED_LONG \
	planted-rxmore:NK_PLANTED_RXMORE_ZERO planted-txused:NK_PLANTED_TXUSED \
	planted-hang:NK_PLANTED_HANG_NEVER planted-stats:NK_PLANTED_STATS_BOTH \
	planted-gsotag:NK_PLANTED_GSO_TAG_ALWAYS planted-unicast:NK_PLANTED_UNICAST_NONE \
	planted-rxpast:NK_PLANTED_RXPAST_ONE planted-refill:NK_PLANTED_REFILL_UNBOUNDED \
	planted-refillgate:NK_PLANTED_REFILL_GATE_OPEN planted-refillarmed:NK_PLANTED_REFILL_KEEP_ARMED \
	planted-log:NK_PLANTED_LOG_ALWAYS planted-rscoctets:NK_PLANTED_RSC_OCTETS_HDR
$(foreach p,$(NETKVM_UNIT_PLANTS),$(eval $(call nk_planted_twin,$(firstword $(subst :, ,$(p))),$(lastword $(subst :, ,$(p))))))

# Each planted twin's failure line (an ERE tests/host-units.sh must find)
# and what the twin plants, by the name in NETKVM_UNIT_PLANTS.
NK_FAILS_planted := '^FAIL: nk: csum: total length past the frame' \
	'an IPv4 total length past the frame believed'
NK_FAILS_planted-mtu := '^FAIL: nk: settings: \*JumboPacket 9014 over a device MTU' \
	'the device MTU ignored'
NK_FAILS_planted-offload := '^FAIL: nk: offload: LSOv2 IPv4 on without HOST_TSO4 refused' \
	'an offload not offered turned on'
NK_FAILS_planted-rssdev := '^FAIL: nk: rss: a device table of 64 cannot take 128 entries' \
	'the device RSS limits ignored'
NK_FAILS_planted-report := '^FAIL: nk: rss: hash reports 10 and 0xFFFF out of range' \
	'a hash report out of range believed'
NK_FAILS_planted-vlan := '^FAIL: nk: vlan: VlanId 300 drops VLAN 301' \
	'another VLAN taken with VlanId set'
NK_FAILS_planted-rsspub := '^FAIL: nk: rsspub: a reader inside the map sees none of a set being built' \
	'the published RSS map rewritten under its readers'
NK_FAILS_planted-announce := '^FAIL: nk: announce: an address length past the buffer refused' \
	'a network address length past the list believed'
NK_FAILS_planted-rxfilter := \
	'^FAIL: nk: rxfilter: a frame judged during a multicast-list set sees the old list whole' \
	'the published receive filter rewritten under its frames'
NK_FAILS_planted-gather := '^FAIL: nk: gather: one MDL, CurrentMdlOffset 20' \
	'the bounce copy ignoring the first MDL offset'
NK_FAILS_planted-rxjudge := '^FAIL: nk: rxfilter: judge: without DIRECTED a frame to us is dropped' \
	'a unicast frame to us taken without the DIRECTED bit'
NK_FAILS_planted-na := '^FAIL: nk: announce: 2001:db8::7: the neighbour advertisement written by hand' \
	'the advertisement checksum without the pseudo-header'
NK_FAILS_planted-rxhdr := '^FAIL: nk: rxhdr: NEEDS_CSUM field one byte past the frame dropped' \
	'checksum offsets past a received frame believed'
NK_FAILS_planted-reset := '^FAIL: nk: reset: the restore before the device reset refused' \
	'the reset restored without resetting the device'
NK_FAILS_planted-resetstuck := '^FAIL: nk: reset: after a successful reset: sends taken, posts allowed' \
	'sends refused after a successful reset'
NK_FAILS_planted-rxused := '^FAIL: nk: rxbuf: first buffer: used length 2048' \
	'a used length past the first buffer believed'
NK_FAILS_planted-rxmore := '^FAIL: nk: rxbuf: merged buffer used for 0 bytes refused' \
	'an empty merged buffer taken into the frame'
NK_FAILS_planted-txused := '^FAIL: nk: txdone: a send completed with used length 1 ' \
	'a send completion with a used length believed'
NK_FAILS_planted-hang := '^FAIL: nk: txdone: 8 sends held, none completed' \
	'a transmit queue that stopped never reported hung'
NK_FAILS_planted-stats := '^FAIL: nk: stats: one hostile frame' \
	'a receive error counted as a discard too'
NK_FAILS_planted-gsotag := '^FAIL: nk: offload: LSOv2 IPv4 untagged, one byte more' \
	'a large send without a tag given the tag allowance'
NK_FAILS_planted-unicast := \
	'^FAIL: nk: mactable: NetworkAddress with CTRL_RX and no CTRL_MAC_ADDR goes in the unicast list' \
	'a NetworkAddress the device cannot take never put in the unicast list'
NK_FAILS_planted-rxpast := \
	'^FAIL: nk: rxbuf: a 3-buffer frame past its first buffer.s end: dropped once' \
	'a merged frame refused at its first buffer leaving its later buffers as frames'
NK_FAILS_planted-refill := '^FAIL: nk: refill: .* retries then given up once' \
	'the receive refill timer retrying without a bound'
NK_FAILS_planted-refillgate := '^FAIL: nk: refill: gate closed: neither a post nor the timer.s routine enters' \
	'the refill timer set through a closed gate'
NK_FAILS_planted-refillarmed := '^FAIL: nk: refill: toy: after D3 and D0 a shortage sets the timer again' \
	'a refill retry cancelled at D3 still counted as set'
NK_FAILS_planted-log := '^FAIL: nk: settings: DoLog 0 logs nothing' \
	'DoLog 0 ignored: the driver still logs'
NK_FAILS_planted-rscoctets := '^FAIL: nk: rsc: IPv4, no RSC_EXT: 7240 payload bytes' \
	'the TCP header counted as RSC payload octets'
NK_PLANTED_NAMES := $(foreach p,$(NETKVM_UNIT_PLANTS),$(firstword $(subst :, ,$(p))))

CHECKS += check-netkvm-units
.PHONY: check-netkvm-units
check-netkvm-units: $(B)/host/netkvm-units $(B)/host/netkvm-infcheck $(B)/host/netkvm-infcheck-planted \
		$(NETKVM_INX_PLANTED) $(B)/host/infgen $(B)/host/inflint $(B)/host/netkvm-fuzz-replay \
		$(foreach p,$(NK_PLANTED_NAMES),$(B)/host/netkvm-units-$(p))
	$(Q)tests/run-check netkvm-units tests/host-units.sh --unit $< \
		$(foreach p,$(NK_PLANTED_NAMES),--planted $(B)/host/netkvm-units-$(p) $(NK_FAILS_$(p))) \
		--unit $(word 2,$^) \
		--planted $(word 3,$^) '^FAIL: inf: VlanId: numeric' 'an INF range that drifted from the table' \
		--unit drivers/netkvm/tests/infcheck/lint.sh --unit $(B)/host/netkvm-fuzz-replay

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

# Fuzzing nk_csum/nk_rss: a bounded corpus pass in check-netkvm-units
# (every seed plus 2000 deterministic mutations each) and a libFuzzer
# binary for `make fuzz` (fuzz-netkvm-csum, FUZZ_SECONDS each).
NETKVM_FUZZ_SRCS := drivers/netkvm/tests/fuzz/fuzz_csum.c drivers/netkvm/tests/fuzz/fuzz_rxhdr.c \
	drivers/netkvm/nk_csum.c drivers/netkvm/nk_rss.c drivers/netkvm/nk_rxhdr.c drivers/netkvm/nk_rxbuf.c
HOST_PROGS += netkvm-fuzz-replay netkvm-fuzz-csum
netkvm-fuzz-replay_SRCS := drivers/netkvm/tests/fuzz/fuzz_replay.c $(NETKVM_FUZZ_SRCS)
netkvm-fuzz-replay_CFLAGS := $(NETKVM_UNIT_SAN)
netkvm-fuzz-replay_LDFLAGS := $(NETKVM_UNIT_SAN)
netkvm-fuzz-csum_SRCS := drivers/netkvm/tests/fuzz/fuzz_entry.c $(NETKVM_FUZZ_SRCS)
netkvm-fuzz-csum_CC = $(CLANG)
netkvm-fuzz-csum_CFLAGS := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
netkvm-fuzz-csum_LDFLAGS := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

FUZZ += fuzz-netkvm-csum
.PHONY: fuzz-netkvm-csum
fuzz-netkvm-csum: $(B)/host/netkvm-fuzz-csum
	@rm -rf $(B)/fuzz/netkvm-csum/corpus && mkdir -p $(B)/fuzz/netkvm-csum/corpus
	@cp drivers/netkvm/tests/fuzz/corpus/* $(B)/fuzz/netkvm-csum/corpus/
	$(Q)$< -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
		-artifact_prefix=$(B)/fuzz/netkvm-csum/ $(B)/fuzz/netkvm-csum/corpus
