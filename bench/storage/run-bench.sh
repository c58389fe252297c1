#!/bin/sh
# Usage: bench/storage/run-bench.sh HARNESS OUT_DIR BUILD_DIR
# Runs the bench-storage scenarios on amd64 (seed 0, one at a time) and
# prints one line per back end, queue count and queue depth: per 4 KiB
# write, notifications, interrupts, descriptors the device walked (ring
# and indirect; "-" for an external back end) and driver instructions; the
# most requests outstanding at the miniport; the maximum transfer; the
# mean and longest virtual time (us) from HwStartIo to the completion.
# A backend named BASE+hN ran with CompletionHoldoff N us.
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
printf '%-15s %6s %4s %8s %8s %8s %8s %8s %7s %12s %9s %9s\n' backend queues QD notif/rq intr/rq desc/rq ring/rq insn/rq outst max_xfer lat_mean lat_max
sed -n 's/.*BENCH //p' "$log" |
	sed -E 's/ queues | qd |: [0-9]+ requests, | notifications, | interrupts, | descriptors \(| in the ring\), | driver instructions per request, | outstanding at most, max transfer | bytes, latency | us mean | us max$/ /g' |
	sort -k1,1 -k2,2n -k3,3n |
	while read -r b q d n i ds dr x o m lm lx; do
		printf '%-15s %6s %4s %8s %8s %8s %8s %8s %7s %12s %9s %9s\n' "$b" "$q" "$d" "$n" "$i" "$ds" "$dr" "$x" "$o" "$m" "$lm" "$lx"
	done
exit "$status"
