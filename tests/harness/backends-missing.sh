#!/bin/sh
# Usage: tests/harness/backends-missing.sh HARNESS OUT BUILD
# A scenario whose real back end is missing must fail, never pass or skip
# (issue 13): one scenario per back end runs with the back end hidden
# (PATH without qemu-storage-daemon and dpdk-testpmd, TGTD naming no file)
# and must fail with the message that names the Debian package.
set -u
harness=$1 out=$2 build=$3
passed=0 failed=0
while read -r driver scenario expect; do
	got=$(env PATH=/var/empty TGTD=/var/empty/tgtd "$harness" --out "$out" --build "$build" \
		--driver "$driver" --arch amd64 --seed 0 --only "$scenario" --jobs 1 2>&1)
	status=$?
	line=$(printf '%s\n' "$got" | grep "^FAIL .*$driver/$scenario seed 0: " | head -1)
	if [ $status -ne 0 ] && [ -n "$line" ] && printf '%s' "$line" | grep -q -- "$expect"; then
		echo "ok   $driver/$scenario fails without its back end ($expect)"
		passed=$((passed + 1))
	else
		echo "FAIL $driver/$scenario without its back end: exit $status, expected a failure naming \"$expect\""
		printf '%s\n' "$got" | tail -5
		failed=$((failed + 1))
	fi
done <<'LIST'
viostor qsd_raw_1q_split qemu-storage-daemon is not installed (Debian qemu-system-common)
netkvm netkvm_testpmd_one_pair_split dpdk-testpmd is not installed (Debian dpdk-dev)
vioscsi tgt_whole_target_added_removed /var/empty/tgtd: No such file or directory (Debian package tgt)
LIST
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
