#!/bin/sh
# Usage: tests/dist/run.sh TARBALL SCRATCH SECOND_DIR
# The source tarball is reproducible, holds exactly the tree's source (what
# packaging/copy-source takes), and outside git it builds every output
# (drivers, packages, ISO, VFDs, RPMs, repository, container disk, tarballs)
# bit-identical to this tree's.  That build is the second build of
# check-repro (tests/repro/second-build.sh, in SECOND_DIR), made once for
# both groups.  The other test groups are not run again from it: their
# scripts, data and inputs are the same files and the outputs they test are
# bit-identical, so they would give the same results.
set -u
tarball=$(realpath "$1")
scratch=$(realpath -m "$2")
second=$3
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

# Built outside any git repository, so nothing can come from git.
src=$(cat "$second/tree" 2>/dev/null)
if [ -z "$src" ] || [ ! -d "$src" ]; then
	fail "the tarball was not unpacked ($(cat "$second/make.log" 2>/dev/null | head -n 1))"
	finish
fi
if [ -d "$src/.git" ] || git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	fail "extracted tarball is inside a git repository"
else
	ok "the tarball is built outside git ($src)"
fi
# Same files as the tree's source, byte for byte.
packaging/copy-source "$root" "$scratch/source"
echo "$epoch" >"$scratch/source/.source-date-epoch"
tar -C "$scratch" -xJf "$tarball"
if diff -r "$scratch/source" "$scratch/$name" >"$scratch/source.diff" 2>&1; then
	ok "the tarball holds exactly the tree's source"
else
	fail "the tarball's files differ from the tree's source ($scratch/source.diff)"
	head -n 20 "$scratch/source.diff"
fi
if [ "$(cat "$second/make.status" 2>/dev/null)" = 0 ]; then
	ok "make works from the tarball without git"
else
	fail "make from the tarball (log: $second/make.log)"
	tail -n 20 "$second/make.log"
fi
# Every output, not only the images: a build step that reads git, the host
# name or the directory shows here.
note_stale_outputs "$root" "$src"
for file in $(cd "$src" && find out dist -type f ! -name "$name.tar.xz" | sort); do
	if cmp -s "$root/$file" "$src/$file"; then
		ok "$file from the tarball is identical"
	else
		fail "$file from the tarball differs"
	fi
done
finish
