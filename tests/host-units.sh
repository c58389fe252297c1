#!/bin/sh
# Usage: tests/host-units.sh STEP...
#   --unit TEST                    run a host unit-test program; its lines are
#                                  printed (minus its own summary) and counted
#   --planted TEST PATTERN WHAT    run a copy built with a planted bug (WHAT);
#                                  it must exit non-zero with a line matching
#                                  PATTERN (grep), else that is one failure
# The runner of the host unit-test groups (check-qga, check-gtca,
# check-viorngum): one "N passed, N failed" line for all the steps.
set -u
log=$(mktemp)
trap 'rm -f "$log"' EXIT
pass=0
fail=0

# unit TEST: a program ending with its own "N passed, N failed" line.
unit() {
    "$1" >"$log" 2>&1
    rc=$?
    sed '$d' "$log"
    last=$(tail -n 1 "$log")
    p=${last%% passed*}
    f=${last#*, }
    f=${f%% failed*}
    case $p$f in
    '' | *[!0-9]*) p=0 f=1 ;;
    esac
    [ $rc -eq 0 ] || [ "$f" -gt 0 ] || f=1
    pass=$((pass + p))
    fail=$((fail + f))
}

# planted TEST PATTERN WHAT: the copy must fail, on the check PATTERN names.
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

while [ $# -gt 0 ]; do
    case $1 in
    --unit)
        [ $# -ge 2 ] || break
        unit "$2"
        shift 2
        ;;
    --planted)
        [ $# -ge 4 ] || break
        planted "$2" "$3" "$4"
        shift 4
        ;;
    *) break ;;
    esac
done
if [ $# -gt 0 ]; then
    echo "usage: $0 [--unit TEST | --planted TEST PATTERN WHAT]... (stopped at '$1')" >&2
    exit 2
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
