#!/bin/sh
# Usage: tests/dist/run.sh TARBALL SCRATCH
# The source tarball is reproducible, and outside git it builds drivers
# identical to this tree's and passes the other test groups.
set -u
tarball=$(realpath "$1")
scratch=$(realpath -m "$2")
root=$(pwd)
. tests/lib.sh

rm -rf "$scratch"
mkdir -p "$scratch"
name=$(basename "$tarball" .tar.xz)
epoch=$(tar -xJOf "$tarball" "$name/.source-date-epoch")

packaging/dist.sh "$scratch/again.tar.xz" "$name" "$epoch"
if cmp -s "$tarball" "$scratch/again.tar.xz"; then
	ok "tarball is bit-identical when made twice"
else
	fail "tarball differs when made twice"
fi

# Outside any git repository, so nothing can come from git.
tree=$(mktemp -d /tmp/vw-dist-test.XXXXXX)
trap 'rm -rf "$tree"' EXIT INT TERM
tar -C "$tree" -xJf "$tarball"
src=$tree/$name
if [ -d "$src/.git" ] || git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	fail "extracted tarball is inside a git repository"
fi
if make -C "$src" --no-print-directory >"$scratch/make.log" 2>&1; then
	ok "make works from the tarball without git"
else
	fail "make from the tarball (log: $scratch/make.log)"
	tail -n 20 "$scratch/make.log"
fi
for sys in $(cd "$root" && find out -name '*.sys' | sort); do
	if cmp -s "$root/$sys" "$src/$sys"; then
		ok "$sys from the tarball is identical"
	else
		fail "$sys from the tarball differs"
	fi
done
# Every other group (not this one, and not repro, which rebuilds twice more).
checks=$(make -s -C "$src" --no-print-directory print-CHECKS | tr ' ' '\n' |
	grep -v -x -e check-dist -e check-repro | tr '\n' ' ')
if make -C "$src" --no-print-directory check CHECKS="$checks" >"$scratch/check.log" 2>&1; then
	ok "make check ($checks) passes from the tarball"
else
	fail "make check from the tarball (log: $scratch/check.log)"
	tail -n 20 "$scratch/check.log"
fi
finish
