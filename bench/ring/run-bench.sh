#!/bin/sh
# Usage: bench/ring/run-bench.sh BENCH_BINARY FENCE_COUNTING_BINARY [REQUESTS]
# Prints instructions per request cycle (callgrind, counting only inside
# the ring entry points: virtqueue_add or, for the descriptor writer,
# bench_req_add / bench_reqind_add, plus kick_prepare, get, disable_cb, enable_cb_delayed)
# for both APIs, split/packed, with and without EVENT_IDX, at queue depth
# 1, 32 and 256; then notifications, interrupts and full fences per
# request at queue depth 32 against the model device.
set -eu
bin=$1
fbin=$2
n=${3:-20000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v valgrind >/dev/null || { echo "run-bench: valgrind not installed" >&2; exit 1; }

collect="--toggle-collect=virtqueue_add --toggle-collect=bench_req_add --toggle-collect=bench_reqind_add \
--toggle-collect=virtqueue_kick_prepare --toggle-collect=virtqueue_get \
--toggle-collect=virtqueue_disable_cb --toggle-collect=virtqueue_enable_cb_delayed"

printf '%-7s %-7s %-9s %10s %10s %10s\n' api format event_idx "QD=1" "QD=32" "QD=256"
for api in add req reqind; do
	for fmt in split packed; do
		for ev in 0 1; do
			line=$(printf '%-7s %-7s %-9s' "$api" "$fmt" "$ev")
			for qd in 1 32 256; do
				out=$tmp/cg.$api.$fmt.$ev.$qd
				# shellcheck disable=SC2086
				valgrind --tool=callgrind --callgrind-out-file="$out" $collect \
					"$bin" ipr "$api" "$fmt" "$ev" "$qd" "$n" >/dev/null 2>"$tmp/log" ||
					{ cat "$tmp/log" >&2; exit 1; }
				ir=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$out" | head -n 1)
				[ -n "$ir" ] || ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$out" | head -n 1)
				line="$line $(awk -v ir="$ir" -v n="$n" 'BEGIN { printf "%10.1f", ir / n }')"
			done
			echo "$line"
		done
	done
done
echo "(instructions per request: add + kick decision + get + callback re-arm;"
echo " add = virtqueue_add, req = the writer, direct; reqind = the writer, caller tables)"
echo
echo "Notifications, interrupts and full fences per request, QD 32, device completes all (batch 0) or 8 per step:"
for api in add req; do
	for fmt in split packed; do
		for ev in 0 1; do
			for batch in 0 8; do
				"$fbin" rate "$api" "$fmt" "$ev" 32 200000 "$batch"
			done
		done
	done
done
