#!/bin/sh
# Usage: tests/vfd/run.sh PREFIX META OUT SCRATCH IMAGE...
# Each PREFIX_<image>.vfd is a 2.88 MB FAT12 image holding exactly the files
# of the list written below for that image (the folders of the historic
# virtio-win floppies: i386/Win10, amd64/Win10, amd64/Win2019 ..., a disk1
# marker at the root), with the same bytes as the build outputs, and is
# bit-identical when made again.  The same checks run on images made from
# a synthetic metadata file where viorng plays a second storage driver.  Planted: an image with an extra file, one missing a file, and a
# request for an image without drivers (which must be refused, leaving
# nothing behind).
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

# Expected files per image, one pattern a line (tests/expand-patterns).
# Real images: the install-time drivers (viostor, vioscsi, netkvm),
# no symbols.
expected_real() {
	case $1 in
	x86) dirs=i386/Win10 ;;
	amd64) dirs='amd64/{Win10,Win11}' ;;
	servers_amd64) dirs='amd64/{Win2016,Win2019,Win2022,Win2025}' ;;
	esac
	printf 'disk1\n%s/{viostor,vioscsi,netkvm}.{cat,inf,sys}\n' "$dirs" | "$python" tests/expand-patterns
}
# Synthetic images: viorng as a second storage driver (a package with a DLL).
expected_synthetic() {
	case $1 in
	x86) dirs=i386/Win10 ;;
	amd64) dirs='amd64/{Win10,Win11}' ;;
	servers_amd64) dirs='amd64/{Win2016,Win2019,Win2022,Win2025}' ;;
	esac
	printf 'disk1\n%s/viorng.{cat,inf,sys}\n%s/viorngum.dll\n%s/{viostor,vioscsi,netkvm}.{cat,inf,sys}\n' "$dirs" "$dirs" "$dirs" |
		"$python" tests/expand-patterns
}

files_on() { # image: its files, relative paths, sorted
	mdir -/ -b -i "$1" ::/ 2>/dev/null | grep -v '/$' | sed 's|^::/||' | LC_ALL=C sort
}
layout_matches() { # image list-function image-name: files equal the written list
	"$2" "$3" | LC_ALL=C sort >"$scratch/expected"
	files_on "$1" >"$scratch/actual"
	diff -u "$scratch/expected" "$scratch/actual" >"$scratch/diff"
}
content_matches() { # image meta image-name: every driver file equals its build output
	"$python" -c 'import sys; sys.path.insert(0, "packaging"); import layout
for v, s in layout.vfd_entries(layout.load(sys.argv[1]), sys.argv[2]): print(v, s)' "$2" "$3" |
		while read -r vfd src; do
			mtype -i "$1" "::/$vfd" >"$scratch/file" 2>/dev/null || { echo "$vfd unreadable"; return 1; }
			cmp -s "$scratch/file" "$out/$src" || { echo "$vfd differs"; return 1; }
		done
}
check_image() { # image meta image-name list-function label
	img=$1
	if layout_matches "$img" "$4" "$3"; then
		ok "$5: $(wc -l <"$scratch/expected") files, exactly those of the list"
	else
		fail "$5: files differ from the list"
		cat "$scratch/diff"
	fi
	if content_matches "$img" "$2" "$3"; then ok "$5: contents equal the build outputs"; else fail "$5: contents"; fi
	size=$(stat -c %s "$img")
	[ "$size" = 2949120 ] && ok "$5: 2.88 MB" || fail "$5: size $size"
	if file -b "$img" 2>/dev/null | grep -q 'FAT (12 bit)' ||
		minfo -i "$img" :: 2>/dev/null | grep -q 'sectors per track: 36'; then
		ok "$5: FAT12 2.88 MB geometry"
	else
		fail "$5: not a FAT12 2.88 MB image"
	fi
	"$python" packaging/layout.py stage-vfd "$2" "$out" "$3" "$scratch/again-$3" \
		--epoch "$SOURCE_DATE_EPOCH" && iso/mkvfd "$scratch/again-$3" "$scratch/again.vfd"
	if cmp -s "$img" "$scratch/again.vfd"; then
		ok "$5: bit-identical when made again"
	else
		fail "$5: differs when made again"
	fi
}

if [ $# = 0 ]; then
	echo "skip: no VFD image: no storage or network driver (viostor, vioscsi, NetKVM) is packaged"
fi
for image in "$@"; do
	check_image "${prefix}_$image.vfd" "$meta" "$image" expected_real "$(basename "$prefix")_$image.vfd"
done

# An image without drivers is an error, and nothing is staged.
for image in x86 amd64 servers_amd64; do
	"$python" packaging/layout.py vfd-files "$meta" "$image" | grep -q . && continue
	if "$python" packaging/layout.py stage-vfd "$meta" "$out" "$image" "$scratch/empty-$image" \
		--epoch "$SOURCE_DATE_EPOCH" 2>"$scratch/empty.err"; then
		fail "$image: an image without drivers was staged"
	elif [ -e "$scratch/empty-$image" ] || [ "$(wc -l <"$scratch/empty.err")" != 1 ]; then
		fail "$image: refused, but not with one line and nothing left: $(cat "$scratch/empty.err")"
	else
		ok "$image: an image without drivers is refused ($(cat "$scratch/empty.err"))"
	fi
done

# Synthetic metadata: viorng becomes a storage driver.
"$python" -c 'import json, sys
m = json.load(open(sys.argv[1]))
for d in m["drivers"]:
    if d["iso_dir"] == "viorng":
        d["role"] = "storage"
json.dump(m, open(sys.argv[2], "w"))' "$meta" "$scratch/storage.json"
for image in x86 amd64 servers_amd64; do
	"$python" packaging/layout.py stage-vfd "$scratch/storage.json" "$out" "$image" "$scratch/syn-$image" \
		--epoch "$SOURCE_DATE_EPOCH" && iso/mkvfd "$scratch/syn-$image" "$scratch/syn-$image.vfd"
	check_image "$scratch/syn-$image.vfd" "$scratch/storage.json" "$image" expected_synthetic \
		"synthetic storage $image"
done

# Planted: one file too many, one file missing.
mkdir -p "$scratch/syn-amd64/extra" && echo planted >"$scratch/syn-amd64/extra/planted.txt"
iso/mkvfd "$scratch/syn-amd64" "$scratch/planted.vfd"
if layout_matches "$scratch/planted.vfd" expected_synthetic amd64; then
	fail "planted: an image with an extra file passed"
else
	ok "planted: an image with an extra file is caught"
fi
rm -rf "$scratch/syn-amd64/extra" "$scratch/syn-amd64/amd64/Win11/viorng.cat"
iso/mkvfd "$scratch/syn-amd64" "$scratch/planted.vfd"
if layout_matches "$scratch/planted.vfd" expected_synthetic amd64; then
	fail "planted: an image missing a file passed"
else
	ok "planted: an image missing a file is caught"
fi
finish
