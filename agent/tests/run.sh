#!/bin/sh
# check-qga: the agent's host unit tests (ASan+UBSan), then the same tests
# on a copy whose stream ignores the host's 0xFF flush, which must fail;
# then the VSS provider's logic tests and their planted bug (the provider
# waiting for thaw past VSS's 10-second hold), which must fail.
# usage: run.sh TEST PLANTED_TEST VSS_TEST VSS_PLANTED_TEST
set -u
[ $# -eq 4 ] || {
    echo "usage: $0 TEST PLANTED_TEST VSS_TEST VSS_PLANTED_TEST" >&2
    exit 2
}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
pass=0 fail=0

# Runs one test program; adds its counts.
run_tests() {
    "$1" >"$log" 2>&1
    rc=$?
    sed '$d' "$log"
    last=$(tail -n 1 "$log")
    p=${last%% passed*}
    f=${last#*, }
    f=${f%% failed*}
    case $p$f in
    *[!0-9]* | '') p=0 f=1 ;;
    esac
    [ $rc -eq 0 ] || [ "$f" -gt 0 ] || f=1
    pass=$((pass + p)) fail=$((fail + f))
}

# Runs a planted copy, which must fail on the named check.
run_planted() {
    "$1" >"$log" 2>&1
    prc=$?
    if [ $prc -ne 0 ] && grep -q "^FAIL: $2" "$log"; then
        echo "PASS: planted bug ($3) is caught: $(grep -c '^FAIL' "$log") failing checks"
        pass=$((pass + 1))
    else
        echo "FAIL: planted bug ($3) went unnoticed (exit $prc)"
        fail=$((fail + 1))
    fi
}

run_tests "$1"
run_planted "$2" '0xFF flush drops the partial command' '0xFF flush ignored'
run_tests "$3"
run_planted "$4" 'CommitSnapshots waits at most 10 s' 'provider holds past 10 s'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
