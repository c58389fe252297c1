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
trap 'rm -rf "$stage" "$stage.tar"' EXIT INT TERM
mkdir -p "$stage/$prefix"
packaging/copy-source . "$stage/$prefix"
echo "$epoch" >"$stage/$prefix/.source-date-epoch"
tmp=$output.tmp
tar -C "$stage" --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner \
	--mode='u=rwX,go=rX' --format=gnu -cf "$stage.tar" "$prefix"
# An unchanged tarball keeps its time, so what is made from it (the SRPM,
# the repository) is not made again.  The archive is compared before it is
# compressed: xz -9 is 6.5 CPU-s, unpacking the old one a tenth of that,
# and make check runs this three times on an unchanged tree (its FORCE).
if [ -f "$output" ] && xz -dc "$output" 2>/dev/null | cmp -s - "$stage.tar"; then
	exit 0
fi
xz -9 -T1 <"$stage.tar" >"$tmp"
if cmp -s "$tmp" "$output"; then
	rm -f "$tmp"
else
	mv "$tmp" "$output"
fi
