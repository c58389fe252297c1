#!/bin/sh
# Usage: tests/repro/run.sh BUILD_DIR
# Builds everything once more, from a copy of the source in a directory
# whose path length differs from this tree's (so any leaked path shows),
# with the same SOURCE_DATE_EPOCH and signing keys, and requires every
# output to be bit-identical in both builds: drivers, symbols, INFs,
# catalogs, ISO, VFDs, RPM, SRPM, repository, container disk, tarballs.
# (check-dist makes a third build, from the tarball outside git, and
# compares every output too.)  A planted build of the drivers links with a
# fixed timestamp instead of /Brepro and must be caught.
set -u
b=$(realpath "$1")
root=$(pwd)
work=$b/repro
rm -rf "$work"
mkdir -p "$work/bb/longer-directory-name" "$work/planted"
copies="$work/bb/longer-directory-name/src"
planted=$work/planted/src

for dst in $copies $planted; do
	packaging/copy-source "$root" "$dst"
	set -- SOURCE_DATE_EPOCH="$SOURCE_DATE_EPOCH"
	if [ "$dst" = "$planted" ]; then
		flags=$(make -s -C "$dst" --no-print-directory print-KLDFLAGS)
		set -- "$@" KLDFLAGS="$(echo "$flags" | sed 's|/Brepro|/timestamp:12345|')"
	fi
	target=all
	[ "$dst" = "$planted" ] && target=drivers
	if ! make -C "$dst" --no-print-directory "$target" "$@" >"$dst.log" 2>&1; then
		echo "FAIL build in $dst (log: $dst.log)"
		tail -n 20 "$dst.log"
		echo "0 passed, 1 failed"
		exit 1
	fi
done

. tests/lib.sh
for file in $(cd "$root" && find out dist -type f | sort); do
	same=yes
	for dst in $copies; do
		cmp -s "$root/$file" "$dst/$file" || same=no
	done
	if [ $same = yes ]; then
		ok "$file identical in two builds"
	else
		fail "$file differs between builds"
	fi
done
# The planted build must differ in every image.
for sys in $(cd "$root" && find out -name '*.sys' | sort); do
	if cmp -s "$root/$sys" "$planted/$sys"; then
		fail "planted: $sys without /Brepro was not detected"
	else
		ok "planted: $sys without /Brepro differs"
	fi
done
finish
