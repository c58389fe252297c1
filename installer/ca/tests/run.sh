#!/bin/sh
# check-gtca (first half): the custom action's unit tests, then the same
# tests against a copy built with a planted bug (an undo that leaves the
# packages it should take away in the driver store), which must fail.
# usage: run.sh TEST PLANTED_TEST
set -u
[ $# -eq 2 ] || {
    echo "usage: $0 TEST PLANTED_TEST" >&2
    exit 2
}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$1" >"$log" 2>&1
rc=$?
sed '$d' "$log"
last=$(tail -n 1 "$log")
pass=${last%% passed*}
fail=${last#*, }
fail=${fail%% failed*}
case $pass$fail in
*[!0-9]*) pass=0 fail=1 ;;
esac
[ $rc -eq 0 ] || [ "$fail" -gt 0 ] || fail=1

"$2" >"$log" 2>&1
prc=$?
if [ $prc -ne 0 ] && grep -q '^FAIL: .*mid-way' "$log"; then
    echo "PASS: planted bug (undo keeps packages) is caught: $(grep -c '^FAIL' "$log") failing checks"
    pass=$((pass + 1))
else
    echo "FAIL: planted bug (undo keeps packages) went unnoticed (exit $prc)"
    fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
