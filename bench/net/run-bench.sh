#!/bin/sh
# Usage: bench/net/run-bench.sh HARNESS OUT_DIR BUILD_DIR [ARCH]
# Runs the bench-net scenarios (seed 0, one at a time; ARCH default amd64)
# and prints two tables: per packet, for transmit (tx, lso: per wire
# segment) and receive (rx) apart, notifications, interrupts, descriptors
# the model walked (ring slots in parentheses) and driver instructions; and
# receive-buffer memory per queue and in all (bench/net/harness_net.c);
# against testpmd (harness_testpmd.c: real time, a minute or two) per
# round trip, transmit and receive queue apart.
# Fails when a run fails or a figure is insane (validate.awk).
set -eu
harness=$1
out=$2
build=$3
arch=${4:-amd64}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
"$harness" --out "$out" --build "$build" --driver bench-net --arch "$arch" --seed 0 \
	--jobs 1 -v >"$log" 2>&1 || status=$?
grep -E '^FAIL' "$log" || true
awk -f "$(dirname "$0")/validate.awk" "$log" || status=1
printf '%-4s %-6s %5s %-5s %5s %5s %8s %8s %11s %6s\n' dir ring pairs dev size batch notif/pk intr/pk 'desc(ring)' insn/pk
sed -n 's/.*BENCH \(tx\|rx\|lso\) /\1 /p' "$log" |
	sed -E 's/ pairs | size | batch |: [0-9]+ packets, | notifications, | interrupts, | descriptors \(| in the ring\), | driver instructions per packet$/ /g' |
	sort -k2,2 -k3,3n -k4,4 -k1,1r -k5,5n -k6,6n |
	while read -r d r p v s b n i ds dr x; do
		printf '%-4s %-6s %5s %-5s %5s %5s %8s %8s %11s %6s\n' "$d" "$r" "$p" "$v" "$s" "$b" "$n" "$i" "$ds($dr)" "$x"
	done
if grep -q 'BENCH testpmd' "$log"; then
	echo
	printf '%-7s %-6s %5s %5s %8s %8s %8s %8s %7s\n' testpmd ring size batch 'tx ntf' 'rx ntf' 'tx intr' \
		'rx intr' insn/rt
	sed -n 's/.*BENCH testpmd //p' "$log" |
		sed -E 's/ pairs 1 size | batch |: [0-9]+ round trips, | tx and | rx notifications, | rx interrupts, | driver instructions per round trip$/ /g' |
		sort -k1,1r -k2,2n -k3,3n |
		while read -r r s b tn rn ti ri x; do
			printf '%-7s %-6s %5s %5s %8s %8s %8s %8s %7s\n' '' "$r" "$s" "$b" "$tn" "$rn" "$ti" "$ri" "$x"
		done
fi
echo
printf '%5s %3s %3s %5s %12s %12s %12s\n' pairs mrg tso mtu rx/queue rx-total shared-total
sed -n 's/.*BENCH mem //p' "$log" |
	sed -E 's/pairs | mrg | tso | mtu |: | to [0-9]+ receive bytes per queue, | in all \([0-9]+ blocks\), | bytes of shared memory in all \([0-9]+ blocks\)$/ /g' |
	sort -k1,1n -k4,4n -k2,2r -k3,3n |
	while read -r p m t u q a s; do
		printf '%5s %3s %3s %5s %12s %12s %12s\n' "$p" "$m" "$t" "$u" "$q" "$a" "$s"
	done
exit "$status"
