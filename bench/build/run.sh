#!/bin/sh
# Usage: bench/build/run.sh BUILD_DIR
# Times a clean build of every driver (from a copy of the tree, so this
# tree's outputs stay as they are) and then a no-op rebuild, with make -j
# set to the number of cores.  Goal: no-op rebuild <= 2 s.
set -eu
b=$(realpath "$1")
root=$(pwd)
dst=$b/bench-build/src
rm -rf "$b/bench-build"
packaging/copy-source "$root" "$dst"
jobs=$(nproc)
now() { date +%s.%N; }
t0=$(now)
make -C "$dst" -j"$jobs" --no-print-directory drivers >/dev/null
t1=$(now)
make -C "$dst" -j"$jobs" --no-print-directory drivers >/dev/null
t2=$(now)
sys=$(find "$dst/out" -mindepth 3 -maxdepth 3 -name '*.sys' | wc -l)
echo "bench-build: $sys driver images and their signed packages, make -j$jobs"
awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {
	printf "  clean build      %6.2f s\n", b - a
	printf "  no-op rebuild    %6.2f s   (goal <= 2 s)\n", c - b
}'
rm -rf "$b/bench-build"
