#!/bin/sh
# Usage: tests/repro/second-build.sh TARBALL DIR
# The one second build that check-repro and check-dist compare with this
# tree: the source tarball unpacked outside any git repository, in a
# directory whose path length differs from this tree's (so a leaked path
# shows), built by one make with the same SOURCE_DATE_EPOCH and signing keys.
# Then the planted build for check-repro: a copy of that tree whose driver
# images are linked again with a fixed timestamp instead of /Brepro (only
# the links: its objects are the second build's, hard-linked).
# Writes into DIR: top (the directory holding both trees), tree (the second
# tree's path), tarball (the path of a copy of the tarball it unpacked, for
# check-rpm's rebuild), make.log, make.status,
# planted (the planted tree's path), planted.log, planted.status, and its
# start (epoch seconds), wall and CPU seconds in start, time and cpu (make
# check's summary prints them: they are in no group's time).  Always
# exits 0: the two groups report what failed.  A previous run's trees (named
# in DIR/top) are removed first.
set -u
tarball=$(realpath "$1")
dir=$2
root=$(pwd)
start=$(date +%s)
mkdir -p "$dir"
dir=$(realpath "$dir")
# Only a tree this DIR made (its owner file names DIR): a build directory
# copied from another tree names that tree's second build, still in use.
top=$(cat "$dir/top" 2>/dev/null) && case $top in
*/vw-second.*) [ "$(cat "$top/owner" 2>/dev/null)" != "$dir" ] || rm -rf "$top" ;;
esac
rm -f "$dir"/*
top=$(mktemp -d "${TMPDIR:-/tmp}/vw-second.XXXXXX")
echo "$top" >"$dir/top"
echo "$dir" >"$top/owner"
name=$(basename "$tarball" .tar.xz)
src=$top/$name
# Another path length than this tree's.
[ ${#src} != ${#root} ] || src=$top/x/$name
mkdir -p "$(dirname "$src")"
if ! tar -C "$(dirname "$src")" -xJf "$tarball"; then
	echo "cannot unpack $tarball" >"$dir/make.log"
	echo 1 >"$dir/make.status"
	exit 0
fi
echo "$src" >"$dir/tree"
cp "$tarball" "$top/$name.tar.xz" && echo "$top/$name.tar.xz" >"$dir/tarball"

# One parallel make: the jobs of make check's pool when there is one (the
# recipe is recursive), else one per core.
jobs=
case " ${MAKEFLAGS:-} " in *jobserver*) ;; *) jobs=-j$(nproc 2>/dev/null || echo 2) ;; esac
# shellcheck disable=SC2086
make -C "$src" --no-print-directory $jobs SOURCE_DATE_EPOCH="$SOURCE_DATE_EPOCH" >"$dir/make.log" 2>&1
echo $? >"$dir/make.status"

planted=$top/planted/$name
mkdir -p "$top/planted"
echo "$planted" >"$dir/planted"
flags=$(make -s -C "$src" --no-print-directory print-KLDFLAGS | sed 's|/Brepro|/timestamp:12345|')
images=$(make -s -C "$src" --no-print-directory print-ALL_SYS)
# The copy shares the second tree's objects (hard links; the links below
# write new files) but none of its outputs.
if cp -al "$src" "$planted" && rm -rf "$planted/out" "$planted/dist"; then
	# shellcheck disable=SC2086
	make -C "$planted" --no-print-directory $jobs SOURCE_DATE_EPOCH="$SOURCE_DATE_EPOCH" \
		KLDFLAGS="$flags" $images >"$dir/planted.log" 2>&1
	echo $? >"$dir/planted.status"
else
	echo "cannot copy $src" >"$dir/planted.log"
	echo 1 >"$dir/planted.status"
fi
echo "$start" >"$dir/start"
echo $(($(date +%s) - start)) >"$dir/time"
# As tests/run-check: the children's user and system time.
# Not in a pipe: a subshell would see only its own (none).
times >"$dir/times"
awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/)
	printf "%d\n", u[1] * 60 + u[2] + s[1] * 60 + s[2] + 0.5 }' "$dir/times" >"$dir/cpu"
rm -f "$dir/times"
exit 0
