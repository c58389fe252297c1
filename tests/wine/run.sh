#!/bin/sh
# Usage: tests/wine/run.sh INFCHECK.EXE OUT PREFIX SCRATCH
# Every INF under OUT/<arch>/<driver>/<set>/ opened by Wine's setupapi
# (infcheck.exe, tests/wine/infcheck.c): class and class GUID, every models
# section, hardware IDs, install and service sections and every source file
# resolved.  Wine runs headless (no DISPLAY, no X needed), quiet
# (WINEDEBUG=-all), with its prefix in PREFIX (made once, under build/), no
# Mono/Gecko, each run bounded by a timeout.  Planted: a package whose INF
# lists a source file that is not there, and one whose [SourceDisksFiles]
# lacks a copied file, must each fail.
set -u
exe=$(realpath "$1")
out=$(realpath "$2")
prefix=$(realpath -m "$3")
scratch=$(realpath -m "$4")
. tests/lib.sh
rm -rf "$scratch"
mkdir -p "$scratch" "$(dirname "$prefix")"

command -v wine64 >/dev/null || command -v wine >/dev/null || {
	fail "wine is not installed (make installs it: arch/toolchain.mk DEBS)"
	finish
}
wine=$(command -v wine64 || command -v wine)
[ -x /usr/lib/wine/wine64 ] && wine=/usr/lib/wine/wine64

run_wine() { # args...: infcheck.exe under Wine, headless, bounded
	env -u DISPLAY -u WAYLAND_DISPLAY WINEPREFIX="$prefix" WINEARCH=win64 WINEDEBUG=-all \
		WINEDLLOVERRIDES='mscoree,mshtml,winemenubuilder.exe=' HOME="$prefix.home" \
		timeout 300 "$wine" "$exe" "$@"
}
winpath() { # unix path: the same file through Wine's Z: drive
	echo "Z:$1" | tr / '\\'
}

mkdir -p "$prefix.home"
for arch in x86 amd64 arm64; do
	set --
	for inf in $(find "$out/$arch" -mindepth 3 -maxdepth 3 -name '*.inf' | LC_ALL=C sort); do
		set -- "$@" "$(winpath "$inf")"
	done
	[ $# -gt 0 ] || continue
	n=$#
	run_wine "$arch" "$@" >"$scratch/$arch.log" 2>"$scratch/$arch.err"
	status=$?
	tr -d '\r' <"$scratch/$arch.log" >"$scratch/$arch.txt"
	good=$(grep -c '^ok ' "$scratch/$arch.txt")
	grep '^FAIL ' "$scratch/$arch.txt"
	if [ "$status" = 0 ] && [ "$good" = "$n" ]; then
		ok "$arch: setupapi resolves all $n INFs"
		sed -n 's|^ok Z:.*\\out\\|  |p' "$scratch/$arch.txt" | tr '\\' /
	else
		fail "$arch: $good of $n INFs pass under setupapi (exit $status; $(head -c 300 "$scratch/$arch.err"))"
	fi
done

# Planted defects, on a copy of the first amd64 package.
pkg=$(find "$out/amd64" -mindepth 3 -maxdepth 3 -name '*.sys' | LC_ALL=C sort | head -n 1)
dir=$(dirname "$pkg")
name=$(basename "$pkg")
inf=$(basename "$name" .sys).inf
mkdir -p "$scratch/missing" "$scratch/unlisted"
cp "$dir"/* "$scratch/missing/"
rm -f "$scratch/missing/$name"
if run_wine amd64 "$(winpath "$scratch/missing/$inf")" >"$scratch/missing.log" 2>&1; then
	fail "planted: $inf passed with $name missing from its package"
else
	grep -q "source file missing" "$scratch/missing.log" &&
		ok "planted: $inf without $name is refused (source file missing)" ||
		fail "planted: missing $name refused for another reason: $(head -n 2 "$scratch/missing.log")"
fi
cp "$dir"/* "$scratch/unlisted/"
grep -v -i "^$name *=" "$dir/$inf" >"$scratch/unlisted/$inf"
if run_wine amd64 "$(winpath "$scratch/unlisted/$inf")" >"$scratch/unlisted.log" 2>&1; then
	fail "planted: $inf passed without a [SourceDisksFiles] entry for $name"
else
	grep -q "no \[SourceDisksFiles\] entry" "$scratch/unlisted.log" &&
		ok "planted: $inf without a [SourceDisksFiles] entry for $name is refused" ||
		fail "planted: unlisted $name refused for another reason: $(head -n 2 "$scratch/unlisted.log")"
fi
finish
