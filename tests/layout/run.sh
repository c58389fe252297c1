#!/bin/sh
# Usage: tests/layout/run.sh BUILD_DIR
# The real layouts must pass compare (ARM64 = amd64, every entry as Microsoft
# declares it or listed as not documented); the planted ARM64 layout must fail
# it on IO_STACK_LOCATION, the structure the missing rule breaks; the planted
# documented table with IRP.IoStatus moved must fail it on that member; and
# no source may use a size the mingw-w64 headers get wrong (SX entries).
set -u
b=$1
l=$b/layout
cmp=$b/host/layout-compare
out=$($cmp $l/x86.bin $l/amd64.bin $l/arm64.bin $l/doc-x86.bin $l/doc-amd64.bin)
status=$?
echo "$out" | grep -v -E '^[0-9]+ passed, [0-9]+ failed$'
line=$(echo "$out" | tail -n 1)
passed=${line%% passed*}
failed=${line#*passed, }
failed=${failed%% failed*}
[ "$status" = 0 ] || failed=$((failed + 1))

planted=$($cmp $l/x86.bin $l/amd64.bin $l/arm64-planted.bin $l/doc-x86.bin $l/doc-amd64.bin)
if [ $? != 0 ] && echo "$planted" | grep -q 'FAIL arm64 sizeof(IO_STACK_LOCATION) = 0x44'; then
	echo "ok planted: ARM64 headers without the 64-bit layout rule are caught"
	passed=$((passed + 1))
else
	echo "FAIL planted: compare did not catch the 32-bit IO_STACK_LOCATION layout"
	echo "$planted"
	failed=$((failed + 1))
fi

planted=$($cmp $l/x86.bin $l/amd64.bin $l/arm64.bin $l/doc-x86.bin $l/doc-amd64-planted.bin)
if [ $? != 0 ] && echo "$planted" | grep -q '^FAIL amd64 IRP.IoStatus = 0x30 in the mingw-w64 headers, 0x38 as documented$'; then
	echo "ok planted: a documented member moved by 8 (IRP.IoStatus) is caught by name"
	passed=$((passed + 1))
else
	echo "FAIL planted: compare did not name IRP.IoStatus moved by 8 bytes"
	echo "$planted"
	failed=$((failed + 1))
fi

# The SX sizes: neither sizeof(T) in driver code nor VW_SIZEOF(vm, T) in the
# harness.  (tests/layout itself names them, as the list does.)
src=$(cd "$(dirname "$0")/../.." && pwd)
sx=$(sed -n 's/^ *SX(\([A-Z_]*\)).*/\1/p' "$src/tests/layout/documented-list.h")
# Prints every use of an SX size under the directories given (relative to $1).
sx_uses() {
	root=$1
	shift
	for t in $sx; do
		(cd "$root" && grep -rn -E "sizeof\($t\)|VW_SIZEOF\(vm, $t\)" "$@" \
			--include='*.c' --include='*.h')
	done
}
uses=$(sx_uses "$src" common drivers tests/harness)
if [ -z "$sx" ]; then
	echo "FAIL no SX entries read from documented-list.h"
	failed=$((failed + 1))
elif [ -n "$uses" ]; then
	echo "FAIL a size the mingw-w64 headers get wrong is used:"
	echo "$uses"
	failed=$((failed + 1))
else
	echo "ok no source uses a size the mingw-w64 headers get wrong ($(echo $sx))"
	passed=$((passed + 1))
fi
# Planted: a harness file taking VW_SIZEOF(vm, DEVICE_OBJECT) must be found.
tmp=$(mktemp -d)
printf 'uint64_t s = VW_SIZEOF(vm, DEVICE_OBJECT);\n' >"$tmp/bad.c"
if sx_uses "$tmp" . | grep -q 'bad.c:1:'; then
	echo "ok planted: a use of the mingw-w64 sizeof(DEVICE_OBJECT) is caught"
	passed=$((passed + 1))
else
	echo "FAIL planted: VW_SIZEOF(vm, DEVICE_OBJECT) went unnoticed"
	failed=$((failed + 1))
fi
rm -rf "$tmp"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
