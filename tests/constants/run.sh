#!/bin/sh
# Usage: tests/constants/run.sh BUILD_DIR ARCH...
# The table must hold in both trees on every arch.
set -u
b=$1
shift
args=
for a in "$@"; do
	args="$args $a=$b/constants/$a.bin"
done
out=$($b/host/constants-compare $args)
status=$?
echo "$out" | grep -v -E '^[0-9]+ passed, [0-9]+ failed$'
line=$(echo "$out" | tail -n 1)
passed=${line%% passed*}
failed=${line#*passed, }
failed=${failed%% failed*}
[ "$status" = 0 ] || [ "$failed" != 0 ] || failed=1

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
