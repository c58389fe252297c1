#!/bin/sh
# check-qga: the agent's host unit tests (ASan+UBSan), then the same tests
# on a copy whose stream ignores the host's 0xFF flush, which must fail.
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
if [ $prc -ne 0 ] && grep -q '^FAIL: 0xFF flush drops the partial command' "$log"; then
    echo "PASS: planted bug (0xFF flush ignored) is caught: $(grep -c '^FAIL' "$log") failing checks"
    pass=$((pass + 1))
else
    echo "FAIL: planted bug (0xFF flush ignored) went unnoticed (exit $prc)"
    fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
