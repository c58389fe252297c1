# make check: every test group (CHECKS, appended by the fragments), then the
# summary.  Kept out of GNUmakefile, whose changes rebuild every object.
# Every group runs even when one fails (-k); a group whose prerequisites
# failed to build leaves no log and so counts as failed in the summary.
# Two makes (after the early harness groups, below), in one pool of
# CHECK_JOBS.  The first builds what every group
# needs (CHECK_PREPARE=1: tests/run-check runs nothing), all but the second
# build.  The second runs the groups, the slowest first, with nothing left
# to build or run but them (CHECK_RAN_ONCE below): make walks its goals in
# passes and waits for a job slot at each
# goal it can start, so a goal whose prerequisites were still building was
# passed over until every later goal had started (check-harness, second in
# the list, started at +776 s of 1323 in one run on main).  The groups that
# need the second build (check-rpm, the slowest of them, first) run in
# their own make (check-after-second-build), which starts them as soon as
# it is there instead of a pass later.  Each group's output is printed
# whole when it ends (tests/run-check with CHECK_GROUPED=1; -O for the
# build steps).  The recipes are recursive (+): the makes the groups run
# themselves (the second build, the rebuilds of check-sign) take their
# jobs from the same pool, so the machine is never asked for more than
# CHECK_JOBS at once.
# One job more than processors: the groups wait on real time (back ends,
# Wine's server, rpmbuild) a fifth of theirs, and a third job fills it.
# Idle, 2 cores, the same tree: 975 s wall with 2 jobs, 892 s with 3
# (check-harness, started first, then ends last).
CHECK_JOBS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 2) + 1 )))
# The recipes that run in every make (phony or FORCE) take a job slot each
# in the second make, and every goal that needs one was passed over until
# the pass ended: on an idle CI run the small groups ran one by one before
# check-harness (+28 s), and check-sign, which needs all, started last of
# all (+644 s of 759) and ran alone at the end.  The phony ones the first
# make ran are not run again (-o, which the makes inside the groups do not
# inherit), nor are the FORCE targets (the epoch and other stamps, the
# source tarball): -o FORCE, the first make made them all.  Not -o on the
# tarball itself: with `.SECONDARY:` (every target) GNU make 4.3 remakes
# whatever depends on an -o target that has a phony prerequisite (FORCE),
# so the SRPM and the repository were made again in the second make, under
# all, and check-sign still started last (+893 s of 1013 on an idle CI run).
CHECK_RAN_ONCE := deps-ensure sign-key-check FORCE
CHECK_AFTER_SECOND := check-rpm check-repro check-dist
# Longest first, by the wall times of an idle CI run (harness 476 s,
# cpus64 147, sign 115, gt-wine 44, pecheck 40 down to style 6): the short
# groups, in CHECKS order after these, fill the end, where a long one
# would run alone on one core.
CHECK_FIRST := check-harness check-harness-cpus64 check-sign check-harness-cpus1 check-gt-wine check-pecheck \
	check-bench-net check-qga-msi-wine check-gt-exe check-catalog check-qga-wine check-symbols \
	check-wine-inf check-gt-msi check-repo check-vfd check-style
CHECK_ORDER = $(if $(filter $(CHECK_AFTER_SECOND),$(CHECKS)),check-after-second-build) \
	$(foreach c,$(CHECK_FIRST),$(filter $(c),$(CHECKS))) \
	$(filter-out $(CHECK_FIRST) $(CHECK_AFTER_SECOND),$(CHECKS))
# The harness groups, the longest (check-harness 889 s of a 1054 s CI run
# that started it at +137 s, when the whole first stage was built), need
# only the drivers, the harness and its test drivers: those are built first
# (CHECK_EARLY_NEEDS), then the two groups run in a make of their own beside
# the rest of the first stage and the second, all in one pool of CHECK_JOBS
# (a make's first job is its own: while they run, one more than that).  If
# what they need fails to build, they run with the others, as before.
# Recursive (=), as every list here made from CHECKS: this file is read
# before tests/harness/build.mk adds the harness groups, and with := the
# list was empty, so the harness groups never ran early (CI at db93281:
# check-harness from +273 s, after everything else was built).
CHECK_EARLY = $(filter check-harness check-harness-cpus64,$(CHECKS))
# Planted twin of CHECK_EARLY for check-early-groups: the same list made the
# old way, expanded here at once; it must come out empty and be reported.
CHECK_EARLY_PLANTED := $(filter check-harness check-harness-cpus64,$(CHECKS))
CHECKS += check-early-groups
.PHONY: check-early-groups
check-early-groups:
	$(Q)tests/run-check early-groups tests/early-groups.sh '$(CHECK_EARLY)' '$(CHECK_EARLY_PLANTED)'
# The second build and check-rpm after it were the critical path (763 s
# and 266 s of a 1198 s CI run: the build started at +167, after the first
# stage, and ran beside both harness groups at the same priority, so it
# had a third of the machine).  Its prerequisites are `all` and the
# tarball, which `make` already made: after a make of just those (a no-op
# then), it starts second (below), beside the first stage.  The harness groups,
# thousands of short runs that can fill whatever is idle, run at a lower
# priority (CHECK_HARNESS_NICE): they give way to the builds and the other
# groups instead of taking their turn (nice 5, not more: a starved run
# still has to meet its real-time budgets).
# What the harness groups need (the host runner, the test drivers, the
# layout tables: ~75 CPU-s, 40 s on 2 idle cores) is built before the
# second build starts: built beside it, with a share of the pool, it held
# check-harness, the critical path, back until +297 s of 1103 (CI at
# 9262f0e); the second build and check-rpm after it end well before.
CHECK_SECOND = $(if $(filter $(CHECK_AFTER_SECOND),$(CHECKS)),check-after-second-build)
CHECK_HARNESS_NICE ?= 5
check:
	@rm -rf $(B)/check
	@mkdir -p $(B)/check
	@date +%s >$(B)/check/started
	+@$(MAKE) --no-print-directory -j$(CHECK_JOBS) check-stages || true
	@tests/summary --since $(B)/check/started --build second $(B)/second $(patsubst check-%,$(B)/check/%.log,$(CHECKS))

# make check's stages (see check), in the pool of the make that runs this.
.PHONY: check-stages
check-stages:
	+@early='$(CHECK_EARLY)' second='$(CHECK_SECOND)'; \
	if [ -n "$$early" ] && ! CHECK_PREPARE=1 $(MAKE) --no-print-directory -k -Otarget $$early; then \
		early=; fi; \
	if [ -n "$$second" ] && CHECK_PREPARE=1 $(MAKE) --no-print-directory -k -Otarget all $(DIST_TARBALL); then \
		CHECK_GROUPED=1 $(MAKE) --no-print-directory -k -Otarget $(addprefix -o ,$(CHECK_RAN_ONCE)) \
			$$second & \
	else second=; fi; \
	if [ -n "$$early" ]; then \
		CHECK_GROUPED=1 nice -n $(CHECK_HARNESS_NICE) $(MAKE) --no-print-directory -k -Otarget \
			$(addprefix -o ,$(CHECK_RAN_ONCE)) $$early & \
	fi; \
	CHECK_PREPARE=1 $(MAKE) --no-print-directory -k -Otarget -o $(SECOND_BUILD) \
		$(filter-out $(CHECK_EARLY),$(CHECKS)) || true; \
	CHECK_GROUPED=1 $(MAKE) --no-print-directory -k -Otarget $(addprefix -o ,$(CHECK_RAN_ONCE)) \
		$$(for g in $(CHECK_ORDER); do case " $$early $$second " in *" $$g "*) ;; *) echo $$g ;; esac; done) \
		|| true; \
	wait

# The second build, then the groups that need it (see check).
.PHONY: check-after-second-build
check-after-second-build:
	+@$(MAKE) --no-print-directory -k $(addprefix -o ,$(CHECK_RAN_ONCE)) $(SECOND_BUILD) \
		$(foreach c,$(CHECK_AFTER_SECOND),$(filter $(c),$(CHECKS)))
