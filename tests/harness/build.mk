# The driver-in-the-loop harness: real .sys images on unicorn against a fake
# kernel (tests/harness/), scenarios in drivers/*/tests/, planted-bug test
# drivers in tests/harness/bad/ that every checker must flag.
#
#   make harness                          every scenario on every arch, SEEDS seeds
#   make harness DRIVER=pvpanic ARCH=x86  a subset (SEED=S: one seed; ONLY=text: the
#                                         scenarios whose name contains it)
#   make check-harness                    the same as a check group, at least 3 seeds
#                                         (each run's wall and CPU ms, costliest first, in
#                                         $(B)/check/harness.times)
#   make harness-coverage                 the API coverage table (per API and per built driver)

HOST_PROGS += harness
# The parts (tests/harness/README.md has the map); each folder's headers are
# found by name from every other.
HARNESS_PARTS := machine nt nt/ke nt/io nt/mm nt/ob nt/ps nt/se nt/rtl nt/cm pnp devices run
harness_SRCS := $(wildcard $(patsubst %,tests/harness/%/*.c,$(HARNESS_PARTS)) \
	tests/harness/port/*/*.c tests/harness/selftest/*.c drivers/*/tests/*.c bench/*/harness_*.c) \
	tests/models/virtio/vmodel.c tests/models/virtio/vmodel_ring.c \
	tests/models/virtio/vmodel_blk.c tests/models/virtio/vmodel_input.c \
	tests/models/virtio/vmodel_console.c tests/models/virtio/vmodel_balloon.c tests/models/model_report.c \
	tests/models/virtio/vmodel_scsi.c tests/models/scsi/mem_target.c tests/models/scsi/iscsi_target.c \
	tests/models/scsi/tgt_fixture.c \
	tests/models/virtio/vmodel_net.c tests/models/virtio/vmodel_net_tx.c tests/models/virtio/vmodel_net_rx.c \
	tests/models/virtio/vmodel_net_ctrl.c tests/models/virtio/vmodel_net_pkt.c \
	tests/models/qemu/pvpanic.c tests/models/qemu/ivshmem.c tests/models/qemu/fwcfg.c
harness_CFLAGS := -Itests/harness -Itests/harness/include $(patsubst %,-Itests/harness/%,$(HARNESS_PARTS)) \
	-Itests/models -Itests/models/virtio -Itests/models/scsi
harness_LDLIBS := -lunicorn -lcapstone -lpthread -liscsi
# Symbols bound at start-up, once in the runner: each run is a fork that
# would otherwise resolve every library call again (3% of a run's CPU).
harness_LDFLAGS := -Wl,-z,now
# The object list, rewritten only when it changes: a deleted scenario source
# removes an object, which no remaining prerequisite's time shows, so
# without it the runner kept the deleted scenario until something else
# relinked it.  An extra prerequisite (not in $^, which the link passes on).
HARNESS_LINK_LIST := $(B)/host/harness.objs
$(B)/host/harness: private .EXTRA_PREREQS := $(HARNESS_LINK_LIST)
$(HARNESS_LINK_LIST): FORCE
	@mkdir -p $(@D)
	@printf '%s\n' $(harness_OBJS) >$@.tmp && if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

# Planted bugs, one per checker (kernel sources in tests/harness/bad/, their scenarios in
# tests/harness/selftest/).
HARNESS_BAD := badirql badleak badimport badlock badvirtio badpool badirp baddeadlock badstack \
	badtimer badwork badthread badbugcheck \
	badpgleak badpgfree badballoon \
	badlink badcancel badhid badproc badsec badpower badhidstub badapc badstop badcpu badstor \
	badpcidisk badndis badndishw badndisoff badspin
# Purpose-built drivers that exercise one harness path (tests/harness/testdrv/).
HARNESS_TESTDRV_NAMES := vwparam vblk vnet vwkern vwseh vwseh86 vwsync vwlimits vwstor vwpcidisk vwndis \
	vwndishw vwndisoff vwslow vwinsns vwfence
TEST_DRIVERS += $(HARNESS_BAD) $(HARNESS_TESTDRV_NAMES)
badirql_SRCS    := tests/harness/bad/badirql.c
badleak_SRCS    := tests/harness/bad/badleak.c
badimport_SRCS  := tests/harness/bad/badimport.c
badlock_SRCS    := tests/harness/bad/badlock.c
badpgleak_SRCS  := tests/harness/bad/badpgleak.c
badpgfree_SRCS  := tests/harness/bad/badpgfree.c
# The balloon driver with a pages.c that frees before telling the host.
badballoon_SRCS  = drivers/balloon/driver.c drivers/balloon/device.c drivers/balloon/worker.c \
	drivers/balloon/stats.c drivers/balloon/ioctl.c tests/harness/bad/badballoon_pages.c $(VWDM_SRCS) \
	$(VWDM_VIRTIO_SRCS)
badpool_SRCS    := tests/harness/bad/badpool.c
badspin_SRCS    := tests/harness/bad/badspin.c
badirp_SRCS     := tests/harness/bad/badirp.c
baddeadlock_SRCS := tests/harness/bad/baddeadlock.c
badstack_SRCS   := tests/harness/bad/badstack.c
badtimer_SRCS   := tests/harness/bad/badtimer.c
badwork_SRCS    := tests/harness/bad/badwork.c
badthread_SRCS  := tests/harness/bad/badthread.c
badbugcheck_SRCS := tests/harness/bad/badbugcheck.c
badlink_SRCS    := tests/harness/bad/badlink.c
badcancel_SRCS  := tests/harness/bad/badcancel.c
badproc_SRCS    := tests/harness/bad/badproc.c tests/harness/testdrv/pagedev.c
badsec_SRCS     := tests/harness/bad/badsec.c
badpower_SRCS   := tests/harness/bad/badpower.c
badapc_SRCS     := tests/harness/bad/badapc.c
badstop_SRCS    := tests/harness/bad/badstop.c
badcpu_SRCS     := tests/harness/bad/badcpu.c
# StorPort: the RAM-disk miniport and its planted twin (port/storport/).
vwstor_SRCS     := tests/harness/testdrv/vwstor.c
badstor_SRCS    := tests/harness/bad/badstor.c
# StorPort on a PCI function: the stordisk miniport and its planted twin.
vwpcidisk_SRCS  := tests/harness/testdrv/vwpcidisk.c
badpcidisk_SRCS := tests/harness/bad/badpcidisk.c
# NDIS: the loopback miniport and its planted twin (port/ndis/); hal: x86's KeGetCurrentIrql.
vwndis_SRCS     := tests/harness/testdrv/vwndis.c tests/harness/testdrv/ndistd.c
badndis_SRCS    := tests/harness/bad/badndis.c tests/harness/testdrv/ndistd.c
# NDIS on a virtio-blk PCI function: the hardware exports, and its planted twin.
vwndishw_SRCS   := tests/harness/testdrv/vwndishw.c tests/harness/testdrv/ndistd.c
badndishw_SRCS  := tests/harness/bad/badndishw.c tests/harness/testdrv/ndistd.c
# NDIS task offloads and RSS: the offload loopback miniport and its planted twin.
vwndisoff_SRCS  := tests/harness/testdrv/vwndisoff.c tests/harness/testdrv/ndistd.c
badndisoff_SRCS := tests/harness/bad/badndisoff.c tests/harness/testdrv/ndistd.c
vwkern_SRCS     := tests/harness/testdrv/vwkern.c
# The watchdog's slow import (selftest/watchdog.c): vwselftest.sys exists only in the harness.
vwslow_SRCS     := tests/harness/testdrv/vwslow.c
vwlimits_SRCS   := tests/harness/testdrv/vwlimits.c
# The instruction counter's loop of known length (selftest/cpu_insns.c).
vwinsns_SRCS    := tests/harness/testdrv/vwinsns.c
# Each barrier instruction once, for their host fences (selftest/cpu_fences.c).
vwfence_SRCS    := tests/harness/testdrv/vwfence.c
vwseh_SRCS      := tests/harness/testdrv/vwseh.c tests/harness/testdrv/pagedev.c
vwseh86_SRCS    := tests/harness/testdrv/vwseh86.c tests/harness/testdrv/pagedev.c
# Recursive: the framework and virtio core lists come from later fragments.
badvirtio_SRCS   = tests/harness/bad/badvirtio.c $(VWDM_SRCS) $(VWDM_VIRTIO_SRCS)
badhid_SRCS      = tests/harness/bad/badhid.c $(VWDM_SRCS)
badhidstub_SRCS  = tests/harness/bad/badhidstub.c $(VWDM_SRCS)
vwparam_SRCS     = tests/harness/testdrv/vwparam.c $(VWDM_SRCS)
vwsync_SRCS      = tests/harness/testdrv/vwsync.c $(VWDM_SRCS)
vblk_SRCS        = tests/harness/testdrv/vblk.c $(VWDM_SRCS) $(VWDM_VIRTIO_SRCS)
vnet_SRCS        = tests/harness/testdrv/vnet.c $(VWDM_SRCS) $(VWDM_VIRTIO_SRCS)
$(foreach d,$(HARNESS_BAD) $(HARNESS_TESTDRV_NAMES),$(eval $(d)_ARCHES := x86 amd64 arm64)$(eval \
	$(d)_IMPORTS := ntoskrnl hal))
badhid_IMPORTS := ntoskrnl hal hidclass
badhidstub_IMPORTS := ntoskrnl hal hidclass
vwstor_IMPORTS := ntoskrnl storport
badstor_IMPORTS := ntoskrnl storport
# hal: x86's READ/WRITE_REGISTER_ULONG behind StorPortRead/WriteRegisterUlong.
vwpcidisk_IMPORTS := ntoskrnl storport hal
badpcidisk_IMPORTS := ntoskrnl storport hal
vwndis_IMPORTS := ntoskrnl ndis hal
badndis_IMPORTS := ntoskrnl ndis hal
# hal: x86's READ/WRITE_REGISTER_* for the device's registers.
vwndishw_IMPORTS := ntoskrnl ndis hal
badndishw_IMPORTS := ntoskrnl ndis hal
vwndisoff_IMPORTS := ntoskrnl ndis hal
badndisoff_IMPORTS := ntoskrnl ndis hal
vwslow_IMPORTS := ntoskrnl vwselftest
badstack_ARCHES := x86
# __try: clang compiles it for the 64-bit mingw targets only.
vwseh_ARCHES := amd64 arm64
vwseh86_ARCHES := x86
$(foreach a,amd64 arm64,$(B)/$(a)/obj/tests/harness/testdrv/vwseh.o): KCFLAGS += -fms-extensions

# A planted twin #includes its test miniport's source (bad/badstor.c is
# testdrv/vwstor.c with VWSTOR_PLANTED): its object is rebuilt when that
# source changes, also where no generated .d file says so (a build tree
# copied or made before the twin's first compile).
HARNESS_TWINS := badstor:vwstor badpcidisk:vwpcidisk badndis:vwndis badndishw:vwndishw \
	badndisoff:vwndisoff
$(foreach t,$(HARNESS_TWINS),$(foreach a,x86 amd64 arm64,$(eval \
	$(B)/$(a)/obj/tests/harness/bad/$(firstword $(subst :, ,$(t))).o: \
	tests/harness/testdrv/$(lastword $(subst :, ,$(t))).c)))

HARNESS_TESTDRV := $(foreach d,$(HARNESS_BAD) $(HARNESS_TESTDRV_NAMES),$(foreach a,$($(d)_ARCHES),$(B)/$(a)/testdrv/$(d)/$(d).sys))
# The layout tables (tests/layout/build.mk, included after this file).
HARNESS_LAYOUT := $(foreach a,$(ARCHES),$(B)/layout/$(a).bin)
# SEEDS: scheduling seeds per scenario and arch (0: every scheduling point;
# 1..: random points, vw_sched_seed); SEED=S replays one; HARNESS_JOBS runs
# at once (default: one per online CPU).
# make check runs at least CHECK_MIN_SEEDS seeds (SEEDS=N raises it).
SEEDS ?= 1
CHECK_MIN_SEEDS := 3
CHECK_SEEDS = $(shell s=$(SEEDS); echo $$(( s > $(CHECK_MIN_SEEDS) ? s : $(CHECK_MIN_SEEDS) )))
# The scenarios start costliest first (tests/harness/run/costs: the mean wall
# ms of each in a make check; harness-costs remakes it from the last one), so
# that the runs that wait on real time and on one polling back end at a time
# (testpmd) start at once and no long run ends alone; the output order stays.
HARNESS_COSTS := tests/harness/run/costs
HARNESS_ARGS = --out $(OUT) --build $(B) --driver "$(DRIVER)" --arch "$(ARCH)" \
	$(if $(SEED),--seed $(SEED),--seeds $(SEEDS)) $(if $(HARNESS_JOBS),--jobs $(HARNESS_JOBS)) \
	$(if $(ONLY),--only "$(ONLY)") --order $(HARNESS_COSTS)
HARNESS_CHECK_ARGS = --out $(OUT) --build $(B) --driver "$(DRIVER)" --order $(HARNESS_COSTS) \
	$(if $(SEED),--seed $(SEED),--seeds $(CHECK_SEEDS)) $(if $(HARNESS_JOBS),--jobs $(HARNESS_JOBS))

.PHONY: harness check-harness check-harness-cpus64 check-harness-cpus1 check-backends-missing \
	harness-coverage harness-costs
harness: $(B)/host/harness $(ALL_SYS) $(HARNESS_TESTDRV) $(HARNESS_LAYOUT)
	$(Q)$(B)/host/harness $(HARNESS_ARGS)

CHECKS += check-harness
check-harness: $(B)/host/harness $(ALL_SYS) $(HARNESS_TESTDRV) $(HARNESS_LAYOUT)
	$(Q)tests/run-check harness $(B)/host/harness $(HARNESS_CHECK_ARGS) --arch "$(ARCH)" \
		--times $(B)/check/harness.times

# The scenarios again with 64 processors (one group; x86 gets 32, the most
# 32-bit Windows runs), each seed on another arch (--spread: seeds 0-2 put
# every scenario on all three), and once with one processor: each scenario
# on one arch in turn, but the WDM drivers' on all three (issue 13: they run
# at 1, 4 and 64 CPUs on every arch; their runs cost 20-75 ms).
HARNESS_WDM_DRIVERS := pvpanic fwcfg ivshmem viorng balloon vioser vioinput
CHECKS += check-harness-cpus64 check-harness-cpus1 check-backends-missing
check-harness-cpus64: $(B)/host/harness $(ALL_SYS) $(HARNESS_TESTDRV) $(HARNESS_LAYOUT)
	$(Q)CPUS=64 tests/run-check harness-cpus64 $(B)/host/harness $(HARNESS_CHECK_ARGS) --spread \
		--times $(B)/check/harness-cpus64.times
check-harness-cpus1: $(B)/host/harness $(ALL_SYS) $(HARNESS_TESTDRV) $(HARNESS_LAYOUT)
	$(Q)CPUS=1 tests/run-check harness-cpus1 $(B)/host/harness --out $(OUT) --build $(B) \
		--driver "$(DRIVER)" --seeds 1 --spread --every-arch "$(HARNESS_WDM_DRIVERS)" $(if $(HARNESS_JOBS),--jobs $(HARNESS_JOBS)) \
		--order $(HARNESS_COSTS) --times $(B)/check/harness-cpus1.times

# A scenario whose real back end (qemu-storage-daemon, testpmd, tgtd) is
# missing fails: one of each, run with the back end hidden.
check-backends-missing: $(B)/host/harness $(ALL_SYS) $(HARNESS_LAYOUT)
	$(Q)tests/run-check backends-missing tests/harness/backends-missing.sh $(B)/host/harness \
		$(OUT) $(B)

# The cost list from the last make check's times (each scenario's mean wall).
harness-costs: $(B)/check/harness.times
	$(Q){ echo '# Expected wall ms of each harness scenario (the mean of its runs), costliest'; \
	echo '# first: the runner may start them in this order (make harness-costs'; \
	echo '# remakes it from build/check/harness.times; a stale list only orders worse).'; \
	awk 'NR > 1 { w[$$4] += $$1; n[$$4]++ } END { for (s in w) printf "%d %s\n", w[s] / n[s], s }' $< \
		| LC_ALL=C sort -k1,1nr -k2,2; } >$(HARNESS_COSTS).tmp && mv $(HARNESS_COSTS).tmp $(HARNESS_COSTS)

harness-coverage: $(B)/host/harness $(ALL_SYS) $(HARNESS_TESTDRV) $(HARNESS_LAYOUT)
	$(Q)$(B)/host/harness --out $(OUT) --build $(B) --coverage
