#!/bin/sh
# check-viorngum: the provider's unit tests and the registration's unit
# tests, then each against a copy built with a planted bug (reads of 4097
# bytes; the provider added at the top of the RNG list), which must fail.
# usage: run.sh TEST PLANTED_TEST REG_TEST PLANTED_REG_TEST
set -u
[ $# -eq 4 ] || {
    echo "usage: $0 TEST PLANTED_TEST REG_TEST PLANTED_REG_TEST" >&2
    exit 2
}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
pass=0
fail=0

# One unit-test program: its lines minus its summary, counted here.
unit() {
    "$1" >"$log" 2>&1
    rc=$?
    sed '$d' "$log"
    last=$(tail -n 1 "$log")
    p=${last%% passed*}
    f=${last#*, }
    f=${f%% failed*}
    case $p$f in
    *[!0-9]*) p=0 f=1 ;;
    esac
    [ $rc -eq 0 ] || [ "$f" -gt 0 ] || f=1
    pass=$((pass + p))
    fail=$((fail + f))
}

# A planted copy must fail, on the check named by PATTERN.
planted() {
    "$1" >"$log" 2>&1
    prc=$?
    if [ $prc -ne 0 ] && grep -q "$2" "$log"; then
        echo "PASS: planted bug ($3) is caught: $(grep -c '^FAIL' "$log") failing checks"
        pass=$((pass + 1))
    else
        echo "FAIL: planted bug ($3) went unnoticed (exit $prc)"
        fail=$((fail + 1))
    fi
}

unit "$1"
planted "$2" '^FAIL: gen: .*4096' '4097-byte reads'
unit "$3"
planted "$4" '^FAIL: reg: added at CRYPT_PRIORITY_BOTTOM' 'provider at the top of the RNG list'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
