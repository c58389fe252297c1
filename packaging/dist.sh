#!/bin/sh
# Usage: packaging/dist.sh OUTPUT.tar.xz PREFIX SOURCE_DATE_EPOCH
# Writes the reproducible source tarball: the tracked files (or, outside git,
# the tree without build outputs) under PREFIX/, sorted, owned by 0:0, all
# times set to SOURCE_DATE_EPOCH, plus PREFIX/.source-date-epoch so that a
# build from the tarball stamps the same dates without git.
set -eu
output=$1
prefix=$2
epoch=$3
stage=$(mktemp -d "${TMPDIR:-/tmp}/vw-dist.XXXXXX")
trap 'rm -rf "$stage"' EXIT INT TERM
mkdir -p "$stage/$prefix"
packaging/copy-source . "$stage/$prefix"
echo "$epoch" >"$stage/$prefix/.source-date-epoch"
tmp=$output.tmp
tar -C "$stage" --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner \
	--mode='u=rwX,go=rX' --format=gnu -cf - "$prefix" | xz -9 -T1 >"$tmp"
# An unchanged tarball keeps its time, so what is made from it (the SRPM,
# the repository) is not made again.
if cmp -s "$tmp" "$output"; then
	rm -f "$tmp"
else
	mv "$tmp" "$output"
fi
