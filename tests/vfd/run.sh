#!/bin/sh
# Usage: tests/vfd/run.sh PREFIX META OUT SCRATCH ARCH...
# Each PREFIX_<arch>.vfd is a 2.88 MB FAT12 image holding exactly the files
# the metadata assigns to it, with the same bytes as the build outputs, and
# is bit-identical when made again.  Because the shipped drivers may not
# include storage or network drivers yet, the same checks also run on an
# image made from a synthetic metadata file that does, and a planted image
# with one extra file must be caught.
set -u
prefix=$1
meta=$2
out=$3
scratch=$4
shift 4
python=${PYTHON:-/usr/bin/python3}
export MTOOLS_SKIP_CHECK=1
. tests/lib.sh
rm -rf "$scratch"
mkdir -p "$scratch"

files_on() { # image: its files, relative paths, sorted
	mdir -/ -b -i "$1" ::/ 2>/dev/null | grep -v '/$' | sed 's|^::/||' | LC_ALL=C sort
}
layout_matches() { # image meta arch: file list equals the metadata's
	"$python" packaging/layout.py vfd-files "$2" "$3" | LC_ALL=C sort >"$scratch/expected"
	files_on "$1" >"$scratch/actual"
	diff -u "$scratch/expected" "$scratch/actual" >"$scratch/diff"
}
content_matches() { # image meta arch: every file equals its build output
	"$python" -c 'import sys; sys.path.insert(0, "packaging"); import layout
for v, s in layout.vfd_entries(layout.load(sys.argv[1]), sys.argv[2]): print(v, s)' "$2" "$3" |
		while read -r vfd src; do
			mtype -i "$1" "::/$vfd" >"$scratch/file" 2>/dev/null || { echo "$vfd unreadable"; return 1; }
			cmp -s "$scratch/file" "$out/$src" || { echo "$vfd differs"; return 1; }
		done
}
check_image() { # image meta arch label
	img=$1
	if layout_matches "$img" "$2" "$3"; then
		ok "$4: $(wc -l <"$scratch/expected") files, exactly those of the metadata"
	else
		fail "$4: file list differs from the metadata"
		cat "$scratch/diff"
	fi
	if content_matches "$img" "$2" "$3"; then ok "$4: contents equal the build outputs"; else fail "$4: contents"; fi
	size=$(stat -c %s "$img")
	[ "$size" = 2949120 ] && ok "$4: 2.88 MB" || fail "$4: size $size"
	if file -b "$img" 2>/dev/null | grep -q 'FAT (12 bit)' ||
		minfo -i "$img" :: 2>/dev/null | grep -q 'sectors per track: 36'; then
		ok "$4: FAT12 2.88 MB geometry"
	else
		fail "$4: not a FAT12 2.88 MB image"
	fi
}

for arch in "$@"; do
	check_image "${prefix}_$arch.vfd" "$meta" "$arch" "$(basename "$prefix")_$arch.vfd"
	"$python" packaging/layout.py stage-vfd "$meta" "$out" "$arch" "$scratch/again-$arch" \
		--epoch "$SOURCE_DATE_EPOCH" && iso/mkvfd "$scratch/again-$arch" "$scratch/again.vfd"
	if cmp -s "${prefix}_$arch.vfd" "$scratch/again.vfd"; then
		ok "$arch: bit-identical when made again"
	else
		fail "$arch: differs when made again"
	fi
done

# Synthetic metadata: the first driver becomes a storage driver.
"$python" -c 'import json, sys
m = json.load(open(sys.argv[1])); m["drivers"][0]["role"] = "storage"
json.dump(m, open(sys.argv[2], "w"))' "$meta" "$scratch/storage.json"
arch=$1
"$python" packaging/layout.py stage-vfd "$scratch/storage.json" "$out" "$arch" "$scratch/syn" \
	--epoch "$SOURCE_DATE_EPOCH" && iso/mkvfd "$scratch/syn" "$scratch/syn.vfd"
check_image "$scratch/syn.vfd" "$scratch/storage.json" "$arch" "synthetic storage $arch"
[ -s "$scratch/expected" ] && ok "synthetic image is not empty" || fail "synthetic image is empty"

# Planted: one file too many.
mkdir -p "$scratch/syn/extra" && echo planted >"$scratch/syn/extra/planted.txt"
iso/mkvfd "$scratch/syn" "$scratch/planted.vfd"
if layout_matches "$scratch/planted.vfd" "$scratch/storage.json" "$arch"; then
	fail "planted: an image with an extra file passed"
else
	ok "planted: an image with an extra file is caught"
fi
finish
