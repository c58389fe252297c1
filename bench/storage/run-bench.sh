#!/bin/sh
# Usage: bench/storage/run-bench.sh HARNESS OUT_DIR BUILD_DIR
# Runs the bench-storage scenarios on amd64 (seed 0, one at a time) and
# prints one line per back end, queue count and queue depth: per 4 KiB
# write, notifications, interrupts and driver instructions; the most
# requests outstanding at the miniport; the maximum transfer.
set -eu
harness=$1
out=$2
build=$3
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
"$harness" --out "$out" --build "$build" --driver bench-storage --arch amd64 --seed 0 \
	--jobs 1 -v >"$log" 2>&1 || status=$?
grep -E '^FAIL' "$log" || true
printf '%-7s %6s %4s %8s %8s %8s %7s %12s\n' backend queues QD notif/rq intr/rq insn/rq outst max_xfer
sed -n 's/.*BENCH \([a-z]*\) queues \([0-9]*\) qd \([0-9]*\): [0-9]* requests, \([0-9.]*\) notifications, \([0-9.]*\) interrupts, \([0-9]*\) driver instructions per request, \([0-9]*\) outstanding at most, max transfer \([0-9]*\) bytes/\1 \2 \3 \4 \5 \6 \7 \8/p' "$log" |
	sort -k1,1 -k2,2n -k3,3n |
	while read -r b q d n i x o m; do
		printf '%-7s %6s %4s %8s %8s %8s %7s %12s\n' "$b" "$q" "$d" "$n" "$i" "$x" "$o" "$m"
	done
exit "$status"
