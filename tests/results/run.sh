#!/bin/sh
# Usage: tests/results/run.sh WORKDIR
# The result plumbing of `make check` (tests/run-check, tests/summary) on
# planted groups: each way a group can hide a failure must count as one.
set -u
work=$1
. tests/lib.sh
rm -rf "$work"
mkdir -p "$work"

# plant NAME SHELL-BODY: run a fake group through run-check into $work.
plant() {
	B=$work tests/run-check "$1" sh -c "$2" >/dev/null 2>&1
}
# total LOG...: the summary's closing line for those groups.
total() {
	tests/summary "$@" 2>/dev/null | tail -n 1
}

plant good 'echo "3 passed, 0 failed"'
plant leak 'echo "3 passed, 0 failed"; echo "ERROR: LeakSanitizer"; exit 23'
plant crash 'echo "2 passed, 0 failed"; kill -SEGV $$'
plant noline 'echo all fine'
plant nothing 'echo "0 passed, 0 failed"'
plant counted 'echo "1 passed, 2 failed"; exit 1'

c=$work/check
[ "$(total $c/good.log)" = "3 passed, 0 failed" ] &&
	ok "a clean group passes" || fail "a clean group: $(total $c/good.log)"
[ "$(cat $c/good.log.exit)" = 0 ] && [ -s $c/good.log.time ] &&
	ok "run-check records exit status and time" || fail "no .exit/.time"
[ "$(total $c/good.log $c/leak.log)" = "6 passed, 1 failed" ] &&
	ok "a non-zero exit after the closing line fails" ||
	fail "leak after summary line: $(total $c/good.log $c/leak.log)"
[ "$(total $c/crash.log)" = "2 passed, 1 failed" ] &&
	ok "a crash after the closing line fails" || fail "crash: $(total $c/crash.log)"
[ "$(total $c/noline.log)" = "0 passed, 1 failed" ] &&
	ok "a group without a closing line fails" || fail "noline: $(total $c/noline.log)"
[ "$(total $c/nothing.log)" = "0 passed, 1 failed" ] &&
	ok "a group that ran nothing fails" || fail "nothing: $(total $c/nothing.log)"
[ "$(total $c/counted.log)" = "1 passed, 2 failed" ] &&
	ok "failures a group counts itself are not doubled" || fail "counted: $(total $c/counted.log)"
[ "$(total $c/missing.log)" = "0 passed, 1 failed" ] &&
	ok "a group that never ran fails" || fail "missing: $(total $c/missing.log)"
tests/summary $c/good.log >/dev/null 2>&1 &&
	ok "summary exits 0 when all passed" || fail "summary exit on success"
tests/summary $c/leak.log >/dev/null 2>&1 &&
	fail "summary exits 0 with a failing group" || ok "summary exits non-zero on failure"
tests/summary $c/good.log 2>/dev/null | grep -q '^group good .* exit 0 ' &&
	ok "per-group line with exit and time" || fail "no per-group line"
# Slowest group first, a group without a time last: planted times.
echo 30 >$c/good.log.time && echo 200 >$c/counted.log.time && echo 7 >$c/leak.log.time &&
	rm -f $c/crash.log.time
order() { tests/summary "$@" 2>/dev/null | sed -n 's/^group \([a-z]*\) .*/\1/p' | tr '\n' ' '; }
[ "$(order $c/crash.log $c/leak.log $c/good.log $c/counted.log)" = "counted good leak crash " ] &&
	ok "groups printed slowest first, one without a time last" ||
	fail "group order: $(order $c/crash.log $c/leak.log $c/good.log $c/counted.log)"
# Planted: a summary whose sort is taken out must fail the order check.
sed 's/^sort -s -k9,9nr "\$lines"$/cat "$lines"/' tests/summary >$work/summary-unsorted
chmod +x $work/summary-unsorted
cmp -s tests/summary $work/summary-unsorted && fail "planted: taking the sort out changed nothing"
unsorted=$($work/summary-unsorted $c/crash.log $c/leak.log $c/good.log $c/counted.log 2>/dev/null |
	sed -n 's/^group \([a-z]*\) .*/\1/p' | tr '\n' ' ')
[ "$unsorted" != "counted good leak crash " ] &&
	ok "planted: a summary without its sort fails the order check ($unsorted)" ||
	fail "planted: the order check passes a summary without its sort"
# Two groups at once, as make check runs them: with CHECK_GROUPED=1 each
# log comes out whole; without it (the planted case) the lines interleave.
two() {
	for g in ga gb; do
		B=$work/par CHECK_GROUPED=$1 tests/run-check "$g" sh -c \
			"for i in 1 2 3 4; do echo $g \$i; sleep 0.2; done; echo '4 passed, 0 failed'" &
	done
	wait
}
blocks() { sed 's/ .*//' | uniq | wc -l; }
[ "$(two 1 2>/dev/null | blocks)" = 4 ] && ok "groups run at once print their logs whole" ||
	fail "grouped output interleaves"
[ "$(two 0 2>/dev/null | blocks)" -gt 4 ] && ok "planted: without grouping the same runs interleave" ||
	fail "planted: ungrouped runs did not interleave (the check above proves nothing)"
date +%s >$work/started
out=$(tests/summary --since $work/started $c/good.log $c/counted.log 2>/dev/null)
echo "$out" | tail -n 2 | head -n 1 | grep -q '^time: [0-9]*s wall, [0-9]*s summed over the groups, [0-9]*s CPU (groups and builds)$' &&
	[ "$(echo "$out" | tail -n 1)" = "4 passed, 2 failed" ] &&
	ok "--since: wall, summed group and CPU time, then the total last" || fail "--since: '$out'"
# Each group's start on make check's timeline (run-check writes NAME.start):
# planted starts 12 and 40 s after the stamp, a build 3 s after it.
case $(cat $c/good.log.start 2>/dev/null) in '' | *[!0-9]*) fail "run-check wrote no start time" ;;
*) ok "run-check records the start time" ;; esac
echo 1000 >$work/t0 && echo 1012 >$c/good.log.start && echo 1040 >$c/counted.log.start
mkdir -p $work/bld && echo 5 >$work/bld/time && echo 4 >$work/bld/cpu && echo 1003 >$work/bld/start
touch -d @900 $work/t0
out=$(tests/summary --since $work/t0 --build second $work/bld $c/good.log $c/counted.log 2>/dev/null)
echo "$out" | grep -q '^group good .* cpu  from +12s$' && echo "$out" | grep -q '^group counted .* cpu  from +40s$' &&
	echo "$out" | grep -q '^build second .* cpu  from +3s$' &&
	ok "--since: each group's and build's start, counted from the stamp" || fail "start offsets: '$out'"
tests/summary $c/good.log 2>/dev/null | grep -q 'from' &&
	fail "a start offset without --since" || ok "no start offset without --since"
finish
