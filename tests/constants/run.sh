#!/bin/sh
# Usage: tests/constants/run.sh BUILD_DIR ARCH...
# The table must hold in both trees on every arch.  Planted: the compare
# built with planted.h's wrong documented values must fail, naming each
# planted constant in every tree that defines it (and nothing else); an
# amd64 drivers.o built with a storport.h giving SRB_STATUS_UNEXPECTED_BUS_FREE
# 0x0c must fail on that constant alone.  Coverage: every #defined
# constant of the two include trees is pinned or listed in unpinned.txt
# (coverage.sh); planted, a header with one more must fail.
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

# Planted: every FAIL line expected, and no other.
planted=$($b/host/constants-planted $args)
pstatus=$?
want=
for a in "$@"; do
	want="$want
FAIL $a drivers SRB_STATUS_UNEXPECTED_BUS_FREE = 0x13, documented 0xc
FAIL $a drivers SRB_STATUS_BUS_RESET = 0xe, documented 0xd
FAIL $a drivers NDIS_OBJECT_TYPE_OID_REQUEST = 0x96, documented 0x95"
	if [ "$a" = x86 ]; then
		want="$want
FAIL $a drivers TcpRecvSegCoalesceInfo = 0x13, documented 0x15"
	else
		want="$want
FAIL $a drivers TcpRecvSegCoalesceInfo = 0x16, documented 0x15"
	fi
done
want="$want
FAIL harness SRB_STATUS_BUS_RESET = 0xe, documented 0xd
FAIL harness SRB_STATUS_BUS_RESET (VW_LOCAL_storport_removal_SRB_BUS_RESET) = 0xe, documented 0xd
FAIL harness NDIS_OBJECT_TYPE_OID_REQUEST (VW_NDIS_OBJECT_TYPE_OID_REQUEST) = 0x96, documented 0x95
FAIL harness IO_TYPE_IRP (VW_IO_TYPE_IRP) = 0x6, documented 0x5"
got=$(echo "$planted" | grep '^FAIL' | sort)
want=$(echo "$want" | sed '/^$/d' | sort)
if [ "$pstatus" != 0 ] && [ "$got" = "$want" ]; then
	echo "ok planted: $(echo "$want" | wc -l) wrong documented values named (SRB_STATUS_UNEXPECTED_BUS_FREE 0x0c among them)"
	passed=$((passed + 1))
else
	echo "FAIL planted: the wrong documented values were not named as expected"
	echo "--- expected"
	echo "$want"
	echo "--- got"
	echo "$planted"
	failed=$((failed + 1))
fi
# Planted header: storport.h with SRB_STATUS_UNEXPECTED_BUS_FREE 0x0c.
planted=$($b/host/constants-compare amd64=$b/constants/amd64-planted.bin)
if [ $? != 0 ] && [ "$(echo "$planted" | grep '^FAIL')" = \
	"FAIL amd64 drivers SRB_STATUS_UNEXPECTED_BUS_FREE = 0xc, documented 0x13" ]; then
	echo "ok planted: a storport.h with SRB_STATUS_UNEXPECTED_BUS_FREE 0x0c is caught by name"
	passed=$((passed + 1))
else
	echo "FAIL planted: SRB_STATUS_UNEXPECTED_BUS_FREE 0x0c in storport.h went unnamed"
	echo "$planted"
	failed=$((failed + 1))
fi
# Coverage: every #defined constant of the two include trees pinned or
# listed in unpinned.txt with its reason.
src=$(cd "$(dirname "$0")/../.." && pwd)
cov=$("$src"/tests/constants/coverage.sh "$src" 2>&1)
cstatus=$?
echo "$cov" | grep -v -E '^[0-9]+ passed, [0-9]+ failed$'
if [ "$cstatus" = 0 ]; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
fi
# Planted: a driver header with a constant the table does not know.
tmp=$(mktemp -d)
printf '#define SRB_STATUS_PARITY_ERROR 0x0f\n' >"$tmp/planted.h"
cov=$("$src"/tests/constants/coverage.sh "$src" "$tmp/planted.h" 2>&1)
if [ $? != 0 ] && echo "$cov" | grep -q '^FAIL drivers: SRB_STATUS_PARITY_ERROR is #defined'; then
	echo "ok planted: a #defined constant neither pinned nor listed is caught by name"
	passed=$((passed + 1))
else
	echo "FAIL planted: an unpinned SRB_STATUS_PARITY_ERROR went unnoticed"
	echo "$cov"
	failed=$((failed + 1))
fi
rm -rf "$tmp"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
