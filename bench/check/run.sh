#!/bin/sh
# Usage: bench/check/run.sh BUILD_DIR
# Runs make check once (after make, so only the tests are timed) and prints
# its wall time, the groups' summed wall and CPU time, and each group's wall
# and CPU time, slowest first, from the .time and .cpu files tests/run-check
# writes (and the second build's, which is in no group).  Goal: make check
# under 15 minutes on 2 cores.  Reports the load average at the start and
# the end: on a shared machine the figures mean little without it.
set -u
b=$1
jobs=$(nproc)
make --no-print-directory >/dev/null 2>&1 || { echo "bench-check: make failed"; exit 1; }
load0=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(date +%s)
make --no-print-directory check >"$b/bench-check.log" 2>&1
t1=$(date +%s)
load1=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench-check: make check on $jobs cores: $((t1 - t0)) s wall ($(tail -n 1 "$b/bench-check.log"))"
grep '^time: ' "$b/bench-check.log" | sed 's/^/  /'
echo "  load average at start $load0, at end $load1"
{
	for t in "$b"/check/*.log.time; do
		echo "$(cat "$t") $(cat "${t%.time}.cpu" 2>/dev/null || echo '?') $(basename "$t" .log.time)"
	done
	[ -f "$b/second/time" ] && echo "$(cat "$b/second/time") $(cat "$b/second/cpu") (second-build)"
} | sort -rn | awk '{ printf "  %-20s %5d s wall %5s s CPU\n", $3, $1, $2 }'
