#!/bin/sh
# Usage: tests/containerdisk/run.sh ARCHIVE ISO VERSION SCRATCH
# skopeo sees one image per platform (amd64, arm64) sharing one layer; umoci
# unpacks /disk/virtio-win.iso equal to the ISO, owned by 107:107, mode 0440;
# the archive is bit-identical when made again.  A planted archive built
# from a different ISO must fail the content check.
set -u
archive=$(realpath "$1")
iso=$(realpath "$2")
version=$3
scratch=$(realpath -m "$4")
. tests/lib.sh
rm -rf "$scratch"
mkdir -p "$scratch"
epoch=${SOURCE_DATE_EPOCH:?}

layers=
for arch in amd64 arm64; do
	if skopeo inspect --override-arch "$arch" --override-os linux \
		"oci-archive:$archive:$version" >"$scratch/inspect-$arch.json" 2>"$scratch/inspect.err"; then
		got=$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(d["Architecture"], d["Os"], len(d["Layers"]), d["Layers"][0])' "$scratch/inspect-$arch.json")
		set -- $got
		if [ "$1 $2 $3" = "$arch linux 1" ]; then
			ok "skopeo: $version has a $arch/linux image with one layer"
		else
			fail "skopeo: $arch image is '$got'"
		fi
		layers="$layers $4"
	else
		fail "skopeo inspect $arch: $(cat "$scratch/inspect.err")"
	fi
done
[ "$(echo $layers | tr ' ' '\n' | sort -u | wc -l)" = 1 ] && ok "both platforms share the layer" ||
	fail "platforms have different layers:$layers"

unpack_check() { # archive label: unpack each platform and check the disk
	rm -rf "$scratch/layout" "$scratch/bundle"
	mkdir -p "$scratch/layout"
	tar -C "$scratch/layout" -xf "$1"
	for arch in amd64 arm64; do
		rm -rf "$scratch/bundle"
		if ! umoci unpack --image "$scratch/layout:$version-$arch" "$scratch/bundle" >/dev/null 2>&1; then
			echo "umoci cannot unpack $version-$arch"
			return 1
		fi
		disk=$scratch/bundle/rootfs/disk/virtio-win.iso
		cmp -s "$disk" "$iso" || { echo "$arch: /disk/virtio-win.iso differs from the ISO"; return 1; }
		own=$(stat -c '%u:%g %a' "$disk")
		[ "$own" = "107:107 440" ] || { echo "$arch: /disk/virtio-win.iso is $own"; return 1; }
	done
}
if msg=$(unpack_check "$archive"); then
	ok "umoci: /disk/virtio-win.iso equals the ISO, 107:107, mode 0440, on both platforms"
else
	fail "umoci: $msg"
fi

/usr/bin/python3 packaging/oci.py "$iso" "$scratch/again.tar" --version "$version" --epoch "$epoch"
cmp -s "$archive" "$scratch/again.tar" && ok "archive is bit-identical when made again" ||
	fail "archive differs when made again"

cp "$iso" "$scratch/other.iso"
printf 'x' | dd of="$scratch/other.iso" bs=1 seek=40000 conv=notrunc 2>/dev/null
/usr/bin/python3 packaging/oci.py "$scratch/other.iso" "$scratch/planted.tar" --version "$version" --epoch "$epoch"
if unpack_check "$scratch/planted.tar" >/dev/null; then
	fail "planted: an archive with a different ISO passed"
else
	ok "planted: an archive with a different ISO is caught"
fi
finish
