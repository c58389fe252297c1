#!/bin/sh
# Test pecheck against every built driver and against planted-bad copies.
#
# usage: run-tests.sh OUT_DIR BIN_DIR SCRATCH_DIR
#   OUT_DIR      built drivers, OUT_DIR/<arch>/<driver>/<driver>.sys
#   BIN_DIR      holds pecheck and pemutate
#   SCRATCH_DIR  mutated images are written here
# Environment: PYTHON (default /usr/bin/python3, needs python3-pefile);
# PECHECK_FUZZ (default 50) corrupted copies per driver for the crash test.
#
# For each .sys (and each user-mode .dll, checked with --user-dll and the
# exports it must have): pecheck must pass it; for each mutation (pemutate --list
# gives "MUTATION EXPECTED-RULE"), pecheck must fail with exactly the
# expected rule and nothing else; and the pefile-based checker must report
# the same rule set as pecheck for every good and bad image.
set -u
[ $# -eq 3 ] || { [ "${1:-}" = --one ] && [ $# -ge 5 ]; } || {
    echo "usage: $0 OUT_DIR BIN_DIR SCRATCH_DIR" >&2
    exit 2
}
out=${1%/} bin=$2 scratch=$3
here=$(dirname "$0")
py=${PYTHON:-/usr/bin/python3} # Debian's python, which has python3-pefile
pass=0 fail=0

ok() {
    pass=$((pass + 1))
    echo "PASS: $*"
}
ko() {
    fail=$((fail + 1))
    echo "FAIL: $*"
}

# ids FILE LOG: the sorted rule IDs (or "ok") that LOG reports for FILE.
ids() {
    awk -v p="$1: " 'index($0, p) == 1 { r = substr($0, length(p) + 1); sub(/:.*/, "", r); print r }' \
        "$2" | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# The tools under test must exist; a missing one is a failure, not a skip.
tool_ok() {
    for t in "$bin/pecheck" "$bin/pemutate"; do
        [ -x "$t" ] || {
            ko "missing $t"
            return 1
        }
    done
    "$py" -c 'import pefile' 2>/dev/null || {
        ko "$py cannot import pefile (install python3-pefile)"
        return 1
    }
}

# check_file FILE: every check of one image, printed.  Run by --one, for
# several images at once: one image after the other was most of this
# group's time.
check_file() {
    f=$1
    rel=${f#"$out"/}
    arch=${rel%%/*}
    case $arch in
    x86 | amd64 | arm64) set -- --arch "$arch" ;;
    *) set -- ;; # unknown layout: let pecheck accept any of our machines
    esac
    ext=${f##*.}
    if [ "$ext" = dll ]; then
        set -- "$@" --user-dll
        # What each DLL must export, by name.
        case ${f##*/} in
        viorngum.dll) set -- "$@" --export GetRngInterface ;; # CNG's RNG provider entry
        vwgtca.dll) # the guest-tools MSI's custom action (installer/ca/)
            set -- "$@" --export VwGtInstall --export VwGtRollback --export VwGtCommit \
                --export VwGtRemove --allow-dll setupapi.dll --allow-dll newdev.dll \
                --allow-dll msi.dll --allow-dll crypt32.dll
            ;;
        esac
    fi
    dir=$scratch/${rel%."$ext"}
    if ! { rm -rf "$dir" && mkdir -p "$dir"; }; then
        ko "cannot create $dir"
        return
    fi

    # The good image alone (its exit status is its own), then every
    # planted defect: one pemutate writes them all, one pecheck checks
    # them all (each must fail, so that run must exit 1), one pefile run
    # cross-checks them all and one awk judges every verdict
    # (verdicts.awk).  One process per mutation and five per verdict were
    # most of this group's time.
    "$bin/pecheck" "$@" "$f" >"$dir/good.log" 2>&1
    good_rc=$?
    "$bin/pemutate" --all "$f" "$dir" >"$dir/plants" 2>"$dir/plants.err"
    imgs=
    while read -r m rule; do
        case $m in SKIP | FAIL) continue ;; esac
        imgs="$imgs $dir/$m.$ext"
    done <"$dir/plants"
    planted_rc=
    if [ -n "$imgs" ]; then
        # shellcheck disable=SC2086 # image paths contain no blanks
        "$bin/pecheck" "$@" $imgs >"$dir/planted.log" 2>&1
        planted_rc=$?
    else
        : >"$dir/planted.log"
    fi
    # shellcheck disable=SC2086
    "$py" "$here/pecheck_pefile.py" "$@" "$f" $imgs >"$dir/pefile.log" 2>&1
    awk -f "$here/verdicts.awk" -v image="$f" -v dir="$dir" -v ext="$ext" -v good_rc="$good_rc" \
        -v planted_rc="$planted_rc" "$scratch/mutations" "$dir/plants" "$dir/good.log" \
        "$dir/planted.log" "$dir/pefile.log" >"$dir/verdicts"
    [ -s "$dir/plants.err" ] && echo "FAIL: $f: pemutate --all: $(cat "$dir/plants.err")"
    cat "$dir/verdicts"

    # --allow-dll extends the list, case-insensitively: the DLL the
    # imports mutation planted, upper-cased.
    dll=$(awk -v p="$dir/imports.$ext: imports: imports from " \
        'index($0, p) == 1 { s = substr($0, length(p) + 1); sub(/,.*/, "", s); print toupper(s); exit }' \
        "$dir/planted.log")
    if [ -n "$dll" ]; then
        if "$bin/pecheck" "$@" --allow-dll "$dll" "$dir/imports.$ext" >/dev/null; then
            ok "$f: --allow-dll $dll"
        else
            ko "$f: --allow-dll $dll did not accept the import"
        fi
    fi

    # Robustness: randomly corrupted copies must give a verdict, never a
    # crash (exit 0 or 1, a line for the file, nothing on stderr).
    # One pemutate writes all copies, one pecheck run checks them; only
    # when that run crashes, writes to stderr or leaves a copy without a
    # verdict is each copy run alone, to name the seeds.
    crashed= fzs= seed=1
    if "$bin/pemutate" --fuzz "${PECHECK_FUZZ:-50}" "$f" "$dir" 2>"$dir/fuzz.err"; then
        while [ $seed -le "${PECHECK_FUZZ:-50}" ]; do
            fzs="$fzs $dir/fuzz-$seed.bin"
            seed=$((seed + 1))
        done
    else
        crashed=" (pemutate --fuzz: $(cat "$dir/fuzz.err"))"
    fi
    if [ -n "$fzs" ]; then
        # shellcheck disable=SC2086 # image paths contain no blanks
        "$bin/pecheck" "$@" $fzs >"$dir/fuzz.log" 2>"$dir/fuzz.err"
        rc=$?
        # Copies without a verdict line ("FILE: ...") in the log.
        # shellcheck disable=SC2086
        silent=$(printf '%s\n' $fzs | awk 'FNR == NR { seen[$1] = 1; next } !(($0 ":") in seen)' \
            "$dir/fuzz.log" -)
    fi
    if [ -n "$fzs" ] && { [ $rc -gt 1 ] || [ -s "$dir/fuzz.err" ] || [ -n "$silent" ]; }; then
        for fz in $fzs; do
            "$bin/pecheck" "$@" "$fz" >"$dir/fuzz.log" 2>"$dir/fuzz.err"
            rc=$?
            if [ $rc -gt 1 ] || [ -s "$dir/fuzz.err" ] || [ -z "$(ids "$fz" "$dir/fuzz.log")" ]; then
                seed=${fz##*/fuzz-}
                seed=${seed%.bin}
                cp "$fz" "$dir/fuzz-$seed.crash"
                crashed="$crashed $seed(rc=$rc)"
            fi
        done
    fi
    # shellcheck disable=SC2086
    rm -f $fzs "$dir/fuzz.log" "$dir/fuzz.err"
    if [ -z "$crashed" ]; then
        ok "$f: pecheck survives ${PECHECK_FUZZ:-50} corrupted copies"
    else
        ko "$f: pecheck misbehaved on fuzz seeds$crashed (inputs kept as $dir/fuzz-*.crash)"
    fi
}

# --one OUT BIN SCRATCH FILE...: the checks of these images, each printed
# into SCRATCH/<arch>/.../<image>.result (the main run prints them in order
# and counts them).
if [ "${1:-}" = --one ]; then
    out=${2%/} bin=$3 scratch=$4
    shift 4
    for image; do
        rel=${image#"$out"/}
        ext=${image##*.}
        mkdir -p "$(dirname "$scratch/$rel")"
        check_file "$image" >"$scratch/${rel%."$ext"}.result" 2>&1
    done
    exit 0
fi

if tool_ok; then
    if "$bin/pecheck" >/dev/null 2>&1; then rc=0; else rc=$?; fi
    if [ $rc -eq 2 ]; then ok "usage error exits 2"; else ko "usage error exits $rc, not 2"; fi

    files=$(find "$out" \( -name '*.sys' -o -name '*.dll' \) -type f 2>/dev/null | sort)
    [ -n "$files" ] || ko "no .sys files under $out"
    find "$out" -name '*.dll' -type f | grep -q . || ko "no user-mode .dll under $out"
    mkdir -p "$scratch"
    "$bin/pemutate" --list >"$scratch/mutations" || ko "pemutate --list"

    # Four images per process, the processes run by a make: in make
    # check's job pool when there is one (the recipe is recursive), else
    # one job per core.  The results are printed and counted in the order
    # of the list.
    jobs=
    case " ${MAKEFLAGS:-} " in *jobserver*) ;; *) jobs=-j$(nproc 2>/dev/null || echo 2) ;; esac
    for f in $files; do
        rel=${f#"$out"/}
        rm -f "$scratch/${rel%.*}.result"
    done
    mkdir -p "$scratch"
    # shellcheck disable=SC2086 # image paths contain no blanks
    printf '%s\n' $files | xargs -n 4 echo | awk -v cmd="sh $0 --one $out $bin $scratch" '
        { t = "images" NR; all = all " " t; rules = rules t ":\n\t@" cmd " " $0 "\n" }
        END { print ".PHONY: all" all; print "all:" all; printf "%s", rules }' >"$scratch/images.mk"
    # shellcheck disable=SC2086
    make -s --no-print-directory -f "$scratch/images.mk" $jobs
    for f in $files; do
        rel=${f#"$out"/}
        result=$scratch/${rel%.*}.result
        if [ -f "$result" ]; then
            cat "$result"
            pass=$((pass + $(grep -c '^PASS' "$result")))
            fail=$((fail + $(grep -c '^FAIL' "$result")))
        else
            ko "$f: no result (its checks did not run)"
        fi
    done
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
