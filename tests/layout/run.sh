#!/bin/sh
# Usage: tests/layout/run.sh BUILD_DIR
# The real layouts must pass compare; the planted ARM64 layout must fail it,
# and fail on IO_STACK_LOCATION, the structure the missing rule breaks.
set -u
b=$1
l=$b/layout
out=$($b/host/layout-compare $l/x86.bin $l/amd64.bin $l/arm64.bin)
status=$?
echo "$out" | grep -v -E '^[0-9]+ passed, [0-9]+ failed$'
line=$(echo "$out" | tail -n 1)
passed=${line%% passed*}
failed=${line#*passed, }
failed=${failed%% failed*}
[ "$status" = 0 ] || failed=$((failed + 1))

planted=$($b/host/layout-compare $l/x86.bin $l/amd64.bin $l/arm64-planted.bin)
if [ $? != 0 ] && echo "$planted" | grep -q 'FAIL arm64 sizeof(IO_STACK_LOCATION) = 0x44'; then
	echo "ok planted: ARM64 headers without the 64-bit layout rule are caught"
	passed=$((passed + 1))
else
	echo "FAIL planted: compare did not catch the 32-bit IO_STACK_LOCATION layout"
	echo "$planted"
	failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
