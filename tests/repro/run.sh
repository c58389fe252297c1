#!/bin/sh
# Usage: tests/repro/run.sh SECOND_DIR
# Every output of this tree (drivers, symbols, INFs, catalogs, ISO, VFDs,
# RPM, SRPM, repository, container disk, tarballs) is bit-identical to the
# second build's (tests/repro/second-build.sh: the source tarball built
# outside git from a directory whose path length differs, with the same
# SOURCE_DATE_EPOCH and signing keys; check-dist uses the same build).  The
# planted build links the drivers with a fixed timestamp instead of /Brepro
# and must be caught.
set -u
second=$1
root=$(pwd)
. tests/lib.sh
src=$(cat "$second/tree" 2>/dev/null)
planted=$(cat "$second/planted" 2>/dev/null)
for what in make planted; do
	status=$(cat "$second/$what.status" 2>/dev/null || echo none)
	if [ "$status" != 0 ]; then
		fail "the $what build failed (status $status, log: $second/$what.log)"
		tail -n 20 "$second/$what.log" 2>/dev/null
		finish
	fi
done
if [ ${#src} != ${#root} ]; then
	ok "second tree $src: another path length than $root"
else
	fail "second tree $src has the path length of $root"
fi

note_stale_outputs "$root" "$src"
for file in $(cd "$src" && find out dist -type f | sort); do
	if cmp -s "$root/$file" "$src/$file"; then
		ok "$file identical in two builds"
	else
		fail "$file differs between builds"
	fi
done
# The planted build must differ in every driver image (it links only
# those: the signed copies under w10/ and w11/ are not made again).
n=0
for sys in $(cd "$root" && find out -name '*.sys' ! -path '*/w1[01]/*' | sort); do
	n=$((n + 1))
	if [ ! -f "$planted/$sys" ]; then
		fail "planted: $sys was not linked"
	elif cmp -s "$root/$sys" "$planted/$sys"; then
		fail "planted: $sys without /Brepro was not detected"
	else
		ok "planted: $sys without /Brepro differs"
	fi
done
[ "$n" -gt 0 ] || fail "planted: no driver image to compare"
finish
