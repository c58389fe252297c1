# Shared by the installer test groups (check-gt-msi, -wine, -exe, -dist,
# check-qga-msi, -msi-wine):
#   . installer/tests/testlib.sh
#   ok "what held"; ko "what did not"; skipped "why"; ...; finish
# Lines read "PASS: ..." and "FAIL: ..." as the Python checkers print them;
# finish prints the closing "N passed, N failed" line (with the skips, if
# any) and exits non-zero on a failure.
pass=0 fail=0 skip=0
ok() {
    echo "PASS: $*"
    pass=$((pass + 1))
}
ko() {
    echo "FAIL: $*"
    fail=$((fail + 1))
}
skipped() {
    echo "SKIP: $*"
    skip=$((skip + 1))
}
finish() {
    if [ "$skip" -gt 0 ]; then
        echo "$pass passed, $fail failed, $skip skipped"
    else
        echo "$pass passed, $fail failed"
    fi
    [ "$fail" -eq 0 ]
    exit
}

# counted LOG CHECKER [ARG...]: runs a checker that prints PASS/FAIL lines,
# shows them and adds them up; a non-zero exit with no FAIL line (a crash,
# a usage error) is one failure.
counted() {
    counted_log=$1
    shift
    "$@" >"$counted_log" 2>&1
    counted_rc=$?
    cat "$counted_log"
    pass=$((pass + $(grep -c '^PASS' "$counted_log")))
    fail=$((fail + $(grep -c '^FAIL' "$counted_log")))
    [ $counted_rc -eq 0 ] || grep -q '^FAIL' "$counted_log" ||
        ko "$(basename "$2") exited $counted_rc: $(tail -n 1 "$counted_log")"
}

# wine64_tools: wine and server set to Wine's 64-bit loader and server, or
# the group ends failed (a missing Wine is a failure, never a skip).
wine64_tools() {
    wine=/usr/lib/wine/wine64 server=/usr/lib/wine/wineserver64
    if [ ! -x "$wine" ] || [ ! -x "$server" ]; then
        ko "Wine is missing ($wine, $server): install wine and wine64"
        finish
    fi
}

# w ARG...: one Wine command, bounded in time, with no terminal input.
w() { timeout 300 "$wine" "$@" </dev/null; }
