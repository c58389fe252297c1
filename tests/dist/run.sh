#!/bin/sh
# Usage: tests/dist/run.sh TARBALL SCRATCH
# The source tarball is reproducible, holds exactly the tree's source (what
# packaging/copy-source takes), and outside git it builds every output
# (drivers, packages, ISO, VFDs, RPMs, repository, container disk, tarballs)
# bit-identical to this tree's.  The other test groups are not run again
# from it: their scripts, data and inputs are the same files and the
# outputs they test are bit-identical, so they would give the same results.
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
# Same files as the tree's source, byte for byte.
packaging/copy-source "$root" "$scratch/source"
echo "$epoch" >"$scratch/source/.source-date-epoch"
if diff -r "$scratch/source" "$src" >"$scratch/source.diff" 2>&1; then
	ok "the tarball holds exactly the tree's source"
else
	fail "the tarball's files differ from the tree's source ($scratch/source.diff)"
	head -n 20 "$scratch/source.diff"
fi
if make -C "$src" --no-print-directory >"$scratch/make.log" 2>&1; then
	ok "make works from the tarball without git"
else
	fail "make from the tarball (log: $scratch/make.log)"
	tail -n 20 "$scratch/make.log"
fi
# Every output, not only the images: a build step that reads git, the host
# name or the directory shows here.
for file in $(cd "$root" && find out dist -type f ! -name "$name.tar.xz" | sort); do
	if cmp -s "$root/$file" "$src/$file"; then
		ok "$file from the tarball is identical"
	else
		fail "$file from the tarball differs"
	fi
done
finish
