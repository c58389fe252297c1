#!/bin/sh
# Usage: bench/net/check.sh HARNESS OUT_DIR BUILD_DIR
# make check-bench-net: that bench-net runs and gives sane figures, not
# what they are.  The planted log (bad-bench.log: a kick count of 3 per
# packet, no instruction, no receive memory) must be refused by
# validate.awk; then the short set on the model (model_* with
# VW_BENCH_SHORT=1: batch 32 only, the LSO send, the memory runs; not
# testpmd_*, real time) on x86, amd64 and arm64, seed 0, each run passing
# and every figure sane.  Ends with "N passed, N failed".
set -u
harness=$1
out=$2
build=$3
dir=$(dirname "$0")
pass=0
fail=0
if awk -f "$dir/validate.awk" "$dir/bad-bench.log" >/dev/null; then
	echo "FAIL bench-net: validate.awk accepted the planted insane figures (bad-bench.log)"
	fail=$((fail + 1))
else
	echo "ok   bench-net: validate.awk refuses the planted insane figures"
	pass=$((pass + 1))
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for arch in x86 amd64 arm64; do
	if VW_BENCH_SHORT=1 "$harness" --out "$out" --build "$build" --driver bench-net --arch "$arch" \
		--only model_ --seed 0 --jobs 1 -v >"$log" 2>&1 && awk -f "$dir/validate.awk" "$log"; then
		echo "ok   bench-net $arch: $(tail -n 1 "$log"), $(grep -c 'BENCH ' "$log") BENCH lines sane"
		pass=$((pass + 1))
	else
		grep -E '^FAIL' "$log"
		echo "FAIL bench-net $arch: $(tail -n 1 "$log")"
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
