#!/bin/sh
# check-qga-wine: the real qemu-ga.exe (amd64, and x86 where this machine
# can run 32-bit programs) under Wine, headless, in a prefix under build/,
# stopped by that prefix's wineserver -k.  Each arch's checks come from
# wine_check.py; one summary line ends the group.
# usage: wine.sh BUILD_DIR EXE_AMD64 EXE_X86
set -u
[ $# -eq 3 ] || {
    echo "usage: $0 BUILD_DIR EXE_AMD64 EXE_X86" >&2
    exit 2
}
build=$1
here=$(dirname "$0")
wine_dir=/usr/lib/wine
pass=0 fail=0
. "$here/../../tests/wine-env.sh"
mkdir -p "$build/wine" && wine_isolate "$build/wine" || exit 1
export WINEDEBUG=-all

# run_arch NAME LOADER EXE
run_arch() {
    prefix=$build/wine/$1
    mkdir -p "$prefix"
    log=$prefix/check.log
    WINEPREFIX=$(cd "$prefix" && pwd)/pfx
    export WINEPREFIX
    timeout 600 python3 "$here/wine_check.py" "$2" "$3" "$prefix/work" >"$log" 2>&1
    rc=$?
    "$wine_dir/wineserver" -k 2>/dev/null
    sed '$d' "$log" | sed "s/^\(PASS\|FAIL\): /\1: $1: /"
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

run_arch amd64 "$wine_dir/wine64" "$2"
if "$wine_dir/wine" --version >/dev/null 2>&1; then
    run_arch x86 "$wine_dir/wine" "$3"
else
    echo "SKIP: x86: this machine cannot run Wine's 32-bit loader ($wine_dir/wine)"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
